/*
 * VM-entry checks on the guest-state area (Intel SDM vol. 3C 27.3.1).
 *
 * Every check is one row of rules[] below, in the SDM's order, worded as the
 * failure it reports.  A row either looks at the whole state (state_ok) or is
 * applied to a set of segment registers (seg_ok, once per register), in which
 * case the failure names that register's field.
 *
 * Not checked, for want of the fields or of CPUID data: the SSP/S_CET checks
 * of "load CET state", IA32_RTIT_CTL, IA32_LBR_CTL, PKRS, the PDPTEs
 * (27.3.1.6), the shadow-VMCS link-pointer checks (Kestrel requires the link
 * pointer to be unused), and the CPUID-dependent parts of the SGX and RTM
 * checks.  Model-specific reserved bits (IA32_DEBUGCTL,
 * IA32_PERF_GLOBAL_CTRL) are checked against the bits no processor defines.
 */
#include "vmx/guest_state_check.h"

#include <stddef.h>

/* Bits that no processor defines (see the comment at the top of the file). */
#define DEBUGCTL_RESERVED   0xffffffffffff0038ull  /* 63:16 and 5:3 */
#define PERF_GLOBAL_CTRL_RESERVED 0xfffe000000000000ull  /* 63:49 */
#define EFER_DEFINED        (GSC_EFER_SCE | GSC_EFER_LME | GSC_EFER_LMA | GSC_EFER_NXE)
#define BNDCFGS_RESERVED    0xffcull               /* 11:2 */
#define AR_RESERVED_11_8    0xf00u
#define AR_RESERVED_31_17   0xfffe0000u
#define RFLAGS_RESERVED     0xffffffffffc08028ull  /* 63:22, 15, 5, 3 */
#define INTERRUPTIBILITY_RESERVED 0xffffffe0u      /* 31:5 */
#define PENDING_DBG_RESERVED 0xfffffffffffeaff0ull /* 63:17, 15, 13, 11:4 */
#define V86_ACCESS_RIGHTS   0xf3u   /* present, DPL 3, read/write accessed data */
#define V86_LIMIT           0xffffu

#define TYPE_DATA_RW_ACCESSED      3u
#define TYPE_DATA_RW_DOWN_ACCESSED 7u
#define TYPE_LDT                   2u
#define TYPE_TSS16_BUSY            3u
#define TYPE_TSS_BUSY              11u  /* 32-bit, or 64-bit in IA-32e mode */
#define TYPE_CODE                  8u   /* type bit 3 in a code/data segment */
#define TYPE_READABLE              2u   /* type bit 1 in a code segment */
#define TYPE_ACCESSED              1u

#define VECTOR_DB 1u
#define VECTOR_MC 18u

/* What the rules read, with the conditions the SDM names computed once. */
struct ctx {
    const struct gsc_guest_state *g;
    const struct gsc_controls *c;
    bool ia32e;       /* "the guest will be IA-32e mode" */
    bool ug;          /* "unrestricted guest" (a secondary control: needs activation) */
    bool v86;         /* "the guest will be virtual-8086": RFLAGS.VM */
    bool inject;      /* the VM-entry interruption-information field is valid */
    unsigned intr_type, vector;
    unsigned la_bits; /* linear-address width canonical checks use */
};

/* ---- helpers --------------------------------------------------------------- */

static bool is_canonical(uint64_t v, unsigned bits)
{
    uint64_t top = v >> (bits - 1);  /* bits 63:bits-1 must be all equal */

    return top == 0 || top == UINT64_MAX >> (bits - 1);
}

static uint32_t ar(const struct ctx *x, enum gsc_seg s) { return x->g->seg[s].access_rights; }
static unsigned type(const struct ctx *x, enum gsc_seg s) { return ar(x, s) & GSC_AR_TYPE_MASK; }

static unsigned dpl(const struct ctx *x, enum gsc_seg s)
{
    return (ar(x, s) & GSC_AR_DPL_MASK) >> GSC_AR_DPL_SHIFT;
}

static unsigned rpl(const struct ctx *x, enum gsc_seg s)
{
    return x->g->seg[s].selector & GSC_SEL_RPL_MASK;
}

static bool usable(const struct ctx *x, enum gsc_seg s) { return !(ar(x, s) & GSC_AR_UNUSABLE); }

/*
 * Whether the access-rights sub-field checks apply to a register: CS always
 * and the other five only if usable, neither in virtual-8086 mode (where the
 * field must be F3H instead); TR always; LDTR if usable.
 */
static bool ar_checked(const struct ctx *x, enum gsc_seg s)
{
    switch (s) {
    case GSC_TR:
        return true;
    case GSC_LDTR:
        return usable(x, s);
    case GSC_CS:
        return !x->v86;
    default:
        return !x->v86 && usable(x, s);
    }
}

static bool injecting(const struct ctx *x, unsigned intr_type)
{
    return x->inject && x->intr_type == intr_type;
}

static bool cs_long_mode(const struct ctx *x)
{
    return x->ia32e && (ar(x, GSC_CS) & GSC_AR_L);
}

