/* Unit tests for mm/slat.c: every case in EPT format, and the
 * format-neutral ones again as nested page tables (NPT). */
#include "test.h"

#include "mm/slat.h"
#include "test_pages.h"
#include "mtrr_fixtures.h"

#include <stdlib.h>

#define KiB 0x400ull
#define MiB 0x100000ull
#define GiB 0x40000000ull
#define PAGE ((uint64_t)0x1000)

#define R   SLAT_READ
#define RW  (SLAT_READ | SLAT_WRITE)
#define RX  (SLAT_READ | SLAT_EXEC)
#define RWX SLAT_RWX

struct test_ept {
    struct test_alloc alloc;
    struct slat_ctx    e;
};

/* The format the next ept_setup builds (the NPT_* tests set it). */
static enum slat_format test_format = SLAT_FORMAT_EPT;

/* An NPT host PAT holding every MTRR type, so memory types round-trip
 * (the power-on PAT has no WC or WP entry: tested on its own below). */
static const uint8_t full_pat[8] = { MT_WB, MT_WT, MT_UC_MINUS, MT_UC, MT_WC, MT_WP,
                                     MT_UC_MINUS, MT_UC };

/* budget: table pages beyond the root. */
static void ept_setup(struct test_ept *t, unsigned allow, size_t budget)
{
    memset(t, 0, sizeof(*t));
    t->e.format = test_format;
    if (test_format == SLAT_FORMAT_NPT) {
        t->e.host_pat_set = true;
        memcpy(t->e.host_pat, full_pat, sizeof(full_pat));
    }
    t->alloc.budget = budget + 1;
    t->e.alloc = test_alloc_page;
    t->e.alloc_ctx = &t->alloc;
    t->e.allow = allow;
    if (slat_init(&t->e) != SLAT_OK)
        abort();
}

static void ept_teardown(struct test_ept *t)
{
    test_alloc_release(&t->alloc);
    memset(&t->alloc, 0, sizeof(t->alloc));
}

/* Runs the body with a fresh EPT, freeing it even when a CHECK fails. */
#define WITH_EPT(t, allow, budget, body_fn)                                     \
    do {                                                                        \
        struct test_ept t;                                                      \
        ept_setup(&t, allow, budget);                                           \
        body_fn(unit_ctx_, &t);                                                 \
        ept_teardown(&t);                                                       \
    } while (0)

/* The same body as nested page tables. */
#define WITH_NPT(t, allow, budget, body_fn)                                     \
    do {                                                                        \
        test_format = SLAT_FORMAT_NPT;                                          \
        WITH_EPT(t, allow, budget, body_fn);                                    \
        test_format = SLAT_FORMAT_EPT;                                          \
    } while (0)

static void expect_map(struct unit_ctx *unit_ctx_, const struct test_ept *t, uint64_t gpa,
                       uint64_t hpa, unsigned perms, uint8_t memtype, uint64_t page_size, int line)
{
    uint64_t got_hpa = 0, got_size = 0;
    unsigned got_perms = 0;
    uint8_t got_type = 0xff;

    if (slat_translate(&t->e, gpa, &got_hpa, &got_perms, &got_type, &got_size) != 0) {
        unit_fail(unit_ctx_, __FILE__, line, "0x%" PRIx64 " not mapped", gpa);
        return;
    }
    if (got_hpa != hpa || got_perms != perms || got_type != memtype || got_size != page_size)
        unit_fail(unit_ctx_, __FILE__, line,
                  "0x%" PRIx64 " -> 0x%" PRIx64 " perms %u type %u size 0x%" PRIx64
                  ", expected 0x%" PRIx64 " %u %u 0x%" PRIx64,
                  gpa, got_hpa, got_perms, got_type, got_size, hpa, perms, memtype, page_size);
}

#define CHECK_MAPS(t, gpa, hpa, perms, memtype, size)                           \
    do {                                                                        \
        expect_map(unit_ctx_, t, gpa, hpa, perms, memtype, size, __LINE__);     \
        CHECK_PASSING();                                                        \
    } while (0)

#define CHECK_UNMAPPED(t, gpa)                                                  \
    CHECK(slat_translate(&(t)->e, gpa, NULL, NULL, NULL, NULL) == -1)

/* Identity shorthand. */
#define CHECK_IDENT(t, gpa, perms, memtype, size) CHECK_MAPS(t, gpa, gpa, perms, memtype, size)

static uint64_t *next_table(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & EPT_ENTRY_ADDR);
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

/* ---- mapping ------------------------------------------------------------- */

static void body_init_pointer(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    uint64_t root = (uint64_t)(uintptr_t)t->e.root;

    CHECK_EQ_U64(t->e.tables, 1);
    for (unsigned i = 0; i < 512; i++)
        CHECK_EQ_U64(t->e.root[i], 0);
    CHECK_EQ_U64(root & 0xfff, 0);
    CHECK_UNMAPPED(t, 0);
}

TEST(ept_init_and_pointer)
{
    WITH_EPT(t, 0, 0, body_init_pointer);

    struct test_alloc a = { .budget = 0 };
    struct slat_ctx e = { .alloc = test_alloc_page, .alloc_ctx = &a };
    CHECK_EQ_U64(slat_init(&e), SLAT_NO_MEMORY);
    CHECK_EQ_U64(e.tables, 0);
    CHECK_STR(slat_status_name(SLAT_OK), "ok");
    CHECK(slat_status_name(SLAT_BAD_ATTR) != NULL);
}

static void body_4k(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    CHECK_EQ_U64(slat_map(&t->e, 0x400000, 0x1234000, 16 * KiB, RW, MT_WB), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 4);
    for (uint64_t off = 0; off < 16 * KiB; off += 4 * KiB)
        CHECK_MAPS(t, 0x400000 + off, 0x1234000 + off, RW, MT_WB, 4 * KiB);
    CHECK_MAPS(t, 0x400abc, 0x1234abc, RW, MT_WB, 4 * KiB);
    CHECK_MAPS(t, 0x403fff, 0x1237fff, RW, MT_WB, 4 * KiB);
    CHECK_UNMAPPED(t, 0x404000);
    CHECK_UNMAPPED(t, 0x3ff000);
    CHECK_UNMAPPED(t, 0x3fffff);
    CHECK_UNMAPPED(t, 0x80000000);

    /* By hand: tables are RWX with nothing else in the low bits; the leaf
     * has perms, type in 5:3, no ignore-PAT. */
    uint64_t *table = t->e.root;
    for (unsigned level = 4; level > 1; level--) {
        uint64_t e = table[(0x400000ull >> (12 + 9 * (level - 1))) & 511];

        CHECK_EQ_U64(e & ~EPT_ENTRY_ADDR, 7);
        table = next_table(e);
    }
    CHECK_EQ_U64(table[0], 0x1234000ull | 3 | (6 << 3));
    CHECK_EQ_U64(table[1], 0x1235000ull | 3 | (6 << 3));
    CHECK_EQ_U64(table[4], 0);

    /* 2 MiB-aligned but large leaves not allowed: 4 KiB. */
    CHECK_EQ_U64(slat_map(&t->e, GiB, GiB, 2 * MiB, R, MT_UC), SLAT_OK);
    CHECK_IDENT(t, GiB + MiB, R, MT_UC, 4 * KiB);
}

TEST(ept_map_4k)
{
    WITH_EPT(t, 0, 16, body_4k);
}

static void body_large(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, 4 * GiB, RWX, MT_WB), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 2);              /* root and one PDPT */
    uint64_t *pdpt = next_table(t->e.root[0]);
    CHECK_EQ_U64(pdpt[0], 0x80 | (6 << 3) | 7);
    CHECK_EQ_U64(pdpt[3], 3 * GiB | 0x80 | (6 << 3) | 7);
    CHECK_EQ_U64(pdpt[4], 0);
    CHECK_IDENT(t, 0, RWX, MT_WB, GiB);
    CHECK_IDENT(t, 0xfee00123, RWX, MT_WB, GiB);
    CHECK_IDENT(t, 4 * GiB - 1, RWX, MT_WB, GiB);
    CHECK_UNMAPPED(t, 4 * GiB);

    /* 2 MiB leaves where 1 GiB does not fit. */
    CHECK_EQ_U64(slat_map(&t->e, 8 * GiB + 2 * MiB, 16 * GiB + 2 * MiB, 4 * MiB, R, MT_UC), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 3);
    uint64_t *pd = next_table(pdpt[8]);
    CHECK_EQ_U64(pd[1], (16 * GiB + 2 * MiB) | 0x80 | 1);
    CHECK_MAPS(t, 8 * GiB + 2 * MiB, 16 * GiB + 2 * MiB, R, MT_UC, 2 * MiB);
    CHECK_MAPS(t, 8 * GiB + 6 * MiB - 1, 16 * GiB + 6 * MiB - 1, R, MT_UC, 2 * MiB);
    CHECK_UNMAPPED(t, 8 * GiB + 6 * MiB);
    CHECK_UNMAPPED(t, 8 * GiB + 2 * MiB - 1);

    /* Far up: the last GiB below 2^48, in its own PML4 slot. */
    CHECK_EQ_U64(slat_map(&t->e, SLAT_GPA_LIMIT - GiB, 5 * GiB, GiB, RX, MT_WT), SLAT_OK);
    CHECK_MAPS(t, SLAT_GPA_LIMIT - 1, 6 * GiB - 1, RX, MT_WT, GiB);
    CHECK_EQ_U64(t->e.root[511] & 7, 7);
}

