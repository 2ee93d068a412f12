/*
 * Unit tests for lib/acpi_read.c and lib/acpi_passthrough.c: reading a
 * firmware's ACPI tables and giving them to a guest with Kestrel's MADT.
 *
 * The "firmware" is a table set built into a buffer standing for physical
 * memory at FW_BASE: acpi_build()'s tables (8 CPUs, PM1a at 0x600/0x604,
 * reset 0xcf9, \_S5 type 0, OEM "FAKEFW") plus an SSDT and a DMAR under a
 * rewritten XSDT.  The guest's blob lives in a second buffer at GUEST_BASE;
 * a view over both reads the result the way the guest would.
 */
#include "test.h"

#include "lib/acpi_build.h"
#include "lib/acpi_passthrough.h"
#include "lib/acpi_read.h"

#include <stdlib.h>

#define FW_BASE     0x7f000000ull
#define FW_SIZE     0x4000u
#define GUEST_BASE  0x00100000ull
#define GUEST_SIZE  0x2000u

/* Offsets in the firmware buffer of the extra tables and the new XSDT. */
#define FW_SSDT     0x2000u
#define FW_DMAR     0x2100u
#define FW_XSDT     0x2200u

static uint8_t fw[FW_SIZE];
static uint8_t guest[GUEST_SIZE];
static uint32_t fw_ids[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

/* ---- a view over both buffers -------------------------------------------- */

struct two {
    struct acpi_buffer_view a, b;
};

static const void *two_map(void *ctx, uint64_t phys, uint64_t len)
{
    struct two *t = ctx;
    struct acpi_view va = acpi_buffer_view(&t->a), vb = acpi_buffer_view(&t->b);
    const void *p = va.map(va.ctx, phys, len);

    return p != NULL ? p : vb.map(vb.ctx, phys, len);
}

static struct two both = {
    .a = { fw, FW_BASE, FW_SIZE },
    .b = { guest, GUEST_BASE, GUEST_SIZE },
};
static struct acpi_buffer_view fw_only = { fw, FW_BASE, FW_SIZE };

static struct acpi_view fw_view(void) { return acpi_buffer_view(&fw_only); }
static struct acpi_view both_view(void) { struct acpi_view v = { two_map, &both }; return v; }

/* ---- building the firmware ------------------------------------------------ */

static uint32_t rd32(const uint8_t *p) { uint32_t x; memcpy(&x, p, 4); return x; }
static uint64_t rd64(const uint8_t *p) { uint64_t x; memcpy(&x, p, 8); return x; }

static void put_table(uint32_t off, const char *sig, const uint8_t *body, uint32_t body_len)
{
    struct acpi_header *h = (struct acpi_header *)(fw + off);

    memset(h, 0, sizeof(*h));
    memcpy(h->signature, sig, 4);
    h->length = (uint32_t)sizeof(*h) + body_len;
    h->revision = 2;
    memcpy(h->oem_id, "FAKEFW", 6);
    memcpy(h->oem_table_id, "KTESTSSD", 8);
    memcpy(fw + off + sizeof(*h), body, body_len);
    acpi_seal(h);
}

/* The XSDT at FW_XSDT listing the given firmware offsets; the RSDP at 0
 * re-pointed at it. */
static void put_xsdt(const uint32_t *offs, uint32_t n)
{
    struct acpi_header *h = (struct acpi_header *)(fw + FW_XSDT);

    memset(h, 0, sizeof(*h));
    memcpy(h->signature, "XSDT", 4);
    h->length = (uint32_t)(sizeof(*h) + 8u * n);
    h->revision = 1;
    memcpy(h->oem_id, "FAKEFW", 6);
    memcpy(h->oem_table_id, "FWROOT  ", 8);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t a = FW_BASE + offs[i];

        memcpy(fw + FW_XSDT + sizeof(*h) + 8u * i, &a, 8);
    }
    acpi_seal(h);
    acpi_write_rsdp(fw, "FAKEFW", FW_BASE + FW_XSDT);
}

/* Offsets of acpi_build()'s FADT and MADT: its XSDT's two entries. */
static uint32_t fw_fadt, fw_madt;

static const uint8_t ssdt_aml[] = { 0x08, '\\', 'K', 'F', 'W', 'T', 0x0a, 0x2a };