/* ---- 27.3.1.1 control registers, debug registers and MSRs ------------------ */

static bool cr0_fixed0(const struct ctx *x)
{
    uint64_t must_be_1 = x->c->cr0_fixed0;

    if (x->ug)  /* an unrestricted guest may run unpaged or in real mode */
        must_be_1 &= ~(GSC_CR0_PE | GSC_CR0_PG);
    return (x->g->cr0 & must_be_1) == must_be_1;
}

/* Bits 63:32 are their own rule, so only 31:0 are compared here. */

static bool cr0_fixed1(const struct ctx *x)
{
    return (x->g->cr0 & ~x->c->cr0_fixed1 & 0xffffffffull) == 0;
}

static bool cr0_high(const struct ctx *x) { return (x->g->cr0 >> 32) == 0; }

static bool cr0_pg_pe(const struct ctx *x)
{
    return !(x->g->cr0 & GSC_CR0_PG) || (x->g->cr0 & GSC_CR0_PE);
}

static bool cr4_fixed0(const struct ctx *x)
{
    return (x->g->cr4 & x->c->cr4_fixed0) == x->c->cr4_fixed0;
}

static bool cr4_fixed1(const struct ctx *x) { return (x->g->cr4 & ~x->c->cr4_fixed1) == 0; }

static bool cr4_cet_wp(const struct ctx *x)
{
    return !(x->g->cr4 & GSC_CR4_CET) || (x->g->cr0 & GSC_CR0_WP);
}

static bool debugctl_reserved(const struct ctx *x)
{
    return !(x->c->entry & GSC_ENTRY_LOAD_DEBUG_CONTROLS) ||
           (x->g->debugctl & DEBUGCTL_RESERVED) == 0;
}

static bool ia32e_pg(const struct ctx *x) { return !x->ia32e || (x->g->cr0 & GSC_CR0_PG); }
static bool ia32e_pae(const struct ctx *x) { return !x->ia32e || (x->g->cr4 & GSC_CR4_PAE); }

static bool pcide_needs_ia32e(const struct ctx *x)
{
    return x->ia32e || !(x->g->cr4 & GSC_CR4_PCIDE);
}

static bool cr3_width(const struct ctx *x)
{
    unsigned bits = x->c->phys_addr_bits;

    if (bits == 0 || bits > 52)
        bits = 52;
    return (x->g->cr3 >> bits) == 0;
}

static bool dr7_high(const struct ctx *x)
{
    return !(x->c->entry & GSC_ENTRY_LOAD_DEBUG_CONTROLS) || (x->g->dr7 >> 32) == 0;
}

static bool sysenter_esp(const struct ctx *x)
{
    return is_canonical(x->g->sysenter_esp, x->la_bits);
}

static bool sysenter_eip(const struct ctx *x)
{
    return is_canonical(x->g->sysenter_eip, x->la_bits);
}

static bool perf_global_ctrl(const struct ctx *x)
{
    return !(x->c->entry & GSC_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL) ||
           (x->g->perf_global_ctrl & PERF_GLOBAL_CTRL_RESERVED) == 0;
}

/* Each byte one of UC (0), WC (1), WT (4), WP (5), WB (6), UC- (7). */
static bool pat_types(const struct ctx *x)
{
    if (!(x->c->entry & GSC_ENTRY_LOAD_IA32_PAT))
        return true;
    for (unsigned i = 0; i < 8; i++) {
        unsigned t = (x->g->pat >> (8 * i)) & 0xff;

        if (t == 2 || t == 3 || t > 7)
            return false;
    }
    return true;
}

static bool loads_efer(const struct ctx *x) { return x->c->entry & GSC_ENTRY_LOAD_IA32_EFER; }

static bool efer_reserved(const struct ctx *x)
{
    return !loads_efer(x) || (x->g->efer & ~EFER_DEFINED) == 0;
}

static bool efer_lma(const struct ctx *x)
{
    return !loads_efer(x) || !!(x->g->efer & GSC_EFER_LMA) == x->ia32e;
}

static bool efer_lme(const struct ctx *x)
{
    return !loads_efer(x) || !(x->g->cr0 & GSC_CR0_PG) ||
           !!(x->g->efer & GSC_EFER_LME) == !!(x->g->efer & GSC_EFER_LMA);
}

static bool loads_bndcfgs(const struct ctx *x) { return x->c->entry & GSC_ENTRY_LOAD_IA32_BNDCFGS; }

static bool bndcfgs_reserved(const struct ctx *x)
{
    return !loads_bndcfgs(x) || (x->g->bndcfgs & BNDCFGS_RESERVED) == 0;
}

static bool bndcfgs_base(const struct ctx *x)
{
    return !loads_bndcfgs(x) || is_canonical(x->g->bndcfgs & ~0xfffull, x->la_bits);
}

/* ---- 27.3.1.2 segment registers: selectors ---------------------------------- */

