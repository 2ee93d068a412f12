/* Unit tests for guest/linux/e820.c. */
#include "test.h"

#include "guest/linux/e820.h"

#include <stdlib.h>

#define MIB 0x100000ull

static struct mem_region region(uint64_t base, uint64_t size, uint32_t kind)
{
    struct mem_region r = { base, size, kind, 0 };

    return r;
}

/* Compares one entry; reports the index on mismatch. */
static void expect_entry(struct unit_ctx *unit_ctx_, const struct e820_entry *e, unsigned i,
                         uint64_t addr, uint64_t size, uint32_t type, int line)
{
    if (e[i].addr != addr || e[i].size != size || e[i].type != type)
        unit_fail(unit_ctx_, __FILE__, line,
                  "entry %u: {0x%" PRIx64 ", 0x%" PRIx64 ", %u}, wanted {0x%" PRIx64
                  ", 0x%" PRIx64 ", %u}", i, (uint64_t)e[i].addr, (uint64_t)e[i].size,
                  (unsigned)e[i].type, addr, size, (unsigned)type);
}

#define CHECK_ENTRY(e, i, addr, size, type)                                     \
    do {                                                                        \
        expect_entry(unit_ctx_, (e), (i), (addr), (size), (type), __LINE__);    \
        CHECK_PASSING();                                                        \
    } while (0)

TEST(e820_entry_layout)
{
    struct e820_entry e[2];

    CHECK_EQ_U64(sizeof(struct e820_entry), 20);
    CHECK_EQ_U64(sizeof(e), 40);
    CHECK_EQ_U64(offsetof(struct e820_entry, size), 8);
    CHECK_EQ_U64(offsetof(struct e820_entry, type), 16);
}

TEST(e820_type_for_every_kind)
{
    CHECK_EQ_U64(e820_type_from_kind(MEM_USABLE), E820_RAM);
    CHECK_EQ_U64(e820_type_from_kind(MEM_ACPI_RECLAIM), E820_ACPI);
    CHECK_EQ_U64(e820_type_from_kind(MEM_ACPI_NVS), E820_NVS);
    CHECK_EQ_U64(e820_type_from_kind(MEM_UNUSABLE), E820_UNUSABLE);
    CHECK_EQ_U64(e820_type_from_kind(MEM_PERSISTENT), E820_PMEM);
    CHECK_EQ_U64(e820_type_from_kind(MEM_RESERVED), E820_RESERVED);
    CHECK_EQ_U64(e820_type_from_kind(MEM_MMIO), E820_RESERVED);
    CHECK_EQ_U64(e820_type_from_kind(MEM_RUNTIME_DATA), E820_RESERVED);
    CHECK_EQ_U64(e820_type_from_kind(MEM_RUNTIME_CODE), E820_RESERVED);
    CHECK_EQ_U64(e820_type_from_kind(MEM_HYPERVISOR), E820_RESERVED);
    CHECK_EQ_U64(e820_type_from_kind(0), E820_RESERVED);
    CHECK_EQ_U64(e820_type_from_kind(MEM_KIND_COUNT), E820_RESERVED);
    CHECK_EQ_U64(e820_type_from_kind(0xffffffffu), E820_RESERVED);
    CHECK_STR(e820_type_name(E820_RAM), "RAM");
    CHECK_STR(e820_type_name(E820_ACPI), "ACPI");
    CHECK_STR(e820_type_name(E820_NVS), "NVS");
    CHECK_STR(e820_type_name(E820_PMEM), "persistent");
    CHECK_STR(e820_type_name(6), "unknown");
}

