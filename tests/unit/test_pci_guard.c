/* Unit tests for core/pci_guard.c. */
#include "test.h"

#include "core/pci_guard.h"

static const unsigned cfg_sizes[] = { 1, 2, 4 };
#define CFG_SIZE_COUNT (sizeof(cfg_sizes) / sizeof(cfg_sizes[0]))

#define ECAM_BASE 0xb0000000ull

static uint32_t cf8(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    return 0x80000000u | (bus << 16) | (dev << 11) | (fn << 8) | reg;
}

static struct pci_addr at(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t offset)
{
    struct pci_addr a = { .bus = bus, .dev = dev, .fn = fn, .offset = offset };

    return a;
}

/* ---- a fake function's configuration space --------------------------------
 * 4 KiB of bytes and a byte-granular map of locked bits, the reference the
 * sweeps check pci_config_write_problem() against. */

struct fake_fn {
    uint8_t bytes[PCI_CONFIG_SPACE_SIZE];
    uint8_t locked[PCI_CONFIG_SPACE_SIZE];
};

static void fake_fill(struct fake_fn *f, uint8_t seed)
{
    for (unsigned i = 0; i < PCI_CONFIG_SPACE_SIZE; i++)
        f->bytes[i] = (uint8_t)(seed + i * 37u);
    memset(f->locked, 0, sizeof(f->locked));
}

static void fake_lock(struct fake_fn *f, const struct pci_locked_reg *r)
{
    for (unsigned i = 0; i < r->width; i++)
        f->locked[r->offset + i] |= (uint8_t)(r->locked >> (8 * i));
}

static uint32_t fake_dword(const struct fake_fn *f, uint16_t offset)
{
    unsigned o = offset & ~3u;

    return (uint32_t)f->bytes[o] | (uint32_t)f->bytes[o + 1] << 8 |
           (uint32_t)f->bytes[o + 2] << 16 | (uint32_t)f->bytes[o + 3] << 24;
}

/* Does writing `value` change a locked bit, by the byte map?  Bytes past the
 * written dword count as unknown. */
static bool fake_expect_problem(const struct fake_fn *f, uint16_t offset, unsigned size,
                                uint32_t value)
{
    for (unsigned i = 0; i < size && offset + i < PCI_CONFIG_SPACE_SIZE; i++) {
        uint8_t lock = f->locked[offset + i];
        uint8_t b = (uint8_t)(value >> (8 * i));

        if (lock == 0)
            continue;
        if ((offset & 3u) + i >= 4 || ((b ^ f->bytes[offset + i]) & lock) != 0)
            return true;
    }
    return false;
}

