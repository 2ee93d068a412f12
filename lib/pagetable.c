/*
 * x86-64 4-level page tables (see include/lib/pagetable.h).
 *
 * Levels are numbered as the hardware walks them: 4 = PML4, 3 = PDPT,
 * 2 = PD, 1 = PT.  A leaf at level 3 is a 1 GiB page, at level 2 a 2 MiB
 * page.  Existing mappings are never silently replaced: changing what a
 * virtual address points at, or the flags of only part of a large page,
 * is refused with PT_CONFLICT so a mistake cannot quietly alias memory.
 */
#include "lib/pagetable.h"
#include "lib/pt_levels.h"

#include <stdbool.h>
#include <stddef.h>


#define PHYS_LIMIT       0x000fffffffffffffull   /* 52-bit physical addresses */

/* Bits the CPU changes on its own: a mapping is "identical" regardless. */
#define PTE_CPU_OWNED    (PTE_ACCESSED | PTE_DIRTY)

/* Tables are reached through their physical address (see the header). */
static uint64_t *table_of(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & PTE_ADDR_MASK);
}

static bool is_present(uint64_t entry)
{
    return (entry & PTE_PRESENT) != 0;
}

/* Only PDPT and PD entries can map pages directly; in a PT, bit 7 is PAT. */
static bool is_large_leaf(uint64_t entry, unsigned level)
{
    return (level == LEVEL_PDPT || level == LEVEL_PD) && (entry & PTE_LARGE) != 0;
}

/* Bits 63..47 all equal: the only addresses the CPU accepts. */
static bool is_canonical(uint64_t virt)
{
    uint64_t top = virt >> 47;

    return top == 0 || top == 0x1ffff;
}

static bool level_allowed(const struct pt_ctx *pt, unsigned level)
{
    if (level == LEVEL_PDPT)
        return (pt->allow & PT_ALLOW_1G) != 0;
    if (level == LEVEL_PD)
        return (pt->allow & PT_ALLOW_2M) != 0;
    return level == LEVEL_PT;
}

static bool fits_page(unsigned level, uint64_t virt, uint64_t phys, uint64_t remaining)
{
    uint64_t size = level_size(level);

    return ((virt | phys) & (size - 1)) == 0 && remaining >= size;
}

/* Physical address an entry maps virt to, for a leaf at level. */
static uint64_t leaf_target(uint64_t entry, unsigned level, uint64_t virt)
{
    uint64_t offset_mask = level_size(level) - 1;

    return (entry & PTE_ADDR_MASK & ~offset_mask) | (virt & offset_mask);
}

/* The attribute bits of an entry, comparable with the flags pt_map takes. */
static uint64_t entry_flags(uint64_t entry)
{
    return entry & ~(PTE_ADDR_MASK | PTE_LARGE);
}

/* Read-only walk: the level of the leaf mapping virt (with the leaf entry in
 * *leaf), or 0 when virt is unmapped. */
static unsigned find_leaf(const uint64_t *pml4, uint64_t virt, uint64_t *leaf)
{
    const uint64_t *table = pml4;

    for (unsigned level = LEVEL_PML4;; level--) {
        uint64_t e = table[table_index(virt, level)];

        if (!is_present(e))
            return 0;
        if (level == LEVEL_PT || is_large_leaf(e, level)) {
            *leaf = e;
            return level;
        }
        table = table_of(e);
    }
}

/* Whether the entry for virt at level points to a lower table, i.e. smaller
 * pages may already be mapped below it. */
static bool has_table_at(const uint64_t *pml4, uint64_t virt, unsigned level)
{
    const uint64_t *table = pml4;

    for (unsigned l = LEVEL_PML4; l >= level; l--) {
        uint64_t e = table[table_index(virt, l)];

        if (!is_present(e) || is_large_leaf(e, l))
            return false;
        if (l == level)
            return true;
        table = table_of(e);
    }
    return false;
}

/* The page level to map the next chunk with. */
static unsigned choose_level(const struct pt_ctx *pt, uint64_t virt, uint64_t phys,
                             uint64_t remaining)
{
    uint64_t leaf;
    unsigned existing = find_leaf(pt->pml4, virt, &leaf);

    /* A large page already in place and fully covered by the request is
     * updated whole, even if that size is not allowed for new pages. */
    if (existing > LEVEL_PT && fits_page(existing, virt, phys, remaining))
        return existing;

    for (unsigned level = LEVEL_PDPT; level > LEVEL_PT; level--) {
        if (!level_allowed(pt, level) || !fits_page(level, virt, phys, remaining))
            continue;
        /* Smaller pages already mapped here: keep them and go finer. */
        if (!has_table_at(pt->pml4, virt, level))
            return level;
    }
    return LEVEL_PT;
}

/* Whether a present entry at leaf level already maps virt to phys as a
 * page of that level (a table pointer there is never overwritten). */
