/*
 * The guest's second-level identity map (mm/slat.c does the tables): it
 * covers the guest's whole physical address space (mm/slat_reach.h) and is
 * built in two parts.  At boot: RAM with Kestrel's memory left out, the
 * first 4 GiB, the framebuffer and every MMIO page Kestrel mediates (made
 * read-only here).  Above that lies only MMIO and nothing, so each 1 GiB
 * block there is mapped when the guest first touches it, from spare pages
 * set aside at boot (Kestrel allocates nothing while guests run).
 *
 * No TLB flush follows a fill: the CPU caches no translation that faulted
 * (SDM 3C "EPT and memory typing", APM 15.25: not-present entries are not
 * cached), and present entries never change here.
 */
#include "core/vm_slat.h"
#include "core/backend.h"
#include "mm/pmm.h"
#include "mm/mtrr.h"
#include "mm/slat_reach.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"
#include "kernel/msr.h"
#include "kernel/log.h"
#include "lib/fmt.h"

#define GIB                  (1ull << 30)
#define TIB                  (1ull << 40)
#define FILLS_LOGGED         4      /* first-touch fills named on the log; the rest counted */

struct vm_slat_demand {
    struct spinlock lock;            /* one fill at a time */
    struct slat_reach reach;
    struct slat_identity_policy policy;
    uint64_t pool[VM_SLAT_DEMAND_PAGES];
    unsigned pool_left;
    bool     from_pool;              /* after boot: tables come from pool[] only */
    unsigned fills;
    bool     exhausted_reported;
};

/* One guest: one map (static, as the VMCB/VMCS pages are per vCPU). */
static struct vm_slat_demand demand;
static struct mtrr_state mtrr;

static uint64_t slat_alloc_page(void *ctx)
{
    struct vm_slat_demand *d = ctx;
    if (!d->from_pool) {
        return pmm_alloc_pages(1);
    }
    return d->pool_left ? d->pool[--d->pool_left] : 0;
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
            continue;           /* hidden memory: the guest cannot reach it anyway */
        }
        enum slat_status st = slat_map(&vm->slat, page, hpa, MMIO_PAGE_SIZE, perms & ~SLAT_WRITE,
                                       type);
        if (st != SLAT_OK) {
            return st;
        }
    }
    return SLAT_OK;
}

static uint64_t mediated_end(const struct vm *vm)
{
    uint64_t end = 0;
    for (unsigned i = 0; i < vm->mmio.count; i++) {
        uint64_t e = vm->mmio.pages[i].gpa + MMIO_PAGE_SIZE;
        end = e > end ? e : end;
    }
    return end;
}

/* The end of the highest region the boot part must hold: RAM, ACPI and
 * firmware runtime memory, Kestrel's own (hidden).  MMIO and reserved
 * regions are left out: a firmware that lists its 64-bit PCI window would
 * otherwise pull the boot part up to it, and without 1 GiB leaves that
 * costs a table page per GiB. */
static uint64_t memory_top(const struct vm *vm)
{
    uint64_t top = 0;
    for (size_t i = 0; i < vm->map_count; i++) {
        const struct mem_region *r = &vm->map[i];
        bool device_like = r->kind == MEM_MMIO || r->kind == MEM_RESERVED ||
                           r->kind == MEM_UNUSABLE;
        if (!device_like && r->base + r->size > top) {
            top = r->base + r->size;
        }
    }
    return top;
}

static const char *slat_name(const struct vm *vm)
{
    return vm->slat.format == SLAT_FORMAT_NPT ? "NPT" : "EPT";
}

/* "1024 GiB" / "64 TiB": the report's sizes are powers of two. */
static void size_words(uint64_t bytes, unsigned long long *n, const char **unit)
{
    if (bytes >= TIB) {
        *n = bytes / TIB;
        *unit = "TiB";
    } else {
        *n = bytes / GIB;
        *unit = "GiB";
    }
}

static void report(const struct vm *vm, const struct slat_reach *r, unsigned phys_bits)
{
    unsigned long long n;
    const char *unit;
    size_words(r->reach, &n, &unit);
    const char *leaves = (vm->slat.allow & SLAT_ALLOW_1G) ? "1 GiB" : "2 MiB";
    char extent[96];
    if (r->beyond_levels) {
        ksnprintf(extent, sizeof(extent), "%llu %s; the CPU has %u address bits: nothing above "
                  "2^48 is mapped", n, unit, phys_bits);
    } else {
        ksnprintf(extent, sizeof(extent), "%llu %s, all %u address bits", n, unit, phys_bits);
    }
    log_info("second-level map: %s, %u levels, reaches %#llx (%s); %#llx at boot in %llu table "
             "pages, the rest on first touch with %s leaves (%u pages spare)",
             slat_name(vm), r->levels, (unsigned long long)r->reach, extent,
             (unsigned long long)r->eager_top, (unsigned long long)vm->slat.tables, leaves,
             VM_SLAT_DEMAND_PAGES);
    if (r->ram_beyond) {
        log_warn("memory map reaches above %#llx: the guest cannot use that part",
                 (unsigned long long)r->reach);
    }
}

