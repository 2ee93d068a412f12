/* Unit tests for svm/svm_caps.c.  No emulator Kestrel runs on sets
 * VM_CR.SVMDIS or VM_CR.LOCK, so every combination is proven here. */
#include "test.h"

#include "svm/svm_bits.h"
#include "svm/svm_caps.h"

/* A Zen-like CPU: SVM rev 1, 32768 ASIDs, NP, LBR virt, SVML, NRIPS,
 * TSC rate, VMCB clean, flush by ASID, decode assists, pause filter (and
 * threshold), AVIC, VMSAVE virt, VGIF. */
static struct svm_cpuid zen(void)
{
    struct svm_cpuid c = {
        .svm = true,
        .rev = 1,
        .asids = 0x8000,
        .features_edx = SVM_CPUID_EDX_NP | SVM_CPUID_EDX_LBR_VIRT | SVM_CPUID_EDX_SVML |
                        SVM_CPUID_EDX_NRIPS | SVM_CPUID_EDX_TSC_RATE_MSR |
                        SVM_CPUID_EDX_VMCB_CLEAN | SVM_CPUID_EDX_FLUSH_BY_ASID |
                        SVM_CPUID_EDX_DECODE_ASSISTS | SVM_CPUID_EDX_PAUSE_FILTER |
                        SVM_CPUID_EDX_PAUSE_FILTER_THRESHOLD | SVM_CPUID_EDX_AVIC |
                        SVM_CPUID_EDX_VMSAVE_VIRT | SVM_CPUID_EDX_VGIF,
    };
    return c;
}

/* The minimum: nested paging and two ASIDs, nothing else (an emulator
 * without next-RIP save). */
static struct svm_cpuid minimal(void)
{
    struct svm_cpuid c = { .svm = true, .rev = 1, .asids = 2, .features_edx = SVM_CPUID_EDX_NP };
    return c;
}

TEST(svm_caps_zen_usable)
{
    struct svm_cpuid c = zen();
    struct svm_caps caps;
    const char *why = NULL;

    CHECK_EQ_U64(svm_probe(&c, 0, &caps, &why), SVM_USABLE);
    CHECK_STR(why, "");
    CHECK(caps.nested_paging && caps.next_rip && caps.flush_by_asid && caps.vgif);
    CHECK(caps.decode_assists && caps.lbr_virt && caps.pause_filter);
    CHECK(caps.pause_filter_threshold && caps.vmcb_clean && caps.svm_lock);
    CHECK_EQ_U64(caps.asids, 0x8000);
    CHECK_EQ_U64(caps.revision, 1);
}

TEST(svm_caps_minimal_usable)
{
    struct svm_cpuid c = minimal();
    struct svm_caps caps;
    const char *why = NULL;

    CHECK_EQ_U64(svm_probe(&c, 0, &caps, &why), SVM_USABLE);
    CHECK(caps.nested_paging);
    CHECK(!caps.next_rip && !caps.flush_by_asid && !caps.vgif && !caps.decode_assists);
    CHECK(!caps.lbr_virt && !caps.pause_filter && !caps.vmcb_clean && !caps.svm_lock);
    CHECK_EQ_U64(caps.asids, 2);
}

