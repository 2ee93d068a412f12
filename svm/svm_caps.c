/*
 * The SVM probing decision (see svm_caps.h), following APM vol. 2 15.4
 * "Enabling SVM": SVM exists when CPUID Fn8000_0001 ECX[SVM] is set; it can
 * be enabled (EFER.SVME) unless VM_CR.SVMDIS is set.  When VM_CR.LOCK is
 * clear, VM_CR is writable (15.30.1) and Kestrel may clear SVMDIS itself;
 * with LOCK set the firmware disabled SVM (SVML only says a key could unlock
 * it, and Kestrel has no key).
 */
#include "svm/svm_caps.h"
#include "svm/svm_bits.h"

static bool has(const struct svm_cpuid *cpuid, uint32_t feature)
{
    return cpuid->svm && (cpuid->features_edx & feature) != 0;
}

static void fill_caps(const struct svm_cpuid *cpuid, struct svm_caps *caps)
{
    *caps = (struct svm_caps){
        .nested_paging = has(cpuid, SVM_CPUID_EDX_NP),
        .next_rip = has(cpuid, SVM_CPUID_EDX_NRIPS),
        .flush_by_asid = has(cpuid, SVM_CPUID_EDX_FLUSH_BY_ASID),
        .vgif = has(cpuid, SVM_CPUID_EDX_VGIF),
        .decode_assists = has(cpuid, SVM_CPUID_EDX_DECODE_ASSISTS),
        .lbr_virt = has(cpuid, SVM_CPUID_EDX_LBR_VIRT),
        .pause_filter = has(cpuid, SVM_CPUID_EDX_PAUSE_FILTER),
        .pause_filter_threshold = has(cpuid, SVM_CPUID_EDX_PAUSE_FILTER_THRESHOLD),
        .vmcb_clean = has(cpuid, SVM_CPUID_EDX_VMCB_CLEAN),
        .svm_lock = has(cpuid, SVM_CPUID_EDX_SVML),
        .revision = cpuid->svm ? cpuid->rev & SVM_CPUID_EAX_REVISION_MASK : 0,
        .asids = cpuid->svm ? cpuid->asids : 0,
    };
}

static enum svm_probe_result unavailable(const char **reason, const char *words)
{
    *reason = words;
    return SVM_UNAVAILABLE;
}

enum svm_probe_result svm_probe(const struct svm_cpuid *cpuid, uint64_t vm_cr,
                                struct svm_caps *caps, const char **reason)
{
    bool svmdis = (vm_cr & SVM_VM_CR_SVMDIS) != 0;
    bool locked = (vm_cr & SVM_VM_CR_LOCK) != 0;

    fill_caps(cpuid, caps);
    if (!cpuid->svm)
        return unavailable(reason, "cpuid reports no SVM");
    /* Kestrel has no shadow paging: guest memory is isolated by NPT. */
    if (!caps->nested_paging)
        return unavailable(reason, "no nested paging");
    if (caps->asids < SVM_MIN_ASIDS)
        return unavailable(reason, "too few ASIDs");
    if (svmdis && locked)
        return unavailable(reason, "disabled by firmware");
    *reason = "";
    return svmdis ? SVM_USABLE_AFTER_CLEARING_SVMDIS : SVM_USABLE;
}

const char *svm_probe_result_name(enum svm_probe_result r)
{
    switch (r) {
    case SVM_USABLE:
        return "usable";
    case SVM_USABLE_AFTER_CLEARING_SVMDIS:
        return "usable after clearing VM_CR.SVMDIS";
    case SVM_UNAVAILABLE:
        return "unavailable";
    default:
        return "unknown";
    }
}