static bool sel_ti_clear(const struct ctx *x, enum gsc_seg s)
{
    return (s == GSC_LDTR && !usable(x, s)) || !(x->g->seg[s].selector & GSC_SEL_TI);
}

static bool ss_rpl_cs_rpl(const struct ctx *x, enum gsc_seg s)
{
    return x->v86 || x->ug || rpl(x, s) == rpl(x, GSC_CS);
}

/* ---- segment registers: bases -------------------------------------------- */

static bool v86_base(const struct ctx *x, enum gsc_seg s)
{
    return !x->v86 || x->g->seg[s].base == (uint64_t)x->g->seg[s].selector << 4;
}

static bool base_canonical(const struct ctx *x, enum gsc_seg s)
{
    return (s == GSC_LDTR && !usable(x, s)) || is_canonical(x->g->seg[s].base, x->la_bits);
}

static bool base_high_zero(const struct ctx *x, enum gsc_seg s)
{
    return (s != GSC_CS && !usable(x, s)) || (x->g->seg[s].base >> 32) == 0;
}

/* ---- segment registers: limits ------------------------------------------- */

static bool v86_limit(const struct ctx *x, enum gsc_seg s)
{
    return !x->v86 || x->g->seg[s].limit == V86_LIMIT;
}

/* ---- segment registers: access rights -------------------------------------- */

static bool v86_ar(const struct ctx *x, enum gsc_seg s)
{
    return !x->v86 || ar(x, s) == V86_ACCESS_RIGHTS;
}

/* Accessed code (9, 11, 13, 15), or accessed read/write data (3) for an
 * unrestricted guest running real-mode code. */
static bool cs_type(const struct ctx *x, enum gsc_seg s)
{
    unsigned t = type(x, s);

    if (!ar_checked(x, s))
        return true;
    return t == 9 || t == 11 || t == 13 || t == 15 || (x->ug && t == TYPE_DATA_RW_ACCESSED);
}

static bool ss_type(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || type(x, s) == TYPE_DATA_RW_ACCESSED ||
           type(x, s) == TYPE_DATA_RW_DOWN_ACCESSED;
}

static bool data_accessed(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || (type(x, s) & TYPE_ACCESSED);
}

static bool data_code_readable(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || !(type(x, s) & TYPE_CODE) || (type(x, s) & TYPE_READABLE);
}

static bool s_set(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || (ar(x, s) & GSC_AR_S);
}

static bool cs_dpl_type3(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || type(x, s) != TYPE_DATA_RW_ACCESSED || dpl(x, s) == 0;
}

static bool cs_dpl_nonconforming(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || (type(x, s) != 9 && type(x, s) != 11) ||
           dpl(x, s) == dpl(x, GSC_SS);
}

static bool cs_dpl_conforming(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || (type(x, s) != 13 && type(x, s) != 15) ||
           dpl(x, s) <= dpl(x, GSC_SS);
}

/* The SS DPL rules hold whether or not SS is usable. */
static bool ss_dpl_rpl(const struct ctx *x, enum gsc_seg s)
{
    return x->v86 || x->ug || dpl(x, s) == rpl(x, s);
}

static bool ss_dpl_zero(const struct ctx *x, enum gsc_seg s)
{
    bool must_be_0 = type(x, GSC_CS) == TYPE_DATA_RW_ACCESSED || !(x->g->cr0 & GSC_CR0_PE);

    return x->v86 || !must_be_0 || dpl(x, s) == 0;
}

/* Data and non-conforming code (types 0-11): DPL >= RPL. */
static bool data_dpl_rpl(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || x->ug || type(x, s) > 11 || dpl(x, s) >= rpl(x, s);
}

static bool present(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || (ar(x, s) & GSC_AR_P);
}

static bool ar_11_8(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || !(ar(x, s) & AR_RESERVED_11_8);
}

static bool cs_db_long(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || !cs_long_mode(x) || !(ar(x, s) & GSC_AR_DB);
}

/* A limit not ending in FFFH cannot be in 4-KiB units. */
static bool g_low(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || (x->g->seg[s].limit & 0xfff) == 0xfff || !(ar(x, s) & GSC_AR_G);
}

/* A limit above FFFFFH can only be in 4-KiB units. */
static bool g_high(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || (x->g->seg[s].limit & 0xfff00000u) == 0 || (ar(x, s) & GSC_AR_G);
}

static bool ar_31_17(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || !(ar(x, s) & AR_RESERVED_31_17);
}

static bool tr_type(const struct ctx *x, enum gsc_seg s)
{
    if (x->ia32e)
        return type(x, s) == TYPE_TSS_BUSY;
    return type(x, s) == TYPE_TSS16_BUSY || type(x, s) == TYPE_TSS_BUSY;
}

static bool system_s_clear(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || !(ar(x, s) & GSC_AR_S);
}

static bool tr_usable(const struct ctx *x, enum gsc_seg s) { return usable(x, s); }

static bool ldtr_type(const struct ctx *x, enum gsc_seg s)
{
    return !ar_checked(x, s) || type(x, s) == TYPE_LDT;
}

