/*
 * The guest's view of its page tables (built by Kestrel: the image at the
 * link base, guest-physical [0, 4 GiB) identity-mapped, tables below
 * 4 GiB).
 */
#ifndef KESTREL_GUEST_COMMON_PAGING_H
#define KESTREL_GUEST_COMMON_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define IDENTITY_LIMIT (1ull << 32)   /* Kestrel identity-maps [0, 4 GiB) */

/* Walks the live tables; false if va is not mapped (or a table page lies
 * above 4 GiB, out of the identity map the walk reads tables through). */
bool virt_to_phys(uint64_t va, uint64_t *pa);

/* A virtual address for guest-physical pa: pa itself below 4 GiB, else a
 * 2 MiB window the guest maps around it.  NULL, or why it cannot.  For
 * addresses the guest is meant to be refused (Kestrel's memory): the
 * guest's own tables may map anything; EPT is what must refuse it. */
const char *paging_map_phys(uint64_t pa, uint64_t *va);

#endif
