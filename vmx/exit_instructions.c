/*
 * Instruction exits: CPUID, RDMSR/WRMSR, XSETBV, INVD, VMCALL and the VMX
 * instructions go to the backend-neutral handlers (core/); MOV to CR0/CR4
 * for the bits Kestrel owns is VMX's own business (read shadows, fixed
 * bits), judged by core/cr_rules.c.
 */
#include "vmx/exit.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_root.h"
#include "core/exit_cpuid.h"
#include "core/cr_rules.h"
#include "vmx/vmx_names.h"
#include "vmx/exit_qual.h"
#include "kernel/x86.h"
#include "kernel/control_regs.h"
#include "kernel/msr.h"
#include "kernel/log.h"

static uint64_t low32(uint64_t v)
{
    return v & 0xffffffffull;
}

enum exit_action handle_cpuid(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    core_cpuid(v);   /* normally taken inline by the dispatcher's fast path */
    exit_skip_instruction();
    return EXIT_RESUME;
}

enum exit_action handle_rdmsr(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    return core_exit_rdmsr(v);
}

enum exit_action handle_wrmsr(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    return core_exit_wrmsr(v);
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
    vcpu_inject_gp(v);
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

enum exit_action handle_xsetbv(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    return core_exit_xsetbv(v);
}

enum exit_action handle_invd(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    return core_exit_invd(v);
}

enum exit_action handle_vmcall(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    return core_exit_hypercall(v);
}

enum exit_action handle_vmx_instruction(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    uint32_t reason = vmcs_read32(VMCS_RO_EXIT_REASON) & EXIT_REASON_BASIC_MASK;
    return core_exit_virt_instruction(v, REFUSAL_VMX_INSTRUCTION, exit_reason_name(reason), "VMX");
}
