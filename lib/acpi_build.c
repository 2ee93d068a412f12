/*
 * ACPI tables for a guest (see include/lib/acpi_build.h).
 *
 * The blob, at guest-physical `base`, in pointer-chain order:
 *
 *   RSDP  (36)  -> XSDT
 *   XSDT  (52)  -> FADT, MADT
 *   FADT  (276) -> FACS, DSDT
 *   FACS  (64, 64-byte aligned)
 *   DSDT  (51)     header + Name (\_S5, Package (4) {typ, typ, 0, 0})
 *   MADT  (44 + entries)
 *
 * Every table starts 16-byte aligned in guest-physical terms, whatever base
 * is; the gaps are zero.  Everything is written through the packed layouts of
 * the header; the unit tests read the result back by raw offsets.
 */
#include "lib/acpi_build.h"
#include "lib/kstring.h"

/* ---- identity and revisions ---------------------------------------------- */

#define OEM_ID_DEFAULT      "KESTRL"
#define OEM_TABLE_ID        "KESTREL "     /* 8 chars, no NUL in the table */
#define OEM_REVISION        1u
#define CREATOR_ID          "KSTL"         /* "vendor ID of the utility that created the table" */
#define CREATOR_REVISION    1u
#define HYPERVISOR_VENDOR   "KESTREL "     /* FADT hypervisor vendor identity (ACPI 6.0+) */

#define RSDP_REVISION       2u     /* ACPI 2.0+: XSDT address, length, extended checksum */
#define XSDT_REVISION       1u
#define FADT_REVISION       6u     /* FADT major version 6, minor 5: ACPI 6.5, 276 bytes */
#define FADT_MINOR_VERSION  5u
#define FACS_VERSION        2u
#define DSDT_REVISION       2u     /* >= 2: AML integers are 64 bits wide */
#define MADT_REVISION       5u     /* ACPI 6.3+: the Online Capable flag has its meaning */

#define XSDT_ENTRIES        2u     /* FADT, MADT; the FADT points to FACS and DSDT */

#define PM1_EVT_LEN         4u     /* status (2) + enable (2) */
#define PM1_CNT_LEN         2u
#define PM_TMR_LEN          4u

/* FADT P_LVL2_LAT above 100 and P_LVL3_LAT above 1000 (microseconds) say
 * "C2 / C3 not supported" (5.2.9). */
#define P_LVL2_NOT_SUPPORTED 101u
#define P_LVL3_NOT_SUPPORTED 1001u

/* 5.2.9 PROC_C1: C1 (HLT) works on all processors. */
#define FADT_PROC_C1        (1u << 2)

/* Largest physical address width on x86-64: base must be below it, which
 * also keeps every offset computation below far from overflowing. */
#define PHYS_LIMIT          (1ull << 52)

#define ISA_IRQ_COUNT       16u
#define ISA_IRQ_TIMER       0u
#define GSI_TIMER           2u     /* the PIT's IRQ 0 is wired to I/O APIC pin 2 */

#define XAPIC_MAX_ID        254u   /* 255 is the broadcast ID */
#define MADT_UID_MAX_BYTE   254u   /* 0xFF means "all processors" in NMI entries */

#define TABLE_ALIGN         16u
#define FACS_ALIGN          64u

_Static_assert(sizeof(size_t) >= sizeof(uint64_t), "blob sizes are 64-bit");
_Static_assert(sizeof(struct acpi_rsdp) == ACPI_RSDP_LEN, "RSDP layout");
_Static_assert(sizeof(struct acpi_header) == 36, "table header layout");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS layout");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT layout (revision 6)");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT flags offset");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "FADT reset register offset");
_Static_assert(offsetof(struct acpi_fadt, x_firmware_ctrl) == 132, "FADT X_FIRMWARE_CTRL offset");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_cnt_blk) == 172, "FADT X_PM1a_CNT_BLK offset");
_Static_assert(offsetof(struct acpi_fadt, hypervisor_vendor_id) == 268, "FADT hypervisor ID offset");
_Static_assert(sizeof(struct acpi_facs) == ACPI_FACS_LEN, "FACS layout");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT layout");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT local APIC entry");
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT I/O APIC entry");
_Static_assert(sizeof(struct acpi_madt_override) == 10, "MADT interrupt source override");
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "MADT local x2APIC entry");

