/*
 * Page-table walks and windows above 4 GiB (see paging.h).
 *
 * Windows: the 2 MiB pages around addresses above 4 GiB go into a PML4
 * slot Kestrel leaves empty (256, the start of the higher half), with a
 * PDPT and a PD from this image's .bss: up to 512 windows, one PD entry
 * each, never unmapped.
 */
#include <stddef.h>

#include "guest/common/paging.h"
#include "kernel/x86.h"
#include "lib/pagetable.h"
#include "lib/pt_levels.h"

#define WINDOW_BASE_VA 0xffff800000000000ull    /* PML4 slot 256 */

static uint64_t window_pdpt[ENTRIES_PER_TABLE] __attribute__((aligned(4096)));
static uint64_t window_pd[ENTRIES_PER_TABLE] __attribute__((aligned(4096)));
static unsigned windows_used;

static const uint64_t *table_at(uint64_t pa)
{
    return (const uint64_t *)(uintptr_t)pa;
}

bool virt_to_phys(uint64_t va, uint64_t *pa)
{
    uint64_t table = read_cr3() & PTE_ADDR_MASK;

    for (unsigned level = LEVEL_PML4; level >= LEVEL_PT; level--) {
        if (table >= IDENTITY_LIMIT)
            return false;
        uint64_t entry = table_at(table)[table_index(va, level)];
        if (!(entry & PTE_PRESENT))
            return false;
        bool leaf = level == LEVEL_PT ||
                    ((level == LEVEL_PD || level == LEVEL_PDPT) && (entry & PTE_LARGE));
        if (leaf) {
            uint64_t offset_mask = level_size(level) - 1;
            /* & ~offset_mask also drops a large page's PAT bit (bit 12). */
            *pa = (entry & PTE_ADDR_MASK & ~offset_mask) | (va & offset_mask);
            return true;
        }
        table = entry & PTE_ADDR_MASK;
    }
    return false;
}

/* The first window hooks the PDPT and PD into the PML4. */
static const char *install_windows(void)
{
    uint64_t pml4_pa = read_cr3() & PTE_ADDR_MASK;
    uint64_t pdpt_pa, pd_pa;

    if (pml4_pa >= IDENTITY_LIMIT)
        return "PML4 above 4 GiB: cannot map the probe address";
    if (!virt_to_phys((uint64_t)window_pdpt, &pdpt_pa) ||
        !virt_to_phys((uint64_t)window_pd, &pd_pa))
        return "the image's own pages are not found in the page tables";
    uint64_t *pml4 = (uint64_t *)(uintptr_t)pml4_pa;
    unsigned slot = table_index(WINDOW_BASE_VA, LEVEL_PML4);
    if (pml4[slot] & PTE_PRESENT)
        return "PML4 slot 256 already in use: cannot map the probe address";

    window_pdpt[0] = pd_pa | PTE_PRESENT | PTE_WRITE;
    __atomic_store_n(&pml4[slot], pdpt_pa | PTE_PRESENT | PTE_WRITE, __ATOMIC_RELEASE);
    return NULL;
}

const char *paging_map_phys(uint64_t pa, uint64_t *va)
{
    if (pa < IDENTITY_LIMIT) {
        *va = pa;
        return NULL;
    }
    if (windows_used == ENTRIES_PER_TABLE)
        return "no window left to map the probe address";
    /* The entry first: other CPUs may walk the tables as soon as the PML4
     * slot is hooked in. */
    unsigned w = windows_used;
    window_pd[w] = (pa & ~(PAGE_SIZE_2M - 1)) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
    if (w == 0) {
        const char *why = install_windows();
        if (why != NULL) {
            window_pd[w] = 0;
            return why;
        }
    }
    windows_used++;
    *va = WINDOW_BASE_VA + w * PAGE_SIZE_2M + (pa & (PAGE_SIZE_2M - 1));
    invlpg(*va);
    return NULL;
}
