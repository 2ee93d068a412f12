/*
 * MSR policy: the rule table, the MSR bitmap built from it, and the checks
 * behind the emulated MSRs.  MSR numbers and bit layouts are from the Intel
 * SDM vol. 4 (MSRs) and vol. 3A ch. "Memory Cache Control" (MTRRs), the
 * bitmap layout from vol. 3C "MSR-Bitmap Address".
 */
#include "vmx/msr_policy.h"
#include "kernel/msr.h"
#include "mm/mtrr.h"

#define MAXPHYADDR_DEFAULT             36           /* when CPUID 0x80000008 is absent */
#define MAXPHYADDR_LIMIT               52

/* The two ranges the bitmap covers; every other MSR always exits. */
#define MSR_BITMAP_LOW_FIRST           0x00000000u
#define MSR_BITMAP_LOW_LAST            0x00001fffu
#define MSR_BITMAP_HIGH_FIRST          0xc0000000u
#define MSR_BITMAP_HIGH_LAST           0xc0001fffu
#define MSR_BITMAP_READ_LOW            0
#define MSR_BITMAP_READ_HIGH           1024
#define MSR_BITMAP_WRITE_LOW           2048
#define MSR_BITMAP_WRITE_HIGH          3072


#define RULE(first_, last_, name_, read_, write_, reason_) \
    { .first = (first_), .last = (last_), .name = (name_), .read = MSR_RULE_RD_##read_, \
      .write = MSR_RULE_WR_##write_, .reason = (reason_) }

/*
 * Sorted by MSR.  Unlisted MSRs pass through both ways; passthrough rows are
 * listed where the reason is worth reading.  "Passthrough" for an MSR inside
 * the bitmap ranges means the guest's RDMSR/WRMSR runs natively (no exit).
 */
static const struct msr_rule msr_rules[] = {
    RULE(MSR_IA32_TSC, MSR_IA32_TSC, "IA32_TSC", PASS, IGNORE,
         "the TSC is shared with Kestrel: a guest write would move Kestrel's clock"),
    RULE(MSR_IA32_APIC_BASE, MSR_IA32_APIC_BASE, "IA32_APIC_BASE", PASS, APIC_BASE,
         "the guest owns the LAPIC but may not move it over Kestrel's memory or disable it; "
         "it may switch it to x2APIC mode"),
    { .first = MSR_IA32_FEATURE_CONTROL, .last = MSR_IA32_FEATURE_CONTROL,
      .name = "IA32_FEATURE_CONTROL", .read = MSR_RULE_RD_CONST, .write = MSR_RULE_WR_GP,
      .read_value = FEATURE_CONTROL_LOCKED,
      .reason = "locked with VMX off: the guest sees no VMX; writing a locked register #GPs" },
    RULE(MSR_IA32_TSC_ADJUST, MSR_IA32_TSC_ADJUST, "IA32_TSC_ADJUST", PASS, IGNORE,
         "the TSC is shared with Kestrel: a guest write would move Kestrel's clock"),
    RULE(MSR_IA32_BIOS_UPDT_TRIG, MSR_IA32_BIOS_UPDT_TRIG, "IA32_BIOS_UPDT_TRIG", PASS, IGNORE,
         "microcode updates belong to the firmware, not the guest"),
    RULE(MSR_IA32_SMM_MONITOR_CTL, MSR_IA32_SMM_MONITOR_CTL, "IA32_SMM_MONITOR_CTL", GP, GP,
         "the dual-monitor SMM treatment is part of VMX/SMX, which the guest does not see"),
    { .first = MSR_IA32_MTRRCAP, .last = MSR_IA32_MTRRCAP, .name = "IA32_MTRRCAP",
      .read = MSR_RULE_RD_SHADOW, .write = MSR_RULE_WR_GP,
      .reason = "the host's value with VCNT capped at the shadow's 32 pairs; read-only" },
    RULE(MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_EIP, "IA32_SYSENTER_CS..EIP", PASS, PASS,
         "switched by the VMCS guest/host state"),
    RULE(MSR_IA32_DEBUGCTL, MSR_IA32_DEBUGCTL, "IA32_DEBUGCTL", PASS, PASS,
         "switched by the VMCS guest/host state"),
    RULE(MSR_IA32_MTRR_PHYSBASE0, MSR_IA32_MTRR_PHYSMASK31, "IA32_MTRR_PHYSBASE/PHYSMASK",
         SHADOW, SHADOW, "the real MTRRs describe memory for Kestrel too: the guest gets a copy"),
    RULE(MSR_IA32_MTRR_FIX64K_00000, MSR_IA32_MTRR_FIX64K_00000, "IA32_MTRR_FIX64K_00000",
         SHADOW, SHADOW, "the real MTRRs describe memory for Kestrel too: the guest gets a copy"),
    RULE(MSR_IA32_MTRR_FIX16K_80000, MSR_IA32_MTRR_FIX16K_A0000, "IA32_MTRR_FIX16K",
         SHADOW, SHADOW, "the real MTRRs describe memory for Kestrel too: the guest gets a copy"),
    RULE(MSR_IA32_MTRR_FIX4K_C0000, MSR_IA32_MTRR_FIX4K_F8000, "IA32_MTRR_FIX4K",
         SHADOW, SHADOW, "the real MTRRs describe memory for Kestrel too: the guest gets a copy"),
    RULE(MSR_IA32_PAT, MSR_IA32_PAT, "IA32_PAT", PASS, PASS,
         "switched by the VMCS guest/host state"),
    RULE(MSR_IA32_MTRR_DEF_TYPE, MSR_IA32_MTRR_DEF_TYPE, "IA32_MTRR_DEF_TYPE", SHADOW, SHADOW,
         "the real MTRRs describe memory for Kestrel too: the guest gets a copy"),
    RULE(MSR_IA32_FIXED_CTR_CTRL, MSR_IA32_PERF_GLOBAL_OVF_CTRL, "IA32_PERF_GLOBAL_*", PASS, PASS,
         "the PMU belongs to the guest; Kestrel does not count events"),
    RULE(MSR_IA32_VMX_BASIC, MSR_IA32_VMX_EXIT_CTLS2, "IA32_VMX_*", GP, GP,
         "VMX capability MSRs: the guest sees no VMX (CPUID.1:ECX.VMX is clear)"),
    RULE(MSR_X2APIC_BASE, MSR_X2APIC_LAST, "x2APIC registers", PASS, PASS,
         "the guest owns the LAPIC"),
    RULE(MSR_IA32_EFER, MSR_IA32_EFER, "IA32_EFER", PASS, PASS,
         "switched by the VMCS guest/host state"),
    RULE(MSR_IA32_STAR, MSR_IA32_FMASK, "IA32_STAR/LSTAR/CSTAR/FMASK", PASS, PASS,
         "guest-only: Kestrel never executes SYSCALL"),
    RULE(MSR_IA32_FS_BASE, MSR_IA32_GS_BASE, "IA32_FS_BASE/GS_BASE", PASS, PASS,
         "switched by the VMCS guest/host segment state"),
    RULE(MSR_IA32_KERNEL_GS_BASE, MSR_IA32_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE", PASS, PASS,
         "guest-only: Kestrel never executes SWAPGS"),
};

#define MSR_RULE_COUNT (sizeof(msr_rules) / sizeof(msr_rules[0]))

static const char *const unlisted_reason = "unlisted: passthrough";

/* ---- lookup ----------------------------------------------------------- */

const struct msr_rule *msr_policy_rules(size_t *count)
{
    *count = MSR_RULE_COUNT;
    return msr_rules;
}

const struct msr_rule *msr_policy_find(uint32_t msr)
{
    size_t lo = 0, hi = MSR_RULE_COUNT;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (msr < msr_rules[mid].first)
            hi = mid;
        else if (msr > msr_rules[mid].last)
            lo = mid + 1;
        else
            return &msr_rules[mid];
    }
    return NULL;
}

