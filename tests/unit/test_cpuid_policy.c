/* Unit tests for core/cpuid_policy.c. */
#include "test.h"

#include "core/cpuid_policy.h"

/* A recognizable "real CPU" answer, so a changed register is obvious. */
static struct cpuid_values pattern(void)
{
    struct cpuid_values v = { 0xa5a5a5a5u, 0xffffffffu, 0xffffffffu, 0x12345678u };

    return v;
}

static struct cpuid_values apply(uint32_t leaf, uint32_t subleaf, struct cpuid_values v)
{
    cpuid_policy_apply(leaf, subleaf, &v);
    return v;
}

static void expect_values(struct unit_ctx *unit_ctx_, struct cpuid_values got,
                          struct cpuid_values want, uint32_t leaf, uint32_t subleaf, int line)
{
    if (got.eax != want.eax || got.ebx != want.ebx || got.ecx != want.ecx ||
        got.edx != want.edx)
        unit_fail(unit_ctx_, __FILE__, line,
                  "leaf 0x%x.%u: got %08x %08x %08x %08x, expected %08x %08x %08x %08x", leaf,
                  subleaf, got.eax, got.ebx, got.ecx, got.edx, want.eax, want.ebx, want.ecx,
                  want.edx);
}

#define EXPECT_VALUES(got, want, leaf, subleaf)                                 \
    do {                                                                        \
        expect_values(unit_ctx_, (got), (want), (leaf), (subleaf), __LINE__);  \
        CHECK_PASSING();                                                        \
    } while (0)

/* ---- the table ------------------------------------------------------------ */

TEST(cpuid_fast_path_agrees_with_the_table)
{
    /* Before init every leaf takes the table walk; after it, a leaf the
     * fast path passes through must come out unchanged from the walk too. */
    CHECK(!cpuid_policy_passes_through(0));
    cpuid_policy_init();
    CHECK(cpuid_policy_passes_through(0));
    CHECK(!cpuid_policy_passes_through(1));
    CHECK(!cpuid_policy_passes_through(7));
    CHECK(!cpuid_policy_passes_through(0x12));
    CHECK(!cpuid_policy_passes_through(0x14));
    CHECK(!cpuid_policy_passes_through(0x40000000));
    CHECK(!cpuid_policy_passes_through(0x80000001));
    for (uint32_t leaf = 0; leaf < CPUID_POLICY_LOW_LEAVES; leaf++) {
        if (!cpuid_policy_passes_through(leaf))
            continue;
        struct cpuid_values v = { 0x11111111, 0x22222222, 0x33333333, 0x44444444 };
        struct cpuid_values w = v;
        uint64_t saved = cpuid_policy_low_leaf_mask;
        cpuid_policy_low_leaf_mask = ~0ull;      /* force the walk */
        cpuid_policy_apply(leaf, 0, &w);
        cpuid_policy_low_leaf_mask = saved;
        CHECK_EQ_U64(w.eax, v.eax);
        CHECK_EQ_U64(w.ebx, v.ebx);
        CHECK_EQ_U64(w.ecx, v.ecx);
        CHECK_EQ_U64(w.edx, v.edx);
    }
}

TEST(cpuid_table_consistent)
{
    size_t bad = 99, count = 0;
    const char *problem = NULL;
    const struct cpuid_rule *rules = cpuid_policy_rules(&count);

    CHECK(cpuid_policy_check(&bad, &problem));
    CHECK_STR(problem, "");
    CHECK(rules != NULL);
    CHECK(count >= 10);
    for (size_t i = 0; i < count; i++)
        CHECK(rules[i].reason != NULL && rules[i].reason[0] != '\0');
}

TEST(cpuid_check_rejects_duplicate_rule)
{
    const struct cpuid_rule rules[] = {
        { .leaf = 1, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ECX, .clear = 1u << 5,
          .reason = "a" },
        { .leaf = 1, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ECX, .clear = 1u << 5,
          .reason = "b" },
    };
    size_t bad = 99;
    const char *problem = NULL;

    CHECK(!cpuid_rules_check(rules, 2, &bad, &problem));
    CHECK_EQ_U64(bad, 1);
    CHECK(problem != NULL && problem[0] != '\0');
}

