/* Reading ACPI tables through a view of physical memory (see include/lib/acpi_read.h). */
#include "lib/acpi_read.h"
#include "lib/acpi_build.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

/* ---- views ---------------------------------------------------------------- */

static const void *buffer_map(void *ctx, uint64_t phys, uint64_t len)
{
    const struct acpi_buffer_view *b = ctx;

    if (phys < b->base || phys - b->base > b->size || len > b->size - (phys - b->base))
        return NULL;
    return b->buf + (phys - b->base);
}

struct acpi_view acpi_buffer_view(struct acpi_buffer_view *b)
{
    struct acpi_view v = { .map = buffer_map, .ctx = b };

    return v;
}

static const uint8_t *view_map(const struct acpi_view *v, uint64_t phys, uint64_t len)
{
    if (phys == 0 || phys + len < phys)
        return NULL;
    return v->map(v->ctx, phys, len);
}

/* ---- little helpers ------------------------------------------------------- */

static uint16_t rd16(const uint8_t *p) { uint16_t x; __builtin_memcpy(&x, p, 2); return x; }
static uint32_t rd32(const uint8_t *p) { uint32_t x; __builtin_memcpy(&x, p, 4); return x; }
static uint64_t rd64(const uint8_t *p) { uint64_t x; __builtin_memcpy(&x, p, 8); return x; }

static bool sig_is(const uint8_t *t, const char sig[4])
{
    return kmemcmp(t, sig, 4) == 0;
}

/* ---- tables --------------------------------------------------------------- */

const uint8_t *acpi_table_at(const struct acpi_view *v, uint64_t phys, uint32_t *len)
{
    const uint8_t *t = view_map(v, phys, sizeof(struct acpi_header));
    uint32_t n;

    if (t == NULL)
        return NULL;
    n = rd32(t + offsetof(struct acpi_header, length));
    if (n < sizeof(struct acpi_header) || n > ACPI_TABLE_MAX_LEN)
        return NULL;
    /* Map again with the full length: the view may cover only the header. */
    t = view_map(v, phys, n);
    if (t == NULL || !acpi_checksum_ok(t, n))
        return NULL;
    if (len != NULL)
        *len = n;
    return t;
}

bool acpi_root_read(const struct acpi_view *v, uint64_t rsdp, struct acpi_root *r,
                    const char **why)
{
    const uint8_t *p = view_map(v, rsdp, ACPI_RSDP_V1_LEN);
    const uint8_t *root;
    uint32_t len, entry_size;

    __builtin_memset(r, 0, sizeof(*r));
    r->rsdp = rsdp;
    if (p == NULL) {
        *why = "the RSDP is outside memory";
        return false;
    }
    if (kmemcmp(p, ACPI_RSDP_SIG, 8) != 0 || !acpi_checksum_ok(p, ACPI_RSDP_V1_LEN)) {
        *why = "the RSDP's signature or checksum is wrong";
        return false;
    }
    __builtin_memcpy(r->oem_id, p + offsetof(struct acpi_rsdp, oem_id), 6);
    if (p[offsetof(struct acpi_rsdp, revision)] >= 2) {
        const uint8_t *full = view_map(v, rsdp, ACPI_RSDP_LEN);

        if (full == NULL || rd32(full + offsetof(struct acpi_rsdp, length)) < ACPI_RSDP_LEN ||
            !acpi_checksum_ok(full, ACPI_RSDP_LEN)) {
            *why = "the RSDP's extended checksum or length is wrong";
            return false;
        }
        r->address = rd64(full + offsetof(struct acpi_rsdp, xsdt_address));
        r->xsdt = r->address != 0;
    }
    if (!r->xsdt)
        r->address = rd32(p + offsetof(struct acpi_rsdp, rsdt_address));
    root = acpi_table_at(v, r->address, &len);
    if (root == NULL || !sig_is(root, r->xsdt ? "XSDT" : "RSDT")) {
        *why = r->xsdt ? "the XSDT is missing or corrupt" : "the RSDT is missing or corrupt";
        return false;
    }
    entry_size = r->xsdt ? 8u : 4u;
    for (uint32_t off = sizeof(struct acpi_header); len - off >= entry_size; off += entry_size) {
        if (r->count == ACPI_ROOT_MAX) {
            *why = "the root table lists more tables than Kestrel reads";
            return false;
        }
        r->entries[r->count++] = r->xsdt ? rd64(root + off) : rd32(root + off);
    }
    return true;
}

