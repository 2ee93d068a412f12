/* Unit tests for lib/memmap.c. */
#include "test.h"

#include "lib/efi_mmap.h"
#include "lib/memmap.h"

#include <stdlib.h>

#define PAGE 0x1000ull

/* ---- a reference model ----------------------------------------------------
 * Memory as an array of cells, each holding a kind (0 = nothing).  Painting
 * cells is obviously right; the library's interval arithmetic must agree. */

#define CELL   0x1000ull
#define CELLS  64
#define ORIGIN 0x100000ull        /* cell 0 starts here */

struct grid {
    uint8_t kind[CELLS];
};

static struct mem_region cells_region(unsigned first, unsigned count, uint32_t kind)
{
    struct mem_region r = { ORIGIN + first * CELL, count * CELL, kind, 0 };

    return r;
}

/* Normalize semantics: the highest kind wins. */
static void grid_paint_max(struct grid *g, const struct mem_region *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (uint64_t c = (r[i].base - ORIGIN) / CELL; c < (r[i].base - ORIGIN + r[i].size) / CELL; c++) {
            if (r[i].kind > g->kind[c])
                g->kind[c] = (uint8_t)r[i].kind;
        }
    }
}

/* memmap_set semantics: the new kind replaces whatever was there. */
static void grid_paint_over(struct grid *g, unsigned first, unsigned count, uint32_t kind)
{
    for (unsigned c = first; c < first + count; c++)
        g->kind[c] = (uint8_t)kind;
}

/* The normalized list the model predicts: runs of one kind. */
static size_t grid_regions(const struct grid *g, struct mem_region *out)
{
    size_t n = 0;

    for (unsigned c = 0; c < CELLS;) {
        unsigned start = c;

        while (c < CELLS && g->kind[c] == g->kind[start])
            c++;
        if (g->kind[start] != 0)
            out[n++] = cells_region(start, c - start, g->kind[start]);
    }
    return n;
}

static void expect_regions(struct unit_ctx *unit_ctx_, const struct mem_region *got, size_t got_n,
                           const struct mem_region *want, size_t want_n, int line)
{
    if (got_n != want_n) {
        unit_fail(unit_ctx_, __FILE__, line, "%zu regions, expected %zu", got_n, want_n);
        return;
    }
    for (size_t i = 0; i < got_n; i++) {
        if (got[i].base != want[i].base || got[i].size != want[i].size ||
            got[i].kind != want[i].kind || got[i].pad != 0) {
            unit_fail(unit_ctx_, __FILE__, line,
                      "region %zu: [0x%" PRIx64 " +0x%" PRIx64 " %s pad %u], expected "
                      "[0x%" PRIx64 " +0x%" PRIx64 " %s]",
                      i, got[i].base, got[i].size, memmap_kind_name(got[i].kind), got[i].pad,
                      want[i].base, want[i].size, memmap_kind_name(want[i].kind));
            return;
        }
    }
}

#define CHECK_REGIONS(got, got_n, ...)                                          \
    do {                                                                        \
        const struct mem_region want_[] = { __VA_ARGS__ };                      \
        expect_regions(unit_ctx_, got, got_n, want_, sizeof(want_) / sizeof(want_[0]), __LINE__); \
        CHECK_PASSING();                                                        \
    } while (0)

/* Shorthand for hand-written maps: cells, not bytes. */
#define R(first, count, kind) cells_region(first, count, kind)

/* ---- normalize ------------------------------------------------------------ */

TEST(memmap_normalize_empty)
{
    struct mem_region r[1];
    size_t n = 0;

    CHECK_EQ_U64(memmap_normalize(r, &n, 1), MEMMAP_OK);
    CHECK_EQ_U64(n, 0);
    CHECK_EQ_U64(memmap_normalize(NULL, &n, 0), MEMMAP_OK);
}

TEST(memmap_normalize_sorts)
{
    struct mem_region r[] = { R(30, 5, MEM_USABLE), R(0, 5, MEM_RESERVED), R(10, 5, MEM_MMIO) };
    size_t n = 3;

    CHECK_EQ_U64(memmap_normalize(r, &n, 3), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 5, MEM_RESERVED), R(10, 5, MEM_MMIO), R(30, 5, MEM_USABLE));
}

TEST(memmap_normalize_merges_adjacent_same_kind)
{
    struct mem_region r[] = { R(5, 5, MEM_USABLE), R(0, 5, MEM_USABLE), R(10, 1, MEM_USABLE),
                              R(11, 2, MEM_RESERVED), R(13, 2, MEM_USABLE) };
    size_t n = 5;

    CHECK_EQ_U64(memmap_normalize(r, &n, 5), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 11, MEM_USABLE), R(11, 2, MEM_RESERVED), R(13, 2, MEM_USABLE));
}

TEST(memmap_normalize_nested_splits_in_three)
{
    struct mem_region r[3] = { R(0, 30, MEM_USABLE), R(10, 5, MEM_RESERVED) };
    size_t n = 2;

    CHECK_EQ_U64(memmap_normalize(r, &n, 3), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 10, MEM_USABLE), R(10, 5, MEM_RESERVED), R(15, 15, MEM_USABLE));
}