/* The current bytes at offset.., with the bits in xor_mask of byte i flipped. */
static uint32_t fake_value(const struct fake_fn *f, uint16_t offset, unsigned size,
                           unsigned flip_lane, uint8_t flip)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < size && offset + i < PCI_CONFIG_SPACE_SIZE; i++) {
        uint8_t b = f->bytes[offset + i];

        if (i == flip_lane)
            b ^= flip;
        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

/* Every size at every offset in [first, last], writing the current bytes
 * with each single bit of each lane flipped, plus the unchanged value:
 * pci_config_write_problem() must agree with the byte map. */
static void sweep_against_map(struct unit_ctx *unit_ctx_, const struct pci_locked_reg *regs,
                              size_t count, const struct fake_fn *f, uint8_t bus, uint8_t dev,
                              uint8_t fn, uint16_t first, uint16_t last)
{
    for (size_t s = 0; s < CFG_SIZE_COUNT; s++) {
        unsigned size = cfg_sizes[s];

        for (uint16_t o = first; o <= last; o++) {
            uint32_t current = fake_dword(f, o);

            for (unsigned lane = 0; lane < size; lane++) {
                for (unsigned bit = 0; bit <= 8; bit++) {
                    uint8_t flip = bit < 8 ? (uint8_t)(1u << bit) : 0;
                    uint32_t v = fake_value(f, o, size, lane, flip);
                    const char *p = pci_config_write_problem(regs, count, at(bus, dev, fn, o),
                                                             size, v, current);
                    bool want = fake_expect_problem(f, o, size, v);

                    if ((p != NULL) != want) {
                        unit_fail(unit_ctx_, __FILE__, __LINE__,
                                  "offset 0x%x size %u value 0x%08x: problem %s, want %s", o,
                                  size, v, p ? p : "none", want ? "one" : "none");
                        return;
                    }
                }
            }
        }
    }
}

/* The locked registers of an ICH at 0:1f.0 on Q35. */
static size_t ich_q35_regs(struct pci_locked_reg *out)
{
    struct pm_device d = { .kind = PM_CHIPSET_ICH, .bus = 0, .dev = 0x1f, .fn = 0 };

    return pm_locked_regs(&d, true, out, PM_LOCKED_REGS_MAX);
}

static size_t piix4_regs(struct pci_locked_reg *out)
{
    struct pm_device d = { .kind = PM_CHIPSET_PIIX4, .bus = 0, .dev = 1, .fn = 3 };

    return pm_locked_regs(&d, false, out, PM_LOCKED_REGS_MAX);
}

/* ---- mechanism #1 ----------------------------------------------------------- */

TEST(cf8_decodes_fields_and_lane)
{
    for (uint16_t port = 0xcfc; port <= 0xcff; port++) {
        struct pci_addr a = { 0 };

        CHECK(pci_cf8_target(cf8(0x12, 0x1f, 3, 0x44), port, false, &a));
        CHECK_EQ_U64(a.bus, 0x12);
        CHECK_EQ_U64(a.dev, 0x1f);
        CHECK_EQ_U64(a.fn, 3);
        CHECK_EQ_U64(a.offset, 0x44 + (port & 3));
    }
}

TEST(cf8_disabled_or_not_a_data_port)
{
    static const uint16_t not_data[] = { 0xcf8, 0xcf9, 0xcfb, 0xd00, 0x0000, 0xffff };
    struct pci_addr a = { .bus = 7, .dev = 7, .fn = 7, .offset = 7 };

    CHECK(!pci_cf8_target(cf8(0, 0x1f, 0, 0x40) & 0x7fffffffu, 0xcfc, false, &a));
    CHECK(!pci_cf8_target(0x7fffffffu, 0xcfc, true, &a));
    for (size_t i = 0; i < sizeof(not_data) / sizeof(not_data[0]); i++)
        CHECK(!pci_cf8_target(cf8(0, 0x1f, 0, 0x40), not_data[i], false, &a));
    CHECK(!pci_cf8_target(cf8(0, 0x1f, 0, 0x40), 0xcfc, false, NULL));
    CHECK_EQ_U64(a.bus, 7);                      /* untouched */
    CHECK_EQ_U64(a.offset, 7);
}

TEST(cf8_low_address_bits_ignored)
{
    struct pci_addr a = { 0 };

    CHECK(pci_cf8_target(cf8(0, 0x1f, 0, 0x43), 0xcfc, false, &a));
    CHECK_EQ_U64(a.offset, 0x40);
    CHECK(pci_cf8_target(cf8(0, 0x1f, 0, 0x43), 0xcfe, false, &a));
    CHECK_EQ_U64(a.offset, 0x42);
}

TEST(cf8_extended_register_bits)
{
    uint32_t addr = cf8(0, 0x1f, 0, 0x44) | (0xau << 24);
    struct pci_addr a = { 0 };

    /* AMD with EnableCf8ExtCfg: bits 27:24 are offset 11:8. */
    CHECK(pci_cf8_target(addr, 0xcfd, true, &a));
    CHECK_EQ_U64(a.offset, 0xa45);
    /* Intel: reserved, ignored - the write still lands at 0x45. */
    CHECK(pci_cf8_target(addr, 0xcfd, false, &a));
    CHECK_EQ_U64(a.offset, 0x45);
    /* Bits 30:28 are reserved everywhere. */
    CHECK(pci_cf8_target(cf8(0, 0x1f, 0, 0x44) | (0x7u << 28), 0xcfc, true, &a));
    CHECK_EQ_U64(a.offset, 0x44);
    CHECK_EQ_U64(a.bus, 0);
}

TEST(cf8_sweep_matches_formula)
{
    static const uint32_t patterns[] = { 0x80000000u, 0xffffffffu, 0x8f5a5a5au, 0xa5a5a5a5u,
                                         0x80fff8fcu, 0x8000f840u, 0xcccccccdu };

    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        for (uint16_t port = 0xcfc; port <= 0xcff; port++) {
            for (int ext = 0; ext <= 1; ext++) {
                uint32_t x = patterns[i];
                struct pci_addr a = { 0 };
                unsigned off = (x & 0xfc) | (port & 3) | (ext ? ((x >> 24) & 0xf) << 8 : 0);

                CHECK(pci_cf8_target(x, port, ext != 0, &a));
                CHECK_EQ_U64(a.bus, (x >> 16) & 0xff);
                CHECK_EQ_U64(a.dev, (x >> 11) & 0x1f);
                CHECK_EQ_U64(a.fn, (x >> 8) & 7);
                CHECK_EQ_U64(a.offset, off);
                CHECK(a.offset < PCI_CONFIG_SPACE_SIZE);
            }
        }
    }
}

/* ---- ECAM -------------------------------------------------------------------- */

TEST(ecam_decodes_fields)
{
    struct pci_addr a = { 0 };

    CHECK(pci_ecam_target(ECAM_BASE, 0, 255, ECAM_BASE + (0x1full << 15) + 0x44, &a));
    CHECK_EQ_U64(a.bus, 0);
    CHECK_EQ_U64(a.dev, 0x1f);
    CHECK_EQ_U64(a.fn, 0);
    CHECK_EQ_U64(a.offset, 0x44);
    CHECK(pci_ecam_target(ECAM_BASE, 0, 255,
                          ECAM_BASE + (0xabull << 20) + (0x13ull << 15) + (5ull << 12) + 0xfff,
                          &a));
    CHECK_EQ_U64(a.bus, 0xab);
    CHECK_EQ_U64(a.dev, 0x13);
    CHECK_EQ_U64(a.fn, 5);
    CHECK_EQ_U64(a.offset, 0xfff);
}

TEST(ecam_bounds)
{
    struct pci_addr a = { .bus = 9 };

    CHECK(!pci_ecam_target(ECAM_BASE, 0, 255, ECAM_BASE - 1, &a));
    CHECK(!pci_ecam_target(ECAM_BASE, 0, 255, 0, &a));
    /* 256 buses of 1 MiB: the window ends at base + 256 MiB. */
    CHECK(pci_ecam_target(ECAM_BASE, 0, 255, ECAM_BASE + (256ull << 20) - 1, &a));
    CHECK_EQ_U64(a.bus, 255);
    CHECK(!pci_ecam_target(ECAM_BASE, 0, 255, ECAM_BASE + (256ull << 20), &a));
    CHECK(!pci_ecam_target(ECAM_BASE, 0, 63, ECAM_BASE + (64ull << 20), &a));
    CHECK(pci_ecam_target(ECAM_BASE, 0, 63, ECAM_BASE + (64ull << 20) - 1, &a));
    CHECK_EQ_U64(a.bus, 63);
    CHECK(!pci_ecam_target(ECAM_BASE, 0, 255, UINT64_MAX, &a));
    CHECK(!pci_ecam_target(0, 0, 255, UINT64_MAX, &a));
    CHECK(!pci_ecam_target(ECAM_BASE, 5, 4, ECAM_BASE + (5ull << 20), &a));   /* empty range */
    CHECK(!pci_ecam_target(ECAM_BASE, 0, 255, ECAM_BASE, NULL));
}