static void make_firmware(bool with_madt)
{
    struct acpi_build_params p = {
        .base = FW_BASE, .cpu_count = 8, .apic_ids = fw_ids, .lapic_base = 0xfee00000u,
        .have_ioapic = true, .ioapic_base = 0xfec00000u, .pm1a_evt_port = 0x600,
        .pm1a_cnt_port = 0x604, .pm_tmr_port = 0x608, .reset_port = 0xcf9, .reset_value = 6,
        .s5_slp_typ = 0, .sci_irq = 9, .oem_id = "FAKEFW",
    };
    const uint8_t dmar_body[12] = { 0x26 };
    const uint8_t *x;
    uint32_t offs[5], n = 0;

    memset(fw, 0, sizeof(fw));
    if (acpi_build(&p, fw, FW_SSDT) == 0)
        abort();
    x = fw + (rd64(fw + 24) - FW_BASE);          /* RSDP.XsdtAddress */
    fw_fadt = (uint32_t)(rd64(x + 36) - FW_BASE);
    fw_madt = (uint32_t)(rd64(x + 44) - FW_BASE);
    put_table(FW_SSDT, "SSDT", ssdt_aml, sizeof(ssdt_aml));
    put_table(FW_DMAR, "DMAR", dmar_body, sizeof(dmar_body));
    offs[n++] = fw_fadt;
    if (with_madt)
        offs[n++] = fw_madt;
    offs[n++] = FW_SSDT;
    offs[n++] = FW_DMAR;
    put_xsdt(offs, n);
}

static struct acpi_build_params guest_params(const uint32_t *ids, uint32_t n)
{
    struct acpi_build_params p = {
        .base = GUEST_BASE, .cpu_count = n, .apic_ids = ids, .lapic_base = 0xfee00000u,
        .have_ioapic = true, .ioapic_base = 0xfec00000u, .sci_irq = 9,
    };

    return p;
}

/* ---- survey --------------------------------------------------------------- */

TEST(survey_finds_fixed_hardware_madt_and_s5)
{
    struct acpi_view v = fw_view();
    struct acpi_survey s;
    const char *why = NULL;

    make_firmware(true);
    CHECK(acpi_survey(&v, FW_BASE, &s, &why));
    CHECK(s.root.xsdt);
    CHECK_EQ_U64(s.root.count, 4);
    CHECK(memcmp(s.root.oem_id, "FAKEFW", 6) == 0);
    CHECK_EQ_U64(s.hw.pm1a_cnt_kind, ACPI_REG_IO);
    CHECK_EQ_U64(s.hw.pm1a_cnt, 0x604);
    CHECK_EQ_U64(s.hw.reset_kind, ACPI_REG_IO);
    CHECK_EQ_U64(s.hw.reset, 0xcf9);
    CHECK_EQ_U64(s.hw.reset_value, 6);
    CHECK(!s.hw.hw_reduced);
    CHECK_EQ_U64(s.hw.sci_irq, 9);
    CHECK(s.s5_found);
    CHECK_EQ_U64(s.s5_typ_a, 0);
    CHECK_EQ_U64(s.madt, FW_BASE + fw_madt);
    CHECK(s.madt_len > 44);
}

/* From a root read beforehand (drivers/acpi.c reads it once for its own
 * uses), into a survey that held another machine's: the same result. */
TEST(survey_from_a_root_already_read)
{
    struct acpi_view v = fw_view();
    struct acpi_survey whole, from_root;
    struct acpi_root root;
    const char *why = NULL;

    make_firmware(true);
    CHECK(acpi_survey(&v, FW_BASE, &whole, &why));
    CHECK(acpi_root_read(&v, FW_BASE, &root, &why));
    memset(&from_root, 0xa5, sizeof(from_root));
    CHECK(acpi_survey_root(&v, &root, &from_root, &why));
    CHECK(memcmp(&from_root.root, &whole.root, sizeof(root)) == 0);
    CHECK_EQ_U64(from_root.madt, whole.madt);
    CHECK_EQ_U64(from_root.madt_len, whole.madt_len);
    CHECK(memcmp(&from_root.hw, &whole.hw, sizeof(whole.hw)) == 0);
    CHECK_EQ_U64(from_root.s5_found, whole.s5_found);
    CHECK_EQ_U64(from_root.s5_typ_a, whole.s5_typ_a);
    CHECK_EQ_U64(from_root.s5_typ_b, whole.s5_typ_b);
    /* The root may be the survey's own. */
    memset(&from_root, 0, sizeof(from_root));
    from_root.root = root;
    CHECK(acpi_survey_root(&v, &from_root.root, &from_root, &why));
    CHECK_EQ_U64(from_root.madt, whole.madt);
    CHECK(memcmp(&from_root.root, &whole.root, sizeof(root)) == 0);
}

