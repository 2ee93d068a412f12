/*
 * x86-64 4-level page-table construction, shared by the loader (the tables
 * the kernel is entered on) and the kernel (its own tables).  Pure code:
 * table pages come from a caller's allocator and are addressed through their
 * physical address, which must be directly usable as a pointer (true under
 * UEFI's identity map, under the kernel's identity map, and for host-test
 * pages).
 */
#ifndef KESTREL_LIB_PAGETABLE_H
#define KESTREL_LIB_PAGETABLE_H

#include <stdint.h>

#define PTE_PRESENT   (1ull << 0)
#define PTE_WRITE     (1ull << 1)
#define PTE_USER      (1ull << 2)
#define PTE_PWT       (1ull << 3)
#define PTE_PCD       (1ull << 4)
#define PTE_ACCESSED  (1ull << 5)
#define PTE_DIRTY     (1ull << 6)
#define PTE_LARGE     (1ull << 7)   /* PS: 2 MiB in a PD, 1 GiB in a PDPT */
#define PTE_GLOBAL    (1ull << 8)
#define PTE_NX        (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define PAGE_SIZE_4K  0x1000ull
#define PAGE_SIZE_2M  0x200000ull
#define PAGE_SIZE_1G  0x40000000ull

/* Which page sizes pt_map may use (4 KiB is always allowed). */
#define PT_ALLOW_2M   (1u << 0)
#define PT_ALLOW_1G   (1u << 1)

/* Returns the physical address of a zeroed, 4 KiB-aligned page, or 0. */
typedef uint64_t (*pt_alloc_fn)(void *ctx);

struct pt_ctx {
    uint64_t   *pml4;             /* root table (allocated by the caller) */
    pt_alloc_fn alloc;
    void       *alloc_ctx;
    unsigned    allow;            /* PT_ALLOW_* */
};

enum pt_status {
    PT_OK = 0,
    PT_NO_MEMORY,                 /* alloc returned 0 */
    PT_MISALIGNED,                /* virt, phys or size not 4 KiB aligned */
    PT_NONCANONICAL,              /* virt range not canonical / wraps */
    PT_CONFLICT,                  /* range already mapped differently (a
                                     large page would have to be split) */
    PT_BAD_PHYS,                  /* phys range wraps or exceeds 52 bits */
};

/* Maps [virt, virt+size) to [phys, phys+size) with flags (PTE_PRESENT is
 * implied; PTE_LARGE is managed here).  Uses the largest allowed page size
 * that alignment and the remaining length permit.  Re-mapping a range that is
 * already mapped to the same physical addresses updates its flags. */
enum pt_status pt_map(struct pt_ctx *pt, uint64_t virt, uint64_t phys,
                      uint64_t size, uint64_t flags);

/* Walks the tables: returns 0 and the physical address, the leaf's flags and
 * page size, or -1 when virt is not mapped. */
int pt_translate(const uint64_t *pml4, uint64_t virt, uint64_t *phys,
                 uint64_t *flags, uint64_t *page_size);

#endif
