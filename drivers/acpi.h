/* The firmware's ACPI tables: read once at boot, the result shared. */
#ifndef KESTREL_DRIVERS_ACPI_H
#define KESTREL_DRIVERS_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include "bootinfo.h"
#include "lib/acpi_passthrough.h"

#define ACPI_IOAPICS_MAX          8
#define ACPI_DEFAULT_IOAPIC_BASE  0xfec00000ull

/* The interrupt and configuration hardware a guest's writes are mediated
 * at: the I/O APICs (the firmware MADT's, or the PC's default one when the
 * firmware has no tables) and the ECAM window of PCI segment 0 (MCFG). */
struct acpi_interrupt_hw {
    uint64_t ioapics[ACPI_IOAPICS_MAX];
    unsigned ioapic_count;
    bool     ecam;
    uint64_t ecam_base;
    uint8_t  ecam_start_bus, ecam_end_bus;
};

/* On the BSP at boot, once paging maps physical memory: reads the RSDP,
 * root table, FADT, MADT, DSDT/SSDTs and MCFG once, and logs what Kestrel
 * will use: the firmware's PM1a control and reset registers and \_S5 type
 * (a line on every machine with ACPI, so a QEMU boot without VMX checks it
 * too), and the CPUs of the boot-info (UEFI MP services, which stay the
 * authority: OVMF on Bochs has no ACPI) against the MADT's enabled ones. */
void acpi_survey_firmware(const struct kestrel_bootinfo *bi);

/* What the survey found (never NULL; empty before it ran). */
const struct acpi_firmware *acpi_firmware(void);
const struct acpi_interrupt_hw *acpi_interrupt_hw(void);

#endif