TEST(ept_map_2m_and_1g)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 16, body_large);
}

static void body_1g_without_2m(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    CHECK_EQ_U64(slat_map(&t->e, GiB, GiB, GiB + 2 * MiB, RWX, MT_WB), SLAT_OK);
    CHECK_IDENT(t, GiB, RWX, MT_WB, GiB);
    CHECK_IDENT(t, 2 * GiB + MiB, RWX, MT_WB, 4 * KiB);
}

TEST(ept_map_1g_without_2m)
{
    WITH_EPT(t, SLAT_ALLOW_1G, 16, body_1g_without_2m);
}

static void body_mixed(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    /* [1G-2M-4K, 2G+2M+4K): 4 KiB head, 2 MiB, 1 GiB, 2 MiB, 4 KiB tail. */
    uint64_t gpa = GiB - 2 * MiB - 4 * KiB;
    uint64_t size = GiB + 4 * MiB + 8 * KiB;
    uint64_t d = 8 * GiB;

    CHECK_EQ_U64(slat_map(&t->e, gpa, gpa + d, size, RW, MT_WC), SLAT_OK);
    CHECK_MAPS(t, gpa, gpa + d, RW, MT_WC, 4 * KiB);
    CHECK_MAPS(t, GiB - 2 * MiB - 1, GiB - 2 * MiB - 1 + d, RW, MT_WC, 4 * KiB);
    CHECK_MAPS(t, GiB - 2 * MiB, GiB - 2 * MiB + d, RW, MT_WC, 2 * MiB);
    CHECK_MAPS(t, GiB - 1, GiB - 1 + d, RW, MT_WC, 2 * MiB);
    CHECK_MAPS(t, GiB, GiB + d, RW, MT_WC, GiB);
    CHECK_MAPS(t, 2 * GiB - 1, 2 * GiB - 1 + d, RW, MT_WC, GiB);
    CHECK_MAPS(t, 2 * GiB, 2 * GiB + d, RW, MT_WC, 2 * MiB);
    CHECK_MAPS(t, 2 * GiB + 2 * MiB - 1, 2 * GiB + 2 * MiB - 1 + d, RW, MT_WC, 2 * MiB);
    CHECK_MAPS(t, 2 * GiB + 2 * MiB, 2 * GiB + 2 * MiB + d, RW, MT_WC, 4 * KiB);
    CHECK_MAPS(t, 2 * GiB + 2 * MiB + 4 * KiB - 1, 2 * GiB + 2 * MiB + 4 * KiB - 1 + d, RW, MT_WC, 4 * KiB);
    CHECK_UNMAPPED(t, 2 * GiB + 2 * MiB + 4 * KiB);
    CHECK_UNMAPPED(t, gpa - 1);
    /* root, PDPT, PD (GiB 0), PT, PD (GiB 2), PT */
    CHECK_EQ_U64(t->e.tables, 6);
}

TEST(ept_map_mixed_alignment)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 16, body_mixed);
}

static void body_hpa_alignment(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    /* gpa 1 GiB aligned, hpa only 4 KiB: 4 KiB leaves only. */
    CHECK_EQ_U64(slat_map(&t->e, GiB, 0x5000, 4 * MiB, RWX, MT_WB), SLAT_OK);
    CHECK_MAPS(t, GiB, 0x5000, RWX, MT_WB, 4 * KiB);
    CHECK_MAPS(t, GiB + 3 * MiB, 0x305000, RWX, MT_WB, 4 * KiB);
    /* Both 2 MiB aligned, neither 1 GiB: 2 MiB leaves. */
    CHECK_EQ_U64(slat_map(&t->e, 4 * GiB, 6 * MiB, GiB, RWX, MT_WB), SLAT_OK);
    CHECK_MAPS(t, 4 * GiB + 10 * MiB, 16 * MiB, RWX, MT_WB, 2 * MiB);
    /* hpa up to 2^52. */
    CHECK_EQ_U64(slat_map(&t->e, 8 * GiB, SLAT_HPA_LIMIT - GiB, GiB, R, MT_UC), SLAT_OK);
    CHECK_MAPS(t, 9 * GiB - 1, SLAT_HPA_LIMIT - 1, R, MT_UC, GiB);
}

TEST(ept_map_hpa_alignment_limits_page_size)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 16, body_hpa_alignment);
}

static void body_bad_arguments(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    CHECK_EQ_U64(slat_map(&t->e, 0x1001, 0, PAGE, RWX, MT_WB), SLAT_MISALIGNED);
    CHECK_EQ_U64(slat_map(&t->e, 0x1000, 0x800, PAGE, RWX, MT_WB), SLAT_MISALIGNED);
    CHECK_EQ_U64(slat_map(&t->e, 0x1000, 0, PAGE + 1, RWX, MT_WB), SLAT_MISALIGNED);
    CHECK_EQ_U64(slat_unmap(&t->e, 0x1000, 0x10), SLAT_MISALIGNED);
    CHECK_EQ_U64(slat_map(&t->e, SLAT_GPA_LIMIT, 0, PAGE, RWX, MT_WB), SLAT_BAD_ADDRESS);
    CHECK_EQ_U64(slat_map(&t->e, SLAT_GPA_LIMIT - PAGE, 0, 2 * PAGE, RWX, MT_WB), SLAT_BAD_ADDRESS);
    CHECK_EQ_U64(slat_map(&t->e, 0xfffffffffffff000ull, 0, 2 * PAGE, RWX, MT_WB), SLAT_BAD_ADDRESS);
    CHECK_EQ_U64(slat_unmap(&t->e, SLAT_GPA_LIMIT - PAGE, 2 * PAGE), SLAT_BAD_ADDRESS);
    CHECK_EQ_U64(slat_map(&t->e, 0, SLAT_HPA_LIMIT, PAGE, RWX, MT_WB), SLAT_BAD_ADDRESS);
    CHECK_EQ_U64(slat_map(&t->e, 0, SLAT_HPA_LIMIT - PAGE, 2 * PAGE, RWX, MT_WB), SLAT_BAD_ADDRESS);
    CHECK_EQ_U64(slat_map(&t->e, 0, 0xfffffffffffff000ull, PAGE, RWX, MT_WB), SLAT_BAD_ADDRESS);
    /* Write without read; bits beyond RWX; reserved memory types. */
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, PAGE, SLAT_WRITE, MT_WB), SLAT_BAD_ATTR);
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, PAGE, SLAT_WRITE | SLAT_EXEC, MT_WB), SLAT_BAD_ATTR);
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, PAGE, RWX | 8, MT_WB), SLAT_BAD_ATTR);
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, PAGE, RWX, 2), SLAT_BAD_ATTR);
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, PAGE, RWX, 3), SLAT_BAD_ATTR);
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, PAGE, RWX, MT_UC_MINUS), SLAT_BAD_ATTR);
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, PAGE, RWX, 0x30), SLAT_BAD_ATTR);
    CHECK_EQ_U64(t->e.tables, 1);
    CHECK_UNMAPPED(t, 0);
    /* Size zero: nothing to do. */
    CHECK_EQ_U64(slat_map(&t->e, 0x5000, 0x5000, 0, RWX, MT_WB), SLAT_OK);
    CHECK_EQ_U64(slat_unmap(&t->e, 0x5000, 0), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 1);
    /* Execute-only is valid (when the CPU supports it: the caller's call). */
    CHECK_EQ_U64(slat_map(&t->e, 0x5000, 0x5000, PAGE, SLAT_EXEC, MT_WB), SLAT_OK);
    CHECK_IDENT(t, 0x5000, SLAT_EXEC, MT_WB, 4 * KiB);
    /* perms 0 unmaps. */
    CHECK_EQ_U64(slat_map(&t->e, 0x5000, 0x5000, PAGE, 0, 2), SLAT_OK);
    CHECK_UNMAPPED(t, 0x5000);
    /* The last page below 2^48; beyond it translate says no. */
    CHECK_EQ_U64(slat_map(&t->e, SLAT_GPA_LIMIT - PAGE, 0x7000, PAGE, R, MT_WB), SLAT_OK);
    CHECK_MAPS(t, SLAT_GPA_LIMIT - 1, 0x7fff, R, MT_WB, 4 * KiB);
    CHECK_UNMAPPED(t, SLAT_GPA_LIMIT);
    CHECK_UNMAPPED(t, UINT64_MAX);
}