TEST(cpuid_check_rejects_overlap_through_any_subleaf)
{
    /* A specific subleaf and ANY both edit leaf 7 EBX bit 2. */
    const struct cpuid_rule rules[] = {
        { .leaf = 7, .subleaf = 0, .regs = CPUID_REG_EBX, .clear = 1u << 2, .reason = "a" },
        { .leaf = 7, .subleaf = CPUID_SUBLEAF_ANY, .regs = CPUID_REG_ALL, .set = 1u << 2,
          .reason = "b" },
    };
    size_t bad = 99;
    const char *problem = NULL;

    CHECK(!cpuid_rules_check(rules, 2, &bad, &problem));
    CHECK_EQ_U64(bad, 1);
}

TEST(cpuid_check_accepts_disjoint_rules)
{
    /* Same leaf: different bits, different registers, different subleaves. */
    const struct cpuid_rule rules[] = {
        { .leaf = 7, .subleaf = 0, .regs = CPUID_REG_EBX, .clear = 1u << 2, .reason = "a" },
        { .leaf = 7, .subleaf = 0, .regs = CPUID_REG_EBX, .clear = 1u << 3, .reason = "b" },
        { .leaf = 7, .subleaf = 0, .regs = CPUID_REG_ECX, .clear = 1u << 2, .reason = "c" },
        { .leaf = 7, .subleaf = 1, .regs = CPUID_REG_EBX, .clear = 1u << 2, .reason = "d" },
    };
    size_t bad = 99;
    const char *problem = NULL;

    CHECK(cpuid_rules_check(rules, 4, &bad, &problem));
}

TEST(cpuid_check_rejects_malformed_rules)
{
    const struct cpuid_rule no_reason[] = {
        { .leaf = 1, .subleaf = 0, .regs = CPUID_REG_EAX, .clear = 1, .reason = "" },
    };
    const struct cpuid_rule no_register[] = {
        { .leaf = 1, .subleaf = 0, .regs = 0, .clear = 1, .reason = "r" },
    };
    const struct cpuid_rule bad_register[] = {
        { .leaf = 1, .subleaf = 0, .regs = 1u << 4, .clear = 1, .reason = "r" },
    };
    const struct cpuid_rule no_effect[] = {
        { .leaf = 1, .subleaf = 0, .regs = CPUID_REG_EAX, .reason = "r" },
    };
    size_t bad;
    const char *problem;

    CHECK(!cpuid_rules_check(no_reason, 1, &bad, &problem));
    CHECK(!cpuid_rules_check(no_register, 1, &bad, &problem));
    CHECK(!cpuid_rules_check(bad_register, 1, &bad, &problem));
    CHECK(!cpuid_rules_check(no_effect, 1, &bad, &problem));
}

/* ---- leaf 1 ----------------------------------------------------------- */

TEST(cpuid_leaf1_hides_vmx_smx_and_sets_hypervisor)
{
    struct cpuid_values in = pattern();
    struct cpuid_values want = in;

    in.ecx = 0x7fffffffu;                            /* everything but the hypervisor bit */
    /* VMX 5, SMX 6 hidden; so are DTES64 2, MONITOR 3, DS-CPL 4, EST 7, TM2 8, PDCM 15. */
    want.ecx = 0xffffffffu & ~((1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) |
                               (1u << 7) | (1u << 8) | (1u << 15));
    /* DS 21, ACPI 22, TM 29, PBE 31. */
    want.edx = in.edx & ~((1u << 21) | (1u << 22) | (1u << 29) | (1u << 31));
    EXPECT_VALUES(apply(1, 0, in), want, 1, 0);

    /* Subleaf does not matter for leaf 1. */
    EXPECT_VALUES(apply(1, 3, in), want, 1, 3);

    /* A CPU with none of the bits: only the hypervisor bit appears. */
    in.ecx = 0;
    want.ecx = 1u << 31;
    EXPECT_VALUES(apply(1, 0, in), want, 1, 0);
}

TEST(cpuid_leaf1_leaves_other_registers)
{
    struct cpuid_values in = { 0x000906eau, 0x00100800u, 0x7ffafbffu, 0xbfebfbffu };
    struct cpuid_values got = apply(1, 0, in);

    CHECK_EQ_U64(got.eax, in.eax);
    CHECK_EQ_U64(got.ebx, in.ebx);
    CHECK_EQ_U64(got.edx, in.edx & ~0xa0600000u);
    CHECK_EQ_U64(got.ecx, (in.ecx & ~0x81fcu) | 0x80000000u);
}

/* ---- leaf 7 ----------------------------------------------------------- */

