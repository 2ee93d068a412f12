/*
 * Unit tests for lib/acpi_build.c.
 *
 * The tables are read back by raw byte offsets taken from the ACPI 6.5
 * specification, not through the library's structures, so a wrong field in
 * a structure shows up here.  The DSDT's AML is decoded by a small decoder of
 * the test's own.
 */
#include "test.h"

#include "lib/acpi_build.h"
#include "lib/acpi_read.h"

#include <stdlib.h>

/* ---- raw reads ------------------------------------------------------------ */

static uint8_t rd8(const uint8_t *p, size_t off) { return p[off]; }

static uint16_t rd16(const uint8_t *p, size_t off)
{
    return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t rd32(const uint8_t *p, size_t off)
{
    return (uint32_t)rd16(p, off) | (uint32_t)rd16(p, off + 2) << 16;
}

static uint64_t rd64(const uint8_t *p, size_t off)
{
    return (uint64_t)rd32(p, off) | (uint64_t)rd32(p, off + 4) << 32;
}

static bool bytes_are(const uint8_t *p, size_t off, const char *s)
{
    return memcmp(p + off, s, strlen(s)) == 0;
}

/* Offsets from the specification. */
enum {
    RSDP_CHECKSUM = 8, RSDP_OEM = 9, RSDP_REVISION = 15, RSDP_RSDT = 16, RSDP_LENGTH = 20,
    RSDP_XSDT = 24, RSDP_EXT_CHECKSUM = 32,

    HDR_LENGTH = 4, HDR_REVISION = 8, HDR_CHECKSUM = 9, HDR_OEM = 10, HDR_TABLE_ID = 16,
    HDR_SIZE = 36,

    FADT_FIRMWARE_CTRL = 36, FADT_DSDT = 40, FADT_SCI_INT = 46, FADT_SMI_CMD = 48,
    FADT_PM1A_EVT = 56, FADT_PM1B_EVT = 60, FADT_PM1A_CNT = 64, FADT_PM1B_CNT = 68,
    FADT_PM2_CNT = 72, FADT_PM_TMR = 76, FADT_GPE0 = 80, FADT_GPE1 = 84,
    FADT_PM1_EVT_LEN = 88, FADT_PM1_CNT_LEN = 89, FADT_PM2_CNT_LEN = 90, FADT_PM_TMR_LEN = 91,
    FADT_GPE0_LEN = 92, FADT_GPE1_LEN = 93, FADT_IAPC_BOOT_ARCH = 109, FADT_FLAGS = 112,
    FADT_RESET_REG = 116, FADT_RESET_VALUE = 128, FADT_MINOR = 131,
    FADT_X_FIRMWARE_CTRL = 132, FADT_X_DSDT = 140, FADT_X_PM1A_EVT = 148,
    FADT_X_PM1B_EVT = 160, FADT_X_PM1A_CNT = 172, FADT_X_PM1B_CNT = 184,
    FADT_X_PM2_CNT = 196, FADT_X_PM_TMR = 208, FADT_X_GPE0 = 220, FADT_X_GPE1 = 232,
    FADT_SLEEP_CONTROL = 244, FADT_SLEEP_STATUS = 256, FADT_LEN = 276,

    GAS_SPACE = 0, GAS_WIDTH = 1, GAS_OFFSET = 2, GAS_ACCESS = 3, GAS_ADDRESS = 4,

    FACS_LENGTH = 4, FACS_VERSION = 32, FACS_LEN = 64,

    MADT_LAPIC_ADDR = 36, MADT_FLAGS = 40, MADT_ENTRIES = 44,
};

#define FADT_FLAG_RESET_REG_SUP  (1u << 10)
#define FADT_FLAG_HW_REDUCED     (1u << 20)
#define FADT_FLAG_TMR_VAL_EXT    (1u << 8)

/* ---- fixtures ------------------------------------------------------------- */

#define BASE      0x0009a000ull       /* a 4 KiB-aligned guest-physical address */
#define PM1A_EVT  0xb000
#define PM1A_CNT  0xb004
#define PM_TMR    0xb008
#define SLP_TYP   5

static uint32_t ids_seq[1024];

static void fill_ids(void)
{
    for (uint32_t i = 0; i < 1024; i++)
        ids_seq[i] = i;
}

static struct acpi_build_params params(uint32_t cpus)
{
    struct acpi_build_params p = {
        .base = BASE,
        .cpu_count = cpus,
        .apic_ids = ids_seq,
        .lapic_base = 0xfee00000u,
        .pm1a_evt_port = PM1A_EVT,
        .pm1a_cnt_port = PM1A_CNT,
        .pm_tmr_port = PM_TMR,
        .reset_port = 0xcf9,
        .reset_value = 0x06,
        .s5_slp_typ = SLP_TYP,
        .sci_irq = 9,
        .iapc_boot_arch = ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_8042,
        .oem_id = "KESTRL",
    };

    fill_ids();
    return p;
}

static struct acpi_build_params with_ioapic(struct acpi_build_params p)
{
    p.have_ioapic = true;
    p.ioapic_id = (uint8_t)p.cpu_count;
    p.ioapic_base = 0xfec00000u;
    p.ioapic_gsi_base = 0;
    return p;
}

/* A built blob and where its tables are (offsets into buf). */
struct blob {
    uint8_t buf[16384];
    size_t size;
    uint64_t base;
    size_t xsdt, fadt, facs, dsdt, madt;
};

/* Offset of guest-physical addr in the blob, failing when outside. */
static size_t blob_off(struct unit_ctx *unit_ctx_, const struct blob *b, uint64_t addr, size_t len)
{
    if (addr < b->base || addr - b->base > b->size || len > b->size - (addr - b->base)) {
        unit_fail(unit_ctx_, __FILE__, __LINE__, "address 0x%" PRIx64 " +%zu outside the blob", addr, len);
        return 0;
    }
    return (size_t)(addr - b->base);
}

/* Checks a table's header, length and checksum at off. */
static void check_table(struct unit_ctx *unit_ctx_, const struct blob *b, size_t off,
                        const char *sig, uint32_t len, uint8_t revision)
{
    const uint8_t *t = b->buf + off;

    CHECK(bytes_are(t, 0, sig));
    CHECK_EQ_U64(rd32(t, HDR_LENGTH), len);
    CHECK(off + len <= b->size);
    CHECK_EQ_U64(rd8(t, HDR_REVISION), revision);
    CHECK(acpi_checksum_ok(t, len));
    CHECK(bytes_are(t, HDR_OEM, "KESTRL"));
    CHECK((b->base + off) % 16 == 0);
}

/* Builds a blob and follows the pointers RSDP -> XSDT -> FADT -> FACS/DSDT,
 * XSDT -> MADT by raw offsets, checking every header on the way. */
static void build(struct unit_ctx *unit_ctx_, const struct acpi_build_params *p, struct blob *b)
{
    const uint8_t *r, *x, *f;
    uint64_t facs_addr;

    memset(b, 0xa5, sizeof(*b));
    b->base = p->base;
    b->size = acpi_build(p, b->buf, sizeof(b->buf));
    CHECK(b->size > 0);
    CHECK_EQ_U64(b->size, acpi_build_size(p));

    r = b->buf;                                  /* the RSDP is at base */
    CHECK(bytes_are(r, 0, "RSD PTR "));
    CHECK(acpi_checksum_ok(r, 20));
    CHECK(acpi_checksum_ok(r, 36));
    CHECK_EQ_U64(rd8(r, RSDP_REVISION), 2);
    CHECK_EQ_U64(rd32(r, RSDP_LENGTH), 36);
    CHECK_EQ_U64(rd32(r, RSDP_RSDT), 0);
    CHECK(bytes_are(r, RSDP_OEM, "KESTRL"));
    CHECK_EQ_U64(rd8(r, 33) | rd8(r, 34) | rd8(r, 35), 0);

    b->xsdt = blob_off(unit_ctx_, b, rd64(r, RSDP_XSDT), HDR_SIZE);
    CHECK_PASSING();
    check_table(unit_ctx_, b, b->xsdt, "XSDT", HDR_SIZE + 2 * 8, 1);
    CHECK_PASSING();
    x = b->buf + b->xsdt;
    b->fadt = blob_off(unit_ctx_, b, rd64(x, HDR_SIZE), FADT_LEN);
    b->madt = blob_off(unit_ctx_, b, rd64(x, HDR_SIZE + 8), MADT_ENTRIES);
    CHECK_PASSING();
    check_table(unit_ctx_, b, b->fadt, "FACP", FADT_LEN, 6);
    CHECK_PASSING();
    check_table(unit_ctx_, b, b->madt, "APIC", rd32(b->buf + b->madt, HDR_LENGTH), 5);
    CHECK_PASSING();

    f = b->buf + b->fadt;
    b->dsdt = blob_off(unit_ctx_, b, rd64(f, FADT_X_DSDT), HDR_SIZE);
    CHECK_PASSING();
    if (rd32(f, FADT_DSDT) != 0)
        CHECK_EQ_U64(rd32(f, FADT_DSDT), rd64(f, FADT_X_DSDT));
    check_table(unit_ctx_, b, b->dsdt, "DSDT", rd32(b->buf + b->dsdt, HDR_LENGTH), 2);
    CHECK_PASSING();

    /* The FACS through whichever field is set (exactly one is). */
    CHECK((rd32(f, FADT_FIRMWARE_CTRL) == 0) != (rd64(f, FADT_X_FIRMWARE_CTRL) == 0));
    facs_addr = rd32(f, FADT_FIRMWARE_CTRL) != 0 ? rd32(f, FADT_FIRMWARE_CTRL)
                                                 : rd64(f, FADT_X_FIRMWARE_CTRL);
    CHECK_EQ_U64(facs_addr % 64, 0);
    b->facs = blob_off(unit_ctx_, b, facs_addr, FACS_LEN);
    CHECK_PASSING();
    CHECK(bytes_are(b->buf + b->facs, 0, "FACS"));
    CHECK_EQ_U64(rd32(b->buf + b->facs, FACS_LENGTH), FACS_LEN);

    /* Nothing written past the end. */
    CHECK_EQ_U64(b->buf[b->size], 0xa5);
}

#define BUILD(p, b)                                                             \
    do {                                                                        \
        build(unit_ctx_, (p), (b));                                             \
        CHECK_PASSING();                                                        \
    } while (0)

/* ---- the whole blob -------------------------------------------------------- */

TEST(acpi_build_rsdp_and_xsdt)
{
    struct acpi_build_params p = params(1);
    static struct blob b;

    BUILD(&p, &b);
    /* RSDP, XSDT, FADT, FACS (64-aligned), DSDT, MADT. */
    CHECK_EQ_U64(rd64(b.buf, RSDP_XSDT), BASE + 48);
    CHECK_EQ_U64(b.fadt, 112);
    CHECK_EQ_U64(b.facs, 448);
    CHECK_EQ_U64(b.dsdt, 512);
    CHECK_EQ_U64(b.madt, 576);
    CHECK_EQ_U64(b.size, 576 + 52);
    CHECK(bytes_are(b.buf + b.xsdt, HDR_TABLE_ID, "KESTREL "));
    /* The gaps are zero. */
    for (size_t i = 36; i < 48; i++)
        CHECK_EQ_U64(b.buf[i], 0);
}

TEST(acpi_build_fadt_fields)
{
    struct acpi_build_params p = params(2);
    static struct blob b;
    const uint8_t *f;

    BUILD(&p, &b);
    f = b.buf + b.fadt;
    CHECK_EQ_U64(rd8(f, FADT_MINOR), 5);

    /* Pointers: FACS in the 32-bit field only (the specification allows just
     * one), DSDT in both, equal. */
    CHECK_EQ_U64(rd32(f, FADT_FIRMWARE_CTRL), BASE + b.facs);
    CHECK_EQ_U64(rd64(f, FADT_X_FIRMWARE_CTRL), 0);
    CHECK_EQ_U64(rd32(f, FADT_DSDT), BASE + b.dsdt);
    CHECK_EQ_U64(rd64(f, FADT_X_DSDT), BASE + b.dsdt);

    CHECK_EQ_U64(rd16(f, FADT_SCI_INT), 9);
    CHECK_EQ_U64(rd32(f, FADT_SMI_CMD), 0);

    /* PM1a event and control blocks, PM timer: 32-bit fields and lengths. */
    CHECK_EQ_U64(rd32(f, FADT_PM1A_EVT), PM1A_EVT);
    CHECK_EQ_U64(rd32(f, FADT_PM1A_CNT), PM1A_CNT);
    CHECK_EQ_U64(rd32(f, FADT_PM_TMR), PM_TMR);
    CHECK_EQ_U64(rd8(f, FADT_PM1_EVT_LEN), 4);
    CHECK_EQ_U64(rd8(f, FADT_PM1_CNT_LEN), 2);
    CHECK_EQ_U64(rd8(f, FADT_PM_TMR_LEN), 4);

    /* The same blocks as X_ GAS in I/O space, widths = lengths in bits. */
    CHECK_EQ_U64(rd8(f, FADT_X_PM1A_EVT + GAS_SPACE), 1);
    CHECK_EQ_U64(rd8(f, FADT_X_PM1A_EVT + GAS_WIDTH), 32);
    CHECK_EQ_U64(rd8(f, FADT_X_PM1A_EVT + GAS_OFFSET), 0);
    CHECK_EQ_U64(rd64(f, FADT_X_PM1A_EVT + GAS_ADDRESS), PM1A_EVT);
    CHECK_EQ_U64(rd8(f, FADT_X_PM1A_CNT + GAS_SPACE), 1);
    CHECK_EQ_U64(rd8(f, FADT_X_PM1A_CNT + GAS_WIDTH), 16);
    CHECK_EQ_U64(rd64(f, FADT_X_PM1A_CNT + GAS_ADDRESS), PM1A_CNT);
    CHECK_EQ_U64(rd8(f, FADT_X_PM_TMR + GAS_SPACE), 1);
    CHECK_EQ_U64(rd8(f, FADT_X_PM_TMR + GAS_WIDTH), 32);
    CHECK_EQ_U64(rd8(f, FADT_X_PM_TMR + GAS_ACCESS), 3);
    CHECK_EQ_U64(rd64(f, FADT_X_PM_TMR + GAS_ADDRESS), PM_TMR);

    /* Absent blocks: zero in both forms. */
    static const size_t absent32[] = { FADT_PM1B_EVT, FADT_PM1B_CNT, FADT_PM2_CNT, FADT_GPE0, FADT_GPE1 };
    static const size_t absent_gas[] = { FADT_X_PM1B_EVT, FADT_X_PM1B_CNT, FADT_X_PM2_CNT, FADT_X_GPE0,
                                         FADT_X_GPE1, FADT_SLEEP_CONTROL, FADT_SLEEP_STATUS };
    for (size_t i = 0; i < sizeof(absent32) / sizeof(absent32[0]); i++)
        CHECK_EQ_U64(rd32(f, absent32[i]), 0);
    for (size_t i = 0; i < sizeof(absent_gas) / sizeof(absent_gas[0]); i++)
        CHECK_EQ_U64(rd64(f, absent_gas[i]) | rd32(f, absent_gas[i] + 8), 0);
    CHECK_EQ_U64(rd8(f, FADT_PM2_CNT_LEN) | rd8(f, FADT_GPE0_LEN) | rd8(f, FADT_GPE1_LEN), 0);

    /* Reset register: I/O space, 8 bits at offset 0, byte access. */
    CHECK_EQ_U64(rd8(f, FADT_RESET_REG + GAS_SPACE), 1);
    CHECK_EQ_U64(rd8(f, FADT_RESET_REG + GAS_WIDTH), 8);
    CHECK_EQ_U64(rd8(f, FADT_RESET_REG + GAS_OFFSET), 0);
    CHECK_EQ_U64(rd8(f, FADT_RESET_REG + GAS_ACCESS), 1);
    CHECK_EQ_U64(rd64(f, FADT_RESET_REG + GAS_ADDRESS), 0xcf9);
    CHECK_EQ_U64(rd8(f, FADT_RESET_VALUE), 0x06);

    CHECK(rd32(f, FADT_FLAGS) & FADT_FLAG_RESET_REG_SUP);
    CHECK(!(rd32(f, FADT_FLAGS) & FADT_FLAG_HW_REDUCED));
    CHECK(!(rd32(f, FADT_FLAGS) & FADT_FLAG_TMR_VAL_EXT));
    CHECK_EQ_U64(rd16(f, FADT_IAPC_BOOT_ARCH), 3);
}

TEST(acpi_build_fadt_without_timer_or_reset)
{
    struct acpi_build_params p = params(1);
    static struct blob b;
    const uint8_t *f;

    p.pm_tmr_port = 0;
    p.reset_port = 0;
    BUILD(&p, &b);
    f = b.buf + b.fadt;
    CHECK_EQ_U64(rd32(f, FADT_PM_TMR), 0);
    CHECK_EQ_U64(rd8(f, FADT_PM_TMR_LEN), 0);
    CHECK_EQ_U64(rd64(f, FADT_X_PM_TMR + GAS_ADDRESS) | rd32(f, FADT_X_PM_TMR), 0);
    CHECK(!(rd32(f, FADT_FLAGS) & FADT_FLAG_RESET_REG_SUP));
    CHECK_EQ_U64(rd64(f, FADT_RESET_REG + GAS_ADDRESS) | rd32(f, FADT_RESET_REG), 0);
}

TEST(acpi_build_above_4g_uses_64bit_pointers)
{
    struct acpi_build_params p = params(1);
    static struct blob b;
    const uint8_t *f;

    p.base = 0x123456000ull;
    BUILD(&p, &b);
    f = b.buf + b.fadt;
    CHECK(rd64(b.buf, RSDP_XSDT) > UINT32_MAX);
    CHECK(rd64(b.buf + b.xsdt, HDR_SIZE) > UINT32_MAX);
    CHECK_EQ_U64(rd32(f, FADT_FIRMWARE_CTRL), 0);
    CHECK_EQ_U64(rd64(f, FADT_X_FIRMWARE_CTRL), p.base + b.facs);
    CHECK_EQ_U64(rd32(f, FADT_DSDT), 0);
    CHECK_EQ_U64(rd64(f, FADT_X_DSDT), p.base + b.dsdt);
}

TEST(acpi_build_alignment_for_any_base)
{
    static const uint64_t bases[] = { 0x1000, 0x1008, 0x1010, 0x1020, 0x1030, 0x9fc00,
                                      0x7fffffc0, 0xfffffff0, 0x100000010ull };

    for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
        struct acpi_build_params p = params(3);
        static struct blob b;

        p.base = bases[i];
        BUILD(&p, &b);           /* checks 16-byte alignment of each table */
        CHECK_EQ_U64((p.base + b.facs) % 64, 0);
    }
}