/* ---- 27.3.1.3 descriptor-table registers ----------------------------------- */

static bool gdtr_base(const struct ctx *x) { return is_canonical(x->g->gdtr_base, x->la_bits); }
static bool idtr_base(const struct ctx *x) { return is_canonical(x->g->idtr_base, x->la_bits); }
static bool gdtr_limit(const struct ctx *x) { return (x->g->gdtr_limit >> 16) == 0; }
static bool idtr_limit(const struct ctx *x) { return (x->g->idtr_limit >> 16) == 0; }

/* ---- 27.3.1.4 RIP and RFLAGS ------------------------------------------------ */

static bool rip_high(const struct ctx *x) { return cs_long_mode(x) || (x->g->rip >> 32) == 0; }

static bool rip_canonical(const struct ctx *x)
{
    return !cs_long_mode(x) || is_canonical(x->g->rip, x->la_bits);
}

static bool rflags_reserved(const struct ctx *x) { return (x->g->rflags & RFLAGS_RESERVED) == 0; }
static bool rflags_fixed1(const struct ctx *x) { return x->g->rflags & GSC_RFLAGS_FIXED1; }

static bool rflags_vm(const struct ctx *x)
{
    return !x->v86 || (!x->ia32e && (x->g->cr0 & GSC_CR0_PE));
}

static bool rflags_if(const struct ctx *x)
{
    return !injecting(x, GSC_INTR_TYPE_EXT_INTR) || (x->g->rflags & GSC_RFLAGS_IF);
}

/* ---- 27.3.1.5 non-register state: activity state --------------------------- */

static bool activity_range(const struct ctx *x)
{
    return x->g->activity_state <= GSC_ACTIVITY_WAIT_SIPI;
}

static bool activity_supported(const struct ctx *x)
{
    unsigned a = x->g->activity_state;

    /* HLT, shutdown and wait-for-SIPI are IA32_VMX_MISC bits 6, 7, 8. */
    return a == GSC_ACTIVITY_ACTIVE || a > GSC_ACTIVITY_WAIT_SIPI ||
           (x->c->vmx_misc & GSC_BIT(5 + a));
}

static bool activity_hlt_dpl(const struct ctx *x)
{
    return x->g->activity_state != GSC_ACTIVITY_HLT || dpl(x, GSC_SS) == 0;
}

static bool blocking_sti_or_mov_ss(const struct ctx *x)
{
    return x->g->interruptibility & (GSC_INTR_BLOCKING_BY_STI | GSC_INTR_BLOCKING_BY_MOV_SS);
}

static bool activity_blocking(const struct ctx *x)
{
    return !blocking_sti_or_mov_ss(x) || x->g->activity_state == GSC_ACTIVITY_ACTIVE;
}

/* The events an inactive state lets through, and so the only ones that may be
 * injected into it. */
static bool activity_event(const struct ctx *x)
{
    bool hw = x->intr_type == GSC_INTR_TYPE_HARD_EXCEPTION;

    if (!x->inject)
        return true;
    switch (x->g->activity_state) {
    case GSC_ACTIVITY_HLT:
        return x->intr_type == GSC_INTR_TYPE_EXT_INTR || x->intr_type == GSC_INTR_TYPE_NMI ||
               (hw && (x->vector == VECTOR_DB || x->vector == VECTOR_MC)) ||
               (x->intr_type == GSC_INTR_TYPE_OTHER_EVENT && x->vector == 0);  /* pending MTF */
    case GSC_ACTIVITY_SHUTDOWN:
        return x->intr_type == GSC_INTR_TYPE_NMI || (hw && x->vector == VECTOR_MC);
    case GSC_ACTIVITY_WAIT_SIPI:
        return false;
    default:
        return true;  /* active; or out of range, which has its own rule */
    }
}

static bool activity_wait_sipi_smm(const struct ctx *x)
{
    return !(x->c->entry & GSC_ENTRY_TO_SMM) || x->g->activity_state != GSC_ACTIVITY_WAIT_SIPI;
}

/* ---- non-register state: interruptibility state ---------------------------- */

static bool blocked_by(const struct ctx *x, uint32_t bits) { return x->g->interruptibility & bits; }

static bool intr_reserved(const struct ctx *x) { return !blocked_by(x, INTERRUPTIBILITY_RESERVED); }

static bool intr_sti_mov_ss(const struct ctx *x)
{
    return !blocked_by(x, GSC_INTR_BLOCKING_BY_STI) || !blocked_by(x, GSC_INTR_BLOCKING_BY_MOV_SS);
}

static bool intr_sti_if(const struct ctx *x)
{
    return !blocked_by(x, GSC_INTR_BLOCKING_BY_STI) || (x->g->rflags & GSC_RFLAGS_IF);
}

static bool intr_ext_intr(const struct ctx *x)
{
    return !injecting(x, GSC_INTR_TYPE_EXT_INTR) || !blocking_sti_or_mov_ss(x);
}