TEST(cpuid_leaf7_sub0_hides_sgx_pt_waitpkg)
{
    struct cpuid_values in = pattern();
    struct cpuid_values want = in;

    /* SGX 2, RDT-M 12, MPX 14, RDT-A 15, PT 25. */
    want.ebx = 0xffffffffu & ~((1u << 2) | (1u << 12) | (1u << 14) | (1u << 15) | (1u << 25));
    /* WAITPKG 5, CET-SS 7, TME 13, Key Locker 23, SGX-LC 30, PKS 31. */
    want.ecx = 0xffffffffu & ~((1u << 5) | (1u << 7) | (1u << 13) | (1u << 23) | (1u << 30) |
                               (1u << 31));
    /* UINTR 5, PCONFIG 18, arch LBR 19, CET-IBT 20. */
    want.edx = in.edx & ~((1u << 5) | (1u << 18) | (1u << 19) | (1u << 20));
    EXPECT_VALUES(apply(7, 0, in), want, 7, 0);

    /* Bits next to the hidden ones survive. */
    in.ebx = (1u << 1) | (1u << 3) | (1u << 24) | (1u << 26);
    in.ecx = (1u << 4) | (1u << 6) | (1u << 29);
    in.edx = (1u << 4) | (1u << 21) | (1u << 29);
    want.edx = in.edx;
    want.ebx = in.ebx;
    want.ecx = in.ecx;
    EXPECT_VALUES(apply(7, 0, in), want, 7, 0);
}

TEST(cpuid_leaf7_other_subleaves_pass)
{
    struct cpuid_values in = pattern();

    EXPECT_VALUES(apply(7, 1, in), in, 7, 1);
    EXPECT_VALUES(apply(7, 2, in), in, 7, 2);
}

/* ---- hidden feature leaves --------------------------------------------- */

TEST(cpuid_sgx_and_pt_leaves_are_zero)
{
    struct cpuid_values zero = { 0, 0, 0, 0 };

    for (uint32_t sub = 0; sub < 4; sub++) {
        EXPECT_VALUES(apply(0x12, sub, pattern()), zero, 0x12, sub);
        EXPECT_VALUES(apply(0x14, sub, pattern()), zero, 0x14, sub);
    }
}

/* ---- Kestrel's leaves ---------------------------------------------------- */

TEST(cpuid_signature_bytes)
{
    struct cpuid_values got = apply(KESTREL_CPUID_LEAF_BASE, 0, pattern());
    char sig[13];

    CHECK_EQ_U64(got.eax, KESTREL_CPUID_LEAF_MAX);
    CHECK_EQ_U64(got.eax, 0x40000001u);
    /* "Kest" with 'K' in the low byte, and so on. */
    CHECK_EQ_U64(got.ebx, 0x7473654bu);
    CHECK_EQ_U64(got.ecx, 0x566c6572u);
    CHECK_EQ_U64(got.edx, 0x726f7369u);
    /* Stored EBX, ECX, EDX in a row, like a guest prints it. */
    memcpy(sig + 0, &got.ebx, 4);
    memcpy(sig + 4, &got.ecx, 4);
    memcpy(sig + 8, &got.edx, 4);
    sig[12] = '\0';
    CHECK_STR(sig, KESTREL_CPUID_SIGNATURE);
    CHECK_STR(sig, "KestrelVisor");
    CHECK_EQ_U64(sizeof(KESTREL_CPUID_SIGNATURE), 13);
}

TEST(cpuid_signature_ignores_real_cpu)
{
    /* Under another hypervisor the CPU reports its signature; it must not leak. */
    struct cpuid_values kvm = { 0x40000001u, 0x4b4d564bu, 0x564b4d56u, 0x0000004du };
    struct cpuid_values want = { KESTREL_CPUID_LEAF_MAX, KESTREL_CPUID_SIGNATURE_EBX,
                                 KESTREL_CPUID_SIGNATURE_ECX, KESTREL_CPUID_SIGNATURE_EDX };

    EXPECT_VALUES(apply(0x40000000u, 0, kvm), want, 0x40000000u, 0);
    EXPECT_VALUES(apply(0x40000000u, 7, kvm), want, 0x40000000u, 7);
}

TEST(cpuid_info_leaf_reports_abi_version)
{
    struct cpuid_values want = { KESTREL_HYPERCALL_ABI_VERSION, 0, 0, 0 };

    CHECK_EQ_U64(KESTREL_HYPERCALL_ABI_VERSION, 1);
    EXPECT_VALUES(apply(0x40000001u, 0, pattern()), want, 0x40000001u, 0);
}

