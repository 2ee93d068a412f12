/* Unit tests for lib/pagetable.c. */
#include "test.h"

#include "lib/pagetable.h"
#include "test_pages.h"

#include <stdlib.h>

#define KiB 0x400ull
#define MiB 0x100000ull
#define GiB 0x40000000ull

struct test_pt {
    struct test_alloc alloc;
    struct pt_ctx     pt;
};

static void pt_setup(struct test_pt *t, unsigned allow, size_t budget)
{
    memset(t, 0, sizeof(*t));
    t->alloc.budget = budget + 1;
    t->pt.pml4 = (uint64_t *)(uintptr_t)test_alloc_page(&t->alloc);
    if (t->pt.pml4 == NULL)
        abort();
    memset(t->pt.pml4, 0, 4096);
    t->pt.alloc = test_alloc_page;
    t->pt.alloc_ctx = &t->alloc;
    t->pt.allow = allow;
}

static void pt_teardown(struct test_pt *t)
{
    test_alloc_release(&t->alloc);
}

/* Tables allocated beyond the root. */
static size_t tables_used(const struct test_pt *t)
{
    return t->alloc.used - 1;
}

static void expect_translation(struct unit_ctx *unit_ctx_, const struct test_pt *t, uint64_t virt,
                               uint64_t phys, uint64_t flags, uint64_t page_size, int line)
{
    uint64_t got_phys = 0, got_flags = 0, got_size = 0;

    if (pt_translate(t->pt.pml4, virt, &got_phys, &got_flags, &got_size) != 0) {
        unit_fail(unit_ctx_, __FILE__, line, "0x%" PRIx64 " not mapped", virt);
        return;
    }
    if (got_phys != phys || got_flags != flags || got_size != page_size)
        unit_fail(unit_ctx_, __FILE__, line,
                  "0x%" PRIx64 " -> phys 0x%" PRIx64 " flags 0x%" PRIx64 " size 0x%" PRIx64
                  ", expected 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64,
                  virt, got_phys, got_flags, got_size, phys, flags, page_size);
}

/* Runs the body with a fresh set of tables, freeing them even when a CHECK
 * fails (CHECKs return from the body, not from the test). */
#define WITH_TABLES(t, allow, budget, body_fn)                                  \
    do {                                                                        \
        struct test_pt t;                                                       \
        pt_setup(&t, allow, budget);                                            \
        body_fn(unit_ctx_, &t);                                                 \
        pt_teardown(&t);                                                        \
    } while (0)

#define CHECK_MAPS_TO(t, virt, phys, flags, size)                               \
    do {                                                                        \
        expect_translation(unit_ctx_, t, virt, phys, flags, size, __LINE__);    \
        CHECK_PASSING();                                                        \
    } while (0)

#define RW (PTE_PRESENT | PTE_WRITE)

static void body_4k_only(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 0x400000, 0x1234000, 16 * KiB, PTE_WRITE), PT_OK);
    CHECK_EQ_U64(tables_used(t), 3);
    for (uint64_t off = 0; off < 16 * KiB; off += 4 * KiB)
        CHECK_MAPS_TO(t, 0x400000 + off, 0x1234000 + off, RW, 4 * KiB);
    CHECK_MAPS_TO(t, 0x400abc, 0x1234abc, RW, 4 * KiB);
    CHECK_MAPS_TO(t, 0x403fff, 0x1237fff, RW, 4 * KiB);
    CHECK(pt_translate(t->pt.pml4, 0x404000, NULL, NULL, NULL) == -1);
    CHECK(pt_translate(t->pt.pml4, 0x3ff000, NULL, NULL, NULL) == -1);
    CHECK(pt_translate(t->pt.pml4, 0x80000000, NULL, NULL, NULL) == -1);
    /* 2 MiB-aligned but large pages not allowed: still 4 KiB pages. */
    CHECK_EQ_U64(pt_map(&t->pt, 0x40000000, 0x40000000, 2 * MiB, 0), PT_OK);
    CHECK_MAPS_TO(t, 0x40100000, 0x40100000, PTE_PRESENT, 4 * KiB);
}

TEST(pt_map_4k_only)
{
    WITH_TABLES(t, 0, 16, body_4k_only);
}

