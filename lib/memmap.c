/*
 * Memory-map processing (see include/lib/memmap.h).
 *
 * Everything works in the caller's array with O(1) extra space, because the
 * kernel runs this before it has an allocator and on a small stack.
 *
 * Normalizing resolves overlaps by "the highest kind covering a byte wins".
 * Done naively in place, splitting regions could need more room than the
 * final answer; the steps below are ordered so the entry count first only
 * shrinks and then only grows, straight to its final value, which is counted
 * up front.  So MEMMAP_TOO_MANY means exactly "the result does not fit", and
 * when it is returned the array still describes the same memory.
 */
#include "lib/memmap.h"
#include "lib/efi_mmap.h"
#include "lib/sort.h"

#include <stdbool.h>

#define EFI_PAGE_SHIFT   12
#define EFI_DESC_MIN     40       /* sizeof(struct efi_mem_desc) in UEFI 2.x */

_Static_assert(sizeof(struct efi_mem_desc) == EFI_DESC_MIN, "EFI descriptor layout");

/* ---- small helpers ----------------------------------------------------- */

static uint64_t region_end(const struct mem_region *r)
{
    return r->base + r->size;
}

static struct mem_region make_region(uint64_t base, uint64_t end, uint32_t kind)
{
    struct mem_region r = { .base = base, .size = end - base, .kind = kind, .pad = 0 };

    return r;
}

/* A kind outside the enum is someone's bug; treating it as reserved keeps
 * the memory away from the allocator, which is the safe side. */
static uint32_t sanitize_kind(uint32_t kind)
{
    return kind >= MEM_USABLE && kind < MEM_KIND_COUNT ? kind : (uint32_t)MEM_RESERVED;
}

/* Ends past 2^64 - 1 are cut at the last representable byte: dropping the
 * region instead could lose a reservation. */
static uint64_t clamped_end(uint64_t base, uint64_t size)
{
    return size > UINT64_MAX - base ? UINT64_MAX : base + size;
}

static void remove_at(struct mem_region *r, size_t *count, size_t i)
{
    for (size_t j = i + 1; j < *count; j++)
        r[j - 1] = r[j];
    (*count)--;
}

static bool insert_at(struct mem_region *r, size_t *count, size_t cap, size_t i,
                      struct mem_region v)
{
    if (*count >= cap)
        return false;
    for (size_t j = *count; j > i; j--)
        r[j] = r[j - 1];
    r[i] = v;
    (*count)++;
    return true;
}

/* Index of the first region whose base is above base. */
static size_t upper_bound(const struct mem_region *r, size_t count, uint64_t base)
{
    size_t i = 0;

    while (i < count && r[i].base <= base)
        i++;
    return i;
}

static bool insert_sorted(struct mem_region *r, size_t *count, size_t cap, struct mem_region v)
{
    return insert_at(r, count, cap, upper_bound(r, *count, v.base), v);
}

DEFINE_INSERTION_SORT(sort_by_base, struct mem_region, base)

/* ---- normalize steps --------------------------------------------------- */

/* Drops empty regions, clamps overflowing ones, fixes bad kinds. */
static void sanitize(struct mem_region *r, size_t *count)
{
    size_t i = 0;

    while (i < *count) {
        uint64_t end = clamped_end(r[i].base, r[i].size);

        if (end <= r[i].base) {
            remove_at(r, count, i);
            continue;
        }
        r[i] = make_region(r[i].base, end, sanitize_kind(r[i].kind));
        i++;
    }
}

/* Merges overlapping or touching regions of the same kind, so that regions
 * of one kind are disjoint and never adjacent. */
static void merge_same_kind(struct mem_region *r, size_t *count)
{
    for (size_t i = 0; i < *count; i++) {
        size_t j = i + 1;

        /* Sorted by base: nothing past the first j starting beyond our end
         * can touch r[i], even as r[i] grows. */
        while (j < *count && r[j].base <= region_end(&r[i])) {
            if (r[j].kind != r[i].kind) {
                j++;
                continue;
            }
            if (region_end(&r[j]) > region_end(&r[i]))
                r[i].size = region_end(&r[j]) - r[i].base;
            remove_at(r, count, j);
        }
    }
}

