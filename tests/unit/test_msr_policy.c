/* Unit tests for core/msr_policy.c. */
#include "test.h"

#include "core/msr_policy.h"

/* ---- a fake host ----------------------------------------------------------
 * The MTRRs of a typical 8-variable-MTRR machine, and a log of which MSRs
 * msr_shadow_init() read (it must never read one the CPU lacks). */

struct fake_host {
    uint64_t mtrrcap;
    uint64_t def_type;
    uint32_t reads[128];
    size_t nreads;
};

static uint64_t fake_value(uint32_t msr)
{
    /* A distinct, valid-looking value per MSR. */
    return 0x0606060606060606ull ^ ((uint64_t)msr << 32);
}

static uint64_t fake_read(uint32_t msr, void *ctx)
{
    struct fake_host *h = ctx;

    if (h->nreads < sizeof(h->reads) / sizeof(h->reads[0]))
        h->reads[h->nreads] = msr;
    h->nreads++;
    if (msr == 0xfe)
        return h->mtrrcap;
    if (msr == 0x2ff)
        return h->def_type;
    return fake_value(msr);
}

static bool fake_was_read(const struct fake_host *h, uint32_t msr)
{
    for (size_t i = 0; i < h->nreads && i < sizeof(h->reads) / sizeof(h->reads[0]); i++) {
        if (h->reads[i] == msr)
            return true;
    }
    return false;
}

#define CAP_FIX (1ull << 8)
#define CAP_WC  (1ull << 10)

static void shadow_for(struct msr_shadow *s, struct fake_host *h, uint64_t cap, unsigned bits)
{
    *h = (struct fake_host){ .mtrrcap = cap, .def_type = 0xc06 };
    msr_shadow_init(s, bits, fake_read, h);
}

static const uint32_t fixed_msrs[] = { 0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b,
                                       0x26c, 0x26d, 0x26e, 0x26f };

/* ---- helpers ----------------------------------------------------------- */

static enum msr_read_action rd(uint32_t msr, const struct msr_shadow *s, uint64_t *v)
{
    *v = 0xdeadbeefdeadbeefull;
    return msr_policy_read(msr, MSR_BACKEND_VMX, s, v);
}

static enum msr_write_action wr(uint32_t msr, uint64_t value, struct msr_shadow *s,
                                const char **reason)
{
    *reason = NULL;
    return msr_policy_write(msr, MSR_BACKEND_VMX, value, 0, s, reason);
}

static bool bit_set(const uint8_t *bitmap, unsigned byte, unsigned bit)
{
    return (bitmap[byte] >> bit) & 1;
}

/* ---- the table ------------------------------------------------------------ */

TEST(msr_table_consistent)
{
    size_t bad = 99, count = 0;
    const char *problem = NULL;
    const struct msr_rule *rules = msr_policy_rules(&count);

    CHECK(msr_policy_check(&bad, &problem));
    CHECK_STR(problem, "");
    CHECK(count >= 15);
    for (size_t i = 0; i < count; i++) {
        CHECK(rules[i].name != NULL && rules[i].name[0] != '\0');
        CHECK(rules[i].reason != NULL && rules[i].reason[0] != '\0');
        CHECK(msr_policy_find(rules[i].first) == &rules[i]);
        CHECK(msr_policy_find(rules[i].last) == &rules[i]);
    }
}

TEST(msr_check_rejects_bad_tables)
{
    const struct msr_rule overlap[] = {
        { .first = 0x10, .last = 0x20, .name = "a", .reason = "r" },
        { .first = 0x20, .last = 0x30, .name = "b", .reason = "r" },
    };
    const struct msr_rule unsorted[] = {
        { .first = 0x40, .last = 0x40, .name = "a", .reason = "r" },
        { .first = 0x10, .last = 0x10, .name = "b", .reason = "r" },
    };
    const struct msr_rule duplicate[] = {
        { .first = 0x3a, .last = 0x3a, .name = "a", .reason = "r" },
        { .first = 0x3a, .last = 0x3a, .name = "a", .reason = "r" },
    };
    const struct msr_rule empty_range[] = {
        { .first = 0x20, .last = 0x10, .name = "a", .reason = "r" },
    };
    const struct msr_rule no_reason[] = {
        { .first = 0x10, .last = 0x10, .name = "a", .reason = NULL },
    };
    const struct msr_rule no_name[] = {
        { .first = 0x10, .last = 0x10, .name = "", .reason = "r" },
    };
    const struct msr_rule shadow_without_slot[] = {
        { .first = 0x2fe, .last = 0x2ff, .name = "a", .read = MSR_RULE_RD_SHADOW,
          .reason = "r" },
    };
    const struct msr_rule apic_check_elsewhere[] = {
        { .first = 0x1c, .last = 0x1c, .name = "a", .write = MSR_RULE_WR_APIC_BASE,
          .reason = "r" },
    };
    const struct msr_rule stray_read_value[] = {
        { .first = 0x10, .last = 0x10, .name = "a", .read_value = 5, .reason = "r" },
    };
    size_t bad = 99;
    const char *problem = NULL;

    CHECK(!msr_rules_check(overlap, 2, &bad, &problem));
    CHECK_EQ_U64(bad, 1);
    CHECK(problem != NULL && problem[0] != '\0');
    CHECK(!msr_rules_check(unsorted, 2, &bad, &problem));
    CHECK_EQ_U64(bad, 1);
    CHECK(!msr_rules_check(duplicate, 2, &bad, &problem));
    CHECK_EQ_U64(bad, 1);
    CHECK(!msr_rules_check(empty_range, 1, &bad, &problem));
    CHECK(!msr_rules_check(no_reason, 1, &bad, &problem));
    CHECK(!msr_rules_check(no_name, 1, &bad, &problem));
    CHECK(!msr_rules_check(shadow_without_slot, 1, &bad, &problem));
    CHECK(!msr_rules_check(apic_check_elsewhere, 1, &bad, &problem));
    CHECK(!msr_rules_check(stray_read_value, 1, &bad, &problem));
    CHECK(msr_rules_check(overlap, 1, &bad, &problem));
}