TEST(ecam_base_is_bus_zero_even_above_start_bus)
{
    /* MCFG's base address is that of bus 0: bus 0x10's page is at +16 MiB. */
    struct pci_addr a = { 0 };

    CHECK(!pci_ecam_target(ECAM_BASE, 0x10, 0x1f, ECAM_BASE, &a));
    CHECK(!pci_ecam_target(ECAM_BASE, 0x10, 0x1f, ECAM_BASE + (0x10ull << 20) - 1, &a));
    CHECK(pci_ecam_target(ECAM_BASE, 0x10, 0x1f, ECAM_BASE + (0x10ull << 20), &a));
    CHECK_EQ_U64(a.bus, 0x10);
    CHECK(pci_ecam_target(ECAM_BASE, 0x10, 0x1f, ECAM_BASE + (0x1full << 20) + 0x40, &a));
    CHECK_EQ_U64(a.bus, 0x1f);
    CHECK(!pci_ecam_target(ECAM_BASE, 0x10, 0x1f, ECAM_BASE + (0x20ull << 20), &a));
}

TEST(ecam_base_near_top_of_address_space)
{
    uint64_t base = UINT64_MAX - (1ull << 20) + 1;      /* one bus left */
    struct pci_addr a = { 0 };

    CHECK(pci_ecam_target(base, 0, 255, UINT64_MAX, &a));
    CHECK_EQ_U64(a.bus, 0);
    CHECK_EQ_U64(a.offset, 0xfff);
    CHECK(!pci_ecam_target(base, 0, 255, base - 1, &a));
}

/* ---- locked registers: hand-checked cases ------------------------------------- */

TEST(locked_ich_pmbase)
{
    struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];
    size_t n = ich_q35_regs(regs);
    struct pci_addr pmbase = at(0, 0x1f, 0, 0x40);
    const uint32_t cur = 0x00000601u;           /* PMBASE 0x600, bit 0 reads 1 */

    CHECK_EQ_U64(n, 3);
    CHECK(pci_config_write_problem(regs, n, pmbase, 4, cur, cur) == NULL);
    CHECK_STR(pci_config_write_problem(regs, n, pmbase, 4, 0x00000701u, cur),
              "ICH PMBASE (ACPI I/O base)");
    CHECK_STR(pci_config_write_problem(regs, n, pmbase, 2, 0x0681u, cur),   /* bit 7 */
              "ICH PMBASE (ACPI I/O base)");
    /* Bits 6:0 and 31:16 are not the base. */
    CHECK(pci_config_write_problem(regs, n, pmbase, 1, 0x7f, cur) == NULL);
    CHECK(pci_config_write_problem(regs, n, pmbase, 4, 0xffff067eu, cur) == NULL);
    CHECK(pci_config_write_problem(regs, n, at(0, 0x1f, 0, 0x42), 2, 0xffff, cur) == NULL);
    CHECK_STR(pci_config_write_problem(regs, n, at(0, 0x1f, 0, 0x41), 1, 0x07, cur),
              "ICH PMBASE (ACPI I/O base)");
    CHECK(pci_config_write_problem(regs, n, at(0, 0x1f, 0, 0x41), 1, 0x06, cur) == NULL);
}

TEST(locked_ich_acpi_en)
{
    struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];
    size_t n = ich_q35_regs(regs);
    struct pci_addr cntl = at(0, 0x1f, 0, 0x44);
    const uint32_t cur = 0x00000080u;           /* ACPI_EN, SCI on IRQ9 */

    CHECK(pci_config_write_problem(regs, n, cntl, 1, 0x80, cur) == NULL);
    CHECK(pci_config_write_problem(regs, n, cntl, 1, 0x87, cur) == NULL);   /* SCI_IRQ_SEL */
    CHECK(pci_config_write_problem(regs, n, cntl, 4, 0xffffff80u, cur) == NULL);
    CHECK_STR(pci_config_write_problem(regs, n, cntl, 1, 0x00, cur),
              "ICH ACPI_CNTL.ACPI_EN (ACPI I/O enable)");
    CHECK_STR(pci_config_write_problem(regs, n, cntl, 4, 0x0000007fu, cur),
              "ICH ACPI_CNTL.ACPI_EN (ACPI I/O enable)");
    /* Disabled at boot: enabling it (at a base of the guest's choosing) is a change too. */
    CHECK_STR(pci_config_write_problem(regs, n, cntl, 1, 0x80, 0x00),
              "ICH ACPI_CNTL.ACPI_EN (ACPI I/O enable)");
    for (unsigned b = 0; b < 256; b++) {
        const char *p = pci_config_write_problem(regs, n, cntl, 1, b, cur);

        CHECK_EQ_U64(p != NULL, (b & 0x80) == 0);
    }
}

