/*
 * CPUID policy: the rules, one per feature, and the code that applies them.
 * Bit positions are from the Intel SDM vol. 2A, CPUID instruction.
 */
#include "vmx/cpuid_policy.h"
#include "kernel/cpu_features.h"

/* Leaves and bits this file names that kernel/cpu_features.h does not. */
#define CPUID_LEAF_EXT_FEATURES_7    0x00000007   /* structured extended features */
#define CPUID_LEAF_SGX               0x00000012
#define CPUID_LEAF_PT                0x00000014
#define CPUID_7_0_EBX_SGX            (1u << 2)
#define CPUID_7_0_EBX_PT             (1u << 25)
#define CPUID_7_0_ECX_WAITPKG        (1u << 5)
#define CPUID_7_0_ECX_SGX_LC         (1u << 30)

#define ALL_BITS 0xffffffffu

/* Unlisted leaves and registers pass through unchanged. */
static const struct cpuid_rule cpuid_rules[] = {
    /* ---- leaf 1: feature flags ---- */
    { .leaf = CPUID_LEAF_FEATURES, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ECX,
      .clear = CPUID_1_ECX_VMX,
      .reason = "VMX: Kestrel owns VMX and does not offer nested virtualization" },
    { .leaf = CPUID_LEAF_FEATURES, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ECX,
      .clear = CPUID_1_ECX_SMX,
      .reason = "SMX: GETSEC/TXT would measure and relaunch the machine under Kestrel" },
    { .leaf = CPUID_LEAF_FEATURES, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ECX,
      .set = CPUID_1_ECX_HYPERVISOR,
      .reason = "hypervisor present: tells the guest to look at leaves 0x40000000+" },

    /* ---- leaf 7 subleaf 0: structured extended features ---- */
    { .leaf = CPUID_LEAF_EXT_FEATURES_7, .subleaf = 0, .regs = CPUID_REG_EBX,
      .clear = CPUID_7_0_EBX_SGX,
      .reason = "SGX: enclaves are not virtualized (EPC is not partitioned)" },
    { .leaf = CPUID_LEAF_EXT_FEATURES_7, .subleaf = 0, .regs = CPUID_REG_EBX,
      .clear = CPUID_7_0_EBX_PT,
      .reason = "Intel PT: trace output would bypass EPT; not virtualized" },
    { .leaf = CPUID_LEAF_EXT_FEATURES_7, .subleaf = 0, .regs = CPUID_REG_ECX,
      .clear = CPUID_7_0_ECX_WAITPKG,
      .reason = "WAITPKG: UMWAIT/TPAUSE need IA32_UMWAIT_CONTROL virtualized; not done" },
    { .leaf = CPUID_LEAF_EXT_FEATURES_7, .subleaf = 0, .regs = CPUID_REG_ECX,
      .clear = CPUID_7_0_ECX_SGX_LC,
      .reason = "SGX launch control: SGX is hidden" },

    /* ---- leaves describing hidden features ---- */
    { .leaf = CPUID_LEAF_SGX, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS,
      .reason = "SGX enumeration: SGX is hidden" },
    { .leaf = CPUID_LEAF_PT, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS,
      .reason = "Intel PT enumeration: PT is hidden" },

    /* ---- Kestrel's leaves (they start from zero; see cpuid_policy_apply) ---- */
    { .leaf = KESTREL_CPUID_LEAF_BASE, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_EAX,
      .clear = ALL_BITS, .set = KESTREL_CPUID_LEAF_MAX,
      .reason = "highest Kestrel leaf" },
    { .leaf = KESTREL_CPUID_LEAF_BASE, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_EBX,
      .clear = ALL_BITS, .set = KESTREL_CPUID_SIGNATURE_EBX,
      .reason = "signature \"KestrelVisor\", bytes 0-3" },
    { .leaf = KESTREL_CPUID_LEAF_BASE, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ECX,
      .clear = ALL_BITS, .set = KESTREL_CPUID_SIGNATURE_ECX,
      .reason = "signature \"KestrelVisor\", bytes 4-7" },
    { .leaf = KESTREL_CPUID_LEAF_BASE, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_EDX,
      .clear = ALL_BITS, .set = KESTREL_CPUID_SIGNATURE_EDX,
      .reason = "signature \"KestrelVisor\", bytes 8-11" },
    { .leaf = KESTREL_CPUID_LEAF_INFO, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_EAX,
      .clear = ALL_BITS, .set = KESTREL_HYPERCALL_ABI_VERSION,
      .reason = "hypercall ABI version" },
    { .leaf = KESTREL_CPUID_LEAF_INFO, .subleaf = CPUID_SUBLEAF_ANY,
      .regs = CPUID_REG_EBX | CPUID_REG_ECX | CPUID_REG_EDX, .clear = ALL_BITS,
      .reason = "reserved, zero" },
    /* 0x40000002..0x4fffffff: no rules, so all zero. */
};