/* ---- the DSDT's AML -----------------------------------------------------
 *
 * One object, Name (\_S5, Package (4) {typ, typ, 0, 0}): Linux offers ACPI
 * power-off only when \_S5 exists, and writes its first element to SLP_TYP
 * in PM1a control (the second would go to PM1b, which does not exist; the
 * last two are reserved).  Encoded by hand from the AML grammar (ACPI 6.5
 * chapter 20); the SLP_TYP bytes are patched in at S5_TYP_A/S5_TYP_B.
 * BytePrefix is used even for 0 and 1 (which could be ZeroOp/OneOp) so the
 * encoding has one length whatever the value. */
static const uint8_t dsdt_aml[] = {
    0x08,                   /* NameOp                                             */
    0x5c,                   /* RootChar '\': the name is absolute                 */
    '_', 'S', '5', '_',     /* NameSeg "_S5_" (names are 4 chars, '_'-padded)     */
    0x12,                   /* PackageOp                                          */
    0x08,                   /* PkgLength, one-byte form (bits 7:6 = 0): 8 bytes
                               from this byte to the end of the package          */
    0x04,                   /* NumElements = 4                                    */
    0x0a, 0x00,             /* BytePrefix, SLP_TYPa (patched)                     */
    0x0a, 0x00,             /* BytePrefix, SLP_TYPb (patched)                     */
    0x00,                   /* ZeroOp: reserved                                   */
    0x00,                   /* ZeroOp: reserved                                   */
};
#define S5_TYP_A 10u
#define S5_TYP_B 12u
_Static_assert(sizeof(dsdt_aml) == 15, "DSDT AML length");

#define DSDT_LEN ((uint32_t)(sizeof(struct acpi_header) + sizeof(dsdt_aml)))

/* ---- small helpers ------------------------------------------------------- */

static uint8_t byte_sum(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + b[i]);
    return sum;
}

bool acpi_checksum_ok(const void *table, size_t len)
{
    return table != NULL && byte_sum(table, len) == 0;
}

/* The value that makes the len bytes at p sum to zero, given that the
 * checksum byte itself is still 0. */
static uint8_t checksum_for(const void *p, size_t len)
{
    return (uint8_t)(0u - byte_sum(p, len));
}

static uint32_t fourcc(const char s[4])
{
    return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 |
           (uint32_t)(uint8_t)s[2] << 16 | (uint32_t)(uint8_t)s[3] << 24;
}

static uint64_t eightcc(const char s[8])
{
    return (uint64_t)fourcc(s) | (uint64_t)fourcc(s + 4) << 32;
}

/* Copies up to 6 chars of the OEM ID, padding with spaces. */
static void put_oem_id(char dst[6], const char *oem)
{
    const char *src = oem != NULL ? oem : OEM_ID_DEFAULT;
    size_t i = 0;

    for (; i < 6 && src[i] != '\0'; i++)
        dst[i] = src[i];
    for (; i < 6; i++)
        dst[i] = ' ';
}

static void put_header(struct acpi_header *h, const char sig[4], uint32_t len,
                       uint8_t revision, const char *oem)
{
    __builtin_memcpy(h->signature, sig, 4);
    h->length = len;
    h->revision = revision;
    h->checksum = 0;
    put_oem_id(h->oem_id, oem);
    __builtin_memcpy(h->oem_table_id, OEM_TABLE_ID, 8);
    h->oem_revision = OEM_REVISION;
    h->creator_id = fourcc(CREATOR_ID);
    h->creator_revision = CREATOR_REVISION;
}

void acpi_seal(struct acpi_header *h)
{
    h->checksum = 0;
    h->checksum = checksum_for(h, h->length);
}

static struct acpi_gas io_gas(uint16_t port, uint8_t bytes, uint8_t access)
{
    struct acpi_gas g = {
        .space_id = ACPI_GAS_SYSTEM_IO,
        .bit_width = (uint8_t)(bytes * 8u),
        .bit_offset = 0,
        .access_size = access,
        .address = port,
    };

    return g;
}

/* Offset from base of the first address at or after base + off that is
 * align-aligned (align a power of two; base + off far below 2^64). */
static uint64_t align_phys(uint64_t base, uint64_t off, uint64_t align)
{
    return ((base + off + align - 1) & ~(align - 1)) - base;
}

/* ---- the MADT ------------------------------------------------------------ */

static uint32_t cpu_uid(const struct acpi_build_params *p, uint32_t i)
{
    return p->acpi_uids != NULL ? p->acpi_uids[i] : i;
}

/* Local APIC entries hold one-byte IDs and UIDs; anything larger needs the
 * x2APIC form (5.2.12.12). */
