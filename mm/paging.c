/* The kernel's page tables, built with lib/pagetable on pages from the pmm. */
#include "mm/paging.h"
#include "mm/pmm.h"
#include "lib/pagetable.h"
#include "kernel/x86.h"
#include "kernel/msr.h"
#include "kernel/cpu_features.h"
#include "kernel/panic.h"

#define FOUR_GIB   (1ull << 32)
#define TWO_MIB    PAGE_SIZE_2M
#define CR0_WP     (1ull << 16)

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];

static uint64_t root;
static uint64_t nx;
static uint64_t identity_end;   /* [0, identity_end) is identity-mapped */

static uint64_t alloc_table_page(void *ctx)
{
    (void)ctx;
    /* Below 4 GiB: the AP trampoline walks from CR3 loaded in 32-bit mode;
     * only the root strictly needs it, but keeping all tables low costs
     * nothing and keeps them in one place. */
    return pmm_alloc_pages_below(1, FOUR_GIB);
}

static void map_or_die(struct pt_ctx *pt, uint64_t virt, uint64_t phys, uint64_t size,
                       uint64_t flags, const char *what)
{
    enum pt_status st = pt_map(pt, virt, phys, size, flags);
    if (st != PT_OK) {
        panic("cannot map %s (%#llx, %llu KiB): page-table error %d", what,
              (unsigned long long)virt, (unsigned long long)(size >> 10), st);
    }
}

static void map_kernel_section(struct pt_ctx *pt, const struct kestrel_bootinfo *bi,
                               const char *start, const char *end, uint64_t flags,
                               const char *what)
{
    uint64_t virt = (uint64_t)start;
    uint64_t phys = bi->kernel_phys + (virt - bi->kernel_virt);
    if (end > start) {
        map_or_die(pt, virt, phys, (uint64_t)(end - start), flags, what);
    }
}

static uint64_t identity_top(const struct kestrel_bootinfo *bi, const struct mem_region *map,
                             size_t count)
{
    uint64_t top = memmap_top(map, count);
    if (top < FOUR_GIB) {
        top = FOUR_GIB;   /* LAPIC, I/O APIC and PCI MMIO below 4 GiB */
    }
    if (bi->fb.base + bi->fb.size > top) {
        top = bi->fb.base + bi->fb.size;
    }
    return (top + TWO_MIB - 1) & ~(TWO_MIB - 1);
}

/* Ranges of the identity map that must stay executable: the AP trampoline
 * and UEFI runtime-services code (ResetSystem is called at the end).  Kept
 * sorted; the map is normalized, and the trampoline page is one page of
 * conventional memory, so they never overlap. */
#define MAX_EXEC_RANGES 64

struct exec_range {
    uint64_t base, end;
};

static unsigned collect_exec_ranges(const struct kestrel_bootinfo *bi, const struct mem_region *map,
                                    size_t count, struct exec_range *out)
{
    unsigned n = 0;
    bool tramp_done = bi->trampoline_phys == 0;

    for (size_t i = 0; i < count && n < MAX_EXEC_RANGES - 1; i++) {
        if (!tramp_done && bi->trampoline_phys < map[i].base) {
            out[n++] = (struct exec_range){ bi->trampoline_phys, bi->trampoline_phys + PAGE_SIZE };
            tramp_done = true;
        }
        if (map[i].kind == MEM_RUNTIME_CODE) {
            out[n++] = (struct exec_range){ map[i].base, map[i].base + map[i].size };
        }
    }
    if (!tramp_done) {
        out[n++] = (struct exec_range){ bi->trampoline_phys, bi->trampoline_phys + PAGE_SIZE };
    }
    return n;
}

/* Identity map of [0, top): read-write, no-execute, except the executable
 * ranges; each piece uses the largest pages its alignment allows. */
static void map_identity(struct pt_ctx *pt, const struct kestrel_bootinfo *bi,
                         const struct mem_region *map, size_t count, uint64_t top, bool gib_pages)
{
    struct exec_range exec[MAX_EXEC_RANGES];
    unsigned n = collect_exec_ranges(bi, map, count, exec);
    uint64_t at = 0;

    pt->allow = PT_ALLOW_2M | (gib_pages ? PT_ALLOW_1G : 0);
    for (unsigned i = 0; i < n; i++) {
        if (exec[i].base > at) {
            map_or_die(pt, at, at, exec[i].base - at, PTE_WRITE | nx, "physical memory");
        }
        /* Runtime code stays writable: firmware may keep data in its code
         * region, and it ran that way before ExitBootServices. */
        map_or_die(pt, exec[i].base, exec[i].base, exec[i].end - exec[i].base, PTE_WRITE,
                   "firmware runtime code / AP trampoline");
        at = exec[i].end;
    }
    if (top > at) {
        map_or_die(pt, at, at, top - at, PTE_WRITE | nx, "physical memory");
    }
}

void paging_init(const struct kestrel_bootinfo *bi, const struct mem_region *map, size_t count)
{
    if (cpuid(CPUID_LEAF_EXT_FEATURES, 0).edx & CPUID_80000001_EDX_NX) {
        wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_NXE);
        nx = PTE_NX;
    }
    bool gib_pages = (cpuid(CPUID_LEAF_EXT_FEATURES, 0).edx & CPUID_80000001_EDX_PDPE1GB) != 0;

    root = alloc_table_page(NULL);
    if (!root) {
        panic("out of memory for page tables");
    }
    struct pt_ctx pt = { .pml4 = (uint64_t *)root, .alloc = alloc_table_page };

    identity_end = identity_top(bi, map, count);
    map_identity(&pt, bi, map, count, identity_end, gib_pages);

    pt.allow = 0;
    map_kernel_section(&pt, bi, __text_start, __text_end, 0, "kernel text");
    map_kernel_section(&pt, bi, __rodata_start, __rodata_end, nx, "kernel rodata");
    map_kernel_section(&pt, bi, __data_start, __data_end, PTE_WRITE | nx, "kernel data");

    write_cr3(root);
    /* Write-protect applies to the kernel too: rodata and text are then
     * really read-only. */
    write_cr0(read_cr0() | CR0_WP);
}

uint64_t paging_root(void)
{
    return root;
}

bool paging_has_nx(void)
{
    return nx != 0;
}

const void *paging_phys(uint64_t phys, uint64_t len)
{
    if (phys + len < phys || phys + len > identity_end) {
        return 0;
    }
    return (const void *)phys;
}
