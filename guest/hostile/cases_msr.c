/*
 * msr/<name>: MSRs Kestrel's allowlist (core/msr_policy.c) refuses, each
 * #GP(0) as on a CPU without the feature:
 *   rtit-ctl, rtit-output-base  Intel PT (IA32_RTIT_CTL 0x570, IA32_RTIT_OUTPUT_BASE 0x560):
 *                               its output addresses are host-physical and bypass EPT; read
 *                               and write refused (the write aims the trace at Kestrel)
 *   ds-area                     IA32_DS_AREA 0x600 (BTS/PEBS records), read and write
 *   pebs-enable                 IA32_PEBS_ENABLE 0x3f1, read and write
 *   perf-global-ctrl            IA32_PERF_GLOBAL_CTRL 0x38f (the PMU is hidden), read and write
 *   misc-enable-bit22           IA32_MISC_ENABLE 0x1a0 with bit 22 (limit CPUID maxval)
 *                               flipped: #GP, the value unchanged; its current value may be
 *                               written back (the control)
 *   misc-enable-bit34           the same with bit 34 (XD disable)
 *   debugctl-bts                IA32_DEBUGCTL 0x1d9 with TR and BTS (bits 6, 7: branch trace
 *                               store into the DS area): #GP, the value unchanged
 *   unlisted                    MSRs the table has no row for (0x140, 0x2000): deny by
 *                               default, read and write
 */
#include "guest/common/boot_info.h"
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/hostile/hostile.h"
#include "kernel/msr.h"
#include "lib/fmt.h"

#define RTIT_CTL_TRACE_EN     (1ull << 0)
#define PEBS_ENABLE_PMC0      (1ull << 0)
#define PERF_GLOBAL_PMC0      (1ull << 0)
#define MISC_ENABLE_LIMIT_CPUID (1ull << 22)
#define MISC_ENABLE_XD_DISABLE  (1ull << 34)
#define DEBUGCTL_TR           (1ull << 6)
#define DEBUGCTL_BTS          (1ull << 7)
#define MSR_UNLISTED_LOW      0x140u
#define MSR_UNLISTED_HIGH     0x2000u
#define WHAT_SIZE             48

/* RDMSR of msr must raise #GP(0). */
static bool expect_read_refused(struct outcome *o, uint32_t msr)
{
    char what[WHAT_SIZE];
    uint64_t value = 0;
    struct fault f = probe_rdmsr(this_probe(), msr, &value);

    if (f.vector == FAULT_NONE) {
        not_refused(o, "RDMSR 0x%x returned 0x%lx, expected #GP", msr, value);
        return false;
    }
    ksnprintf(what, sizeof(what), "RDMSR 0x%x", msr);
    return expect_refusal(o, f, VEC_GP, what);
}

/* WRMSR of msr = value must raise #GP(0). */
static bool expect_write_refused(struct outcome *o, uint32_t msr, uint64_t value)
{
    char what[WHAT_SIZE];

    ksnprintf(what, sizeof(what), "WRMSR 0x%x = 0x%lx", msr, value);
    return expect_refusal(o, probe_wrmsr(this_probe(), msr, value), VEC_GP, what);
}

static void expect_refused_both(struct outcome *o, uint32_t msr, uint64_t value)
{
    if (expect_read_refused(o, msr))
        expect_write_refused(o, msr, value);
}

void case_msr_rtit_ctl(struct outcome *o)
{
    expect_refused_both(o, MSR_IA32_RTIT_CTL, RTIT_CTL_TRACE_EN);
}

void case_msr_rtit_output_base(struct outcome *o)
{
    expect_refused_both(o, MSR_IA32_RTIT_OUTPUT_BASE, boot_info->hypervisor_probe);
}

void case_msr_ds_area(struct outcome *o)
{
    expect_refused_both(o, MSR_IA32_DS_AREA, boot_info->hypervisor_probe);
}

void case_msr_pebs_enable(struct outcome *o)
{
    expect_refused_both(o, MSR_IA32_PEBS_ENABLE, PEBS_ENABLE_PMC0);
}

void case_msr_perf_global_ctrl(struct outcome *o)
{
    expect_refused_both(o, MSR_IA32_PERF_GLOBAL_CTRL, PERF_GLOBAL_PMC0);
}

/* A readable MSR whose bits `change` may not be written differently:
 * WRMSR with them set (or cleared, whichever they are not) → #GP, and the
 * MSR reads as before.  control: its current value may be written back. */
static void expect_change_refused(struct outcome *o, uint32_t msr, uint64_t change, bool control)
{
    uint64_t before, after;
    struct fault f = probe_rdmsr(this_probe(), msr, &before);

    if (f.vector != FAULT_NONE) {
        not_refused(o, "untested: RDMSR 0x%x raised %s (vector %d)", msr, fault_name(f.vector),
                    f.vector);
        return;
    }
    if (control && (f = probe_wrmsr(this_probe(), msr, before)).vector != FAULT_NONE) {
        not_refused(o, "untested: writing 0x%x's current value 0x%lx back raised %s", msr,
                    before, fault_name(f.vector));
        return;
    }
    uint64_t attempt = before ^ change;
    struct fault w = probe_wrmsr(this_probe(), msr, attempt);
    f = probe_rdmsr(this_probe(), msr, &after);
    if (w.vector == FAULT_NONE)
        probe_wrmsr(this_probe(), msr, before);   /* accepted: put it back */
    if (f.vector == FAULT_NONE && after != before) {
        not_refused(o, "0x%x reads 0x%lx after WRMSR 0x%lx, was 0x%lx", msr, after, attempt,
                    before);
        return;
    }
    char what[WHAT_SIZE];
    ksnprintf(what, sizeof(what), "WRMSR 0x%x = 0x%lx", msr, attempt);
    expect_refusal(o, w, VEC_GP, what);
}

void case_msr_misc_enable_bit22(struct outcome *o)
{
    expect_change_refused(o, MSR_IA32_MISC_ENABLE, MISC_ENABLE_LIMIT_CPUID, true);
}

void case_msr_misc_enable_bit34(struct outcome *o)
{
    expect_change_refused(o, MSR_IA32_MISC_ENABLE, MISC_ENABLE_XD_DISABLE, true);
}

void case_msr_debugctl_bts(struct outcome *o)
{
    expect_change_refused(o, MSR_IA32_DEBUGCTL, DEBUGCTL_TR | DEBUGCTL_BTS, false);
}

void case_msr_unlisted(struct outcome *o)
{
    expect_refused_both(o, MSR_UNLISTED_LOW, 0);
    expect_refused_both(o, MSR_UNLISTED_HIGH, 0);
}