static void body_2m(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 0x200000, 0x40000000, 4 * MiB, PTE_WRITE | PTE_NX), PT_OK);
    CHECK_EQ_U64(tables_used(t), 2);   /* PDPT and PD: no PTs */
    CHECK_MAPS_TO(t, 0x200000, 0x40000000, RW | PTE_NX, 2 * MiB);
    CHECK_MAPS_TO(t, 0x3fffff, 0x401fffff, RW | PTE_NX, 2 * MiB);
    CHECK_MAPS_TO(t, 0x412345, 0x40212345, RW | PTE_NX, 2 * MiB);
    CHECK(pt_translate(t->pt.pml4, 0x600000, NULL, NULL, NULL) == -1);
}

TEST(pt_map_2m_pages)
{
    WITH_TABLES(t, PT_ALLOW_2M, 16, body_2m);
}

static void body_1g(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 0, 0, 4 * GiB, PTE_WRITE), PT_OK);
    CHECK_EQ_U64(tables_used(t), 1);   /* one PDPT */
    CHECK_MAPS_TO(t, 0, 0, RW, GiB);
    CHECK_MAPS_TO(t, 0xfee00123, 0xfee00123, RW, GiB);
    CHECK_MAPS_TO(t, 3 * GiB + 5, 3 * GiB + 5, RW, GiB);
    CHECK(pt_translate(t->pt.pml4, 4 * GiB, NULL, NULL, NULL) == -1);
}

TEST(pt_map_1g_pages)
{
    WITH_TABLES(t, PT_ALLOW_1G | PT_ALLOW_2M, 16, body_1g);
}

static void body_1g_without_2m(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    /* 1 GiB allowed but not 2 MiB: the unaligned tail uses 4 KiB pages. */
    CHECK_EQ_U64(pt_map(&t->pt, GiB, GiB, GiB + 2 * MiB, 0), PT_OK);
    CHECK_MAPS_TO(t, GiB, GiB, PTE_PRESENT, GiB);
    CHECK_MAPS_TO(t, 2 * GiB + MiB, 2 * GiB + MiB, PTE_PRESENT, 4 * KiB);
}

TEST(pt_map_1g_without_2m)
{
    WITH_TABLES(t, PT_ALLOW_1G, 16, body_1g_without_2m);
}

static void body_mixed(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    /*
     * [1G-2M-4K, 2G+2M+4K): a 4 KiB head, a 2 MiB page, a 1 GiB page,
     * a 2 MiB page and a 4 KiB tail.
     */
    uint64_t virt = GiB - 2 * MiB - 4 * KiB;
    uint64_t size = GiB + 4 * MiB + 8 * KiB;

    CHECK_EQ_U64(pt_map(&t->pt, virt, virt + 8 * GiB, size, PTE_WRITE), PT_OK);
    CHECK_MAPS_TO(t, virt, virt + 8 * GiB, RW, 4 * KiB);
    CHECK_MAPS_TO(t, GiB - 2 * MiB, 9 * GiB - 2 * MiB, RW, 2 * MiB);
    CHECK_MAPS_TO(t, GiB, 9 * GiB, RW, GiB);
    CHECK_MAPS_TO(t, 2 * GiB - 1, 10 * GiB - 1, RW, GiB);
    CHECK_MAPS_TO(t, 2 * GiB, 10 * GiB, RW, 2 * MiB);
    CHECK_MAPS_TO(t, 2 * GiB + 2 * MiB, 10 * GiB + 2 * MiB, RW, 4 * KiB);
    CHECK(pt_translate(t->pt.pml4, 2 * GiB + 2 * MiB + 4 * KiB, NULL, NULL, NULL) == -1);
    CHECK(pt_translate(t->pt.pml4, virt - 4 * KiB, NULL, NULL, NULL) == -1);
}

TEST(pt_map_mixed_alignment)
{
    WITH_TABLES(t, PT_ALLOW_1G | PT_ALLOW_2M, 16, body_mixed);
}

