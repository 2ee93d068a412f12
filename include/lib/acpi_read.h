/*
 * Reading ACPI tables that someone else wrote: the firmware's (on machines
 * that have them), or Kestrel's own read back by the tests.
 *
 * Tables point at each other by physical address.  The code reads memory only
 * through an acpi_view, which maps (phys, len) to a pointer or refuses: the
 * kernel's view is its identity map bounded by the top of physical memory;
 * the host tests' view is a buffer standing for a range of physical memory.
 * Every length, checksum and pointer is checked before it is followed, so a
 * corrupt table is an error message, never a fault.
 *
 * Pure code (lib/): runs in the kernel and in the host unit tests.
 */
#ifndef KESTREL_LIB_ACPI_READ_H
#define KESTREL_LIB_ACPI_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acpi_view {
    /* The len bytes at physical address phys, or NULL when they are not all
     * readable (or phys + len wraps). */
    const void *(*map)(void *ctx, uint64_t phys, uint64_t len);
    void *ctx;
};

/* A view of the size bytes at buf standing for physical [base, base + size). */
struct acpi_buffer_view {
    const uint8_t *buf;
    uint64_t base;
    uint64_t size;
};
struct acpi_view acpi_buffer_view(struct acpi_buffer_view *b);

/* Longest table accepted (1 MiB): bounds what a corrupt length can make
 * Kestrel checksum. */
#define ACPI_TABLE_MAX_LEN   (1u << 20)
/* Most root-table entries read; real machines have a few dozen. */
#define ACPI_ROOT_MAX        64u

/* The root table the RSDP leads to: the XSDT for revision >= 2 with a
 * non-zero XSDT address, else the RSDT. */
struct acpi_root {
    uint64_t rsdp;                       /* where the RSDP is */
    uint64_t address;                    /* the root table's */
    bool     xsdt;                       /* 8-byte entries (else 4) */
    char     oem_id[6];                  /* from the RSDP */
    uint32_t count;                      /* entries, at most ACPI_ROOT_MAX */
    uint64_t entries[ACPI_ROOT_MAX];
};

/* Checks the RSDP at rsdp and the root table; fills r.  On failure returns
 * false with *why saying what is wrong. */
bool acpi_root_read(const struct acpi_view *v, uint64_t rsdp, struct acpi_root *r,
                    const char **why);

/* The table at phys when its header, length (<= ACPI_TABLE_MAX_LEN) and
 * checksum are right; NULL otherwise.  *len = its length. */
const uint8_t *acpi_table_at(const struct acpi_view *v, uint64_t phys, uint32_t *len);

/* The physical address of the first valid table with signature sig listed
 * in the root, or 0.  "DSDT" and "FACS" are found through the FADT. */
uint64_t acpi_find(const struct acpi_view *v, const struct acpi_root *r, const char sig[4]);

/* The table with signature sig in a blob whose RSDP is at its start and
 * which lives at physical base (Kestrel's own tables, read back by the
 * tests): a pointer into blob, or NULL. */
const void *acpi_find_table(const uint8_t *blob, size_t blob_size, uint64_t base,
                            const char sig[4]);

/* ---- the MADT ------------------------------------------------------------ */

/* Counts the processor entries (local APIC and local x2APIC) of the MADT at
 * madt (len bytes, validated) that have the Enabled flag: *enabled of them
 * in all, *matched of the count APIC IDs in ids.  False when the entries do
 * not tile the table. */
bool acpi_madt_cpus(const uint8_t *madt, uint32_t len, const uint32_t *ids, uint32_t count,
                    uint32_t *enabled, uint32_t *matched);

/* The I/O APIC entries of the MADT: their register addresses, at most cap
 * of them into bases; *count = how many the table lists.  False when the
 * entries do not tile the table. */
bool acpi_madt_ioapics(const uint8_t *madt, uint32_t len, uint64_t *bases, unsigned cap,
                       unsigned *count);

/* ---- the MCFG (PCI Firmware spec 3.x, 4.1.2) ------------------------------ */

/* ECAM of PCI segment group 0: base (of bus 0), first and last bus.  False
 * when the table lists none (or is malformed). */
bool acpi_mcfg_segment0(const uint8_t *mcfg, uint32_t len, uint64_t *base, uint8_t *start_bus,
                        uint8_t *end_bus);

/* ---- the FADT's fixed hardware ------------------------------------------- */

enum acpi_reg_kind {
    ACPI_REG_NONE,                       /* absent */
    ACPI_REG_IO,                         /* an I/O port: Kestrel can intercept it */
    ACPI_REG_MEMORY,                     /* memory-mapped: not intercepted (yet) */
    ACPI_REG_OTHER,                      /* another address space (PCI config, ...) */
};

struct acpi_fixed_hw {
    enum acpi_reg_kind pm1a_cnt_kind;
    uint64_t pm1a_cnt;                   /* port or physical address */
    enum acpi_reg_kind reset_kind;       /* NONE unless RESET_REG_SUP */
    uint64_t reset;
    uint8_t  reset_value;
    bool     hw_reduced;                 /* HW_REDUCED_ACPI: no PM1 blocks */
    uint64_t dsdt;                       /* physical address, 0 if none */
    uint16_t sci_irq;
};

/* "0x604", "none", or why a register cannot be intercepted ("at memory
 * 0x..., not intercepted"), written into buf when needed. */
const char *acpi_reg_words(enum acpi_reg_kind kind, uint64_t addr, char *buf, size_t size);

/* Decodes the FADT at fadt (len bytes, already validated by acpi_table_at).
 * The X_ GAS fields win over the 32-bit ones when present and non-zero
 * (ACPI 5.2.9).  Returns false with *why for a FADT too short to hold the
 * PM1 blocks. */
bool acpi_fadt_decode(const uint8_t *fadt, uint32_t len, struct acpi_fixed_hw *hw,
                      const char **why);

/* Looks for Name (_S5_, Package { a, b, ... }) in the AML at aml (a DSDT or
 * SSDT body) and returns its first two elements (SLP_TYPa, SLP_TYPb), each
 * reduced to the 3 bits of the PM1 control register's SLP_TYP field as
 * ACPICA writes them.  A byte scan, not an interpreter: it finds the Name
 * wherever it sits (inside a Scope or an If), which is where firmware
 * puts it; an _S5 built by a method is not found (false). */
bool acpi_aml_find_s5(const uint8_t *aml, size_t len, uint8_t *typ_a, uint8_t *typ_b);

#endif