const char *msr_policy_name(uint32_t msr)
{
    const struct msr_rule *r = msr_policy_find(msr);

    return r != NULL ? r->name : "unlisted MSR";
}

/* ---- MTRR shadow -------------------------------------------------------- */

enum mtrr_kind { MTRR_NONE, MTRR_CAP, MTRR_DEF_TYPE, MTRR_FIXED, MTRR_VAR };

/* Which shadow field holds msr: kind and index into mtrr_fixed[]/mtrr_var[]. */
static enum mtrr_kind mtrr_classify(uint32_t msr, unsigned *index)
{
    *index = 0;
    if (msr == MSR_IA32_MTRRCAP)
        return MTRR_CAP;
    if (msr == MSR_IA32_MTRR_DEF_TYPE)
        return MTRR_DEF_TYPE;
    if (msr >= MSR_IA32_MTRR_PHYSBASE0 && msr <= MSR_IA32_MTRR_PHYSMASK31) {
        *index = msr - MSR_IA32_MTRR_PHYSBASE0;
        return MTRR_VAR;
    }
    for (unsigned i = 0; i < MSR_MTRR_FIXED_COUNT; i++) {
        if (mtrr_fixed_msrs[i] == msr) {
            *index = i;
            return MTRR_FIXED;
        }
    }
    return MTRR_NONE;
}

