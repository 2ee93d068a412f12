/* The kernel's physical page allocator. */
#ifndef KESTREL_MM_PMM_H
#define KESTREL_MM_PMM_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "bootinfo.h"
#include "lib/memmap.h"

#define PAGE_SIZE 4096ull

/* Free memory: the map's usable regions at or above 1 MiB, minus every range
 * the loader reserved (kernel, boot-info, files, page tables, trampoline).
 * The first MiB stays out: real-mode code and firmware data live there. */
void pmm_init(const struct kestrel_bootinfo *bi, const struct mem_region *map, size_t count);

/* Zeroed pages; 0 when out of memory. */
uint64_t pmm_alloc_pages(uint64_t pages);
uint64_t pmm_alloc_pages_below(uint64_t pages, uint64_t limit);
void     pmm_free_pages(uint64_t base, uint64_t pages);
uint64_t pmm_free_bytes(void);

struct frame_pool;
/* The hand-over to the guest: every free page except `reserve_pages` (kept,
 * 2 MiB-aligned, for Kestrel's later allocations: EPT tables, VMCSs) moves
 * into *guest, which then describes the guest's RAM above 1 MiB.  Returns
 * false when not even the reserve is free. */
bool pmm_give_to_guest(uint64_t reserve_pages, struct frame_pool *guest);

#endif
