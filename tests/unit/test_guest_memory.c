/* Unit tests for mm/guest_memory.c: what the guest sees vs Kestrel's memory. */
#include "test.h"

#include "mm/guest_memory.h"

#define MiB 0x100000ull

static struct mem_region at(const struct mem_region *m, size_t n, uint64_t addr)
{
    for (size_t i = 0; i < n; i++) {
        if (addr >= m[i].base && addr - m[i].base < m[i].size)
            return m[i];
    }
    struct mem_region none = { 0, 0, 0, 0 };
    return none;
}

TEST(guest_memory_hides_everything_not_handed_over)
{
    struct mem_region map[16] = {
        { 0, 0xa0000, MEM_USABLE, 0 },
        { 0xa0000, 0x60000, MEM_RESERVED, 0 },
        { MiB, 255 * MiB, MEM_USABLE, 0 },
        { 256 * MiB, MiB, MEM_RUNTIME_DATA, 0 },
        { 257 * MiB, 255 * MiB, MEM_USABLE, 0 },
    };
    size_t count = 5;
    static struct frame_pool guest;
    frames_init(&guest);
    CHECK(frames_add(&guest, 2 * MiB, 100 * MiB));        /* 2..102 MiB the guest's */
    CHECK(frames_add(&guest, 300 * MiB, 200 * MiB));      /* 300..500 MiB the guest's */

    CHECK_EQ_U64(guest_memory_mark_hidden(map, &count, 16, &guest), MEMMAP_OK);
    CHECK_EQ_U64(at(map, count, 0x1000).kind, MEM_USABLE);          /* low memory stays */
    CHECK_EQ_U64(at(map, count, MiB).kind, MEM_HYPERVISOR);         /* 1..2 MiB: Kestrel's */
    CHECK_EQ_U64(at(map, count, 50 * MiB).kind, MEM_USABLE);
    CHECK_EQ_U64(at(map, count, 102 * MiB).kind, MEM_HYPERVISOR);
    CHECK_EQ_U64(at(map, count, 255 * MiB).kind, MEM_HYPERVISOR);
    CHECK_EQ_U64(at(map, count, 256 * MiB).kind, MEM_RUNTIME_DATA); /* non-RAM untouched */
    CHECK_EQ_U64(at(map, count, 257 * MiB).kind, MEM_HYPERVISOR);
    CHECK_EQ_U64(at(map, count, 300 * MiB).kind, MEM_USABLE);
    CHECK_EQ_U64(at(map, count, 500 * MiB).kind, MEM_HYPERVISOR);
    CHECK_EQ_U64(memmap_total(map, count, MEM_USABLE), 0xa0000 + 300 * MiB);
}

TEST(guest_memory_with_nothing_handed_over_hides_all_ram_above_1m)
{
    struct mem_region map[8] = {
        { 0, 0x9f000, MEM_USABLE, 0 },
        { MiB, 63 * MiB, MEM_USABLE, 0 },
    };
    size_t count = 2;
    static struct frame_pool guest;
    frames_init(&guest);
    CHECK_EQ_U64(guest_memory_mark_hidden(map, &count, 8, &guest), MEMMAP_OK);
    CHECK_EQ_U64(memmap_total(map, count, MEM_HYPERVISOR), 63 * MiB);
    CHECK_EQ_U64(memmap_total(map, count, MEM_USABLE), 0x9f000);
}

TEST(guest_memory_reports_a_full_map)
{
    struct mem_region map[3] = {
        { MiB, 63 * MiB, MEM_USABLE, 0 },
    };
    size_t count = 1;
    static struct frame_pool guest;
    frames_init(&guest);
    /* Three guest islands make four hidden pieces and seven regions. */
    CHECK(frames_add(&guest, 4 * MiB, MiB));
    CHECK(frames_add(&guest, 8 * MiB, MiB));
    CHECK(frames_add(&guest, 12 * MiB, MiB));
    CHECK_EQ_U64(guest_memory_mark_hidden(map, &count, 3, &guest), MEMMAP_TOO_MANY);
}

TEST_SUITE(guest_memory,
    UNIT(guest_memory_hides_everything_not_handed_over),
    UNIT(guest_memory_with_nothing_handed_over_hides_all_ram_above_1m),
    UNIT(guest_memory_reports_a_full_map));
