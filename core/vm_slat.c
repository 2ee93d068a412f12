/*
 * The guest's second-level identity map (mm/slat.c does the tables): what it
 * covers, the MMIO pages Kestrel mediates made read-only, and the boot
 * report's line about it.
 */
#include "core/vm_slat.h"
#include "core/backend.h"
#include "mm/pmm.h"
#include "mm/mtrr.h"
#include "kernel/x86.h"
#include "kernel/msr.h"
#include "kernel/log.h"

#define SLAT_TOP_MAX          (512ull << 30)
#define GIB                   (1ull << 30)

static uint64_t slat_alloc_page(void *ctx)
{
    (void)ctx;
    return pmm_alloc_pages(1);
}

/* The identity map covers the whole physical address space the CPU can
 * address (capped at 512 GiB: one PML4 entry), so 64-bit PCI BARs above
 * RAM work; with 1 GiB pages that costs a single table. */
static uint64_t slat_top(const struct mem_region *map, size_t count)
{
    unsigned bits = cpu_phys_addr_bits();
    uint64_t top = bits >= 39 ? SLAT_TOP_MAX : 1ull << bits;
    uint64_t used = memmap_top(map, count);
    if (used > top) {
        top = (used + GIB - 1) & ~(GIB - 1);
    }
    return top;
}

/* Read-only in the second-level tables (same memory type): a store exits
 * (EPT violation, nested page fault), which core/exit_memory.c decodes and
 * hands to the guard. */
static enum slat_status write_protect_mmio(struct vm *vm)
{
    for (unsigned i = 0; i < vm->mmio.count; i++) {
        uint64_t page = vm->mmio.pages[i].gpa, hpa;
        unsigned perms;
        uint8_t type;
        if (slat_translate(&vm->slat, page, &hpa, &perms, &type, 0) != 0) {
            continue;           /* beyond the map: the guest cannot reach it anyway */
        }
        enum slat_status st = slat_map(&vm->slat, page, hpa, MMIO_PAGE_SIZE, perms & ~SLAT_WRITE,
                                       type);
        if (st != SLAT_OK) {
            return st;
        }
    }
    return SLAT_OK;
}

bool vm_build_slat(struct vm *vm)
{
    static struct mtrr_state mtrr;

    mtrr_read_state(&mtrr);
    vm->slat.alloc = slat_alloc_page;
    vm->slat.format = vm->ops->slat_format;
    vm->slat.allow = vm->ops->slat_allow();
    if (vm->slat.format == SLAT_FORMAT_NPT) {
        /* NPT leaves name a memory type through the host's PAT. */
        uint64_t pat = rdmsr(MSR_IA32_PAT);
        vm->slat.host_pat_set = true;
        for (unsigned i = 0; i < 8; i++) {
            vm->slat.host_pat[i] = (uint8_t)(pat >> (8 * i)) & 0x7;
        }
    }
    struct slat_identity_policy policy = { vm->map, vm->map_count, &mtrr,
                                           slat_top(vm->map, vm->map_count) };
    enum slat_status st = slat_init(&vm->slat);
    if (st == SLAT_OK) {
        st = slat_build_identity(&vm->slat, &policy);
    }
    if (st == SLAT_OK) {
        st = write_protect_mmio(vm);
    }
    if (st != SLAT_OK) {
        log_error("cannot build the guest's %s: %s", vm->slat.format == SLAT_FORMAT_NPT ? "NPT" : "EPT",
                  slat_status_name(st));
        return false;
    }
    log_info("guest %s: %s %llu tables, top %#llx", vm->name,
             vm->slat.format == SLAT_FORMAT_NPT ? "NPT" : "EPT",
             (unsigned long long)vm->slat.tables, (unsigned long long)policy.top);
    return true;
}
