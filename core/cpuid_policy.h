/*
 * What a guest sees when it executes CPUID: pure policy, no hardware access.
 *
 * The CPUID exit handler (VMX today, SVM later) executes the real CPUID for
 * the guest's (leaf, subleaf) and hands the result to cpuid_policy_apply(),
 * which edits it in place.  The edits are a data table of rules in
 * cpuid_policy.c, one line per hidden or added feature, each with its reason.
 */
#ifndef KESTREL_CORE_CPUID_POLICY_H
#define KESTREL_CORE_CPUID_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpuid_values {
    uint32_t eax, ebx, ecx, edx;
};

/* ---- Kestrel's own leaves (the hypervisor range 0x40000000..0x4fffffff) --- */

#define KESTREL_CPUID_SIGNATURE "KestrelVisor"   /* 12 bytes: EBX, ECX, EDX of leaf 0x40000000 */
#define KESTREL_CPUID_LEAF_BASE 0x40000000u      /* EAX = max leaf, EBX:ECX:EDX = signature */
#define KESTREL_CPUID_LEAF_INFO 0x40000001u      /* EAX = hypercall ABI version */
#define KESTREL_CPUID_LEAF_MAX  0x40000001u
#define KESTREL_CPUID_RANGE_LAST 0x4fffffffu     /* leaves reserved for hypervisors */

/* Version of the guest <-> Kestrel hypercall ABI, reported in leaf 0x40000001 EAX. */
#define KESTREL_HYPERCALL_ABI_VERSION 1u

/* The signature as the three registers hold it: bytes in memory order, so
 * EBX holds "Kest" with 'K' in the low byte (like "GenuineIntel"). */
#define CPUID_FOURCC(a, b, c, d) \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define KESTREL_CPUID_SIGNATURE_EBX CPUID_FOURCC('K', 'e', 's', 't')
#define KESTREL_CPUID_SIGNATURE_ECX CPUID_FOURCC('r', 'e', 'l', 'V')
#define KESTREL_CPUID_SIGNATURE_EDX CPUID_FOURCC('i', 's', 'o', 'r')

/* ---- the rule table ---------------------------------------------------- */

/* Registers a rule edits (a mask, so one rule can blank a whole leaf). */
enum cpuid_reg {
    CPUID_REG_EAX = 1u << 0,
    CPUID_REG_EBX = 1u << 1,
    CPUID_REG_ECX = 1u << 2,
    CPUID_REG_EDX = 1u << 3,
    CPUID_REG_ALL = 0xfu,
};

#define CPUID_SUBLEAF_ANY 0xffffffffu

/* For every register in regs: value = (value & ~clear) | set. */
struct cpuid_rule {
    uint32_t leaf;
    uint32_t subleaf;          /* or CPUID_SUBLEAF_ANY */
    uint32_t regs;             /* enum cpuid_reg mask */
    uint32_t clear;
    uint32_t set;
    const char *reason;
};

/* in: what the real CPU returned for (leaf, subleaf); out: what the guest
 * sees.  Hypervisor leaves 0x40000000..0x4fffffff are answered without the
 * CPU's values (it may itself run under a hypervisor and report that one):
 * they start from zero and only the rules fill them. */
void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, struct cpuid_values *v);

/* Hides the CPUID features whose CR4 enable bit is not in cr4_settable (on
 * VMX: IA32_VMX_CR4_FIXED1, the bits VMX operation allows), so a guest never
 * tries a CR4 write the hypervisor would have to refuse.  Once, at start. */
void cpuid_policy_hide_for_cr4(uint64_t cr4_settable);

/* OSXSAVE (leaf 1) and OSPKE (leaf 7) report the CR4 of the CPU executing
 * CPUID, which for an exit handler is Kestrel's: set them from the guest's
 * CR4 instead (after cpuid_policy_apply). */
void cpuid_policy_reflect_guest_cr4(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4,
                                    struct cpuid_values *v);

/* Fast path for the hottest exit: true when no rule touches the leaf, so
 * the CPU's values go to the guest unchanged.  Correct (false for every
 * leaf) before cpuid_policy_init(). */
#define CPUID_POLICY_LOW_LEAVES 64u
extern uint64_t cpuid_policy_low_leaf_mask;
void cpuid_policy_init(void);

static inline bool cpuid_policy_passes_through(uint32_t leaf)
{
    return leaf < CPUID_POLICY_LOW_LEAVES && !((cpuid_policy_low_leaf_mask >> leaf) & 1);
}

/* The built-in rule table (for printing the policy and for tests). */
const struct cpuid_rule *cpuid_policy_rules(size_t *count);

/* Checks a rule table: every rule has a reason, names registers and changes
 * something; rules that can apply to the same (leaf, subleaf, register)
 * touch disjoint bits, so their order never matters.  On failure sets *bad
 * to the index of the offending rule and *problem to what is wrong. */
bool cpuid_rules_check(const struct cpuid_rule *rules, size_t count, size_t *bad,
                       const char **problem);

/* cpuid_rules_check() on the built-in table. */
bool cpuid_policy_check(size_t *bad, const char **problem);

#endif