TEST(msr_names)
{
    CHECK_STR(msr_policy_name(0x3a), "IA32_FEATURE_CONTROL");
    CHECK_STR(msr_policy_name(0x1b), "IA32_APIC_BASE");
    CHECK_STR(msr_policy_name(0x485), "IA32_VMX_*");
    CHECK_STR(msr_policy_name(0x1a0), "IA32_MISC_ENABLE");
    CHECK_STR(msr_policy_name(0x140), "unlisted MSR");
    CHECK(msr_policy_find(0x140) == NULL);
    CHECK(msr_policy_find(2) == NULL);
    CHECK(msr_policy_find(0xffffffffu) == NULL);
}

/* ---- fixed rules -------------------------------------------------------- */

TEST(msr_feature_control_locked_without_vmx)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    CHECK_EQ_U64(rd(0x3a, &s, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(v, 1);                               /* locked, VMX in/outside SMX clear */
    CHECK_EQ_U64(wr(0x3a, 5, &s, &reason), MSR_WRITE_GP);
    CHECK(reason != NULL && reason[0] != '\0');
    CHECK_EQ_U64(wr(0x3a, 1, &s, &reason), MSR_WRITE_GP);
    CHECK(msr_policy_intercepts_read(0x3a));
    CHECK(msr_policy_intercepts_write(0x3a));
}

TEST(msr_vmx_capabilities_gp)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    for (uint32_t msr = 0x480; msr <= 0x493; msr++) {
        CHECK_EQ_U64(rd(msr, &s, &v), MSR_READ_GP);
        CHECK_EQ_U64(wr(msr, 0, &s, &reason), MSR_WRITE_GP);
        CHECK(reason != NULL && reason[0] != '\0');
        CHECK(msr_policy_intercepts_read(msr));
        CHECK(msr_policy_intercepts_write(msr));
    }
    /* The neighbours are not VMX MSRs: a machine-check bank (native
     * read) and an unlisted MSR (refused). */
    CHECK_EQ_U64(rd(0x47f, &s, &v), MSR_READ_PASSTHROUGH);
    CHECK_STR(msr_policy_name(0x494), "unlisted MSR");
    CHECK_EQ_U64(rd(0x494, &s, &v), MSR_READ_GP);
    CHECK(msr_policy_intercepts_read(0x494));
}

TEST(msr_smm_monitor_ctl_gp)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    CHECK_EQ_U64(rd(0x9b, &s, &v), MSR_READ_GP);
    CHECK_EQ_U64(wr(0x9b, 0, &s, &reason), MSR_WRITE_GP);
}

TEST(msr_microcode_and_tsc_writes_ignored)
{
    static const uint32_t msrs[] = { 0x10, 0x3b };
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
        CHECK_EQ_U64(wr(msrs[i], 0x1234, &s, &reason), MSR_WRITE_IGNORE);
        CHECK(reason != NULL && reason[0] != '\0');
        CHECK_EQ_U64(rd(msrs[i], &s, &v), MSR_READ_PASSTHROUGH);
        CHECK(!msr_policy_intercepts_read(msrs[i]));
        CHECK(msr_policy_intercepts_write(msrs[i]));
    }
    /* The update trigger is write-only: reading it #GPs, as on hardware. */
    CHECK_EQ_U64(wr(0x79, 0x1234, &s, &reason), MSR_WRITE_IGNORE);
    CHECK_EQ_U64(rd(0x79, &s, &v), MSR_READ_GP);
}

TEST(msr_native_both_ways)
{
    static const uint32_t msrs[] = {
        0xc0000080u,                              /* EFER */
        0x277,                                    /* PAT */
        0xc0000100u, 0xc0000101u, 0xc0000102u,    /* FS/GS/KERNEL_GS base */
        0x174, 0x175, 0x176,                      /* SYSENTER_* */
        0x800, 0x802, 0x808, 0x80b, 0x82f, 0x831, 0x83f, 0x8ff,   /* x2APIC but the ICR */
        0xc0000081u, 0xc0000082u, 0xc0000084u,    /* STAR, LSTAR, FMASK */
        0x48, 0x49, 0x10b, 0x122, 0x123,          /* speculation controls and commands */
        0x6e0, 0x8b, 0xc0000103u, 0x1c4, 0x1c5, 0x17a,
    };
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
        CHECK_EQ_U64(rd(msrs[i], &s, &v), MSR_READ_PASSTHROUGH);
        CHECK_EQ_U64(v, 0xdeadbeefdeadbeefull);          /* untouched */
        CHECK_EQ_U64(wr(msrs[i], 0x1234, &s, &reason), MSR_WRITE_PASSTHROUGH);
        CHECK(reason != NULL && reason[0] != '\0');
        CHECK(!msr_policy_intercepts_read(msrs[i]));
        CHECK(!msr_policy_intercepts_write(msrs[i]));
    }
}

/* The rows whose meaning depends on the backend: EFER is native on VMX
 * (the VMCS switches it) and the VMCB's copy on SVM (SVME must stay set in
 * it); the AMD SVM MSRs say SVM is off. */
