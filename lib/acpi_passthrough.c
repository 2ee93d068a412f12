/*
 * The firmware's ACPI tables for a guest, with Kestrel's MADT (see
 * include/lib/acpi_passthrough.h).
 *
 * The blob, at guest-physical base:
 *   RSDP (36) -> XSDT (36 + 8 * entries) -> the firmware's tables, and
 *   MADT (Kestrel's), each table 16-byte aligned.
 */
#include "lib/acpi_passthrough.h"
#include "lib/kstring.h"

#define TABLE_ALIGN     16u
#define XSDT_REVISION   1u

/* Tables the guest does not get (see the header: the IOMMU stays Kestrel's). */
static const char *const hidden_tables[] = { "DMAR" };

static bool sig_is(const uint8_t *t, const char sig[4])
{
    return kmemcmp(t, sig, 4) == 0;
}

static bool hidden(const uint8_t *t)
{
    for (size_t i = 0; i < sizeof(hidden_tables) / sizeof(hidden_tables[0]); i++) {
        if (sig_is(t, hidden_tables[i]))
            return true;
    }
    return false;
}

/* Looks for \_S5 in one definition block (DSDT or SSDT) at phys. */
static bool s5_in(const struct acpi_view *v, uint64_t phys, struct acpi_survey *s)
{
    uint32_t len;
    const uint8_t *t = phys ? acpi_table_at(v, phys, &len) : NULL;

    if (t == NULL)
        return false;
    s->s5_found = acpi_aml_find_s5(t + sizeof(struct acpi_header), len - sizeof(struct acpi_header),
                                   &s->s5_typ_a, &s->s5_typ_b);
    return s->s5_found;
}

bool acpi_survey(const struct acpi_view *v, uint64_t rsdp, struct acpi_survey *s,
                 const char **why)
{
    __builtin_memset(s, 0, sizeof(*s));
    if (!acpi_root_read(v, rsdp, &s->root, why))
        return false;
    return acpi_survey_root(v, &s->root, s, why);
}

bool acpi_survey_root(const struct acpi_view *v, const struct acpi_root *root,
                      struct acpi_survey *s, const char **why)
{
    uint64_t fadt_at;
    const uint8_t *fadt, *madt;
    uint32_t fadt_len;

    /* root may be s->root itself (acpi_survey): clear around it. */
    if (root != &s->root)
        s->root = *root;
    s->madt = 0;
    s->madt_len = 0;
    __builtin_memset(&s->hw, 0, sizeof(s->hw));
    s->s5_found = false;
    s->s5_typ_a = s->s5_typ_b = 0;
    fadt_at = acpi_find(v, &s->root, "FACP");
    fadt = fadt_at ? acpi_table_at(v, fadt_at, &fadt_len) : NULL;
    if (fadt == NULL) {
        *why = "there is no valid FADT";
        return false;
    }
    if (!acpi_fadt_decode(fadt, fadt_len, &s->hw, why))
        return false;

    s->madt = acpi_find(v, &s->root, "APIC");
    madt = s->madt ? acpi_table_at(v, s->madt, &s->madt_len) : NULL;
    if (madt == NULL)
        s->madt = 0;

    /* \_S5 is in the DSDT almost always; some firmware puts it in an SSDT. */
    if (!s5_in(v, s->hw.dsdt, s)) {
        for (uint32_t i = 0; i < s->root.count && !s->s5_found; i++) {
            const uint8_t *t = acpi_table_at(v, s->root.entries[i], NULL);

            if (t != NULL && sig_is(t, "SSDT"))
                s5_in(v, s->root.entries[i], s);
        }
    }
    return true;
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
    return (x + a - 1) & ~(a - 1);
}

/* The larger of the two MADTs Kestrel might write: the firmware's filtered
 * (never longer than the firmware's) or its own. */
static size_t madt_max(const struct acpi_survey *s, const struct acpi_build_params *p)
{
    size_t built = acpi_build_madt_size(p);

    return built > s->madt_len ? built : s->madt_len;
}

/* Offsets in the blob. */
struct layout {
    uint64_t xsdt, madt, end;
    uint32_t xsdt_entries;
};