static void body_phys_misaligned_vs_virt(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    /* virt is 1 GiB aligned but phys only 4 KiB aligned: 4 KiB pages only. */
    CHECK_EQ_U64(pt_map(&t->pt, GiB, 0x5000, 4 * MiB, 0), PT_OK);
    CHECK_MAPS_TO(t, GiB, 0x5000, PTE_PRESENT, 4 * KiB);
    CHECK_MAPS_TO(t, GiB + 3 * MiB, 0x305000, PTE_PRESENT, 4 * KiB);
    /* phys 2 MiB aligned, virt 2 MiB aligned, neither 1 GiB: 2 MiB pages. */
    CHECK_EQ_U64(pt_map(&t->pt, 4 * GiB, 6 * MiB, GiB, 0), PT_OK);
    CHECK_MAPS_TO(t, 4 * GiB + 10 * MiB, 16 * MiB, PTE_PRESENT, 2 * MiB);
}

TEST(pt_map_phys_alignment_limits_page_size)
{
    WITH_TABLES(t, PT_ALLOW_1G | PT_ALLOW_2M, 16, body_phys_misaligned_vs_virt);
}

static void body_flag_placement(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 0x7f0000000000ull, 0x1000, 4 * KiB,
                        PTE_USER | PTE_NX | PTE_GLOBAL | PTE_LARGE), PT_OK);
    CHECK_MAPS_TO(t, 0x7f0000000000ull, 0x1000, PTE_PRESENT | PTE_USER | PTE_NX | PTE_GLOBAL, 4 * KiB);

    /* Walk by hand: tables are P|W|U and never NX; the leaf has no PS bit. */
    uint64_t *table = t->pt.pml4;
    for (unsigned level = 4; level > 1; level--) {
        unsigned idx = (unsigned)(0x7f0000000000ull >> (12 + 9 * (level - 1))) & 511;
        uint64_t e = table[idx];

        CHECK_EQ_U64(e & ~PTE_ADDR_MASK, PTE_PRESENT | PTE_WRITE | PTE_USER);
        table = (uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
    }
    uint64_t leaf = table[0];
    CHECK_EQ_U64(leaf, 0x1000 | PTE_PRESENT | PTE_USER | PTE_NX | PTE_GLOBAL);

    /* A supervisor mapping creates supervisor-only tables... */
    CHECK_EQ_U64(pt_map(&t->pt, 0x200000000000ull, 0x2000, 4 * KiB, PTE_WRITE), PT_OK);
    uint64_t pml4e = t->pt.pml4[(0x200000000000ull >> 39) & 511];
    CHECK_EQ_U64(pml4e & ~PTE_ADDR_MASK, PTE_PRESENT | PTE_WRITE);
    /* ...which gain USER when a user page is mapped below them. */
    CHECK_EQ_U64(pt_map(&t->pt, 0x200000001000ull, 0x3000, 4 * KiB, PTE_USER), PT_OK);
    pml4e = t->pt.pml4[(0x200000000000ull >> 39) & 511];
    CHECK_EQ_U64(pml4e & ~PTE_ADDR_MASK, PTE_PRESENT | PTE_WRITE | PTE_USER);
    CHECK_MAPS_TO(t, 0x200000000000ull, 0x2000, RW, 4 * KiB);
}

TEST(pt_map_flag_placement)
{
    WITH_TABLES(t, 0, 16, body_flag_placement);
}

static void body_large_leaf_bits(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 2 * MiB, 2 * MiB, 2 * MiB, PTE_NX | PTE_WRITE), PT_OK);
    uint64_t *pdpt = (uint64_t *)(uintptr_t)(t->pt.pml4[0] & PTE_ADDR_MASK);
    uint64_t *pd = (uint64_t *)(uintptr_t)(pdpt[0] & PTE_ADDR_MASK);

    CHECK_EQ_U64(pdpt[0] & PTE_NX, 0);
    CHECK_EQ_U64(pd[1], 2 * MiB | PTE_PRESENT | PTE_WRITE | PTE_LARGE | PTE_NX);
    /* Fresh tables are cleared even though the allocator left junk. */
    CHECK_EQ_U64(pd[0], 0);
    CHECK_EQ_U64(pd[511], 0);
}

TEST(pt_map_large_leaf_bits)
{
    WITH_TABLES(t, PT_ALLOW_2M, 16, body_large_leaf_bits);
}

