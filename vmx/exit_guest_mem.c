/* The guest's memory through its own page tables (see exit_guest_mem.h). */
#include "vmx/exit_guest_mem.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_bits.h"
#include "kernel/x86.h"
#include "kernel/msr.h"

#define PAGE_SIZE_4K 4096ull
#define MAXPHYADDR_LEAF 0x80000008u
#define CODE_BITS_16 16
#define CODE_BITS_32 32
#define CODE_BITS_64 64

struct guest_paging exit_guest_paging(void)
{
    return (struct guest_paging){
        .cr0 = vmcs_readnat(VMCS_GUEST_CR0), .cr3 = vmcs_readnat(VMCS_GUEST_CR3),
        .cr4 = vmcs_readnat(VMCS_GUEST_CR4), .efer = vmcs_read64(VMCS_GUEST_IA32_EFER),
    };
}

unsigned exit_code_bits(void)
{
    uint32_t ar = vmcs_read32(VMCS_GUEST_CS_ACCESS_RIGHTS);
    bool lma = (vmcs_read64(VMCS_GUEST_IA32_EFER) & EFER_LMA) != 0;
    if (lma && (ar & VMX_AR_L)) {
        return CODE_BITS_64;
    }
    /* Real mode: unrestricted guest keeps 16-bit segments (D = 0). */
    return (ar & VMX_AR_DB) ? CODE_BITS_32 : CODE_BITS_16;
}

/* Read once: CPUID is an exit-path cost worth saving on every decoded store. */
static unsigned maxphyaddr(void)
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

static uint64_t linear_rip(void)
{
    uint64_t rip = vmcs_readnat(VMCS_GUEST_RIP);
    if (exit_code_bits() == CODE_BITS_64) {
        return rip;
    }
    return (vmcs_readnat(VMCS_GUEST_CS_BASE) + rip) & 0xffffffffull;
}

enum guest_walk_status exit_fetch_instruction(struct vcpu *v, uint8_t bytes[INSN_MAX_LENGTH],
                                              size_t *len)
{
    struct guest_paging p = exit_guest_paging();
    uint64_t rip = linear_rip();
    /* First only what this page holds, then the rest from the next one if
     * it can be read: an instruction cut there decodes as truncated. */
    size_t here = PAGE_SIZE_4K - (rip & (PAGE_SIZE_4K - 1));
    if (here > INSN_MAX_LENGTH) {
        here = INSN_MAX_LENGTH;
    }
    enum guest_walk_status st = guest_read_linear(&p, maxphyaddr(), rip, bytes, here,
                                                  read_guest_phys, v);
    *len = 0;
    if (st != GUEST_WALK_OK) {
        return st;
    }
    *len = here;
    if (here < INSN_MAX_LENGTH &&
        guest_read_linear(&p, maxphyaddr(), rip + here, bytes + here, INSN_MAX_LENGTH - here,
                          read_guest_phys, v) == GUEST_WALK_OK) {
        *len = INSN_MAX_LENGTH;
    }
    return GUEST_WALK_OK;
}

bool exit_read_linear(struct vcpu *v, uint64_t linear, void *buf, size_t len)
{
    struct guest_paging p = exit_guest_paging();
    return guest_read_linear(&p, maxphyaddr(), linear, buf, len, read_guest_phys, v) ==
           GUEST_WALK_OK;
}

#define WRITE_LINEAR_MAX 8          /* an INS element */

bool exit_write_linear(struct vcpu *v, uint64_t linear, const void *buf, size_t len)
{
    struct guest_paging p = exit_guest_paging();
    const uint8_t *src = buf;
    uint64_t gpa[WRITE_LINEAR_MAX];
    if (len > WRITE_LINEAR_MAX) {
        return false;
    }
    /* Every byte's page first (an element may straddle two, each must be
     * guest RAM), then the write: nothing is written half. */
    for (size_t i = 0; i < len; i++) {
        if (guest_walk(&p, maxphyaddr(), linear + i, read_guest_phys, v, &gpa[i]) !=
                GUEST_WALK_OK || !vm_guest_range_ok(v->vm, gpa[i], 1)) {
            return false;
        }
    }
    for (size_t i = 0; i < len; i++) {
        *(volatile uint8_t *)gpa[i] = src[i];
    }
    return true;
}

uint64_t exit_segment_base(unsigned seg)
{
    if (exit_code_bits() == CODE_BITS_64 && seg != INSN_SEG_FS && seg != INSN_SEG_GS) {
        return 0;
    }
    /* The segment fields sit at a stride of 2 (appendix B): a field chosen
     * at run time, all natural-width like VMCS_GUEST_ES_BASE. */
    return vmcs_read_checked(VMCS_GUEST_ES_BASE + 2u * (seg % 6u));
}
