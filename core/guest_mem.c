/* The guest's memory through its own page tables (see guest_mem.h). */
#include "core/guest_mem.h"
#include "kernel/x86.h"

#define PAGE_SIZE_4K     4096ull
#define MAXPHYADDR_LEAF  0x80000008u
#define WRITE_LINEAR_MAX 8          /* an INS element */

/* Read once: CPUID is an exit-path cost worth saving on every decoded store. */
unsigned guest_mem_maxphyaddr(void)
{
    static unsigned bits;
    if (!bits) {
        bits = cpuid(MAXPHYADDR_LEAF, 0).eax & 0xff;
    }
    return bits;
}

/* Guest-physical reads for the walker: guest RAM only. */
static bool read_guest_phys(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    struct vcpu *v = ctx;
    if (!vm_guest_range_ok(v->vm, gpa, len)) {
        return false;
    }
    if (len == sizeof(uint64_t)) {
        *(uint64_t *)buf = *(const volatile uint64_t *)gpa;   /* a paging entry: one load */
    } else {
        __builtin_memcpy(buf, (const void *)gpa, len);
    }
    return true;
}

static uint64_t linear_rip(const struct guest_view *view)
{
    if (view->code_bits == 64) {
        return view->rip;
    }
    return (view->cs_base + view->rip) & 0xffffffffull;
}

enum guest_walk_status guest_fetch_instruction(struct vcpu *v, const struct guest_view *view,
                                               uint8_t bytes[INSN_MAX_LENGTH], size_t *len)
{
    uint64_t rip = linear_rip(view);
    /* First only what this page holds, then the rest from the next one if
     * it can be read: an instruction cut there decodes as truncated. */
    size_t here = PAGE_SIZE_4K - (rip & (PAGE_SIZE_4K - 1));
    if (here > INSN_MAX_LENGTH) {
        here = INSN_MAX_LENGTH;
    }
    enum guest_walk_status st = guest_read_linear(&view->paging, guest_mem_maxphyaddr(), rip, bytes,
                                                  here, read_guest_phys, v);
    *len = 0;
    if (st != GUEST_WALK_OK) {
        return st;
    }
    *len = here;
    if (here < INSN_MAX_LENGTH &&
        guest_read_linear(&view->paging, guest_mem_maxphyaddr(), rip + here, bytes + here,
                          INSN_MAX_LENGTH - here, read_guest_phys, v) == GUEST_WALK_OK) {
        *len = INSN_MAX_LENGTH;
    }
    return GUEST_WALK_OK;
}

bool guest_read_linear_checked(struct vcpu *v, const struct guest_view *view, uint64_t linear,
                               void *buf, size_t len)
{
    return guest_read_linear(&view->paging, guest_mem_maxphyaddr(), linear, buf, len,
                             read_guest_phys, v) == GUEST_WALK_OK;
}

bool guest_write_linear_checked(struct vcpu *v, const struct guest_view *view, uint64_t linear,
                                const void *buf, size_t len)
{
    const uint8_t *src = buf;
    uint64_t gpa[WRITE_LINEAR_MAX];
    if (len > WRITE_LINEAR_MAX) {
        return false;
    }
    /* Every byte's page first (an element may straddle two, each must be
     * guest RAM), then the write: nothing is written half. */
    for (size_t i = 0; i < len; i++) {
        if (guest_walk(&view->paging, guest_mem_maxphyaddr(), linear + i, read_guest_phys, v,
                       &gpa[i]) != GUEST_WALK_OK || !vm_guest_range_ok(v->vm, gpa[i], 1)) {
            return false;
        }
    }
    for (size_t i = 0; i < len; i++) {
        *(volatile uint8_t *)gpa[i] = src[i];
    }
    return true;
}