static uint64_t root_find(const struct acpi_view *v, const struct acpi_root *r, const char sig[4])
{
    for (uint32_t i = 0; i < r->count; i++) {
        const uint8_t *t = acpi_table_at(v, r->entries[i], NULL);

        if (t != NULL && sig_is(t, sig))
            return r->entries[i];
    }
    return 0;
}

/* The FADT's pointer to the DSDT or FACS: the X_ field when the FADT is long
 * enough to have it and it is non-zero, else the 32-bit one. */
static uint64_t fadt_pointer(const uint8_t *fadt, uint32_t len, size_t off32, size_t off64)
{
    if (len >= off64 + 8u && rd64(fadt + off64) != 0)
        return rd64(fadt + off64);
    if (len >= off32 + 4u)
        return rd32(fadt + off32);
    return 0;
}

uint64_t acpi_find(const struct acpi_view *v, const struct acpi_root *r, const char sig[4])
{
    uint64_t fadt_at, addr;
    const uint8_t *fadt, *t;
    uint32_t len;

    if (!sig_is((const uint8_t *)sig, "DSDT") && !sig_is((const uint8_t *)sig, "FACS"))
        return root_find(v, r, sig);
    fadt_at = root_find(v, r, "FACP");
    fadt = fadt_at ? acpi_table_at(v, fadt_at, &len) : NULL;
    if (fadt == NULL)
        return 0;
    if (sig_is((const uint8_t *)sig, "DSDT")) {
        addr = fadt_pointer(fadt, len, offsetof(struct acpi_fadt, dsdt),
                            offsetof(struct acpi_fadt, x_dsdt));
        t = acpi_table_at(v, addr, NULL);
        return t != NULL && sig_is(t, "DSDT") ? addr : 0;
    }
    /* The FACS has no checksum: signature and length only. */
    addr = fadt_pointer(fadt, len, offsetof(struct acpi_fadt, firmware_ctrl),
                        offsetof(struct acpi_fadt, x_firmware_ctrl));
    t = view_map(v, addr, ACPI_FACS_LEN);
    return t != NULL && sig_is(t, "FACS") &&
           rd32(t + offsetof(struct acpi_facs, length)) >= ACPI_FACS_LEN ? addr : 0;
}

const void *acpi_find_table(const uint8_t *blob, size_t blob_size, uint64_t base,
                            const char sig[4])
{
    struct acpi_buffer_view b = { .buf = blob, .base = base, .size = blob_size };
    struct acpi_view v = acpi_buffer_view(&b);
    struct acpi_root r;
    const char *why;
    uint64_t at;

    if (blob == NULL || sig == NULL || !acpi_root_read(&v, base, &r, &why))
        return NULL;
    at = acpi_find(&v, &r, sig);
    return at != 0 ? view_map(&v, at, 1) : NULL;
}

/* ---- MADT ---------------------------------------------------------------- */

/* The next processor entry of a MADT at or after *off: its APIC ID and
 * flags.  1: found, 0: end of table, -1: entries do not tile the table. */
static int madt_next_cpu(const uint8_t *madt, uint32_t len, uint32_t *off, uint32_t *id,
                         uint32_t *flags)
{
    while (*off < len) {
        const uint8_t *e = madt + *off;

        if (len - *off < sizeof(struct acpi_madt_entry) || e[1] < 2u || e[1] > len - *off)
            return -1;
        *off += e[1];
        if (e[0] == ACPI_MADT_LOCAL_APIC && e[1] >= sizeof(struct acpi_madt_lapic)) {
            *id = e[offsetof(struct acpi_madt_lapic, apic_id)];
            *flags = rd32(e + offsetof(struct acpi_madt_lapic, flags));
            return 1;
        }
        if (e[0] == ACPI_MADT_LOCAL_X2APIC && e[1] >= sizeof(struct acpi_madt_x2apic)) {
            *id = rd32(e + offsetof(struct acpi_madt_x2apic, x2apic_id));
            *flags = rd32(e + offsetof(struct acpi_madt_x2apic, flags));
            return 1;
        }
    }
    return 0;
}

