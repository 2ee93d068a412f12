/*
 * Cases 2-4: what the guest may not change about the CPU Kestrel runs on.
 *   cr4-vmxe               MOV to CR4 with VMXE (bit 13) → #GP(0), CR4 still reads VMXE clear
 *   feature-control-write  WRMSR IA32_FEATURE_CONTROL → #GP(0); it still reads locked, VMX off
 *   vmx-msr-write          WRMSR IA32_VMX_BASIC → #GP(0)
 * Kestrel owns CR4.VMXE (guest/host mask) and intercepts both MSRs
 * (core/msr_policy.c): a locked FEATURE_CONTROL and the read-only VMX
 * capability MSRs #GP on a write on real hardware too.
 */
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/hostile/hostile.h"
#include "kernel/msr.h"
#include "kernel/x86.h"

#define CR4_VMXE (1ull << 13)

/* What the guest writes: lock + VMX outside SMX, i.e. "turn VMX on". */
#define FEATURE_CONTROL_ATTEMPT (FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX)

void case_cr4_vmxe(struct outcome *o)
{
    uint64_t cr4 = read_cr4();
    struct fault f = probe_write_cr4(this_probe(), cr4 | CR4_VMXE);
    uint64_t after = read_cr4();

    if (f.vector == FAULT_NONE)
        write_cr4(after & ~CR4_VMXE);   /* accepted: undo, as far as the guest can */
    if (!expect_refusal(o, f, VEC_GP, "MOV to CR4 with VMXE"))
        return;
    if (after & CR4_VMXE)
        not_refused(o, "CR4 reads 0x%lx after the #GP: VMXE set", after);
}

void case_feature_control_write(struct outcome *o)
{
    uint64_t value;
    uint64_t vmx_enables = FEATURE_CONTROL_VMX_INSIDE_SMX | FEATURE_CONTROL_VMX_OUTSIDE_SMX;

    expect_refusal(o, probe_wrmsr(this_probe(), MSR_IA32_FEATURE_CONTROL, FEATURE_CONTROL_ATTEMPT),
                   VEC_GP, "WRMSR 0x3a");
    struct fault f = probe_rdmsr(this_probe(), MSR_IA32_FEATURE_CONTROL, &value);
    if (f.vector != FAULT_NONE)
        not_refused(o, "RDMSR 0x3a afterwards raised %s (vector %d)", fault_name(f.vector),
                    f.vector);
    else if (!(value & FEATURE_CONTROL_LOCKED) || (value & vmx_enables))
        not_refused(o, "IA32_FEATURE_CONTROL reads 0x%lx afterwards, expected locked with VMX off",
                    value);
}

void case_vmx_msr_write(struct outcome *o)
{
    expect_refusal(o, probe_wrmsr(this_probe(), MSR_IA32_VMX_BASIC, 0), VEC_GP,
                   "WRMSR IA32_VMX_BASIC");
}