/* A firmware-like map with Kestrel's memory carved out of RAM. */
TEST(e820_from_typical_map)
{
    const struct mem_region map[] = {
        region(0, 0xA0000, MEM_USABLE),
        region(0x100000, 0x700000, MEM_USABLE),
        region(0x800000, 0x8000, MEM_ACPI_NVS),
        region(0x808000, 0x7F8000, MEM_USABLE),
        region(0x1000000, 0x1000000, MEM_HYPERVISOR),    /* Kestrel */
        region(0x2000000, 0x3D000000, MEM_USABLE),
        region(0x3F000000, 0x10000, MEM_RUNTIME_CODE),
        region(0x3F010000, 0x10000, MEM_RUNTIME_DATA),   /* merges with the above */
        region(0x3F020000, 0x20000, MEM_ACPI_RECLAIM),
        region(0x3F040000, 0x1000, MEM_UNUSABLE),
        region(0xE0000000, 0x10000000, MEM_MMIO),
        region(0xF0000000, 0x1000000, MEM_RESERVED),     /* merges with the MMIO */
        region(0xFEC00000, 0x1000, MEM_MMIO),            /* after a gap: separate */
        region(0x100000000ull, 0x40000000, MEM_PERSISTENT),
    };
    struct e820_entry e[32];

    unsigned n = e820_from_memmap(map, sizeof(map) / sizeof(map[0]), e, 32);
    CHECK_EQ_U64(n, 12);
    CHECK_ENTRY(e, 0, 0, 0xA0000, E820_RAM);
    CHECK_ENTRY(e, 1, 0x100000, 0x700000, E820_RAM);
    CHECK_ENTRY(e, 2, 0x800000, 0x8000, E820_NVS);
    CHECK_ENTRY(e, 3, 0x808000, 0x7F8000, E820_RAM);
    CHECK_ENTRY(e, 4, 0x1000000, 0x1000000, E820_RESERVED);   /* never left out */
    CHECK_ENTRY(e, 5, 0x2000000, 0x3D000000, E820_RAM);
    CHECK_ENTRY(e, 6, 0x3F000000, 0x20000, E820_RESERVED);
    CHECK_ENTRY(e, 7, 0x3F020000, 0x20000, E820_ACPI);
    CHECK_ENTRY(e, 8, 0x3F040000, 0x1000, E820_UNUSABLE);
    CHECK_ENTRY(e, 9, 0xE0000000, 0x11000000, E820_RESERVED);
    CHECK_ENTRY(e, 10, 0xFEC00000, 0x1000, E820_RESERVED);
    CHECK_ENTRY(e, 11, 0x100000000ull, 0x40000000, E820_PMEM);
}

TEST(e820_from_memmap_merges_only_touching_same_type)
{
    const struct mem_region map[] = {
        region(0x1000, 0x1000, MEM_USABLE),
        region(0x2000, 0x1000, MEM_USABLE),     /* touching, same: merged */
        region(0x4000, 0x1000, MEM_USABLE),     /* gap: separate */
        region(0x5000, 0x1000, MEM_RESERVED),   /* touching, other type */
        region(0x6000, 0, MEM_USABLE),          /* empty: skipped */
        region(0x6000, 0x1000, MEM_HYPERVISOR), /* same e820 type as reserved */
    };
    struct e820_entry e[8];

    CHECK_EQ_U64(e820_from_memmap(map, 6, e, 8), 3);
    CHECK_ENTRY(e, 0, 0x1000, 0x2000, E820_RAM);
    CHECK_ENTRY(e, 1, 0x4000, 0x1000, E820_RAM);
    CHECK_ENTRY(e, 2, 0x5000, 0x2000, E820_RESERVED);
}

TEST(e820_from_memmap_capacity)
{
    const struct mem_region map[] = {
        region(0x1000, 0x1000, MEM_USABLE),
        region(0x3000, 0x1000, MEM_RESERVED),
        region(0x5000, 0x1000, MEM_USABLE),
    };
    struct e820_entry e[3];

    CHECK_EQ_U64(e820_from_memmap(map, 3, e, 3), 3);
    CHECK_EQ_U64(e820_from_memmap(map, 3, e, 2), 0);
    CHECK_EQ_U64(e820_from_memmap(map, 3, e, 0), 0);
    CHECK_EQ_U64(e820_from_memmap(map, 0, e, 3), 0);
    CHECK_EQ_U64(e820_from_memmap(NULL, 3, e, 3), 0);
    CHECK_EQ_U64(e820_from_memmap(map, 3, NULL, 3), 0);
}