/* Each feature bit lands in its own field, and only there. */
TEST(svm_caps_each_feature_bit)
{
    static const struct {
        uint32_t bit;
        size_t field;
    } map[] = {
        { SVM_CPUID_EDX_NP, offsetof(struct svm_caps, nested_paging) },
        { SVM_CPUID_EDX_NRIPS, offsetof(struct svm_caps, next_rip) },
        { SVM_CPUID_EDX_FLUSH_BY_ASID, offsetof(struct svm_caps, flush_by_asid) },
        { SVM_CPUID_EDX_VGIF, offsetof(struct svm_caps, vgif) },
        { SVM_CPUID_EDX_DECODE_ASSISTS, offsetof(struct svm_caps, decode_assists) },
        { SVM_CPUID_EDX_LBR_VIRT, offsetof(struct svm_caps, lbr_virt) },
        { SVM_CPUID_EDX_PAUSE_FILTER, offsetof(struct svm_caps, pause_filter) },
        { SVM_CPUID_EDX_PAUSE_FILTER_THRESHOLD, offsetof(struct svm_caps, pause_filter_threshold) },
        { SVM_CPUID_EDX_VMCB_CLEAN, offsetof(struct svm_caps, vmcb_clean) },
        { SVM_CPUID_EDX_SVML, offsetof(struct svm_caps, svm_lock) },
    };
    const size_t nmap = sizeof(map) / sizeof(map[0]);

    for (size_t i = 0; i < nmap; i++) {
        struct svm_cpuid c = { .svm = true, .rev = 1, .asids = 16, .features_edx = map[i].bit };
        struct svm_caps caps;
        const char *why;

        svm_probe(&c, 0, &caps, &why);
        for (size_t j = 0; j < nmap; j++) {
            bool value = *(const bool *)((const char *)&caps + map[j].field);

            CHECK(value == (i == j));
        }
    }
}

/* CPUID says no SVM: nothing else is believed, whatever EDX holds. */
TEST(svm_caps_no_svm_ignores_leaf)
{
    struct svm_cpuid c = zen();
    struct svm_caps caps;
    const char *why = NULL;

    c.svm = false;
    c.features_edx = 0xffffffffu;
    CHECK_EQ_U64(svm_probe(&c, 0, &caps, &why), SVM_UNAVAILABLE);
    CHECK_STR(why, "cpuid reports no SVM");
    CHECK(!caps.nested_paging && !caps.next_rip && !caps.svm_lock);
    CHECK_EQ_U64(caps.asids, 0);
    CHECK_EQ_U64(caps.revision, 0);
}

/* The independent statement of the rules, for the exhaustive test. */
static enum svm_probe_result expected(bool svm, bool np, uint32_t asids, bool svmdis, bool lock,
                                      const char **why)
{
    *why = "";
    if (!svm) {
        *why = "cpuid reports no SVM";
        return SVM_UNAVAILABLE;
    }
    if (!np) {
        *why = "no nested paging";
        return SVM_UNAVAILABLE;
    }
    if (asids < 2) {
        *why = "too few ASIDs";
        return SVM_UNAVAILABLE;
    }
    if (svmdis && lock) {
        *why = "disabled by firmware";
        return SVM_UNAVAILABLE;
    }
    return svmdis ? SVM_USABLE_AFTER_CLEARING_SVMDIS : SVM_USABLE;
}

/* Every combination of CPUID SVM, NP, ASID count (0, 1, 2, 3, many),
 * SVMDIS, LOCK, SVML, with and without the other VM_CR bits (DPD, R_INIT,
 * DIS_A20M, reserved bits) that must not matter. */
