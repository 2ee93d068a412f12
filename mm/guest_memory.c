/* The guest's memory = usable RAM minus Kestrel's (see guest_memory.h). */
#include "mm/guest_memory.h"
#include "mm/managed_ram.h"

#define MAX_HIDDEN_PIECES 512

struct piece {
    uint64_t base, end;
};

/* Appends [base, end) minus every guest range to out[]. */
static bool subtract_guest(uint64_t base, uint64_t end, const struct frame_pool *guest,
                           struct piece *out, unsigned *n)
{
    for (unsigned i = 0; i < guest->count && base < end; i++) {
        const struct frame_range *g = &guest->r[i];
        if (g->end <= base || g->base >= end) {
            continue;
        }
        if (g->base > base) {
            if (*n >= MAX_HIDDEN_PIECES) {
                return false;
            }
            out[(*n)++] = (struct piece){ base, g->base };
        }
        base = g->end;
    }
    if (base < end) {
        if (*n >= MAX_HIDDEN_PIECES) {
            return false;
        }
        out[(*n)++] = (struct piece){ base, end };
    }
    return true;
}

enum memmap_status guest_memory_mark_hidden(struct mem_region *map, size_t *count, size_t cap,
                                            const struct frame_pool *guest)
{
    static struct piece hidden[MAX_HIDDEN_PIECES];
    unsigned n = 0;

    for (size_t i = 0; i < *count; i++) {
        uint64_t base, end;
        if (!managed_ram(&map[i], &base, &end)) {
            continue;
        }
        if (!subtract_guest(base, end, guest, hidden, &n)) {
            return MEMMAP_TOO_MANY;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        enum memmap_status st = memmap_set(map, count, cap, hidden[i].base,
                                           hidden[i].end - hidden[i].base, MEM_HYPERVISOR);
        if (st != MEMMAP_OK) {
            return st;
        }
    }
    return MEMMAP_OK;
}