TEST(e820_from_memmap_refuses_unnormalized_maps)
{
    struct e820_entry e[4];
    const struct mem_region unsorted[] = {
        region(0x5000, 0x1000, MEM_USABLE), region(0x1000, 0x1000, MEM_USABLE),
    };
    const struct mem_region overlapping[] = {
        region(0x1000, 0x2000, MEM_USABLE), region(0x2000, 0x1000, MEM_RESERVED),
    };
    const struct mem_region wrapping[] = {
        region(0xFFFFFFFFFFFFF000ull, 0x2000, MEM_RESERVED),
    };
    const struct mem_region at_the_top[] = {
        region(0xFFFFFFFFFFFFE000ull, 0x1000, MEM_RESERVED),
    };

    CHECK_EQ_U64(e820_from_memmap(unsorted, 2, e, 4), 0);
    CHECK_EQ_U64(e820_from_memmap(overlapping, 2, e, 4), 0);
    CHECK_EQ_U64(e820_from_memmap(wrapping, 1, e, 4), 0);
    CHECK_EQ_U64(e820_from_memmap(at_the_top, 1, e, 4), 1);
}

/* A list of RAM with a reserved entry, used by the add_reserved tests:
 *   [1M, 3M) RAM, [3M, 4M) reserved, [8M, 16M) RAM */
static unsigned base_list(struct e820_entry *e)
{
    e[0] = (struct e820_entry){ 1 * MIB, 2 * MIB, E820_RAM };
    e[1] = (struct e820_entry){ 3 * MIB, 1 * MIB, E820_RESERVED };
    e[2] = (struct e820_entry){ 8 * MIB, 8 * MIB, E820_RAM };
    return 3;
}

TEST(e820_add_splits_ram)
{
    struct e820_entry e[8];
    unsigned n = base_list(e);

    CHECK(e820_add_reserved(e, &n, 8, 10 * MIB, 0x3000, E820_ACPI));
    CHECK_EQ_U64(n, 5);
    CHECK_ENTRY(e, 2, 8 * MIB, 2 * MIB, E820_RAM);
    CHECK_ENTRY(e, 3, 10 * MIB, 0x3000, E820_ACPI);
    CHECK_ENTRY(e, 4, 10 * MIB + 0x3000, 6 * MIB - 0x3000, E820_RAM);
    CHECK_ENTRY(e, 0, 1 * MIB, 2 * MIB, E820_RAM);
    CHECK_ENTRY(e, 1, 3 * MIB, 1 * MIB, E820_RESERVED);
}

TEST(e820_add_at_edges)
{
    struct e820_entry e[8];
    unsigned n = base_list(e);

    /* Start of an entry. */
    CHECK(e820_add_reserved(e, &n, 8, 8 * MIB, 0x1000, E820_NVS));
    CHECK_EQ_U64(n, 4);
    CHECK_ENTRY(e, 2, 8 * MIB, 0x1000, E820_NVS);
    CHECK_ENTRY(e, 3, 8 * MIB + 0x1000, 8 * MIB - 0x1000, E820_RAM);
    /* End of an entry. */
    n = base_list(e);
    CHECK(e820_add_reserved(e, &n, 8, 16 * MIB - 0x1000, 0x1000, E820_NVS));
    CHECK_EQ_U64(n, 4);
    CHECK_ENTRY(e, 2, 8 * MIB, 8 * MIB - 0x1000, E820_RAM);
    CHECK_ENTRY(e, 3, 16 * MIB - 0x1000, 0x1000, E820_NVS);
    /* Exactly one entry. */
    n = base_list(e);
    CHECK(e820_add_reserved(e, &n, 3, 8 * MIB, 8 * MIB, E820_ACPI));
    CHECK_EQ_U64(n, 3);
    CHECK_ENTRY(e, 2, 8 * MIB, 8 * MIB, E820_ACPI);
}