static bool cpu_needs_x2apic(const struct acpi_build_params *p, uint32_t i)
{
    return p->apic_ids[i] > XAPIC_MAX_ID || cpu_uid(p, i) > MADT_UID_MAX_BYTE;
}

static bool sci_is_isa(const struct acpi_build_params *p)
{
    return p->sci_irq < ISA_IRQ_COUNT;
}

static bool madt_params_ok(const struct acpi_build_params *p)
{
    /* A MADT length is 32 bits: bound cpu_count so the sum cannot wrap. */
    uint64_t max_cpus = (UINT32_MAX - 256u) / sizeof(struct acpi_madt_x2apic);

    if (p == NULL || p->cpu_count == 0 || p->apic_ids == NULL || p->cpu_count > max_cpus ||
        p->lapic_base > UINT32_MAX)
        return false;
    /* With an I/O APIC, ISA IRQs 0 and 2 are the timer's source and pin: an
     * SCI there would clash with the timer override. */
    return !p->have_ioapic ||
           (p->ioapic_base <= UINT32_MAX && p->sci_irq != ISA_IRQ_TIMER && p->sci_irq != GSI_TIMER);
}

/* MADT length for valid parameters. */
static uint32_t madt_length(const struct acpi_build_params *p)
{
    uint64_t len = sizeof(struct acpi_madt);

    for (uint32_t i = 0; i < p->cpu_count; i++)
        len += cpu_needs_x2apic(p, i) ? sizeof(struct acpi_madt_x2apic)
                                      : sizeof(struct acpi_madt_lapic);
    if (p->have_ioapic) {
        len += sizeof(struct acpi_madt_ioapic) + sizeof(struct acpi_madt_override);
        if (sci_is_isa(p))
            len += sizeof(struct acpi_madt_override);
    }
    return (uint32_t)len;
}

static uint8_t *put_override(uint8_t *at, uint8_t isa_irq, uint32_t gsi, uint16_t flags)
{
    struct acpi_madt_override *o = (struct acpi_madt_override *)at;

    o->h.type = ACPI_MADT_INT_OVERRIDE;
    o->h.length = sizeof(*o);
    o->bus = 0;                                 /* ISA */
    o->source = isa_irq;
    o->gsi = gsi;
    o->flags = flags;
    return at + sizeof(*o);
}

/* Writes the MADT (len bytes, zeroed by the caller) at buf. */
static void write_madt(const struct acpi_build_params *p, uint8_t *buf, uint32_t len)
{
    struct acpi_madt *m = (struct acpi_madt *)buf;
    uint8_t *at = buf + sizeof(*m);

    put_header(&m->header, "APIC", len, MADT_REVISION, p->oem_id);
    m->lapic_address = (uint32_t)p->lapic_base;
    m->flags = ACPI_MADT_PCAT_COMPAT;

    /* Processors in vCPU order, the BSP first: OSPM starts them in MADT
     * order (5.2.12.1). */
    for (uint32_t i = 0; i < p->cpu_count; i++) {
        if (cpu_needs_x2apic(p, i)) {
            struct acpi_madt_x2apic *x = (struct acpi_madt_x2apic *)at;

            x->h.type = ACPI_MADT_LOCAL_X2APIC;
            x->h.length = sizeof(*x);
            x->reserved = 0;
            x->x2apic_id = p->apic_ids[i];
            x->flags = ACPI_MADT_ENABLED;
            x->acpi_uid = cpu_uid(p, i);
            at += sizeof(*x);
        } else {
            struct acpi_madt_lapic *l = (struct acpi_madt_lapic *)at;

            l->h.type = ACPI_MADT_LOCAL_APIC;
            l->h.length = sizeof(*l);
            l->acpi_uid = (uint8_t)cpu_uid(p, i);
            l->apic_id = (uint8_t)p->apic_ids[i];
            l->flags = ACPI_MADT_ENABLED;
            at += sizeof(*l);
        }
    }

    if (p->have_ioapic) {
        struct acpi_madt_ioapic *io = (struct acpi_madt_ioapic *)at;

        io->h.type = ACPI_MADT_IO_APIC;
        io->h.length = sizeof(*io);
        io->ioapic_id = p->ioapic_id;
        io->reserved = 0;
        io->address = (uint32_t)p->ioapic_base;
        io->gsi_base = p->ioapic_gsi_base;
        at += sizeof(*io);

        /* The PIT's IRQ 0 arrives on pin 2 (pin 0 is the 8259's INTR);
         * polarity and trigger conform to the ISA bus (edge, high). */
        at = put_override(at, ISA_IRQ_TIMER, GSI_TIMER,
                          ACPI_MPS_CONFORMING);
        /* The SCI is shareable, level-triggered, active low (5.2.9's
         * SCI_INT); ISA's default would be edge, active high. */
        if (sci_is_isa(p))
            at = put_override(at, (uint8_t)p->sci_irq, p->sci_irq,
                              ACPI_MPS_ACTIVE_LOW | ACPI_MPS_LEVEL);
    }
    acpi_seal(&m->header);
}