static void body_high_half(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 0xffffffff80000000ull, 0x1000000, 4 * MiB + 8 * KiB, PTE_WRITE), PT_OK);
    CHECK_MAPS_TO(t, 0xffffffff80000000ull, 0x1000000, RW, 2 * MiB);
    CHECK_MAPS_TO(t, 0xffffffff80401000ull, 0x1401000, RW, 4 * KiB);
    CHECK(t->pt.pml4[511] & PTE_PRESENT);
    /* The very last page of the address space. */
    CHECK_EQ_U64(pt_map(&t->pt, 0xfffffffffffff000ull, 0x5000, 4 * KiB, 0), PT_OK);
    CHECK_MAPS_TO(t, 0xffffffffffffffffull, 0x5fff, PTE_PRESENT, 4 * KiB);
}

TEST(pt_map_high_half)
{
    WITH_TABLES(t, PT_ALLOW_2M, 16, body_high_half);
}

static void body_remap_same_phys(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 0, 0, 2 * GiB + 2 * MiB + 4 * KiB, PTE_WRITE), PT_OK);
    size_t before = tables_used(t);
    /* Same physical addresses: flags change, nothing new is allocated. */
    CHECK_EQ_U64(pt_map(&t->pt, 0, 0, 2 * GiB + 2 * MiB + 4 * KiB, PTE_NX), PT_OK);
    CHECK_EQ_U64(tables_used(t), before);
    CHECK_MAPS_TO(t, 0, 0, PTE_PRESENT | PTE_NX, GiB);
    CHECK_MAPS_TO(t, 2 * GiB, 2 * GiB, PTE_PRESENT | PTE_NX, 2 * MiB);
    CHECK_MAPS_TO(t, 2 * GiB + 2 * MiB, 2 * GiB + 2 * MiB, PTE_PRESENT | PTE_NX, 4 * KiB);
}

TEST(pt_remap_same_phys_updates_flags)
{
    WITH_TABLES(t, PT_ALLOW_1G | PT_ALLOW_2M, 16, body_remap_same_phys);
}

static void body_remap_different_phys(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 0x10000, 0x20000, 4 * KiB, PTE_WRITE), PT_OK);
    CHECK_EQ_U64(pt_map(&t->pt, 0x10000, 0x30000, 4 * KiB, PTE_WRITE), PT_CONFLICT);
    CHECK_MAPS_TO(t, 0x10000, 0x20000, RW, 4 * KiB);

    CHECK_EQ_U64(pt_map(&t->pt, GiB, GiB, GiB, 0), PT_OK);
    CHECK_EQ_U64(pt_map(&t->pt, GiB, 2 * GiB, GiB, 0), PT_CONFLICT);
    CHECK_EQ_U64(pt_map(&t->pt, 4 * GiB, 4 * GiB, 2 * MiB, 0), PT_OK);
    CHECK_EQ_U64(pt_map(&t->pt, 4 * GiB, 8 * GiB, 2 * MiB, 0), PT_CONFLICT);
}

TEST(pt_remap_different_phys_conflicts)
{
    WITH_TABLES(t, PT_ALLOW_1G | PT_ALLOW_2M, 16, body_remap_different_phys);
}

static void body_inside_large_page(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, GiB, 5 * GiB, GiB, PTE_WRITE), PT_OK);
    size_t before = tables_used(t);

    /* Part of a 1 GiB page, same phys, same flags: already true, fine. */
    CHECK_EQ_U64(pt_map(&t->pt, GiB + 4 * MiB, 5 * GiB + 4 * MiB, 2 * MiB, PTE_WRITE), PT_OK);
    CHECK_EQ_U64(pt_map(&t->pt, GiB + 4 * KiB, 5 * GiB + 4 * KiB, 4 * KiB, PTE_WRITE), PT_OK);
    CHECK_EQ_U64(tables_used(t), before);
    CHECK_MAPS_TO(t, GiB + 4 * MiB, 5 * GiB + 4 * MiB, RW, GiB);

    /* Different phys, or different flags for only part of it: a split. */
    CHECK_EQ_U64(pt_map(&t->pt, GiB + 4 * MiB, 7 * GiB, 2 * MiB, PTE_WRITE), PT_CONFLICT);
    CHECK_EQ_U64(pt_map(&t->pt, GiB + 4 * KiB, 5 * GiB + 4 * KiB, 4 * KiB, PTE_NX), PT_CONFLICT);
    CHECK_MAPS_TO(t, GiB + 4 * KiB, 5 * GiB + 4 * KiB, RW, GiB);

    /* A 2 MiB page, then 4 KiB inside it. */
    CHECK_EQ_U64(pt_map(&t->pt, 8 * GiB, 8 * GiB, 2 * MiB, 0), PT_OK);
    CHECK_EQ_U64(pt_map(&t->pt, 8 * GiB + 4 * KiB, 8 * GiB + 4 * KiB, 4 * KiB, 0), PT_OK);
    CHECK_EQ_U64(pt_map(&t->pt, 8 * GiB + 4 * KiB, 9 * GiB, 4 * KiB, 0), PT_CONFLICT);
    CHECK_EQ_U64(pt_map(&t->pt, 8 * GiB + 4 * KiB, 8 * GiB + 4 * KiB, 4 * KiB, PTE_USER), PT_CONFLICT);

    /* A range running from a mapped large page into free space: the free
     * part gets mapped, the large page is left alone. */
    CHECK_EQ_U64(pt_map(&t->pt, 8 * GiB + MiB, 8 * GiB + MiB, 2 * MiB, 0), PT_OK);
    CHECK_MAPS_TO(t, 8 * GiB + MiB, 8 * GiB + MiB, PTE_PRESENT, 2 * MiB);
    CHECK_MAPS_TO(t, 8 * GiB + 2 * MiB + 4 * KiB, 8 * GiB + 2 * MiB + 4 * KiB, PTE_PRESENT, 4 * KiB);
}