TEST(acpi_build_oem_id_padding)
{
    struct acpi_build_params p = params(1);
    static uint8_t buf[4096];
    size_t n;

    p.oem_id = "AB";
    n = acpi_build(&p, buf, sizeof(buf));
    CHECK(n > 0);
    CHECK(bytes_are(buf, RSDP_OEM, "AB    "));
    CHECK(bytes_are(buf + 48, HDR_OEM, "AB    "));
    p.oem_id = NULL;
    CHECK_EQ_U64(acpi_build(&p, buf, sizeof(buf)), n);
    CHECK(bytes_are(buf, RSDP_OEM, "KESTRL"));
    p.oem_id = "TOOLONGID";
    CHECK_EQ_U64(acpi_build(&p, buf, sizeof(buf)), n);
    CHECK(bytes_are(buf, RSDP_OEM, "TOOLON"));
    CHECK(acpi_checksum_ok(buf, 36));
}

/* ---- the DSDT's AML, decoded independently ---------------------------------- */

struct aml_pkg {
    char name[8];                /* e.g. "\\_S5_" */
    unsigned count;              /* NumElements */
    unsigned decoded;
    uint64_t value[8];
};

/* PkgLength (ACPI 6.5, 20.2.4): the lead byte's bits 7:6 say how many bytes
 * follow; with none, bits 5:0 are the length, else bits 3:0 are its low
 * nibble and each following byte adds 8 more bits. */
