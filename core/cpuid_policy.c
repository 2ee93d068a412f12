/*
 * CPUID policy: the rules, one per feature, and the code that applies them.
 * Bit positions are from the Intel SDM vol. 2A, CPUID instruction.
 */
#include "core/cpuid_policy.h"
#include "kernel/cpu_features.h"
#include "core/cr_rules.h"

/* Leaves and bits this file names that kernel/cpu_features.h does not. */
#define CPUID_LEAF_MONITOR           0x00000005
#define CPUID_LEAF_THERMAL_POWER     0x00000006
#define CPUID_LEAF_EXT_FEATURES_7    0x00000007   /* structured extended features */
#define CPUID_LEAF_PERFMON           0x0000000a
#define CPUID_LEAF_XSAVE             0x0000000d
#define CPUID_LEAF_RDT_MONITORING    0x0000000f
#define CPUID_LEAF_RDT_ALLOCATION    0x00000010
#define CPUID_LEAF_SGX               0x00000012
#define CPUID_LEAF_PT                0x00000014
#define CPUID_LEAF_KEY_LOCKER        0x00000019
#define CPUID_LEAF_PCONFIG           0x0000001b
#define CPUID_LEAF_ARCH_LBR          0x0000001c
#define CPUID_LEAF_PERFMON_EXT       0x00000023
#define CPUID_LEAF_AMD_EXT_FEATURES  0x80000001
#define CPUID_LEAF_AMD_SVM           0x8000000a
#define CPUID_LEAF_AMD_PERFMON       0x80000022
#define CPUID_AMD_EXT_ECX_SVM           (1u << 2)
#define CPUID_AMD_EXT_ECX_PERFCTR_CORE  (1u << 23)
#define CPUID_AMD_EXT_ECX_PERFCTR_NB    (1u << 24)
#define CPUID_AMD_EXT_ECX_PERFCTR_LLC   (1u << 28)
#define CPUID_1_ECX_DTES64           (1u << 2)
#define CPUID_1_ECX_MONITOR          (1u << 3)
#define CPUID_1_ECX_DS_CPL           (1u << 4)
#define CPUID_1_ECX_EST              (1u << 7)
#define CPUID_1_ECX_TM2              (1u << 8)
#define CPUID_1_ECX_PDCM             (1u << 15)
#define CPUID_1_EDX_DS               (1u << 21)
#define CPUID_1_EDX_ACPI             (1u << 22)
#define CPUID_1_EDX_TM               (1u << 29)
#define CPUID_1_EDX_PBE              (1u << 31)
/* Leaf 6: what stays is the digital thermal sensor (bit 0), turbo (1),
 * the always-running APIC timer (2) and the package thermal status (6). */
