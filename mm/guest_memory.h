/* Which memory the guest sees: everything but Kestrel's own. */
#ifndef KESTREL_MM_GUEST_MEMORY_H
#define KESTREL_MM_GUEST_MEMORY_H

#include <stddef.h>
#include "lib/memmap.h"
#include "mm/frames.h"

/* Marks MEM_HYPERVISOR every usable byte at or above 1 MiB that is not in
 * `guest` (the pages handed over by pmm_give_to_guest): Kestrel's image,
 * stacks, per-CPU data, page tables, the loader's hand-over data, and the
 * reserve.  Below 1 MiB everything stays the guest's (real-mode data, its
 * AP start-up page).  Pure: unit-tested. */
enum memmap_status guest_memory_mark_hidden(struct mem_region *map, size_t *count, size_t cap,
                                            const struct frame_pool *guest);

#endif