TEST(memmap_normalize_nested_lower_kind_disappears)
{
    struct mem_region r[] = { R(10, 5, MEM_USABLE), R(0, 30, MEM_ACPI_NVS) };
    size_t n = 2;

    CHECK_EQ_U64(memmap_normalize(r, &n, 2), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 30, MEM_ACPI_NVS));
}

TEST(memmap_normalize_identical_ranges)
{
    struct mem_region a[] = { R(0, 8, MEM_USABLE), R(0, 8, MEM_RUNTIME_CODE), R(0, 8, MEM_MMIO) };
    size_t n = 3;

    CHECK_EQ_U64(memmap_normalize(a, &n, 3), MEMMAP_OK);
    CHECK_REGIONS(a, n, R(0, 8, MEM_RUNTIME_CODE));

    struct mem_region b[] = { R(4, 8, MEM_USABLE), R(4, 8, MEM_USABLE), R(4, 8, MEM_USABLE) };
    n = 3;
    CHECK_EQ_U64(memmap_normalize(b, &n, 3), MEMMAP_OK);
    CHECK_REGIONS(b, n, R(4, 8, MEM_USABLE));
}

TEST(memmap_normalize_partial_overlaps)
{
    /* Higher kind overlapping the left end, then the right end. */
    struct mem_region a[] = { R(5, 10, MEM_USABLE), R(0, 8, MEM_RESERVED) };
    size_t n = 2;

    CHECK_EQ_U64(memmap_normalize(a, &n, 2), MEMMAP_OK);
    CHECK_REGIONS(a, n, R(0, 8, MEM_RESERVED), R(8, 7, MEM_USABLE));

    struct mem_region b[] = { R(0, 10, MEM_USABLE), R(8, 10, MEM_RESERVED) };
    n = 2;
    CHECK_EQ_U64(memmap_normalize(b, &n, 2), MEMMAP_OK);
    CHECK_REGIONS(b, n, R(0, 8, MEM_USABLE), R(8, 10, MEM_RESERVED));

    /* Same kind overlapping: one region. */
    struct mem_region c[] = { R(0, 10, MEM_MMIO), R(5, 10, MEM_MMIO) };
    n = 2;
    CHECK_EQ_U64(memmap_normalize(c, &n, 2), MEMMAP_OK);
    CHECK_REGIONS(c, n, R(0, 15, MEM_MMIO));

    /* Shared start, shared end. */
    struct mem_region d[3] = { R(0, 10, MEM_USABLE), R(0, 4, MEM_HYPERVISOR), R(7, 3, MEM_UNUSABLE) };
    n = 3;
    CHECK_EQ_U64(memmap_normalize(d, &n, 3), MEMMAP_OK);
    CHECK_REGIONS(d, n, R(0, 4, MEM_HYPERVISOR), R(4, 3, MEM_USABLE), R(7, 3, MEM_UNUSABLE));
}

TEST(memmap_normalize_staircase)
{
    /* Three nested kinds: 5 pieces from 3 regions. */
    struct mem_region r[5] = { R(0, 20, MEM_USABLE), R(4, 12, MEM_RESERVED), R(8, 4, MEM_UNUSABLE) };
    size_t n = 3;

    CHECK_EQ_U64(memmap_normalize(r, &n, 5), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 4, MEM_USABLE), R(4, 4, MEM_RESERVED), R(8, 4, MEM_UNUSABLE),
                  R(12, 4, MEM_RESERVED), R(16, 4, MEM_USABLE));
}

TEST(memmap_normalize_drops_empty_and_fixes_kinds)
{
    struct mem_region r[] = {
        R(0, 0, MEM_USABLE), R(2, 2, 0), R(6, 2, 99), R(10, 2, MEM_USABLE),
    };
    size_t n = 4;

    r[3].pad = 0xdead;
    CHECK_EQ_U64(memmap_normalize(r, &n, 4), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(2, 2, MEM_RESERVED), R(6, 2, MEM_RESERVED), R(10, 2, MEM_USABLE));

    struct mem_region z[] = { R(0, 0, MEM_USABLE), R(3, 0, MEM_MMIO) };
    n = 2;
    CHECK_EQ_U64(memmap_normalize(z, &n, 2), MEMMAP_OK);
    CHECK_EQ_U64(n, 0);
}

TEST(memmap_normalize_clamps_overflow)
{
    struct mem_region r[] = {
        { 0xfffffffffffff000ull, 0x2000, MEM_RESERVED, 0 },
        { UINT64_MAX, 5, MEM_RESERVED, 0 },   /* nothing representable left */
        { 0x1000, UINT64_MAX, MEM_MMIO, 0 },
    };
    size_t n = 3;

    CHECK_EQ_U64(memmap_normalize(r, &n, 3), MEMMAP_OK);
    CHECK_EQ_U64(n, 1);
    CHECK_EQ_U64(r[0].base, 0x1000);
    CHECK_EQ_U64(r[0].size, UINT64_MAX - 0x1000);
    CHECK_EQ_U64(r[0].kind, MEM_MMIO);
}

