/*
 * ACPI tables for a guest, built by Kestrel (ACPI 6.5, chapter 5).
 *
 * OVMF on Bochs publishes no ACPI tables, yet a Linux guest finds its CPUs
 * only in the MADT and offers ACPI power-off only when \_S5 exists.  Where the
 * firmware has no tables, Kestrel hands the guest its own: RSDP, XSDT, FADT,
 * FACS, a DSDT holding just \_S5, and a MADT listing the guest's vCPUs.  The
 * FADT puts the PM1a event and control blocks on I/O ports Kestrel intercepts,
 * so an SLP_EN write there is the guest powering off.
 *
 * Where the firmware does have tables, the guest gets them with Kestrel's MADT
 * in place of the firmware's: acpi_build_madt() builds one from scratch,
 * acpi_filter_madt() keeps the firmware's and drops the CPUs the guest does
 * not get.
 *
 * Pure code: no hardware access, so the same file runs in the kernel and in
 * the host unit tests.  The structures are the specification's byte layouts
 * (packed, little-endian); the unit tests check them by raw offsets.
 */
#ifndef KESTREL_LIB_ACPI_BUILD_H
#define KESTREL_LIB_ACPI_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- layouts (ACPI 6.5 section numbers) ---------------------------------- */

#define ACPI_RSDP_SIG        "RSD PTR "
#define ACPI_RSDP_V1_LEN     20u         /* the part the first checksum covers */
#define ACPI_RSDP_LEN        36u         /* revision 2 */

/* 5.2.5.3 Root System Description Pointer. */
struct __attribute__((packed)) acpi_rsdp {
    char     signature[8];               /* "RSD PTR " */
    uint8_t  checksum;                   /* bytes 0..19 sum to zero */
    char     oem_id[6];
    uint8_t  revision;                   /* 2: XSDT and the fields below exist */
    uint32_t rsdt_address;
    uint32_t length;                     /* of this structure: 36 */
    uint64_t xsdt_address;
    uint8_t  extended_checksum;          /* all 36 bytes sum to zero */
    uint8_t  reserved[3];
};

/* 5.2.6 System Description Table Header. */
struct __attribute__((packed)) acpi_header {
    char     signature[4];
    uint32_t length;                     /* of the whole table, header included */
    uint8_t  revision;
    uint8_t  checksum;                   /* the whole table sums to zero */
    char     oem_id[6];
    char     oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
};

/* 5.2.3.2 Generic Address Structure. */
struct __attribute__((packed)) acpi_gas {
    uint8_t  space_id;                   /* ACPI_GAS_* below */
    uint8_t  bit_width;
    uint8_t  bit_offset;
    uint8_t  access_size;                /* ACPI_GAS_ACCESS_* below */
    uint64_t address;
};

#define ACPI_GAS_SYSTEM_MEMORY  0u
#define ACPI_GAS_SYSTEM_IO      1u
#define ACPI_GAS_ACCESS_ANY     0u       /* "undefined (legacy reasons)" */
#define ACPI_GAS_ACCESS_BYTE    1u
#define ACPI_GAS_ACCESS_WORD    2u
#define ACPI_GAS_ACCESS_DWORD   3u
#define ACPI_GAS_ACCESS_QWORD   4u