TEST(ept_map_bad_arguments)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 16, body_bad_arguments);
}

/* ---- changing an existing EPT ---------------------------------------------- */

static void body_split_1g_by_map(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, 4 * GiB, RWX, MT_WB), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 2);

    /* One 4 KiB page in the second GiB becomes read-only UC. */
    uint64_t page = GiB + 2 * MiB + 4 * KiB;
    CHECK_EQ_U64(slat_map(&t->e, page, page, PAGE, R, MT_UC), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 4);              /* one PD, one PT */
    CHECK_IDENT(t, page, R, MT_UC, 4 * KiB);
    CHECK_IDENT(t, page + PAGE - 1, R, MT_UC, 4 * KiB);
    CHECK_IDENT(t, page - 1, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, page + PAGE, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, GiB + 2 * MiB, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, GiB + 4 * MiB - 1, RWX, MT_WB, 4 * KiB);
    /* The rest of that GiB: 2 MiB leaves; other GiBs untouched. */
    CHECK_IDENT(t, GiB, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, GiB + 2 * MiB - 1, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, GiB + 4 * MiB, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 2 * GiB - 1, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, GiB - 1, RWX, MT_WB, GiB);
    CHECK_IDENT(t, 2 * GiB, RWX, MT_WB, GiB);

    /* Point a 2 MiB piece of the third GiB elsewhere: no PT needed. */
    CHECK_EQ_U64(slat_map(&t->e, 2 * GiB + 10 * MiB, 40 * GiB, 2 * MiB, RW, MT_WB), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 5);
    CHECK_MAPS(t, 2 * GiB + 10 * MiB + 5, 40 * GiB + 5, RW, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 2 * GiB + 12 * MiB, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 2 * GiB + 10 * MiB - 1, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 3 * GiB - 1, RWX, MT_WB, 2 * MiB);

    /* A range crossing two large leaves splits both ends only. */
    CHECK_EQ_U64(slat_map(&t->e, 4 * GiB - 4 * KiB, 4 * GiB - 4 * KiB, 4 * KiB, RX, MT_WB), SLAT_OK);
    CHECK_EQ_U64(slat_map(&t->e, 3 * GiB - 2 * MiB - 4 * KiB, 7 * GiB, 2 * MiB + 8 * KiB, RX, MT_WT),
                 SLAT_OK);
    CHECK_MAPS(t, 3 * GiB - 2 * MiB - 4 * KiB, 7 * GiB, RX, MT_WT, 4 * KiB);
    CHECK_MAPS(t, 3 * GiB - 2 * MiB, 7 * GiB + 4 * KiB, RX, MT_WT, 4 * KiB);
    CHECK_MAPS(t, 3 * GiB, 7 * GiB + 2 * MiB + 4 * KiB, RX, MT_WT, 4 * KiB);
    CHECK_IDENT(t, 3 * GiB - 2 * MiB - 8 * KiB, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 3 * GiB + 4 * KiB, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 3 * GiB + 2 * MiB, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 4 * GiB - 4 * KiB, RX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 4 * GiB - 8 * KiB, RWX, MT_WB, 4 * KiB);
}

TEST(ept_split_large_leaf_by_map)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 32, body_split_1g_by_map);
}

static void body_split_by_unmap(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    CHECK_EQ_U64(slat_map(&t->e, 0, 64 * GiB, 2 * GiB, RW, MT_WB), SLAT_OK);
    /* 4 KiB hole in the first GiB. */
    CHECK_EQ_U64(slat_unmap(&t->e, 5 * MiB, PAGE), SLAT_OK);
    CHECK_UNMAPPED(t, 5 * MiB);
    CHECK_UNMAPPED(t, 5 * MiB + PAGE - 1);
    CHECK_MAPS(t, 5 * MiB - 1, 64 * GiB + 5 * MiB - 1, RW, MT_WB, 4 * KiB);
    CHECK_MAPS(t, 5 * MiB + PAGE, 64 * GiB + 5 * MiB + PAGE, RW, MT_WB, 4 * KiB);
    CHECK_MAPS(t, 0, 64 * GiB, RW, MT_WB, 2 * MiB);
    CHECK_MAPS(t, GiB - 1, 65 * GiB - 1, RW, MT_WB, 2 * MiB);
    CHECK_EQ_U64(t->e.tables, 4);
    /* A 2 MiB hole in the second GiB: a PD, no PT. */
    CHECK_EQ_U64(slat_unmap(&t->e, GiB + 6 * MiB, 2 * MiB), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 5);
    CHECK_UNMAPPED(t, GiB + 6 * MiB);
    CHECK_UNMAPPED(t, GiB + 8 * MiB - 1);
    CHECK_MAPS(t, GiB + 8 * MiB, 65 * GiB + 8 * MiB, RW, MT_WB, 2 * MiB);
    CHECK_MAPS(t, GiB + 6 * MiB - 1, 65 * GiB + 6 * MiB - 1, RW, MT_WB, 2 * MiB);
    /* Unmapping what is not mapped allocates nothing. */
    CHECK_EQ_U64(slat_unmap(&t->e, 100 * GiB, 3 * GiB + 12 * KiB), SLAT_OK);
    CHECK_EQ_U64(slat_unmap(&t->e, GiB + 6 * MiB + PAGE, PAGE), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 5);
    /* Unmap all; then the same range maps again reusing the tables. */
    CHECK_EQ_U64(slat_unmap(&t->e, 0, 2 * GiB), SLAT_OK);
    for (uint64_t a = 0; a < 2 * GiB; a += 2 * MiB - PAGE)
        CHECK_UNMAPPED(t, a);
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, 2 * GiB, RWX, MT_WB), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 5);
    CHECK_IDENT(t, 5 * MiB, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, GiB + 6 * MiB, RWX, MT_WB, 2 * MiB);
}

TEST(ept_split_large_leaf_by_unmap)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 32, body_split_by_unmap);
}

static void body_noop_inside_large(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    CHECK_EQ_U64(slat_map(&t->e, GiB, 5 * GiB, GiB, RW, MT_WB), SLAT_OK);
    CHECK_EQ_U64(slat_map(&t->e, 8 * GiB, 8 * GiB, 2 * MiB, RX, MT_UC), SLAT_OK);
    uint64_t before = t->e.tables;

    /* What a large leaf already says needs no split. */
    CHECK_EQ_U64(slat_map(&t->e, GiB + 4 * MiB, 5 * GiB + 4 * MiB, 2 * MiB, RW, MT_WB), SLAT_OK);
    CHECK_EQ_U64(slat_map(&t->e, GiB + 4 * KiB, 5 * GiB + 4 * KiB, 4 * KiB, RW, MT_WB), SLAT_OK);
    CHECK_EQ_U64(slat_map(&t->e, 8 * GiB + 4 * KiB, 8 * GiB + 4 * KiB, 4 * KiB, RX, MT_UC), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, before);
    CHECK_MAPS(t, GiB + 4 * MiB, 5 * GiB + 4 * MiB, RW, MT_WB, GiB);
    CHECK_IDENT(t, 8 * GiB + 4 * KiB, RX, MT_UC, 2 * MiB);
    /* A different type, perms or target does split. */
    CHECK_EQ_U64(slat_map(&t->e, 8 * GiB + 4 * KiB, 8 * GiB + 4 * KiB, 4 * KiB, RX, MT_WB), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, before + 1);
    CHECK_IDENT(t, 8 * GiB + 4 * KiB, RX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 8 * GiB, RX, MT_UC, 4 * KiB);
}

TEST(ept_map_inside_large_leaf_unchanged)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 16, body_noop_inside_large);
}

