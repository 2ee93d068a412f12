/*
 * Whether this CPU's SVM can run Kestrel, decided from CPUID and VM_CR
 * alone (APM vol. 2 15.4 "Enabling SVM", 15.30.1 "VM_CR MSR", CPUID
 * Fn8000_000A).  Pure: the caller reads CPUID 0x80000001 ECX, CPUID
 * 0x8000000A and MSR VM_CR (on the BSP; every AP is checked against it), and
 * svm_probe decides.  No emulator Kestrel tests on sets VM_CR.SVMDIS, so the
 * unit tests are the proof of the firmware-disabled paths.
 *
 * The SVM counterpart of vmx/caps.h.
 */
#ifndef KESTREL_SVM_SVM_CAPS_H
#define KESTREL_SVM_SVM_CAPS_H

#include <stdbool.h>
#include <stdint.h>

/* Raw CPUID values. */
struct svm_cpuid {
    bool     svm;                   /* CPUID 0x80000001 ECX bit 2 */
    uint32_t rev;                   /* CPUID 0x8000000A EAX (SvmRev in bits 7:0) */
    uint32_t asids;                 /* CPUID 0x8000000A EBX: number of ASIDs, ASID 0 included */
    uint32_t features_edx;          /* CPUID 0x8000000A EDX: SVM_CPUID_EDX_* */
};

/* What Kestrel uses, from CPUID 0x8000000A.  All false/0 without SVM. */
struct svm_caps {
    bool     nested_paging;         /* NP */
    bool     next_rip;              /* NRIPS: VMCB next_rip is written on instruction intercepts */
    bool     flush_by_asid;         /* TLB_CONTROL 3 and 7 */
    bool     vgif;
    bool     decode_assists;        /* EXITINFO1 GPR numbers, insn_bytes */
    bool     lbr_virt;
    bool     pause_filter;
    bool     pause_filter_threshold;
    bool     vmcb_clean;            /* VMCB clean bits honoured */
    bool     svm_lock;              /* SVML: a locked SVMDIS may be unlocked with a key */
    uint32_t revision;              /* SvmRev */
    uint32_t asids;                 /* number of ASIDs, ASID 0 (the host's) included */
};

enum svm_probe_result {
    SVM_USABLE,                         /* EFER.SVME may be set now */
    SVM_USABLE_AFTER_CLEARING_SVMDIS,   /* VM_CR.SVMDIS set but not locked: clear it first */
    SVM_UNAVAILABLE,                    /* *reason says why */
};

/* Kestrel needs a guest ASID besides the host's ASID 0 (APM 15.16). */
#define SVM_MIN_ASIDS 2u

/*
 * Fills *caps (always: the features are worth printing even when SVM is
 * unusable) and decides.  On SVM_UNAVAILABLE, *reason is the first of
 * "cpuid reports no SVM", "no nested paging", "too few ASIDs", "disabled by
 * firmware" (VM_CR.SVMDIS and VM_CR.LOCK both set) that applies: what the
 * CPU cannot do comes before what the firmware chose, since enabling SVM in
 * the firmware setup would not help a CPU without nested paging.  Otherwise
 * *reason is "".
 */
enum svm_probe_result svm_probe(const struct svm_cpuid *cpuid, uint64_t vm_cr,
                                struct svm_caps *caps, const char **reason);

/* Words for a result: "usable", "usable after clearing VM_CR.SVMDIS",
 * "unavailable"; "unknown" for anything else. */
const char *svm_probe_result_name(enum svm_probe_result r);

#endif
