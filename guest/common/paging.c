/*
 * The guest's view of its page tables (built by Kestrel: the image at the
 * link base, guest-physical [0, 4 GiB) identity-mapped).
 *
 * virt_to_phys() walks the live tables.  Table pages are read through the
 * identity map, so the walk works only while they lie below 4 GiB.
 *
 * paging_map_probe(): the isolation check reads info->hypervisor_probe.
 * Below 4 GiB the identity map already covers it; above, the guest maps
 * the 2 MiB page around it itself, in a PML4 slot Kestrel leaves empty,
 * with a PDPT and a PD from this image's .bss.  Mapping hidden memory in
 * the guest's own tables is allowed: the point is that EPT refuses it.
 */
#include "guest/selftest/selftest.h"
#include "kernel/x86.h"
#include "lib/pagetable.h"
#include "lib/pt_levels.h"

#define IDENTITY_LIMIT   (1ull << 32)
#define PROBE_WINDOW_VA  0xffff800000000000ull    /* PML4 slot 256: start of the higher half */

uint64_t probe_va;
const char *probe_unusable_why;

static uint64_t probe_pdpt[ENTRIES_PER_TABLE] __attribute__((aligned(4096)));
static uint64_t probe_pd[ENTRIES_PER_TABLE] __attribute__((aligned(4096)));

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

const char *paging_map_probe(uint64_t probe_pa, uint64_t *va)
{
    uint64_t pml4_pa = read_cr3() & PTE_ADDR_MASK;
    uint64_t pdpt_pa, pd_pa;

    if (probe_pa < IDENTITY_LIMIT) {
        *va = probe_pa;
        return NULL;
    }
    if (pml4_pa >= IDENTITY_LIMIT)
        return "PML4 above 4 GiB: cannot map the probe address";
    if (!virt_to_phys((uint64_t)probe_pdpt, &pdpt_pa) || !virt_to_phys((uint64_t)probe_pd, &pd_pa))
        return "the image's own pages are not found in the page tables";
    uint64_t *pml4 = (uint64_t *)(uintptr_t)pml4_pa;
    unsigned slot = table_index(PROBE_WINDOW_VA, LEVEL_PML4);
    if (pml4[slot] & PTE_PRESENT)
        return "PML4 slot 256 already in use: cannot map the probe address";

    probe_pd[0] = (probe_pa & ~(PAGE_SIZE_2M - 1)) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
    probe_pdpt[0] = pd_pa | PTE_PRESENT | PTE_WRITE;
    __atomic_store_n(&pml4[slot], pdpt_pa | PTE_PRESENT | PTE_WRITE, __ATOMIC_RELEASE);
    *va = PROBE_WINDOW_VA + (probe_pa & (PAGE_SIZE_2M - 1));
    invlpg(*va);
    return NULL;
}
