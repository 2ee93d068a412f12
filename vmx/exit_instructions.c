/*
 * Instructions that exit: CPUID (policy in vmx/cpuid_policy.c), RDMSR/WRMSR
 * (policy in vmx/msr_policy.c), MOV to CR0/CR4 for the bits Kestrel owns,
 * XSETBV, INVD, and the VMX instructions (the guest sees no VMX: #UD).
 */
#include "vmx/exit.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_root.h"
#include "vmx/exit_cpuid.h"
#include "vmx/msr_policy.h"
#include "vmx/exit_qual.h"
#include "vmx/vpm.h"
#include "kernel/x86.h"
#include "kernel/msr.h"
#include "kernel/safe_msr.h"
#include "kernel/log.h"

#define CR0_PE   (1ull << 0)
#define CR0_NW   (1ull << 29)
#define CR0_CD   (1ull << 30)
#define CR0_PG   (1ull << 31)
#define CR4_VMXE (1ull << 13)
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)

static uint64_t low32(uint64_t v)
{
    return v & 0xffffffffull;
}

enum exit_action handle_cpuid(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    exit_cpuid(v);   /* normally taken inline by the dispatcher's fast path */
    return EXIT_RESUME;
}

enum exit_action handle_rdmsr(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    uint32_t msr = (uint32_t)v->regs[GPR_RCX];
    uint64_t value = 0;

    switch (msr_policy_read(msr, &v->msr_shadow, &value)) {
    case MSR_READ_EMULATE:
        break;
    case MSR_READ_PASSTHROUGH:
        if (rdmsr_safe(msr, &value)) {
            break;
        }
        /* fall through: the CPU has no such MSR */
    case MSR_READ_GP:
    default:
        exit_inject_gp();
        return EXIT_RESUME;
    }
    v->regs[GPR_RAX] = low32(value);
    v->regs[GPR_RDX] = value >> 32;
    exit_skip_instruction();
    return EXIT_RESUME;
}

enum exit_action handle_wrmsr(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    uint32_t msr = (uint32_t)v->regs[GPR_RCX];
    uint64_t value = low32(v->regs[GPR_RAX]) | (v->regs[GPR_RDX] << 32);
    uint64_t current = msr == MSR_IA32_APIC_BASE ? rdmsr(MSR_IA32_APIC_BASE) : 0;
    const char *why = "";

    switch (msr_policy_write(msr, value, current, &v->msr_shadow, &why)) {
    case MSR_WRITE_EMULATE:
    case MSR_WRITE_IGNORE:
        break;
    case MSR_WRITE_PASSTHROUGH:
        if (wrmsr_safe(msr, value)) {
            break;
        }
        /* fall through: refused by the CPU */
    case MSR_WRITE_GP:
    default:
        log_warn("cpu %u: guest wrmsr %#x = %#llx refused (#GP): %s", v->apic_id, msr,
                 (unsigned long long)value, why);
        exit_inject_gp();
        return EXIT_RESUME;
    }
    exit_skip_instruction();
    return EXIT_RESUME;
}

/* MOV to CR0: the guest changed a bit Kestrel owns (NE).  Its value goes
 * into the read shadow, the real register keeps VMX's fixed bits, and the
 * IA-32e mode switch that PG makes with EFER.LME is done by hand. */
static enum exit_action guest_write_cr0(uint64_t value)
{
    const struct vmx_caps *c = vmx_caps();
    if (((value & CR0_PG) && !(value & CR0_PE)) || ((value & CR0_NW) && !(value & CR0_CD)) ||
        (value >> 32)) {
        exit_inject_gp();
        return EXIT_RESUME;
    }
    uint64_t owned = vmcs_readnat(VMCS_CTRL_CR0_GUEST_HOST_MASK);
    uint64_t old = vmcs_readnat(VMCS_GUEST_CR0);
    uint64_t efer = vmcs_read64(VMCS_GUEST_IA32_EFER);
    vmcs_writenat(VMCS_CTRL_CR0_READ_SHADOW, value);
    vmcs_writenat(VMCS_GUEST_CR0, (value & ~owned) | (c->msr.cr0_fixed0 & owned));
    if (((old ^ value) & CR0_PG) && (efer & EFER_LME)) {
        bool long_mode = (value & CR0_PG) != 0;
        uint32_t entry = vmcs_read32(VMCS_CTRL_ENTRY);
        vmcs_write64(VMCS_GUEST_IA32_EFER, long_mode ? efer | EFER_LMA : efer & ~EFER_LMA);
        vmcs_write32(VMCS_CTRL_ENTRY, long_mode ? entry | ENTRY_IA32E_MODE_GUEST
                                                : entry & ~ENTRY_IA32E_MODE_GUEST);
    }
    exit_skip_instruction();
    return EXIT_RESUME;
}

/* MOV to CR4: CR4.VMXE is Kestrel's.  A guest that tries to set it gets
 * #GP, as on a CPU without VMX (which is what CPUID tells it). */
