/* Unit tests for mm/slat_reach.c and the second-level map it plans: the
 * whole physical address space at 40, 46, 48 and 52 bits, 5-level EPT
 * where offered, a framebuffer above 4 GiB, MMIO above RAM mapped on
 * first touch, and the table pages each needs. */
#include "test.h"

#include "mm/slat.h"
#include "mm/slat_reach.h"
#include "test_pages.h"

#include <string.h>

#define GiB 0x40000000ull
#define TiB (1024 * GiB)
#define ALLOW_1G (SLAT_ALLOW_2M | SLAT_ALLOW_1G)

static struct slat_reach plan(unsigned bits, unsigned allow, uint64_t ram_top, uint64_t fb_end,
                              uint64_t mediated_end)
{
    struct slat_reach_input in = { bits, allow, ram_top, fb_end, mediated_end };
    struct slat_reach r;
    slat_reach_plan(&in, &r);
    return r;
}

TEST(slat_reach_widths)
{
    struct slat_reach r = plan(40, ALLOW_1G, 6 * GiB, 0, 0);
    CHECK_EQ_U64(r.levels, 4);
    CHECK_EQ_U64(r.reach, 1ull << 40);
    CHECK_EQ_U64(r.eager_top, 6 * GiB);
    CHECK(!r.beyond_levels);
    r = plan(46, ALLOW_1G, 6 * GiB, 0, 0);
    CHECK_EQ_U64(r.reach, 64 * TiB);
    CHECK(!r.beyond_levels);
    r = plan(48, SLAT_ALLOW_2M, GiB, 0, 0);
    CHECK_EQ_U64(r.levels, 4);
    CHECK_EQ_U64(r.reach, 256 * TiB);
    CHECK_EQ_U64(r.eager_top, 4 * GiB);          /* below 4 GiB always at boot */
    CHECK(!r.beyond_levels);
    /* Unknown width: the SDM's 36 bits. */
    r = plan(0, ALLOW_1G, GiB, 0, 0);
    CHECK_EQ_U64(r.reach, 64 * GiB);
}

TEST(slat_reach_five_levels)
{
    /* 52 bits with 5-level EPT: all of it. */
    struct slat_reach r = plan(52, ALLOW_1G | SLAT_ALLOW_5LEVEL, 8 * GiB, 0, 0);
    CHECK_EQ_U64(r.levels, 5);
    CHECK_EQ_U64(r.reach, 1ull << 52);
    CHECK(!r.beyond_levels);
    /* Without it (NPT, older EPT): 2^48, and the report says the rest is not mapped. */
    r = plan(52, ALLOW_1G, 8 * GiB, 0, 0);
    CHECK_EQ_U64(r.levels, 4);
    CHECK_EQ_U64(r.reach, 1ull << 48);
    CHECK(r.beyond_levels);
    /* 5 levels offered but not needed: 4. */
    r = plan(46, ALLOW_1G | SLAT_ALLOW_5LEVEL, 8 * GiB, 0, 0);
    CHECK_EQ_U64(r.levels, 4);
    /* More than the architecture's 52 bits is taken as 52. */
    r = plan(60, ALLOW_1G | SLAT_ALLOW_5LEVEL, 8 * GiB, 0, 0);
    CHECK_EQ_U64(r.reach, 1ull << 52);
}

TEST(slat_reach_boot_part)
{
    /* A framebuffer above 4 GiB and above RAM is in the boot part. */
    struct slat_reach r = plan(46, ALLOW_1G, 6 * GiB, 0x3800000000ull + 0x800000, 0);
    CHECK_EQ_U64(r.eager_top, 0x3800000000ull + GiB);
    /* So is the highest mediated page (an ECAM above RAM, say). */
    r = plan(46, ALLOW_1G, 6 * GiB, 0, 0x1000000000ull + 0x1000);
    CHECK_EQ_U64(r.eager_top, 0x1000000000ull + GiB);
    /* RAM's end rounded up to a block. */
    r = plan(46, ALLOW_1G, 6 * GiB + 0x1000, 0, 0);
    CHECK_EQ_U64(r.eager_top, 7 * GiB);
    /* RAM beyond the reach (a 4-level map on a 52-bit machine): flagged. */
    r = plan(52, ALLOW_1G, (1ull << 48) + GiB, 0, 0);
    CHECK(r.ram_beyond);
    CHECK_EQ_U64(r.eager_top, 1ull << 48);
}