/* Does the (virtual) CPU have this MTRR?  Hardware #GPs on the others. */
static bool mtrr_exists(const struct msr_shadow *s, enum mtrr_kind kind, unsigned index,
                        const char **why)
{
    switch (kind) {
    case MTRR_CAP:
    case MTRR_DEF_TYPE:
        return true;
    case MTRR_FIXED:
        if (!(s->mtrr_cap & MTRRCAP_FIX)) {
            *why = "fixed-range MTRRs are not supported (MTRRCAP.FIX is clear)";
            return false;
        }
        return true;
    case MTRR_VAR:
        if (index / 2 >= (s->mtrr_cap & MTRRCAP_VCNT_MASK)) {
            *why = "variable MTRR beyond MTRRCAP.VCNT";
            return false;
        }
        return true;
    case MTRR_NONE:
        break;
    }
    *why = "not an MTRR";
    return false;
}

static uint64_t shadow_get(const struct msr_shadow *s, enum mtrr_kind kind, unsigned index)
{
    switch (kind) {
    case MTRR_CAP:      return s->mtrr_cap;
    case MTRR_DEF_TYPE: return s->mtrr_def_type;
    case MTRR_FIXED:    return s->mtrr_fixed[index];
    case MTRR_VAR:      return s->mtrr_var[index];
    case MTRR_NONE:     break;
    }
    return 0;
}

static void shadow_put(struct msr_shadow *s, enum mtrr_kind kind, unsigned index, uint64_t value)
{
    switch (kind) {
    case MTRR_DEF_TYPE: s->mtrr_def_type = value; break;
    case MTRR_FIXED:    s->mtrr_fixed[index] = value; break;
    case MTRR_VAR:      s->mtrr_var[index] = value; break;
    case MTRR_CAP:
    case MTRR_NONE:     break;
    }
}

/* UC, WC, WT, WP, WB; 2, 3 and 7+ are reserved encodings (SDM vol. 3A, "MTRR types"). */
static bool mtrr_type_valid(uint64_t type)
{
    return type == 0 || type == 1 || type == 4 || type == 5 || type == 6;
}

/* Bits at and above MAXPHYADDR are reserved in PHYSBASE/PHYSMASK. */
static uint64_t above_maxphyaddr(const struct msr_shadow *s)
{
    return ~((1ull << s->phys_addr_bits) - 1);
}