static bool aml_pkglength(const uint8_t *a, size_t len, size_t *at, size_t *value)
{
    unsigned follow;

    if (*at >= len)
        return false;
    follow = a[*at] >> 6;
    if (*at + follow >= len)
        return false;
    if (follow == 0) {
        *value = a[*at] & 0x3f;
    } else {
        *value = a[*at] & 0x0f;
        for (unsigned i = 1; i <= follow; i++)
            *value |= (size_t)a[*at + i] << (4 + 8 * (i - 1));
    }
    *at += follow + 1;
    return true;
}

/* One ComputationalData / constant object. */
static bool aml_integer(const uint8_t *a, size_t end, size_t *at, uint64_t *v)
{
    static const struct { uint8_t op; unsigned bytes; } prefixes[] = {
        { 0x0a, 1 }, { 0x0b, 2 }, { 0x0c, 4 }, { 0x0e, 8 },   /* Byte/Word/DWord/QWordPrefix */
    };

    if (*at >= end)
        return false;
    switch (a[*at]) {
    case 0x00: *v = 0; (*at)++; return true;                 /* ZeroOp */
    case 0x01: *v = 1; (*at)++; return true;                 /* OneOp */
    case 0xff: *v = UINT64_MAX; (*at)++; return true;        /* OnesOp */
    default: break;
    }
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (a[*at] != prefixes[i].op)
            continue;
        if (end - *at < 1 + prefixes[i].bytes)
            return false;
        *v = 0;
        for (unsigned k = 0; k < prefixes[i].bytes; k++)
            *v |= (uint64_t)a[*at + 1 + k] << (8 * k);
        *at += 1 + prefixes[i].bytes;
        return true;
    }
    return false;
}