TEST(cpuid_rest_of_hypervisor_range_is_zero)
{
    static const uint32_t leaves[] = { 0x40000002u, 0x40000003u, 0x40000010u, 0x40000100u,
                                       0x40010000u, 0x4ffffffeu, 0x4fffffffu };
    struct cpuid_values zero = { 0, 0, 0, 0 };

    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
        EXPECT_VALUES(apply(leaves[i], 0, pattern()), zero, leaves[i], 0);
}


/* ---- hidden features whose MSRs are refused ------------------------------ */

TEST(cpuid_pmu_monitor_and_power_leaves)
{
    struct cpuid_values zero = { 0, 0, 0, 0 };

    for (uint32_t sub = 0; sub < 3; sub++) {
        EXPECT_VALUES(apply(0xa, sub, pattern()), zero, 0xa, sub);      /* no PMU */
        EXPECT_VALUES(apply(0x5, sub, pattern()), zero, 0x5, sub);      /* no MWAIT */
        EXPECT_VALUES(apply(0xf, sub, pattern()), zero, 0xf, sub);      /* no RDT */
        EXPECT_VALUES(apply(0x10, sub, pattern()), zero, 0x10, sub);
        EXPECT_VALUES(apply(0x1c, sub, pattern()), zero, 0x1c, sub);
        EXPECT_VALUES(apply(0x23, sub, pattern()), zero, 0x23, sub);
    }
    /* Leaf 6 keeps the thermal sensor, turbo, ARAT, package thermal, APERF/MPERF. */
    struct cpuid_values ones = { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu };
    struct cpuid_values six = { 0x47, 0, 1, 0 };
    EXPECT_VALUES(apply(6, 0, ones), six, 6, 0);
}

TEST(cpuid_xsave_components)
{
    struct cpuid_values ones = { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu };
    struct cpuid_values got = apply(0xd, 0, ones);

    CHECK_EQ_U64(got.eax, 0xffffffe7u);       /* MPX components 3 and 4 hidden */
    CHECK_EQ_U64(got.edx, 0xffffffffu);
    got = apply(0xd, 1, ones);
    CHECK_EQ_U64(got.eax, 0xffffffffu);       /* XSAVEOPT, XSAVEC, XSAVES ... stay */
    CHECK_EQ_U64(got.ecx, 0);                 /* no supervisor components (PT!) */
    CHECK_EQ_U64(got.edx, 0);
    got = apply(0xd, 2, ones);
    CHECK_EQ_U64(got.eax, 0xffffffffu);
}

TEST(cpuid_hides_what_cr4_cannot_enable)
{
    struct cpuid_values ones = { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu };

    /* Bochs 3.0's IA32_VMX_CR4_FIXED1: no UMIP, LA57, PKE, CET, PKS, KL. */
    cpuid_policy_hide_for_cr4(0x3727ffull);
    struct cpuid_values got = apply(7, 0, ones);
    CHECK_EQ_U64(got.ecx & (1u << 2), 0);     /* UMIP */
    CHECK_EQ_U64(got.ecx & (1u << 16), 0);    /* LA57 */
    CHECK_EQ_U64(got.ecx & (1u << 3), 0);     /* PKU */
    CHECK(got.ebx & (1u << 0));               /* FSGSBASE: CR4 bit 16 allowed */
    CHECK(got.ebx & (1u << 7));               /* SMEP */
    CHECK(got.ebx & (1u << 20));              /* SMAP */
    got = apply(1, 0, ones);
    CHECK(got.ecx & (1u << 17));              /* PCID */
    CHECK(got.ecx & (1u << 26));              /* XSAVE */
    /* Without OSXSAVE and FSGSBASE in CR4: hidden too. */
    cpuid_policy_hide_for_cr4(0x3727ffull & ~((1ull << 18) | (1ull << 16)));
    CHECK_EQ_U64(apply(1, 0, ones).ecx & (1u << 26), 0);
    CHECK_EQ_U64(apply(7, 0, ones).ebx & 1u, 0);
    cpuid_policy_hide_for_cr4(~0ull);         /* the other tests see everything */
    CHECK(apply(7, 0, ones).ecx & (1u << 2));
}

