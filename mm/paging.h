/* The kernel's own page tables. */
#ifndef KESTREL_MM_PAGING_H
#define KESTREL_MM_PAGING_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "bootinfo.h"
#include "lib/memmap.h"

/* Builds and switches to the kernel's tables: identity map of all physical
 * memory (read-write, no-execute, except the AP trampoline page), and the
 * kernel image in the higher half with text read-execute, rodata read-only,
 * data read-write-no-execute.  The root sits below 4 GiB so APs can load it
 * from 32-bit code. */
void paging_init(const struct kestrel_bootinfo *bi, const struct mem_region *map, size_t count);

/* A pointer to the len bytes at physical phys through the identity map, or
 * NULL when they are not all mapped (for reading tables that firmware
 * pointers lead to: a wrong pointer is an error, not a page fault). */
const void *paging_phys(uint64_t phys, uint64_t len);

/* paging_phys() with the callback shape table readers take (lib/acpi_read.h's
 * acpi_view.map); ctx is unused. */
static inline const void *paging_phys_map(void *ctx, uint64_t phys, uint64_t len)
{
    (void)ctx;
    return paging_phys(phys, len);
}

uint64_t paging_root(void);          /* physical address for CR3 */
bool     paging_has_nx(void);

#endif