/* DefName := NameOp NameString DataRefObject, where the object must be a
 * DefPackage of integers, and nothing may follow it. */
static bool aml_decode_name_package(const uint8_t *a, size_t len, struct aml_pkg *out)
{
    size_t at = 0, n = 0, pkg_start, pkg_len, pkg_end;

    memset(out, 0, sizeof(*out));
    if (len < 1 || a[at++] != 0x08)                          /* NameOp */
        return false;
    if (at < len && a[at] == 0x5c)                           /* RootChar */
        out->name[n++] = (char)a[at++];
    if (len - at < 4)
        return false;
    for (int i = 0; i < 4; i++) {                            /* NameSeg: lead [A-Z_], then [A-Z0-9_] */
        char c = (char)a[at + i];
        if (!((c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9')))
            return false;
        out->name[n++] = c;
    }
    at += 4;
    if (at >= len || a[at++] != 0x12)                        /* PackageOp */
        return false;
    pkg_start = at;
    if (!aml_pkglength(a, len, &at, &pkg_len))
        return false;
    pkg_end = pkg_start + pkg_len;
    if (pkg_end != len || at >= pkg_end)
        return false;
    out->count = a[at++];                                    /* NumElements */
    while (at < pkg_end && out->decoded < 8) {
        if (!aml_integer(a, pkg_end, &at, &out->value[out->decoded]))
            return false;
        out->decoded++;
    }
    return at == pkg_end;
}

TEST(acpi_build_dsdt_defines_s5)
{
    for (uint8_t typ = 0; typ <= 7; typ++) {
        struct acpi_build_params p = params(1);
        static struct blob b;
        struct aml_pkg pkg;
        uint32_t len;

        p.s5_slp_typ = typ;
        BUILD(&p, &b);
        len = rd32(b.buf + b.dsdt, HDR_LENGTH);
        CHECK(len > HDR_SIZE);
        CHECK(aml_decode_name_package(b.buf + b.dsdt + HDR_SIZE, len - HDR_SIZE, &pkg));
        CHECK_STR(pkg.name, "\\_S5_");
        CHECK_EQ_U64(pkg.count, 4);
        CHECK_EQ_U64(pkg.decoded, 4);
        CHECK_EQ_U64(pkg.value[0], typ);
        CHECK_EQ_U64(pkg.value[1], typ);
        CHECK_EQ_U64(pkg.value[2], 0);
        CHECK_EQ_U64(pkg.value[3], 0);
    }
}

TEST(acpi_aml_decoder_self_check)
{
    /* The decoder against hand-made encodings: a two-byte PkgLength
     * (0x48 0x00: one more byte, 8 | 0 << 4 = 8) and the other integer
     * forms (OneOp, WordPrefix, OnesOp). */
    static const uint8_t good[] = { 0x08, 'A', 'B', 'C', 'D', 0x12, 0x48, 0x00, 0x03,
                                    0x01, 0x0b, 0x34, 0x12, 0xff };
    /* The same with a PkgLength of 1 (0x41 0x00): the package would end
     * inside its own header. */
    static const uint8_t short_pkg[] = { 0x08, 'A', 'B', 'C', 'D', 0x12, 0x41, 0x00, 0x03,
                                         0x01, 0x0b, 0x34, 0x12, 0xff };
    /* A NameSeg may not start with a digit. */
    static const uint8_t bad_name[] = { 0x08, '1', 'B', 'C', 'D', 0x12, 0x02, 0x00 };
    /* 0x4a 0x01: 0xa | 0x1 << 4 = 26 bytes, more than there are. */
    static const uint8_t long_pkg[] = { 0x08, 'A', 'B', 'C', 'D', 0x12, 0x4a, 0x01, 0x00 };
    struct aml_pkg pkg;

    CHECK(aml_decode_name_package(good, sizeof(good), &pkg));
    CHECK_STR(pkg.name, "ABCD");
    CHECK_EQ_U64(pkg.count, 3);
    CHECK_EQ_U64(pkg.decoded, 3);
    CHECK_EQ_U64(pkg.value[0], 1);
    CHECK_EQ_U64(pkg.value[1], 0x1234);
    CHECK_EQ_U64(pkg.value[2], UINT64_MAX);
    CHECK(!aml_decode_name_package(short_pkg, sizeof(short_pkg), &pkg));
    CHECK(!aml_decode_name_package(bad_name, sizeof(bad_name), &pkg));
    CHECK(!aml_decode_name_package(long_pkg, sizeof(long_pkg), &pkg));
    CHECK(!aml_decode_name_package(good, sizeof(good) - 1, &pkg));
}

/* ---- the MADT --------------------------------------------------------------- */

struct madt_summary {
    unsigned lapic, x2apic, ioapic, override, other;
    uint32_t ids[1024];          /* processor APIC IDs in table order */
    uint32_t uids[1024];
    unsigned cpus;
};

/* Walks the entries; they must tile the table exactly and have the lengths
 * the specification gives their types. */
static void walk_madt(struct unit_ctx *unit_ctx_, const uint8_t *m, struct madt_summary *s)
{
    uint32_t len = rd32(m, HDR_LENGTH);

    memset(s, 0, sizeof(*s));
    CHECK(acpi_checksum_ok(m, len));
    CHECK(bytes_are(m, 0, "APIC"));
    for (uint32_t off = MADT_ENTRIES; off < len;) {
        uint8_t type = m[off], elen = m[off + 1];

        CHECK(elen >= 2 && off + elen <= len);
        switch (type) {
        case 0:
            CHECK_EQ_U64(elen, 8);
            CHECK_EQ_U64(rd32(m, off + 4), 1);               /* enabled */
            s->uids[s->cpus] = m[off + 2];
            s->ids[s->cpus++] = m[off + 3];
            s->lapic++;
            break;
        case 9:
            CHECK_EQ_U64(elen, 16);
            CHECK_EQ_U64(rd16(m, off + 2), 0);
            CHECK_EQ_U64(rd32(m, off + 8), 1);               /* enabled */
            s->ids[s->cpus] = rd32(m, off + 4);
            s->uids[s->cpus++] = rd32(m, off + 12);
            s->x2apic++;
            break;
        case 1:
            CHECK_EQ_U64(elen, 12);
            s->ioapic++;
            break;
        case 2:
            CHECK_EQ_U64(elen, 10);
            s->override++;
            break;
        default:
            s->other++;
            break;
        }
        off += elen;
    }
}

#define WALK_MADT(m, s)                                                         \
    do {                                                                        \
        walk_madt(unit_ctx_, (m), (s));                                         \
        CHECK_PASSING();                                                        \
    } while (0)

TEST(acpi_build_madt_one_cpu)
{
    struct acpi_build_params p = params(1);
    static struct blob b;
    static struct madt_summary s;
    const uint8_t *m;

    ids_seq[0] = 0;
    BUILD(&p, &b);
    m = b.buf + b.madt;
    CHECK_EQ_U64(rd32(m, HDR_LENGTH), 44 + 8);
    CHECK_EQ_U64(rd32(m, MADT_LAPIC_ADDR), 0xfee00000u);
    CHECK_EQ_U64(rd32(m, MADT_FLAGS), 1);                   /* PCAT_COMPAT */
    WALK_MADT(m, &s);
    CHECK_EQ_U64(s.lapic, 1);
    CHECK_EQ_U64(s.x2apic + s.ioapic + s.override + s.other, 0);
    CHECK_EQ_U64(s.ids[0], 0);
    CHECK_EQ_U64(s.uids[0], 0);
}

TEST(acpi_build_madt_four_cpus_in_order)
{
    static const uint32_t ids[] = { 2, 0, 1, 6 };            /* the BSP first, whatever its ID */
    struct acpi_build_params p = params(4);
    static struct blob b;
    static struct madt_summary s;

    p.apic_ids = ids;
    BUILD(&p, &b);
    CHECK_EQ_U64(rd32(b.buf + b.madt, HDR_LENGTH), 44 + 4 * 8);
    WALK_MADT(b.buf + b.madt, &s);
    CHECK_EQ_U64(s.lapic, 4);
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ_U64(s.ids[i], ids[i]);
        CHECK_EQ_U64(s.uids[i], i);
    }
}

TEST(acpi_build_madt_x2apic_above_254)
{
    struct acpi_build_params p = params(300);
    static struct blob b;
    static struct madt_summary s;

    BUILD(&p, &b);
    /* IDs 0..254 as local APIC entries, 255..299 as x2APIC entries. */
    CHECK_EQ_U64(rd32(b.buf + b.madt, HDR_LENGTH), 44 + 255 * 8 + 45 * 16);
    WALK_MADT(b.buf + b.madt, &s);
    CHECK_EQ_U64(s.lapic, 255);
    CHECK_EQ_U64(s.x2apic, 45);
    CHECK_EQ_U64(s.cpus, 300);
    for (unsigned i = 0; i < 300; i++) {
        CHECK_EQ_U64(s.ids[i], i);
        CHECK_EQ_U64(s.uids[i], i);
    }
    CHECK_EQ_U64(b.size, acpi_build_size(&p));
}

TEST(acpi_build_madt_id_255_uses_x2apic)
{
    /* 255 is the xAPIC broadcast ID: never a local APIC entry, even with a
     * small UID. */
    static const uint32_t ids[] = { 254, 255 };
    struct acpi_build_params p = params(2);
    static uint8_t m[256];
    static struct madt_summary s;

    p.apic_ids = ids;
    CHECK_EQ_U64(acpi_build_madt(&p, m, sizeof(m)), 44 + 8 + 16);
    WALK_MADT(m, &s);
    CHECK_EQ_U64(s.lapic, 1);
    CHECK_EQ_U64(s.x2apic, 1);
    CHECK_EQ_U64(s.ids[0], 254);
    CHECK_EQ_U64(s.ids[1], 255);
    CHECK_EQ_U64(s.uids[1], 1);
}

TEST(acpi_build_madt_large_uid_uses_x2apic)
{
    static const uint32_t ids[] = { 0, 1 };
    static const uint32_t uids[] = { 7, 0x1000 };
    struct acpi_build_params p = params(2);
    static uint8_t m[256];
    static struct madt_summary s;

    p.apic_ids = ids;
    p.acpi_uids = uids;
    CHECK_EQ_U64(acpi_build_madt(&p, m, sizeof(m)), 44 + 8 + 16);
    WALK_MADT(m, &s);
    CHECK_EQ_U64(s.lapic, 1);
    CHECK_EQ_U64(s.x2apic, 1);
    CHECK_EQ_U64(s.uids[0], 7);
    CHECK_EQ_U64(s.ids[1], 1);
    CHECK_EQ_U64(s.uids[1], 0x1000);
}

TEST(acpi_build_madt_ioapic_and_overrides)
{
    struct acpi_build_params p = with_ioapic(params(4));
    static uint8_t m[256];
    static struct madt_summary s;
    size_t n, off;

    n = acpi_build_madt(&p, m, sizeof(m));
    CHECK_EQ_U64(n, 44 + 4 * 8 + 12 + 10 + 10);
    CHECK_EQ_U64(rd32(m, HDR_LENGTH), n);
    WALK_MADT(m, &s);
    CHECK_EQ_U64(s.lapic, 4);
    CHECK_EQ_U64(s.ioapic, 1);
    CHECK_EQ_U64(s.override, 2);

    off = 44 + 4 * 8;                                        /* the I/O APIC entry */
    CHECK_EQ_U64(m[off], 1);
    CHECK_EQ_U64(m[off + 2], 4);                             /* its ID */
    CHECK_EQ_U64(rd32(m, off + 4), 0xfec00000u);
    CHECK_EQ_U64(rd32(m, off + 8), 0);                       /* GSI base */

    off += 12;                                               /* IRQ 0 -> GSI 2, bus defaults */
    CHECK_EQ_U64(m[off], 2);
    CHECK_EQ_U64(m[off + 2], 0);                             /* ISA */
    CHECK_EQ_U64(m[off + 3], 0);
    CHECK_EQ_U64(rd32(m, off + 4), 2);
    CHECK_EQ_U64(rd16(m, off + 8), 0);

    off += 10;                                               /* SCI: level, active low */
    CHECK_EQ_U64(m[off + 2], 0);
    CHECK_EQ_U64(m[off + 3], 9);
    CHECK_EQ_U64(rd32(m, off + 4), 9);
    CHECK_EQ_U64(rd16(m, off + 8) & 3, 3);                   /* polarity: active low */
    CHECK_EQ_U64((rd16(m, off + 8) >> 2) & 3, 3);            /* trigger: level */

    /* An SCI that is not an ISA IRQ gets no override. */
    p.sci_irq = 20;
    CHECK_EQ_U64(acpi_build_madt(&p, m, sizeof(m)), 44 + 4 * 8 + 12 + 10);
    WALK_MADT(m, &s);
    CHECK_EQ_U64(s.override, 1);
}

TEST(acpi_build_madt_same_in_blob_and_alone)
{
    struct acpi_build_params p = with_ioapic(params(8));
    static struct blob b;
    static uint8_t m[512];
    size_t n;

    BUILD(&p, &b);
    n = acpi_build_madt(&p, m, sizeof(m));
    CHECK_EQ_U64(n, rd32(b.buf + b.madt, HDR_LENGTH));
    CHECK(memcmp(m, b.buf + b.madt, n) == 0);
    CHECK_EQ_U64(b.madt + n, b.size);
}

/* ---- invalid parameters and short buffers ----------------------------------- */

TEST(acpi_build_rejects_bad_params)
{
    static uint8_t buf[8192];
    struct acpi_build_params p;

    CHECK_EQ_U64(acpi_build_size(NULL), 0);
    CHECK_EQ_U64(acpi_build(NULL, buf, sizeof(buf)), 0);
    p = params(1);
    CHECK_EQ_U64(acpi_build(&p, NULL, 4096), 0);

#define REJECTS(field, value)                                                   \
    do {                                                                        \
        p = params(2);                                                          \
        p.field = value;                                                        \
        CHECK_EQ_U64(acpi_build_size(&p), 0);                                   \
        CHECK_EQ_U64(acpi_build(&p, buf, sizeof(buf)), 0);                      \
    } while (0)
    REJECTS(cpu_count, 0);
    REJECTS(apic_ids, NULL);
    REJECTS(pm1a_evt_port, 0);
    REJECTS(pm1a_cnt_port, 0);
    REJECTS(pm1a_evt_port, 0xfffd);          /* 4 bytes would pass 0xffff */
    REJECTS(pm1a_cnt_port, 0xffff);
    REJECTS(pm_tmr_port, 0xfffe);
    REJECTS(s5_slp_typ, 8);
    REJECTS(lapic_base, 0x100000000ull);
    REJECTS(base, 1ull << 52);
    REJECTS(base, UINT64_MAX - 16);
    REJECTS(cpu_count, UINT32_MAX);
#undef REJECTS

    /* With an I/O APIC the SCI may not sit on the timer's IRQ or pin. */
    p = with_ioapic(params(2));
    p.sci_irq = 0;
    CHECK_EQ_U64(acpi_build_madt(&p, buf, sizeof(buf)), 0);
    p.sci_irq = 2;
    CHECK_EQ_U64(acpi_build_madt(&p, buf, sizeof(buf)), 0);
    p = with_ioapic(params(2));
    p.ioapic_base = 0x100000000ull;
    CHECK_EQ_U64(acpi_build_madt(&p, buf, sizeof(buf)), 0);

    /* The largest valid port blocks are fine. */
    p = params(2);
    p.pm1a_evt_port = 0xfffc;
    p.pm1a_cnt_port = 0xfffe;
    p.pm_tmr_port = 0xfff8;
    CHECK(acpi_build_size(&p) > 0);
}

/* Every size below the needed one fails without touching the buffer; each
 * buffer is allocated at exactly that size, so an overrun trips ASan. */
static void check_short_buffers(struct unit_ctx *unit_ctx_, const struct acpi_build_params *p,
                                bool madt_only)
{
    static uint8_t scratch[8192];
    size_t need = madt_only ? acpi_build_madt(p, scratch, sizeof(scratch)) : acpi_build_size(p);

    CHECK(need > 0);
    for (size_t size = 0; size < need; size++) {
        uint8_t *buf = malloc(size > 0 ? size : 1);
        size_t got;
        bool untouched = true;

        CHECK(buf != NULL);
        memset(buf, 0x5a, size);
        got = madt_only ? acpi_build_madt(p, buf, size) : acpi_build(p, buf, size);
        for (size_t i = 0; i < size; i++)
            untouched = untouched && buf[i] == 0x5a;
        free(buf);
        if (got != 0 || !untouched) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "size %zu of %zu: returned %zu, untouched %d",
                      size, need, got, untouched);
            return;
        }
    }
    {
        uint8_t *buf = malloc(need);
        size_t got;

        CHECK(buf != NULL);
        got = madt_only ? acpi_build_madt(p, buf, need) : acpi_build(p, buf, need);
        free(buf);
        CHECK_EQ_U64(got, need);
    }
}