TEST(survey_refuses_broken_roots)
{
    struct acpi_view v = fw_view();
    struct acpi_survey s;
    const char *why;

    make_firmware(true);
    fw[8] ^= 1;                                            /* RSDP checksum */
    why = NULL;
    CHECK(!acpi_survey(&v, FW_BASE, &s, &why) && why != NULL);

    make_firmware(true);
    fw[32] ^= 1;                                           /* extended checksum */
    why = NULL;
    CHECK(!acpi_survey(&v, FW_BASE, &s, &why) && why != NULL);

    make_firmware(true);
    fw[FW_XSDT + 36] ^= 1;                                 /* XSDT body, checksum now wrong */
    why = NULL;
    CHECK(!acpi_survey(&v, FW_BASE, &s, &why) && why != NULL);

    make_firmware(true);
    {
        uint32_t huge = 0x7fffffffu;                       /* XSDT length far past memory */
        memcpy(fw + FW_XSDT + 4, &huge, 4);
    }
    why = NULL;
    CHECK(!acpi_survey(&v, FW_BASE, &s, &why) && why != NULL);

    make_firmware(true);
    why = NULL;
    CHECK(!acpi_survey(&v, FW_BASE + FW_SIZE - 8, &s, &why) && why != NULL); /* RSDP past the end */
    CHECK(!acpi_survey(&v, 0, &s, &why));
    CHECK(!acpi_survey(&v, UINT64_MAX - 4, &s, &why));

    /* No FADT in the root: unusable. */
    make_firmware(true);
    {
        uint32_t offs[] = { fw_madt, FW_SSDT };
        put_xsdt(offs, 2);
    }
    why = NULL;
    CHECK(!acpi_survey(&v, FW_BASE, &s, &why));
    CHECK_STR(why, "there is no valid FADT");
}

TEST(survey_reads_an_rsdt_only_firmware)
{
    struct acpi_view v = fw_view();
    struct acpi_survey s;
    struct acpi_header *h = (struct acpi_header *)(fw + FW_XSDT);
    struct acpi_rsdp *r = (struct acpi_rsdp *)fw;
    const char *why;
    uint32_t a;

    make_firmware(true);
    /* An ACPI 1.0 machine: revision-0 RSDP, RSDT with 4-byte entries. */
    memset(h, 0, 64);
    memcpy(h->signature, "RSDT", 4);
    h->length = 36 + 8;
    h->revision = 1;
    a = (uint32_t)(FW_BASE + fw_fadt);
    memcpy(fw + FW_XSDT + 36, &a, 4);
    a = (uint32_t)(FW_BASE + fw_madt);
    memcpy(fw + FW_XSDT + 40, &a, 4);
    acpi_seal(h);
    memset(r, 0, sizeof(*r));
    memcpy(r->signature, "RSD PTR ", 8);
    memcpy(r->oem_id, "OLDFW ", 6);
    r->rsdt_address = (uint32_t)(FW_BASE + FW_XSDT);
    r->checksum = 0;
    {
        uint8_t sum = 0;
        for (int i = 0; i < 20; i++)
            sum = (uint8_t)(sum + fw[i]);
        r->checksum = (uint8_t)-sum;
    }
    CHECK(acpi_survey(&v, FW_BASE, &s, &why));
    CHECK(!s.root.xsdt);
    CHECK_EQ_U64(s.root.count, 2);
    CHECK_EQ_U64(s.hw.pm1a_cnt, 0x604);
    CHECK_EQ_U64(s.madt, FW_BASE + fw_madt);
}