TEST(e820_add_merges_with_neighbours)
{
    struct e820_entry e[8];
    unsigned n = base_list(e);

    /* Reserved right after the reserved entry: grows it. */
    CHECK(e820_add_reserved(e, &n, 8, 4 * MIB, 1 * MIB, E820_RESERVED));
    CHECK_EQ_U64(n, 3);
    CHECK_ENTRY(e, 1, 3 * MIB, 2 * MIB, E820_RESERVED);
    /* Filling the hole between it and the RAM with reserved: one entry. */
    CHECK(e820_add_reserved(e, &n, 8, 5 * MIB, 3 * MIB, E820_RESERVED));
    CHECK_EQ_U64(n, 3);
    CHECK_ENTRY(e, 1, 3 * MIB, 5 * MIB, E820_RESERVED);
    /* RAM over the reserved part: everything RAM from 1M to 16M. */
    CHECK(e820_add_reserved(e, &n, 8, 3 * MIB, 5 * MIB, E820_RAM));
    CHECK_EQ_U64(n, 1);
    CHECK_ENTRY(e, 0, 1 * MIB, 15 * MIB, E820_RAM);
}

TEST(e820_add_spanning_and_in_holes)
{
    struct e820_entry e[8];
    unsigned n = base_list(e);

    /* Covers the tail of RAM, the reserved entry, the hole, the head of RAM. */
    CHECK(e820_add_reserved(e, &n, 8, 2 * MIB, 7 * MIB, E820_ACPI));
    CHECK_EQ_U64(n, 3);
    CHECK_ENTRY(e, 0, 1 * MIB, 1 * MIB, E820_RAM);
    CHECK_ENTRY(e, 1, 2 * MIB, 7 * MIB, E820_ACPI);
    CHECK_ENTRY(e, 2, 9 * MIB, 7 * MIB, E820_RAM);
    /* Wholly in a hole, and before/after everything. */
    n = base_list(e);
    CHECK(e820_add_reserved(e, &n, 8, 5 * MIB, 1 * MIB, E820_ACPI));
    CHECK(e820_add_reserved(e, &n, 8, 0, 0x1000, E820_RESERVED));
    CHECK(e820_add_reserved(e, &n, 8, 64 * MIB, 0x1000, E820_RESERVED));
    CHECK_EQ_U64(n, 6);
    CHECK_ENTRY(e, 0, 0, 0x1000, E820_RESERVED);
    CHECK_ENTRY(e, 3, 5 * MIB, 1 * MIB, E820_ACPI);
    CHECK_ENTRY(e, 5, 64 * MIB, 0x1000, E820_RESERVED);
    /* Into an empty list. */
    n = 0;
    CHECK(e820_add_reserved(e, &n, 1, 5 * MIB, 1 * MIB, E820_ACPI));
    CHECK_EQ_U64(n, 1);
    CHECK_ENTRY(e, 0, 5 * MIB, 1 * MIB, E820_ACPI);
}