TEST(msr_backend_specific_rows)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v = 0;
    const char *reason = NULL;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    CHECK_EQ_U64(msr_policy_read(0xc0000080u, MSR_BACKEND_VMX, &s, &v), MSR_READ_PASSTHROUGH);
    CHECK_EQ_U64(msr_policy_read(0xc0000080u, MSR_BACKEND_SVM, &s, &v), MSR_READ_GUEST_STATE);
    CHECK_EQ_U64(msr_policy_write(0xc0000080u, MSR_BACKEND_VMX, 0x500, 0, &s, &reason),
                 MSR_WRITE_PASSTHROUGH);
    CHECK_EQ_U64(msr_policy_write(0xc0000080u, MSR_BACKEND_SVM, 0x500, 0, &s, &reason),
                 MSR_WRITE_GUEST_STATE);
    CHECK(!msr_policy_exits(0xc0000080u, false, MSR_BACKEND_VMX));
    CHECK(!msr_policy_exits(0xc0000080u, true, MSR_BACKEND_VMX));
    CHECK(msr_policy_exits(0xc0000080u, false, MSR_BACKEND_SVM));
    CHECK(msr_policy_exits(0xc0000080u, true, MSR_BACKEND_SVM));
    /* What VMLOAD/VMSAVE switch stays native on SVM. */
    static const uint32_t switched[] = { 0xc0000081u, 0xc0000082u, 0xc0000084u, 0xc0000100u,
                                         0xc0000101u, 0xc0000102u, 0x174, 0x175, 0x176, 0x277 };
    for (size_t i = 0; i < sizeof(switched) / sizeof(switched[0]); i++) {
        CHECK(!msr_policy_exits(switched[i], false, MSR_BACKEND_SVM));
        CHECK(!msr_policy_exits(switched[i], true, MSR_BACKEND_SVM));
    }
    /* VM_CR reads SVMDIS and LOCK; VM_HSAVE_PA is refused. */
    for (int b = MSR_BACKEND_VMX; b <= MSR_BACKEND_SVM; b++) {
        CHECK_EQ_U64(msr_policy_read(0xc0010114u, (enum msr_backend)b, &s, &v), MSR_READ_EMULATE);
        CHECK_EQ_U64(v, 0x18);
        CHECK_EQ_U64(msr_policy_write(0xc0010114u, (enum msr_backend)b, 0, 0, &s, &reason),
                     MSR_WRITE_GP);
        CHECK_EQ_U64(msr_policy_read(0xc0010117u, (enum msr_backend)b, &s, &v), MSR_READ_GP);
        CHECK_EQ_U64(msr_policy_write(0xc0010117u, (enum msr_backend)b, 0x1000, 0, &s, &reason),
                     MSR_WRITE_GP);
    }
    /* Unlisted stays deny-by-default on SVM too, in the AMD range as well. */
    CHECK(msr_policy_exits(0xc0010115u, false, MSR_BACKEND_SVM));
    CHECK(msr_policy_exits(0x2000, true, MSR_BACKEND_SVM));
}

TEST(msr_unlisted_refused_everywhere)
{
    static const uint32_t msrs[] = { 0x2000, 0x4b564d00u, 0x40000000u, 0xbfffffffu,
                                     0xc0002000u, 0xc0010000u, 0xc0010115u, 0xffffffffu,
                                     0x140, 0x33, 0x1ad, 0x1a2, 0x1fff, 0xc0001fffu, 0x494,
                                     0x3f8, 0x680, 0xc0000104u };
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
        CHECK(msr_policy_intercepts_read(msrs[i]));
        CHECK(msr_policy_intercepts_write(msrs[i]));
        CHECK(msr_policy_find(msrs[i]) == NULL);
        CHECK_EQ_U64(rd(msrs[i], &s, &v), MSR_READ_GP);
        CHECK_EQ_U64(wr(msrs[i], 0, &s, &reason), MSR_WRITE_GP);
        CHECK_STR(reason, "no rule names this MSR: refused (deny by default)");
    }
}

TEST(msr_write_accepts_null_reason)
{
    struct msr_shadow s;
    struct fake_host h;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    CHECK_EQ_U64(msr_policy_write(0x3a, MSR_BACKEND_VMX, 0, 0, &s, NULL), MSR_WRITE_GP);
    CHECK_EQ_U64(msr_policy_write(0x2ff, MSR_BACKEND_VMX, 0x806, 0, &s, NULL), MSR_WRITE_EMULATE);
    CHECK_EQ_U64(msr_policy_write(0x277, MSR_BACKEND_VMX, 0, 0, &s, NULL), MSR_WRITE_PASSTHROUGH);
    CHECK_EQ_U64(msr_policy_write(0x140, MSR_BACKEND_VMX, 0, 0, &s, NULL), MSR_WRITE_GP);
}


/* ---- deny by default: the SDM's architectural MSRs all have a row --------- */

/* The MSRs of the Intel SDM vol. 4 table 2-2 ("IA-32 Architectural MSRs"),
 * with ranges written as their first and last member.  Each must have an
 * explicit rule: allowed with its reason, or refused with its reason. */
static const uint32_t architectural_msrs[] = {
    0x000, 0x001, 0x006, 0x010, 0x017, 0x01b, 0x03a, 0x03b, 0x048, 0x049, 0x04e, 0x04f,
    0x079, 0x08b, 0x08c, 0x08d, 0x08e, 0x08f, 0x09b, 0x09e, 0x0bc, 0x0c1, 0x0c8, 0x0cf,
    0x0e1, 0x0e7, 0x0e8, 0x0fe, 0x10a, 0x10b, 0x122, 0x123, 0x174, 0x175, 0x176, 0x179,
    0x17a, 0x17b, 0x186, 0x18d, 0x195, 0x198, 0x199, 0x19a, 0x19b, 0x19c, 0x1a0, 0x1b0,
    0x1b1, 0x1b2, 0x1c4, 0x1c5, 0x1d9, 0x1f2, 0x1f3, 0x1f8, 0x1f9, 0x1fa, 0x200, 0x213,
    0x250, 0x258, 0x259, 0x268, 0x26f, 0x277, 0x280, 0x29f, 0x2ff, 0x309, 0x30a, 0x30b,
    0x30c, 0x329, 0x345, 0x38d, 0x38e, 0x38f, 0x390, 0x391, 0x392, 0x3f1, 0x400, 0x403,
    0x47c, 0x47f, 0x480, 0x48b, 0x491, 0x492, 0x4c1, 0x4c8, 0x4d0, 0x500, 0x560, 0x561,
    0x570, 0x571, 0x572, 0x580, 0x587, 0x600, 0x6a0, 0x6a2, 0x6a4, 0x6a7, 0x6a8, 0x6e0,
    0x6e1, 0x770, 0x771, 0x772, 0x773, 0x774, 0x775, 0x777, 0x802, 0x803, 0x808, 0x80a,
    0x80b, 0x80d, 0x80f, 0x810, 0x817, 0x818, 0x81f, 0x820, 0x827, 0x828, 0x82f, 0x830,
    0x832, 0x833, 0x834, 0x835, 0x836, 0x837, 0x838, 0x839, 0x83e, 0x83f, 0x981, 0x982,
    0x983, 0x984, 0x985, 0x98a, 0xc80, 0xc81, 0xc82, 0xc8d, 0xc8e, 0xc8f, 0xc90, 0xd10,
    0xd90, 0xd93, 0xda0, 0xdb0, 0xdb1, 0xdb2, 0x1200, 0x121f, 0x14ce, 0x14cf, 0x1500,
    0x151f, 0x1600, 0x161f, 0x17d0, 0x17d1, 0x17d2, 0x17da, 0x1b01,
    0xc0000080u, 0xc0000081u, 0xc0000082u, 0xc0000083u, 0xc0000084u, 0xc0000100u,
    0xc0000101u, 0xc0000102u, 0xc0000103u,
};