TEST(locked_piix4_pmba_and_pmregmisc)
{
    struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];
    size_t n = piix4_regs(regs);
    struct pci_addr pmba = at(0, 1, 3, 0x40), misc = at(0, 1, 3, 0x80);
    const uint32_t cur = 0x0000b001u;           /* PMBA 0xb000 */

    CHECK_EQ_U64(n, 2);
    CHECK(pci_config_write_problem(regs, n, pmba, 4, cur, cur) == NULL);
    CHECK(pci_config_write_problem(regs, n, pmba, 1, 0x3f, cur) == NULL);    /* bits 5:0 */
    CHECK_STR(pci_config_write_problem(regs, n, pmba, 1, 0x41, cur), "PIIX4 PMBA (PM I/O base)");
    CHECK_STR(pci_config_write_problem(regs, n, pmba, 2, 0xc001, cur), "PIIX4 PMBA (PM I/O base)");
    CHECK(pci_config_write_problem(regs, n, at(0, 1, 3, 0x42), 2, 0x1234, cur) == NULL);
    CHECK(pci_config_write_problem(regs, n, misc, 1, 0x01, 0x01) == NULL);
    CHECK(pci_config_write_problem(regs, n, misc, 1, 0xff, 0x01) == NULL);   /* bits 7:1 */
    CHECK_STR(pci_config_write_problem(regs, n, misc, 1, 0x00, 0x01),
              "PIIX4 PMREGMISC.PMIOSE (PM I/O enable)");
    CHECK_STR(pci_config_write_problem(regs, n, misc, 4, 0x00000001u, 0x00000000u),
              "PIIX4 PMREGMISC.PMIOSE (PM I/O enable)");
}

TEST(locked_q35_pciexbar_every_bit)
{
    struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];
    size_t n = ich_q35_regs(regs);
    const uint32_t lo = 0xb0000001u, hi = 0x00000000u;    /* 256 MiB at 0xB0000000, enabled */

    CHECK(pci_config_write_problem(regs, n, at(0, 0, 0, 0x60), 4, lo, lo) == NULL);
    CHECK(pci_config_write_problem(regs, n, at(0, 0, 0, 0x64), 4, hi, hi) == NULL);
    for (unsigned bit = 0; bit < 32; bit++) {
        CHECK_STR(pci_config_write_problem(regs, n, at(0, 0, 0, 0x60), 4, lo ^ (1u << bit), lo),
                  "Q35 PCIEXBAR (ECAM base)");
        CHECK_STR(pci_config_write_problem(regs, n, at(0, 0, 0, 0x64), 4, hi ^ (1u << bit), hi),
                  "Q35 PCIEXBAR (ECAM base)");
    }
    CHECK_STR(pci_config_write_problem(regs, n, at(0, 0, 0, 0x67), 1, 0x01, hi),
              "Q35 PCIEXBAR (ECAM base)");
    /* The neighbours (0x5C..0x5F, 0x68..) are free. */
    CHECK(pci_config_write_problem(regs, n, at(0, 0, 0, 0x68), 4, 0xffffffffu, 0) == NULL);
    CHECK(pci_config_write_problem(regs, n, at(0, 0, 0, 0x5c), 4, 0xffffffffu, 0) == NULL);
}

TEST(locked_other_functions_are_free)
{
    struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];
    size_t n = ich_q35_regs(regs);

    CHECK(pci_config_write_problem(regs, n, at(0, 0x1e, 0, 0x40), 4, 0, 0x601) == NULL);
    CHECK(pci_config_write_problem(regs, n, at(0, 0x1f, 1, 0x44), 4, 0, 0x80) == NULL);
    CHECK(pci_config_write_problem(regs, n, at(1, 0x1f, 0, 0x40), 4, 0, 0x601) == NULL);
    CHECK(pci_config_write_problem(regs, n, at(0, 0, 1, 0x60), 4, 0, 0xb0000001u) == NULL);
    /* The same offsets in extended space (0x140, 0x144) are other registers. */
    CHECK(pci_config_write_problem(regs, n, at(0, 0x1f, 0, 0x140), 4, 0, 0x601) == NULL);
}

TEST(locked_write_across_two_registers)
{
    /* A dword at 0x40 of a made-up function: A in its low half, B in its high. */
    const struct pci_locked_reg regs[] = {
        { .bus = 2, .dev = 3, .fn = 4, .offset = 0x40, .width = 2, .locked = 0xffff, .what = "A" },
        { .bus = 2, .dev = 3, .fn = 4, .offset = 0x42, .width = 2, .locked = 0x0ff0, .what = "B" },
    };
    const uint32_t cur = 0x12345678u;
    struct pci_addr a = at(2, 3, 4, 0x40);

    CHECK(pci_config_write_problem(regs, 2, a, 4, cur, cur) == NULL);
    CHECK_STR(pci_config_write_problem(regs, 2, a, 4, cur ^ 0x00100000u, cur), "B");
    CHECK(pci_config_write_problem(regs, 2, a, 4, cur ^ 0xf00f0000u, cur) == NULL);
    CHECK_STR(pci_config_write_problem(regs, 2, a, 4, cur ^ 0x00100001u, cur), "A");
    CHECK_STR(pci_config_write_problem(regs, 2, at(2, 3, 4, 0x41), 2, 0x4356, cur), "B");
    CHECK(pci_config_write_problem(regs, 2, at(2, 3, 4, 0x41), 2, 0x3456, cur) == NULL);
}