TEST(memmap_normalize_top_of_address_space)
{
    struct mem_region r[3] = {
        { 0xffffffff00000000ull, 0xffffffffull, MEM_USABLE, 0 },
        { 0xffffffff80000000ull, 0x1000, MEM_RESERVED, 0 },
    };
    size_t n = 2;

    CHECK_EQ_U64(memmap_normalize(r, &n, 3), MEMMAP_OK);
    CHECK_EQ_U64(n, 3);
    CHECK_EQ_U64(r[2].base, 0xffffffff80001000ull);
    CHECK_EQ_U64(r[2].base + r[2].size, UINT64_MAX);
    CHECK_EQ_U64(memmap_top(r, n), UINT64_MAX);
}

TEST(memmap_normalize_capacity)
{
    struct mem_region r[3] = { R(0, 30, MEM_USABLE), R(10, 5, MEM_RESERVED) };
    struct mem_region before[2];
    size_t n = 2;

    memcpy(before, r, sizeof(before));
    /* The answer needs 3 entries. */
    CHECK_EQ_U64(memmap_normalize(r, &n, 2), MEMMAP_TOO_MANY);
    CHECK_EQ_U64(n, 2);
    CHECK(memcmp(r, before, sizeof(before)) == 0);
    CHECK_EQ_U64(memmap_normalize(r, &n, 3), MEMMAP_OK);
    CHECK_EQ_U64(n, 3);

    /* More input than capacity is refused outright. */
    n = 3;
    CHECK_EQ_U64(memmap_normalize(r, &n, 2), MEMMAP_TOO_MANY);
}

TEST(memmap_normalize_result_larger_than_input_but_fits)
{
    /*
     * Many long usable regions, each starting one cell later, and small
     * reserved holes further on.  The result (2k+1 entries) is exactly as
     * large as the input: a naive in-place sweep would run out of room.
     */
    enum { K = 8, N = 2 * K + 1 };
    struct mem_region r[N];
    struct grid g = { { 0 } };
    struct mem_region want[CELLS];
    size_t n = 0;

    for (unsigned j = 0; j <= K; j++)
        r[n++] = R(j, 60 - j, MEM_USABLE);
    for (unsigned i = 0; i < K; i++)
        r[n++] = R(K + 2 + 3 * i, 1, MEM_RESERVED);
    grid_paint_max(&g, r, n);
    size_t want_n = grid_regions(&g, want);
    CHECK_EQ_U64(want_n, N);

    CHECK_EQ_U64(memmap_normalize(r, &n, N), MEMMAP_OK);
    expect_regions(unit_ctx_, r, n, want, want_n, __LINE__);
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

/* A random region on the grid, biased towards short ones so overlaps of
 * every shape (nested, identical, touching, partial) all occur. */
static struct mem_region random_region(uint64_t *seed)
{
    unsigned first = (unsigned)(next_random(seed) % CELLS);
    unsigned room = CELLS - first;
    unsigned len = 1 + (unsigned)(next_random(seed) % (next_random(seed) % 4 == 0 ? room : (room < 6 ? room : 6)));
    uint32_t kind = MEM_USABLE + (uint32_t)(next_random(seed) % (MEM_KIND_COUNT - MEM_USABLE));

    return cells_region(first, len, kind);
}

TEST(memmap_normalize_random_against_model)
{
    uint64_t seed = 0x1234567887654321ull;
    struct mem_region input[32], r[CELLS + 32], want[CELLS];

    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(next_random(&seed) % 25);
        struct grid g = { { 0 } };

        for (size_t i = 0; i < n; i++)
            input[i] = random_region(&seed);
        grid_paint_max(&g, input, n);
        size_t want_n = grid_regions(&g, want);
        size_t cap = want_n > n ? want_n : n;

        /* Exactly enough room: must succeed and match the model. */
        size_t got = n;
        memcpy(r, input, n * sizeof(r[0]));
        CHECK_EQ_U64(memmap_normalize(r, &got, cap), MEMMAP_OK);
        expect_regions(unit_ctx_, r, got, want, want_n, __LINE__);
        CHECK_PASSING();

        /* Normalizing again changes nothing. */
        CHECK_EQ_U64(memmap_normalize(r, &got, cap), MEMMAP_OK);
        expect_regions(unit_ctx_, r, got, want, want_n, __LINE__);
        CHECK_PASSING();

        /* One entry short: refused, yet still the same memory. */
        if (want_n > n) {
            got = n;
            memcpy(r, input, n * sizeof(r[0]));
            CHECK_EQ_U64(memmap_normalize(r, &got, want_n - 1), MEMMAP_TOO_MANY);
            CHECK(got <= want_n - 1);
            struct grid after = { { 0 } };
            grid_paint_max(&after, r, got);
            CHECK(memcmp(&after, &g, sizeof(g)) == 0);
        }
    }
}

TEST(memmap_normalize_large_input)
{
    /* A few hundred entries of chaos: checks the in-place work stays
     * bounded and correct at the sizes firmware produces. */
    uint64_t seed = 42;
    enum { N = 400 };
    static struct mem_region r[2 * N];
    struct mem_region want[CELLS];
    struct grid g = { { 0 } };

    for (size_t i = 0; i < N; i++)
        r[i] = random_region(&seed);
    grid_paint_max(&g, r, N);
    size_t want_n = grid_regions(&g, want);
    size_t n = N;

    CHECK_EQ_U64(memmap_normalize(r, &n, 2 * N), MEMMAP_OK);
    expect_regions(unit_ctx_, r, n, want, want_n, __LINE__);
}

/* ---- EFI conversion --------------------------------------------------- */

