/*
 * Probes: run one instruction that may fault and report what happened.
 *
 * Each probe arms this CPU's struct fault_probe with the address of the
 * instruction (label 0) and of the point right after it (label 1), then
 * executes it.  If it faults, trap.c records vector, error code, the RIP
 * and CS the exception reported, and resumes at label 1.  Faults are
 * precise: the instruction changed nothing, so resuming after it with the
 * registers as they were is as if it had not been executed.  Outputs are
 * therefore pre-set ("+" constraints) and keep their initial value on a
 * fault.
 *
 * Any exception (0-31, not NMI) is caught, not only the expected one, so a
 * caller can say "#GP instead of #UD" rather than losing the CPU.
 *
 * A probe may also run code in ring 3 (resume_rsp != 0): the fault then
 * comes back in ring 0, at resume, on that stack.
 */
#ifndef KESTREL_GUEST_COMMON_PROBE_H
#define KESTREL_GUEST_COMMON_PROBE_H

#include <stddef.h>
#include <stdint.h>

/*
 * An armed "expected fault" record: while resume != 0, any exception 0-31
 * except NMI is recorded here and the CPU continues at resume instead of
 * the faulting instruction.  One per CPU (this_probe()).
 */
struct fault_probe {
    uint64_t resume;     /* where to continue after a fault; 0 = disarmed */
    uint64_t resume_rsp; /* 0: same stack and privilege; else CPL 0 with this RSP */
    uint64_t insn;       /* address of the probed instruction */
    int32_t  vector;     /* -1: no fault */
    uint64_t error;      /* error code (0 for vectors without one) */
    uint64_t rip;        /* RIP the exception frame reported */
    uint64_t cs;         /* CS the exception frame reported (its RPL: the CPL of the fault) */
};

/* This CPU's record (cpu.h tells CPUs apart), NULL on an unknown stack. */
struct fault_probe *this_probe(void);

#define FAULT_NONE (-1)

struct fault {
    int32_t  vector;     /* FAULT_NONE: the instruction completed */
    uint64_t error;
    uint64_t rip;        /* as the exception frame reported it */
    uint64_t cs;
    uint64_t insn;       /* where the probed instruction is */
};

/* "no exception", "#UD", "#GP" or "an exception". */
const char *fault_name(int32_t vector);

/* NULL if f is `vector` raised by the probed instruction itself (a fault:
 * nothing emulated) and, for #GP, with error code 0; otherwise the words
 * for what happened instead, "<what>: ...", in buf. */
const char *fault_mismatch(struct fault f, int32_t vector, const char *what, char *buf,
                           size_t size);

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
    p->resume_rsp = 0;
}

/* Disarms (trap.c already did if it caught a fault) and reports. */
static inline struct fault probe_end(struct fault_probe *p)
{
    p->resume = 0;
    p->resume_rsp = 0;
    return (struct fault){ .vector = p->vector, .error = p->error, .rip = p->rip, .cs = p->cs,
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

static inline struct fault probe_wrmsr(struct fault_probe *p, uint32_t msr, uint64_t value)
{
    uint64_t tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "wrmsr" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp)
                     : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "memory");
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

static inline struct fault probe_write64(struct fault_probe *p, uint64_t address, uint64_t value)
{
    uint64_t tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "movq %[value], (%[address])" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp)
                     : [address] "r"(address), [value] "r"(value)
                     : "memory");
    return probe_end(p);
}

#endif