/* NULL if value may be written to the MTRR, else why not. */
static const char *mtrr_value_problem(const struct msr_shadow *s, enum mtrr_kind kind,
                                      unsigned index, uint64_t value)
{
    switch (kind) {
    case MTRR_DEF_TYPE:
        if (value & ~(MTRR_DEF_TYPE_TYPE_MASK | MTRR_DEF_TYPE_FE | MTRR_DEF_TYPE_E))
            return "IA32_MTRR_DEF_TYPE: reserved bits set";
        if (!mtrr_type_valid(value & MTRR_DEF_TYPE_TYPE_MASK))
            return "IA32_MTRR_DEF_TYPE: invalid memory type";
        return NULL;
    case MTRR_FIXED:
        for (unsigned byte = 0; byte < 8; byte++) {
            if (!mtrr_type_valid((value >> (8 * byte)) & 0xff))
                return "fixed-range MTRR: invalid memory type";
        }
        return NULL;
    case MTRR_VAR:
        if (index % 2 == 0) {
            if (value & (MTRR_PHYSBASE_RESERVED_LOW | above_maxphyaddr(s)))
                return "IA32_MTRR_PHYSBASE: reserved bits set";
            if (!mtrr_type_valid(value & MTRR_PHYSBASE_TYPE_MASK))
                return "IA32_MTRR_PHYSBASE: invalid memory type";
        } else if (value & (MTRR_PHYSMASK_RESERVED_LOW | above_maxphyaddr(s))) {
            return "IA32_MTRR_PHYSMASK: reserved bits set";
        }
        return NULL;
    case MTRR_CAP:
        return "IA32_MTRRCAP is read-only";
    case MTRR_NONE:
        break;
    }
    return "not an MTRR";
}

void msr_shadow_init(struct msr_shadow *s, unsigned phys_addr_bits, msr_host_read_fn read_host,
                     void *ctx)
{
    uint64_t cap = read_host(MSR_IA32_MTRRCAP, ctx);
    uint64_t vcnt = cap & MTRRCAP_VCNT_MASK;

    *s = (struct msr_shadow){ 0 };
    if (phys_addr_bits == 0)
        phys_addr_bits = MAXPHYADDR_DEFAULT;
    if (phys_addr_bits > MAXPHYADDR_LIMIT)
        phys_addr_bits = MAXPHYADDR_LIMIT;
    s->phys_addr_bits = (uint8_t)phys_addr_bits;

    if (vcnt > MSR_MTRR_VAR_PAIRS_MAX)
        vcnt = MSR_MTRR_VAR_PAIRS_MAX;
    s->mtrr_cap = (cap & ~MTRRCAP_VCNT_MASK) | vcnt;
    s->mtrr_def_type = read_host(MSR_IA32_MTRR_DEF_TYPE, ctx);
    if (cap & MTRRCAP_FIX) {
        for (unsigned i = 0; i < MSR_MTRR_FIXED_COUNT; i++)
            s->mtrr_fixed[i] = read_host(mtrr_fixed_msrs[i], ctx);
    }
    for (unsigned i = 0; i < 2 * vcnt; i++)
        s->mtrr_var[i] = read_host(MSR_IA32_MTRR_PHYSBASE0 + i, ctx);
}

/* ---- IA32_APIC_BASE ------------------------------------------------------ */

static enum msr_write_action apic_base_write(uint64_t value, uint64_t current, const char **why)
{
    uint64_t changed = value ^ current;

