/*
 * Instructions that exit: CPUID (policy in core/cpuid_policy.c), RDMSR/WRMSR
 * (policy in core/msr_policy.c), MOV to CR0/CR4 for the bits Kestrel owns,
 * XSETBV, INVD, and the VMX instructions (the guest sees no VMX: #UD).
 */
#include "vmx/exit.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_root.h"
#include "vmx/exit_cpuid.h"
#include "core/msr_policy.h"
#include "core/cr_rules.h"
#include "core/xcr0.h"
#include "vmx/vmx_names.h"
#include "vmx/exit_qual.h"
#include "kernel/x86.h"
#include "kernel/control_regs.h"
#include "kernel/msr.h"
#include "kernel/safe_msr.h"
#include "kernel/log.h"

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

/* The guest copies of the MSRs the VMCS switches and the policy intercepts
 * anyway (MSR_READ/WRITE_GUEST_STATE): IA32_DEBUGCTL, loaded on entry by the
 * "load debug controls" control. */
static bool guest_state_msr(uint32_t msr, uint64_t *value, bool write)
{
    if (msr != MSR_IA32_DEBUGCTL) {
        return false;
    }
    if (write) {
        vmcs_write64(VMCS_GUEST_IA32_DEBUGCTL, *value);
    } else {
        *value = vmcs_read64(VMCS_GUEST_IA32_DEBUGCTL);
    }
    return true;
}