static enum exit_action guest_write_cr4(uint64_t value)
{
    const struct vmx_caps *c = vmx_caps();
    if ((value & CR4_VMXE) || (value & ~c->msr.cr4_fixed1)) {
        exit_inject_gp();
        return EXIT_RESUME;
    }
    uint64_t owned = vmcs_readnat(VMCS_CTRL_CR4_GUEST_HOST_MASK);
    vmcs_writenat(VMCS_CTRL_CR4_READ_SHADOW, value);
    vmcs_writenat(VMCS_GUEST_CR4, (value & ~owned) | (c->msr.cr4_fixed0 & owned));
    exit_skip_instruction();
    return EXIT_RESUME;
}

enum exit_action handle_cr_access(struct vcpu *v, uint64_t qual)
{
    struct cr_access_qual q = exit_qual_cr_access(qual);
    if (q.access == CR_ACCESS_MOV_TO_CR) {
        uint64_t value = q.gpr == GPR_RSP ? vmcs_readnat(VMCS_GUEST_RSP) : v->regs[q.gpr];
        if (q.cr == 0) {
            return guest_write_cr0(value);
        }
        if (q.cr == 4) {
            return guest_write_cr4(value);
        }
    }
    if (q.access == CR_ACCESS_LMSW) {
        /* LMSW sets only PE, MP, EM, TS; it reaches here only if one of those
         * is owned, which none is: emulate it plainly on the shadow. */
        uint64_t shadow = vmcs_readnat(VMCS_CTRL_CR0_READ_SHADOW);
        return guest_write_cr0((shadow & ~0xeull) | (q.lmsw_source & 0xf) | (shadow & CR0_PE));
    }
    char words[64];
    exit_qual_cr_access_format(&q, words, sizeof(words));
    return exit_unhandled(v, EXIT_REASON_CR_ACCESS, qual, words);
}

enum exit_action handle_xsetbv(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    uint64_t value = low32(v->regs[GPR_RAX]) | (v->regs[GPR_RDX] << 32);
    struct cpuid_regs xsave = cpuid(0xd, 0);
    uint64_t supported = xsave.eax | ((uint64_t)xsave.edx << 32);

    /* The SDM's rules for XCR0 (vol. 1 13.3): only XCR0 exists, x87 always
     * on, AVX needs SSE, nothing the CPU does not support. */
    if ((uint32_t)v->regs[GPR_RCX] != 0 || !(value & XCR0_X87) || (value & ~supported) ||
        ((value & XCR0_AVX) && !(value & XCR0_SSE))) {
        exit_inject_gp();
        return EXIT_RESUME;
    }
    __asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
    exit_skip_instruction();
    return EXIT_RESUME;
}

enum exit_action handle_invd(struct vcpu *v, uint64_t qual)
{
    (void)v;
    (void)qual;
    /* INVD would drop dirty lines of Kestrel's memory too: write back instead. */
    __asm__ volatile("wbinvd" ::: "memory");
    exit_skip_instruction();
    return EXIT_RESUME;
}

enum exit_action handle_vmx_instruction(struct vcpu *v, uint64_t qual)
{
    (void)v;
    (void)qual;
    /* The guest was told there is no VMX (or SMX): these instructions are
     * invalid opcodes to it. */
    exit_inject_ud();
    return EXIT_RESUME;
}

/* Ports Kestrel intercepts (vm.c sets them in the I/O bitmap).  Everything
 * else the guest owns and reaches without an exit. */
#define PORT_KBC_COMMAND 0x64
#define KBC_PULSE_RESET  0xfe

static uint32_t port_in(uint16_t port, unsigned size)
{
    return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

static void port_out(uint16_t port, unsigned size, uint32_t value)
{
    if (size == 1) {
        outb(port, (uint8_t)value);
    } else if (size == 2) {
        outw(port, (uint16_t)value);
    } else {
        outl(port, value);
    }
}

enum exit_action handle_io(struct vcpu *v, uint64_t qual)
{
    struct io_qual q = exit_qual_io(qual);
    if (q.string || q.rep) {
        char words[64];
        exit_qual_io_format(&q, words, sizeof(words));
        return exit_unhandled(v, EXIT_REASON_IO, qual, words);
    }
    uint32_t mask = q.size == 4 ? 0xffffffffu : (1u << (8 * q.size)) - 1;
    uint32_t emulated = (uint32_t)v->regs[GPR_RAX] & mask;
    bool ended;
    if (vpm_io(v, q.port, q.size, q.in, &emulated, &ended)) {
        if (ended) {
            return EXIT_LEAVE;
        }
        if (q.in) {
            v->regs[GPR_RAX] = (v->regs[GPR_RAX] & ~(uint64_t)mask) | (emulated & mask);
        }
        exit_skip_instruction();
        return EXIT_RESUME;
    }
    if (q.in) {
        uint32_t value = port_in(q.port, q.size);
        v->regs[GPR_RAX] = (v->regs[GPR_RAX] & ~(uint64_t)mask) | (value & mask);
    } else {
        uint32_t value = (uint32_t)v->regs[GPR_RAX] & mask;
        /* The keyboard controller's reset pulse would reset the machine
         * under Kestrel's feet: it ends the guest as a reset instead. */
        if (q.port == PORT_KBC_COMMAND && value == KBC_PULSE_RESET) {
            vm_request_end(v->vm, GUEST_RESET, "kbc-reset");
            return EXIT_LEAVE;
        }
        port_out(q.port, q.size, value);
    }
    exit_skip_instruction();
    return EXIT_RESUME;
}
