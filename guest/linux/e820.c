/*
 * The guest's e820 memory map (see guest/linux/e820.h).
 *
 * Works in the caller's arrays without scratch space: it runs in the kernel
 * on a small stack while the guest is being set up.
 */
#include "guest/linux/e820.h"

uint32_t e820_type_from_kind(uint32_t kind)
{
    switch (kind) {
    case MEM_USABLE:
        return E820_RAM;
    case MEM_ACPI_RECLAIM:
        return E820_ACPI;
    case MEM_ACPI_NVS:
        return E820_NVS;
    case MEM_UNUSABLE:
        return E820_UNUSABLE;
    case MEM_PERSISTENT:
        return E820_PMEM;
    default:
        /* MMIO, reserved, UEFI runtime code/data, Kestrel's own memory and
         * anything unknown: the guest must not use it, and it must see that
         * the range is taken (a hole would invite a PCI BAR there). */
        return E820_RESERVED;
    }
}

static uint64_t entry_end(const struct e820_entry *e)
{
    return e->addr + e->size;
}

static struct e820_entry make_entry(uint64_t addr, uint64_t size, uint32_t type)
{
    struct e820_entry e;

    e.addr = addr;
    e.size = size;
    e.type = type;
    return e;
}

unsigned e820_from_memmap(const struct mem_region *map, size_t count,
                          struct e820_entry *out, unsigned cap)
{
    unsigned n = 0;
    uint64_t prev_end = 0;

    if (map == NULL || out == NULL)
        return 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t base = map[i].base, size = map[i].size;
        uint32_t type = e820_type_from_kind(map[i].kind);

        if (size == 0)
            continue;
        if (size > UINT64_MAX - base)
            return 0;                      /* wraps: not a normalized map */
        if (n > 0 && base < prev_end)
            return 0;                      /* unsorted or overlapping */
        prev_end = base + size;

        if (n > 0 && out[n - 1].type == type && entry_end(&out[n - 1]) == base) {
            out[n - 1].size += size;
            continue;
        }
        if (n == cap)
            return 0;
        out[n++] = make_entry(base, size, type);
    }
    return n;
}

/* Whether e[0..n) is sorted, non-overlapping and free of wrap-around. */
static bool list_is_well_formed(const struct e820_entry *e, unsigned n)
{
    uint64_t prev_end = 0;

    for (unsigned i = 0; i < n; i++) {
        if (e[i].size > UINT64_MAX - e[i].addr)
            return false;
        if (i > 0 && e[i].addr < prev_end)
            return false;
        prev_end = entry_end(&e[i]);
    }
    return true;
}

/* Joins neighbours that touch and have the same type; returns the count. */
static unsigned merge_neighbours(struct e820_entry *e, unsigned n)
{
    unsigned out = 0;

    for (unsigned i = 0; i < n; i++) {
        if (e[i].size == 0)
            continue;
        if (out > 0 && e[out - 1].type == e[i].type && entry_end(&e[out - 1]) == e[i].addr) {
            e[out - 1].size += e[i].size;
            continue;
        }
        e[out++] = e[i];
    }
    return out;
}

/* Moves e[from..n) to start at index to (either direction). */
static void move_tail(struct e820_entry *e, unsigned n, unsigned from, unsigned to)
{
    unsigned len = n - from;

    if (to > from) {
        for (unsigned k = len; k > 0; k--)
            e[to + k - 1] = e[from + k - 1];
    } else if (to < from) {
        for (unsigned k = 0; k < len; k++)
            e[to + k] = e[from + k];
    }
}

bool e820_add_reserved(struct e820_entry *e, unsigned *count, unsigned cap,
                       uint64_t base, uint64_t size, uint32_t type)
{
    if (e == NULL || count == NULL || size == 0 || size > UINT64_MAX - base)
        return false;

    unsigned n = *count;
    uint64_t end = base + size;

    if (n > cap || !list_is_well_formed(e, n))
        return false;

    /* Entries [first, last) overlap the new range; the list is sorted and
     * disjoint, so only the first can stick out on the left and only the
     * last on the right. */
    unsigned first = 0;
    while (first < n && entry_end(&e[first]) <= base)
        first++;
    unsigned last = first;
    while (last < n && e[last].addr < end)
        last++;

    bool keep_left = first < last && e[first].addr < base;
    bool keep_right = first < last && entry_end(&e[last - 1]) > end;
    unsigned overlapped = last - first;
    unsigned inserted = 1u + (keep_left ? 1u : 0u) + (keep_right ? 1u : 0u);

    /* Counted before anything moves, so a refusal leaves the list as it was. */
    if ((uint64_t)n - overlapped + inserted > cap)
        return false;

    struct e820_entry left = keep_left ? e[first] : make_entry(0, 0, 0);
    struct e820_entry right = keep_right ? e[last - 1] : make_entry(0, 0, 0);

    if (keep_left)
        left.size = base - left.addr;
    if (keep_right) {
        uint64_t right_end = entry_end(&right);

        right.addr = end;
        right.size = right_end - end;
    }

    move_tail(e, n, last, first + inserted);
    unsigned at = first;
    if (keep_left)
        e[at++] = left;
    e[at++] = make_entry(base, size, type);
    if (keep_right)
        e[at++] = right;

    *count = merge_neighbours(e, n - overlapped + inserted);
    return true;
}

const char *e820_type_name(uint32_t type)
{
    switch (type) {
    case E820_RAM:
        return "RAM";
    case E820_RESERVED:
        return "reserved";
    case E820_ACPI:
        return "ACPI";
    case E820_NVS:
        return "NVS";
    case E820_UNUSABLE:
        return "unusable";
    case E820_PMEM:
        return "persistent";
    default:
        return "unknown";
    }
}