enum exit_action handle_rdmsr(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    uint32_t msr = (uint32_t)v->regs[GPR_RCX];
    uint64_t value = 0;
    bool ok;

    switch (msr_policy_read(msr, &v->msr_shadow, &value)) {
    case MSR_READ_EMULATE:
        ok = true;
        break;
    case MSR_READ_GUEST_STATE:
        ok = guest_state_msr(msr, &value, false);
        break;
    case MSR_READ_PASSTHROUGH:
        ok = rdmsr_safe(msr, &value);       /* false: the CPU has no such MSR */
        break;
    case MSR_READ_GP:
    default:
        ok = false;
        refusal_warn(&v->refusals, REFUSAL_MSR_READ, v->apic_id,
                     "guest rdmsr %#x (%s) refused (#GP)", msr, msr_policy_name(msr));
        break;
    }
    if (!ok) {
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
    uint64_t current = 0;
    const char *why = "";

    if (msr_policy_write_needs_current(msr) && !rdmsr_safe(msr, &current)) {
        current = 0;
    }
    switch (msr_policy_write(msr, value, current, &v->msr_shadow, &why)) {
    case MSR_WRITE_EMULATE:
        break;
    case MSR_WRITE_IGNORE:
        refusal_warn(&v->refusals, REFUSAL_MSR_WRITE, v->apic_id,
                     "guest wrmsr %#x = %#llx ignored: %s", msr, (unsigned long long)value, why);
        break;
    case MSR_WRITE_GUEST_STATE:
        guest_state_msr(msr, &value, true);
        break;
    case MSR_WRITE_ICR:
        if (!exit_x2apic_icr_write(v, value)) {
            exit_inject_gp();
            return EXIT_RESUME;
        }
        break;
    case MSR_WRITE_PASSTHROUGH:
        if (wrmsr_safe(msr, value)) {
            break;
        }
        why = "the CPU refused the value";
        /* fall through */
    case MSR_WRITE_GP:
    default:
        refusal_warn(&v->refusals, REFUSAL_MSR_WRITE, v->apic_id,
                     "guest wrmsr %#x = %#llx refused (#GP): %s", msr, (unsigned long long)value,
                     why);
        exit_inject_gp();
        return EXIT_RESUME;
    }
    exit_skip_instruction();
    return EXIT_RESUME;
}

/* The guest's control registers as the SDM's MOV-to-CR rules see them:
 * the values it believes it has (read shadows for the bits Kestrel owns). */
static struct cr_state guest_cr_state(void)
{
    uint64_t mask0 = vmcs_readnat(VMCS_CTRL_CR0_GUEST_HOST_MASK);
    uint64_t mask4 = vmcs_readnat(VMCS_CTRL_CR4_GUEST_HOST_MASK);
    uint64_t cr0 = (vmcs_readnat(VMCS_GUEST_CR0) & ~mask0) |
                   (vmcs_readnat(VMCS_CTRL_CR0_READ_SHADOW) & mask0);
    uint64_t cr4 = (vmcs_readnat(VMCS_GUEST_CR4) & ~mask4) |
                   (vmcs_readnat(VMCS_CTRL_CR4_READ_SHADOW) & mask4);
    return (struct cr_state){
        .cr0 = cr0, .cr3 = vmcs_readnat(VMCS_GUEST_CR3), .cr4 = cr4,
        .efer = vmcs_read64(VMCS_GUEST_IA32_EFER),
        .cs_long = (vmcs_read32(VMCS_GUEST_CS_ACCESS_RIGHTS) & VMX_AR_L) != 0,
    };
}

static enum exit_action refuse_cr_write(struct vcpu *v, unsigned cr, uint64_t value,
                                        const char *why)
{
    refusal_warn(&v->refusals, REFUSAL_CR_WRITE, v->apic_id,
                 "guest mov to cr%u = %#llx refused (#GP): %s", cr, (unsigned long long)value,
                 why);
    exit_inject_gp();
    return EXIT_RESUME;
}

/* MOV to CR0: the guest changed a bit Kestrel owns (NE).  A write the SDM
 * refuses gives the guest #GP (never a VM entry that fails on it); a valid
 * one goes into the read shadow, the real register keeps VMX's fixed bits,
 * and the IA-32e mode switch PG makes with EFER.LME is done by hand. */
static enum exit_action guest_write_cr0(struct vcpu *v, uint64_t value)
{
    const struct vmx_caps *c = vmx_caps();
    struct cr_state s = guest_cr_state();
    const char *why = cr0_write_problem(&s, value);
    if (why) {
        return refuse_cr_write(v, 0, value, why);
    }
    uint64_t owned = vmcs_readnat(VMCS_CTRL_CR0_GUEST_HOST_MASK);
    bool lma = cr0_write_lma(&s, value);
    vmcs_writenat(VMCS_CTRL_CR0_READ_SHADOW, value);
    vmcs_writenat(VMCS_GUEST_CR0, (value & ~owned) | (c->msr.cr0_fixed0 & owned));
    if (lma != ((s.efer & EFER_LMA) != 0)) {
        uint32_t entry = vmcs_read32(VMCS_CTRL_ENTRY);
        vmcs_write64(VMCS_GUEST_IA32_EFER, lma ? s.efer | EFER_LMA : s.efer & ~EFER_LMA);
        vmcs_write32(VMCS_CTRL_ENTRY, lma ? entry | ENTRY_IA32E_MODE_GUEST
                                          : entry & ~ENTRY_IA32E_MODE_GUEST);
    }
    exit_skip_instruction();
    return EXIT_RESUME;
}

/* MOV to CR4 that changes a bit Kestrel owns (VMXE, and those VMX operation
 * does not allow): judged against the guest's CPUID as Kestrel shows it. */
static enum exit_action guest_write_cr4(struct vcpu *v, uint64_t value)
{
    const struct vmx_caps *c = vmx_caps();
    struct cr_state s = guest_cr_state();
    const char *why = cr4_write_problem(&s, value, v->vm->cr4_guest_allowed);
    if (why) {
        return refuse_cr_write(v, 4, value, why);
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
        if (!(vmcs_read32(VMCS_GUEST_CS_ACCESS_RIGHTS) & VMX_AR_L)) {
            value = low32(value);      /* outside 64-bit mode the operand is 32 bits */
        }
        if (q.cr == 0) {
            return guest_write_cr0(v, value);
        }
        if (q.cr == 4) {
            return guest_write_cr4(v, value);
        }
    }
    if (q.access == CR_ACCESS_LMSW) {
        /* LMSW sets only PE, MP, EM, TS (and cannot clear PE); it reaches
         * here only if one of those is owned, which none is: emulate it
         * plainly on the shadow. */
        uint64_t shadow = vmcs_readnat(VMCS_CTRL_CR0_READ_SHADOW);
        return guest_write_cr0(v, (shadow & ~0xeull) | (q.lmsw_source & 0xf) | (shadow & CR0_PE));
    }
    char words[64];
    exit_qual_cr_access_format(&q, words, sizeof(words));
    return exit_unhandled(v, EXIT_REASON_CR_ACCESS, qual, words);
}

/* XSETBV: the SDM's rules for XCR0 (core/xcr0.c) against the state
 * components CPUID.(0DH,0) shows the guest; Kestrel then executes it with a
 * fault fixup, so a rule the check missed still gives the guest #GP, never
 * a host exception. */
enum exit_action handle_xsetbv(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    uint32_t xcr = (uint32_t)v->regs[GPR_RCX];
    uint64_t value = low32(v->regs[GPR_RAX]) | (v->regs[GPR_RDX] << 32);
    const char *why;

    if (xcr != 0) {
        why = "only XCR0 exists (ECX must be 0)";
    } else if (!(why = xcr0_problem(value, v->vm->xcr0_allowed)) && !xsetbv_safe(0, value)) {
        why = "the CPU refused the value";
    }
    if (why) {
        refusal_warn(&v->refusals, REFUSAL_XSETBV, v->apic_id,
                     "guest xsetbv xcr%u = %#llx refused (#GP): %s", xcr,
                     (unsigned long long)value, why);
        exit_inject_gp();
        return EXIT_RESUME;
    }
    exit_skip_instruction();
    return EXIT_RESUME;
}

enum exit_action handle_invd(struct vcpu *v, uint64_t qual)
{
    (void)v;
    (void)qual;
    /* INVD would drop dirty lines of Kestrel's memory too: write back instead. */
    wbinvd();
    exit_skip_instruction();
    return EXIT_RESUME;
}

enum exit_action handle_vmx_instruction(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    /* The guest was told there is no VMX (or SMX): these instructions are
     * invalid opcodes to it. */
    uint32_t reason = vmcs_read32(VMCS_RO_EXIT_REASON) & EXIT_REASON_BASIC_MASK;
    refusal_warn(&v->refusals, REFUSAL_VMX_INSTRUCTION, v->apic_id,
                 "guest %s refused (#UD): the guest has no VMX", exit_reason_name(reason));
    exit_inject_ud();
    return EXIT_RESUME;
}