TEST(locked_unaligned_write_past_the_dword)
{
    struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];
    size_t n = ich_q35_regs(regs);

    /* A word at 0x43 reaches ACPI_CNTL (0x44) in the next dword, whose old
     * value the caller did not read: refused even if unchanged. */
    CHECK_STR(pci_config_write_problem(regs, n, at(0, 0x1f, 0, 0x43), 2, 0x8000, 0x00000601u),
              "ICH ACPI_CNTL.ACPI_EN (ACPI I/O enable)");
    /* A dword at 0x3E reaches PMBASE's base bytes the same way. */
    CHECK_STR(pci_config_write_problem(regs, n, at(0, 0x1f, 0, 0x3e), 4, 0x06010000u, 0),
              "ICH PMBASE (ACPI I/O base)");
    /* Past the dword but no locked bits there: fine. */
    CHECK(pci_config_write_problem(regs, n, at(0, 0x1f, 0, 0x46), 4, 0xffffffffu, 0) == NULL);
    CHECK(pci_config_write_problem(regs, n, at(0, 0x1f, 0, 0x42), 4, 0xffffffffu, 0x0601) != NULL);
}

TEST(locked_write_into_the_next_function)
{
    /* An ECAM dword at 0:1f.0 offset 0xFFE runs into 0:1f.1 offset 0. */
    const struct pci_locked_reg regs[] = {
        { .bus = 0, .dev = 0x1f, .fn = 1, .offset = 0, .width = 1, .locked = 0x01, .what = "next" },
    };

    CHECK_STR(pci_config_write_problem(regs, 1, at(0, 0x1f, 0, 0xffe), 4, 0, 0), "next");
    CHECK(pci_config_write_problem(regs, 1, at(0, 0x1f, 0, 0xffc), 4, 0, 0) == NULL);
    /* The very last byte of the tree: nothing follows, nothing wraps to 0:0.0. */
    {
        const struct pci_locked_reg first[] = {
            { .bus = 0, .dev = 0, .fn = 0, .offset = 0, .width = 4, .locked = ~0ull, .what = "0" },
        };

        CHECK(pci_config_write_problem(first, 1, at(255, 31, 7, 0xffe), 4, 0, 0) == NULL);
    }
    /* A register running off the end of the tree: only its real bytes count. */
    {
        const struct pci_locked_reg last[] = {
            { .bus = 255, .dev = 31, .fn = 7, .offset = 0xffe, .width = 8, .locked = ~0ull,
              .what = "last" },
        };

        CHECK(pci_config_write_problem(last, 1, at(255, 31, 7, 0xffe), 4, 0xbbaa, 0xbbaa0000u)
              == NULL);
        CHECK_STR(pci_config_write_problem(last, 1, at(255, 31, 7, 0xffe), 4, 0xbbab,
                                           0xbbaa0000u), "last");
    }
}

TEST(locked_malformed_accesses_refused)
{
    struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];
    size_t n = ich_q35_regs(regs);
    static const unsigned bad_sizes[] = { 0, 3, 5, 8, 0xffffffffu };

    for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++)
        CHECK(pci_config_write_problem(regs, n, at(0, 0x1f, 0, 0x40), bad_sizes[i], 0, 0) != NULL);
    CHECK(pci_config_write_problem(regs, n, at(0, 32, 0, 0x40), 4, 0, 0) != NULL);
    CHECK(pci_config_write_problem(regs, n, at(0, 0xff, 0, 0x40), 4, 0, 0) != NULL);
    CHECK(pci_config_write_problem(regs, n, at(0, 0x1f, 8, 0x40), 4, 0, 0) != NULL);
    CHECK(pci_config_write_problem(regs, n, at(0, 0x1f, 0, 4096), 4, 0, 0) != NULL);
    CHECK(pci_config_write_problem(regs, n, at(0, 0x1f, 0, 0xffff), 1, 0, 0) != NULL);
    /* Even with no registers: the caller must not perform it. */
    CHECK(pci_config_write_problem(NULL, 0, at(0, 0, 0, 0), 3, 0, 0) != NULL);
}

TEST(locked_no_registers)
{
    CHECK(pci_config_write_problem(NULL, 0, at(0, 0x1f, 0, 0x40), 4, 0, 0x601) == NULL);
    CHECK(pci_config_write_problem(NULL, 5, at(0, 0x1f, 0, 0x40), 4, 0, 0x601) == NULL);
    {
        struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];

        ich_q35_regs(regs);
        CHECK(pci_config_write_problem(regs, 0, at(0, 0x1f, 0, 0x40), 4, 0, 0x601) == NULL);
    }
}

TEST(locked_odd_register_entries)
{
    const struct pci_locked_reg regs[] = {
        { .dev = 1, .offset = 0x10, .width = 4, .locked = 0xff, .what = NULL },
        { .dev = 2, .offset = 0x10, .width = 0, .locked = ~0ull, .what = "w0" },
        { .dev = 3, .offset = 0x10, .width = 16, .locked = ~0ull, .what = "w16" },
        { .dev = 40, .offset = 0x10, .width = 4, .locked = ~0ull, .what = "dev" },
        { .dev = 4, .offset = 5000, .width = 4, .locked = ~0ull, .what = "off" },
    };
    const size_t n = sizeof(regs) / sizeof(regs[0]);
    const char *p = pci_config_write_problem(regs, n, at(0, 1, 0, 0x10), 1, 1, 0);

    CHECK(p != NULL && p[0] != '\0');            /* unnamed: a fallback name */
    CHECK(pci_config_write_problem(regs, n, at(0, 2, 0, 0x10), 4, 1, 0) == NULL);
    CHECK_STR(pci_config_write_problem(regs, n, at(0, 3, 0, 0x14), 4, 1, 0), "w16");
    CHECK(pci_config_write_problem(regs, n, at(0, 3, 0, 0x18), 4, 1, 0) == NULL);  /* past 8 */
    /* Invalid entries lock nothing (dev 40 must not alias dev 8). */
    CHECK(pci_config_write_problem(regs, n, at(0, 8, 0, 0x10), 4, 1, 0) == NULL);
    CHECK(pci_config_write_problem(regs, n, at(0, 4, 0, 0x388), 4, 1, 0) == NULL);
}

