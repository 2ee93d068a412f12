/* The kernel's physical page allocator. */
#ifndef KESTREL_MM_PMM_H
#define KESTREL_MM_PMM_H

#include <stdint.h>
#include <stddef.h>
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

#endif