TEST(pt_map_inside_large_page)
{
    WITH_TABLES(t, PT_ALLOW_1G | PT_ALLOW_2M, 64, body_inside_large_page);
}

static void body_whole_large_page_with_small_allow(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 2 * MiB, 2 * MiB, 2 * MiB, PTE_WRITE), PT_OK);
    /* Only 4 KiB pages allowed now, but the request covers the existing
     * 2 MiB page exactly: it is updated whole rather than refused. */
    t->pt.allow = 0;
    CHECK_EQ_U64(pt_map(&t->pt, 2 * MiB, 2 * MiB, 2 * MiB, PTE_NX), PT_OK);
    CHECK_MAPS_TO(t, 3 * MiB, 3 * MiB, PTE_PRESENT | PTE_NX, 2 * MiB);
}

TEST(pt_remap_whole_large_page_with_small_pages_only)
{
    WITH_TABLES(t, PT_ALLOW_2M, 16, body_whole_large_page_with_small_allow);
}

static void body_small_then_large(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    /* 4 KiB pages first, then an identical 2 MiB-sized request over them:
     * the existing page table is kept and filled in. */
    CHECK_EQ_U64(pt_map(&t->pt, 2 * MiB + 8 * KiB, 2 * MiB + 8 * KiB, 8 * KiB, PTE_WRITE), PT_OK);
    t->pt.allow = PT_ALLOW_2M | PT_ALLOW_1G;
    CHECK_EQ_U64(pt_map(&t->pt, 2 * MiB, 2 * MiB, 2 * MiB, PTE_WRITE), PT_OK);
    CHECK_MAPS_TO(t, 2 * MiB, 2 * MiB, RW, 4 * KiB);
    CHECK_MAPS_TO(t, 2 * MiB + 8 * KiB, 2 * MiB + 8 * KiB, RW, 4 * KiB);
    CHECK_MAPS_TO(t, 4 * MiB - 4 * KiB, 4 * MiB - 4 * KiB, RW, 4 * KiB);
    /* The same request at a different phys conflicts at the old pages. */
    CHECK_EQ_U64(pt_map(&t->pt, 2 * MiB, 6 * MiB, 2 * MiB, PTE_WRITE), PT_CONFLICT);
    /* 1 GiB over a region with tables below: falls back to 2 MiB / 4 KiB. */
    CHECK_EQ_U64(pt_map(&t->pt, 0, 0, GiB, PTE_WRITE), PT_OK);
    CHECK_MAPS_TO(t, 0, 0, RW, 2 * MiB);
    CHECK_MAPS_TO(t, 3 * MiB, 3 * MiB, RW, 4 * KiB);
    CHECK_MAPS_TO(t, GiB - 1, GiB - 1, RW, 2 * MiB);
}

TEST(pt_map_over_existing_small_pages)
{
    WITH_TABLES(t, 0, 16, body_small_then_large);
}