size_t acpi_build_madt_size(const struct acpi_build_params *p)
{
    return madt_params_ok(p) ? madt_length(p) : 0;
}

size_t acpi_build_madt(const struct acpi_build_params *p, uint8_t *buf, size_t size)
{
    uint32_t len;

    if (!madt_params_ok(p) || buf == NULL)
        return 0;
    len = madt_length(p);
    if (size < len)
        return 0;
    __builtin_memset(buf, 0, len);
    write_madt(p, buf, len);
    return len;
}

/* ---- the whole blob ------------------------------------------------------ */

struct layout {                  /* offsets from base */
    uint64_t xsdt, fadt, facs, dsdt, madt, end;
    uint32_t madt_len;
};

/* A register block of len bytes at port must not run past port 0xffff. */
static bool port_block_ok(uint16_t port, unsigned len)
{
    return port != 0 && (uint32_t)port + len - 1u <= UINT16_MAX;
}

static bool params_ok(const struct acpi_build_params *p)
{
    return madt_params_ok(p) && p->base < PHYS_LIMIT &&
           port_block_ok(p->pm1a_evt_port, PM1_EVT_LEN) &&
           port_block_ok(p->pm1a_cnt_port, PM1_CNT_LEN) &&
           (p->pm_tmr_port == 0 || port_block_ok(p->pm_tmr_port, PM_TMR_LEN)) &&
           p->s5_slp_typ <= (ACPI_PM1_CNT_SLP_TYP_MASK >> ACPI_PM1_CNT_SLP_TYP_SHIFT);
}

static bool plan(const struct acpi_build_params *p, struct layout *l)
{
    uint64_t base;

    if (!params_ok(p))
        return false;
    base = p->base;
    l->madt_len = madt_length(p);
    l->xsdt = align_phys(base, ACPI_RSDP_LEN, TABLE_ALIGN);
    l->fadt = align_phys(base, l->xsdt + sizeof(struct acpi_header) + 8u * XSDT_ENTRIES,
                         TABLE_ALIGN);
    l->facs = align_phys(base, l->fadt + sizeof(struct acpi_fadt), FACS_ALIGN);
    l->dsdt = align_phys(base, l->facs + sizeof(struct acpi_facs), TABLE_ALIGN);
    l->madt = align_phys(base, l->dsdt + DSDT_LEN, TABLE_ALIGN);
    l->end = l->madt + l->madt_len;
    return true;
}

size_t acpi_build_size(const struct acpi_build_params *p)
{
    struct layout l;

    return plan(p, &l) ? (size_t)l.end : 0;
}

void acpi_write_rsdp(uint8_t *at, const char *oem_id, uint64_t xsdt_phys)
{
    struct acpi_rsdp *r = (struct acpi_rsdp *)at;

    __builtin_memset(r, 0, sizeof(*r));
    __builtin_memcpy(r->signature, ACPI_RSDP_SIG, 8);
    put_oem_id(r->oem_id, oem_id);
    r->revision = RSDP_REVISION;
    /* No RSDT: an OS that understands revision 2 uses the XSDT, and
     * Kestrel's guests are 64-bit. */
    r->rsdt_address = 0;
    r->length = ACPI_RSDP_LEN;
    r->xsdt_address = xsdt_phys;
    r->checksum = 0;
    r->extended_checksum = 0;
    r->checksum = checksum_for(r, ACPI_RSDP_V1_LEN);
    r->extended_checksum = checksum_for(r, ACPI_RSDP_LEN);
}

static void write_xsdt(const struct acpi_build_params *p, uint8_t *at,
                       const uint64_t entries[XSDT_ENTRIES])
{
    struct acpi_header *h = (struct acpi_header *)at;
    uint32_t len = (uint32_t)(sizeof(*h) + 8u * XSDT_ENTRIES);

    put_header(h, "XSDT", len, XSDT_REVISION, p->oem_id);
    /* The 64-bit entries start at offset 36: not naturally aligned. */
    __builtin_memcpy(at + sizeof(*h), entries, 8u * XSDT_ENTRIES);
    acpi_seal(h);
}

