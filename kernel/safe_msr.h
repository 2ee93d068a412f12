/*
 * RDMSR/WRMSR/XSETBV that survive a #GP: for MSRs whose existence Kestrel
 * cannot know in advance (a guest's passthrough access to an MSR this CPU
 * lacks), and for the guest's XCR0 values.
 * The faulting instruction is listed in the .ex_table section; the #GP
 * handler (kernel/trap.c) resumes at its fixup, which reports failure.
 */
#ifndef KESTREL_KERNEL_SAFE_MSR_H
#define KESTREL_KERNEL_SAFE_MSR_H

#include <stdint.h>
#include <stdbool.h>

struct ex_table_entry {
    uint64_t insn;
    uint64_t fixup;
};

/* The fixup address for a faulting RIP, or 0. */
uint64_t ex_table_fixup(uint64_t rip);

/* After an instruction at local label 1: lists it in .ex_table with a
 * fixup that sets operand %[f] to 1 and resumes after it (label 2). */
#define SAFE_INSN_FIXUP                                                        \
    "2:\n"                                                                     \
    ".pushsection .text.fixup, \"ax\"\n"                                       \
    "3: mov $1, %[f]\n"                                                        \
    "   jmp 2b\n"                                                              \
    ".popsection\n"                                                            \
    ".pushsection .ex_table, \"a\"\n"                                          \
    ".balign 8\n"                                                              \
    ".quad 1b, 3b\n"                                                           \
    ".popsection\n"

static inline bool rdmsr_safe(uint32_t msr, uint64_t *value)
{
    uint32_t lo = 0, hi = 0;
    int failed;
    __asm__ volatile("xor %[f], %[f]\n"
                     "1: rdmsr\n"
                     SAFE_INSN_FIXUP
                     : [f] "=&r"(failed), "+a"(lo), "+d"(hi)
                     : "c"(msr)
                     : "memory");
    *value = ((uint64_t)hi << 32) | lo;
    return !failed;
}

/* An instruction that writes EDX:EAX to the register ECX names (WRMSR,
 * XSETBV), fault-safe: false when the CPU refused the value with #GP. */
#define DEFINE_SAFE_ECX_WRITE(name, insn)                                      \
    static inline bool name(uint32_t index, uint64_t value)                    \
    {                                                                          \
        int failed;                                                            \
        __asm__ volatile("xor %[f], %[f]\n"                                    \
                         "1: " insn "\n"                                       \
                         SAFE_INSN_FIXUP                                       \
                         : [f] "=&r"(failed)                                   \
                         : "c"(index), "a"((uint32_t)value),                   \
                           "d"((uint32_t)(value >> 32))                        \
                         : "memory");                                          \
        return !failed;                                                        \
    }

DEFINE_SAFE_ECX_WRITE(wrmsr_safe, "wrmsr")
/* XSETBV: the guest's XCR0 is checked against the SDM's rules before
 * Kestrel executes it; should a rule be missed, the CPU's #GP goes back to
 * the guest instead of stopping the machine. */
DEFINE_SAFE_ECX_WRITE(xsetbv_safe, "xsetbv")

#endif