static void body_noncanonical(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 0x0000800000000000ull, 0, 4 * KiB, 0), PT_NONCANONICAL);
    CHECK_EQ_U64(pt_map(&t->pt, 0xffff7ffffffff000ull, 0, 4 * KiB, 0), PT_NONCANONICAL);
    CHECK_EQ_U64(pt_map(&t->pt, 0x1234000000000000ull, 0, 4 * KiB, 0), PT_NONCANONICAL);
    /* Starts canonical, runs into the hole. */
    CHECK_EQ_U64(pt_map(&t->pt, 0x00007ffffffff000ull, 0, 8 * KiB, 0), PT_NONCANONICAL);
    /* Wraps past the top of the address space. */
    CHECK_EQ_U64(pt_map(&t->pt, 0xfffffffffffff000ull, 0, 8 * KiB, 0), PT_NONCANONICAL);
    /* Spans the whole hole from low to high half. */
    CHECK_EQ_U64(pt_map(&t->pt, 0x00007ffffffff000ull, 0, 0xffff000000002000ull, 0), PT_NONCANONICAL);
    CHECK_EQ_U64(tables_used(t), 0);
    /* Both edges of the hole are fine on their own. */
    CHECK_EQ_U64(pt_map(&t->pt, 0x00007ffffffff000ull, 0, 4 * KiB, 0), PT_OK);
    CHECK_EQ_U64(pt_map(&t->pt, 0xffff800000000000ull, 0, 4 * KiB, 0), PT_OK);
    CHECK_MAPS_TO(t, 0xffff800000000000ull, 0, PTE_PRESENT, 4 * KiB);
    CHECK(pt_translate(t->pt.pml4, 0x0000800000000000ull, NULL, NULL, NULL) == -1);
    CHECK(pt_translate(t->pt.pml4, 0x8000000000000000ull, NULL, NULL, NULL) == -1);
}

TEST(pt_map_noncanonical)
{
    WITH_TABLES(t, 0, 16, body_noncanonical);
}

static void body_bad_arguments(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 0x1001, 0, 4 * KiB, 0), PT_MISALIGNED);
    CHECK_EQ_U64(pt_map(&t->pt, 0x1000, 0x800, 4 * KiB, 0), PT_MISALIGNED);
    CHECK_EQ_U64(pt_map(&t->pt, 0x1000, 0, 4 * KiB + 1, 0), PT_MISALIGNED);
    CHECK_EQ_U64(pt_map(&t->pt, 0x1000, 1ull << 52, 4 * KiB, 0), PT_BAD_PHYS);
    CHECK_EQ_U64(pt_map(&t->pt, 0x1000, (1ull << 52) - 4 * KiB, 8 * KiB, 0), PT_BAD_PHYS);
    CHECK_EQ_U64(pt_map(&t->pt, 0x1000, 0xfffffffffffff000ull, 4 * KiB, 0), PT_BAD_PHYS);
    CHECK_EQ_U64(tables_used(t), 0);
    /* The last physical page is fine. */
    CHECK_EQ_U64(pt_map(&t->pt, 0x1000, (1ull << 52) - 4 * KiB, 4 * KiB, 0), PT_OK);
    CHECK_MAPS_TO(t, 0x1000, (1ull << 52) - 4 * KiB, PTE_PRESENT, 4 * KiB);
    /* Size zero: nothing to do. */
    CHECK_EQ_U64(pt_map(&t->pt, 0x5000, 0x5000, 0, 0), PT_OK);
    CHECK(pt_translate(t->pt.pml4, 0x5000, NULL, NULL, NULL) == -1);
}

TEST(pt_map_bad_arguments)
{
    WITH_TABLES(t, PT_ALLOW_2M, 16, body_bad_arguments);
}

static void body_no_memory_0(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 0x1000, 0x1000, 4 * KiB, 0), PT_NO_MEMORY);
    CHECK(pt_translate(t->pt.pml4, 0x1000, NULL, NULL, NULL) == -1);
}

static void body_no_memory_2(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    CHECK_EQ_U64(pt_map(&t->pt, 0x1000, 0x1000, 4 * KiB, 0), PT_NO_MEMORY);
    /* With the tables that did get made, a 2 MiB page needs nothing more. */
    t->pt.allow = PT_ALLOW_2M;
    CHECK_EQ_U64(pt_map(&t->pt, 2 * MiB, 2 * MiB, 2 * MiB, 0), PT_OK);
}

