/*
 * Built-in guest images (the self-test, hostile and bench guests) and the
 * contract between them and Kestrel's loader for them (guest/builtin.c).
 *
 * An image is a flat binary linked at GUEST_IMAGE_LINK_BASE (guest-virtual)
 * that starts with struct guest_image_header.  Kestrel copies it into guest
 * memory, zeroes the rest up to image_size (the .bss), builds page tables
 * in guest memory that map
 *   - guest-virtual GUEST_IMAGE_LINK_BASE.. → the image, and
 *   - guest-virtual [0, 4 GiB) → guest-physical [0, 4 GiB) (identity: low
 *     memory, the LAPIC, the boot info below),
 * and enters it on the BSP in 64-bit mode at CPL 0 with interrupts off, no
 * IDT/GDT of its own yet (the image loads its own first), RIP = link base +
 * entry_offset, RSP = link base + stack_top_offset, RDI = guest-physical
 * (identity-mapped) address of struct guest_boot_info.  Every other vCPU
 * waits for INIT-SIPI-SIPI from the guest, as on real hardware.
 */
#ifndef KESTREL_GUEST_IMAGE_H
#define KESTREL_GUEST_IMAGE_H

#include <stdint.h>

#define GUEST_IMAGE_LINK_BASE  0xffffffffc0000000ull
#define GUEST_IMAGE_MAGIC      0x5453455547545353ull   /* "SSTGUEST" */
#define GUEST_BOOT_INFO_MAGIC  0x4f464e49544f4f42ull   /* "BOOTINFO" */
#define GUEST_MAX_CPUS         256

struct guest_image_header {
    uint64_t magic;              /* GUEST_IMAGE_MAGIC */
    uint64_t entry_offset;       /* from the link base */
    uint64_t image_size;         /* bytes in memory, .bss included, 4 KiB multiple */
    uint64_t stack_top_offset;   /* the BSP's initial stack */
};

struct guest_boot_info {
    uint64_t magic;              /* GUEST_BOOT_INFO_MAGIC */
    uint32_t cpu_count;          /* vCPUs, the BSP included */
    uint32_t bsp_apic_id;
    uint32_t apic_ids[GUEST_MAX_CPUS];
    uint32_t x2apic;             /* 1: the LAPIC is in x2APIC mode (use MSRs 0x800+) */
    uint32_t reserved0;
    uint64_t lapic_base;         /* xAPIC MMIO base (identity-mapped) */
    uint64_t ap_start_page;      /* guest-physical 4 KiB page below 1 MiB for AP start-up code */
    uint64_t hypervisor_probe;   /* a guest-physical address inside Kestrel's (hidden) memory */
    uint64_t tsc_hz;
    uint64_t firmware_probe;     /* a guest-physical page of UEFI runtime memory (read-only to
                                    the guest), 0 if the firmware has none */
    /* For the hostile guest's attacks (test hooks; harmless to show): */
    char     hostile_case[48];   /* kestrel.cfg hostile_case, "" = every case */
    uint32_t outside_count;      /* CPUs Kestrel knows that are not the guest's ... */
    uint32_t outside_apic_ids[8];/* ... (held back with cpus = N, failed VMX): their APIC IDs */
    uint64_t ioapic_base;        /* the first I/O APIC's registers (write-mediated) */
    uint16_t pm1a_cnt_port;      /* the chipset's PM1a control register Kestrel watches, 0 none */
    uint8_t  pm1a_s5_typ;        /* its S5 sleep type */
    uint8_t  pm_chipset;         /* GUEST_PM_CHIPSET_*: where its PM base is configured */
    uint8_t  pm_bus, pm_dev, pm_fn;   /* the PCI function holding the PM base */
    uint8_t  reserved1;
};

#define GUEST_PM_CHIPSET_NONE  0
#define GUEST_PM_CHIPSET_PIIX4 1      /* PMBA at config 0x40 */
#define GUEST_PM_CHIPSET_ICH   2      /* PMBASE at config 0x40 */

/* Hypercalls: include/hypercall.h (docs/vmcall.md). */
#include "hypercall.h"

#endif