/* ---- locked registers: sweeps against the byte map --------------------------- */

TEST(locked_sweep_ich_lpc)
{
    static struct fake_fn f;
    struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];
    size_t n = ich_q35_regs(regs);

    fake_fill(&f, 0x5a);
    for (size_t i = 0; i < n; i++) {
        if (regs[i].dev == 0x1f)
            fake_lock(&f, &regs[i]);
    }
    sweep_against_map(unit_ctx_, regs, n, &f, 0, 0x1f, 0, 0x38, 0x4c);
    CHECK_PASSING();
    /* Extended space and the rest of the first page too. */
    sweep_against_map(unit_ctx_, regs, n, &f, 0, 0x1f, 0, 0x00, 0xff);
}

TEST(locked_sweep_piix4)
{
    static struct fake_fn f;
    struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];
    size_t n = piix4_regs(regs);

    fake_fill(&f, 0xc3);
    for (size_t i = 0; i < n; i++)
        fake_lock(&f, &regs[i]);
    sweep_against_map(unit_ctx_, regs, n, &f, 0, 1, 3, 0x38, 0x88);
}

TEST(locked_sweep_q35_host_bridge)
{
    static struct fake_fn f;
    struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];
    size_t n = ich_q35_regs(regs);

    fake_fill(&f, 0x11);
    for (size_t i = 0; i < n; i++) {
        if (regs[i].dev == 0)
            fake_lock(&f, &regs[i]);
    }
    sweep_against_map(unit_ctx_, regs, n, &f, 0, 0, 0, 0x58, 0x70);
}

/* ---- chipsets ----------------------------------------------------------------- */

static const uint16_t ich_ids[] = {
    0x2640, 0x2641, 0x2642, 0x27b0, 0x27b8, 0x27b9, 0x27bd, 0x2810, 0x2811, 0x2812, 0x2814,
    0x2815, 0x2912, 0x2914, 0x2916, 0x2917, 0x2918, 0x2919, 0x3a14, 0x3a16, 0x3a18, 0x3a1a,
};

TEST(chipset_piix4)
{
    CHECK_EQ_U64(pm_chipset_of(0x71138086u, 0x06800000u), PM_CHIPSET_PIIX4);
    CHECK_EQ_U64(pm_chipset_of(0x71138086u, 0x06800003u), PM_CHIPSET_PIIX4);   /* revision */
    CHECK_EQ_U64(pm_chipset_of(0x71138086u, 0x0680ff00u), PM_CHIPSET_PIIX4);   /* prog-if */
    CHECK_EQ_U64(pm_chipset_of(0x71138086u, 0x06010000u), PM_CHIPSET_NONE);
    CHECK_EQ_U64(pm_chipset_of(0x71108086u, 0x06010000u), PM_CHIPSET_NONE);    /* PIIX4 ISA */
    CHECK_EQ_U64(pm_chipset_of(0x71131022u, 0x06800000u), PM_CHIPSET_NONE);
}

TEST(chipset_ich_lpc_ids)
{
    for (size_t i = 0; i < sizeof(ich_ids) / sizeof(ich_ids[0]); i++) {
        uint32_t id = (uint32_t)ich_ids[i] << 16 | 0x8086u;

        CHECK_EQ_U64(pm_chipset_of(id, 0x06010002u), PM_CHIPSET_ICH);
        CHECK_EQ_U64(pm_chipset_of(id, 0x06800000u), PM_CHIPSET_NONE);
        CHECK_EQ_U64(pm_chipset_of((uint32_t)ich_ids[i] << 16 | 0x1022u, 0x06010000u),
                     PM_CHIPSET_NONE);
    }
    CHECK_EQ_U64(pm_chipset_of(0x29188086u, 0x06010002u), PM_CHIPSET_ICH);     /* QEMU q35 */
}

TEST(chipset_unknown_lpc_bridges)
{
    /* ICH5 (ACPI_EN elsewhere), 5-series and 100-series PCHs: not known. */
    static const uint32_t ids[] = { 0x24d08086u, 0x3b008086u, 0x1c448086u, 0xa1438086u,
                                    0x06848086u, 0xffffffffu, 0x00000000u, 0x0000ffffu };

    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        CHECK_EQ_U64(pm_chipset_of(ids[i], 0x06010000u), PM_CHIPSET_NONE);
    CHECK_EQ_U64(pm_chipset_of(0x29188086u, 0xffffffffu), PM_CHIPSET_NONE);
}

TEST(chipset_every_intel_device_id)
{
    unsigned ich = 0, piix4 = 0;

    for (uint32_t dev = 0; dev <= 0xffff; dev++) {
        uint32_t id = dev << 16 | 0x8086u;

        ich += pm_chipset_of(id, 0x06010000u) == PM_CHIPSET_ICH;
        piix4 += pm_chipset_of(id, 0x06800000u) == PM_CHIPSET_PIIX4;
        CHECK(pm_chipset_of(id, 0x06000000u) == PM_CHIPSET_NONE);
    }
    CHECK_EQ_U64(ich, sizeof(ich_ids) / sizeof(ich_ids[0]));
    CHECK_EQ_U64(piix4, 1);
}