TEST(survey_refuses_a_root_longer_than_it_reads)
{
    struct acpi_view v = fw_view();
    struct acpi_survey s;
    uint32_t offs[ACPI_ROOT_MAX + 1];
    const char *why = NULL;

    make_firmware(true);
    for (uint32_t i = 0; i < ACPI_ROOT_MAX + 1; i++)
        offs[i] = fw_fadt;
    /* The XSDT is placed where it has room for 65 entries. */
    put_xsdt(offs, ACPI_ROOT_MAX);
    CHECK(acpi_survey(&v, FW_BASE, &s, &why));
    put_xsdt(offs, ACPI_ROOT_MAX + 1);
    CHECK(!acpi_survey(&v, FW_BASE, &s, &why));
}

/* ---- the guest's tables ---------------------------------------------------- */

/* Builds the guest blob for ids and reads it back through the guest's eyes:
 * the RSDP at GUEST_BASE, the XSDT and every table it lists. */
static void build_guest(struct unit_ctx *unit_ctx_, const uint32_t *ids, uint32_t n,
                        struct acpi_passthrough_result *r, struct acpi_root *root)
{
    struct acpi_view fv = fw_view(), bv = both_view();
    struct acpi_survey s;
    struct acpi_build_params p = guest_params(ids, n);
    const char *why = NULL;

    CHECK(acpi_survey(&fv, FW_BASE, &s, &why));
    memset(guest, 0xa5, sizeof(guest));
    CHECK(acpi_passthrough_max_size(&s, &p) <= GUEST_SIZE);
    CHECK(acpi_passthrough_build(&fv, &s, &p, guest, GUEST_SIZE, r));
    CHECK(r->size <= acpi_passthrough_max_size(&s, &p));
    CHECK(acpi_root_read(&bv, GUEST_BASE, root, &why));
    CHECK(root->xsdt);
    CHECK(memcmp(root->oem_id, "FAKEFW", 6) == 0);
    CHECK((root->address - GUEST_BASE) % 16 == 0);
}

TEST(passthrough_swaps_the_madt_and_hides_dmar)
{
    struct acpi_view bv = both_view();
    struct acpi_passthrough_result r;
    struct acpi_root root;
    const uint32_t ids[] = { 0, 1, 2, 3 };
    const uint8_t *madt, *xsdt;
    uint32_t len, enabled, matched;

    make_firmware(true);
    build_guest(unit_ctx_, ids, 4, &r, &root);
    CHECK_PASSING();
    CHECK(r.madt_filtered);
    CHECK_EQ_U64(r.fw_cpus, 8);
    CHECK_EQ_U64(r.hidden, 1);
    /* The firmware's order, MADT swapped, DMAR gone. */
    CHECK_EQ_U64(root.count, 3);
    CHECK_EQ_U64(root.entries[0], FW_BASE + fw_fadt);
    CHECK_EQ_U64(root.entries[1], r.madt);
    CHECK_EQ_U64(root.entries[2], FW_BASE + FW_SSDT);
    CHECK(r.madt >= GUEST_BASE && r.madt < GUEST_BASE + GUEST_SIZE && r.madt % 16 == 0);
    /* The XSDT keeps the firmware root's identity. */
    xsdt = acpi_table_at(&bv, root.address, &len);
    CHECK(xsdt != NULL);
    CHECK(memcmp(xsdt + 10, "FAKEFW", 6) == 0);
    CHECK(memcmp(xsdt + 16, "FWROOT  ", 8) == 0);
    /* The guest finds everything: its MADT, the firmware's FADT/DSDT/FACS/SSDT. */
    CHECK_EQ_U64(acpi_find(&bv, &root, "APIC"), r.madt);
    CHECK_EQ_U64(acpi_find(&bv, &root, "FACP"), FW_BASE + fw_fadt);
    CHECK(acpi_find(&bv, &root, "DSDT") >= FW_BASE);
    CHECK(acpi_find(&bv, &root, "FACS") >= FW_BASE);
    CHECK_EQ_U64(acpi_find(&bv, &root, "SSDT"), FW_BASE + FW_SSDT);
    CHECK_EQ_U64(acpi_find(&bv, &root, "DMAR"), 0);
    /* The MADT: the firmware's header and I/O APIC, 4 of its 8 CPUs. */
    madt = acpi_table_at(&bv, r.madt, &len);
    CHECK(madt != NULL);
    CHECK(memcmp(madt + 10, "FAKEFW", 6) == 0);
    CHECK(acpi_madt_cpus(madt, len, ids, 4, &enabled, &matched));
    CHECK_EQ_U64(enabled, 4);
    CHECK_EQ_U64(matched, 4);
    CHECK_EQ_U64(r.size, r.madt - GUEST_BASE + len);
    /* Its I/O APIC is where Kestrel write-protects the guest's view. */
    uint64_t ioapics[2];
    unsigned n_ioapics;
    CHECK(acpi_madt_ioapics(madt, len, ioapics, 2, &n_ioapics));
    CHECK_EQ_U64(n_ioapics, 1);
    CHECK_EQ_U64(ioapics[0], 0xfec00000u);
    CHECK(acpi_madt_ioapics(madt, len, ioapics, 0, &n_ioapics));    /* counted, none kept */
    CHECK_EQ_U64(n_ioapics, 1);
    CHECK(!acpi_madt_ioapics(madt, 20, ioapics, 2, &n_ioapics));    /* shorter than a MADT */
    /* The firmware's own tables are untouched. */
    CHECK(acpi_table_at(&bv, FW_BASE + fw_madt, &len) != NULL);
    CHECK(acpi_madt_cpus(fw + fw_madt, len, fw_ids, 8, &enabled, &matched));
    CHECK_EQ_U64(enabled, 8);
}

