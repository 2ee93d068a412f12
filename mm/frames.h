/*
 * A pool of free physical page ranges: pure logic, unit-tested on the host.
 * The kernel's page allocator (mm/pmm.c) is this pool plus a lock.
 *
 * Allocation takes the highest fitting address below a limit, which keeps
 * low memory (below 1 MiB / 4 GiB) for the things that need it: AP start-up
 * code, 32-bit-reachable page tables, and later the guest's real-mode world.
 */
#ifndef KESTREL_MM_FRAMES_H
#define KESTREL_MM_FRAMES_H

#include <stdint.h>
#include <stdbool.h>

#define FRAMES_MAX_RANGES 512
#define FRAME_SIZE        4096ull

struct frame_range {
    uint64_t base;
    uint64_t end;      /* exclusive */
};

struct frame_pool {
    struct frame_range r[FRAMES_MAX_RANGES];   /* sorted, disjoint, non-adjacent */
    unsigned count;
    uint64_t free_bytes;
};

void frames_init(struct frame_pool *p);

/* Adds [base, base+size) shrunk inward to whole pages; merges with
 * neighbours.  Returns false (and adds nothing) when the range overlaps free
 * memory already in the pool (a double free) or the table is full. */
bool frames_add(struct frame_pool *p, uint64_t base, uint64_t size);

/* Removes [base, base+size) grown outward to whole pages, wherever it
 * intersects free memory.  Returns false only when the table is full. */
bool frames_remove(struct frame_pool *p, uint64_t base, uint64_t size);

/* Allocates pages * 4 KiB aligned to align (a power of two >= 4 KiB) ending
 * at or below limit (0 = no limit).  Returns the base, or 0 when nothing
 * fits.  Address 0 is never in the pool. */
uint64_t frames_alloc(struct frame_pool *p, uint64_t pages, uint64_t align, uint64_t limit);

#endif