static bool intr_nmi_mov_ss(const struct ctx *x)
{
    return !injecting(x, GSC_INTR_TYPE_NMI) || !blocked_by(x, GSC_INTR_BLOCKING_BY_MOV_SS);
}

/* Kestrel never executes VM entry in SMM (and so never uses "entry to SMM"). */
static bool intr_smi(const struct ctx *x) { return !blocked_by(x, GSC_INTR_BLOCKING_BY_SMI); }

/* Older editions: "a processor may require" this; current ones require it. */
static bool intr_nmi_sti(const struct ctx *x)
{
    return !injecting(x, GSC_INTR_TYPE_NMI) || !blocked_by(x, GSC_INTR_BLOCKING_BY_STI);
}

static bool intr_virtual_nmi(const struct ctx *x)
{
    return !(x->c->pin & GSC_PIN_VIRTUAL_NMIS) || !injecting(x, GSC_INTR_TYPE_NMI) ||
           !blocked_by(x, GSC_INTR_BLOCKING_BY_NMI);
}

static bool intr_enclave(const struct ctx *x)
{
    return !blocked_by(x, GSC_INTR_ENCLAVE_INTERRUPTION) ||
           !blocked_by(x, GSC_INTR_BLOCKING_BY_MOV_SS);
}

/* ---- non-register state: pending debug exceptions --------------------------- */

static bool pending_reserved(const struct ctx *x)
{
    return (x->g->pending_dbg & PENDING_DBG_RESERVED) == 0;
}

/* BS must say whether a single-step trap is pending, when one could be:
 * the guest is blocked by STI or MOV SS, or halted. */
static bool bs_matters(const struct ctx *x)
{
    return blocking_sti_or_mov_ss(x) || x->g->activity_state == GSC_ACTIVITY_HLT;
}

static bool single_stepping(const struct ctx *x)
{
    return (x->g->rflags & GSC_RFLAGS_TF) && !(x->g->debugctl & GSC_DEBUGCTL_BTF);
}

static bool pending_bs_set(const struct ctx *x)
{
    return !bs_matters(x) || !single_stepping(x) || (x->g->pending_dbg & GSC_PENDING_DBG_BS);
}

static bool pending_bs_clear(const struct ctx *x)
{
    return !bs_matters(x) || single_stepping(x) || !(x->g->pending_dbg & GSC_PENDING_DBG_BS);
}

static bool rtm(const struct ctx *x) { return x->g->pending_dbg & GSC_PENDING_DBG_RTM; }

static bool pending_rtm_bits(const struct ctx *x)
{
    return !rtm(x) || (x->g->pending_dbg & (GSC_PENDING_DBG_B0_B3 | GSC_PENDING_DBG_BS)) == 0;
}

static bool pending_rtm_bit12(const struct ctx *x)
{
    return !rtm(x) || (x->g->pending_dbg & GSC_PENDING_DBG_ENABLED_BP);
}

static bool pending_rtm_mov_ss(const struct ctx *x)
{
    return !rtm(x) || !blocked_by(x, GSC_INTR_BLOCKING_BY_MOV_SS);
}

/* ---- non-register state: VMCS link pointer ---------------------------------- */

static bool link_pointer(const struct ctx *x)
{
    return x->g->vmcs_link_pointer == GSC_VMCS_LINK_POINTER_NONE;
}

/* ---- the table ------------------------------------------------------------------ */

enum seg_field { F_SELECTOR, F_BASE, F_LIMIT, F_AR, F_COUNT };

#define SEG_FIELDS(S) { "GUEST_" #S "_SELECTOR", "GUEST_" #S "_BASE", "GUEST_" #S "_LIMIT", \
                        "GUEST_" #S "_ACCESS_RIGHTS" }

static const char *const seg_field_names[GSC_SEG_COUNT][F_COUNT] = {
    [GSC_ES] = SEG_FIELDS(ES),     [GSC_CS] = SEG_FIELDS(CS), [GSC_SS] = SEG_FIELDS(SS),
    [GSC_DS] = SEG_FIELDS(DS),     [GSC_FS] = SEG_FIELDS(FS), [GSC_GS] = SEG_FIELDS(GS),
    [GSC_LDTR] = SEG_FIELDS(LDTR), [GSC_TR] = SEG_FIELDS(TR),
};

#define SEG(s) (1u << GSC_##s)
#define CS_SS_DS_ES_FS_GS (SEG(CS) | SEG(SS) | SEG(DS) | SEG(ES) | SEG(FS) | SEG(GS))
#define DS_ES_FS_GS       (SEG(DS) | SEG(ES) | SEG(FS) | SEG(GS))
#define ALL_SEGS          (CS_SS_DS_ES_FS_GS | SEG(LDTR) | SEG(TR))

struct rule {
    const char *check;                                  /* the failure, one line */
    const char *field;                                  /* state rules: the field */
    bool (*state_ok)(const struct ctx *x);
    bool (*seg_ok)(const struct ctx *x, enum gsc_seg s);
    uint8_t segs;                                       /* segment rules: the registers */
    uint8_t seg_field;                                  /* segment rules: which field */
};