TEST(slat_reach_blocks)
{
    struct slat_reach r = plan(40, ALLOW_1G, 6 * GiB, 0, 0);
    uint64_t lo = 0, hi = 0;
    CHECK(!slat_reach_block(&r, 5 * GiB, &lo, &hi));           /* boot part */
    CHECK(!slat_reach_block(&r, 1ull << 40, &lo, &hi));        /* beyond */
    CHECK(slat_reach_block(&r, 0xe000004000ull, &lo, &hi));    /* OVMF's NVMe BAR at 40 bits */
    CHECK_EQ_U64(lo, 0xe000000000ull);
    CHECK_EQ_U64(hi, 0xe000000000ull + GiB);
    CHECK(slat_reach_block(&r, (1ull << 40) - 1, &lo, &hi));
    CHECK_EQ_U64(hi, 1ull << 40);
}

/* ---- the plan applied to real tables -------------------------------------- */

struct built {
    struct test_alloc alloc;
    struct slat_ctx e;
    struct slat_identity_policy p;
};

#define REGION(b, s, k) { (b), (s), (k), 0 }

/* 6 GiB as QEMU q35 lays it out, Kestrel's 64 MiB hidden at 1 GiB. */
static const struct mem_region q35_6g[] = {
    REGION(0, 0x9f000, MEM_USABLE),
    REGION(0x100000, GiB - 0x100000, MEM_USABLE),
    REGION(GiB, 64 << 20, MEM_HYPERVISOR),
    REGION(GiB + (64 << 20), GiB - (64 << 20), MEM_USABLE),
    REGION(0xb0000000, 0x10000000, MEM_RESERVED),     /* ECAM */
    REGION(4 * GiB, 4 * GiB, MEM_USABLE),
};

static void build(struct unit_ctx *unit_ctx_, struct built *b, unsigned allow, unsigned levels,
                  const struct slat_reach *r)
{
    memset(b, 0, sizeof(*b));
    b->alloc.budget = 1 << 16;
    b->e.alloc = test_alloc_page;
    b->e.alloc_ctx = &b->alloc;
    b->e.allow = allow;
    b->e.levels = levels;
    CHECK_EQ_U64(slat_init(&b->e), SLAT_OK);
    b->p = (struct slat_identity_policy){ q35_6g, sizeof(q35_6g) / sizeof(q35_6g[0]), NULL,
                                          r->reach };
    CHECK_EQ_U64(slat_build_identity_range(&b->e, &b->p, 0, r->eager_top), SLAT_OK);
}

/* What a first touch does (core/vm_slat.c): the block, then the access. */
static void touch(struct unit_ctx *unit_ctx_, struct built *b, const struct slat_reach *r,
                  uint64_t gpa)
{
    uint64_t lo, hi, hpa = 0;
    CHECK(slat_translate(&b->e, gpa, 0, 0, 0, 0) != 0);
    CHECK(slat_reach_block(r, gpa, &lo, &hi));
    CHECK_EQ_U64(slat_build_identity_range(&b->e, &b->p, lo, hi), SLAT_OK);
    CHECK_EQ_U64(slat_translate(&b->e, gpa, &hpa, 0, 0, 0), 0);
    CHECK_EQ_U64(hpa, gpa);
}

TEST(slat_reach_46_bits_1g)
{
    struct slat_reach r = plan(46, ALLOW_1G, 8 * GiB, 0, 0);
    struct built b;
    build(unit_ctx_, &b, ALLOW_1G, r.levels, &r);
    /* Root, PDPT 0, the first GiB's PD and its split pieces around the
     * hidden range: a handful of pages. */
    uint64_t boot = b.e.tables;
    CHECK(boot <= 8);
    CHECK(slat_translate(&b.e, GiB + 0x1000, 0, 0, 0, 0) != 0);     /* hidden */
    CHECK(slat_translate(&b.e, 8 * GiB, 0, 0, 0, 0) != 0);          /* not yet */
    /* OVMF's 64-bit window at 46 bits: 56 TiB; one PDPT more. */
    touch(unit_ctx_, &b, &r, 0x380000004000ull);
    CHECK_EQ_U64(b.e.tables, boot + 1);
    touch(unit_ctx_, &b, &r, 0x380040000000ull);                     /* same PDPT */
    CHECK_EQ_U64(b.e.tables, boot + 1);
    /* The very top. */
    touch(unit_ctx_, &b, &r, (1ull << 46) - 0x1000);
    /* Everything, touched: one PDPT per 512 GiB, 128 at 46 bits. */
    for (uint64_t a = r.eager_top; a < r.reach; a += GiB) {
        uint64_t lo, hi;
        if (slat_translate(&b.e, a, 0, 0, 0, 0) != 0 && slat_reach_block(&r, a, &lo, &hi)) {
            CHECK_EQ_U64(slat_build_identity_range(&b.e, &b.p, lo, hi), SLAT_OK);
        }
    }
    CHECK(b.e.tables <= 128 + boot);
    test_alloc_release(&b.alloc);
}