TEST(chipset_names)
{
    CHECK_STR(pm_chipset_name(PM_CHIPSET_NONE), "none");
    CHECK_STR(pm_chipset_name(PM_CHIPSET_PIIX4), "piix4");
    CHECK_STR(pm_chipset_name(PM_CHIPSET_ICH), "ich");
    CHECK_STR(pm_chipset_name((enum pm_chipset)42), "?");
}

TEST(q35_host_bridge_identification)
{
    CHECK(pci_is_q35_host_bridge(0x29c08086u, 0x06000002u));
    CHECK(!pci_is_q35_host_bridge(0x29c08086u, 0x06010000u));
    CHECK(!pci_is_q35_host_bridge(0x29c01022u, 0x06000000u));
    CHECK(!pci_is_q35_host_bridge(0x12378086u, 0x06000000u));      /* i440FX */
    CHECK(!pci_is_q35_host_bridge(0xffffffffu, 0xffffffffu));
}

TEST(pm_enable_offsets)
{
    CHECK_EQ_U64(pm_enable_offset(PM_CHIPSET_PIIX4), 0x80);
    CHECK_EQ_U64(pm_enable_offset(PM_CHIPSET_ICH), 0x44);
    CHECK_EQ_U64(pm_enable_offset(PM_CHIPSET_NONE), 0);
    CHECK_EQ_U64(pm_enable_offset((enum pm_chipset)42), 0);
}

TEST(pm1a_port_piix4)
{
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_PIIX4, 0x0000b001u, 0x00000001u), 0xb004);
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_PIIX4, 0x0000603fu, 0xffffff01u), 0x6004);
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_PIIX4, 0x1234ffffu, 0x01u), 0xffc4);
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_PIIX4, 0x0000b001u, 0x00000000u), 0);
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_PIIX4, 0x0000b001u, 0xfffffffeu), 0);
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_PIIX4, 0x00000001u, 0x01u), 4);  /* base 0 */
}

TEST(pm1a_port_ich)
{
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_ICH, 0x00000601u, 0x00000080u), 0x604);
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_ICH, 0x0000067fu, 0x00000087u), 0x604);
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_ICH, 0xffffffffu, 0x80u), 0xff84);
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_ICH, 0x00000601u, 0x0000007fu), 0);
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_ICH, 0x00000601u, 0xffffff7fu), 0);
    /* The PIIX4 enable bit means nothing on ICH, and vice versa. */
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_ICH, 0x00000601u, 0x01u), 0);
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_PIIX4, 0x0000b001u, 0x80u), 0);
}

TEST(pm1a_port_unknown_chipset)
{
    CHECK_EQ_U64(pm1a_cnt_port_of(PM_CHIPSET_NONE, 0x00000601u, 0xffffffffu), 0);
    CHECK_EQ_U64(pm1a_cnt_port_of((enum pm_chipset)42, 0x00000601u, 0xffffffffu), 0);
}

TEST(pm_locked_regs_piix4)
{
    struct pci_locked_reg r[PM_LOCKED_REGS_MAX];
    size_t n = piix4_regs(r);

    CHECK_EQ_U64(n, 2);
    CHECK_EQ_U64(r[0].bus, 0);
    CHECK_EQ_U64(r[0].dev, 1);
    CHECK_EQ_U64(r[0].fn, 3);
    CHECK_EQ_U64(r[0].offset, 0x40);
    CHECK_EQ_U64(r[0].width, 4);
    CHECK_EQ_U64(r[0].locked, 0xffc0);
    CHECK_EQ_U64(r[1].offset, 0x80);
    CHECK_EQ_U64(r[1].width, 1);
    CHECK_EQ_U64(r[1].locked, 0x01);
    CHECK_EQ_U64(r[1].dev, 1);
    CHECK(r[0].what != NULL && r[1].what != NULL);
}

TEST(pm_locked_regs_ich_q35)
{
    struct pci_locked_reg r[PM_LOCKED_REGS_MAX];
    size_t n = ich_q35_regs(r);

    CHECK_EQ_U64(n, 3);
    CHECK_EQ_U64(r[0].dev, 0x1f);
    CHECK_EQ_U64(r[0].offset, 0x40);
    CHECK_EQ_U64(r[0].width, 4);
    CHECK_EQ_U64(r[0].locked, 0xff80);
    CHECK_EQ_U64(r[1].offset, 0x44);
    CHECK_EQ_U64(r[1].width, 1);
    CHECK_EQ_U64(r[1].locked, 0x80);
    CHECK_EQ_U64(r[2].bus, 0);
    CHECK_EQ_U64(r[2].dev, 0);
    CHECK_EQ_U64(r[2].fn, 0);
    CHECK_EQ_U64(r[2].offset, 0x60);
    CHECK_EQ_U64(r[2].width, 8);
    CHECK_EQ_U64(r[2].locked, UINT64_MAX);
}