static void plan(const struct acpi_survey *s, const struct acpi_build_params *p, struct layout *l)
{
    l->xsdt_entries = s->root.count + 1u;        /* + Kestrel's MADT if the firmware has none */
    l->xsdt = align_up(p->base + ACPI_RSDP_LEN, TABLE_ALIGN) - p->base;
    l->madt = align_up(p->base + l->xsdt + sizeof(struct acpi_header) + 8u * l->xsdt_entries,
                       TABLE_ALIGN) - p->base;
    l->end = l->madt + madt_max(s, p);
}

size_t acpi_passthrough_max_size(const struct acpi_survey *s,
                                 const struct acpi_build_params *madt_params)
{
    struct layout l;

    if (s == NULL || madt_params == NULL || acpi_build_madt_size(madt_params) == 0)
        return 0;
    plan(s, madt_params, &l);
    return (size_t)l.end;
}

/* Kestrel's MADT at buf: the firmware's filtered when that lists every vCPU,
 * else built. */
static size_t write_madt(const struct acpi_view *v, const struct acpi_survey *s,
                         const struct acpi_build_params *p, uint8_t *buf, size_t size,
                         struct acpi_passthrough_result *out)
{
    const uint8_t *fw = s->madt ? acpi_table_at(v, s->madt, NULL) : NULL;
    uint32_t enabled, matched;

    if (fw != NULL && acpi_madt_cpus(fw, s->madt_len, p->apic_ids, p->cpu_count, &enabled, &matched)) {
        out->fw_cpus = enabled;
        if (matched == p->cpu_count) {
            size_t n = acpi_filter_madt(fw, s->madt_len, p->apic_ids, p->cpu_count, buf, size);

            if (n != 0) {
                out->madt_filtered = true;
                return n;
            }
        }
    }
    return acpi_build_madt(p, buf, size);
}

bool acpi_passthrough_build(const struct acpi_view *v, const struct acpi_survey *s,
                            const struct acpi_build_params *madt_params,
                            uint8_t *buf, size_t buf_size,
                            struct acpi_passthrough_result *out)
{
    const struct acpi_build_params *p = madt_params;
    struct layout l;
    struct acpi_header *xsdt;
    const uint8_t *fw_root;
    uint32_t n = 0;
    bool madt_listed = false;
    size_t madt_len;

    __builtin_memset(out, 0, sizeof(*out));
    if (v == NULL || s == NULL || p == NULL || buf == NULL ||
        acpi_passthrough_max_size(s, p) == 0 || p->base + buf_size < p->base)
        return false;
    plan(s, p, &l);
    if (buf_size < l.end)
        return false;
    __builtin_memset(buf, 0, (size_t)l.end);

    madt_len = write_madt(v, s, p, buf + l.madt, (size_t)(l.end - l.madt), out);
    if (madt_len == 0)
        return false;
    out->madt = p->base + l.madt;

    /* The XSDT: the firmware's entries in their order, the MADT swapped for
     * Kestrel's (appended if the firmware had none), hidden tables left out.
     * A corrupt entry stays: the guest judges the firmware's tables itself. */
    for (uint32_t i = 0; i < s->root.count; i++) {
        uint64_t entry = s->root.entries[i];
        const uint8_t *t = acpi_table_at(v, entry, NULL);

        if (t != NULL && sig_is(t, "APIC")) {
            if (madt_listed)
                continue;                       /* a second MADT would contradict ours */
            entry = out->madt;
            madt_listed = true;
        } else if (t != NULL && hidden(t)) {
            out->hidden++;
            continue;
        }
        __builtin_memcpy(buf + l.xsdt + sizeof(struct acpi_header) + 8u * n++, &entry, 8);
    }
    if (!madt_listed)
        __builtin_memcpy(buf + l.xsdt + sizeof(struct acpi_header) + 8u * n++, &out->madt, 8);

    /* Its header: the firmware root's identity (OEM, table ID, creator), so
     * the guest's log names the machine, with XSDT's signature and revision. */
    xsdt = (struct acpi_header *)(buf + l.xsdt);
    fw_root = acpi_table_at(v, s->root.address, NULL);
    if (fw_root != NULL)
        __builtin_memcpy(xsdt, fw_root, sizeof(*xsdt));
    __builtin_memcpy(xsdt->signature, "XSDT", 4);
    xsdt->revision = XSDT_REVISION;
    xsdt->length = (uint32_t)(sizeof(*xsdt) + 8u * n);
    acpi_seal(xsdt);

    acpi_write_rsdp(buf, s->root.oem_id, p->base + l.xsdt);
    out->size = (size_t)(l.madt + madt_len);
    return true;
}
