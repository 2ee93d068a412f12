/*
 * VMX root operation (SDM vol. 3C 24.7 "Enabling and entering VMX
 * operation"): feature control, fixed CR0/CR4 bits, CR4.VMXE, VMXON.
 */
#include "vmx/vmx_root.h"
#include "vmx/vmx_probe.h"
#include "vmx/vmx_ops.h"
#include "kernel/x86.h"
#include "kernel/msr.h"
#include "kernel/percpu.h"
#include "mm/pmm.h"

#define CR4_VMXE              (1ull << 13)
#define VMX_BASIC_REVISION_MASK 0x7fffffffull

struct vmx_root_cpu {
    uint64_t vmxon_region;     /* physical; 0 until allocated */
    uint64_t saved_cr0, saved_cr4;
    bool     active;
};

static struct vmx_root_cpu root_cpus[KESTREL_MAX_CPUS];

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
    if (!vmx_probe(reason) || !enable_feature_control(reason)) {
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
    *(volatile uint32_t *)rc->vmxon_region = (uint32_t)(rdmsr(MSR_IA32_VMX_BASIC) & VMX_BASIC_REVISION_MASK);

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