TEST(msr_architectural_msrs_all_have_rules)
{
    for (size_t i = 0; i < sizeof(architectural_msrs) / sizeof(architectural_msrs[0]); i++) {
        const struct msr_rule *r = msr_policy_find(architectural_msrs[i]);

        if (r == NULL)
            unit_fail(unit_ctx_, __FILE__, __LINE__, "architectural MSR %#x has no rule",
                      architectural_msrs[i]);
        CHECK_PASSING();
    }
}

/* What the issue names explicitly: refused both ways. */
TEST(msr_pmu_pt_ds_power_refused)
{
    static const uint32_t msrs[] = {
        0xc1, 0xc8, 0x186, 0x18d, 0x309, 0x30c, 0x38d, 0x38f, 0x390, 0x392, 0x4c1, 0x4c8,
        0x3f1, 0x600, 0x560, 0x561, 0x570, 0x572, 0x580, 0x587, 0x345,   /* PMU, PEBS, DS, PT */
        0x606, 0x610, 0x611, 0x619, 0x638, 0x639, 0x640, 0x64c, 0x65c,   /* RAPL */
        0x770, 0x771, 0x774, 0x777, 0x1b0, 0x19a, 0x0e2, 0x1fc, 0x199,  /* HWP, EPB, clock, C/P */
    };
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
        CHECK(msr_policy_find(msrs[i]) != NULL);
        CHECK_EQ_U64(rd(msrs[i], &s, &v), MSR_READ_GP);
        CHECK_EQ_U64(wr(msrs[i], 0, &s, &reason), MSR_WRITE_GP);
        CHECK(strcmp(reason, "no rule names this MSR: refused (deny by default)") != 0);
        CHECK(msr_policy_intercepts_read(msrs[i]));
        CHECK(msr_policy_intercepts_write(msrs[i]));
    }
}

TEST(msr_platform_info_reads_zero)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v = 1;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    CHECK_EQ_U64(rd(0xce, &s, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(v, 0);
    CHECK_EQ_U64(wr(0xce, 0, &s, &reason), MSR_WRITE_GP);
}

TEST(msr_misc_enable_look_do_not_change)
{
    struct msr_shadow s;
    struct fake_host h;
    const char *reason;
    const uint64_t cur = 0x850089;               /* fast strings, TCC, perfmon, ... */

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    CHECK(msr_policy_write_needs_current(0x1a0));
    CHECK(msr_policy_write_needs_current(0x1b));
    CHECK(!msr_policy_write_needs_current(0x277));
    CHECK(!msr_policy_intercepts_read(0x1a0));
    CHECK(msr_policy_intercepts_write(0x1a0));
    CHECK_EQ_U64(msr_policy_write(0x1a0, MSR_BACKEND_VMX, cur, cur, &s, &reason), MSR_WRITE_EMULATE);
    CHECK_EQ_U64(msr_policy_write(0x1a0, MSR_BACKEND_VMX, cur | (1ull << 22), cur, &s, &reason), MSR_WRITE_GP);
    CHECK(strstr(reason, "bit 22") != NULL);
    CHECK_EQ_U64(msr_policy_write(0x1a0, MSR_BACKEND_VMX, cur | (1ull << 34), cur, &s, &reason), MSR_WRITE_GP);
    CHECK(strstr(reason, "bit 34") != NULL);
    CHECK_EQ_U64(msr_policy_write(0x1a0, MSR_BACKEND_VMX, cur & ~1ull, cur, &s, &reason), MSR_WRITE_GP);
    CHECK(reason != NULL && reason[0] != '\0');
}

TEST(msr_debugctl_in_guest_state)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    CHECK_EQ_U64(rd(0x1d9, &s, &v), MSR_READ_GUEST_STATE);
    CHECK(msr_policy_intercepts_read(0x1d9));
    CHECK(msr_policy_intercepts_write(0x1d9));
    CHECK_EQ_U64(wr(0x1d9, 0, &s, &reason), MSR_WRITE_GUEST_STATE);
    CHECK_EQ_U64(wr(0x1d9, 1, &s, &reason), MSR_WRITE_GUEST_STATE);
    CHECK_EQ_U64(wr(0x1d9, 3, &s, &reason), MSR_WRITE_GUEST_STATE);
    for (unsigned bit = 2; bit < 64; bit++) {
        CHECK_EQ_U64(wr(0x1d9, 1ull << bit, &s, &reason), MSR_WRITE_GP);
        CHECK(strstr(reason, "IA32_DEBUGCTL") != NULL);
    }
}

TEST(msr_xss_only_shown_components)
{
    struct msr_shadow s;
    struct fake_host h;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    CHECK(!msr_policy_intercepts_read(0xda0));
    CHECK(msr_policy_intercepts_write(0xda0));
    CHECK_EQ_U64(wr(0xda0, 0, &s, &reason), MSR_WRITE_PASSTHROUGH);
    CHECK_EQ_U64(wr(0xda0, 1ull << 8, &s, &reason), MSR_WRITE_GP);      /* Intel PT */
    s.xss_allowed = 1ull << 11;                                          /* CET user */
    CHECK_EQ_U64(wr(0xda0, 1ull << 11, &s, &reason), MSR_WRITE_PASSTHROUGH);
    CHECK_EQ_U64(wr(0xda0, (1ull << 11) | (1ull << 8), &s, &reason), MSR_WRITE_GP);
}

TEST(msr_x2apic_icr_mediated)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    CHECK_EQ_U64(rd(0x830, &s, &v), MSR_READ_PASSTHROUGH);
    CHECK(!msr_policy_intercepts_read(0x830));
    CHECK(msr_policy_intercepts_write(0x830));
    CHECK_EQ_U64(wr(0x830, 0x4500, &s, &reason), MSR_WRITE_ICR);
    CHECK_EQ_U64(wr(0x82f, 0, &s, &reason), MSR_WRITE_PASSTHROUGH);
    CHECK_EQ_U64(wr(0x831, 0, &s, &reason), MSR_WRITE_PASSTHROUGH);
}