bool acpi_madt_cpus(const uint8_t *madt, uint32_t len, const uint32_t *ids, uint32_t count,
                    uint32_t *enabled, uint32_t *matched)
{
    uint32_t off = sizeof(struct acpi_madt), id, flags;
    int r;

    *enabled = 0;
    *matched = 0;
    if (len < sizeof(struct acpi_madt))
        return false;
    while ((r = madt_next_cpu(madt, len, &off, &id, &flags)) == 1) {
        if (flags & ACPI_MADT_ENABLED)
            (*enabled)++;
    }
    if (r < 0)
        return false;
    /* Each wanted ID once, even where firmware lists a CPU twice (an xAPIC
     * and an x2APIC entry). */
    for (uint32_t i = 0; i < count; i++) {
        off = sizeof(struct acpi_madt);
        while (madt_next_cpu(madt, len, &off, &id, &flags) == 1) {
            if (id == ids[i] && (flags & ACPI_MADT_ENABLED)) {
                (*matched)++;
                break;
            }
        }
    }
    return true;
}

bool acpi_madt_ioapics(const uint8_t *madt, uint32_t len, uint64_t *bases, unsigned cap,
                       unsigned *count)
{
    uint32_t off = sizeof(struct acpi_madt);

    *count = 0;
    if (len < sizeof(struct acpi_madt))
        return false;
    while (off < len) {
        const uint8_t *e = madt + off;

        if (len - off < sizeof(struct acpi_madt_entry) || e[1] < 2u || e[1] > len - off)
            return false;
        off += e[1];
        if (e[0] == ACPI_MADT_IO_APIC && e[1] >= sizeof(struct acpi_madt_ioapic)) {
            if (*count < cap)
                bases[*count] = rd32(e + offsetof(struct acpi_madt_ioapic, address));
            (*count)++;
        }
    }
    return true;
}

/* MCFG: the header, 8 reserved bytes, then 16-byte allocation entries:
 * base (8), segment group (2), start bus (1), end bus (1), reserved (4). */
#define MCFG_ENTRIES_OFFSET (sizeof(struct acpi_header) + 8u)
#define MCFG_ENTRY_LEN      16u

bool acpi_mcfg_segment0(const uint8_t *mcfg, uint32_t len, uint64_t *base, uint8_t *start_bus,
                        uint8_t *end_bus)
{
    for (uint32_t off = MCFG_ENTRIES_OFFSET; len >= MCFG_ENTRY_LEN && off <= len - MCFG_ENTRY_LEN;
         off += MCFG_ENTRY_LEN) {
        const uint8_t *e = mcfg + off;
        if (rd16(e + 8) != 0 || e[10] > e[11])
            continue;
        *base = rd64(e);
        *start_bus = e[10];
        *end_bus = e[11];
        return true;
    }
    return false;
}

/* ---- FADT ---------------------------------------------------------------- */

/* The end of the ACPI 1.0 FADT: everything up to and including FLAGS. */
#define FADT_V1_LEN   (offsetof(struct acpi_fadt, flags) + 4u)

static enum acpi_reg_kind gas_kind(const uint8_t *gas, uint64_t *addr)
{
    uint8_t space = gas[offsetof(struct acpi_gas, space_id)];

    *addr = rd64(gas + offsetof(struct acpi_gas, address));
    if (*addr == 0)
        return ACPI_REG_NONE;
    if (space == ACPI_GAS_SYSTEM_IO)
        return *addr <= UINT16_MAX ? ACPI_REG_IO : ACPI_REG_OTHER;
    return space == ACPI_GAS_SYSTEM_MEMORY ? ACPI_REG_MEMORY : ACPI_REG_OTHER;
}

bool acpi_fadt_decode(const uint8_t *fadt, uint32_t len, struct acpi_fixed_hw *hw,
                      const char **why)
{
    size_t x_cnt = offsetof(struct acpi_fadt, x_pm1a_cnt_blk);
    size_t reset = offsetof(struct acpi_fadt, reset_reg);
    uint32_t flags;

    __builtin_memset(hw, 0, sizeof(*hw));
    if (len < FADT_V1_LEN || !sig_is(fadt, "FACP")) {
        *why = "the FADT is too short";
        return false;
    }
    flags = rd32(fadt + offsetof(struct acpi_fadt, flags));
    hw->hw_reduced = (flags & ACPI_FADT_HW_REDUCED_ACPI) != 0;
    hw->sci_irq = rd16(fadt + offsetof(struct acpi_fadt, sci_int));
    hw->dsdt = fadt_pointer(fadt, len, offsetof(struct acpi_fadt, dsdt),
                            offsetof(struct acpi_fadt, x_dsdt));

    if (len >= x_cnt + sizeof(struct acpi_gas))
        hw->pm1a_cnt_kind = gas_kind(fadt + x_cnt, &hw->pm1a_cnt);
    if (hw->pm1a_cnt_kind == ACPI_REG_NONE) {
        hw->pm1a_cnt = rd32(fadt + offsetof(struct acpi_fadt, pm1a_cnt_blk));
        hw->pm1a_cnt_kind = hw->pm1a_cnt == 0 ? ACPI_REG_NONE
                          : hw->pm1a_cnt <= UINT16_MAX ? ACPI_REG_IO : ACPI_REG_OTHER;
    }

    if ((flags & ACPI_FADT_RESET_REG_SUP) &&
        len >= offsetof(struct acpi_fadt, reset_value) + 1u) {
        hw->reset_kind = gas_kind(fadt + reset, &hw->reset);
        hw->reset_value = fadt[offsetof(struct acpi_fadt, reset_value)];
    }
    return true;
}