static bool maps_same_page(uint64_t entry, unsigned level, uint64_t virt, uint64_t phys)
{
    if (level > LEVEL_PT && !is_large_leaf(entry, level))
        return false;
    return leaf_target(entry, level, virt) == phys;
}

/* A chunk falls inside an existing large page: fine only if nothing would
 * change, since changing part of it would need a split. */
static enum pt_status check_inside_large(uint64_t entry, unsigned level, uint64_t virt,
                                         uint64_t phys, uint64_t flags)
{
    if (leaf_target(entry, level, virt) != phys)
        return PT_CONFLICT;
    if ((entry_flags(entry) & ~PTE_CPU_OWNED) != (flags & ~PTE_CPU_OWNED))
        return PT_CONFLICT;
    return PT_OK;
}

static enum pt_status new_table(struct pt_ctx *pt, uint64_t *entry, uint64_t leaf_flags)
{
    uint64_t page = pt->alloc(pt->alloc_ctx);

    if (page == 0)
        return PT_NO_MEMORY;
    /* A stale entry in a "zeroed" page would map garbage: clear it anyway. */
    __builtin_memset((void *)(uintptr_t)page, 0, PAGE_SIZE_4K);
    /* Leaves carry the real permissions; tables must not restrict them. */
    *entry = (page & PTE_ADDR_MASK) | PTE_PRESENT | PTE_WRITE | (leaf_flags & PTE_USER);
    return PT_OK;
}

/* Maps one page of the given level; flags already include PTE_PRESENT. */
static enum pt_status map_page(struct pt_ctx *pt, uint64_t virt, uint64_t phys,
                               uint64_t flags, unsigned leaf_level)
{
    uint64_t *table = pt->pml4;
    uint64_t *path[LEVEL_PML4];          /* table entries walked through */
    unsigned depth = 0;

    for (unsigned level = LEVEL_PML4; level > leaf_level; level--) {
        uint64_t *e = &table[table_index(virt, level)];

        if (!is_present(*e)) {
            enum pt_status st = new_table(pt, e, flags);

            if (st != PT_OK)
                return st;
        } else if (is_large_leaf(*e, level)) {
            return check_inside_large(*e, level, virt, phys, flags);
        }
        path[depth++] = e;
        table = table_of(*e);
    }

    uint64_t *leaf = &table[table_index(virt, leaf_level)];

    if (is_present(*leaf) && !maps_same_page(*leaf, leaf_level, virt, phys))
        return PT_CONFLICT;
    *leaf = phys | flags | (leaf_level > LEVEL_PT ? PTE_LARGE : 0);
    /* Widened only once the leaf is in, so a refused request leaves the
     * existing tables' permissions as they were. */
    if (flags & PTE_USER) {
        for (unsigned i = 0; i < depth; i++)
            *path[i] |= PTE_USER;
    }
    return PT_OK;
}

enum pt_status pt_map(struct pt_ctx *pt, uint64_t virt, uint64_t phys,
                      uint64_t size, uint64_t flags)
{
    if (((virt | phys | size) & (PAGE_SIZE_4K - 1)) != 0)
        return PT_MISALIGNED;
    if (size == 0)
        return PT_OK;

    uint64_t last = virt + (size - 1);
    /* Both ends canonical and in the same half: no wrap, no hole crossed. */
    if (last < virt || !is_canonical(virt) || !is_canonical(last) || ((virt ^ last) >> 63) != 0)
        return PT_NONCANONICAL;
    if (phys > PHYS_LIMIT || size - 1 > PHYS_LIMIT - phys)
        return PT_BAD_PHYS;

    /* The address and page-size bits are ours to manage, not the caller's. */
    flags = (flags & ~(PTE_ADDR_MASK | PTE_LARGE)) | PTE_PRESENT;

    while (size > 0) {
        unsigned level = choose_level(pt, virt, phys, size);
        enum pt_status st = map_page(pt, virt, phys, flags, level);

        if (st != PT_OK)
            return st;
        uint64_t step = level_size(level);
        virt += step;
        phys += step;
        size -= step;
    }
    return PT_OK;
}

int pt_translate(const uint64_t *pml4, uint64_t virt, uint64_t *phys,
                 uint64_t *flags, uint64_t *page_size)
{
    uint64_t leaf;
    unsigned level;

    if (!is_canonical(virt))
        return -1;
    level = find_leaf(pml4, virt, &leaf);
    if (level == 0)
        return -1;

    if (phys != NULL)
        *phys = leaf_target(leaf, level, virt);
    /* Without PTE_LARGE: page_size says that, and the flags then compare
     * equal to what was passed to pt_map. */
    if (flags != NULL)
        *flags = entry_flags(leaf);
    if (page_size != NULL)
        *page_size = level_size(level);
    return 0;
}
