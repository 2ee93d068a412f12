/* Which RAM Kestrel's page allocator manages: usable regions above 1 MiB
 * (below stays the firmware's and the AP trampoline's).  pmm.c hands it to
 * the allocator, guest_memory.c hides what of it the guest did not get:
 * both must agree exactly, so both ask here.  Pure (host-tested). */
#ifndef KESTREL_MM_MANAGED_RAM_H
#define KESTREL_MM_MANAGED_RAM_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/memmap.h"

#define MANAGED_RAM_FLOOR 0x100000ull

/* The managed part [*base, *end) of region r; false when it has none. */
static inline bool managed_ram(const struct mem_region *r, uint64_t *base, uint64_t *end)
{
    if (r->kind != MEM_USABLE || r->base + r->size <= MANAGED_RAM_FLOOR) {
        return false;
    }
    *base = r->base < MANAGED_RAM_FLOOR ? MANAGED_RAM_FLOOR : r->base;
    *end = r->base + r->size;
    return true;
}

#endif