#define STATE(field_, fn, text) { .check = text, .field = field_, .state_ok = fn }
#define SEGS(set, field_, fn, text) \
    { .check = text, .seg_ok = fn, .segs = set, .seg_field = field_ }

static const struct rule rules[] = {
    /* 27.3.1.1 Checks on guest control registers, debug registers, and MSRs */
    STATE("GUEST_CR0", cr0_fixed0,
          "CR0 clears a bit IA32_VMX_CR0_FIXED0 requires (PE/PG exempt with unrestricted guest)"),
    STATE("GUEST_CR0", cr0_fixed1, "CR0 sets a bit IA32_VMX_CR0_FIXED1 forbids"),
    STATE("GUEST_CR0", cr0_high, "CR0 sets reserved bits 63:32"),
    STATE("GUEST_CR0", cr0_pg_pe, "CR0.PG set but CR0.PE clear"),
    STATE("GUEST_CR4", cr4_fixed0, "CR4 clears a bit IA32_VMX_CR4_FIXED0 requires (CR4.VMXE)"),
    STATE("GUEST_CR4", cr4_fixed1, "CR4 sets a reserved or unsupported bit (IA32_VMX_CR4_FIXED1)"),
    STATE("GUEST_CR4", cr4_cet_wp, "CR4.CET set but CR0.WP clear"),
    STATE("GUEST_IA32_DEBUGCTL", debugctl_reserved,
          "IA32_DEBUGCTL sets reserved bits with \"load debug controls\""),
    STATE("GUEST_CR0", ia32e_pg, "\"IA-32e mode guest\" but CR0.PG clear"),
    STATE("GUEST_CR4", ia32e_pae, "\"IA-32e mode guest\" but CR4.PAE clear"),
    STATE("GUEST_CR4", pcide_needs_ia32e, "CR4.PCIDE set without \"IA-32e mode guest\""),
    STATE("GUEST_CR3", cr3_width, "CR3 sets bits beyond the physical-address width"),
    STATE("GUEST_DR7", dr7_high, "DR7 sets bits 63:32 with \"load debug controls\""),
    STATE("GUEST_IA32_SYSENTER_ESP", sysenter_esp, "IA32_SYSENTER_ESP is not canonical"),
    STATE("GUEST_IA32_SYSENTER_EIP", sysenter_eip, "IA32_SYSENTER_EIP is not canonical"),
    STATE("GUEST_IA32_PERF_GLOBAL_CTRL", perf_global_ctrl,
          "IA32_PERF_GLOBAL_CTRL sets reserved bits 63:49"),
    STATE("GUEST_IA32_PAT", pat_types,
          "IA32_PAT has an entry that is not a memory type (0, 1, 4, 5, 6, 7)"),
    STATE("GUEST_IA32_EFER", efer_reserved, "IA32_EFER sets reserved bits"),
    STATE("GUEST_IA32_EFER", efer_lma, "IA32_EFER.LMA differs from \"IA-32e mode guest\""),
    STATE("GUEST_IA32_EFER", efer_lme,
          "IA32_EFER.LME differs from IA32_EFER.LMA while CR0.PG is set"),
    STATE("GUEST_IA32_BNDCFGS", bndcfgs_reserved, "IA32_BNDCFGS sets reserved bits 11:2"),
    STATE("GUEST_IA32_BNDCFGS", bndcfgs_base, "IA32_BNDCFGS base (bits 63:12) is not canonical"),

    /* 27.3.1.2 Checks on guest segment registers: selectors */
    SEGS(SEG(TR), F_SELECTOR, sel_ti_clear, "TI flag (bit 2) set: TR must be in the GDT"),
    SEGS(SEG(LDTR), F_SELECTOR, sel_ti_clear,
         "TI flag (bit 2) set in a usable LDTR: must be in the GDT"),
    SEGS(SEG(SS), F_SELECTOR, ss_rpl_cs_rpl, "SS RPL differs from CS RPL"),
    /* bases */
    SEGS(CS_SS_DS_ES_FS_GS, F_BASE, v86_base, "virtual-8086: base is not selector << 4"),
    SEGS(SEG(TR) | SEG(FS) | SEG(GS) | SEG(LDTR), F_BASE, base_canonical, "base is not canonical"),
    SEGS(SEG(CS) | SEG(SS) | SEG(DS) | SEG(ES), F_BASE, base_high_zero, "base sets bits 63:32"),
    /* limits */
    SEGS(CS_SS_DS_ES_FS_GS, F_LIMIT, v86_limit, "virtual-8086: limit is not 0xffff"),
    /* access rights: CS, SS, DS, ES, FS, GS */
    SEGS(CS_SS_DS_ES_FS_GS, F_AR, v86_ar, "virtual-8086: access rights are not 0xf3"),
    SEGS(SEG(CS), F_AR, cs_type,
         "CS type is not accessed code (9, 11, 13, 15; or 3 with unrestricted guest)"),
    SEGS(SEG(SS), F_AR, ss_type, "usable SS type is not read/write accessed data (3 or 7)"),
    SEGS(DS_ES_FS_GS, F_AR, data_accessed, "usable segment type is not accessed (type bit 0)"),
    SEGS(DS_ES_FS_GS, F_AR, data_code_readable, "usable code segment is not readable (type bit 1)"),
    SEGS(CS_SS_DS_ES_FS_GS, F_AR, s_set, "S (bit 4) clear: must be a code or data segment"),
    SEGS(SEG(CS), F_AR, cs_dpl_type3, "CS type 3 (real-mode code) with DPL other than 0"),
    SEGS(SEG(CS), F_AR, cs_dpl_nonconforming,
         "non-conforming CS (type 9, 11) DPL differs from SS DPL"),
    SEGS(SEG(CS), F_AR, cs_dpl_conforming, "conforming CS (type 13, 15) DPL above SS DPL"),
    SEGS(SEG(SS), F_AR, ss_dpl_rpl, "SS DPL differs from SS RPL"),
    SEGS(SEG(SS), F_AR, ss_dpl_zero, "SS DPL not 0 with CS type 3 or CR0.PE clear"),
    SEGS(DS_ES_FS_GS, F_AR, data_dpl_rpl,
         "DPL below RPL in a usable data or non-conforming code segment"),
    /* access rights: the sub-fields shared with TR and LDTR */
    SEGS(ALL_SEGS, F_AR, present, "P (bit 7) clear"),
    SEGS(ALL_SEGS, F_AR, ar_11_8, "reserved bits 11:8 set"),
    SEGS(SEG(CS), F_AR, cs_db_long, "CS.D/B set with CS.L in IA-32e mode"),
    SEGS(ALL_SEGS, F_AR, g_low, "G set but limit bits 11:0 not all ones"),
    SEGS(ALL_SEGS, F_AR, g_high, "G clear but limit sets bits 31:20"),
    SEGS(ALL_SEGS, F_AR, ar_31_17, "reserved bits 31:17 set"),
    /* access rights: TR and LDTR */
    SEGS(SEG(TR), F_AR, tr_type, "TR type is not a busy TSS (11; or 3 outside IA-32e mode)"),
    SEGS(SEG(TR), F_AR, system_s_clear, "S (bit 4) set: TR must be a system segment"),
    SEGS(SEG(TR), F_AR, tr_usable, "TR is marked unusable"),
    SEGS(SEG(LDTR), F_AR, ldtr_type, "usable LDTR type is not LDT (2)"),
    SEGS(SEG(LDTR), F_AR, system_s_clear, "S (bit 4) set: LDTR must be a system segment"),

    /* 27.3.1.3 Checks on guest descriptor-table registers */
    STATE("GUEST_GDTR_BASE", gdtr_base, "GDTR base is not canonical"),
    STATE("GUEST_IDTR_BASE", idtr_base, "IDTR base is not canonical"),
    STATE("GUEST_GDTR_LIMIT", gdtr_limit, "GDTR limit sets bits 31:16"),
    STATE("GUEST_IDTR_LIMIT", idtr_limit, "IDTR limit sets bits 31:16"),

    /* 27.3.1.4 Checks on guest RIP and RFLAGS */
    STATE("GUEST_RIP", rip_high,
          "RIP sets bits 63:32 outside 64-bit mode (IA-32e mode guest with CS.L)"),
    STATE("GUEST_RIP", rip_canonical, "RIP is not canonical in 64-bit mode"),
    STATE("GUEST_RFLAGS", rflags_reserved, "RFLAGS sets reserved bits (63:22, 15, 5, 3)"),
    STATE("GUEST_RFLAGS", rflags_fixed1, "RFLAGS bit 1 (reserved, always 1) clear"),
    STATE("GUEST_RFLAGS", rflags_vm, "RFLAGS.VM set in IA-32e mode or with CR0.PE clear"),
    STATE("GUEST_RFLAGS", rflags_if, "RFLAGS.IF clear while injecting an external interrupt"),

    /* 27.3.1.5 Checks on guest non-register state */
    STATE("GUEST_ACTIVITY_STATE", activity_range, "activity state above 3 (wait-for-SIPI)"),
    STATE("GUEST_ACTIVITY_STATE", activity_supported,
          "activity state not supported by this CPU (IA32_VMX_MISC bits 8:6)"),
    STATE("GUEST_ACTIVITY_STATE", activity_hlt_dpl, "activity state HLT with SS DPL other than 0"),
    STATE("GUEST_ACTIVITY_STATE", activity_blocking,
          "activity state not active with blocking by STI or MOV SS"),
    STATE("GUEST_ACTIVITY_STATE", activity_event,
          "injected event is one the activity state blocks"),
    STATE("GUEST_ACTIVITY_STATE", activity_wait_sipi_smm,
          "activity state wait-for-SIPI with \"entry to SMM\""),
    STATE("GUEST_INTERRUPTIBILITY_STATE", intr_reserved,
          "interruptibility state sets reserved bits 31:5"),
    STATE("GUEST_INTERRUPTIBILITY_STATE", intr_sti_mov_ss, "blocking by both STI and MOV SS"),
    STATE("GUEST_INTERRUPTIBILITY_STATE", intr_sti_if, "blocking by STI with RFLAGS.IF clear"),
    STATE("GUEST_INTERRUPTIBILITY_STATE", intr_ext_intr,
          "blocking by STI or MOV SS while injecting an external interrupt"),
    STATE("GUEST_INTERRUPTIBILITY_STATE", intr_nmi_mov_ss,
          "blocking by MOV SS while injecting an NMI"),
    STATE("GUEST_INTERRUPTIBILITY_STATE", intr_smi, "blocking by SMI outside SMM"),
    STATE("GUEST_INTERRUPTIBILITY_STATE", intr_nmi_sti, "blocking by STI while injecting an NMI"),
    STATE("GUEST_INTERRUPTIBILITY_STATE", intr_virtual_nmi,
          "blocking by NMI while injecting an NMI with \"virtual NMIs\""),
    STATE("GUEST_INTERRUPTIBILITY_STATE", intr_enclave,
          "enclave interruption with blocking by MOV SS"),
    STATE("GUEST_PENDING_DEBUG_EXCEPTIONS", pending_reserved,
          "pending debug exceptions set reserved bits (63:17, 15, 13, 11:4)"),
    STATE("GUEST_PENDING_DEBUG_EXCEPTIONS", pending_bs_set,
          "BS clear though RFLAGS.TF set and IA32_DEBUGCTL.BTF clear (STI/MOV SS blocking or HLT)"),
    STATE("GUEST_PENDING_DEBUG_EXCEPTIONS", pending_bs_clear,
          "BS set though RFLAGS.TF is clear or IA32_DEBUGCTL.BTF set (STI/MOV SS blocking or HLT)"),
    STATE("GUEST_PENDING_DEBUG_EXCEPTIONS", pending_rtm_bits, "RTM set together with B3-B0 or BS"),
    STATE("GUEST_PENDING_DEBUG_EXCEPTIONS", pending_rtm_bit12,
          "RTM set without bit 12 (enabled breakpoint)"),
    STATE("GUEST_PENDING_DEBUG_EXCEPTIONS", pending_rtm_mov_ss, "RTM set with blocking by MOV SS"),
    STATE("VMCS_LINK_POINTER", link_pointer, "VMCS link pointer is not 0xffffffffffffffff"),
};

