/*
 * Probes: run one instruction that may fault and report what happened.
 *
 * Each probe arms this CPU's struct fault_probe with the address of the
 * instruction (label 0) and of the point right after it (label 1), then
 * executes it.  If it faults, trap.c records vector, error code and the
 * RIP the exception reported, and resumes at label 1.  Faults are precise:
 * the instruction changed nothing, so resuming after it with the registers
 * as they were is as if it had not been executed.  Outputs are therefore
 * pre-set ("+" constraints) and keep their initial value on a fault.
 *
 * Any exception (0-31, not NMI) is caught, not only the expected one, so a
 * check can say "#GP instead of #UD" rather than losing the CPU.
 */
#ifndef KESTREL_GUEST_SELFTEST_PROBE_H
#define KESTREL_GUEST_SELFTEST_PROBE_H

#include "guest/selftest/selftest.h"

#define FAULT_NONE (-1)

struct fault {
    int32_t  vector;     /* FAULT_NONE: the instruction completed */
    uint64_t error;
    uint64_t rip;        /* as the exception frame reported it */
    uint64_t insn;       /* where the probed instruction is */
};

#define PROBE_ARM                    \
    "leaq 0f(%%rip), %[tmp]\n\t"     \
    "movq %[tmp], %[insn]\n\t"       \
    "leaq 1f(%%rip), %[tmp]\n\t"     \
    "movq %[tmp], %[resume]\n"       \
    "0:\t"
#define PROBE_DONE "\n1:"
#define PROBE_OUTPUTS(p, tmp) \
    [resume] "=m"((p)->resume), [insn] "=m"((p)->insn), [tmp] "=&r"(tmp)

static inline void probe_begin(struct fault_probe *p)
{
    p->vector = FAULT_NONE;
}

/* Disarms (trap.c already did if it caught a fault) and reports. */
static inline struct fault probe_end(struct fault_probe *p)
{
    p->resume = 0;
    return (struct fault){ .vector = p->vector, .error = p->error, .rip = p->rip,
                           .insn = p->insn };
}

static inline struct fault probe_rdmsr(struct fault_probe *p, uint32_t msr, uint64_t *value)
{
    uint32_t lo = 0, hi = 0;
    uint64_t tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "rdmsr" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp), "+a"(lo), "+d"(hi)
                     : "c"(msr)
                     : "memory");
    *value = ((uint64_t)hi << 32) | lo;
    return probe_end(p);
}

static inline struct fault probe_write_cr4(struct fault_probe *p, uint64_t value)
{
    uint64_t tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "mov %[value], %%cr4" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp)
                     : [value] "r"(value)
                     : "memory");
    return probe_end(p);
}

/* VMXON's operand is the physical address of a VMXON region, in memory. */
static inline struct fault probe_vmxon(struct fault_probe *p, const uint64_t *region_pa)
{
    uint64_t tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "vmxon %[region]" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp)
                     : [region] "m"(*region_pa)
                     : "memory", "cc");
    return probe_end(p);
}

static inline struct fault probe_ud2(struct fault_probe *p)
{
    uint64_t tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "ud2" PROBE_DONE : PROBE_OUTPUTS(p, tmp) : : "memory");
    return probe_end(p);
}

static inline struct fault probe_read64(struct fault_probe *p, uint64_t address, uint64_t *value)
{
    uint64_t v = 0, tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "movq (%[address]), %[v]" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp), [v] "+r"(v)
                     : [address] "r"(address)
                     : "memory");
    *value = v;
    return probe_end(p);
}

#endif