TEST(passthrough_builds_a_madt_when_the_firmwares_lacks_a_vcpu)
{
    struct acpi_view bv = both_view();
    struct acpi_passthrough_result r;
    struct acpi_root root;
    const uint32_t ids[] = { 0, 9 };             /* 9: not in the firmware's MADT */
    const uint8_t *madt;
    uint32_t len, enabled, matched;

    make_firmware(true);
    build_guest(unit_ctx_, ids, 2, &r, &root);
    CHECK_PASSING();
    CHECK(!r.madt_filtered);
    CHECK_EQ_U64(r.fw_cpus, 8);
    madt = acpi_table_at(&bv, r.madt, &len);
    CHECK(madt != NULL);
    CHECK(memcmp(madt + 10, "KESTRL", 6) == 0);
    CHECK(acpi_madt_cpus(madt, len, ids, 2, &enabled, &matched));
    CHECK_EQ_U64(enabled, 2);
    CHECK_EQ_U64(matched, 2);
}

TEST(passthrough_adds_a_madt_when_the_firmware_has_none)
{
    struct acpi_passthrough_result r;
    struct acpi_root root;
    const uint32_t ids[] = { 0 };

    make_firmware(false);
    build_guest(unit_ctx_, ids, 1, &r, &root);
    CHECK_PASSING();
    CHECK(!r.madt_filtered);
    CHECK_EQ_U64(r.fw_cpus, 0);
    CHECK_EQ_U64(root.count, 3);                 /* FADT, SSDT, and the MADT appended */
    CHECK_EQ_U64(root.entries[2], r.madt);
}

TEST(passthrough_refuses_a_small_buffer)
{
    struct acpi_view fv = fw_view();
    struct acpi_survey s;
    struct acpi_passthrough_result r;
    const uint32_t ids[] = { 0, 1 };
    struct acpi_build_params p = guest_params(ids, 2);
    const char *why;
    size_t need;

    make_firmware(true);
    CHECK(acpi_survey(&fv, FW_BASE, &s, &why));
    need = acpi_passthrough_max_size(&s, &p);
    CHECK(need > 0);
    CHECK(!acpi_passthrough_build(&fv, &s, &p, guest, need - 1, &r));
    CHECK(acpi_passthrough_build(&fv, &s, &p, guest, need, &r));
    p.cpu_count = 0;
    CHECK_EQ_U64(acpi_passthrough_max_size(&s, &p), 0);
    CHECK(!acpi_passthrough_build(&fv, &s, &p, guest, GUEST_SIZE, &r));
}

/* ---- FADT decoding --------------------------------------------------------- */

static void fadt_copy(uint8_t *f)
{
    make_firmware(true);
    memcpy(f, fw + fw_fadt, sizeof(struct acpi_fadt));
}