TEST(msr_mca_banks)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    for (uint32_t msr = 0x400; msr <= 0x47f; msr++) {
        CHECK_EQ_U64(rd(msr, &s, &v), MSR_READ_PASSTHROUGH);
        CHECK(!msr_policy_intercepts_read(msr));
        CHECK(msr_policy_intercepts_write(msr));
        CHECK_EQ_U64(wr(msr, 0, &s, &reason),
                     (msr & 3) == 0 ? MSR_WRITE_IGNORE : MSR_WRITE_PASSTHROUGH);
    }
    CHECK_EQ_U64(wr(0x280, 0, &s, &reason), MSR_WRITE_IGNORE);           /* MC0_CTL2 */
    CHECK_EQ_U64(wr(0x17b, 0, &s, &reason), MSR_WRITE_IGNORE);           /* MCG_CTL */
    CHECK_EQ_U64(wr(0x17a, 0, &s, &reason), MSR_WRITE_PASSTHROUGH);      /* MCG_STATUS */
    CHECK_EQ_U64(wr(0x179, 0, &s, &reason), MSR_WRITE_GP);               /* MCG_CAP */
}

TEST(msr_smrr_hidden_from_mtrrcap)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;

    shadow_for(&s, &h, 8 | CAP_FIX | (1ull << 11), 39);
    CHECK_EQ_U64(rd(0xfe, &s, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(v & (1ull << 11), 0);
    CHECK_EQ_U64(v & CAP_FIX, CAP_FIX);
    CHECK_EQ_U64(rd(0x1f2, &s, &v), MSR_READ_GP);
}

/* ---- the bitmap ------------------------------------------------------------ */

TEST(msr_bitmap_sample_bits)
{
    static uint8_t bitmap[MSR_BITMAP_SIZE];

    memset(bitmap, 0xcc, sizeof(bitmap));            /* build must clear it first */
    msr_bitmap_build(bitmap);

    /* IA32_FEATURE_CONTROL 0x3a: read bitmap byte 7 bit 2; write the same at +2048. */
    CHECK(bit_set(bitmap, 0x3a / 8, 0x3a % 8));
    CHECK(bit_set(bitmap, 7, 2));
    CHECK(bit_set(bitmap, 2048 + 7, 2));
    /* IA32_VMX_BASIC 0x480: byte 0x90 bit 0, read and write. */
    CHECK(bit_set(bitmap, 0x90, 0));
    CHECK(bit_set(bitmap, 2048 + 0x90, 0));
    /* ... through 0x493 (byte 0x92 bit 3); 0x494 is unlisted: refused, so it exits too. */
    CHECK(bit_set(bitmap, 0x92, 3));
    CHECK(bit_set(bitmap, 0x92, 4));
    /* IA32_EFER 0xc0000080: high read bitmap at 1024 + 0x10 bit 0, write at 3072: no exit. */
    CHECK(!bit_set(bitmap, 1024 + 0x10, 0));
    CHECK(!bit_set(bitmap, 3072 + 0x10, 0));
    /* IA32_MTRR_DEF_TYPE 0x2ff: byte 0x5f bit 7, both. */
    CHECK(bit_set(bitmap, 0x5f, 7));
    CHECK(bit_set(bitmap, 2048 + 0x5f, 7));
    /* IA32_TSC 0x10: write exits, read does not. */
    CHECK(!bit_set(bitmap, 2, 0));
    CHECK(bit_set(bitmap, 2048 + 2, 0));
    /* IA32_APIC_BASE 0x1b: write only. */
    CHECK(!bit_set(bitmap, 3, 3));
    CHECK(bit_set(bitmap, 2048 + 3, 3));
    /* x2APIC 0x800..0x8ff: native (read bytes 0x100..0x11f), except writes of
     * the ICR 0x830 (write byte 2048 + 0x106, bit 0). */
    for (unsigned b = 0x100; b < 0x120; b++) {
        CHECK_EQ_U64(bitmap[b], 0);
        CHECK_EQ_U64(bitmap[2048 + b], b == 0x106 ? 1 : 0);
    }
    /* The high half: EFER, STAR..FMASK (0xc0000080-84: byte 0x10 bits 0-4), FS/GS/
     * KERNEL_GS base and TSC_AUX (0xc0000100-103: byte 0x20 bits 0-3) native; the
     * rest (AMD's MSRs included) is unlisted and exits. */
    CHECK_EQ_U64(bitmap[1024 + 0x10], 0xe0);
    CHECK_EQ_U64(bitmap[3072 + 0x10], 0xe0);
    CHECK_EQ_U64(bitmap[1024 + 0x20], 0xf0);
    CHECK_EQ_U64(bitmap[3072 + 0x20], 0xf0);
    CHECK_EQ_U64(bitmap[1024 + 0x11], 0xff);
    CHECK_EQ_U64(bitmap[2047], 0xff);
    CHECK_EQ_U64(bitmap[4095], 0xff);
    /* Unlisted low MSRs exit: 0x140 (MISC_FEATURE_ENABLES) is byte 0x28 bit 0. */
    CHECK(bit_set(bitmap, 0x28, 0));
    CHECK(bit_set(bitmap, 2048 + 0x28, 0));
}

TEST(msr_bitmap_matches_policy_everywhere)
{
    static uint8_t bitmap[MSR_BITMAP_SIZE];
    unsigned reads = 0, writes = 0;

    msr_bitmap_build(bitmap);
    for (uint32_t i = 0; i < 2 * 0x2000u; i++) {
        uint32_t msr = i < 0x2000u ? i : 0xc0000000u + (i - 0x2000u);
        bool r = msr_bitmap_exits(bitmap, msr, false), w = msr_bitmap_exits(bitmap, msr, true);

        if (r != msr_policy_intercepts_read(msr) || w != msr_policy_intercepts_write(msr)) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "MSR 0x%x: bitmap %d/%d, policy %d/%d",
                      msr, r, w, msr_policy_intercepts_read(msr),
                      msr_policy_intercepts_write(msr));
            return;
        }
        reads += r;
        writes += w;
    }
    /* Deny by default: only the rows' native directions stay without an exit. */
    size_t count, native_reads = 0, native_writes = 0;
    const struct msr_rule *rules = msr_policy_rules(&count);
    for (size_t i = 0; i < count; i++) {
        uint64_t n = (uint64_t)rules[i].last - rules[i].first + 1;
        /* The VMX bitmap covers 0..0x1fff and 0xc0000000..0xc0001fff; rows
         * beyond (AMD's 0xc001xxxx) always exit on VMX. */
        bool in_vmx_map = rules[i].last < 0x2000u ||
                          (rules[i].first >= 0xc0000000u && rules[i].last < 0xc0002000u);
        if (!in_vmx_map)
            continue;
        native_reads += rules[i].read == MSR_RULE_RD_PASS ? n : 0;
        native_writes += rules[i].write == MSR_RULE_WR_PASS ? n : 0;
    }
    CHECK_EQ_U64(reads, 2 * 0x2000u - native_reads);
    CHECK_EQ_U64(writes, 2 * 0x2000u - native_writes);
    CHECK(native_writes < native_reads);
    CHECK(msr_bitmap_exits(bitmap, 0x2000, false));
    CHECK(msr_bitmap_exits(bitmap, 0xc0010000u, true));
}

