/*
 * What the guest may not change about the CPU Kestrel runs on (per vCPU).
 *   cr4-vmxe               MOV to CR4 with VMXE (bit 13) → #GP(0), CR4 still reads VMXE clear
 *   cr0/clear-pg-64bit     MOV to CR0 clearing PG in 64-bit mode → #GP(0) (SDM vol. 3A 4.1.2:
 *                          PG cannot be cleared while IA-32e mode is active), CR0 unchanged.
 *                          The write also flips NE, a bit Kestrel owns (VMX operation needs
 *                          it set), so that it exits to Kestrel: clearing PG alone never
 *                          leaves the CPU, which raises the #GP itself.  NE reads as the
 *                          guest left it (the read shadow): set on the BSP, which Kestrel
 *                          starts in 64-bit mode, clear on an AP the trampoline brought up
 *   feature-control-write  WRMSR IA32_FEATURE_CONTROL → #GP(0); it still reads locked, VMX off
 *   vmx-msr-write          WRMSR IA32_VMX_BASIC → #GP(0)
 * Kestrel owns CR4.VMXE and CR0.NE (guest/host masks) and intercepts both
 * MSRs (core/msr_policy.c): a locked FEATURE_CONTROL and the read-only VMX
 * capability MSRs #GP on a write on real hardware too.
 */
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/hostile/hostile.h"
#include "kernel/control_regs.h"
#include "kernel/msr.h"
#include "kernel/x86.h"

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

static struct fault probe_write_cr0(struct fault_probe *p, uint64_t value)
{
    uint64_t tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "mov %[value], %%cr0" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp)
                     : [value] "r"(value)
                     : "memory");
    return probe_end(p);
}

void case_cr0_clear_pg_64bit(struct outcome *o)
{
    uint64_t cr0 = read_cr0();
    /* Should the write be accepted, the next instruction fetch has no
     * paging: nothing of this guest would run to say so.  Kestrel must
     * refuse it before it reaches the CPU. */
    struct fault f = probe_write_cr0(this_probe(), (cr0 ^ CR0_NE) & ~CR0_PG);
    uint64_t after = read_cr0();

    if (!expect_refusal(o, f, VEC_GP, "MOV to CR0 clearing PG (and flipping NE) in 64-bit mode"))
        return;
    if (after != cr0)
        not_refused(o, "CR0 reads 0x%lx after the #GP, was 0x%lx", after, cr0);
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
