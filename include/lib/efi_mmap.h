/*
 * The firmware's memory descriptor, as UEFI defines it (spec 2.x, 7.2).
 * Declared here so the kernel and host tests can read the map without
 * GNU-EFI's headers.  The map's stride is the firmware's desc_size, which may
 * be larger than this struct: always step by desc_size.
 */
#ifndef KESTREL_LIB_EFI_MMAP_H
#define KESTREL_LIB_EFI_MMAP_H

#include <stdint.h>

struct efi_mem_desc {
    uint32_t type;
    uint32_t pad;
    uint64_t phys_start;
    uint64_t virt_start;
    uint64_t pages;                  /* 4 KiB pages */
    uint64_t attribute;
};

enum efi_mem_type {
    EFI_MEM_RESERVED = 0,
    EFI_MEM_LOADER_CODE,
    EFI_MEM_LOADER_DATA,
    EFI_MEM_BOOT_SERVICES_CODE,
    EFI_MEM_BOOT_SERVICES_DATA,
    EFI_MEM_RUNTIME_SERVICES_CODE,
    EFI_MEM_RUNTIME_SERVICES_DATA,
    EFI_MEM_CONVENTIONAL,
    EFI_MEM_UNUSABLE,
    EFI_MEM_ACPI_RECLAIM,
    EFI_MEM_ACPI_NVS,
    EFI_MEM_MMIO,
    EFI_MEM_MMIO_PORT_SPACE,
    EFI_MEM_PAL_CODE,
    EFI_MEM_PERSISTENT,
    EFI_MEM_UNACCEPTED,
    EFI_MEM_TYPE_COUNT,
};

#define EFI_MEM_ATTR_UC      0x1ull
#define EFI_MEM_ATTR_WC      0x2ull
#define EFI_MEM_ATTR_WT      0x4ull
#define EFI_MEM_ATTR_WB      0x8ull
#define EFI_MEM_ATTR_RUNTIME 0x8000000000000000ull

#endif