TEST(svm_caps_every_combination)
{
    static const uint32_t asid_counts[] = { 0, 1, 2, 3, 0x8000, 0xffffffffu };
    static const uint64_t vm_cr_noise[] = {
        0, SVM_VM_CR_DPD, SVM_VM_CR_R_INIT | SVM_VM_CR_DIS_A20M, 0xffffffffffffffe7ull,
    };
    unsigned combinations = 0;

    for (unsigned svm = 0; svm < 2; svm++)
    for (unsigned np = 0; np < 2; np++)
    for (unsigned a = 0; a < sizeof(asid_counts) / sizeof(asid_counts[0]); a++)
    for (unsigned svmdis = 0; svmdis < 2; svmdis++)
    for (unsigned lock = 0; lock < 2; lock++)
    for (unsigned svml = 0; svml < 2; svml++)
    for (unsigned n = 0; n < sizeof(vm_cr_noise) / sizeof(vm_cr_noise[0]); n++) {
        struct svm_cpuid c = {
            .svm = svm != 0,
            .rev = 1,
            .asids = asid_counts[a],
            .features_edx = (np ? SVM_CPUID_EDX_NP : 0) | (svml ? SVM_CPUID_EDX_SVML : 0),
        };
        uint64_t vm_cr = vm_cr_noise[n] | (svmdis ? SVM_VM_CR_SVMDIS : 0) |
                         (lock ? SVM_VM_CR_LOCK : 0);
        struct svm_caps caps;
        const char *why = NULL, *want_why;
        enum svm_probe_result want = expected(svm, np, asid_counts[a], svmdis, lock, &want_why);
        enum svm_probe_result got = svm_probe(&c, vm_cr, &caps, &why);

        if (got != want || why == NULL || strcmp(why, want_why) != 0) {
            unit_fail(unit_ctx_, __FILE__, __LINE__,
                      "svm %u np %u asids %u svmdis %u lock %u svml %u vm_cr 0x%llx: "
                      "got %d \"%s\", want %d \"%s\"", svm, np, asid_counts[a], svmdis, lock,
                      svml, (unsigned long long)vm_cr, (int)got, why ? why : "(null)",
                      (int)want, want_why);
            return;
        }
        CHECK(caps.nested_paging == (svm && np));
        CHECK(caps.svm_lock == (svm && svml));
        combinations++;
    }
    CHECK_EQ_U64(combinations, 2 * 2 * 6 * 2 * 2 * 2 * 4);
}

/* The firmware cases by name, as a user would meet them. */
TEST(svm_caps_firmware)
{
    struct svm_cpuid c = zen();
    struct svm_caps caps;
    const char *why = NULL;

    /* SVMDIS set and locked: disabled in the firmware setup. */
    CHECK_EQ_U64(svm_probe(&c, SVM_VM_CR_SVMDIS | SVM_VM_CR_LOCK, &caps, &why), SVM_UNAVAILABLE);
    CHECK_STR(why, "disabled by firmware");
    /* Locked but enabled: fine. */
    CHECK_EQ_U64(svm_probe(&c, SVM_VM_CR_LOCK, &caps, &why), SVM_USABLE);
    CHECK_STR(why, "");
    /* SVMDIS set, not locked: Kestrel clears it. */
    CHECK_EQ_U64(svm_probe(&c, SVM_VM_CR_SVMDIS, &caps, &why), SVM_USABLE_AFTER_CLEARING_SVMDIS);
    CHECK_STR(why, "");
    /* What the CPU lacks is named before what the firmware chose. */
    c.features_edx &= ~SVM_CPUID_EDX_NP;
    CHECK_EQ_U64(svm_probe(&c, SVM_VM_CR_SVMDIS | SVM_VM_CR_LOCK, &caps, &why), SVM_UNAVAILABLE);
    CHECK_STR(why, "no nested paging");
    c = zen();
    c.asids = 1;
    CHECK_EQ_U64(svm_probe(&c, SVM_VM_CR_SVMDIS | SVM_VM_CR_LOCK, &caps, &why), SVM_UNAVAILABLE);
    CHECK_STR(why, "too few ASIDs");
}

TEST(svm_caps_result_names)
{
    CHECK_STR(svm_probe_result_name(SVM_USABLE), "usable");
    CHECK_STR(svm_probe_result_name(SVM_USABLE_AFTER_CLEARING_SVMDIS),
              "usable after clearing VM_CR.SVMDIS");
    CHECK_STR(svm_probe_result_name(SVM_UNAVAILABLE), "unavailable");
    CHECK_STR(svm_probe_result_name((enum svm_probe_result)42), "unknown");
}

TEST_SUITE(svm_caps,
           UNIT(svm_caps_zen_usable),
           UNIT(svm_caps_minimal_usable),
           UNIT(svm_caps_each_feature_bit),
           UNIT(svm_caps_no_svm_ignores_leaf),
           UNIT(svm_caps_every_combination),
           UNIT(svm_caps_firmware),
           UNIT(svm_caps_result_names));
