/* Reading the MTRRs into struct mtrr_state (the only hardware part of MTRR handling). */
#include "mm/mtrr.h"
#include "kernel/x86.h"
#include "kernel/msr.h"
#include "kernel/cpu_features.h"

void mtrr_read_state(struct mtrr_state *s)
{
    __builtin_memset(s, 0, sizeof(*s));
    s->phys_addr_bits = cpuid(0x80000008, 0).eax & 0xff;
    if (!(cpuid(CPUID_LEAF_FEATURES, 0).edx & CPUID_1_EDX_MTRR)) {
        return;   /* no MTRRs: everything UC, as the SDM says for disabled MTRRs */
    }
    uint64_t cap = rdmsr(MSR_IA32_MTRRCAP), def = rdmsr(MSR_IA32_MTRR_DEF_TYPE);
    s->enabled = (def & MTRR_DEF_TYPE_E) != 0;
    s->fixed_enabled = (def & MTRR_DEF_TYPE_FE) && (cap & MTRRCAP_FIX);
    s->default_type = (uint8_t)def;
    if (cap & MTRRCAP_FIX) {
        for (unsigned i = 0; i < MTRR_FIXED_MSRS; i++) {
            s->fixed[i] = rdmsr(mtrr_fixed_msrs[i]);
        }
    }
    s->var_count = (unsigned)(cap & MTRRCAP_VCNT_MASK);
    if (s->var_count > MTRR_MAX_VARIABLE) {
        s->var_count = MTRR_MAX_VARIABLE;
    }
    for (unsigned i = 0; i < s->var_count; i++) {
        s->var[i].base = rdmsr(MSR_IA32_MTRR_PHYSBASE0 + 2 * i);
        s->var[i].mask = rdmsr(MSR_IA32_MTRR_PHYSBASE0 + 2 * i + 1);
    }
}