TEST(pt_map_out_of_memory)
{
    WITH_TABLES(t, 0, 0, body_no_memory_0);
    WITH_TABLES(t, 0, 2, body_no_memory_2);
}

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

static void body_random(struct unit_ctx *unit_ctx_, struct test_pt *t)
{
    /* Disjoint random ranges, one per 4 GiB slot, with random offsets so
     * every page size and alignment mix occurs; then random probes. */
    enum { SLOTS = 24 };
    uint64_t seed = 0xabcdef0123456789ull;
    uint64_t vbase[SLOTS], pbase[SLOTS], size[SLOTS], flags[SLOTS];

    for (int i = 0; i < SLOTS; i++) {
        uint64_t slot = (uint64_t)(i + 1) * 4 * GiB;
        uint64_t r = next_random(&seed);
        uint64_t align = r % 3 == 0 ? GiB : (r % 3 == 1 ? 2 * MiB : 4 * KiB);
        uint64_t v_off = next_random(&seed) % 2 ? (align / 2) & ~(4 * KiB - 1) : 0;
        uint64_t p_off = v_off;

        /* Sometimes phys is less aligned than virt, capping the page size
         * (but not below 2 MiB for the big ranges, to bound table count). */
        switch (next_random(&seed) % 3) {
        case 1: p_off += 2 * MiB; break;
        case 2: if (align != GiB) p_off += 4 * KiB * (1 + next_random(&seed) % 8); break;
        default: break;
        }
        vbase[i] = slot + v_off;
        pbase[i] = 0x100000000000ull + (uint64_t)i * 4 * GiB + p_off;
        size[i] = (1 + next_random(&seed) % 2) * align;
        if (next_random(&seed) % 2)
            size[i] += (align / 2) & ~(4 * KiB - 1);
        size[i] += 4 * KiB * (next_random(&seed) % 3);
        flags[i] = (next_random(&seed) % 2 ? PTE_WRITE : 0) | (next_random(&seed) % 2 ? PTE_NX : 0);
        CHECK_EQ_U64(pt_map(&t->pt, vbase[i], pbase[i], size[i], flags[i]), PT_OK);
    }
    for (int probe = 0; probe < 20000; probe++) {
        int i = (int)(next_random(&seed) % SLOTS);
        uint64_t off = next_random(&seed) % (size[i] + 8 * KiB);
        uint64_t virt = vbase[i] + off - 4 * KiB;
        uint64_t phys, fl, ps;
        int r = pt_translate(t->pt.pml4, virt, &phys, &fl, &ps);

        if (off < 4 * KiB || off >= size[i] + 4 * KiB) {
            CHECK(r == -1);
            continue;
        }
        CHECK(r == 0);
        CHECK_EQ_U64(phys, pbase[i] + off - 4 * KiB);
        CHECK_EQ_U64(fl, flags[i] | PTE_PRESENT);
        /* The page found lies wholly inside the mapped range. */
        CHECK((virt & ~(ps - 1)) >= vbase[i]);
        CHECK((virt & ~(ps - 1)) + ps <= vbase[i] + size[i]);
    }
}

TEST(pt_map_random_ranges)
{
    WITH_TABLES(t, PT_ALLOW_1G | PT_ALLOW_2M, 255, body_random);
}

TEST_SUITE(pagetable,
    UNIT(pt_map_4k_only),
    UNIT(pt_map_2m_pages),
    UNIT(pt_map_1g_pages),
    UNIT(pt_map_1g_without_2m),
    UNIT(pt_map_mixed_alignment),
    UNIT(pt_map_phys_alignment_limits_page_size),
    UNIT(pt_map_flag_placement),
    UNIT(pt_map_large_leaf_bits),
    UNIT(pt_map_high_half),
    UNIT(pt_remap_same_phys_updates_flags),
    UNIT(pt_remap_different_phys_conflicts),
    UNIT(pt_map_inside_large_page),
    UNIT(pt_remap_whole_large_page_with_small_pages_only),
    UNIT(pt_map_over_existing_small_pages),
    UNIT(pt_map_noncanonical),
    UNIT(pt_map_bad_arguments),
    UNIT(pt_map_out_of_memory),
    UNIT(pt_map_random_ranges),
);