struct efi_entry {
    uint32_t type;
    uint64_t phys;
    uint64_t pages;
    uint64_t attribute;
};

/* Lays entries out with the given stride, junk in every byte the library
 * must not read (the pad field and the stride's tail). */
static size_t build_efi_map(unsigned char *buf, size_t desc_size, const struct efi_entry *e, size_t n)
{
    memset(buf, 0xa5, desc_size * n);
    for (size_t i = 0; i < n; i++) {
        struct efi_mem_desc d;

        memset(&d, 0xa5, sizeof(d));
        d.type = e[i].type;
        d.phys_start = e[i].phys;
        d.virt_start = 0x5a5a5a5a5a5a5a5aull;
        d.pages = e[i].pages;
        d.attribute = e[i].attribute;
        memcpy(buf + i * desc_size, &d, sizeof(d));
    }
    return desc_size * n;
}

TEST(memmap_efi_kinds)
{
    static const struct { uint32_t type; uint64_t attr; enum mem_kind kind; } cases[] = {
        { EFI_MEM_RESERVED, 0, MEM_RESERVED },
        { EFI_MEM_LOADER_CODE, 0, MEM_USABLE },
        { EFI_MEM_LOADER_DATA, 0, MEM_USABLE },
        { EFI_MEM_BOOT_SERVICES_CODE, 0, MEM_USABLE },
        { EFI_MEM_BOOT_SERVICES_DATA, 0, MEM_USABLE },
        { EFI_MEM_RUNTIME_SERVICES_CODE, 0, MEM_RUNTIME_CODE },
        { EFI_MEM_RUNTIME_SERVICES_DATA, 0, MEM_RUNTIME_DATA },
        { EFI_MEM_CONVENTIONAL, 0, MEM_USABLE },
        { EFI_MEM_UNUSABLE, 0, MEM_UNUSABLE },
        { EFI_MEM_ACPI_RECLAIM, 0, MEM_ACPI_RECLAIM },
        { EFI_MEM_ACPI_NVS, 0, MEM_ACPI_NVS },
        { EFI_MEM_MMIO, 0, MEM_MMIO },
        { EFI_MEM_MMIO_PORT_SPACE, 0, MEM_MMIO },
        { EFI_MEM_PAL_CODE, 0, MEM_RESERVED },
        { EFI_MEM_PERSISTENT, 0, MEM_PERSISTENT },
        { EFI_MEM_UNACCEPTED, 0, MEM_RESERVED },
        { EFI_MEM_TYPE_COUNT, 0, MEM_RESERVED },
        { 0x6fffffff, 0, MEM_RESERVED },
        { 0x70000000, 0, MEM_RESERVED },      /* OEM */
        { 0x80000000, 0, MEM_RESERVED },      /* OS loader */
        { 0xffffffff, 0, MEM_RESERVED },
        /* Usable types marked for runtime use must survive ExitBootServices. */
        { EFI_MEM_CONVENTIONAL, EFI_MEM_ATTR_RUNTIME | EFI_MEM_ATTR_WB, MEM_RUNTIME_DATA },
        { EFI_MEM_BOOT_SERVICES_DATA, EFI_MEM_ATTR_RUNTIME, MEM_RUNTIME_DATA },
        { EFI_MEM_LOADER_CODE, EFI_MEM_ATTR_RUNTIME, MEM_RUNTIME_DATA },
        { EFI_MEM_CONVENTIONAL, EFI_MEM_ATTR_WB | EFI_MEM_ATTR_UC, MEM_USABLE },
        { EFI_MEM_RUNTIME_SERVICES_CODE, EFI_MEM_ATTR_RUNTIME, MEM_RUNTIME_CODE },
        { EFI_MEM_MMIO, EFI_MEM_ATTR_RUNTIME, MEM_MMIO },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (memmap_kind_from_efi(cases[i].type, cases[i].attr) != cases[i].kind) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "type 0x%x attr 0x%" PRIx64 ": %s, expected %s",
                      cases[i].type, cases[i].attr,
                      memmap_kind_name(memmap_kind_from_efi(cases[i].type, cases[i].attr)),
                      memmap_kind_name(cases[i].kind));
            return;
        }
    }
}

