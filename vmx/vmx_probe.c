/* VMX availability (SDM vol. 3C 24.6 "Discovering support for VMX", 24.7). */
#include "vmx/vmx_probe.h"
#include "kernel/x86.h"
#include "kernel/msr.h"
#include "kernel/cpu_features.h"

bool vmx_probe(const char **reason)
{
    if (!(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_VMX)) {
        *reason = "cpuid reports no VMX";
        return false;
    }
    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    /* Locked with VMX-outside-SMX clear: VMXON would #GP, and only a reset
     * with a different firmware setting can change it. */
    if ((fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
        *reason = "disabled and locked by firmware";
        return false;
    }
    *reason = "";
    return true;
}