/* 5.2.9 Fixed ACPI Description Table, revision 6 (276 bytes). */
struct __attribute__((packed)) acpi_fadt {
    struct acpi_header header;           /* "FACP" */
    uint32_t firmware_ctrl;              /* FACS below 4 GiB (else 0) */
    uint32_t dsdt;                       /* DSDT below 4 GiB (else 0) */
    uint8_t  reserved0;                  /* ACPI 1.0 INT_MODEL */
    uint8_t  preferred_pm_profile;
    uint16_t sci_int;
    uint32_t smi_cmd;                    /* 0: always in ACPI mode, no SMI handshake */
    uint8_t  acpi_enable;
    uint8_t  acpi_disable;
    uint8_t  s4bios_req;
    uint8_t  pstate_cnt;
    uint32_t pm1a_evt_blk;
    uint32_t pm1b_evt_blk;
    uint32_t pm1a_cnt_blk;
    uint32_t pm1b_cnt_blk;
    uint32_t pm2_cnt_blk;
    uint32_t pm_tmr_blk;
    uint32_t gpe0_blk;
    uint32_t gpe1_blk;
    uint8_t  pm1_evt_len;
    uint8_t  pm1_cnt_len;
    uint8_t  pm2_cnt_len;
    uint8_t  pm_tmr_len;
    uint8_t  gpe0_blk_len;
    uint8_t  gpe1_blk_len;
    uint8_t  gpe1_base;
    uint8_t  cst_cnt;
    uint16_t p_lvl2_lat;
    uint16_t p_lvl3_lat;
    uint16_t flush_size;
    uint16_t flush_stride;
    uint8_t  duty_offset;
    uint8_t  duty_width;
    uint8_t  day_alrm;
    uint8_t  mon_alrm;
    uint8_t  century;
    uint16_t iapc_boot_arch;             /* ACPI_IAPC_* below */
    uint8_t  reserved1;
    uint32_t flags;                      /* ACPI_FADT_* below */
    struct acpi_gas reset_reg;
    uint8_t  reset_value;
    uint16_t arm_boot_arch;
    uint8_t  minor_version;
    uint64_t x_firmware_ctrl;            /* FACS at or above 4 GiB (else 0) */
    uint64_t x_dsdt;
    struct acpi_gas x_pm1a_evt_blk;
    struct acpi_gas x_pm1b_evt_blk;
    struct acpi_gas x_pm1a_cnt_blk;
    struct acpi_gas x_pm1b_cnt_blk;
    struct acpi_gas x_pm2_cnt_blk;
    struct acpi_gas x_pm_tmr_blk;
    struct acpi_gas x_gpe0_blk;
    struct acpi_gas x_gpe1_blk;
    struct acpi_gas sleep_control_reg;
    struct acpi_gas sleep_status_reg;
    uint64_t hypervisor_vendor_id;
};

/* FADT flags (5.2.9, table 5.10). */
#define ACPI_FADT_WBINVD            (1u << 0)
#define ACPI_FADT_PWR_BUTTON        (1u << 4)   /* 1: no fixed-feature power button */
#define ACPI_FADT_SLP_BUTTON        (1u << 5)   /* 1: no fixed-feature sleep button */
#define ACPI_FADT_FIX_RTC           (1u << 6)   /* 1: no RTC wake status in fixed space */
#define ACPI_FADT_TMR_VAL_EXT       (1u << 8)   /* 1: the PM timer has 32 bits, 0: 24 */
#define ACPI_FADT_RESET_REG_SUP     (1u << 10)
#define ACPI_FADT_HW_REDUCED_ACPI   (1u << 20)

/* IA-PC boot architecture flags (5.2.9.3), for acpi_build_params.iapc_boot_arch. */
#define ACPI_IAPC_LEGACY_DEVICES    (1u << 0)   /* ISA devices a PnP OS cannot enumerate */
#define ACPI_IAPC_8042              (1u << 1)   /* a PS/2 keyboard controller at 0x60/0x64 */
#define ACPI_IAPC_VGA_NOT_PRESENT   (1u << 2)
#define ACPI_IAPC_MSI_NOT_SUPPORTED (1u << 3)
#define ACPI_IAPC_PCIE_ASPM         (1u << 4)
#define ACPI_IAPC_CMOS_RTC_ABSENT   (1u << 5)

/* PM1 control register (4.8.3.2.1): SLP_TYP in bits 12:10, SLP_EN bit 13.
 * Kestrel decodes guest writes to pm1a_cnt_port with these.  The FADT has
 * no SMI_CMD port, which tells the OS the machine is always in ACPI mode, so
 * reads should show SCI_EN set. */
#define ACPI_PM1_CNT_SCI_EN         (1u << 0)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT  10u
#define ACPI_PM1_CNT_SLP_TYP_MASK   (7u << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN         (1u << 13)

#define ACPI_FACS_LEN               64u