static void body_whole_over_table(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, GiB, RWX, MT_WB), SLAT_OK);
    CHECK_EQ_U64(slat_map(&t->e, 3 * MiB, 3 * MiB, PAGE, R, MT_UC), SLAT_OK);
    uint64_t before = t->e.tables;
    /* Restoring the whole GiB keeps (and fills in) the tables made by the
     * split, so nothing leaks and nothing new is needed. */
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, GiB, RWX, MT_WB), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, before);
    CHECK_IDENT(t, 3 * MiB, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, GiB - 1, RWX, MT_WB, 2 * MiB);
    /* And a whole-GiB remap to elsewhere goes through them too. */
    CHECK_EQ_U64(slat_map(&t->e, 0, 4 * GiB, GiB, RX, MT_WT), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, before);
    CHECK_MAPS(t, 3 * MiB + 7, 4 * GiB + 3 * MiB + 7, RX, MT_WT, 4 * KiB);
    CHECK_MAPS(t, 500 * MiB, 4 * GiB + 500 * MiB, RX, MT_WT, 2 * MiB);
}

TEST(ept_remap_whole_over_split_tables)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 16, body_whole_over_table);
}

static void body_split_keeps_bits(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    CHECK_EQ_U64(slat_map(&t->e, GiB, 3 * GiB, GiB, RWX, MT_WB), SLAT_OK);
    /* The CPU set accessed/dirty; someone set ignore-PAT and suppress-#VE. */
    uint64_t *pdpt = next_table(t->e.root[0]);
    uint64_t extra = EPT_ENTRY_ACCESSED | EPT_ENTRY_DIRTY | EPT_ENTRY_IGNORE_PAT | (1ull << 63);
    pdpt[1] |= extra;
    CHECK_EQ_U64(slat_map(&t->e, GiB + 2 * MiB, 3 * GiB + 2 * MiB, 2 * MiB, R, MT_WB), SLAT_OK);
    uint64_t *pd = next_table(pdpt[1]);
    CHECK_EQ_U64(pdpt[1] & ~EPT_ENTRY_ADDR, 7);
    CHECK_EQ_U64(pd[0], 3 * GiB | extra | EPT_ENTRY_LARGE | (6 << 3) | 7);
    CHECK_EQ_U64(pd[511], (4 * GiB - 2 * MiB) | extra | EPT_ENTRY_LARGE | (6 << 3) | 7);
    CHECK_EQ_U64(pd[1], (3 * GiB + 2 * MiB) | EPT_ENTRY_LARGE | (6 << 3) | 1);
    /* A split 2 MiB leaf gives 4 KiB leaves without bit 7. */
    CHECK_EQ_U64(slat_unmap(&t->e, GiB + 4 * MiB, PAGE), SLAT_OK);
    uint64_t *pt = next_table(pd[2]);
    CHECK_EQ_U64(pt[0], 0);
    CHECK_EQ_U64(pt[1], (3 * GiB + 4 * MiB + PAGE) | extra | (6 << 3) | 7);
}

TEST(ept_split_keeps_leaf_bits)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 16, body_split_keeps_bits);
}

static void body_oom_split(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    CHECK_EQ_U64(slat_map(&t->e, 0, 0, GiB, RWX, MT_WB), SLAT_OK);
    /* Budget 2 beyond the root: PDPT used, one left; splitting 1 GiB down
     * to a 4 KiB page needs two. */
    CHECK_EQ_U64(slat_unmap(&t->e, 4 * MiB, PAGE), SLAT_NO_MEMORY);
    /* The PD went in whole; the 2 MiB leaf that could not split is intact. */
    CHECK_IDENT(t, 4 * MiB, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 0, RWX, MT_WB, 2 * MiB);
    CHECK_EQ_U64(t->e.tables, 3);
    /* 2 MiB granularity still works without memory. */
    CHECK_EQ_U64(slat_unmap(&t->e, 4 * MiB, 2 * MiB), SLAT_OK);
    CHECK_UNMAPPED(t, 4 * MiB);
    CHECK_EQ_U64(slat_map(&t->e, 8 * GiB, 0, PAGE, RWX, MT_WB), SLAT_NO_MEMORY);
    CHECK_UNMAPPED(t, 8 * GiB);
}

TEST(ept_out_of_memory)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 2, body_oom_split);
}

/* ---- randomized against a page-by-page model ------------------------------- */

struct model_page {
    uint64_t hpa;
    uint8_t  perms;              /* 0: not mapped */
    uint8_t  type;
};

static const unsigned model_perms[] = { R, RW, RX, RWX, RWX, SLAT_EXEC };
static const uint8_t model_types[] = { MT_UC, MT_WC, MT_WT, MT_WP, MT_WB, MT_WB };

static void check_model_page(struct unit_ctx *unit_ctx_, const struct test_ept *t,
                             const struct model_page *m, uint64_t page, int op)
{
    uint64_t gpa = page * PAGE;
    uint64_t hpa = 0, size = 0;
    unsigned perms = 0;
    uint8_t type = 0;
    int r = slat_translate(&t->e, gpa + (page % 7) * 0x200, &hpa, &perms, &type, &size);

    if (m[page].perms == 0) {
        if (r != -1)
            unit_fail(unit_ctx_, __FILE__, __LINE__, "op %d: 0x%" PRIx64 " mapped, model says not",
                      op, gpa);
        return;
    }
    if (r != 0 || hpa != m[page].hpa + (page % 7) * 0x200 || perms != m[page].perms ||
        type != m[page].type)
        unit_fail(unit_ctx_, __FILE__, __LINE__,
                  "op %d: 0x%" PRIx64 ": r %d hpa 0x%" PRIx64 " perms %u type %u, model 0x%" PRIx64
                  " %u %u", op, gpa, r, hpa, perms, type, m[page].hpa, m[page].perms, m[page].type);
}

/* One random op: endpoints near the interesting boundaries of the space. */
static uint64_t random_point(uint64_t *seed, uint64_t pages, uint64_t big_pages)
{
    uint64_t r = next_random(seed);
    uint64_t p;

    switch (r % 4) {
    case 0:  p = next_random(seed) % (pages + 1); break;
    case 1:  p = (next_random(seed) % (pages / 512 + 1)) * 512; break;
    case 2:  p = (next_random(seed) % (pages / big_pages + 1)) * big_pages; break;
    default: p = (next_random(seed) % (pages / 512 + 1)) * 512 + next_random(seed) % 5 - 2; break;
    }
    return p > pages ? pages : p;
}

static void random_ops(struct unit_ctx *unit_ctx_, struct test_ept *t, uint64_t pages,
                       uint64_t big_pages, int ops, int full_every, uint64_t seed)
{
    struct model_page *m = calloc(pages, sizeof(*m));

    if (m == NULL) {
        unit_fail(unit_ctx_, __FILE__, __LINE__, "out of host memory");
        return;
    }
    for (int op = 0; op < ops && !unit_ctx_->failed; op++) {
        uint64_t a = random_point(&seed, pages, big_pages);
        uint64_t b = random_point(&seed, pages, big_pages);
        if (a > b) {
            uint64_t x = a;
            a = b;
            b = x;
        }
        uint64_t n = b - a;
        unsigned perms = model_perms[next_random(&seed) % 6];
        /* NPT has no execute-only pages: present means readable. */
        if (test_format == SLAT_FORMAT_NPT)
            perms |= R;
        uint8_t type = model_types[next_random(&seed) % 6];
        uint64_t hpa;

        switch (next_random(&seed) % 4) {
        case 0:  hpa = a * PAGE; break;                                     /* identity */
        case 1:  hpa = a * PAGE + (next_random(&seed) % 64) * big_pages * PAGE; break;
        case 2:  hpa = a * PAGE + (next_random(&seed) % 64) * 2 * MiB; break;
        default: hpa = (next_random(&seed) % 100000) * PAGE; break;
        }
        enum slat_status st;
        bool unmap = next_random(&seed) % 4 == 0;

        if (unmap)
            st = slat_unmap(&t->e, a * PAGE, n * PAGE);
        else
            st = slat_map(&t->e, a * PAGE, hpa, n * PAGE, perms, type);
        if (st != SLAT_OK) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "op %d: status %d", op, st);
            break;
        }
        for (uint64_t p = a; p < b; p++) {
            m[p].perms = unmap ? 0 : (uint8_t)perms;
            m[p].type = type;
            m[p].hpa = hpa + (p - a) * PAGE;
        }
        if (full_every > 0 && op % full_every == 0) {
            for (uint64_t p = 0; p < pages && !unit_ctx_->failed; p++)
                check_model_page(unit_ctx_, t, m, p, op);
        } else {
            /* The edges of this op, and random pages. */
            uint64_t probe[6] = { a, b, a ? a - 1 : 0, b ? b - 1 : 0, a + 1, b + 1 };
            for (int i = 0; i < 6; i++)
                if (probe[i] < pages)
                    check_model_page(unit_ctx_, t, m, probe[i], op);
            for (int i = 0; i < 2000 && !unit_ctx_->failed; i++)
                check_model_page(unit_ctx_, t, m, next_random(&seed) % pages, op);
        }
    }
    for (uint64_t p = 0; p < pages && !unit_ctx_->failed; p++)
        check_model_page(unit_ctx_, t, m, p, -1);
    free(m);
}

