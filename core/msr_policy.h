/*
 * What a guest sees when it executes RDMSR/WRMSR: pure policy, no hardware
 * access.
 *
 * Deny by default: an MSR the table does not name is refused (#GP, as on a
 * CPU without it), read or write.  Every MSR the guest may use has a row
 * with its reason: native (no exit), a virtual value, a per-vCPU shadow,
 * or a checked write.  From the table come the MSR bitmap (which accesses
 * exit) and the answers the RDMSR/WRMSR exit handlers act on.  The handlers
 * (VMX today, SVM later) execute passthrough accesses themselves, inject
 * #GP, keep a struct msr_shadow per vCPU for the virtualized MSRs (the
 * MTRRs) and hold the guest copies of the MSRs they switch (IA32_DEBUGCTL).
 * docs/vmx.md prints the table.
 */
#ifndef KESTREL_CORE_MSR_POLICY_H
#define KESTREL_CORE_MSR_POLICY_H

#include "mm/mtrr.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The backend a policy question is about: a row may mean "native" on one
 * and "intercepted" on the other (struct msr_rule.svm_guest_state). */
enum msr_backend {
    MSR_BACKEND_VMX,
    MSR_BACKEND_SVM,
};

enum msr_read_action {
    MSR_READ_PASSTHROUGH,   /* execute the RDMSR and give the guest its value */
    MSR_READ_EMULATE,       /* give the guest *value; do not touch the MSR */
    MSR_READ_GUEST_STATE,   /* the backend's copy of a register it switches (IA32_DEBUGCTL) */
    MSR_READ_GP,            /* refused: inject #GP(0) */
};

enum msr_write_action {
    MSR_WRITE_PASSTHROUGH,  /* execute the WRMSR with the guest's value */
    MSR_WRITE_EMULATE,      /* done (stored in the vCPU's shadow, or a no-op); do not touch the MSR */
    MSR_WRITE_GUEST_STATE,  /* checked: store it in the backend's copy of the switched register */
    MSR_WRITE_IGNORE,       /* drop (the write has no effect; counted as a refusal) */
    MSR_WRITE_ICR,          /* the x2APIC interrupt command: the IPI mediation sends it */
    MSR_WRITE_GP,           /* refused: inject #GP(0) */
};

/* ---- per-vCPU shadow of the virtualized MSRs ---------------------------- */

#define MSR_MTRR_FIXED_COUNT     MTRR_FIXED_MSRS   /* in mtrr_fixed_msrs[] order (mm/mtrr.h) */
#define MSR_MTRR_VAR_PAIRS_MAX   32   /* PHYSBASE0/PHYSMASK0 (0x200) .. PHYSBASE31/PHYSMASK31 (0x23f) */

/*
 * The real MTRRs describe host memory and are shared with Kestrel (with EPT
 * the CPU ignores the guest's view anyway: EPT memory types take their place),
 * so the guest reads and writes a private copy, initialized from the host's.
 */
struct msr_shadow {
    uint64_t mtrr_cap;           /* IA32_MTRRCAP as the guest sees it (VCNT <= 32) */
    uint64_t mtrr_def_type;      /* IA32_MTRR_DEF_TYPE */
    uint64_t mtrr_fixed[MSR_MTRR_FIXED_COUNT];      /* in mtrr_fixed_msrs[] order */
    uint64_t mtrr_var[2 * MSR_MTRR_VAR_PAIRS_MAX];  /* [2n] = PHYSBASEn, [2n+1] = PHYSMASKn */
    uint8_t phys_addr_bits;      /* MAXPHYADDR: bits above it are reserved in PHYSBASE/MASK */
    /* Checked writes: IA32_XSS may hold only the supervisor state components
     * CPUID.(0DH,1):EDX:ECX reports to the guest (set by the caller from
     * the CPUID policy; 0 = none). */
    uint64_t xss_allowed;
};

/* MSR indices of the fixed-range MTRRs, in msr_shadow.mtrr_fixed[] order. */

/* Reads one host MSR (the caller's RDMSR wrapper).  msr_shadow_init() calls
 * it only for MSRs that exist: IA32_MTRRCAP, IA32_MTRR_DEF_TYPE, the fixed
 * MTRRs if MTRRCAP.FIX is set and the first min(VCNT, 32) variable pairs. */
typedef uint64_t (*msr_host_read_fn)(uint32_t msr, void *ctx);

/* Fills *s from the host's MTRRs.  phys_addr_bits is CPUID 0x80000008 EAX[7:0]
 * (0 = unknown: 36 is assumed, as the SDM says).  The CPU must have MTRRs
 * (CPUID.1:EDX.MTRR; every VMX-capable CPU does).  If the host has more than
 * 32 variable MTRRs the guest is shown 32 (MTRRCAP.VCNT is clamped; no known
 * CPU has more than 10).  MTRRCAP.SMRR reads 0: the SMM range registers are
 * the firmware's and refused. */
void msr_shadow_init(struct msr_shadow *s, unsigned phys_addr_bits, msr_host_read_fn read_host,
                     void *ctx);

/* ---- the bitmap --------------------------------------------------------- */

/* Does an access to msr cause a VM exit?  True unless its rule says native
 * passthrough for that direction and the MSR lies in a bitmap range (the
 * hardware always exits for the others). */