/* 5.2.10 Firmware ACPI Control Structure (no checksum, 64-byte aligned). */
struct __attribute__((packed)) acpi_facs {
    char     signature[4];               /* "FACS" */
    uint32_t length;                     /* 64 */
    uint32_t hardware_signature;
    uint32_t firmware_waking_vector;
    uint32_t global_lock;
    uint32_t flags;
    uint64_t x_firmware_waking_vector;
    uint8_t  version;                    /* 2 */
    uint8_t  reserved0[3];
    uint32_t ospm_flags;
    uint8_t  reserved1[24];
};

/* 5.2.12 Multiple APIC Description Table and its entries. */
struct __attribute__((packed)) acpi_madt {
    struct acpi_header header;           /* "APIC" */
    uint32_t lapic_address;
    uint32_t flags;                      /* ACPI_MADT_PCAT_COMPAT */
};

#define ACPI_MADT_PCAT_COMPAT       (1u << 0)   /* dual 8259 PICs present */

enum acpi_madt_type {
    ACPI_MADT_LOCAL_APIC     = 0,
    ACPI_MADT_IO_APIC        = 1,
    ACPI_MADT_INT_OVERRIDE   = 2,
    ACPI_MADT_LOCAL_X2APIC   = 9,
};

struct __attribute__((packed)) acpi_madt_entry {
    uint8_t type;
    uint8_t length;
};

struct __attribute__((packed)) acpi_madt_lapic {      /* type 0, 8 bytes */
    struct acpi_madt_entry h;
    uint8_t  acpi_uid;
    uint8_t  apic_id;
    uint32_t flags;                      /* ACPI_MADT_ENABLED */
};

struct __attribute__((packed)) acpi_madt_ioapic {     /* type 1, 12 bytes */
    struct acpi_madt_entry h;
    uint8_t  ioapic_id;
    uint8_t  reserved;
    uint32_t address;
    uint32_t gsi_base;
};

struct __attribute__((packed)) acpi_madt_override {   /* type 2, 10 bytes */
    struct acpi_madt_entry h;
    uint8_t  bus;                        /* 0: ISA */
    uint8_t  source;                     /* the ISA IRQ */
    uint32_t gsi;
    uint16_t flags;                      /* ACPI_MPS_* polarity | trigger */
};

struct __attribute__((packed)) acpi_madt_x2apic {     /* type 9, 16 bytes */
    struct acpi_madt_entry h;
    uint16_t reserved;
    uint32_t x2apic_id;
    uint32_t flags;                      /* ACPI_MADT_ENABLED */
    uint32_t acpi_uid;
};

#define ACPI_MADT_ENABLED           (1u << 0)
#define ACPI_MADT_ONLINE_CAPABLE    (1u << 1)

/* MPS INTI flags (5.2.12.5): polarity bits 1:0, trigger mode bits 3:2. */
#define ACPI_MPS_CONFORMING         0x0u
#define ACPI_MPS_ACTIVE_HIGH        0x1u
#define ACPI_MPS_ACTIVE_LOW         0x3u
#define ACPI_MPS_EDGE               (0x1u << 2)
#define ACPI_MPS_LEVEL              (0x3u << 2)

/* ---- building ------------------------------------------------------------ */

struct acpi_build_params {
    /* Guest-physical address the blob will live at: the tables point at each
     * other by physical address.  The RSDP is at base itself; the caller
     * points the guest at it (boot_params.acpi_rsdp_addr). */
    uint64_t base;

    /* The guest's vCPUs; the first is the BSP.  APIC IDs up to 254 get a
     * local APIC entry (type 0), larger ones a local x2APIC entry (type 9). */
    uint32_t cpu_count;
    const uint32_t *apic_ids;
    /* Optional ACPI processor UIDs, one per vCPU (for a MADT that must match
     * processor objects in a firmware DSDT); NULL: the vCPU's index.  A UID
     * above 254 forces an x2APIC entry (a type 0 entry has one byte, 0xFF
     * meaning "all processors" elsewhere in the MADT). */
    const uint32_t *acpi_uids;
    uint64_t lapic_base;                 /* 0xfee00000 normally; below 4 GiB */