TEST(e820_add_refusals_leave_list_untouched)
{
    struct e820_entry e[8], before[8];
    unsigned n = base_list(e);

    memcpy(before, e, sizeof(e));
    /* A split needs 2 more entries. */
    CHECK(!e820_add_reserved(e, &n, 4, 10 * MIB, 0x1000, E820_ACPI));
    CHECK(!e820_add_reserved(e, &n, 8, 10 * MIB, 0, E820_ACPI));
    CHECK(!e820_add_reserved(e, &n, 8, UINT64_MAX - 0xfff, 0x2000, E820_ACPI));
    CHECK(!e820_add_reserved(e, &n, 2, 10 * MIB, 0x1000, E820_ACPI));   /* count > cap */
    CHECK(!e820_add_reserved(NULL, &n, 8, 10 * MIB, 0x1000, E820_ACPI));
    CHECK(!e820_add_reserved(e, NULL, 8, 10 * MIB, 0x1000, E820_ACPI));
    CHECK_EQ_U64(n, 3);
    CHECK(memcmp(e, before, sizeof(e)) == 0);
    /* Exactly enough room. */
    CHECK(e820_add_reserved(e, &n, 5, 10 * MIB, 0x1000, E820_ACPI));
    CHECK_EQ_U64(n, 5);

    /* Unsorted or overlapping input is refused. */
    struct e820_entry bad[3] = {
        { 8 * MIB, MIB, E820_RAM }, { 1 * MIB, MIB, E820_RAM }, { 0, 0, 0 },
    };
    n = 2;
    CHECK(!e820_add_reserved(bad, &n, 3, 0, 0x1000, E820_ACPI));
    bad[1] = (struct e820_entry){ 8 * MIB + 0x1000, MIB, E820_RAM };
    CHECK(!e820_add_reserved(bad, &n, 3, 0, 0x1000, E820_ACPI));
    bad[0] = (struct e820_entry){ UINT64_MAX - 0xfff, 0x2000, E820_RAM };
    n = 1;
    CHECK(!e820_add_reserved(bad, &n, 3, 0, 0x1000, E820_ACPI));
}

/* ---- against a reference model -------------------------------------------
 * Memory as cells, each holding a type (0 = not listed); painting cells is
 * obviously right, and the list the code keeps must describe the same cells. */

#define CELLS 48
#define CELL  0x1000ull

static unsigned list_from_cells(const uint8_t *cell, struct e820_entry *e)
{
    unsigned n = 0;

    for (unsigned c = 0; c < CELLS;) {
        unsigned start = c;

        while (c < CELLS && cell[c] == cell[start])
            c++;
        if (cell[start] != 0)
            e[n++] = (struct e820_entry){ start * CELL, (c - start) * CELL, cell[start] };
    }
    return n;
}

TEST(e820_add_matches_model)
{
    srand(820);
    for (int round = 0; round < 400; round++) {
        uint8_t cell[CELLS] = { 0 };
        struct e820_entry e[CELLS], want[CELLS];

        for (unsigned c = 0; c < CELLS; c++)
            cell[c] = (uint8_t)(rand() % 3 == 0 ? 0 : 1 + rand() % 4);
        unsigned n = list_from_cells(cell, e);

        for (int step = 0; step < 6; step++) {
            unsigned first = (unsigned)rand() % CELLS;
            unsigned count = 1 + (unsigned)rand() % (CELLS - first);
            uint32_t type = 1 + (uint32_t)rand() % 4;

            for (unsigned c = first; c < first + count; c++)
                cell[c] = (uint8_t)type;
            CHECK(e820_add_reserved(e, &n, CELLS, first * CELL, count * CELL, type));
            unsigned wn = list_from_cells(cell, want);
            if (n != wn || memcmp(e, want, n * sizeof(e[0])) != 0) {
                unit_fail(unit_ctx_, __FILE__, __LINE__, "round %d step %d: %u entries, model %u",
                          round, step, n, wn);
                return;
            }
        }
    }
}

TEST_SUITE(e820,
    UNIT(e820_entry_layout),
    UNIT(e820_type_for_every_kind),
    UNIT(e820_from_typical_map),
    UNIT(e820_from_memmap_merges_only_touching_same_type),
    UNIT(e820_from_memmap_capacity),
    UNIT(e820_from_memmap_refuses_unnormalized_maps),
    UNIT(e820_add_splits_ram),
    UNIT(e820_add_at_edges),
    UNIT(e820_add_merges_with_neighbours),
    UNIT(e820_add_spanning_and_in_holes),
    UNIT(e820_add_refusals_leave_list_untouched),
    UNIT(e820_add_matches_model),
);