/* ---- running the table ---------------------------------------------------------- */

static void make_ctx(struct ctx *x, const struct gsc_guest_state *g, const struct gsc_controls *c)
{
    x->g = g;
    x->c = c;
    x->ia32e = c->entry & GSC_ENTRY_IA32E_MODE_GUEST;
    x->ug = (c->proc & GSC_PROC_ACTIVATE_SECONDARY) && (c->proc2 & GSC_PROC2_UNRESTRICTED_GUEST);
    x->v86 = g->rflags & GSC_RFLAGS_VM;
    x->inject = g->entry_intr_info & GSC_INTR_INFO_VALID;
    x->intr_type = (g->entry_intr_info & GSC_INTR_INFO_TYPE_MASK) >> GSC_INTR_INFO_TYPE_SHIFT;
    x->vector = g->entry_intr_info & GSC_INTR_INFO_VECTOR_MASK;
    /* The checks use the CPU's linear-address width, which this state does
     * not carry: a guest with CR4.LA57 shows it is 57; otherwise assume 48. */
    x->la_bits = (g->cr4 & GSC_CR4_LA57) ? 57 : 48;
}

static unsigned run(const struct ctx *x, struct gsc_failure *out, unsigned max, bool stop_at_first)
{
    unsigned failed = 0;

    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        const struct rule *r = &rules[i];

        for (unsigned s = 0; s < (r->seg_ok ? (unsigned)GSC_SEG_COUNT : 1u); s++) {
            bool ok;
            const char *field;

            if (r->seg_ok) {
                if (!(r->segs & (1u << s)))
                    continue;
                ok = r->seg_ok(x, (enum gsc_seg)s);
                field = seg_field_names[s][r->seg_field];
            } else {
                ok = r->state_ok(x);
                field = r->field;
            }
            if (ok)
                continue;
            if (failed < max) {
                out[failed].check = r->check;
                out[failed].field = field;
            }
            failed++;
            if (stop_at_first)
                return failed;
        }
    }
    return failed;
}

bool gsc_check(const struct gsc_guest_state *g, const struct gsc_controls *c,
               struct gsc_failure *first)
{
    struct ctx x;

    make_ctx(&x, g, c);
    return run(&x, first, first != NULL ? 1 : 0, true) == 0;
}

unsigned gsc_check_all(const struct gsc_guest_state *g, const struct gsc_controls *c,
                       struct gsc_failure *out, unsigned max)
{
    struct ctx x;

    make_ctx(&x, g, c);
    return run(&x, out, out != NULL ? max : 0, false);
}