TEST(fadt_prefers_the_x_fields_and_names_address_spaces)
{
    uint8_t f[sizeof(struct acpi_fadt)];
    struct acpi_fixed_hw hw;
    const char *why;
    uint64_t mmio = 0xfed80004ull;
    uint32_t flags;

    fadt_copy(f);
    /* 32-bit PM1a_CNT_BLK says 0x604; X_PM1a_CNT_BLK moved to 0x804 wins. */
    f[172 + 4] = 0x04;
    f[172 + 5] = 0x08;
    CHECK(acpi_fadt_decode(f, sizeof(f), &hw, &why));
    CHECK_EQ_U64(hw.pm1a_cnt, 0x804);
    /* X_ field zero: the 32-bit one. */
    memset(f + 172, 0, 12);
    CHECK(acpi_fadt_decode(f, sizeof(f), &hw, &why));
    CHECK_EQ_U64(hw.pm1a_cnt_kind, ACPI_REG_IO);
    CHECK_EQ_U64(hw.pm1a_cnt, 0x604);
    /* A memory-mapped PM1a control register. */
    f[172] = ACPI_GAS_SYSTEM_MEMORY;
    memcpy(f + 172 + 4, &mmio, 8);
    CHECK(acpi_fadt_decode(f, sizeof(f), &hw, &why));
    CHECK_EQ_U64(hw.pm1a_cnt_kind, ACPI_REG_MEMORY);
    CHECK_EQ_U64(hw.pm1a_cnt, mmio);
    /* Reset register ignored without RESET_REG_SUP. */
    memcpy(&flags, f + 112, 4);
    flags &= ~ACPI_FADT_RESET_REG_SUP;
    flags |= ACPI_FADT_HW_REDUCED_ACPI;
    memcpy(f + 112, &flags, 4);
    CHECK(acpi_fadt_decode(f, sizeof(f), &hw, &why));
    CHECK_EQ_U64(hw.reset_kind, ACPI_REG_NONE);
    CHECK(hw.hw_reduced);
    /* An I/O address above 0xffff is not a port. */
    fadt_copy(f);
    f[116 + 4 + 2] = 1;                                    /* reset address 0x10cf9 */
    CHECK(acpi_fadt_decode(f, sizeof(f), &hw, &why));
    CHECK_EQ_U64(hw.reset_kind, ACPI_REG_OTHER);
}

TEST(fadt_accepts_an_acpi1_fadt_and_refuses_shorter)
{
    uint8_t f[sizeof(struct acpi_fadt)];
    struct acpi_fixed_hw hw;
    const char *why = NULL;

    fadt_copy(f);
    /* ACPI 1.0: 116 bytes, flags last; no reset register, no X_ fields. */
    CHECK(acpi_fadt_decode(f, 116, &hw, &why));
    CHECK_EQ_U64(hw.pm1a_cnt, 0x604);
    CHECK_EQ_U64(hw.reset_kind, ACPI_REG_NONE);
    CHECK_EQ_U64(hw.dsdt, rd32(f + 40));
    CHECK(!acpi_fadt_decode(f, 115, &hw, &why));
    CHECK(why != NULL);
    memcpy(f, "FACX", 4);
    CHECK(!acpi_fadt_decode(f, sizeof(f), &hw, &why));
}

/* ---- \_S5 in AML ------------------------------------------------------------ */

static bool s5(const uint8_t *aml, size_t len, uint8_t *a, uint8_t *b)
{
    /* Copied to an exact-size heap block, so ASan sees any over-read. */
    uint8_t *copy = malloc(len ? len : 1);
    bool ok;

    memcpy(copy, aml, len);
    ok = acpi_aml_find_s5(copy, len, a, b);
    free(copy);
    return ok;
}