    if (changed == 0) {
        *why = "IA32_APIC_BASE: unchanged";
        return MSR_WRITE_PASSTHROUGH;
    }
    if (changed & APIC_BASE_ADDR_MASK) {
        *why = "IA32_APIC_BASE: moving the LAPIC is refused (it could cover Kestrel's memory)";
        return MSR_WRITE_GP;
    }
    if (changed & APIC_BASE_BSP) {
        *why = "IA32_APIC_BASE: the BSP flag is fixed";
        return MSR_WRITE_GP;
    }
    if (changed & ~(APIC_BASE_GLOBAL_ENABLE | APIC_BASE_X2APIC_ENABLE)) {
        *why = "IA32_APIC_BASE: reserved bits changed";
        return MSR_WRITE_GP;
    }
    /* The guest owns its LAPIC, including its mode: a guest without
     * interrupt remapping (Linux) leaves the x2APIC mode firmware chose by
     * disabling the LAPIC and enabling it as xAPIC.  Only the transitions
     * the SDM forbids (vol. 3A, "x2APIC state transitions") are refused,
     * as the CPU would refuse them. */
    bool en = (value & APIC_BASE_GLOBAL_ENABLE) != 0, extd = (value & APIC_BASE_X2APIC_ENABLE) != 0;
    bool was_x2apic = (current & APIC_BASE_GLOBAL_ENABLE) && (current & APIC_BASE_X2APIC_ENABLE);
    if (extd && !en) {
        *why = "IA32_APIC_BASE: x2APIC enable without the global enable is invalid";
        return MSR_WRITE_GP;
    }
    if (was_x2apic && en && !extd) {
        *why = "IA32_APIC_BASE: x2APIC to xAPIC directly is invalid (disable the LAPIC first)";
        return MSR_WRITE_GP;
    }
    *why = !en ? "IA32_APIC_BASE: the guest disables its LAPIC"
         : extd ? "IA32_APIC_BASE: switches the LAPIC to x2APIC mode"
                : "IA32_APIC_BASE: enables the LAPIC in xAPIC mode";
    return MSR_WRITE_PASSTHROUGH;
}

/* ---- decisions ----------------------------------------------------------- */

enum msr_read_action msr_policy_read(uint32_t msr, const struct msr_shadow *shadow,
                                     uint64_t *value)
{
    const struct msr_rule *r = msr_policy_find(msr);
    enum mtrr_kind kind;
    unsigned index;
    const char *why;

    if (r == NULL)
        return MSR_READ_PASSTHROUGH;
    switch (r->read) {
    case MSR_RULE_RD_PASS:
        return MSR_READ_PASSTHROUGH;
    case MSR_RULE_RD_CONST:
        *value = r->read_value;
        return MSR_READ_EMULATE;
    case MSR_RULE_RD_SHADOW:
        kind = mtrr_classify(msr, &index);
        if (!mtrr_exists(shadow, kind, index, &why))
            return MSR_READ_GP;
        *value = shadow_get(shadow, kind, index);
        return MSR_READ_EMULATE;
    case MSR_RULE_RD_GP:
        return MSR_READ_GP;
    }
    return MSR_READ_GP;
}

enum msr_write_action msr_policy_write(uint32_t msr, uint64_t value, uint64_t current_host_value,
                                       struct msr_shadow *shadow, const char **reason)
{
    const struct msr_rule *r = msr_policy_find(msr);
    const char *why = r != NULL ? r->reason : unlisted_reason;
    enum msr_write_action action = MSR_WRITE_GP;
    enum mtrr_kind kind;
    unsigned index;
    const char *problem;

    if (r == NULL) {
        action = MSR_WRITE_PASSTHROUGH;
    } else {
        switch (r->write) {
        case MSR_RULE_WR_PASS:
            action = MSR_WRITE_PASSTHROUGH;
            break;
        case MSR_RULE_WR_IGNORE:
            action = MSR_WRITE_IGNORE;
            break;
        case MSR_RULE_WR_SHADOW:
            kind = mtrr_classify(msr, &index);
            if (!mtrr_exists(shadow, kind, index, &why))
                break;
            problem = mtrr_value_problem(shadow, kind, index, value);
            if (problem != NULL) {
                why = problem;
                break;
            }
            shadow_put(shadow, kind, index, value);
            action = MSR_WRITE_EMULATE;
            break;
        case MSR_RULE_WR_APIC_BASE:
            action = apic_base_write(value, current_host_value, &why);
            break;
        case MSR_RULE_WR_GP:
            break;
        }
    }
    if (reason != NULL)
        *reason = why;
    return action;
}

/* ---- the bitmap ---------------------------------------------------------- */

static bool in_bitmap_range(uint32_t msr)
{
    return msr <= MSR_BITMAP_LOW_LAST ||
           (msr >= MSR_BITMAP_HIGH_FIRST && msr <= MSR_BITMAP_HIGH_LAST);
}