/* An OVMF-like map, unsorted and with a few firmware quirks. */
static const struct efi_entry sample_map[] = {
    { EFI_MEM_BOOT_SERVICES_CODE, 0x00000000, 1, EFI_MEM_ATTR_WB },
    { EFI_MEM_CONVENTIONAL,       0x00001000, 0x9f, EFI_MEM_ATTR_WB },
    { EFI_MEM_RESERVED,           0x000a0000, 0x60, 0 },
    { EFI_MEM_LOADER_DATA,        0x00200000, 0x100, EFI_MEM_ATTR_WB },
    { EFI_MEM_CONVENTIONAL,       0x00100000, 0x100, EFI_MEM_ATTR_WB },
    { EFI_MEM_ACPI_RECLAIM,       0x00300000, 0x10, EFI_MEM_ATTR_WB },
    { EFI_MEM_ACPI_NVS,           0x00310000, 0x10, EFI_MEM_ATTR_WB },
    { EFI_MEM_RUNTIME_SERVICES_DATA, 0x00320000, 0x20, EFI_MEM_ATTR_WB | EFI_MEM_ATTR_RUNTIME },
    { EFI_MEM_RUNTIME_SERVICES_CODE, 0x00340000, 0x20, EFI_MEM_ATTR_WB | EFI_MEM_ATTR_RUNTIME },
    { EFI_MEM_CONVENTIONAL,       0x00360000, 0, EFI_MEM_ATTR_WB },             /* zero pages */
    { EFI_MEM_CONVENTIONAL,       0x00400000, 0x3c00, EFI_MEM_ATTR_WB },
    { EFI_MEM_MMIO,               0xfec00000, 1, EFI_MEM_ATTR_UC | EFI_MEM_ATTR_RUNTIME },
    { EFI_MEM_CONVENTIONAL,       0xfffffffffffff000ull, 2, 0 },             /* wraps */
    { EFI_MEM_CONVENTIONAL,       0xffffffffffff0000ull, 0x10, 0 },          /* ends at 2^64 */
    { EFI_MEM_CONVENTIONAL,       0x1000, 0x0010000000000000ull, 0 },        /* pages << 12 wraps */
};
#define SAMPLE_COUNT (sizeof(sample_map) / sizeof(sample_map[0]))

static void check_sample_result(struct unit_ctx *unit_ctx_, const struct mem_region *r, size_t n)
{
    const struct mem_region want[] = {
        { 0x00000000, 0xa0000, MEM_USABLE, 0 },
        { 0x000a0000, 0x60000, MEM_RESERVED, 0 },
        { 0x00100000, 0x200000, MEM_USABLE, 0 },
        { 0x00300000, 0x10000, MEM_ACPI_RECLAIM, 0 },
        { 0x00310000, 0x10000, MEM_ACPI_NVS, 0 },
        { 0x00320000, 0x20000, MEM_RUNTIME_DATA, 0 },
        { 0x00340000, 0x20000, MEM_RUNTIME_CODE, 0 },
        { 0x00400000, 0x3c00000, MEM_USABLE, 0 },
        { 0xfec00000, 0x1000, MEM_MMIO, 0 },
    };

    expect_regions(unit_ctx_, r, n, want, sizeof(want) / sizeof(want[0]), __LINE__);
}

TEST(memmap_from_efi_descriptor_sizes)
{
    static const size_t sizes[] = { 40, 48, 56, 64, 128 };
    unsigned char buf[SAMPLE_COUNT * 128 + 8];
    struct mem_region r[32];

    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        size_t count = 77;
        size_t map_size = build_efi_map(buf, sizes[s], sample_map, SAMPLE_COUNT);

        CHECK_EQ_U64(memmap_from_efi(buf, map_size, sizes[s], r, 32, &count), MEMMAP_OK);
        check_sample_result(unit_ctx_, r, count);
        CHECK_PASSING();
    }
}

TEST(memmap_from_efi_unaligned_buffer)
{
    unsigned char buf[SAMPLE_COUNT * 48 + 8];
    struct mem_region r[32];
    size_t count;
    size_t map_size = build_efi_map(buf + 4, 48, sample_map, SAMPLE_COUNT);

    CHECK_EQ_U64(memmap_from_efi(buf + 4, map_size, 48, r, 32, &count), MEMMAP_OK);
    check_sample_result(unit_ctx_, r, count);
}

TEST(memmap_from_efi_bad_sizes)
{
    unsigned char buf[256];
    struct mem_region r[8];
    size_t count = 99;

    memset(buf, 0, sizeof(buf));
    CHECK_EQ_U64(memmap_from_efi(buf, 80, 0, r, 8, &count), MEMMAP_BAD_DESC_SIZE);
    CHECK_EQ_U64(count, 0);
    CHECK_EQ_U64(memmap_from_efi(buf, 64, 32, r, 8, &count), MEMMAP_BAD_DESC_SIZE);
    CHECK_EQ_U64(memmap_from_efi(buf, 88, 44, r, 8, &count), MEMMAP_BAD_DESC_SIZE);
    CHECK_EQ_U64(memmap_from_efi(buf, 36, 36, r, 8, &count), MEMMAP_BAD_DESC_SIZE);
    count = 99;
    CHECK_EQ_U64(memmap_from_efi(buf, 100, 48, r, 8, &count), MEMMAP_BAD_MAP_SIZE);
    CHECK_EQ_U64(count, 0);
    CHECK_EQ_U64(memmap_from_efi(buf, 47, 48, r, 8, &count), MEMMAP_BAD_MAP_SIZE);
    /* An empty map is valid, if useless. */
    count = 99;
    CHECK_EQ_U64(memmap_from_efi(buf, 0, 48, r, 8, &count), MEMMAP_OK);
    CHECK_EQ_U64(count, 0);
}

TEST(memmap_from_efi_compacts_when_full)
{
    /* 300 one-page descriptors (in descending order) that merge into one
     * region, into 4 slots. */
    enum { N = 300 };
    static struct efi_entry entries[N];
    static unsigned char buf[N * 48];
    struct mem_region r[4];
    size_t count;

    for (unsigned i = 0; i < N; i++)
        entries[i] = (struct efi_entry){ EFI_MEM_CONVENTIONAL, 0x100000 + (N - 1 - i) * PAGE, 1,
                                         EFI_MEM_ATTR_WB };
    size_t map_size = build_efi_map(buf, 48, entries, N);
    CHECK_EQ_U64(memmap_from_efi(buf, map_size, 48, r, 4, &count), MEMMAP_OK);
    CHECK_EQ_U64(count, 1);
    CHECK_EQ_U64(r[0].base, 0x100000);
    CHECK_EQ_U64(r[0].size, N * PAGE);
    CHECK_EQ_U64(r[0].kind, MEM_USABLE);
}