#define CPUID_6_EAX_KEPT             ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 6))
#define CPUID_6_ECX_APERFMPERF       (1u << 0)
#define CPUID_7_0_EBX_SGX            (1u << 2)
#define CPUID_7_0_EBX_RDT_M          (1u << 12)
#define CPUID_7_0_EBX_MPX            (1u << 14)
#define CPUID_7_0_EBX_RDT_A          (1u << 15)
#define CPUID_7_0_EBX_PT             (1u << 25)
#define CPUID_7_0_ECX_WAITPKG        (1u << 5)
#define CPUID_7_0_ECX_CET_SS         (1u << 7)
#define CPUID_7_0_ECX_TME            (1u << 13)
#define CPUID_7_0_ECX_KEY_LOCKER     (1u << 23)
#define CPUID_7_0_ECX_SGX_LC         (1u << 30)
#define CPUID_7_0_ECX_PKS            (1u << 31)
#define CPUID_7_0_EDX_UINTR          (1u << 5)
#define CPUID_7_0_EDX_PCONFIG        (1u << 18)
#define CPUID_7_0_EDX_ARCH_LBR       (1u << 19)
#define CPUID_7_0_EDX_CET_IBT        (1u << 20)
#define CPUID_D_0_EAX_MPX            ((1u << 3) | (1u << 4))
#define CPUID_1_ECX_XSAVE            (1u << 26)
#define CPUID_1_ECX_OSXSAVE          (1u << 27)   /* reflects CR4.OSXSAVE */
#define CPUID_7_0_ECX_PKU            (1u << 3)
#define CPUID_7_0_ECX_OSPKE          (1u << 4)    /* reflects CR4.PKE */

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
    { .leaf = CPUID_LEAF_FEATURES, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ECX,
      .clear = CPUID_1_ECX_MONITOR,
      .reason = "MONITOR/MWAIT: C-states (and the package MSRs behind them) stay the "
                "firmware's; the guest idles with HLT" },
    { .leaf = CPUID_LEAF_FEATURES, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ECX,
      .clear = CPUID_1_ECX_EST | CPUID_1_ECX_TM2,
      .reason = "Enhanced SpeedStep and thermal monitor 2: P-states and thermal control stay "
                "the firmware's (IA32_PERF_CTL is refused)" },
    { .leaf = CPUID_LEAF_FEATURES, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ECX,
      .clear = CPUID_1_ECX_DTES64 | CPUID_1_ECX_DS_CPL | CPUID_1_ECX_PDCM,
      .reason = "debug store and PMU capabilities: the DS area and the PMU are hidden" },
    { .leaf = CPUID_LEAF_FEATURES, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_EDX,
      .clear = CPUID_1_EDX_DS,
      .reason = "debug store: BTS/PEBS records would go where IA32_DS_AREA says; refused" },
    { .leaf = CPUID_LEAF_FEATURES, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_EDX,
      .clear = CPUID_1_EDX_ACPI | CPUID_1_EDX_TM | CPUID_1_EDX_PBE,
      .reason = "thermal monitor and software clock control: their MSRs are refused" },

    /* ---- leaf 5: MONITOR/MWAIT (hidden above) ---- */
    { .leaf = CPUID_LEAF_MONITOR, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS, .reason = "MONITOR/MWAIT enumeration: MONITOR is hidden" },

    /* ---- leaf 6: thermal and power management ---- */
    { .leaf = CPUID_LEAF_THERMAL_POWER, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_EAX,
      .clear = ~CPUID_6_EAX_KEPT,
      .reason = "HWP, power-limit notification, clock modulation, duty cycling and hardware "
                "feedback: package-wide power management stays the firmware's" },
    { .leaf = CPUID_LEAF_THERMAL_POWER, .subleaf = CPUID_SUBLEAF_ANY,
      .regs = CPUID_REG_EBX | CPUID_REG_EDX, .clear = ALL_BITS,
      .reason = "thermal interrupt thresholds and the hardware feedback interface: hidden" },
    { .leaf = CPUID_LEAF_THERMAL_POWER, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ECX,
      .clear = ~CPUID_6_ECX_APERFMPERF,
      .reason = "energy-performance bias and the rest: package-wide (APERF/MPERF stay)" },

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
    { .leaf = CPUID_LEAF_EXT_FEATURES_7, .subleaf = 0, .regs = CPUID_REG_EBX,
      .clear = CPUID_7_0_EBX_MPX,
      .reason = "MPX: IA32_BNDCFGS is not switched; refused" },
    { .leaf = CPUID_LEAF_EXT_FEATURES_7, .subleaf = 0, .regs = CPUID_REG_EBX,
      .clear = CPUID_7_0_EBX_RDT_M | CPUID_7_0_EBX_RDT_A,
      .reason = "resource director (cache monitoring/allocation): caches are shared with "
                "cores outside the guest" },
    { .leaf = CPUID_LEAF_EXT_FEATURES_7, .subleaf = 0, .regs = CPUID_REG_ECX,
      .clear = CPUID_7_0_ECX_CET_SS | CPUID_7_0_ECX_PKS,
      .reason = "CET shadow stacks and supervisor protection keys: their MSRs are not "
                "switched on VM exit; refused" },
    { .leaf = CPUID_LEAF_EXT_FEATURES_7, .subleaf = 0, .regs = CPUID_REG_ECX,
      .clear = CPUID_7_0_ECX_TME | CPUID_7_0_ECX_KEY_LOCKER,
      .reason = "memory encryption and Key Locker: platform keys are the firmware's" },
    { .leaf = CPUID_LEAF_EXT_FEATURES_7, .subleaf = 0, .regs = CPUID_REG_EDX,
      .clear = CPUID_7_0_EDX_UINTR | CPUID_7_0_EDX_PCONFIG | CPUID_7_0_EDX_ARCH_LBR |
               CPUID_7_0_EDX_CET_IBT,
      .reason = "user interrupts, PCONFIG, architectural LBRs and CET IBT: refused MSRs" },

    /* ---- leaf 0AH: performance monitoring ---- */
    { .leaf = CPUID_LEAF_PERFMON, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS,
      .reason = "no PMU: counters would count (and interrupt) in Kestrel's root mode too" },

    /* ---- leaf 0DH: XSAVE state components ---- */
    { .leaf = CPUID_LEAF_XSAVE, .subleaf = 0, .regs = CPUID_REG_EAX, .clear = CPUID_D_0_EAX_MPX,
      .reason = "MPX state: MPX is hidden (XCR0 bits 3-4 are refused)" },
    { .leaf = CPUID_LEAF_XSAVE, .subleaf = 1, .regs = CPUID_REG_ECX | CPUID_REG_EDX,
      .clear = ALL_BITS,
      .reason = "no supervisor state components in IA32_XSS: PT, CET, LBR, HWP and UINTR "
                "are hidden (XRSTORS of PT state would load the PT MSRs)" },

    /* ---- leaves describing hidden features ---- */
    { .leaf = CPUID_LEAF_RDT_MONITORING, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS, .reason = "RDT monitoring enumeration: hidden" },
    { .leaf = CPUID_LEAF_RDT_ALLOCATION, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS, .reason = "RDT allocation enumeration: hidden" },
    { .leaf = CPUID_LEAF_KEY_LOCKER, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS, .reason = "Key Locker enumeration: hidden" },
    { .leaf = CPUID_LEAF_PCONFIG, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS, .reason = "PCONFIG enumeration: hidden" },
    { .leaf = CPUID_LEAF_ARCH_LBR, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS, .reason = "architectural LBR enumeration: hidden" },
    { .leaf = CPUID_LEAF_PERFMON_EXT, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS, .reason = "extended performance monitoring enumeration: no PMU" },
    { .leaf = CPUID_LEAF_SGX, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS,
      .reason = "SGX enumeration: SGX is hidden" },
    { .leaf = CPUID_LEAF_PT, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS,
      .reason = "Intel PT enumeration: PT is hidden" },

    /* ---- AMD's extended leaves ---- */
    { .leaf = CPUID_LEAF_AMD_EXT_FEATURES, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ECX,
      .clear = CPUID_AMD_EXT_ECX_SVM,
      .reason = "SVM: the guest runs no hypervisor of its own (VMRUN and friends are #UD)" },
    { .leaf = CPUID_LEAF_AMD_EXT_FEATURES, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ECX,
      .clear = CPUID_AMD_EXT_ECX_PERFCTR_CORE | CPUID_AMD_EXT_ECX_PERFCTR_NB |
               CPUID_AMD_EXT_ECX_PERFCTR_LLC,
      .reason = "AMD's extended performance counters: no PMU" },
    { .leaf = CPUID_LEAF_AMD_SVM, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS, .reason = "SVM revision and features: SVM is hidden" },
    { .leaf = CPUID_LEAF_AMD_PERFMON, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL,
      .clear = ALL_BITS, .reason = "AMD performance monitoring v2 enumeration: no PMU" },

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