/* ---- MTRR shadow ------------------------------------------------------------ */

TEST(msr_mtrr_shadow_init_reads_what_exists)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;

    shadow_for(&s, &h, 8 | CAP_FIX | CAP_WC, 39);
    CHECK(fake_was_read(&h, 0xfe));
    CHECK(fake_was_read(&h, 0x2ff));
    for (size_t i = 0; i < 11; i++)
        CHECK(fake_was_read(&h, fixed_msrs[i]));
    CHECK(fake_was_read(&h, 0x200));
    CHECK(fake_was_read(&h, 0x20f));                /* PHYSMASK7 */
    CHECK(!fake_was_read(&h, 0x210));               /* PHYSBASE8 does not exist */
    CHECK_EQ_U64(rd(0x210, &s, &v), MSR_READ_GP);
    CHECK_EQ_U64(rd(0x23f, &s, &v), MSR_READ_GP);
    CHECK_EQ_U64(h.nreads, 2 + 11 + 16);
    CHECK_EQ_U64(s.phys_addr_bits, 39);

    /* Reads come from the shadow, equal to the host's values. */
    CHECK_EQ_U64(rd(0xfe, &s, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(v, 8 | CAP_FIX | CAP_WC);
    CHECK_EQ_U64(rd(0x2ff, &s, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(v, 0xc06);
    for (size_t i = 0; i < 11; i++) {
        CHECK_EQ_U64(rd(fixed_msrs[i], &s, &v), MSR_READ_EMULATE);
        CHECK_EQ_U64(v, fake_value(fixed_msrs[i]));
        CHECK_EQ_U64(s.mtrr_fixed[i], fake_value(fixed_msrs[i]));
        CHECK_EQ_U64(mtrr_fixed_msrs[i], fixed_msrs[i]);
    }
    for (uint32_t msr = 0x200; msr < 0x210; msr++) {
        CHECK_EQ_U64(rd(msr, &s, &v), MSR_READ_EMULATE);
        CHECK_EQ_U64(v, fake_value(msr));
    }
}

TEST(msr_mtrr_without_fixed_ranges)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&s, &h, 2, 36);
    CHECK(!fake_was_read(&h, 0x250));
    CHECK(!fake_was_read(&h, 0x204));
    CHECK_EQ_U64(h.nreads, 2 + 4);
    CHECK_EQ_U64(rd(0x250, &s, &v), MSR_READ_GP);
    CHECK_EQ_U64(wr(0x268, 0x0606060606060606ull, &s, &reason), MSR_WRITE_GP);
    CHECK(strstr(reason, "FIX") != NULL);
    CHECK_EQ_U64(rd(0x203, &s, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(rd(0x204, &s, &v), MSR_READ_GP);
    CHECK_EQ_U64(wr(0x204, 0x6, &s, &reason), MSR_WRITE_GP);
    CHECK(strstr(reason, "VCNT") != NULL);
}

TEST(msr_mtrr_vcnt_capped_at_32)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;

    shadow_for(&s, &h, 40 | CAP_FIX, 39);
    CHECK(fake_was_read(&h, 0x23f));
    CHECK(!fake_was_read(&h, 0x240));
    CHECK_EQ_U64(h.nreads, 2 + 11 + 64);
    CHECK_EQ_U64(rd(0xfe, &s, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(v, 32 | CAP_FIX);
    CHECK_EQ_U64(rd(0x23f, &s, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(v, fake_value(0x23f));
    /* Beyond the shadow: not an MTRR as far as the policy goes. */
    CHECK(msr_policy_find(0x240) == NULL);
}

TEST(msr_mtrrcap_read_only)
{
    struct msr_shadow s;
    struct fake_host h;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    CHECK_EQ_U64(wr(0xfe, 8, &s, &reason), MSR_WRITE_GP);
    CHECK(msr_policy_intercepts_read(0xfe));
    CHECK(msr_policy_intercepts_write(0xfe));
}

TEST(msr_mtrr_round_trip)
{
    struct msr_shadow s;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);

    CHECK_EQ_U64(wr(0x2ff, 0x800, &s, &reason), MSR_WRITE_EMULATE);   /* E, UC default */
    CHECK(reason != NULL && reason[0] != '\0');
    CHECK_EQ_U64(rd(0x2ff, &s, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(v, 0x800);
    CHECK_EQ_U64(s.mtrr_def_type, 0x800);

    CHECK_EQ_U64(wr(0x259, 0x0001040506000104ull, &s, &reason), MSR_WRITE_EMULATE);
    CHECK_EQ_U64(rd(0x259, &s, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(v, 0x0001040506000104ull);
    CHECK_EQ_U64(s.mtrr_fixed[2], 0x0001040506000104ull);

    /* PHYSBASE1: 2 GiB WB; PHYSMASK1: 2 GiB, valid (39-bit physical addresses). */
    CHECK_EQ_U64(wr(0x202, 0x80000006ull, &s, &reason), MSR_WRITE_EMULATE);
    CHECK_EQ_U64(wr(0x203, 0x7f80000800ull, &s, &reason), MSR_WRITE_EMULATE);
    CHECK_EQ_U64(rd(0x202, &s, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(v, 0x80000006ull);
    CHECK_EQ_U64(rd(0x203, &s, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(v, 0x7f80000800ull);
    CHECK_EQ_U64(s.mtrr_var[2], 0x80000006ull);
    CHECK_EQ_U64(s.mtrr_var[3], 0x7f80000800ull);

    /* Clearing a variable range (V = 0) is fine. */
    CHECK_EQ_U64(wr(0x203, 0, &s, &reason), MSR_WRITE_EMULATE);
    /* Every valid type is accepted everywhere. */
    static const uint64_t types[] = { 0, 1, 4, 5, 6 };
    for (size_t i = 0; i < 5; i++) {
        CHECK_EQ_U64(wr(0x2ff, 0xc00 | types[i], &s, &reason), MSR_WRITE_EMULATE);
        CHECK_EQ_U64(wr(0x200, 0x100000 | types[i], &s, &reason), MSR_WRITE_EMULATE);
        CHECK_EQ_U64(wr(0x250, types[i] * 0x0101010101010101ull, &s, &reason),
                     MSR_WRITE_EMULATE);
    }
}

TEST(msr_mtrr_invalid_values)
{
    static const uint64_t bad_types[] = { 2, 3, 7, 8, 0x10, 0xff };
    struct msr_shadow s, before;
    struct fake_host h;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 39);
    before = s;

    for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
        CHECK_EQ_U64(wr(0x2ff, 0x800 | bad_types[i], &s, &reason), MSR_WRITE_GP);
        CHECK(strstr(reason, "type") != NULL);
        CHECK_EQ_U64(wr(0x200, bad_types[i], &s, &reason), MSR_WRITE_GP);
        /* One bad byte anywhere in a fixed-range MTRR. */
        for (unsigned byte = 0; byte < 8; byte++) {
            uint64_t v = 0x0606060606060606ull & ~(0xffull << (8 * byte));

            CHECK_EQ_U64(wr(0x26f, v | (bad_types[i] << (8 * byte)), &s, &reason),
                         MSR_WRITE_GP);
        }
    }
    /* DEF_TYPE reserved bits: 8, 9, 12 and up. */
    CHECK_EQ_U64(wr(0x2ff, 0x806 | (1ull << 8), &s, &reason), MSR_WRITE_GP);
    CHECK(strstr(reason, "reserved") != NULL);
    CHECK_EQ_U64(wr(0x2ff, 0x806 | (1ull << 9), &s, &reason), MSR_WRITE_GP);
    CHECK_EQ_U64(wr(0x2ff, 0x806 | (1ull << 12), &s, &reason), MSR_WRITE_GP);
    CHECK_EQ_U64(wr(0x2ff, 0x806 | (1ull << 63), &s, &reason), MSR_WRITE_GP);
    /* PHYSBASE: bits 11:8 reserved, and bits from MAXPHYADDR (39) up. */
    for (unsigned bit = 8; bit < 12; bit++)
        CHECK_EQ_U64(wr(0x204, 0x6 | (1ull << bit), &s, &reason), MSR_WRITE_GP);
    CHECK_EQ_U64(wr(0x204, 0x6 | (1ull << 39), &s, &reason), MSR_WRITE_GP);
    CHECK_EQ_U64(wr(0x204, 0x6 | (1ull << 63), &s, &reason), MSR_WRITE_GP);
    CHECK_EQ_U64(wr(0x204, 0x6 | (1ull << 38), &s, &reason), MSR_WRITE_EMULATE);
    before.mtrr_var[4] = 0x6 | (1ull << 38);
    /* PHYSMASK: bits 10:0 reserved, bits from MAXPHYADDR up. */
    for (unsigned bit = 0; bit < 11; bit++)
        CHECK_EQ_U64(wr(0x205, 0x800 | (1ull << bit), &s, &reason), MSR_WRITE_GP);
    CHECK_EQ_U64(wr(0x205, 0x800 | (1ull << 39), &s, &reason), MSR_WRITE_GP);
    CHECK_EQ_U64(wr(0x205, 0x7ffffff800ull, &s, &reason), MSR_WRITE_EMULATE);
    before.mtrr_var[5] = 0x7ffffff800ull;

    /* Refused writes changed nothing. */
    CHECK_EQ_U64(s.mtrr_cap, before.mtrr_cap);
    CHECK_EQ_U64(s.mtrr_def_type, before.mtrr_def_type);
    CHECK_EQ_U64(s.phys_addr_bits, before.phys_addr_bits);
    CHECK(memcmp(s.mtrr_fixed, before.mtrr_fixed, sizeof(s.mtrr_fixed)) == 0);
    CHECK(memcmp(s.mtrr_var, before.mtrr_var, sizeof(s.mtrr_var)) == 0);
}

TEST(msr_mtrr_phys_addr_bits_defaults)
{
    struct msr_shadow s;
    struct fake_host h;
    const char *reason;

    shadow_for(&s, &h, 8 | CAP_FIX, 0);
    CHECK_EQ_U64(s.phys_addr_bits, 36);
    CHECK_EQ_U64(wr(0x200, 0x6 | (1ull << 36), &s, &reason), MSR_WRITE_GP);
    CHECK_EQ_U64(wr(0x200, 0x6 | (1ull << 35), &s, &reason), MSR_WRITE_EMULATE);

    shadow_for(&s, &h, 8 | CAP_FIX, 64);
    CHECK_EQ_U64(s.phys_addr_bits, 52);
    CHECK_EQ_U64(wr(0x200, 0x6 | (1ull << 51), &s, &reason), MSR_WRITE_EMULATE);
    CHECK_EQ_U64(wr(0x200, 0x6 | (1ull << 52), &s, &reason), MSR_WRITE_GP);
}

TEST(msr_mtrr_shadows_are_per_vcpu)
{
    struct msr_shadow a, b;
    struct fake_host h;
    uint64_t v;
    const char *reason;

    shadow_for(&a, &h, 8 | CAP_FIX, 39);
    shadow_for(&b, &h, 8 | CAP_FIX, 39);
    CHECK_EQ_U64(wr(0x2ff, 0x806, &a, &reason), MSR_WRITE_EMULATE);
    CHECK_EQ_U64(rd(0x2ff, &b, &v), MSR_READ_EMULATE);
    CHECK_EQ_U64(v, 0xc06);
}

/* ---- IA32_APIC_BASE ---------------------------------------------------------- */

#define APIC_CUR 0xfee00900ull    /* base 0xfee00000, EN (11), BSP (8) */

static enum msr_write_action apic_wr(uint64_t value, uint64_t current, const char **reason)
{
    *reason = NULL;
    return msr_policy_write(0x1b, MSR_BACKEND_VMX, value, current, NULL, reason);
}

TEST(msr_apic_base_allowed_writes)
{
    const char *reason;
    uint64_t v;

    CHECK_EQ_U64(apic_wr(APIC_CUR, APIC_CUR, &reason), MSR_WRITE_PASSTHROUGH);
    CHECK(reason != NULL && reason[0] != '\0');
    CHECK_EQ_U64(apic_wr(APIC_CUR | (1ull << 10), APIC_CUR, &reason), MSR_WRITE_PASSTHROUGH);
    CHECK(strstr(reason, "x2APIC") != NULL);
    /* An AP (BSP clear) may enable x2APIC too; rewriting x2APIC mode is fine. */
    CHECK_EQ_U64(apic_wr(0xfee00c00ull, 0xfee00800ull, &reason), MSR_WRITE_PASSTHROUGH);
    CHECK_EQ_U64(apic_wr(0xfee00d00ull, 0xfee00d00ull, &reason), MSR_WRITE_PASSTHROUGH);
    /* Reads pass through and do not exit; writes exit. */
    CHECK_EQ_U64(msr_policy_read(0x1b, MSR_BACKEND_VMX, NULL, &v), MSR_READ_PASSTHROUGH);
    CHECK(!msr_policy_intercepts_read(0x1b));
    CHECK(msr_policy_intercepts_write(0x1b));
}

TEST(msr_apic_base_refused_writes)
{
    const char *reason;

    /* Moving the base, even with x2APIC enable. */
    CHECK_EQ_U64(apic_wr(0xfec00900ull, APIC_CUR, &reason), MSR_WRITE_GP);
    CHECK(strstr(reason, "moving") != NULL);
    CHECK_EQ_U64(apic_wr(0x1fee00900ull, APIC_CUR, &reason), MSR_WRITE_GP);
    CHECK_EQ_U64(apic_wr(0xfee01d00ull, APIC_CUR, &reason), MSR_WRITE_GP);
    /* x2APIC enable without the global enable: invalid. */
    CHECK_EQ_U64(apic_wr(0xfee00500ull, APIC_CUR, &reason), MSR_WRITE_GP);
    CHECK(strstr(reason, "without the global enable") != NULL);
    /* Flipping BSP. */
    CHECK_EQ_U64(apic_wr(0xfee00800ull, APIC_CUR, &reason), MSR_WRITE_GP);
    CHECK(strstr(reason, "BSP") != NULL);
    /* Reserved bits (0..7, 9, 52..63). */
    CHECK_EQ_U64(apic_wr(APIC_CUR | 1, APIC_CUR, &reason), MSR_WRITE_GP);
    CHECK(strstr(reason, "reserved") != NULL);
    CHECK_EQ_U64(apic_wr(APIC_CUR | (1ull << 9), APIC_CUR, &reason), MSR_WRITE_GP);
    CHECK_EQ_U64(apic_wr(APIC_CUR | (1ull << 63), APIC_CUR, &reason), MSR_WRITE_GP);
    CHECK_EQ_U64(apic_wr(APIC_CUR | (1ull << 10) | (1ull << 9), APIC_CUR, &reason),
                 MSR_WRITE_GP);
    /* x2APIC back to xAPIC directly (the SDM's invalid transition). */
    CHECK_EQ_U64(apic_wr(0xfee00900ull, 0xfee00d00ull, &reason), MSR_WRITE_GP);
    CHECK(strstr(reason, "x2APIC to xAPIC") != NULL);
}

TEST(msr_apic_base_mode_changes_through_disable)
{
    const char *reason;
    /* What Linux does without interrupt remapping: x2APIC → disabled → xAPIC. */
    CHECK_EQ_U64(apic_wr(0xfee00100ull, 0xfee00d00ull, &reason), MSR_WRITE_PASSTHROUGH);
    CHECK(strstr(reason, "disables") != NULL);
    CHECK_EQ_U64(apic_wr(0xfee00900ull, 0xfee00100ull, &reason), MSR_WRITE_PASSTHROUGH);
    CHECK(strstr(reason, "xAPIC") != NULL);
    /* Disabled → x2APIC directly is valid too. */
    CHECK_EQ_U64(apic_wr(0xfee00d00ull, 0xfee00100ull, &reason), MSR_WRITE_PASSTHROUGH);
}

TEST_SUITE(msr_policy,
    UNIT(msr_table_consistent),
    UNIT(msr_check_rejects_bad_tables),
    UNIT(msr_names),
    UNIT(msr_feature_control_locked_without_vmx),
    UNIT(msr_vmx_capabilities_gp),
    UNIT(msr_smm_monitor_ctl_gp),
    UNIT(msr_microcode_and_tsc_writes_ignored),
    UNIT(msr_native_both_ways),
    UNIT(msr_backend_specific_rows),
    UNIT(msr_unlisted_refused_everywhere),
    UNIT(msr_write_accepts_null_reason),
    UNIT(msr_architectural_msrs_all_have_rules),
    UNIT(msr_pmu_pt_ds_power_refused),
    UNIT(msr_platform_info_reads_zero),
    UNIT(msr_misc_enable_look_do_not_change),
    UNIT(msr_debugctl_in_guest_state),
    UNIT(msr_xss_only_shown_components),
    UNIT(msr_x2apic_icr_mediated),
    UNIT(msr_mca_banks),
    UNIT(msr_smrr_hidden_from_mtrrcap),
    UNIT(msr_bitmap_sample_bits),
    UNIT(msr_bitmap_matches_policy_everywhere),
    UNIT(msr_mtrr_shadow_init_reads_what_exists),
    UNIT(msr_mtrr_without_fixed_ranges),
    UNIT(msr_mtrr_vcnt_capped_at_32),
    UNIT(msr_mtrrcap_read_only),
    UNIT(msr_mtrr_round_trip),
    UNIT(msr_mtrr_invalid_values),
    UNIT(msr_mtrr_phys_addr_bits_defaults),
    UNIT(msr_mtrr_shadows_are_per_vcpu),
    UNIT(msr_apic_base_allowed_writes),
    UNIT(msr_apic_base_refused_writes),
    UNIT(msr_apic_base_mode_changes_through_disable)
);