TEST(acpi_build_short_buffers)
{
    struct acpi_build_params p = params(1);

    check_short_buffers(unit_ctx_, &p, false);
    CHECK_PASSING();
    p = with_ioapic(params(4));
    check_short_buffers(unit_ctx_, &p, false);
    CHECK_PASSING();
    p = params(300);
    check_short_buffers(unit_ctx_, &p, false);
    CHECK_PASSING();
    check_short_buffers(unit_ctx_, &p, true);
    CHECK_PASSING();
    p = with_ioapic(params(2));
    check_short_buffers(unit_ctx_, &p, true);
}

/* ---- acpi_find_table ------------------------------------------------------- */

TEST(acpi_find_table_finds_each_table)
{
    struct acpi_build_params p = params(4);
    static struct blob b;
    static const char *const sigs[] = { "FACP", "APIC", "DSDT", "FACS" };

    BUILD(&p, &b);
    CHECK(acpi_find_table(b.buf, b.size, BASE, "FACP") == b.buf + b.fadt);
    CHECK(acpi_find_table(b.buf, b.size, BASE, "APIC") == b.buf + b.madt);
    CHECK(acpi_find_table(b.buf, b.size, BASE, "DSDT") == b.buf + b.dsdt);
    CHECK(acpi_find_table(b.buf, b.size, BASE, "FACS") == b.buf + b.facs);
    CHECK(acpi_find_table(b.buf, b.size, BASE, "HPET") == NULL);
    CHECK(acpi_find_table(b.buf, b.size, BASE, "XSDT") == NULL);   /* not listed in itself */
    /* At the wrong base nothing is where the pointers say. */
    for (size_t i = 0; i < 4; i++) {
        CHECK(acpi_find_table(b.buf, b.size, BASE + 16, sigs[i]) == NULL);
        CHECK(acpi_find_table(b.buf, b.size, BASE - 16, sigs[i]) == NULL);
    }
    CHECK(acpi_find_table(NULL, b.size, BASE, "FACP") == NULL);
}