TEST(slat_reach_40_bits_2m)
{
    /* No 1 GiB leaves: each first-touched block costs a PD page. */
    struct slat_reach r = plan(40, SLAT_ALLOW_2M, 8 * GiB, 0, 0);
    struct built b;
    build(unit_ctx_, &b, SLAT_ALLOW_2M, r.levels, &r);
    uint64_t boot = b.e.tables;
    touch(unit_ctx_, &b, &r, 0xe000004000ull);
    CHECK_EQ_U64(b.e.tables, boot + 2);     /* the PDPT of 768-1024 GiB and a PD */
    touch(unit_ctx_, &b, &r, 0xe040000000ull);
    CHECK_EQ_U64(b.e.tables, boot + 3);
    uint64_t size = 0;
    CHECK_EQ_U64(slat_translate(&b.e, 0xe000004000ull, 0, 0, 0, &size), 0);
    CHECK_EQ_U64(size, 2 << 20);
    test_alloc_release(&b.alloc);
}

TEST(slat_reach_52_bits_5level)
{
    struct slat_reach r = plan(52, ALLOW_1G | SLAT_ALLOW_5LEVEL, 8 * GiB, 0, 0);
    struct built b;
    build(unit_ctx_, &b, ALLOW_1G, r.levels, &r);
    CHECK_EQ_U64(slat_gpa_limit(&b.e), SLAT_GPA_LIMIT_5LEVEL);
    CHECK(slat_translate(&b.e, GiB + 0x1000, 0, 0, 0, 0) != 0);     /* hidden */
    CHECK_EQ_U64(slat_translate(&b.e, 0x2000, 0, 0, 0, 0), 0);
    uint64_t boot = b.e.tables;
    /* Above 2^48: a PML4 and a PDPT more. */
    touch(unit_ctx_, &b, &r, (1ull << 50) + 0x5000);
    CHECK_EQ_U64(b.e.tables, boot + 2);
    touch(unit_ctx_, &b, &r, (1ull << 52) - 0x1000);
    /* The root's entry for 2^48 onwards is a table, the first one too. */
    CHECK((b.e.root[0] & 7) == 7);
    CHECK((b.e.root[4] & 7) == 7);
    test_alloc_release(&b.alloc);
}

TEST(slat_reach_table_pages)
{
    /* What docs/vmx.md states: the whole space with 1 GiB leaves. */
    static const struct mem_region none[1];
    for (unsigned bits = 46; bits <= 48; bits += 2) {
        struct test_alloc a = { .budget = 1 << 12 };
        struct slat_ctx e = { .alloc = test_alloc_page, .alloc_ctx = &a, .allow = ALLOW_1G };
        CHECK_EQ_U64(slat_init(&e), SLAT_OK);
        struct slat_identity_policy p = { none, 0, NULL, 1ull << bits };
        CHECK_EQ_U64(slat_build_identity(&e, &p), SLAT_OK);
        CHECK_EQ_U64(e.tables, 1 + (1ull << (bits - 39)));        /* 129 and 513 */
        test_alloc_release(&a);
    }
}

TEST_SUITE(slat_reach,
    UNIT(slat_reach_widths),
    UNIT(slat_reach_five_levels),
    UNIT(slat_reach_boot_part),
    UNIT(slat_reach_blocks),
    UNIT(slat_reach_46_bits_1g),
    UNIT(slat_reach_40_bits_2m),
    UNIT(slat_reach_52_bits_5level),
    UNIT(slat_reach_table_pages),
);