bool msr_policy_intercepts_read(uint32_t msr);
bool msr_policy_intercepts_write(uint32_t msr);
/* Whether an access to msr must exit on `backend`, whatever map format
 * says it (the SVM permission map is built from this). */
bool msr_policy_exits(uint32_t msr, bool write, enum msr_backend backend);

#define MSR_BITMAP_SIZE 4096

/* Fills a VMX MSR bitmap (SDM vol. 3C 25.6.9): read bits for MSRs
 * 0..0x1fff at offset 0 and 0xc0000000..0xc0001fff at 1024, write bits at
 * 2048 and 3072; bit (msr & 0x1fff) of each 1 KiB part; a set bit = exit. */
void msr_bitmap_build(uint8_t bitmap[MSR_BITMAP_SIZE]);

/* Is the exit bit for (msr, read or write) set in bitmap?  True for MSRs
 * outside both ranges, like the hardware. */
bool msr_bitmap_exits(const uint8_t bitmap[MSR_BITMAP_SIZE], uint32_t msr, bool write);

/* ---- the decisions ------------------------------------------------------- */

/* RDMSR of msr: on MSR_READ_EMULATE, *value is what the guest gets. */
enum msr_read_action msr_policy_read(uint32_t msr, enum msr_backend backend,
                                     const struct msr_shadow *shadow,
                                     uint64_t *value);

/* WRMSR of value to msr.  current_host_value is the MSR's present value for
 * the MSRs whose writes are judged against it (msr_policy_write_needs_current:
 * IA32_APIC_BASE, IA32_MISC_ENABLE); pass 0 for the others.  On
 * MSR_WRITE_EMULATE the shadow has been updated.  *reason (if reason is not
 * NULL) is set for every action: why, in a few words. */
enum msr_write_action msr_policy_write(uint32_t msr, enum msr_backend backend, uint64_t value,
                                       uint64_t current_host_value,
                                       struct msr_shadow *shadow, const char **reason);
bool msr_policy_write_needs_current(uint32_t msr);

/* ---- the rule table ------------------------------------------------------ */

enum msr_rule_read {
    MSR_RULE_RD_PASS,          /* native: no exit */
    MSR_RULE_RD_CONST,         /* emulate: always read_value */
    MSR_RULE_RD_SHADOW,        /* emulate: from struct msr_shadow */
    MSR_RULE_RD_GUEST_STATE,   /* the backend's guest copy (a switched register) */
    MSR_RULE_RD_GP,            /* refused */
};

enum msr_rule_write {
    MSR_RULE_WR_PASS,          /* native: no exit */
    MSR_RULE_WR_IGNORE,        /* dropped */
    MSR_RULE_WR_SHADOW,        /* checked, then stored in struct msr_shadow */
    MSR_RULE_WR_APIC_BASE,     /* passthrough for the mode changes the SDM allows, else #GP */
    MSR_RULE_WR_UNCHANGED,     /* a write of the present value is a no-op; any change #GPs */
    MSR_RULE_WR_DEBUGCTL,      /* IA32_DEBUGCTL: only LBR and BTF, into the guest copy */
    MSR_RULE_WR_XSS,           /* IA32_XSS: only msr_shadow.xss_allowed bits, then passthrough */
    MSR_RULE_WR_ICR,           /* x2APIC ICR: mediated */
    MSR_RULE_WR_MCA_BANK,      /* IA32_MCi_CTL ignored; MCi_STATUS/ADDR/MISC passthrough */
    MSR_RULE_WR_GP,            /* refused */
};

/* One rule covers MSRs first..last (inclusive). */
struct msr_rule {
    uint32_t first, last;
    const char *name;          /* SDM name, for logs */
    enum msr_rule_read read;
    enum msr_rule_write write;
    uint64_t read_value;       /* for MSR_RULE_RD_CONST */
    const char *reason;
    /* What VMX switches through the VMCS and SVM does not switch the same
     * way (IA32_EFER: the guest VMCB's EFER must keep SVME): on SVM both
     * directions exit and go to the backend's guest copy (RD/WR
     * GUEST_STATE); svm_reason says why. */
    bool svm_guest_state;
    const char *svm_reason;
};

/* The built-in table, sorted by MSR (for printing the policy and for tests). */
const struct msr_rule *msr_policy_rules(size_t *count);

/* The rule for msr, or NULL when it is unlisted (refused both ways). */
const struct msr_rule *msr_policy_find(uint32_t msr);

/* The SDM name of msr if it has a rule, else "unlisted MSR". */
const char *msr_policy_name(uint32_t msr);

/* Checks a rule table: sorted, no overlapping or empty ranges, every rule
 * named and with a reason, shadowed rules backed by a shadow slot for every
 * MSR they cover, each special write check (APIC base, DEBUGCTL, XSS, ICR,
 * MCA banks, guest-state reads) used only for its own MSRs.  On failure
 * sets *bad to the offending rule's index and *problem to what. */
bool msr_rules_check(const struct msr_rule *rules, size_t count, size_t *bad,
                     const char **problem);

/* msr_rules_check() on the built-in table. */
bool msr_policy_check(size_t *bad, const char **problem);

#endif