/* Sets the checksum byte at off so the len bytes at t sum to zero. */
static void fix_checksum(uint8_t *t, size_t len, size_t off)
{
    uint8_t sum = 0;

    t[off] = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + t[i]);
    t[off] = (uint8_t)-sum;
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[off + i] = (uint8_t)(v >> (8 * i));
}

TEST(acpi_find_table_follows_rsdt_for_revision_0)
{
    /* An ACPI 1.0 layout by hand: RSDP rev 0 -> RSDT (32-bit entries) ->
     * MADT and a revision 1 FADT (116 bytes) -> DSDT.  Past the short FADT's
     * end, where X_DSDT would be, lies junk that must not be used. */
    struct acpi_build_params p = params(2);
    static uint8_t blob[1024];
    const uint64_t base = 0x1000;
    enum { RSDT = 0x20, MADT = 0x80, FADT = 0x100, DSDT = 0x200, FADT_V1_LEN = 116 };

    memset(blob, 0, sizeof(blob));
    memcpy(blob, "RSD PTR ", 8);
    put32(blob, RSDP_RSDT, (uint32_t)base + RSDT);
    fix_checksum(blob, 20, RSDP_CHECKSUM);

    memcpy(blob + RSDT, "RSDT", 4);
    put32(blob + RSDT, HDR_LENGTH, HDR_SIZE + 8);
    put32(blob + RSDT, HDR_SIZE, (uint32_t)base + MADT);
    put32(blob + RSDT, HDR_SIZE + 4, (uint32_t)base + FADT);
    fix_checksum(blob + RSDT, HDR_SIZE + 8, HDR_CHECKSUM);

    CHECK(acpi_build_madt(&p, blob + MADT, FADT - MADT) > 0);

    memcpy(blob + FADT, "FACP", 4);
    put32(blob + FADT, HDR_LENGTH, FADT_V1_LEN);
    blob[FADT + HDR_REVISION] = 1;
    put32(blob + FADT, FADT_DSDT, (uint32_t)base + DSDT);
    fix_checksum(blob + FADT, FADT_V1_LEN, HDR_CHECKSUM);
    put32(blob + FADT, FADT_X_DSDT, (uint32_t)base + MADT);  /* junk beyond the FADT */

    memcpy(blob + DSDT, "DSDT", 4);
    put32(blob + DSDT, HDR_LENGTH, HDR_SIZE);
    fix_checksum(blob + DSDT, HDR_SIZE, HDR_CHECKSUM);

    CHECK(acpi_find_table(blob, sizeof(blob), base, "APIC") == blob + MADT);
    CHECK(acpi_find_table(blob, sizeof(blob), base, "FACP") == blob + FADT);
    CHECK(acpi_find_table(blob, sizeof(blob), base, "DSDT") == blob + DSDT);
    CHECK(acpi_find_table(blob, sizeof(blob), base, "FACS") == NULL);
}

