/*
 * The CPUID exit's work, inline: the most frequent exit of all (Linux issues
 * hundreds at boot, every guest's feature probes), so each backend's
 * dispatcher takes it on its fast path without a table call or an ops
 * indirection, and advances RIP itself.
 */
#ifndef KESTREL_CORE_EXIT_CPUID_H
#define KESTREL_CORE_EXIT_CPUID_H

#include "core/vm.h"
#include "core/cpuid_policy.h"
#include "kernel/x86.h"

static inline __attribute__((always_inline)) void core_cpuid(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->regs[GPR_RAX], subleaf = (uint32_t)v->regs[GPR_RCX];
    /* 64-bit outputs (cpuid64): the results go to the guest's slots
     * without extra moves. */
    uint64_t a, b, c, d;

    cpuid64(leaf, subleaf, &a, &b, &c, &d);
    if (__builtin_expect(!cpuid_policy_passes_through(leaf), 0)) {
        struct cpuid_values out = { (uint32_t)a, (uint32_t)b, (uint32_t)c, (uint32_t)d };
        cpuid_policy_apply(leaf, subleaf, &out);
        a = out.eax, b = out.ebx, c = out.ecx, d = out.edx;
    }
    v->regs[GPR_RAX] = a;
    v->regs[GPR_RBX] = b;
    v->regs[GPR_RCX] = c;
    v->regs[GPR_RDX] = d;
}

#endif