static void body_random_small(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    /* 16 MiB, 2 MiB leaves: every page checked after every op. */
    random_ops(unit_ctx_, t, 4096, 512, 600, 1, 0x9e3779b97f4a7c15ull);
}

TEST(ept_random_against_model_2m)
{
    WITH_EPT(t, SLAT_ALLOW_2M, 4096, body_random_small);
}

static void body_random_4k_only(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    random_ops(unit_ctx_, t, 2048, 512, 300, 1, 0x0123456789abcdefull);
}

TEST(ept_random_against_model_4k)
{
    WITH_EPT(t, 0, 4096, body_random_4k_only);
}

static void body_random_1g(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    /* 4 GiB with 1 GiB leaves: sampled checks, every page every 40 ops. */
    random_ops(unit_ctx_, t, 4 * GiB / PAGE, GiB / PAGE, 160, 40, 0x5851f42d4c957f2dull);
}

TEST(ept_random_against_model_1g)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1 << 16, body_random_1g);
}

/* ---- the identity map ------------------------------------------------------ */



/* WB RAM below 1 MiB but UC VGA (A0000-BFFFF) and WP ROMs (C0000-FFFFF);
 * WB 0-4 GiB with UC 3-4 GiB; WB 4-8 GiB; default UC.  MAXPHYADDR 36. */
static void mtrr_pc(struct mtrr_state *s)
{
    memset(s, 0, sizeof(*s));
    s->enabled = true;
    s->fixed_enabled = true;
    s->default_type = MT_UC;
    s->phys_addr_bits = 36;
    s->fixed[0] = s->fixed[1] = FIX_ALL(MT_WB);
    s->fixed[2] = FIX_ALL(MT_UC);
    for (int i = 3; i < 11; i++)
        s->fixed[i] = FIX_ALL(MT_WP);
    set_var(s, 0, 0, 4 * GiB, MT_WB);
    set_var(s, 1, 3 * GiB, GiB, MT_UC);
    set_var(s, 2, 4 * GiB, 4 * GiB, MT_WB);
}

#define REGION(b, s, k) { (b), (s), (k), 0 }
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* 4 GiB of RAM: 3 GiB below the PCI hole, 1 GiB above 4 GiB. */
static const struct mem_region pc_4g[] = {
    REGION(0, 0x9f000, MEM_USABLE),
    REGION(0x9f000, 0x61000, MEM_RESERVED),
    REGION(MiB, 3 * GiB - MiB - 16 * MiB, MEM_USABLE),
    REGION(3 * GiB - 16 * MiB, 16 * MiB, MEM_ACPI_NVS),
    /* 3-4 GiB: a gap, except the APICs */
    REGION(0xfec00000, 0x1000, MEM_MMIO),
    REGION(0xfee00000, 0x1000, MEM_MMIO),
    REGION(4 * GiB, GiB, MEM_USABLE),
};

/* The first GiB of the PC layout (fixed ranges, then 2 MiB leaves). */
static void check_pc_low(struct unit_ctx *unit_ctx_, const struct test_ept *t)
{
    CHECK_IDENT(t, 0, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x9ffff, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0xa0000, RWX, MT_UC, 4 * KiB);
    CHECK_IDENT(t, 0xc0000, RWX, MT_WP, 4 * KiB);
    CHECK_IDENT(t, 0xfffff, RWX, MT_WP, 4 * KiB);
    CHECK_IDENT(t, MiB, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 2 * MiB - 1, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 2 * MiB, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, GiB - 1, RWX, MT_WB, 2 * MiB);
}

static void check_pc_common(struct unit_ctx *unit_ctx_, const struct test_ept *t, uint64_t big)
{
    check_pc_low(unit_ctx_, t);
    CHECK_PASSING();
    CHECK_IDENT(t, GiB, RWX, MT_WB, big);
    CHECK_IDENT(t, 3 * GiB - 1, RWX, MT_WB, big);
    CHECK_IDENT(t, 3 * GiB, RWX, MT_UC, big);
    CHECK_IDENT(t, 0xfee00000, RWX, MT_UC, big);
    CHECK_IDENT(t, 4 * GiB, RWX, MT_WB, big);
    CHECK_IDENT(t, 8 * GiB - 1, RWX, MT_WB, big);
    CHECK_IDENT(t, 8 * GiB, RWX, MT_UC, big);
    CHECK_IDENT(t, 64 * GiB - 1, RWX, MT_UC, big);
    CHECK_UNMAPPED(t, 64 * GiB);
}

static void body_ident_pc_1g(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    struct mtrr_state s;
    mtrr_pc(&s);
    struct slat_identity_policy p = { pc_4g, ARRAY_LEN(pc_4g), &s, 64 * GiB };

    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);
    /* root, PDPT, PD for GiB 0, PT for the first 2 MiB (fixed ranges). */
    CHECK_EQ_U64(t->e.tables, 4);
    check_pc_common(unit_ctx_, t, GiB);
}

TEST(ept_identity_pc_4g_1g_pages)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1024, body_ident_pc_1g);
}

static void body_ident_pc_2m(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    struct mtrr_state s;
    mtrr_pc(&s);
    struct slat_identity_policy p = { pc_4g, ARRAY_LEN(pc_4g), &s, 64 * GiB };

    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);
    /* root, PDPT, 64 PDs, one PT. */
    CHECK_EQ_U64(t->e.tables, 67);
    check_pc_common(unit_ctx_, t, 2 * MiB);
}

TEST(ept_identity_pc_4g_2m_pages)
{
    WITH_EPT(t, SLAT_ALLOW_2M, 1024, body_ident_pc_2m);
}

static void body_ident_pc_fixed_off(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    struct mtrr_state s;
    mtrr_pc(&s);
    s.fixed_enabled = false;
    struct slat_identity_policy p = { pc_4g, ARRAY_LEN(pc_4g), &s, 64 * GiB };

    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 2);              /* 1 GiB leaves throughout */
    CHECK_IDENT(t, 0xa0000, RWX, MT_WB, GiB);
}

TEST(ept_identity_without_fixed_ranges)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1024, body_ident_pc_fixed_off);
}

/* The PC map after Kestrel carved itself out, with UEFI runtime regions that
 * are not 2 MiB aligned (one straddles a 2 MiB boundary). */
static const struct mem_region pc_carved[] = {
    REGION(0, 0x9f000, MEM_USABLE),
    REGION(0x9f000, 0x61000, MEM_RESERVED),
    REGION(MiB, 2 * GiB - 64 * MiB - MiB, MEM_USABLE),
    REGION(2 * GiB - 64 * MiB, 64 * MiB, MEM_HYPERVISOR),
    REGION(2 * GiB, 0xb7f00000 - 2 * GiB, MEM_USABLE),
    REGION(0xb7f00000, 0x80000, MEM_RUNTIME_CODE),
    REGION(0xb7f80000, 0x100000, MEM_RUNTIME_DATA),
    REGION(0xb8080000, 3 * GiB - 16 * MiB - 0xb8080000, MEM_USABLE),
    REGION(3 * GiB - 16 * MiB, 16 * MiB, MEM_ACPI_NVS),
    REGION(0xfee00000, 0x1000, MEM_MMIO),
    REGION(4 * GiB, GiB - 32 * MiB, MEM_USABLE),
    REGION(5 * GiB - 32 * MiB, 32 * MiB, MEM_HYPERVISOR),
};