TEST(acpi_find_table_rejects_short_rsdp)
{
    /* A revision 2 RSDP whose length field says less than 36 bytes is
     * invalid even when both checksums match what it claims. */
    struct acpi_build_params p = params(1);
    static struct blob b;

    BUILD(&p, &b);
    put32(b.buf, RSDP_LENGTH, 20);
    fix_checksum(b.buf, 20, RSDP_CHECKSUM);
    CHECK(acpi_checksum_ok(b.buf, 20));
    CHECK(acpi_find_table(b.buf, b.size, BASE, "FACP") == NULL);
    put32(b.buf, RSDP_LENGTH, 36);
    fix_checksum(b.buf, 20, RSDP_CHECKSUM);
    fix_checksum(b.buf, 36, RSDP_EXT_CHECKSUM);
    CHECK(acpi_find_table(b.buf, b.size, BASE, "FACP") == b.buf + b.fadt);
}

/* Hostile blobs: every single-byte corruption and every truncation.  Nothing
 * may be read outside the blob (each copy is allocated at its exact size for
 * ASan), and whatever is returned must be inside it and check out. */
TEST(acpi_find_table_hostile_blobs)
{
    struct acpi_build_params p = with_ioapic(params(4));
    static struct blob b;
    static const char *const sigs[] = { "FACP", "APIC", "DSDT", "FACS" };

    BUILD(&p, &b);
    for (size_t pos = 0; pos < b.size; pos++) {
        for (unsigned flip = 0; flip < 2; flip++) {
            uint8_t *copy = malloc(b.size);

            CHECK(copy != NULL);
            memcpy(copy, b.buf, b.size);
            copy[pos] ^= flip ? 0xff : 0x01;
            for (size_t s = 0; s < 4; s++) {
                const uint8_t *t = acpi_find_table(copy, b.size, BASE, sigs[s]);

                if (t == NULL)
                    continue;
                if (t < copy || t + 8 > copy + b.size || memcmp(t, sigs[s], 4) != 0) {
                    free(copy);
                    unit_fail(unit_ctx_, __FILE__, __LINE__, "corrupt byte %zu: bad %s", pos, sigs[s]);
                    return;
                }
                if (s < 3 && (rd32(t, HDR_LENGTH) > (size_t)(copy + b.size - t) ||
                              !acpi_checksum_ok(t, rd32(t, HDR_LENGTH)))) {
                    free(copy);
                    unit_fail(unit_ctx_, __FILE__, __LINE__, "corrupt byte %zu: %s accepted", pos, sigs[s]);
                    return;
                }
            }
            free(copy);
        }
    }
    for (size_t size = 0; size < b.size; size++) {
        uint8_t *copy = malloc(size > 0 ? size : 1);

        CHECK(copy != NULL);
        memcpy(copy, b.buf, size);
        /* The MADT is last: only the whole blob has it. */
        if (acpi_find_table(copy, size, BASE, "APIC") != NULL) {
            free(copy);
            unit_fail(unit_ctx_, __FILE__, __LINE__, "MADT found in a blob cut at %zu", size);
            return;
        }
        for (size_t s = 0; s < 4; s++)
            (void)acpi_find_table(copy, size, BASE, sigs[s]);
        free(copy);
    }
}

/* ---- acpi_filter_madt --------------------------------------------------------- */

/* A firmware-like MADT: four local APICs, an x2APIC, an I/O APIC, an
 * override and a local APIC NMI entry (type 4, which the filter keeps). */
static size_t firmware_madt(uint8_t *m)
{
    size_t n = 44;
    uint8_t sum = 0;

    memset(m, 0, 256);
    memcpy(m, "APIC", 4);
    m[HDR_REVISION] = 4;
    memcpy(m + HDR_OEM, "FWOEM ", 6);
    m[MADT_LAPIC_ADDR + 2] = 0xe0;
    m[MADT_LAPIC_ADDR + 3] = 0xfe;
    m[MADT_FLAGS] = 1;
    for (uint8_t i = 0; i < 4; i++) {                        /* UID i, APIC ID 2i, enabled */
        uint8_t e[8] = { 0, 8, i, (uint8_t)(2 * i), 1, 0, 0, 0 };
        memcpy(m + n, e, 8);
        n += 8;
    }
    {
        uint8_t e[16] = { 9, 16, 0, 0, 0x2c, 0x01, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0 };  /* x2APIC 300 */
        memcpy(m + n, e, 16);
        n += 16;
    }
    {
        uint8_t e[12] = { 1, 12, 8, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 };
        memcpy(m + n, e, 12);
        n += 12;
    }
    {
        uint8_t e[10] = { 2, 10, 0, 0, 2, 0, 0, 0, 0, 0 };
        memcpy(m + n, e, 10);
        n += 10;
    }
    {
        uint8_t e[6] = { 4, 6, 0xff, 5, 0, 1 };              /* all processors, LINT1 */
        memcpy(m + n, e, 6);
        n += 6;
    }
    m[HDR_LENGTH] = (uint8_t)n;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + m[i]);
    m[HDR_CHECKSUM] = (uint8_t)-sum;
    return n;
}