TEST(cpuid_os_bits_follow_guest_cr4)
{
    struct cpuid_values v = { 0, 0, (1u << 26) | (1u << 27), 0 };

    cpuid_policy_reflect_guest_cr4(1, 0, 0, &v);           /* guest CR4.OSXSAVE clear */
    CHECK_EQ_U64(v.ecx, 1u << 26);
    cpuid_policy_reflect_guest_cr4(1, 0, 1ull << 18, &v);  /* set */
    CHECK_EQ_U64(v.ecx, (1u << 26) | (1u << 27));
    v.ecx = 0;                                              /* no XSAVE: never OSXSAVE */
    cpuid_policy_reflect_guest_cr4(1, 0, 1ull << 18, &v);
    CHECK_EQ_U64(v.ecx, 0);
    v.ecx = 1u << 3;                                        /* PKU */
    cpuid_policy_reflect_guest_cr4(7, 0, 1ull << 22, &v);
    CHECK_EQ_U64(v.ecx, (1u << 3) | (1u << 4));
    cpuid_policy_reflect_guest_cr4(7, 0, 0, &v);
    CHECK_EQ_U64(v.ecx, 1u << 3);
    v.ecx = 1u << 4;
    cpuid_policy_reflect_guest_cr4(7, 1, 0, &v);           /* other subleaves untouched */
    CHECK_EQ_U64(v.ecx, 1u << 4);
}

/* ---- everything else ----------------------------------------------------- */

/* SVM and AMD's PMU are hidden: the guest runs no hypervisor of its own. */
TEST(cpuid_amd_svm_hidden)
{
    struct cpuid_values all = { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu };
    struct cpuid_values v = apply(0x80000001u, 0, all);
    CHECK_EQ_U64(v.ecx & (1u << 2), 0);
    CHECK_EQ_U64(v.ecx & ((1u << 23) | (1u << 24) | (1u << 28)), 0);
    CHECK_EQ_U64(v.ecx | (1u << 2) | (1u << 23) | (1u << 24) | (1u << 28), 0xffffffffu);
    CHECK_EQ_U64(v.edx, 0xffffffffu);
    v = apply(0x8000000au, 0, all);
    CHECK_EQ_U64((uint64_t)v.eax | v.ebx | v.ecx | v.edx, 0);
    v = apply(0x80000022u, 0, all);
    CHECK_EQ_U64((uint64_t)v.eax | v.ebx | v.ecx | v.edx, 0);
}

TEST(cpuid_passthrough_defaults)
{
    static const uint32_t leaves[] = {
        0x0, 0x2, 0x4, 0xb, 0x11, 0x13, 0x15, 0x16, 0x1f,
        0x3fffffffu,                   /* just below the hypervisor range */
        0x50000000u,                   /* just above it */
        0x80000000u, 0x80000007u, 0x80000008u, 0xffffffffu,
    };

    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        EXPECT_VALUES(apply(leaves[i], 0, pattern()), pattern(), leaves[i], 0);
        EXPECT_VALUES(apply(leaves[i], 1, pattern()), pattern(), leaves[i], 1);
    }
}

TEST(cpuid_apply_is_idempotent)
{
    static const uint32_t leaves[] = { 1, 7, 0x12, 0x14, 0x40000000u, 0x40000001u };

    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        struct cpuid_values once = apply(leaves[i], 0, pattern());

        EXPECT_VALUES(apply(leaves[i], 0, once), once, leaves[i], 0);
    }
}

TEST_SUITE(cpuid_policy,
    UNIT(cpuid_fast_path_agrees_with_the_table),
    UNIT(cpuid_table_consistent),
    UNIT(cpuid_check_rejects_duplicate_rule),
    UNIT(cpuid_check_rejects_overlap_through_any_subleaf),
    UNIT(cpuid_check_accepts_disjoint_rules),
    UNIT(cpuid_check_rejects_malformed_rules),
    UNIT(cpuid_leaf1_hides_vmx_smx_and_sets_hypervisor),
    UNIT(cpuid_leaf1_leaves_other_registers),
    UNIT(cpuid_leaf7_sub0_hides_sgx_pt_waitpkg),
    UNIT(cpuid_leaf7_other_subleaves_pass),
    UNIT(cpuid_sgx_and_pt_leaves_are_zero),
    UNIT(cpuid_signature_bytes),
    UNIT(cpuid_signature_ignores_real_cpu),
    UNIT(cpuid_info_leaf_reports_abi_version),
    UNIT(cpuid_rest_of_hypervisor_range_is_zero),
    UNIT(cpuid_pmu_monitor_and_power_leaves),
    UNIT(cpuid_xsave_components),
    UNIT(cpuid_hides_what_cr4_cannot_enable),
    UNIT(cpuid_os_bits_follow_guest_cr4),
    UNIT(cpuid_amd_svm_hidden),
    UNIT(cpuid_passthrough_defaults),
    UNIT(cpuid_apply_is_idempotent)
);