/* Byte offset of msr's bit in the bitmap (msr must be in a bitmap range). */
static unsigned bitmap_byte(uint32_t msr, bool write)
{
    unsigned base;

    if (msr <= MSR_BITMAP_LOW_LAST)
        base = write ? MSR_BITMAP_WRITE_LOW : MSR_BITMAP_READ_LOW;
    else
        base = write ? MSR_BITMAP_WRITE_HIGH : MSR_BITMAP_READ_HIGH;
    return base + (msr & 0x1fff) / 8;
}

bool msr_policy_intercepts_read(uint32_t msr)
{
    const struct msr_rule *r = msr_policy_find(msr);

    return !in_bitmap_range(msr) || (r != NULL && r->read != MSR_RULE_RD_PASS);
}

bool msr_policy_intercepts_write(uint32_t msr)
{
    const struct msr_rule *r = msr_policy_find(msr);

    return !in_bitmap_range(msr) || (r != NULL && r->write != MSR_RULE_WR_PASS);
}

void msr_bitmap_build(uint8_t bitmap[MSR_BITMAP_SIZE])
{
    for (unsigned i = 0; i < MSR_BITMAP_SIZE; i++)
        bitmap[i] = 0;
    for (size_t i = 0; i < MSR_RULE_COUNT; i++) {
        const struct msr_rule *r = &msr_rules[i];

        for (uint32_t msr = r->first;; msr++) {
            if (in_bitmap_range(msr)) {
                if (r->read != MSR_RULE_RD_PASS)
                    bitmap[bitmap_byte(msr, false)] |= (uint8_t)(1u << (msr & 7));
                if (r->write != MSR_RULE_WR_PASS)
                    bitmap[bitmap_byte(msr, true)] |= (uint8_t)(1u << (msr & 7));
            }
            if (msr == r->last)
                break;
        }
    }
}

bool msr_bitmap_exits(const uint8_t bitmap[MSR_BITMAP_SIZE], uint32_t msr, bool write)
{
    if (!in_bitmap_range(msr))
        return true;
    return (bitmap[bitmap_byte(msr, write)] >> (msr & 7)) & 1;
}

/* ---- table check --------------------------------------------------------- */

static bool fail(size_t index, const char *what, size_t *bad, const char **problem)
{
    *bad = index;
    *problem = what;
    return false;
}

bool msr_rules_check(const struct msr_rule *rules, size_t count, size_t *bad,
                     const char **problem)
{
    for (size_t i = 0; i < count; i++) {
        const struct msr_rule *r = &rules[i];
        bool shadowed = r->read == MSR_RULE_RD_SHADOW || r->write == MSR_RULE_WR_SHADOW;

        if (r->name == NULL || r->name[0] == '\0')
            return fail(i, "rule has no name", bad, problem);
        if (r->reason == NULL || r->reason[0] == '\0')
            return fail(i, "rule has no reason", bad, problem);
        if (r->first > r->last)
            return fail(i, "rule's range is empty (first > last)", bad, problem);
        if (i > 0 && r->first <= rules[i - 1].last)
            return fail(i, "rule overlaps or precedes the one before (table must be sorted)",
                        bad, problem);
        if (r->read != MSR_RULE_RD_CONST && r->read_value != 0)
            return fail(i, "read_value set on a rule that does not read a constant", bad,
                        problem);
        if (r->write == MSR_RULE_WR_APIC_BASE &&
            (r->first != MSR_IA32_APIC_BASE || r->last != MSR_IA32_APIC_BASE))
            return fail(i, "IA32_APIC_BASE check on another MSR", bad, problem);
        for (uint32_t msr = r->first; shadowed; msr++) {
            unsigned index;

            if (mtrr_classify(msr, &index) == MTRR_NONE)
                return fail(i, "shadowed rule covers an MSR with no shadow slot", bad, problem);
            if (msr == r->last)
                break;
        }
    }
    *bad = 0;
    *problem = "";
    return true;
}

bool msr_policy_check(size_t *bad, const char **problem)
{
    return msr_rules_check(msr_rules, MSR_RULE_COUNT, bad, problem);
}