static void body_ident_carved(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    struct mtrr_state s;
    mtrr_pc(&s);
    struct slat_identity_policy p = { pc_carved, ARRAY_LEN(pc_carved), &s, 64 * GiB };

    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);
    /* root, PDPT, PD + PT (GiB 0), PD (GiB 1: hypervisor), PD + 2 PTs
     * (GiB 2: runtime regions), PD (GiB 4: hypervisor). */
    CHECK_EQ_U64(t->e.tables, 9);
    check_pc_low(unit_ctx_, t);
    CHECK_PASSING();
    CHECK_IDENT(t, 3 * GiB - 1, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 3 * GiB, RWX, MT_UC, GiB);
    CHECK_IDENT(t, 4 * GiB, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 6 * GiB, RWX, MT_WB, GiB);
    CHECK_IDENT(t, 8 * GiB, RWX, MT_UC, GiB);
    CHECK_UNMAPPED(t, 64 * GiB);
    /* Hypervisor memory: gone, exactly. */
    CHECK_UNMAPPED(t, 2 * GiB - 64 * MiB);
    CHECK_UNMAPPED(t, 2 * GiB - 1);
    CHECK_IDENT(t, 2 * GiB - 64 * MiB - 1, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, GiB, RWX, MT_WB, 2 * MiB);
    CHECK_UNMAPPED(t, 5 * GiB - 32 * MiB);
    CHECK_UNMAPPED(t, 5 * GiB - 1);
    CHECK_IDENT(t, 5 * GiB - 32 * MiB - 1, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 5 * GiB, RWX, MT_WB, GiB);
    /* Runtime code: RX; runtime data: R (across the 2 MiB boundary). */
    CHECK_IDENT(t, 0xb7eff000, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0xb7e00000, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0xb7f00000, RX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0xb7f7ffff, RX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0xb7f80000, R, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0xb8000000, R, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0xb807ffff, R, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0xb8080000, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0xb81fffff, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0xb8200000, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 0xb7dfffff, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 2 * GiB, RWX, MT_WB, 2 * MiB);
}

TEST(ept_identity_hypervisor_and_runtime)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1024, body_ident_carved);
}

/* 64 GiB of RAM (3 GiB low, 61 GiB high), Kestrel's 256 MiB at the top of
 * RAM, MAXPHYADDR 39 and a 512 GiB guest-physical space. */
static const struct mem_region big_64g[] = {
    REGION(0, 0x9f000, MEM_USABLE),
    REGION(MiB, 3 * GiB - MiB - 2 * MiB, MEM_USABLE),
    REGION(3 * GiB - 2 * MiB, 0x3000, MEM_RUNTIME_CODE),
    REGION(3 * GiB - 2 * MiB + 0x3000, 0x5000, MEM_RUNTIME_DATA),
    REGION(0xe0000000, 256 * MiB, MEM_MMIO),
    REGION(4 * GiB, 61 * GiB - 256 * MiB, MEM_USABLE),
    REGION(65 * GiB - 256 * MiB, 256 * MiB, MEM_HYPERVISOR),
    REGION(0x7f00000000ull, 16 * MiB, MEM_MMIO),      /* a 64-bit BAR */
};

static void mtrr_big(struct mtrr_state *s)
{
    mtrr_pc(s);
    s->phys_addr_bits = 39;
    s->var_count = 0;
    set_var(s, 0, 0, 64 * GiB, MT_WB);
    set_var(s, 1, 64 * GiB, GiB, MT_WB);
    set_var(s, 2, 3 * GiB, GiB, MT_UC);
    set_var(s, 3, 0x7f00000000ull, 16 * MiB, MT_WC);
}

static void body_ident_big(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    struct mtrr_state s;
    mtrr_big(&s);
    struct slat_identity_policy p = { big_64g, ARRAY_LEN(big_64g), &s, 512 * GiB };

    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);
    /* root, PDPT, PD + PT (GiB 0), PD + PT (GiB 2: runtime), PD (GiB 64:
     * hypervisor), PD (GiB 508: the WC BAR). */
    CHECK_EQ_U64(t->e.tables, 8);
    CHECK_IDENT(t, 0, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, GiB, RWX, MT_WB, GiB);
    CHECK_IDENT(t, 3 * GiB - 2 * MiB, RX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 3 * GiB - 2 * MiB + 0x7fff, R, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 3 * GiB - 2 * MiB + 0x8000, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 3 * GiB - 2 * MiB - 1, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 3 * GiB, RWX, MT_UC, GiB);
    CHECK_IDENT(t, 4 * GiB, RWX, MT_WB, GiB);
    CHECK_IDENT(t, 64 * GiB - 1, RWX, MT_WB, GiB);
    CHECK_IDENT(t, 64 * GiB, RWX, MT_WB, 2 * MiB);
    CHECK_UNMAPPED(t, 65 * GiB - 256 * MiB);
    CHECK_UNMAPPED(t, 65 * GiB - 1);
    CHECK_IDENT(t, 65 * GiB, RWX, MT_UC, GiB);
    CHECK_IDENT(t, 0x7f00000000ull, RWX, MT_WC, 2 * MiB);
    CHECK_IDENT(t, 0x7f00ffffffull, RWX, MT_WC, 2 * MiB);
    CHECK_IDENT(t, 0x7f01000000ull, RWX, MT_UC, 2 * MiB);
    CHECK_IDENT(t, 512 * GiB - 1, RWX, MT_UC, GiB);
    CHECK_UNMAPPED(t, 512 * GiB);
}

TEST(ept_identity_64g_ram)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1024, body_ident_big);
}

static void body_ident_big_2m(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    struct mtrr_state s;
    mtrr_big(&s);
    struct slat_identity_policy p = { big_64g, ARRAY_LEN(big_64g), &s, 512 * GiB };

    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);
    /* Without 1 GiB leaves: root, PDPT, 512 PDs, 2 PTs. */
    CHECK_EQ_U64(t->e.tables, 516);
    CHECK_IDENT(t, 3 * GiB, RWX, MT_UC, 2 * MiB);
    CHECK_UNMAPPED(t, 65 * GiB - 1);
}

TEST(ept_identity_64g_ram_2m_pages)
{
    WITH_EPT(t, SLAT_ALLOW_2M, 1024, body_ident_big_2m);
}

static void body_ident_uc_inside_wb(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    struct mtrr_state s;
    mtrr_pc(&s);
    /* A 16 KiB UC range inside WB RAM above 4 GiB (some device window). */
    set_var(&s, 3, 0x123404000ull, 16 * KiB, MT_UC);
    struct slat_identity_policy p = { pc_4g, ARRAY_LEN(pc_4g), &s, 64 * GiB };

    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 6);              /* one PD and one PT more */
    CHECK_IDENT(t, 0x123403fffull, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x123404000ull, RWX, MT_UC, 4 * KiB);
    CHECK_IDENT(t, 0x123407fffull, RWX, MT_UC, 4 * KiB);
    CHECK_IDENT(t, 0x123408000ull, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x123400000ull, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x123600000ull, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 0x1233fffffull, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 4 * GiB, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 5 * GiB, RWX, MT_WB, GiB);
    check_pc_low(unit_ctx_, t);
}

TEST(ept_identity_uc_range_inside_wb)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1024, body_ident_uc_inside_wb);
}

static void body_ident_odd(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    /* Edges inside pages restrict the whole page; overlapping restricted
     * regions (not a normalized map) intersect their permissions. */
    static const struct mem_region odd[] = {
        REGION(0x1000800, 0x100, MEM_HYPERVISOR),
        REGION(0x2000123, 0x1000, MEM_RUNTIME_CODE),       /* touches 2 pages */
        REGION(0x3000000, 0x3000, MEM_RUNTIME_CODE),
        REGION(0x3002000, 0x3000, MEM_RUNTIME_DATA),       /* overlaps by a page */
        REGION(0x4000000, 0x2000, MEM_RUNTIME_DATA),
        REGION(0x4001000, 0x1000, MEM_HYPERVISOR),
        REGION(0x3f000000, 0x2000000, MEM_HYPERVISOR),     /* straddles top */
        REGION(0, 0x40000000, MEM_USABLE),
    };
    struct mtrr_state s;
    memset(&s, 0, sizeof(s));
    s.enabled = true;
    s.default_type = MT_WB;
    struct slat_identity_policy p = { odd, ARRAY_LEN(odd), &s, 0x40000000 };

    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);
    CHECK_IDENT(t, 0xfff000, RWX, MT_WB, 2 * MiB);
    CHECK_UNMAPPED(t, 0x1000000);
    CHECK_UNMAPPED(t, 0x1000fff);
    CHECK_IDENT(t, 0x1001000, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x1fff000, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 0x11ff000, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x1200000, RWX, MT_WB, 2 * MiB);
    CHECK_IDENT(t, 0x2000000, RX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x2001000, RX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x2002000, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x3001000, RX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x3002000, R, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x3004000, R, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x3005000, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x4000000, R, MT_WB, 4 * KiB);
    CHECK_UNMAPPED(t, 0x4001000);
    CHECK_IDENT(t, 0x4002000, RWX, MT_WB, 4 * KiB);
    CHECK_IDENT(t, 0x3efff000, RWX, MT_WB, 2 * MiB);
    CHECK_UNMAPPED(t, 0x3f000000);
    CHECK_UNMAPPED(t, 0x3fffffff);
    CHECK_UNMAPPED(t, 0x40000000);
    CHECK_IDENT(t, 0x6000000, RWX, MT_WB, 2 * MiB);
}

