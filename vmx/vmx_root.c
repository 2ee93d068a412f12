/*
 * VMX root operation (SDM vol. 3C 24.7 "Enabling and entering VMX
 * operation"): feature control, fixed CR0/CR4 bits, CR4.VMXE, VMXON.
 */
#include "vmx/vmx_root.h"
#include "vmx/vmx_probe.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmx_bits.h"
#include "kernel/x86.h"
#include "kernel/control_regs.h"
#include "kernel/msr.h"
#include "kernel/percpu.h"
#include "mm/pmm.h"

#define CPUID_1_ECX_XSAVE     (1u << 26)

struct vmx_root_cpu {
    uint64_t vmxon_region;     /* physical; 0 until allocated */
    uint64_t saved_cr0, saved_cr4;
    bool     active;
};

static struct vmx_root_cpu root_cpus[KESTREL_MAX_CPUS];
static struct vmx_caps caps;
static bool caps_ready;

static void read_cap_msrs(struct vmx_cap_msrs *m)
{
    m->basic = rdmsr(MSR_IA32_VMX_BASIC);
    bool true_ctls = (m->basic & VMX_BASIC_TRUE_CONTROLS) != 0;
    m->pin = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
    m->proc = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
    m->exit = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
    m->entry = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
    m->misc = rdmsr(MSR_IA32_VMX_MISC);
    m->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
    m->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
    m->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
    m->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
    /* Secondary controls and EPT/VPID capabilities exist only when the
     * primary controls allow activating the secondary ones (SDM A.3.3). */
    m->proc2 = 0;
    m->ept_vpid = 0;
    if ((m->proc >> 32) & PROC_ACTIVATE_SECONDARY) {
        m->proc2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
        m->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
    }
}

bool vmx_caps_init(const char **reason)
{
    struct vmx_cap_msrs m;
    if (!vmx_probe(reason)) {
        return false;
    }
    read_cap_msrs(&m);
    if (!vmx_caps_evaluate(&m, &caps, reason)) {
        return false;
    }
    caps_ready = true;
    return true;
}

const struct vmx_caps *vmx_caps(void)
{
    return caps_ready ? &caps : 0;
}

/* Kestrel assumes one kind of CPU: an AP whose VMX differs from the BSP's
 * (a different VMCS revision or fewer controls) is left out. */
static bool same_as_bsp(const char **reason)
{
    struct vmx_cap_msrs m;
    read_cap_msrs(&m);
    if (__builtin_memcmp(&m, &caps.msr, sizeof(m)) != 0) {
        *reason = "VMX capabilities differ from the boot CPU's";
        return false;
    }
    return true;
}

/* The firmware may leave IA32_FEATURE_CONTROL unlocked (OVMF on Bochs
 * does): lock it with VMX outside SMX enabled, as the firmware should have.
 * Until reset nobody can change it again, which is what a hypervisor wants. */
static bool enable_feature_control(const char **reason)
{
    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    if (!(fc & FEATURE_CONTROL_LOCKED)) {
        wrmsr(MSR_IA32_FEATURE_CONTROL,
              fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
        fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    }
    if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
        *reason = "disabled and locked by firmware";
        return false;
    }
    return true;
}

/* CR0 and CR4 must have every bit the FIXED0 MSRs require and none that
 * the FIXED1 MSRs forbid, in VMX operation (SDM appendix A.7, A.8). */
static bool apply_fixed_bits(const char **reason)
{
    uint64_t cr0 = read_cr0(), cr4 = read_cr4() | CR4_VMXE;
    /* A guest's XSETBV is executed by Kestrel (vmx/exit_instructions.c),
     * which needs CR4.OSXSAVE in root mode; Kestrel itself uses no
     * extended state, so turning it on changes nothing else. */
    if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE) {
        cr4 |= CR4_OSXSAVE;
    }
    uint64_t cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0), cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
    uint64_t cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0), cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
    uint64_t new_cr0 = (cr0 | cr0_fixed0) & cr0_fixed1;
    uint64_t new_cr4 = (cr4 | cr4_fixed0) & cr4_fixed1;

    if (!(new_cr4 & CR4_VMXE)) {
        *reason = "CR4.VMXE not allowed by IA32_VMX_CR4_FIXED1";
        return false;
    }
    write_cr0(new_cr0);
    write_cr4(new_cr4);
    return true;
}

bool vmx_root_enter(unsigned cpu_index, const char **reason)
{
    struct vmx_root_cpu *rc = &root_cpus[cpu_index];

    if (rc->active) {
        return true;
    }
    if (!caps_ready) {
        *reason = "VMX capabilities not evaluated";
        return false;
    }
    if (!vmx_probe(reason) || !enable_feature_control(reason) || !same_as_bsp(reason)) {
        return false;
    }
    if (!rc->vmxon_region) {
        rc->vmxon_region = pmm_alloc_pages(1);
        if (!rc->vmxon_region) {
            *reason = "out of memory for the VMXON region";
            return false;
        }
    }
    /* The region starts with the VMCS revision identifier (bits 30:0 of
     * IA32_VMX_BASIC); the rest is the processor's. */
    *(volatile uint32_t *)rc->vmxon_region = caps.revision;

    rc->saved_cr0 = read_cr0();
    rc->saved_cr4 = read_cr4();
    if (!apply_fixed_bits(reason)) {
        return false;
    }
    enum vmx_result r = vmx_on(rc->vmxon_region);
    if (r != VMX_SUCCEED) {
        write_cr4(rc->saved_cr4);
        write_cr0(rc->saved_cr0);
        *reason = r == VMX_FAIL_INVALID ? "VMXON failed (VMfailInvalid: bad region or revision)"
                                        : "VMXON failed (VMfailValid: already in VMX operation?)";
        return false;
    }
    rc->active = true;
    *reason = "";
    return true;
}

void vmx_root_leave(unsigned cpu_index)
{
    struct vmx_root_cpu *rc = &root_cpus[cpu_index];
    if (!rc->active) {
        return;
    }
    vmx_off();
    write_cr4(rc->saved_cr4 & ~CR4_VMXE);
    rc->active = false;
}

bool vmx_root_active(unsigned cpu_index)
{
    return root_cpus[cpu_index].active;
}