TEST(memmap_from_efi_capacity_exhausted)
{
    struct efi_entry entries[10];
    unsigned char buf[10 * 40];
    struct mem_region r[5];
    size_t count = 7;

    for (unsigned i = 0; i < 10; i++)
        entries[i] = (struct efi_entry){ EFI_MEM_CONVENTIONAL, i * 2 * PAGE, 1, 0 };
    size_t map_size = build_efi_map(buf, 40, entries, 10);
    CHECK_EQ_U64(memmap_from_efi(buf, map_size, 40, r, 5, &count), MEMMAP_TOO_MANY);
    CHECK_EQ_U64(count, 0);
    CHECK_EQ_U64(memmap_from_efi(buf, map_size, 40, r, 0, &count), MEMMAP_TOO_MANY);

    /* Final normalize needs more room than the raw entries. */
    struct efi_entry nested[2] = {
        { EFI_MEM_CONVENTIONAL, 0, 16, 0 }, { EFI_MEM_RESERVED, 4 * PAGE, 1, 0 },
    };
    map_size = build_efi_map(buf, 40, nested, 2);
    CHECK_EQ_U64(memmap_from_efi(buf, map_size, 40, r, 2, &count), MEMMAP_TOO_MANY);
    CHECK_EQ_U64(memmap_from_efi(buf, map_size, 40, r, 3, &count), MEMMAP_OK);
    CHECK_EQ_U64(count, 3);
}

TEST(memmap_from_efi_overlapping_firmware_entries)
{
    /* Buggy firmware: conventional memory overlapping runtime code. */
    struct efi_entry entries[] = {
        { EFI_MEM_CONVENTIONAL, 0x0, 0x100, 0 },
        { EFI_MEM_RUNTIME_SERVICES_CODE, 0x80000, 0x10, EFI_MEM_ATTR_RUNTIME },
        { EFI_MEM_CONVENTIONAL, 0x80000, 0x8, 0 },
    };
    unsigned char buf[3 * 56];
    struct mem_region r[8];
    size_t count;
    size_t map_size = build_efi_map(buf, 56, entries, 3);

    CHECK_EQ_U64(memmap_from_efi(buf, map_size, 56, r, 8, &count), MEMMAP_OK);
    CHECK_EQ_U64(count, 3);
    CHECK_EQ_U64(r[1].base, 0x80000);
    CHECK_EQ_U64(r[1].size, 0x10000);
    CHECK_EQ_U64(r[1].kind, MEM_RUNTIME_CODE);
    CHECK_EQ_U64(memmap_total(r, count, MEM_USABLE), 0xf0000);
}

/* ---- memmap_set ------------------------------------------------------- */

TEST(memmap_set_splits_a_region)
{
    struct mem_region r[4] = { R(0, 30, MEM_USABLE) };
    size_t n = 1;

    CHECK_EQ_U64(memmap_set(r, &n, 4, R(10, 5, 0).base, 5 * CELL, MEM_HYPERVISOR), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 10, MEM_USABLE), R(10, 5, MEM_HYPERVISOR), R(15, 15, MEM_USABLE));
}

TEST(memmap_set_at_edges)
{
    struct mem_region r[4] = { R(0, 30, MEM_USABLE) };
    size_t n = 1;

    CHECK_EQ_U64(memmap_set(r, &n, 4, R(0, 0, 0).base, 4 * CELL, MEM_HYPERVISOR), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 4, MEM_HYPERVISOR), R(4, 26, MEM_USABLE));
    CHECK_EQ_U64(memmap_set(r, &n, 4, R(26, 0, 0).base, 4 * CELL, MEM_RESERVED), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 4, MEM_HYPERVISOR), R(4, 22, MEM_USABLE), R(26, 4, MEM_RESERVED));
}

TEST(memmap_set_spans_several_regions_and_gaps)
{
    struct mem_region r[8] = { R(0, 10, MEM_USABLE), R(20, 10, MEM_RESERVED), R(40, 10, MEM_USABLE) };
    size_t n = 3;

    CHECK_EQ_U64(memmap_set(r, &n, 8, R(5, 0, 0).base, 40 * CELL, MEM_HYPERVISOR), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 5, MEM_USABLE), R(5, 40, MEM_HYPERVISOR), R(45, 5, MEM_USABLE));
}

TEST(memmap_set_overrides_higher_kinds)
{
    struct mem_region r[4] = { R(0, 10, MEM_UNUSABLE) };
    size_t n = 1;

    CHECK_EQ_U64(memmap_set(r, &n, 4, R(2, 0, 0).base, 2 * CELL, MEM_USABLE), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 2, MEM_UNUSABLE), R(2, 2, MEM_USABLE), R(4, 6, MEM_UNUSABLE));
}