/*
 * Finds the first stretch of [from, end) not covered by any region of a kind
 * above kind.  Relies on r being sorted by base; higher-kind regions may
 * overlap each other.  Returns false when no such stretch is left.
 */
static bool next_uncovered(const struct mem_region *r, size_t count, uint32_t kind,
                           uint64_t from, uint64_t end, uint64_t *gap_base, uint64_t *gap_end)
{
    uint64_t x = from;
    uint64_t limit = end;

    for (size_t j = 0; j < count && x < end; j++) {
        if (r[j].kind <= kind)
            continue;
        if (r[j].base <= x) {
            if (region_end(&r[j]) > x)
                x = region_end(&r[j]);
            continue;
        }
        /* The first higher region starting beyond x bounds the gap. */
        if (r[j].base < limit)
            limit = r[j].base;
        break;
    }
    if (x >= limit)
        return false;
    *gap_base = x;
    *gap_end = limit;
    return true;
}

/* How many pieces r[i] leaves once higher kinds are cut out of it. */
static size_t piece_count(const struct mem_region *r, size_t count, size_t i)
{
    uint64_t x = r[i].base;
    uint64_t end = region_end(&r[i]);
    uint64_t gap_base, gap_end;
    size_t n = 0;

    while (next_uncovered(r, count, r[i].kind, x, end, &gap_base, &gap_end)) {
        n++;
        x = gap_end;
    }
    return n;
}

/* Removes regions that higher kinds hide completely.  Removing one never
 * changes what any other region sees: it lay inside higher kinds anyway. */
static void drop_hidden(struct mem_region *r, size_t *count)
{
    size_t i = 0;

    while (i < *count) {
        if (piece_count(r, *count, i) == 0)
            remove_at(r, count, i);
        else
            i++;
    }
}

/* Replaces r[i] by the pieces of it that no higher kind covers. */
static bool cut_out_higher(struct mem_region *r, size_t *count, size_t cap, size_t i)
{
    struct mem_region whole = r[i];
    uint64_t x = whole.base;
    uint64_t end = region_end(&whole);
    uint64_t gap_base, gap_end;

    remove_at(r, count, i);
    while (next_uncovered(r, *count, whole.kind, x, end, &gap_base, &gap_end)) {
        if (!insert_sorted(r, count, cap, make_region(gap_base, gap_end, whole.kind)))
            return false;
        x = gap_end;
    }
    return true;
}

/*
 * Highest kind first, so the higher kinds are already final pieces when a
 * kind is cut.  Within a kind, walking indices downwards is safe: pieces
 * start at or after their region's base, so they land at or after index i
 * and never disturb the regions still to visit.
 */
static bool cut_all(struct mem_region *r, size_t *count, size_t cap)
{
    for (uint32_t kind = MEM_KIND_COUNT - 1; kind >= MEM_USABLE; kind--) {
        for (size_t i = *count; i-- > 0;) {
            if (r[i].kind == kind && !cut_out_higher(r, count, cap, i))
                return false;
        }
    }
    return true;
}

enum memmap_status memmap_normalize(struct mem_region *r, size_t *count, size_t cap)
{
    if (*count > cap)
        return MEMMAP_TOO_MANY;

    sanitize(r, count);
    sort_by_base(r, *count);
    merge_same_kind(r, count);
    drop_hidden(r, count);

    /* From here every region yields at least one piece, so the count only
     * grows, up to this total. */
    size_t final_count = 0;
    for (size_t i = 0; i < *count; i++)
        final_count += piece_count(r, *count, i);
    if (final_count > cap)
        return MEMMAP_TOO_MANY;

    /* No merge pass needed afterwards: same-kind regions were made disjoint
     * and non-touching above, and a piece only ever touches pieces of other
     * kinds (the higher regions cut out of it). */
    if (!cut_all(r, count, cap))
        return MEMMAP_TOO_MANY;
    return MEMMAP_OK;
}

/* ---- EFI conversion ---------------------------------------------------- */