TEST(acpi_filter_madt_keeps_listed_cpus_and_the_rest)
{
    static uint8_t fw[256], out[256];
    static const uint32_t keep[] = { 0, 4, 300 };
    static struct madt_summary s;
    size_t fw_len = firmware_madt(fw), n;

    CHECK(acpi_checksum_ok(fw, fw_len));
    n = acpi_filter_madt(fw, fw_len, keep, 3, out, sizeof(out));
    CHECK_EQ_U64(n, fw_len - 2 * 8);                         /* APIC IDs 2 and 6 dropped */
    CHECK_EQ_U64(rd32(out, HDR_LENGTH), n);
    CHECK(bytes_are(out, HDR_OEM, "FWOEM "));
    CHECK_EQ_U64(rd32(out, MADT_LAPIC_ADDR), 0xfee00000u);
    WALK_MADT(out, &s);
    CHECK_EQ_U64(s.lapic, 2);
    CHECK_EQ_U64(s.x2apic, 1);
    CHECK_EQ_U64(s.ids[0], 0);
    CHECK_EQ_U64(s.ids[1], 4);
    CHECK_EQ_U64(s.uids[1], 2);                              /* the firmware's UID kept */
    CHECK_EQ_U64(s.ids[2], 300);
    CHECK_EQ_U64(s.ioapic, 1);
    CHECK_EQ_U64(s.override, 1);
    CHECK_EQ_U64(s.other, 1);

    /* No CPUs listed: only the non-processor entries remain. */
    n = acpi_filter_madt(fw, fw_len, NULL, 0, out, sizeof(out));
    CHECK_EQ_U64(n, 44 + 12 + 10 + 6);
    WALK_MADT(out, &s);
    CHECK_EQ_U64(s.cpus, 0);
}

TEST(acpi_filter_madt_rejects_bad_tables)
{
    static uint8_t fw[256], bad[256], out[256];
    static const uint32_t keep[] = { 0 };
    size_t fw_len = firmware_madt(fw);

    memcpy(bad, fw, sizeof(bad));
    bad[50] ^= 1;                                            /* checksum broken */
    CHECK_EQ_U64(acpi_filter_madt(bad, fw_len, keep, 1, out, sizeof(out)), 0);
    CHECK_EQ_U64(acpi_filter_madt(fw, fw_len - 1, keep, 1, out, sizeof(out)), 0);   /* truncated */
    CHECK_EQ_U64(acpi_filter_madt(fw, 40, keep, 1, out, sizeof(out)), 0);
    memcpy(bad, fw, sizeof(bad));
    memcpy(bad, "APIX", 4);                                  /* wrong signature, checksum fixed */
    {
        uint8_t sum = 0;
        bad[HDR_CHECKSUM] = 0;
        for (size_t i = 0; i < fw_len; i++)
            sum = (uint8_t)(sum + bad[i]);
        bad[HDR_CHECKSUM] = (uint8_t)-sum;
    }
    CHECK_EQ_U64(acpi_filter_madt(bad, fw_len, keep, 1, out, sizeof(out)), 0);

    /* Entry lengths that do not tile the table: 0, 1, past the end. */
    static const uint8_t lens[] = { 0, 1, 200 };
    for (size_t i = 0; i < sizeof(lens); i++) {
        uint8_t sum = 0;

        memcpy(bad, fw, sizeof(bad));
        bad[44 + 1] = lens[i];
        bad[HDR_CHECKSUM] = 0;
        for (size_t k = 0; k < fw_len; k++)
            sum = (uint8_t)(sum + bad[k]);
        bad[HDR_CHECKSUM] = (uint8_t)-sum;
        CHECK_EQ_U64(acpi_filter_madt(bad, fw_len, keep, 1, out, sizeof(out)), 0);
    }

    /* Short output buffers, each at its exact size. */
    size_t need = acpi_filter_madt(fw, fw_len, keep, 1, out, sizeof(out));
    CHECK(need > 0);
    for (size_t size = 0; size < need; size++) {
        uint8_t *buf = malloc(size > 0 ? size : 1);

        CHECK(buf != NULL);
        if (acpi_filter_madt(fw, fw_len, keep, 1, buf, size) != 0) {
            free(buf);
            unit_fail(unit_ctx_, __FILE__, __LINE__, "size %zu accepted", size);
            return;
        }
        free(buf);
    }
}

TEST(acpi_checksum_ok_basics)
{
    static const uint8_t zero[4] = { 0 };
    static const uint8_t sums[3] = { 0x80, 0x7f, 0x01 };

    CHECK(acpi_checksum_ok(zero, 4));
    CHECK(acpi_checksum_ok(zero, 0));
    CHECK(acpi_checksum_ok(sums, 3));
    CHECK(!acpi_checksum_ok(sums, 2));
    CHECK(!acpi_checksum_ok(NULL, 0));
}

TEST_SUITE(acpi_build,
    UNIT(acpi_build_rsdp_and_xsdt),
    UNIT(acpi_build_fadt_fields),
    UNIT(acpi_build_fadt_without_timer_or_reset),
    UNIT(acpi_build_above_4g_uses_64bit_pointers),
    UNIT(acpi_build_alignment_for_any_base),
    UNIT(acpi_build_oem_id_padding),
    UNIT(acpi_build_dsdt_defines_s5),
    UNIT(acpi_aml_decoder_self_check),
    UNIT(acpi_build_madt_one_cpu),
    UNIT(acpi_build_madt_four_cpus_in_order),
    UNIT(acpi_build_madt_x2apic_above_254),
    UNIT(acpi_build_madt_id_255_uses_x2apic),
    UNIT(acpi_build_madt_large_uid_uses_x2apic),
    UNIT(acpi_build_madt_ioapic_and_overrides),
    UNIT(acpi_build_madt_same_in_blob_and_alone),
    UNIT(acpi_build_rejects_bad_params),
    UNIT(acpi_build_short_buffers),
    UNIT(acpi_find_table_finds_each_table),
    UNIT(acpi_find_table_follows_rsdt_for_revision_0),
    UNIT(acpi_find_table_rejects_short_rsdp),
    UNIT(acpi_find_table_hostile_blobs),
    UNIT(acpi_filter_madt_keeps_listed_cpus_and_the_rest),
    UNIT(acpi_filter_madt_rejects_bad_tables),
    UNIT(acpi_checksum_ok_basics));