TEST(ept_identity_odd_alignment)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1024, body_ident_odd);
}

static void body_ident_edges(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    struct slat_identity_policy p = { pc_4g, ARRAY_LEN(pc_4g), NULL, 0x1001 };

    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_MISALIGNED);
    p.top = SLAT_GPA_LIMIT + GiB;
    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_BAD_ADDRESS);
    p.top = 0;
    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 1);
    CHECK_UNMAPPED(t, 0);
    /* No MTRR state: all UC. */
    p.top = 8 * GiB;
    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 2);
    CHECK_IDENT(t, 0, RWX, MT_UC, GiB);
    CHECK_IDENT(t, 8 * GiB - 1, RWX, MT_UC, GiB);
    CHECK_UNMAPPED(t, 8 * GiB);
    /* MTRRs disabled: the same. */
    struct mtrr_state s;
    mtrr_pc(&s);
    s.enabled = false;
    p.mtrr = &s;
    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 2);
    CHECK_IDENT(t, 0xa0000, RWX, MT_UC, GiB);
    /* The whole 48-bit space, 1 GiB leaves: root + 512 PDPTs. */
    p.top = SLAT_GPA_LIMIT;
    p.count = 0;
    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);
    CHECK_EQ_U64(t->e.tables, 513);
    CHECK_IDENT(t, SLAT_GPA_LIMIT - 1, RWX, MT_UC, GiB);
}

TEST(ept_identity_edge_cases)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1024, body_ident_edges);
}

static void body_ident_oom(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    struct mtrr_state s;
    mtrr_pc(&s);
    struct slat_identity_policy p = { pc_4g, ARRAY_LEN(pc_4g), &s, 64 * GiB };

    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_NO_MEMORY);
}

TEST(ept_identity_out_of_memory)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 2, body_ident_oom);
}

/* Random maps and MTRRs against a page-by-page model; also checks that every
 * aligned block the model says is uniform got one large leaf. */

static unsigned model_kind_perms(uint32_t kind)
{
    switch (kind) {
    case MEM_HYPERVISOR:   return 0;
    case MEM_RUNTIME_CODE: return RX;
    case MEM_RUNTIME_DATA: return R;
    default:               return RWX;
    }
}

static const uint32_t random_kinds[] = {
    MEM_USABLE, MEM_USABLE, MEM_RESERVED, MEM_MMIO, MEM_ACPI_NVS,
    MEM_RUNTIME_CODE, MEM_RUNTIME_DATA, MEM_HYPERVISOR, MEM_UNUSABLE,
};

static void random_identity(struct unit_ctx *unit_ctx_, struct test_ept *t, uint64_t top,
                            uint64_t grain, uint64_t *seed)
{
    struct mem_region map[24];
    size_t n = 0;
    uint64_t pos = 0;

    /* Sorted, disjoint regions with gaps; edges on grain multiples, now and
     * then off by a page or a few bytes. */
    while (n < ARRAY_LEN(map) && pos < top) {
        uint64_t gap = next_random(seed) % 3 == 0 ? (next_random(seed) % 4) * grain : 0;
        uint64_t base = pos + gap;
        uint64_t size = (1 + next_random(seed) % 6) * grain;

        switch (next_random(seed) % 5) {
        case 0: size += PAGE * (next_random(seed) % 3); break;
        case 1: size = PAGE * (1 + next_random(seed) % 4); break;
        case 2: size += next_random(seed) % 0x800; break;
        default: break;
        }
        if (base >= top)
            break;
        map[n].base = base;
        map[n].size = size;
        map[n].kind = random_kinds[next_random(seed) % ARRAY_LEN(random_kinds)];
        map[n].pad = 0;
        n++;
        pos = base + size;
    }

    struct mtrr_state s;
    memset(&s, 0, sizeof(s));
    s.enabled = next_random(seed) % 8 != 0;
    s.fixed_enabled = next_random(seed) % 2;
    s.phys_addr_bits = 36;
    s.default_type = next_random(seed) % 2 ? MT_WB : MT_UC;
    for (int i = 0; i < 11; i++)
        s.fixed[i] = FIX_ALL(next_random(seed) % 3 ? MT_WB : MT_UC);
    unsigned nv = (unsigned)(next_random(seed) % 6);
    for (unsigned i = 0; i < nv; i++) {
        uint64_t size = grain << (next_random(seed) % 4);
        if (next_random(seed) % 3 == 0)
            size = PAGE << (next_random(seed) % 4);
        uint64_t base = (next_random(seed) % top) & ~(size - 1);
        set_var(&s, i, base, size, model_types[next_random(seed) % ARRAY_LEN(model_types)]);
    }

    struct slat_identity_policy p = { map, n, &s, top };
    CHECK_EQ_U64(slat_build_identity(&t->e, &p), SLAT_OK);

    /* The model: one (perms, type) per page. */
    uint64_t pages = top / PAGE;
    uint8_t *perms = malloc(pages), *types = malloc(pages);
    if (perms == NULL || types == NULL) {
        free(perms);
        free(types);
        unit_fail(unit_ctx_, __FILE__, __LINE__, "out of host memory");
        return;
    }
    memset(perms, RWX, pages);
    for (size_t i = 0; i < n; i++) {
        uint64_t first = map[i].base / PAGE;
        uint64_t end = (map[i].base + map[i].size + PAGE - 1) / PAGE;
        for (uint64_t pg = first; pg < end && pg < pages; pg++)
            perms[pg] &= (uint8_t)model_kind_perms(map[i].kind);
    }
    for (uint64_t pg = 0; pg < pages; pg++)
        types[pg] = mtrr_type_at(&s, pg * PAGE);

    /* Which aligned 2 MiB / 1 GiB blocks are uniform in the model. */
    uint64_t n2m = pages / 512, n1g = pages / (GiB / PAGE);
    bool *u2m = calloc(n2m + 1, 1), *u1g = calloc(n1g + 1, 1);
    for (uint64_t b = 0; u2m != NULL && b < n2m; b++) {
        u2m[b] = true;
        for (uint64_t q = b * 512; q < (b + 1) * 512; q++)
            u2m[b] &= perms[q] == perms[b * 512] && types[q] == types[b * 512];
    }
    for (uint64_t b = 0; u1g != NULL && b < n1g; b++) {
        u1g[b] = true;
        for (uint64_t q = b * 512 * 512; q < (b + 1) * 512 * 512; q += 512)
            u1g[b] &= u2m[q / 512] && perms[q] == perms[b * 512 * 512] &&
                      types[q] == types[b * 512 * 512];
    }

    for (uint64_t pg = 0; u2m != NULL && u1g != NULL && pg < pages && !unit_ctx_->failed; pg++) {
        uint64_t hpa, size;
        unsigned got_perms;
        uint8_t got_type;
        int r = slat_translate(&t->e, pg * PAGE, &hpa, &got_perms, &got_type, &size);

        if (perms[pg] == 0) {
            if (r != -1)
                unit_fail(unit_ctx_, __FILE__, __LINE__, "page 0x%" PRIx64 " mapped", pg * PAGE);
            continue;
        }
        if (r != 0 || hpa != pg * PAGE || got_perms != perms[pg] || got_type != types[pg]) {
            unit_fail(unit_ctx_, __FILE__, __LINE__,
                      "page 0x%" PRIx64 ": r %d perms %u type %u, model %u %u",
                      pg * PAGE, r, got_perms, got_type, perms[pg], types[pg]);
            continue;
        }
        /* Largest leaf: an aligned uniform block must be one leaf. */
        uint64_t want = PAGE;
        if ((t->e.allow & SLAT_ALLOW_1G) && pg / (GiB / PAGE) < n1g && u1g[pg / (GiB / PAGE)])
            want = GiB;
        else if ((t->e.allow & SLAT_ALLOW_2M) && pg / 512 < n2m && u2m[pg / 512])
            want = 2 * MiB;
        if (size != want) {
            unit_fail(unit_ctx_, __FILE__, __LINE__,
                      "page 0x%" PRIx64 ": leaf 0x%" PRIx64 ", expected 0x%" PRIx64,
                      pg * PAGE, size, want);
            continue;
        }
        /* The leaf is uniform in the model (it follows from the block
         * flags), so the rest of it needs no walk. */
        pg += size / PAGE - 1;
    }
    free(u2m);
    free(u1g);
    free(perms);
    free(types);
}