enum mem_kind memmap_kind_from_efi(uint32_t efi_type, uint64_t attribute)
{
    switch (efi_type) {
    case EFI_MEM_LOADER_CODE:
    case EFI_MEM_LOADER_DATA:
    case EFI_MEM_BOOT_SERVICES_CODE:
    case EFI_MEM_BOOT_SERVICES_DATA:
    case EFI_MEM_CONVENTIONAL:
        /* Firmware may ask to keep even "free" memory for runtime use. */
        return (attribute & EFI_MEM_ATTR_RUNTIME) ? MEM_RUNTIME_DATA : MEM_USABLE;
    case EFI_MEM_RUNTIME_SERVICES_CODE:
        return MEM_RUNTIME_CODE;
    case EFI_MEM_RUNTIME_SERVICES_DATA:
        return MEM_RUNTIME_DATA;
    case EFI_MEM_UNUSABLE:
        return MEM_UNUSABLE;
    case EFI_MEM_ACPI_RECLAIM:
        return MEM_ACPI_RECLAIM;
    case EFI_MEM_ACPI_NVS:
        return MEM_ACPI_NVS;
    case EFI_MEM_MMIO:
    case EFI_MEM_MMIO_PORT_SPACE:
        return MEM_MMIO;
    case EFI_MEM_PERSISTENT:
        return MEM_PERSISTENT;
    default:
        /* Reserved, PAL code, unaccepted (must be accepted before use, which
         * Kestrel does not do), OEM and OS-defined types. */
        return MEM_RESERVED;
    }
}

/* Reads the descriptor at offset; false when it describes no memory. */
static bool read_descriptor(const unsigned char *map, size_t offset, struct mem_region *out)
{
    struct efi_mem_desc d;

    /* memcpy: the firmware's stride need not keep our struct aligned. */
    __builtin_memcpy(&d, map + offset, sizeof(d));
    if (d.pages == 0 || d.pages > (UINT64_MAX >> EFI_PAGE_SHIFT))
        return false;

    uint64_t size = d.pages << EFI_PAGE_SHIFT;
    if (size > UINT64_MAX - d.phys_start)
        return false;
    *out = make_region(d.phys_start, d.phys_start + size, memmap_kind_from_efi(d.type, d.attribute));
    return true;
}

enum memmap_status memmap_from_efi(const void *map, size_t map_size, size_t desc_size,
                                   struct mem_region *out, size_t cap, size_t *count)
{
    size_t n = 0;

    *count = 0;
    if (desc_size < EFI_DESC_MIN || desc_size % 8 != 0)
        return MEMMAP_BAD_DESC_SIZE;
    if (map_size % desc_size != 0)
        return MEMMAP_BAD_MAP_SIZE;

    for (size_t offset = 0; offset < map_size; offset += desc_size) {
        struct mem_region region;

        if (!read_descriptor(map, offset, &region))
            continue;
        /* Firmware maps have many mergeable entries: compact before giving
         * up, so cap only has to fit the result. */
        if (n == cap) {
            enum memmap_status st = memmap_normalize(out, &n, cap);

            if (st != MEMMAP_OK)
                return st;
            if (n == cap)
                return MEMMAP_TOO_MANY;
        }
        out[n++] = region;
    }

    enum memmap_status st = memmap_normalize(out, &n, cap);
    if (st == MEMMAP_OK)
        *count = n;
    return st;
}

/* ---- carving ----------------------------------------------------------- */

/* What memmap_set will do to the count, worked out before touching r, so a
 * refusal leaves the map as it was. */
static size_t count_after_set(const struct mem_region *r, size_t count,
                              uint64_t base, uint64_t end, uint32_t kind)
{
    size_t result = count + 1;

    for (size_t i = 0; i < count; i++) {
        uint64_t rb = r[i].base, re = region_end(&r[i]);
        bool same = r[i].kind == kind;

        if (re < base || rb > end)
            continue;
        if (re == base || rb == end) {          /* touching: may merge */
            result -= same;
        } else if (rb >= base && re <= end) {   /* swallowed */
            result--;
        } else if (rb < base && re > end) {     /* split in two */
            result++;
        } else {                                /* trimmed; merges if same */
            result -= same;
        }
    }
    return result;
}