#define CPUID_RULE_COUNT (sizeof(cpuid_rules) / sizeof(cpuid_rules[0]))

static bool in_hypervisor_range(uint32_t leaf)
{
    return leaf >= KESTREL_CPUID_LEAF_BASE && leaf <= KESTREL_CPUID_RANGE_LAST;
}

static bool rule_matches(const struct cpuid_rule *r, uint32_t leaf, uint32_t subleaf)
{
    return r->leaf == leaf && (r->subleaf == CPUID_SUBLEAF_ANY || r->subleaf == subleaf);
}

static void apply_to(uint32_t *reg, const struct cpuid_rule *r)
{
    *reg = (*reg & ~r->clear) | r->set;
}

/* CPUID is the most frequent exit: a leaf below 64 that no rule names must
 * pass through without a walk over the table.  The mask of ruled low
 * leaves is derived from the table once (cpuid_policy_init) and read inline
 * by the exit handler (cpuid_policy_passes_through in the header). */
#define LOW_LEAVES CPUID_POLICY_LOW_LEAVES

uint64_t cpuid_policy_low_leaf_mask = ~0ull;   /* every leaf ruled until init */

void cpuid_policy_init(void)
{
    uint64_t m = 0;
    for (size_t i = 0; i < CPUID_RULE_COUNT; i++) {
        if (cpuid_rules[i].leaf < LOW_LEAVES)
            m |= 1ull << cpuid_rules[i].leaf;
    }
    cpuid_policy_low_leaf_mask = m;
}

void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, struct cpuid_values *v)
{
    if (cpuid_policy_passes_through(leaf))
        return;
    if (in_hypervisor_range(leaf))
        *v = (struct cpuid_values){ 0, 0, 0, 0 };
    for (size_t i = 0; i < CPUID_RULE_COUNT; i++) {
        const struct cpuid_rule *r = &cpuid_rules[i];

        if (!rule_matches(r, leaf, subleaf))
            continue;
        if (r->regs & CPUID_REG_EAX)
            apply_to(&v->eax, r);
        if (r->regs & CPUID_REG_EBX)
            apply_to(&v->ebx, r);
        if (r->regs & CPUID_REG_ECX)
            apply_to(&v->ecx, r);
        if (r->regs & CPUID_REG_EDX)
            apply_to(&v->edx, r);
    }
}

const struct cpuid_rule *cpuid_policy_rules(size_t *count)
{
    *count = CPUID_RULE_COUNT;
    return cpuid_rules;
}

static bool fail(size_t index, const char *what, size_t *bad, const char **problem)
{
    *bad = index;
    *problem = what;
    return false;
}

bool cpuid_rules_check(const struct cpuid_rule *rules, size_t count, size_t *bad,
                       const char **problem)
{
    for (size_t i = 0; i < count; i++) {
        const struct cpuid_rule *a = &rules[i];

        if (a->reason == NULL || a->reason[0] == '\0')
            return fail(i, "rule has no reason", bad, problem);
        if (a->regs == 0 || (a->regs & ~(uint32_t)CPUID_REG_ALL) != 0)
            return fail(i, "rule names no register or an unknown one", bad, problem);
        if (a->clear == 0 && a->set == 0)
            return fail(i, "rule changes nothing", bad, problem);
        for (size_t j = 0; j < i; j++) {
            const struct cpuid_rule *b = &rules[j];
            bool same_subleaf = a->subleaf == b->subleaf || a->subleaf == CPUID_SUBLEAF_ANY ||
                                b->subleaf == CPUID_SUBLEAF_ANY;

            if (a->leaf == b->leaf && same_subleaf && (a->regs & b->regs) != 0 &&
                ((a->clear | a->set) & (b->clear | b->set)) != 0)
                return fail(i, "rule changes bits an earlier rule already changes", bad,
                            problem);
        }
    }
    *bad = 0;
    *problem = "";
    return true;
}

bool cpuid_policy_check(size_t *bad, const char **problem)
{
    return cpuid_rules_check(cpuid_rules, CPUID_RULE_COUNT, bad, problem);
}