/* Features whose CR4 enable bit the hypervisor cannot let the guest set
 * (cpuid_policy_hide_for_cr4): hidden on top of the table. */
static struct cr4_cpuid hidden_for_cr4;

void cpuid_policy_hide_for_cr4(uint64_t cr4_settable)
{
    cr4_cpuid_to_hide(cr4_settable, &hidden_for_cr4);
}

void cpuid_policy_reflect_guest_cr4(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4,
                                    struct cpuid_values *v)
{
    if (leaf == CPUID_LEAF_FEATURES) {
        v->ecx &= ~CPUID_1_ECX_OSXSAVE;
        if ((guest_cr4 & CR4_OSXSAVE) && (v->ecx & CPUID_1_ECX_XSAVE))
            v->ecx |= CPUID_1_ECX_OSXSAVE;
    } else if (leaf == CPUID_LEAF_EXT_FEATURES_7 && subleaf == 0) {
        v->ecx &= ~CPUID_7_0_ECX_OSPKE;
        if ((guest_cr4 & CR4_PKE) && (v->ecx & CPUID_7_0_ECX_PKU))
            v->ecx |= CPUID_7_0_ECX_OSPKE;
    }
}

void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, struct cpuid_values *v)
{
    if (cpuid_policy_passes_through(leaf))
        return;
    if (in_hypervisor_range(leaf))
        *v = (struct cpuid_values){ 0, 0, 0, 0 };
    if (leaf == CPUID_LEAF_FEATURES) {
        v->ecx &= ~hidden_for_cr4.leaf1_ecx;
        v->edx &= ~hidden_for_cr4.leaf1_edx;
    } else if (leaf == CPUID_LEAF_EXT_FEATURES_7 && subleaf == 0) {
        v->ebx &= ~hidden_for_cr4.leaf7_ebx;
        v->ecx &= ~hidden_for_cr4.leaf7_ecx;
        v->edx &= ~hidden_for_cr4.leaf7_edx;
    }
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