/* Takes [base, end) out of every region; r must be sorted and disjoint. */
static bool carve(struct mem_region *r, size_t *count, size_t cap, uint64_t base, uint64_t end)
{
    size_t i = 0;

    while (i < *count) {
        uint64_t rb = r[i].base, re = region_end(&r[i]);

        if (re <= base || rb >= end) {
            i++;
        } else if (rb >= base && re <= end) {
            remove_at(r, count, i);
        } else if (rb < base && re > end) {
            r[i].size = base - rb;
            if (!insert_at(r, count, cap, i + 1, make_region(end, re, r[i].kind)))
                return false;
            i += 2;
        } else if (rb < base) {
            r[i].size = base - rb;
            i++;
        } else {
            r[i] = make_region(end, re, r[i].kind);
            i++;
        }
    }
    return true;
}

/* Puts [base, end) into the hole carve() left, joining same-kind neighbours. */
static bool fill_hole(struct mem_region *r, size_t *count, size_t cap,
                      uint64_t base, uint64_t end, uint32_t kind)
{
    size_t pos = upper_bound(r, *count, base);
    bool join_left = pos > 0 && r[pos - 1].kind == kind && region_end(&r[pos - 1]) == base;
    bool join_right = pos < *count && r[pos].kind == kind && r[pos].base == end;

    if (join_left && join_right) {
        r[pos - 1].size = region_end(&r[pos]) - r[pos - 1].base;
        remove_at(r, count, pos);
    } else if (join_left) {
        r[pos - 1].size = end - r[pos - 1].base;
    } else if (join_right) {
        r[pos] = make_region(base, region_end(&r[pos]), kind);
    } else {
        return insert_at(r, count, cap, pos, make_region(base, end, kind));
    }
    return true;
}

static bool already_set(const struct mem_region *r, size_t count,
                        uint64_t base, uint64_t end, uint32_t kind)
{
    for (size_t i = 0; i < count; i++) {
        if (r[i].kind == kind && r[i].base <= base && end <= region_end(&r[i]))
            return true;
    }
    return false;
}

enum memmap_status memmap_set(struct mem_region *r, size_t *count, size_t cap,
                              uint64_t base, uint64_t size, enum mem_kind kind)
{
    uint64_t end = clamped_end(base, size);
    uint32_t k = sanitize_kind((uint32_t)kind);

    if (end <= base || already_set(r, *count, base, end, k))
        return MEMMAP_OK;
    if (count_after_set(r, *count, base, end, k) > cap)
        return MEMMAP_TOO_MANY;
    if (!carve(r, count, cap, base, end) || !fill_hole(r, count, cap, base, end, k))
        return MEMMAP_TOO_MANY;   /* only reachable with an unnormalized map */
    return MEMMAP_OK;
}

/* ---- queries ----------------------------------------------------------- */

uint64_t memmap_total(const struct mem_region *r, size_t count, enum mem_kind kind)
{
    uint64_t total = 0;

    for (size_t i = 0; i < count; i++) {
        if (r[i].kind == (uint32_t)kind)
            total += r[i].size;
    }
    return total;
}

uint64_t memmap_top(const struct mem_region *r, size_t count)
{
    uint64_t top = 0;

    /* The maximum, not the last entry: correct even for an unsorted list. */
    for (size_t i = 0; i < count; i++) {
        if (region_end(&r[i]) > top)
            top = region_end(&r[i]);
    }
    return top;
}

const char *memmap_kind_name(enum mem_kind kind)
{
    switch (kind) {
    case MEM_USABLE:       return "usable";
    case MEM_ACPI_RECLAIM: return "acpi-reclaim";
    case MEM_PERSISTENT:   return "persistent";
    case MEM_RESERVED:     return "reserved";
    case MEM_MMIO:         return "mmio";
    case MEM_ACPI_NVS:     return "acpi-nvs";
    case MEM_RUNTIME_DATA: return "runtime-data";
    case MEM_RUNTIME_CODE: return "runtime-code";
    case MEM_HYPERVISOR:   return "hypervisor";
    case MEM_UNUSABLE:     return "unusable";
    default:               return "unknown";
    }
}

const char *memmap_status_name(enum memmap_status s)
{
    switch (s) {
    case MEMMAP_OK:            return "ok";
    case MEMMAP_BAD_DESC_SIZE: return "bad descriptor size";
    case MEMMAP_BAD_MAP_SIZE:  return "map size not a multiple of descriptor size";
    case MEMMAP_TOO_MANY:      return "too many regions for the output array";
    default:                   return "unknown status";
    }
}