static void write_fadt(const struct acpi_build_params *p, uint8_t *at,
                       uint64_t facs_phys, uint64_t dsdt_phys)
{
    struct acpi_fadt *f = (struct acpi_fadt *)at;
    uint32_t flags = ACPI_FADT_WBINVD | FADT_PROC_C1 | ACPI_FADT_PWR_BUTTON |
                     ACPI_FADT_SLP_BUTTON | ACPI_FADT_FIX_RTC;

    put_header(&f->header, "FACP", sizeof(*f), FADT_REVISION, p->oem_id);

    /* FACS: exactly one of FIRMWARE_CTRL / X_FIRMWARE_CTRL is non-zero
     * (5.2.9: "If the FIRMWARE_CTRL field contains a non zero value then
     * [X_FIRMWARE_CTRL] must be zero", and the other way round). */
    if (facs_phys <= UINT32_MAX)
        f->firmware_ctrl = (uint32_t)facs_phys;
    else
        f->x_firmware_ctrl = facs_phys;
    /* DSDT: both when it is below 4 GiB (equal, so no 32/64 mismatch for
     * OSPM to complain about), else only X_DSDT. */
    f->dsdt = dsdt_phys <= UINT32_MAX ? (uint32_t)dsdt_phys : 0;
    f->x_dsdt = dsdt_phys;

    f->preferred_pm_profile = 0;           /* unspecified */
    f->sci_int = p->sci_irq;
    /* SMI_CMD 0: the machine is always in ACPI mode (SCI_EN is never
     * handed over by an SMI handler), so ACPI_ENABLE/DISABLE are 0 too. */
    f->smi_cmd = 0;

    /* The fixed-feature blocks Kestrel intercepts, each in the 32-bit field
     * and, equal, in its X_ GAS (widths = the legacy lengths in bits). */
    f->pm1a_evt_blk = p->pm1a_evt_port;
    f->pm1_evt_len = PM1_EVT_LEN;
    f->x_pm1a_evt_blk = io_gas(p->pm1a_evt_port, PM1_EVT_LEN, ACPI_GAS_ACCESS_WORD);
    f->pm1a_cnt_blk = p->pm1a_cnt_port;
    f->pm1_cnt_len = PM1_CNT_LEN;
    f->x_pm1a_cnt_blk = io_gas(p->pm1a_cnt_port, PM1_CNT_LEN, ACPI_GAS_ACCESS_WORD);
    if (p->pm_tmr_port != 0) {
        /* TMR_VAL_EXT stays clear: OSPM treats the timer as 24 bits, which
         * a 32-bit counter also satisfies (the reverse would not hold). */
        f->pm_tmr_blk = p->pm_tmr_port;
        f->pm_tmr_len = PM_TMR_LEN;
        f->x_pm_tmr_blk = io_gas(p->pm_tmr_port, PM_TMR_LEN, ACPI_GAS_ACCESS_DWORD);
    }
    /* No PM1b, PM2 or GPE blocks: all zero (absent). */

    f->p_lvl2_lat = P_LVL2_NOT_SUPPORTED;
    f->p_lvl3_lat = P_LVL3_NOT_SUPPORTED;
    f->iapc_boot_arch = p->iapc_boot_arch;

    if (p->reset_port != 0) {
        flags |= ACPI_FADT_RESET_REG_SUP;
        /* Linux uses the reset register only when it is 8 bits wide at bit
         * offset 0, as the specification requires. */
        f->reset_reg = io_gas(p->reset_port, 1, ACPI_GAS_ACCESS_BYTE);
        f->reset_value = p->reset_value;
    }
    /* HW_REDUCED_ACPI stays clear: this platform has the fixed hardware
     * (PM1 blocks) and a FACS. */
    f->flags = flags;
    f->minor_version = FADT_MINOR_VERSION;
    f->hypervisor_vendor_id = eightcc(HYPERVISOR_VENDOR);
    acpi_seal(&f->header);
}

static void write_facs(uint8_t *at)
{
    struct acpi_facs *s = (struct acpi_facs *)at;

    /* No checksum; the global lock, waking vectors and flags start at 0
     * (no S4BIOS, no 64-bit wake: Kestrel's guests never wake from sleep). */
    __builtin_memcpy(s->signature, "FACS", 4);
    s->length = ACPI_FACS_LEN;
    s->version = FACS_VERSION;
}