const char *acpi_reg_words(enum acpi_reg_kind kind, uint64_t addr, char *buf, size_t size)
{
    switch (kind) {
    case ACPI_REG_IO:
        ksnprintf(buf, size, "%#llx", (unsigned long long)addr);
        return buf;
    case ACPI_REG_MEMORY:
        ksnprintf(buf, size, "at memory %#llx (not intercepted)", (unsigned long long)addr);
        return buf;
    case ACPI_REG_OTHER:
        return "in an unsupported address space (not intercepted)";
    case ACPI_REG_NONE:
        break;
    }
    return "none";
}

/* ---- \_S5 in AML ---------------------------------------------------------- */

#define AML_NAME_OP      0x08
#define AML_PACKAGE_OP   0x12
#define AML_ROOT_CHAR    0x5c      /* '\' */
#define AML_PARENT_CHAR  0x5e      /* '^' */
#define AML_ZERO_OP      0x00
#define AML_ONE_OP       0x01
#define AML_ONES_OP      0xff
#define AML_BYTE_PREFIX  0x0a
#define AML_WORD_PREFIX  0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e

#define SLP_TYP_BITS     7u

/* One integer data object at aml[*at]; advances *at.  The value is reduced
 * to SLP_TYP's 3 bits (the low byte is all that matters for that). */
static bool aml_integer(const uint8_t *aml, size_t len, size_t *at, uint8_t *out)
{
    static const uint8_t prefix_bytes[] = {
        [AML_BYTE_PREFIX] = 1, [AML_WORD_PREFIX] = 2, [AML_DWORD_PREFIX] = 4,
        [AML_QWORD_PREFIX] = 8,
    };
    uint8_t op;

    if (*at >= len)
        return false;
    op = aml[(*at)++];
    if (op == AML_ZERO_OP || op == AML_ONE_OP || op == AML_ONES_OP) {
        *out = op == AML_ONES_OP ? SLP_TYP_BITS : op;
        return true;
    }
    if (op >= sizeof(prefix_bytes) || prefix_bytes[op] == 0 || len - *at < prefix_bytes[op])
        return false;
    *out = aml[*at] & SLP_TYP_BITS;
    *at += prefix_bytes[op];
    return true;
}

/* The package after "_S5_" at aml[at]. */
static bool s5_package(const uint8_t *aml, size_t len, size_t at, uint8_t *a, uint8_t *b)
{
    uint8_t elements;
    size_t follow;

    if (at >= len || aml[at] != AML_PACKAGE_OP)
        return false;
    at++;
    /* PkgLength: bits 7:6 of the lead byte count the bytes that follow it. */
    if (at >= len)
        return false;
    follow = aml[at] >> 6;
    at += 1 + follow;
    if (at >= len)
        return false;
    elements = aml[at++];
    if (elements == 0 || !aml_integer(aml, len, &at, a))
        return false;
    /* A one-element package (some old firmware): ACPICA uses it for both. */
    if (elements == 1) {
        *b = *a;
        return true;
    }
    return aml_integer(aml, len, &at, b);
}

bool acpi_aml_find_s5(const uint8_t *aml, size_t len, uint8_t *typ_a, uint8_t *typ_b)
{
    for (size_t i = 0; i + 5 < len; i++) {
        size_t name = i + 1;

        if (aml[i] != AML_NAME_OP)
            continue;
        while (name < len && (aml[name] == AML_ROOT_CHAR || aml[name] == AML_PARENT_CHAR))
            name++;
        if (len - name < 4 || kmemcmp(aml + name, "_S5_", 4) != 0)
            continue;
        if (s5_package(aml, len, name + 4, typ_a, typ_b))
            return true;
    }
    return false;
}