TEST(memmap_set_joins_neighbours)
{
    struct mem_region r[4] = { R(0, 10, MEM_USABLE), R(20, 10, MEM_USABLE) };
    size_t n = 2;

    /* Fills the gap exactly: three become one. */
    CHECK_EQ_U64(memmap_set(r, &n, 2, R(10, 0, 0).base, 10 * CELL, MEM_USABLE), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 30, MEM_USABLE));

    struct mem_region a[4] = { R(0, 10, MEM_USABLE), R(10, 10, MEM_RESERVED) };
    n = 2;
    CHECK_EQ_U64(memmap_set(a, &n, 2, R(10, 0, 0).base, 4 * CELL, MEM_USABLE), MEMMAP_OK);
    CHECK_REGIONS(a, n, R(0, 14, MEM_USABLE), R(14, 6, MEM_RESERVED));

    struct mem_region b[4] = { R(0, 10, MEM_RESERVED), R(10, 10, MEM_USABLE) };
    n = 2;
    CHECK_EQ_U64(memmap_set(b, &n, 2, R(6, 0, 0).base, 4 * CELL, MEM_USABLE), MEMMAP_OK);
    CHECK_REGIONS(b, n, R(0, 6, MEM_RESERVED), R(6, 14, MEM_USABLE));
}

TEST(memmap_set_into_empty_map)
{
    struct mem_region r[1];
    size_t n = 0;

    CHECK_EQ_U64(memmap_set(r, &n, 1, 0x1000, 0x2000, MEM_HYPERVISOR), MEMMAP_OK);
    CHECK_EQ_U64(n, 1);
    CHECK_EQ_U64(r[0].base, 0x1000);
    CHECK_EQ_U64(r[0].size, 0x2000);
    CHECK_EQ_U64(r[0].kind, MEM_HYPERVISOR);
    CHECK_EQ_U64(memmap_set(r, &n, 0, 0x10000, 0x1000, MEM_USABLE), MEMMAP_TOO_MANY);
}

TEST(memmap_set_capacity)
{
    struct mem_region r[3] = { R(0, 10, MEM_USABLE), R(20, 10, MEM_RESERVED), R(40, 4, MEM_MMIO) };
    struct mem_region before[3];
    size_t n = 3;

    memcpy(before, r, sizeof(r));
    /* A split needs two more entries: refused, map untouched. */
    CHECK_EQ_U64(memmap_set(r, &n, 3, R(2, 0, 0).base, 2 * CELL, MEM_HYPERVISOR), MEMMAP_TOO_MANY);
    CHECK_EQ_U64(n, 3);
    CHECK(memcmp(r, before, sizeof(r)) == 0);
    /* A new region in a gap needs one. */
    CHECK_EQ_U64(memmap_set(r, &n, 3, R(12, 0, 0).base, 2 * CELL, MEM_HYPERVISOR), MEMMAP_TOO_MANY);
    CHECK(memcmp(r, before, sizeof(r)) == 0);
    /* Same kind already there: nothing to do, even when full. */
    CHECK_EQ_U64(memmap_set(r, &n, 3, R(21, 0, 0).base, 2 * CELL, MEM_RESERVED), MEMMAP_OK);
    CHECK(memcmp(r, before, sizeof(r)) == 0);
    /* Replacing a whole region in place fits. */
    CHECK_EQ_U64(memmap_set(r, &n, 3, R(20, 0, 0).base, 10 * CELL, MEM_HYPERVISOR), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 10, MEM_USABLE), R(20, 10, MEM_HYPERVISOR), R(40, 4, MEM_MMIO));
    /* Swallowing two regions frees room. */
    CHECK_EQ_U64(memmap_set(r, &n, 3, R(15, 0, 0).base, 35 * CELL, MEM_USABLE), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 10, MEM_USABLE), R(15, 35, MEM_USABLE));
}

TEST(memmap_set_empty_and_overflowing_ranges)
{
    struct mem_region r[4] = { R(0, 10, MEM_USABLE) };
    size_t n = 1;

    CHECK_EQ_U64(memmap_set(r, &n, 4, R(2, 0, 0).base, 0, MEM_RESERVED), MEMMAP_OK);
    CHECK_REGIONS(r, n, R(0, 10, MEM_USABLE));
    CHECK_EQ_U64(memmap_set(r, &n, 4, 0xffffffff00000000ull, UINT64_MAX, MEM_MMIO), MEMMAP_OK);
    CHECK_EQ_U64(n, 2);
    CHECK_EQ_U64(r[1].base, 0xffffffff00000000ull);
    CHECK_EQ_U64(r[1].base + r[1].size, UINT64_MAX);
}

TEST(memmap_set_random_against_model)
{
    uint64_t seed = 0xfeedface12345678ull;
    struct mem_region r[CELLS + 4], before[CELLS + 4], want[CELLS];

    for (int round = 0; round < 3000; round++) {
        struct grid g = { { 0 } };
        size_t n = 0;

        for (int op = 0; op < 12; op++) {
            struct mem_region s = random_region(&seed);
            unsigned first = (unsigned)((s.base - ORIGIN) / CELL);
            unsigned count = (unsigned)(s.size / CELL);
            struct grid next = g;

            grid_paint_over(&next, first, count, s.kind);
            size_t want_n = grid_regions(&next, want);

            /* Sometimes exactly one entry too few: must refuse cleanly. */
            if (want_n > n && want_n > 0 && next_random(&seed) % 4 == 0) {
                size_t keep = n;
                memcpy(before, r, n * sizeof(r[0]));
                CHECK_EQ_U64(memmap_set(r, &n, want_n - 1, s.base, s.size, s.kind), MEMMAP_TOO_MANY);
                CHECK_EQ_U64(n, keep);
                CHECK(memcmp(r, before, n * sizeof(r[0])) == 0);
            }
            CHECK_EQ_U64(memmap_set(r, &n, want_n > n ? want_n : n, s.base, s.size, s.kind), MEMMAP_OK);
            expect_regions(unit_ctx_, r, n, want, want_n, __LINE__);
            CHECK_PASSING();
            g = next;
        }
    }
}