static void body_ident_random_small(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    uint64_t seed = 0x2545f4914f6cdd1dull;

    for (int round = 0; round < 60 && !unit_ctx_->failed; round++) {
        /* A fresh EPT per round. */
        ept_teardown(t);
        t->alloc.budget = 1 << 14;
        if (slat_init(&t->e) != SLAT_OK)
            abort();
        random_identity(unit_ctx_, t, 64 * MiB, 2 * MiB, &seed);
    }
}

TEST(ept_identity_random_against_model_2m)
{
    WITH_EPT(t, SLAT_ALLOW_2M, 1 << 14, body_ident_random_small);
}

static void body_ident_random_large(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    uint64_t seed = 0x7fb5d329728ea185ull;

    for (int round = 0; round < 4 && !unit_ctx_->failed; round++) {
        ept_teardown(t);
        t->alloc.budget = 1 << 14;
        if (slat_init(&t->e) != SLAT_OK)
            abort();
        random_identity(unit_ctx_, t, 8 * GiB, GiB / 4, &seed);
    }
}

TEST(ept_identity_random_against_model_1g)
{
    WITH_EPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1 << 14, body_ident_random_large);
}


/* ---- NPT: the format-neutral bodies again, and NPT's own encoding ------- */

TEST(npt_split_large_leaf_by_map) { WITH_NPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 32, body_split_1g_by_map); }
TEST(npt_split_large_leaf_by_unmap) { WITH_NPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 32, body_split_by_unmap); }
TEST(npt_random_against_model_2m) { WITH_NPT(t, SLAT_ALLOW_2M, 4096, body_random_small); }
TEST(npt_random_against_model_4k) { WITH_NPT(t, 0, 4096, body_random_4k_only); }
TEST(npt_random_against_model_1g) { WITH_NPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1 << 16, body_random_1g); }
TEST(npt_identity_pc_4g_1g_pages) { WITH_NPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1024, body_ident_pc_1g); }
TEST(npt_identity_hypervisor_and_runtime) { WITH_NPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1024, body_ident_carved); }
TEST(npt_identity_uc_range_inside_wb) { WITH_NPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1024, body_ident_uc_inside_wb); }
TEST(npt_identity_odd_alignment) { WITH_NPT(t, SLAT_ALLOW_1G | SLAT_ALLOW_2M, 1024, body_ident_odd); }

static void body_npt_entries(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    /* A 4 KiB WB RW leaf: P, R/W, U/S; tables P, R/W, U/S. */
    CHECK_EQ_U64(slat_map(&t->e, 0x400000, 0x1234000, 4 * KiB, RW, MT_WB), SLAT_OK);
    uint64_t *table = t->e.root;
    for (unsigned level = 4; level > 1; level--) {
        uint64_t e = table[(0x400000ull >> (12 + 9 * (level - 1))) & 511];
        CHECK_EQ_U64(e & ~EPT_ENTRY_ADDR, 7);
        table = next_table(e);
    }
    CHECK_EQ_U64(table[0], 0x1234000ull | 7 | (1ull << 63));   /* no exec: NX */
    /* RX UC: no R/W, PAT index 3 (PCD | PWT), no NX. */
    CHECK_EQ_U64(slat_map(&t->e, 0x401000, 0x401000, 4 * KiB, RX, MT_UC), SLAT_OK);
    CHECK_EQ_U64(table[1], 0x401000ull | 5 | (1u << 3) | (1u << 4));
    /* WC is index 4 of this PAT: the PAT bit, bit 7 in a 4 KiB leaf. */
    CHECK_EQ_U64(slat_map(&t->e, 0x402000, 0x402000, 4 * KiB, RWX, MT_WC), SLAT_OK);
    CHECK_EQ_U64(table[2], 0x402000ull | 7 | (1u << 7));
    CHECK_IDENT(t, 0x402000, RWX, MT_WC, 4 * KiB);
    /* A 2 MiB WC leaf: PS in bit 7, the PAT bit in bit 12. */
    CHECK_EQ_U64(slat_map(&t->e, 2 * GiB, 2 * GiB, 2 * MiB, RWX, MT_WC), SLAT_OK);
    CHECK_IDENT(t, 2 * GiB + MiB, RWX, MT_WC, 2 * MiB);
    /* Split by a 4 KiB change: the pieces keep WC, their PAT bit back in bit 7. */
    CHECK_EQ_U64(slat_map(&t->e, 2 * GiB, 2 * GiB, 4 * KiB, R, MT_WC), SLAT_OK);
    CHECK_IDENT(t, 2 * GiB, R, MT_WC, 4 * KiB);
    CHECK_IDENT(t, 2 * GiB + 4 * KiB, RWX, MT_WC, 4 * KiB);
    CHECK_IDENT(t, 2 * GiB + 2 * MiB - 4 * KiB, RWX, MT_WC, 4 * KiB);
    /* Execute-only does not exist in NPT. */
    CHECK_EQ_U64(slat_map(&t->e, 0x403000, 0x403000, 4 * KiB, SLAT_EXEC, MT_WB), SLAT_BAD_ATTR);
}

TEST(npt_entry_encoding)
{
    WITH_NPT(t, SLAT_ALLOW_2M, 16, body_npt_entries);
}

static void body_npt_power_on_pat(struct unit_ctx *unit_ctx_, struct test_ept *t)
{
    t->e.host_pat_set = false;     /* WB, WT, UC-, UC, WB, WT, UC-, UC */
    CHECK_EQ_U64(slat_map(&t->e, 0x400000, 0x400000, 4 * KiB, RW, MT_WC), SLAT_OK);
    CHECK_IDENT(t, 0x400000, RW, MT_UC, 4 * KiB);   /* no WC entry: UC, never faster */
    CHECK_EQ_U64(slat_map(&t->e, 0x401000, 0x401000, 4 * KiB, RW, MT_WT), SLAT_OK);
    CHECK_IDENT(t, 0x401000, RW, MT_WT, 4 * KiB);
}

TEST(npt_power_on_pat)
{
    WITH_NPT(t, 0, 16, body_npt_power_on_pat);
}

TEST_SUITE(slat,
    UNIT(ept_init_and_pointer),
    UNIT(ept_map_4k),
    UNIT(ept_map_2m_and_1g),
    UNIT(ept_map_1g_without_2m),
    UNIT(ept_map_mixed_alignment),
    UNIT(ept_map_hpa_alignment_limits_page_size),
    UNIT(ept_map_bad_arguments),
    UNIT(ept_split_large_leaf_by_map),
    UNIT(ept_split_large_leaf_by_unmap),
    UNIT(ept_map_inside_large_leaf_unchanged),
    UNIT(ept_remap_whole_over_split_tables),
    UNIT(ept_split_keeps_leaf_bits),
    UNIT(ept_out_of_memory),
    UNIT(ept_random_against_model_2m),
    UNIT(ept_random_against_model_4k),
    UNIT(ept_random_against_model_1g),
    UNIT(ept_identity_pc_4g_1g_pages),
    UNIT(ept_identity_pc_4g_2m_pages),
    UNIT(ept_identity_without_fixed_ranges),
    UNIT(ept_identity_hypervisor_and_runtime),
    UNIT(ept_identity_64g_ram),
    UNIT(ept_identity_64g_ram_2m_pages),
    UNIT(ept_identity_uc_range_inside_wb),
    UNIT(ept_identity_odd_alignment),
    UNIT(ept_identity_edge_cases),
    UNIT(ept_identity_out_of_memory),
    UNIT(ept_identity_random_against_model_2m),
    UNIT(ept_identity_random_against_model_1g),
    UNIT(npt_split_large_leaf_by_map),
    UNIT(npt_split_large_leaf_by_unmap),
    UNIT(npt_random_against_model_2m),
    UNIT(npt_random_against_model_4k),
    UNIT(npt_random_against_model_1g),
    UNIT(npt_identity_pc_4g_1g_pages),
    UNIT(npt_identity_hypervisor_and_runtime),
    UNIT(npt_identity_uc_range_inside_wb),
    UNIT(npt_identity_odd_alignment),
    UNIT(npt_entry_encoding),
    UNIT(npt_power_on_pat),
);