TEST(pm_locked_regs_capacity_and_absent_devices)
{
    struct pm_device ich = { .kind = PM_CHIPSET_ICH, .bus = 0, .dev = 0x1f, .fn = 0 };
    struct pm_device none = { .kind = PM_CHIPSET_NONE, .bus = 0, .dev = 0x1f, .fn = 0 };
    struct pm_device garbage = { .kind = (enum pm_chipset)42, .bus = 0, .dev = 0x1f, .fn = 0 };
    struct pci_locked_reg r[PM_LOCKED_REGS_MAX];

    memset(r, 0xee, sizeof(r));
    CHECK_EQ_U64(pm_locked_regs(&ich, true, r, 1), 3);     /* 3 exist, 1 written */
    CHECK_EQ_U64(r[0].offset, 0x40);
    CHECK_EQ_U64(r[1].offset, 0xeeee);                    /* untouched */
    CHECK_EQ_U64(pm_locked_regs(&ich, true, NULL, 0), 3);
    CHECK_EQ_U64(pm_locked_regs(&ich, false, NULL, 0), 2);
    CHECK_EQ_U64(pm_locked_regs(NULL, true, r, PM_LOCKED_REGS_MAX), 1);
    CHECK_EQ_U64(r[0].offset, 0x60);
    CHECK_EQ_U64(pm_locked_regs(NULL, false, r, PM_LOCKED_REGS_MAX), 0);
    CHECK_EQ_U64(pm_locked_regs(&none, false, r, PM_LOCKED_REGS_MAX), 0);
    CHECK_EQ_U64(pm_locked_regs(&garbage, false, r, PM_LOCKED_REGS_MAX), 0);
    CHECK_EQ_U64(pm_locked_regs(&none, true, r, PM_LOCKED_REGS_MAX), 1);
}

/* ---- end to end ------------------------------------------------------------------ */

TEST(guard_cf8_write_to_pmbase)
{
    struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];
    size_t n = ich_q35_regs(regs);
    struct pci_addr a;

    /* outl(0xcf8, 0:1f.0 reg 0x40); outw(0xcfc, 0x0700): moves PM1_CNT. */
    CHECK(pci_cf8_target(cf8(0, 0x1f, 0, 0x40), 0xcfc, false, &a));
    CHECK_STR(pci_config_write_problem(regs, n, a, 2, 0x0701, 0x00000601u),
              "ICH PMBASE (ACPI I/O base)");
    /* The same with reserved bit 24 set to look like offset 0x140: still 0x40. */
    CHECK(pci_cf8_target(cf8(0, 0x1f, 0, 0x40) | (1u << 24), 0xcfc, false, &a));
    CHECK_STR(pci_config_write_problem(regs, n, a, 2, 0x0701, 0x00000601u),
              "ICH PMBASE (ACPI I/O base)");
    /* outb(0xcfd, ...) of the unchanged byte is fine. */
    CHECK(pci_cf8_target(cf8(0, 0x1f, 0, 0x40), 0xcfd, false, &a));
    CHECK(pci_config_write_problem(regs, n, a, 1, 0x06, 0x00000601u) == NULL);
}

TEST(guard_ecam_write_to_acpi_cntl)
{
    struct pci_locked_reg regs[PM_LOCKED_REGS_MAX];
    size_t n = ich_q35_regs(regs);
    struct pci_addr a;

    CHECK(pci_ecam_target(ECAM_BASE, 0, 255, ECAM_BASE + 0xf8044, &a));
    CHECK_EQ_U64(a.dev, 0x1f);
    CHECK_EQ_U64(a.offset, 0x44);
    CHECK_STR(pci_config_write_problem(regs, n, a, 1, 0x00, 0x00000080u),
              "ICH ACPI_CNTL.ACPI_EN (ACPI I/O enable)");
    CHECK(pci_ecam_target(ECAM_BASE, 0, 255, ECAM_BASE + 0x60, &a));
    CHECK_STR(pci_config_write_problem(regs, n, a, 4, 0xc0000001u, 0xb0000001u),
              "Q35 PCIEXBAR (ECAM base)");
}

TEST_SUITE(pci_guard,
    UNIT(cf8_decodes_fields_and_lane),
    UNIT(cf8_disabled_or_not_a_data_port),
    UNIT(cf8_low_address_bits_ignored),
    UNIT(cf8_extended_register_bits),
    UNIT(cf8_sweep_matches_formula),
    UNIT(ecam_decodes_fields),
    UNIT(ecam_bounds),
    UNIT(ecam_base_is_bus_zero_even_above_start_bus),
    UNIT(ecam_base_near_top_of_address_space),
    UNIT(locked_ich_pmbase),
    UNIT(locked_ich_acpi_en),
    UNIT(locked_piix4_pmba_and_pmregmisc),
    UNIT(locked_q35_pciexbar_every_bit),
    UNIT(locked_other_functions_are_free),
    UNIT(locked_write_across_two_registers),
    UNIT(locked_unaligned_write_past_the_dword),
    UNIT(locked_write_into_the_next_function),
    UNIT(locked_malformed_accesses_refused),
    UNIT(locked_no_registers),
    UNIT(locked_odd_register_entries),
    UNIT(locked_sweep_ich_lpc),
    UNIT(locked_sweep_piix4),
    UNIT(locked_sweep_q35_host_bridge),
    UNIT(chipset_piix4),
    UNIT(chipset_ich_lpc_ids),
    UNIT(chipset_unknown_lpc_bridges),
    UNIT(chipset_every_intel_device_id),
    UNIT(chipset_names),
    UNIT(q35_host_bridge_identification),
    UNIT(pm_enable_offsets),
    UNIT(pm1a_port_piix4),
    UNIT(pm1a_port_ich),
    UNIT(pm1a_port_unknown_chipset),
    UNIT(pm_locked_regs_piix4),
    UNIT(pm_locked_regs_ich_q35),
    UNIT(pm_locked_regs_capacity_and_absent_devices),
    UNIT(guard_cf8_write_to_pmbase),
    UNIT(guard_ecam_write_to_acpi_cntl)
);
