/*
 * EFI_MP_SERVICES_PROTOCOL (UEFI PI specification, volume 2, section 13.4).
 * GNU-EFI 3.0.15 does not declare it, so the parts Kestrel uses are declared
 * here from the specification.
 */
#ifndef KESTREL_BOOT_MP_SERVICES_H
#define KESTREL_BOOT_MP_SERVICES_H

#include <efi.h>

#define EFI_MP_SERVICES_PROTOCOL_GUID \
    { 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }

/* StatusFlag bits */
#define PROCESSOR_AS_BSP_BIT        0x00000001
#define PROCESSOR_ENABLED_BIT       0x00000002
#define PROCESSOR_HEALTH_STATUS_BIT 0x00000004

typedef struct {
    UINT32 Package;
    UINT32 Core;
    UINT32 Thread;
} EFI_CPU_PHYSICAL_LOCATION;

typedef struct {
    UINT64 ProcessorId;              /* the local APIC ID */
    UINT32 StatusFlag;
    EFI_CPU_PHYSICAL_LOCATION Location;
    /* PI 1.7 appends extended topology, written only when the caller sets
     * CPU_V2_EXTENDED_TOPOLOGY in the processor number; Kestrel does not,
     * but leaves room in case a firmware writes it anyway. */
    UINT32 ExtendedInformation[6];
} EFI_PROCESSOR_INFORMATION;

struct _EFI_MP_SERVICES_PROTOCOL;

typedef EFI_STATUS (EFIAPI *EFI_MP_GET_NUMBER_OF_PROCESSORS)(
    struct _EFI_MP_SERVICES_PROTOCOL *This, UINTN *NumberOfProcessors,
    UINTN *NumberOfEnabledProcessors);
typedef EFI_STATUS (EFIAPI *EFI_MP_GET_PROCESSOR_INFO)(
    struct _EFI_MP_SERVICES_PROTOCOL *This, UINTN ProcessorNumber,
    EFI_PROCESSOR_INFORMATION *ProcessorInfoBuffer);
typedef EFI_STATUS (EFIAPI *EFI_MP_WHOAMI)(
    struct _EFI_MP_SERVICES_PROTOCOL *This, UINTN *ProcessorNumber);

typedef struct _EFI_MP_SERVICES_PROTOCOL {
    EFI_MP_GET_NUMBER_OF_PROCESSORS GetNumberOfProcessors;
    EFI_MP_GET_PROCESSOR_INFO       GetProcessorInfo;
    void *StartupAllAPs;             /* unused by Kestrel */
    void *StartupThisAP;
    void *SwitchBSP;
    void *EnableDisableAP;
    EFI_MP_WHOAMI                   WhoAmI;
} EFI_MP_SERVICES_PROTOCOL;

#endif