    /* An I/O APIC entry, and with it the interrupt source overrides ISA
     * IRQ 0 -> GSI 2 and the SCI (level, active low).  Without one the guest
     * uses the 8259 PICs (the MADT always says PCAT_COMPAT). */
    bool     have_ioapic;
    uint8_t  ioapic_id;
    uint32_t ioapic_gsi_base;
    uint64_t ioapic_base;                /* below 4 GiB */

    /* I/O ports Kestrel intercepts: PM1a event block (4 bytes: status and
     * enable), PM1a control block (2 bytes), PM timer (4 bytes; 0 = none,
     * announced as 24 bits wide, which a 32-bit counter also satisfies). */
    uint16_t pm1a_evt_port;
    uint16_t pm1a_cnt_port;
    uint16_t pm_tmr_port;

    /* FADT reset register in I/O space (e.g. port 0xcf9, value 0x06);
     * reset_port 0 = none. */
    uint16_t reset_port;
    uint8_t  reset_value;

    uint8_t  s5_slp_typ;                 /* SLP_TYP \_S5 announces (0..7) */
    uint16_t sci_irq;                    /* e.g. 9 */
    uint16_t iapc_boot_arch;             /* ACPI_IAPC_* */
    const char *oem_id;                  /* up to 6 chars, space-padded; NULL: "KESTRL" */
};

/* Bytes acpi_build() needs for these parameters, or 0 when they are
 * invalid: no CPUs, apic_ids NULL, a PM1a port 0, a block running past port
 * 0xffff, s5_slp_typ > 7, lapic_base or ioapic_base at or above 4 GiB, or
 * base so high that the blob would wrap. */
size_t acpi_build_size(const struct acpi_build_params *p);

/* Writes RSDP (at offset 0), XSDT, FADT, FACS, DSDT and MADT into buf, every
 * table 16-byte aligned in guest-physical terms (the FACS 64), checksums
 * set.  Returns the bytes used (= acpi_build_size()), or 0 when the
 * parameters are invalid or buf_size is too small; then buf is untouched.
 * Padding between the tables is zeroed. */
size_t acpi_build(const struct acpi_build_params *p, uint8_t *buf, size_t buf_size);

/* Kestrel's MADT alone (the one acpi_build() writes), for machines whose
 * firmware has ACPI.  Uses cpu_count, apic_ids, acpi_uids, lapic_base, the
 * I/O APIC fields, sci_irq and oem_id.  Returns its length, or 0 (buf
 * untouched) when the parameters are invalid or it does not fit. */
size_t acpi_build_madt(const struct acpi_build_params *p, uint8_t *buf, size_t size);

/* The length acpi_build_madt() would write, or 0 for invalid parameters. */
size_t acpi_build_madt_size(const struct acpi_build_params *p);

/* Copies the firmware's MADT into buf keeping everything but the processor
 * entries (types 0 and 9) whose APIC ID is not among apic_ids[0..count):
 * the guest keeps the firmware's I/O APICs, overrides and NMI wiring and
 * sees only its own vCPUs.  Disabled entries of kept IDs stay as they are.
 * Returns the new length, or 0 (buf untouched) when fw_madt is not a valid
 * MADT (signature, length within fw_len, checksum, entries that tile it) or
 * buf is too small.  buf may not overlap fw_madt. */
size_t acpi_filter_madt(const void *fw_madt, size_t fw_len,
                        const uint32_t *apic_ids, uint32_t count,
                        uint8_t *buf, size_t size);

/* ---- checking (tests, and Kestrel at run time) --------------------------- */

/* Sets the checksum of a finished table (length and contents written). */
void acpi_seal(struct acpi_header *h);

/* Writes a revision-2 RSDP (36 bytes, both checksums) pointing at an XSDT
 * and no RSDT.  oem_id: up to 6 chars, space-padded; NULL: "KESTRL". */
void acpi_write_rsdp(uint8_t *at, const char *oem_id, uint64_t xsdt_phys);

/* True when the len bytes at table sum to zero (mod 256). */
bool acpi_checksum_ok(const void *table, size_t len);

#endif