static void set_host_pat(struct slat_ctx *e)
{
    /* NPT leaves name a memory type through the host's PAT. */
    uint64_t pat = rdmsr(MSR_IA32_PAT);
    e->host_pat_set = true;
    for (unsigned i = 0; i < 8; i++) {
        e->host_pat[i] = (uint8_t)(pat >> (8 * i)) & 0x7;
    }
}

bool vm_build_slat(struct vm *vm, uint64_t framebuffer_base, uint64_t framebuffer_size)
{
    struct vm_slat_demand *d = &demand;

    mtrr_read_state(&mtrr);
    vm->slat.alloc = slat_alloc_page;
    vm->slat.alloc_ctx = d;
    vm->slat.format = vm->ops->slat_format;
    vm->slat.allow = vm->ops->slat_allow();
    if (vm->slat.format == SLAT_FORMAT_NPT) {
        set_host_pat(&vm->slat);
    }
    unsigned phys_bits = cpu_phys_addr_bits();
    struct slat_reach_input in = {
        .phys_bits = phys_bits,
        .allow = vm->slat.allow,
        .ram_top = memory_top(vm),
        .framebuffer_end = framebuffer_size ? framebuffer_base + framebuffer_size : 0,
        .mediated_end = mediated_end(vm),
    };
    slat_reach_plan(&in, &d->reach);
    vm->slat.levels = d->reach.levels;
    d->policy = (struct slat_identity_policy){ vm->map, vm->map_count, &mtrr, d->reach.reach };

    enum slat_status st = slat_init(&vm->slat);
    if (st == SLAT_OK) {
        st = slat_build_identity_range(&vm->slat, &d->policy, 0, d->reach.eager_top);
    }
    if (st == SLAT_OK) {
        st = write_protect_mmio(vm);
    }
    for (d->pool_left = 0; st == SLAT_OK && d->pool_left < VM_SLAT_DEMAND_PAGES; d->pool_left++) {
        d->pool[d->pool_left] = pmm_alloc_pages(1);
        if (!d->pool[d->pool_left]) {
            st = SLAT_NO_MEMORY;
        }
    }
    if (st != SLAT_OK) {
        log_error("cannot build the guest's %s: %s", slat_name(vm), slat_status_name(st));
        return false;
    }
    d->from_pool = true;
    vm->slat_demand = d;
    report(vm, &d->reach, phys_bits ? phys_bits : SLAT_PHYS_BITS_DEFAULT);
    return true;
}

bool vm_slat_fill(struct vm *vm, uint64_t gpa)
{
    struct vm_slat_demand *d = vm->slat_demand;
    uint64_t lo, hi;
    if (!d || !slat_reach_block(&d->reach, gpa, &lo, &hi)) {
        return false;
    }
    uint64_t flags = spin_lock_irqsave(&d->lock);
    bool mapped = slat_translate(&vm->slat, gpa, 0, 0, 0, 0) == 0;   /* another vCPU's fill */
    if (!mapped) {
        uint64_t before = vm->slat.tables;
        enum slat_status st = slat_build_identity_range(&vm->slat, &d->policy, lo, hi);
        mapped = st == SLAT_OK && slat_translate(&vm->slat, gpa, 0, 0, 0, 0) == 0;
        if (st == SLAT_NO_MEMORY && !d->exhausted_reported) {
            d->exhausted_reported = true;
            log_warn("second-level map: all %u spare table pages used: [%#llx, %#llx) and "
                     "further blocks stay unmapped", VM_SLAT_DEMAND_PAGES,
                     (unsigned long long)lo, (unsigned long long)hi);
        } else if (mapped && ++d->fills <= FILLS_LOGGED) {
            uint64_t used = vm->slat.tables - before;
            log_info("second-level map: [%#llx, %#llx) mapped on first touch (%llu table "
                     "page%s, %u spare)", (unsigned long long)lo, (unsigned long long)hi,
                     (unsigned long long)used, used == 1 ? "" : "s", d->pool_left);
        }
    }
    spin_unlock_irqrestore(&d->lock, flags);
    return mapped;
}