static void write_dsdt(const struct acpi_build_params *p, uint8_t *at)
{
    struct acpi_header *h = (struct acpi_header *)at;
    uint8_t *aml = at + sizeof(*h);

    put_header(h, "DSDT", DSDT_LEN, DSDT_REVISION, p->oem_id);
    __builtin_memcpy(aml, dsdt_aml, sizeof(dsdt_aml));
    aml[S5_TYP_A] = p->s5_slp_typ;
    aml[S5_TYP_B] = p->s5_slp_typ;
    acpi_seal(h);
}

size_t acpi_build(const struct acpi_build_params *p, uint8_t *buf, size_t buf_size)
{
    struct layout l;
    uint64_t xsdt_entries[XSDT_ENTRIES];

    if (buf == NULL || !plan(p, &l) || buf_size < l.end)
        return 0;
    __builtin_memset(buf, 0, (size_t)l.end);

    acpi_write_rsdp(buf, p->oem_id, p->base + l.xsdt);
    xsdt_entries[0] = p->base + l.fadt;
    xsdt_entries[1] = p->base + l.madt;
    write_xsdt(p, buf + l.xsdt, xsdt_entries);
    write_fadt(p, buf + l.fadt, p->base + l.facs, p->base + l.dsdt);
    write_facs(buf + l.facs);
    write_dsdt(p, buf + l.dsdt);
    write_madt(p, buf + l.madt, l.madt_len);
    return (size_t)l.end;
}

/* ---- filtering a firmware MADT ------------------------------------------- */

/* The APIC ID of a processor entry (types 0 and 9 of a valid length). */
static bool madt_entry_cpu(const uint8_t *e, uint32_t *apic_id)
{
    if (e[0] == ACPI_MADT_LOCAL_APIC && e[1] >= sizeof(struct acpi_madt_lapic)) {
        *apic_id = e[offsetof(struct acpi_madt_lapic, apic_id)];
        return true;
    }
    if (e[0] == ACPI_MADT_LOCAL_X2APIC && e[1] >= sizeof(struct acpi_madt_x2apic)) {
        __builtin_memcpy(apic_id, e + offsetof(struct acpi_madt_x2apic, x2apic_id), 4);
        return true;
    }
    return false;
}

static bool id_listed(const uint32_t *ids, uint32_t count, uint32_t id)
{
    for (uint32_t i = 0; i < count; i++) {
        if (ids[i] == id)
            return true;
    }
    return false;
}

/* Whether the filtered table keeps entry e. */
static bool madt_keep(const uint8_t *e, const uint32_t *ids, uint32_t count)
{
    uint32_t id;

    return !madt_entry_cpu(e, &id) || id_listed(ids, count, id);
}

size_t acpi_filter_madt(const void *fw_madt, size_t fw_len,
                        const uint32_t *apic_ids, uint32_t count,
                        uint8_t *buf, size_t size)
{
    const uint8_t *src = fw_madt;
    struct acpi_header h;
    uint32_t out_len = sizeof(struct acpi_madt);

    if (src == NULL || buf == NULL || (count > 0 && apic_ids == NULL) ||
        fw_len < sizeof(struct acpi_madt))
        return 0;
    __builtin_memcpy(&h, src, sizeof(h));
    if (kmemcmp(h.signature, "APIC", 4) != 0 || h.length < sizeof(struct acpi_madt) ||
        h.length > fw_len || !acpi_checksum_ok(src, h.length))
        return 0;

    /* First pass: the entries must tile the table exactly; size the result. */
    for (uint32_t off = sizeof(struct acpi_madt); off < h.length;) {
        const uint8_t *e = src + off;

        if (h.length - off < sizeof(struct acpi_madt_entry) || e[1] < 2u || e[1] > h.length - off)
            return 0;
        if (madt_keep(e, apic_ids, count))
            out_len += e[1];
        off += e[1];
    }
    if (size < out_len)
        return 0;

    /* Second pass: copy the header and the kept entries. */
    __builtin_memcpy(buf, src, sizeof(struct acpi_madt));
    for (uint32_t off = sizeof(struct acpi_madt), to = sizeof(struct acpi_madt); off < h.length;) {
        const uint8_t *e = src + off;

        if (madt_keep(e, apic_ids, count)) {
            __builtin_memcpy(buf + to, e, e[1]);
            to += e[1];
        }
        off += e[1];
    }
    ((struct acpi_header *)buf)->length = out_len;
    acpi_seal((struct acpi_header *)buf);
    return out_len;
}