TEST(aml_s5_forms_firmware_uses)
{
    uint8_t a = 0xee, b = 0xee;
    /* Name (\_S5, Package (4) { 0x05, 0x05, 0, 0 }) */
    const uint8_t root_bytes[] = { 0x08, 0x5c, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
                                   0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
    /* Scope (\) { Name (_S5, Package (2) { Zero, One }) } */
    const uint8_t scoped[] = { 0x10, 0x0d, 0x5c, 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02,
                               0x00, 0x01 };
    /* Name (^_S5, Package () { 0x0007 (WordConst), 0x00000006 (DWordConst) }) */
    const uint8_t words[] = { 0x08, 0x5e, '_', 'S', '5', '_', 0x12, 0x0a, 0x02,
                              0x0b, 0x07, 0x00, 0x0c, 0x06, 0x00, 0x00, 0x00 };
    /* Old firmware: Package (1) { 0x07 }; value above 7 reduced to 3 bits. */
    const uint8_t one[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x0a, 0x0f };
    /* A two-byte PkgLength (lead 0x40 | low nibble, then one byte). */
    const uint8_t long_len[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x47, 0x00, 0x02, 0x0a, 0x03,
                                 0xff };

    CHECK(s5(root_bytes, sizeof(root_bytes), &a, &b));
    CHECK_EQ_U64(a, 5);
    CHECK_EQ_U64(b, 5);
    CHECK(s5(scoped, sizeof(scoped), &a, &b));
    CHECK_EQ_U64(a, 0);
    CHECK_EQ_U64(b, 1);
    CHECK(s5(words, sizeof(words), &a, &b));
    CHECK_EQ_U64(a, 7);
    CHECK_EQ_U64(b, 6);
    CHECK(s5(one, sizeof(one), &a, &b));
    CHECK_EQ_U64(a, 7);
    CHECK_EQ_U64(b, 7);
    CHECK(s5(long_len, sizeof(long_len), &a, &b));
    CHECK_EQ_U64(a, 3);
    CHECK_EQ_U64(b, 7);                                    /* OnesOp */
}

TEST(aml_s5_not_found_or_hostile)
{
    uint8_t a, b;
    const uint8_t no_name_op[] = { 0x0d, '_', 'S', '5', '_', 0x00, 0x12, 0x03, 0x01, 0x0a, 0x05 };
    const uint8_t method[] = { 0x14, 0x08, '_', 'S', '5', '_', 0x00, 0xa4, 0x00 };
    const uint8_t not_package[] = { 0x08, '_', 'S', '5', '_', 0x0a, 0x05 };
    const uint8_t empty_package[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x01, 0x00 };
    const uint8_t cut[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a };
    const uint8_t cut_pkglen[] = { 0x08, '_', 'S', '5', '_', 0x12, 0xc0 };
    const uint8_t bad_element[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0d, 'x', 0x00 };
    const uint8_t s4[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x02, 0x0a, 0x05, 0x0a, 0x05 };
    /* A broken _S5 first, a good one after it: the good one is used. */
    const uint8_t second[] = { 0x08, '_', 'S', '5', '_', 0x0a, 0x05,
                               0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0a, 0x02, 0x00 };

    CHECK(!s5(no_name_op, sizeof(no_name_op), &a, &b));
    CHECK(!s5(method, sizeof(method), &a, &b));
    CHECK(!s5(not_package, sizeof(not_package), &a, &b));
    CHECK(!s5(empty_package, sizeof(empty_package), &a, &b));
    CHECK(!s5(cut, sizeof(cut), &a, &b));
    CHECK(!s5(cut_pkglen, sizeof(cut_pkglen), &a, &b));
    CHECK(!s5(bad_element, sizeof(bad_element), &a, &b));
    CHECK(!s5(s4, sizeof(s4), &a, &b));
    CHECK(!s5(second, 0, &a, &b));
    CHECK(s5(second, sizeof(second), &a, &b));
    CHECK_EQ_U64(a, 2);
    CHECK_EQ_U64(b, 0);
    /* Every cut of a good encoding: no over-read (ASan), found only whole. */
    for (size_t n = 0; n < sizeof(second) - 7; n++)
        CHECK(!s5(second + 7, n, &a, &b));
    CHECK(s5(second + 7, sizeof(second) - 7, &a, &b));
}

/* ---- the MADT's CPUs --------------------------------------------------------- */

TEST(madt_cpus_counts_enabled_and_matched_once)
{
    uint8_t m[44 + 8 + 8 + 16 + 8];
    const uint32_t want[] = { 1, 2, 0x100 };
    uint32_t enabled, matched;
    uint32_t flags_on = 1, flags_off = 0, id = 1, uid = 0;

    memset(m, 0, sizeof(m));
    memcpy(m, "APIC", 4);
    /* lapic id 1 enabled, lapic id 2 disabled, x2apic id 1 (again) enabled, lapic id 3 */
    m[44] = 0; m[45] = 8; m[47] = 1; memcpy(m + 48, &flags_on, 4);
    m[52] = 0; m[53] = 8; m[55] = 2; memcpy(m + 56, &flags_off, 4);
    m[60] = 9; m[61] = 16; memcpy(m + 64, &id, 4); memcpy(m + 68, &flags_on, 4);
    memcpy(m + 72, &uid, 4);
    m[76] = 0; m[77] = 8; m[79] = 3; memcpy(m + 80, &flags_on, 4);
    CHECK(acpi_madt_cpus(m, sizeof(m), want, 3, &enabled, &matched));
    CHECK_EQ_U64(enabled, 3);
    CHECK_EQ_U64(matched, 1);                              /* id 1 once; 2 disabled; 0x100 absent */
    m[53] = 9;                                             /* entries no longer tile the table */
    CHECK(!acpi_madt_cpus(m, sizeof(m), want, 3, &enabled, &matched));
    m[53] = 0;
    CHECK(!acpi_madt_cpus(m, sizeof(m), want, 3, &enabled, &matched));
    CHECK(!acpi_madt_cpus(m, 40, want, 3, &enabled, &matched));
}

/* ---- noise ------------------------------------------------------------------- */

TEST(survey_of_random_memory_never_faults)
{
    struct acpi_view v = fw_view();
    struct acpi_survey s;
    const char *why;
    uint32_t seed = 12345;

    for (int round = 0; round < 200; round++) {
        make_firmware(true);
        /* Flip a few bytes anywhere in the tables, re-seal nothing. */
        for (int k = 0; k < 4; k++) {
            seed = seed * 1103515245u + 12345u;
            fw[(seed >> 8) % FW_SIZE] ^= (uint8_t)(seed >> 24 | 1);
        }
        if (acpi_survey(&v, FW_BASE, &s, &why)) {
            const uint32_t ids[] = { 0, 1 };
            struct acpi_build_params p = guest_params(ids, 2);
            struct acpi_passthrough_result r;
            size_t need = acpi_passthrough_max_size(&s, &p);

            CHECK(need > 0 && need <= GUEST_SIZE);
            CHECK(acpi_passthrough_build(&v, &s, &p, guest, GUEST_SIZE, &r));
        }
    }
}

TEST(mcfg_segment0)
{
    uint8_t mcfg[44 + 2 * 16];
    uint64_t base = 0;
    uint8_t start = 9, end = 9;

    memset(mcfg, 0, sizeof(mcfg));
    /* first entry: segment 1 (skipped); second: segment 0, buses 0-255 at 0xb0000000 */
    mcfg[44 + 8] = 1;
    uint64_t b0 = 0xb0000000ull;
    memcpy(mcfg + 60, &b0, 8);
    mcfg[60 + 10] = 0;
    mcfg[60 + 11] = 0xff;
    CHECK(acpi_mcfg_segment0(mcfg, sizeof(mcfg), &base, &start, &end));
    CHECK_EQ_U64(base, 0xb0000000ull);
    CHECK_EQ_U64(start, 0);
    CHECK_EQ_U64(end, 0xff);
    CHECK(!acpi_mcfg_segment0(mcfg, 60, &base, &start, &end));        /* cut before it */
    CHECK(!acpi_mcfg_segment0(mcfg, 10, &base, &start, &end));
    mcfg[60 + 10] = 5, mcfg[60 + 11] = 4;                             /* start > end */
    CHECK(!acpi_mcfg_segment0(mcfg, sizeof(mcfg), &base, &start, &end));
}

TEST_SUITE(acpi_passthrough,
    UNIT(mcfg_segment0),
    UNIT(survey_finds_fixed_hardware_madt_and_s5),
    UNIT(survey_from_a_root_already_read),
    UNIT(survey_refuses_broken_roots),
    UNIT(survey_reads_an_rsdt_only_firmware),
    UNIT(survey_refuses_a_root_longer_than_it_reads),
    UNIT(passthrough_swaps_the_madt_and_hides_dmar),
    UNIT(passthrough_builds_a_madt_when_the_firmwares_lacks_a_vcpu),
    UNIT(passthrough_adds_a_madt_when_the_firmware_has_none),
    UNIT(passthrough_refuses_a_small_buffer),
    UNIT(fadt_prefers_the_x_fields_and_names_address_spaces),
    UNIT(fadt_accepts_an_acpi1_fadt_and_refuses_shorter),
    UNIT(aml_s5_forms_firmware_uses),
    UNIT(aml_s5_not_found_or_hostile),
    UNIT(madt_cpus_counts_enabled_and_matched_once),
    UNIT(survey_of_random_memory_never_faults),
);