/* ---- queries ---------------------------------------------------------- */

TEST(memmap_total_and_top)
{
    struct mem_region r[] = { R(0, 10, MEM_USABLE), R(10, 2, MEM_RESERVED), R(20, 5, MEM_USABLE) };

    CHECK_EQ_U64(memmap_total(r, 3, MEM_USABLE), 15 * CELL);
    CHECK_EQ_U64(memmap_total(r, 3, MEM_RESERVED), 2 * CELL);
    CHECK_EQ_U64(memmap_total(r, 3, MEM_MMIO), 0);
    CHECK_EQ_U64(memmap_top(r, 3), ORIGIN + 25 * CELL);
    CHECK_EQ_U64(memmap_top(r, 0), 0);
    /* The highest end, wherever it sits in the list. */
    struct mem_region u[] = { R(20, 5, MEM_USABLE), R(0, 10, MEM_USABLE) };
    CHECK_EQ_U64(memmap_top(u, 2), ORIGIN + 25 * CELL);
}

TEST(memmap_names)
{
    CHECK_STR(memmap_kind_name(MEM_USABLE), "usable");
    CHECK_STR(memmap_kind_name(MEM_ACPI_RECLAIM), "acpi-reclaim");
    CHECK_STR(memmap_kind_name(MEM_PERSISTENT), "persistent");
    CHECK_STR(memmap_kind_name(MEM_RESERVED), "reserved");
    CHECK_STR(memmap_kind_name(MEM_MMIO), "mmio");
    CHECK_STR(memmap_kind_name(MEM_ACPI_NVS), "acpi-nvs");
    CHECK_STR(memmap_kind_name(MEM_RUNTIME_DATA), "runtime-data");
    CHECK_STR(memmap_kind_name(MEM_RUNTIME_CODE), "runtime-code");
    CHECK_STR(memmap_kind_name(MEM_HYPERVISOR), "hypervisor");
    CHECK_STR(memmap_kind_name(MEM_UNUSABLE), "unusable");
    CHECK_STR(memmap_kind_name((enum mem_kind)0), "unknown");
    CHECK_STR(memmap_kind_name(MEM_KIND_COUNT), "unknown");
    CHECK_STR(memmap_status_name(MEMMAP_OK), "ok");
    CHECK_STR(memmap_status_name(MEMMAP_BAD_DESC_SIZE), "bad descriptor size");
    CHECK(strstr(memmap_status_name(MEMMAP_BAD_MAP_SIZE), "multiple") != NULL);
    CHECK(strstr(memmap_status_name(MEMMAP_TOO_MANY), "too many") != NULL);
    CHECK_STR(memmap_status_name((enum memmap_status)42), "unknown status");
}

TEST_SUITE(memmap,
    UNIT(memmap_normalize_empty),
    UNIT(memmap_normalize_sorts),
    UNIT(memmap_normalize_merges_adjacent_same_kind),
    UNIT(memmap_normalize_nested_splits_in_three),
    UNIT(memmap_normalize_nested_lower_kind_disappears),
    UNIT(memmap_normalize_identical_ranges),
    UNIT(memmap_normalize_partial_overlaps),
    UNIT(memmap_normalize_staircase),
    UNIT(memmap_normalize_drops_empty_and_fixes_kinds),
    UNIT(memmap_normalize_clamps_overflow),
    UNIT(memmap_normalize_top_of_address_space),
    UNIT(memmap_normalize_capacity),
    UNIT(memmap_normalize_result_larger_than_input_but_fits),
    UNIT(memmap_normalize_random_against_model),
    UNIT(memmap_normalize_large_input),
    UNIT(memmap_efi_kinds),
    UNIT(memmap_from_efi_descriptor_sizes),
    UNIT(memmap_from_efi_unaligned_buffer),
    UNIT(memmap_from_efi_bad_sizes),
    UNIT(memmap_from_efi_compacts_when_full),
    UNIT(memmap_from_efi_capacity_exhausted),
    UNIT(memmap_from_efi_overlapping_firmware_entries),
    UNIT(memmap_set_splits_a_region),
    UNIT(memmap_set_at_edges),
    UNIT(memmap_set_spans_several_regions_and_gaps),
    UNIT(memmap_set_overrides_higher_kinds),
    UNIT(memmap_set_joins_neighbours),
    UNIT(memmap_set_into_empty_map),
    UNIT(memmap_set_capacity),
    UNIT(memmap_set_empty_and_overflowing_ranges),
    UNIT(memmap_set_random_against_model),
    UNIT(memmap_total_and_top),
    UNIT(memmap_names),
);
