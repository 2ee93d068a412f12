/*
 * The one structure the UEFI loader hands to the kernel.
 *
 * This is the only thing that crosses the loader/kernel line: the loader fills
 * it in (physical addresses; the kernel identity-maps physical memory), the
 * kernel checks magic, version and size with bootinfo_validate() and refuses
 * anything it does not understand.  Bump BOOTINFO_VERSION on any layout
 * change; fields are only ever appended within a version.
 */
#ifndef KESTREL_BOOTINFO_H
#define KESTREL_BOOTINFO_H

#include <stdint.h>

#define BOOTINFO_MAGIC        0x0049424c5254534bull /* "KSTRLBI\0" */
#define BOOTINFO_VERSION      1

#define BOOTINFO_MAX_CPUS     256
#define BOOTINFO_MAX_RESERVED 32
#define BOOTINFO_MAX_FILES    16
#define BOOTINFO_NAME_LEN     64

/* Where the kernel image is linked: higher half, loaded anywhere physically. */
#define KERNEL_VIRT_BASE      0xffffffff80000000ull

/* bootinfo_cpu.flags */
#define BOOTINFO_CPU_BSP      (1u << 0) /* the CPU that ran the loader */
#define BOOTINFO_CPU_ENABLED  (1u << 1) /* firmware says usable */
#define BOOTINFO_CPU_HEALTHY  (1u << 2) /* firmware self-test passed */

struct bootinfo_cpu {
    uint32_t apic_id;
    uint32_t flags;
};

/* Memory the loader allocated for the kernel: never handed out as free RAM. */
enum bootinfo_range_kind {
    BOOTINFO_RANGE_KERNEL = 1,   /* the loaded kernel image (all PT_LOAD segments) */
    BOOTINFO_RANGE_BOOTINFO,     /* this structure */
    BOOTINFO_RANGE_MMAP,         /* the copy of the firmware memory map */
    BOOTINFO_RANGE_PAGETABLES,   /* the loader-built page tables the kernel starts on */
    BOOTINFO_RANGE_FILE,         /* a file read from the boot volume */
    BOOTINFO_RANGE_TRAMPOLINE,   /* the page below 1 MiB for the AP start-up code */
    BOOTINFO_RANGE_STACK,        /* the stack the kernel is entered on */
};

struct bootinfo_range {
    uint64_t base;
    uint64_t size;
    uint32_t kind;
    uint32_t reserved0;
};

enum bootinfo_file_role {
    BOOTINFO_FILE_CONFIG = 1,    /* kestrel.cfg, raw text */
    BOOTINFO_FILE_KERNEL,        /* payload kernel (Linux bzImage, multiboot image) */
    BOOTINFO_FILE_INITRD,
    BOOTINFO_FILE_MODULE,
};

struct bootinfo_file {
    char     name[BOOTINFO_NAME_LEN]; /* path on the boot volume, NUL-terminated */
    uint64_t addr;
    uint64_t size;
    uint32_t role;
    uint32_t index;                   /* position among files of the same role */
};

enum bootinfo_fb_format {
    BOOTINFO_FB_NONE = 0,
    BOOTINFO_FB_RGBX = 1,            /* byte 0 red */
    BOOTINFO_FB_BGRX = 2,            /* byte 0 blue */
};

struct bootinfo_framebuffer {
    uint64_t base;
    uint64_t size;
    uint32_t width;
    uint32_t height;
    uint32_t pixels_per_line;
    uint32_t format;                 /* enum bootinfo_fb_format */
};

struct kestrel_bootinfo {
    uint64_t magic;                  /* BOOTINFO_MAGIC */
    uint32_t version;                /* BOOTINFO_VERSION */
    uint32_t size;                   /* sizeof(struct kestrel_bootinfo) as built */

    /* Kernel image: linked at kernel_virt, loaded at kernel_phys. */
    uint64_t kernel_phys;
    uint64_t kernel_virt;
    uint64_t kernel_size;

    /* Firmware memory map as UEFI returned it after the last GetMemoryMap
     * (raw EFI_MEMORY_DESCRIPTORs; stride is desc_size, not the struct size). */
    uint64_t mmap_addr;
    uint64_t mmap_size;              /* bytes */
    uint32_t mmap_desc_size;
    uint32_t mmap_desc_version;

    /* CPUs from EFI_MP_SERVICES_PROTOCOL (or the BSP alone without it). */
    uint32_t cpu_count;
    uint32_t cpu_source;             /* 1 = MP services, 2 = BSP only */
    struct bootinfo_cpu cpus[BOOTINFO_MAX_CPUS];

    uint64_t acpi_rsdp;              /* 0 when the firmware has no ACPI tables */
    uint64_t efi_system_table;
    uint64_t efi_runtime_services;   /* EFI_RUNTIME_SERVICES*, identity-mapped */

    struct bootinfo_framebuffer fb;

    uint64_t trampoline_phys;        /* 4 KiB page below 1 MiB, 0 if none */

    uint32_t reserved_count;
    uint32_t file_count;
    struct bootinfo_range reserved[BOOTINFO_MAX_RESERVED];
    struct bootinfo_file  files[BOOTINFO_MAX_FILES];

    char loader_version[32];
};

#endif
