/* Control-register write rules (see cr_rules.h).  Each check cites the #GP
 * condition of the SDM's MOV to CR0/CR4 it follows. */
#include "core/cr_rules.h"
#include "kernel/msr.h"

#include <stddef.h>

/* The features CPUID enumerates for CR4 bits (SDM vol. 3A 2.5 "Control
 * Registers" and vol. 2A CPUID): the register and bit of each. */
enum cpuid_reg_id { R_L1_ECX, R_L1_EDX, R_L7_EBX, R_L7_ECX, R_L7_EDX, R_NONE };

struct cr4_feature {
    uint64_t cr4_bit;
    enum cpuid_reg_id reg;
    uint32_t cpuid_bit;
};

/* A CR4 bit may be set if its feature's CPUID bit is; R_NONE bits exist on
 * every CPU that can run Kestrel (TSD, PCE).  VMXE and SMXE are absent:
 * never allowed to the guest. */
static const struct cr4_feature cr4_features[] = {
    { CR4_VME,        R_L1_EDX, 1u << 1 },    /* VME */
    { CR4_PVI,        R_L1_EDX, 1u << 1 },    /* VME */
    { CR4_TSD,        R_NONE,   0 },
    { CR4_DE,         R_L1_EDX, 1u << 2 },    /* DE */
    { CR4_PSE,        R_L1_EDX, 1u << 3 },    /* PSE */
    { CR4_PAE,        R_L1_EDX, 1u << 6 },    /* PAE */
    { CR4_MCE,        R_L1_EDX, 1u << 7 },    /* MCE */
    { CR4_PGE,        R_L1_EDX, 1u << 13 },   /* PGE */
    { CR4_PCE,        R_NONE,   0 },
    { CR4_OSFXSR,     R_L1_EDX, 1u << 24 },   /* FXSR */
    { CR4_OSXMMEXCPT, R_L1_EDX, 1u << 25 },   /* SSE */
    { CR4_UMIP,       R_L7_ECX, 1u << 2 },    /* UMIP */
    { CR4_LA57,       R_L7_ECX, 1u << 16 },   /* LA57 */
    { CR4_FSGSBASE,   R_L7_EBX, 1u << 0 },    /* FSGSBASE */
    { CR4_PCIDE,      R_L1_ECX, 1u << 17 },   /* PCID */
    { CR4_OSXSAVE,    R_L1_ECX, 1u << 26 },   /* XSAVE */
    { CR4_KL,         R_L7_ECX, 1u << 23 },   /* Key Locker */
    { CR4_SMEP,       R_L7_EBX, 1u << 7 },    /* SMEP */
    { CR4_SMAP,       R_L7_EBX, 1u << 20 },   /* SMAP */
    { CR4_PKE,        R_L7_ECX, 1u << 3 },    /* PKU */
    { CR4_CET,        R_L7_ECX, 1u << 7 },    /* CET shadow stacks (IBT: 7.EDX.20) */
    { CR4_PKS,        R_L7_ECX, 1u << 31 },   /* PKS */
    { CR4_UINTR,      R_L7_EDX, 1u << 5 },    /* UINTR */
};

#define CR4_FEATURE_COUNT (sizeof(cr4_features) / sizeof(cr4_features[0]))
#define CET_IBT_BIT       (1u << 20)          /* CPUID.7.0:EDX.IBT, also enabled by CR4.CET */
#define CR3_PCID_MASK     0xfffull            /* CR3[11:0] with CR4.PCIDE */

static uint32_t reg_of(const struct cr4_cpuid *f, enum cpuid_reg_id r)
{
    switch (r) {
    case R_L1_ECX: return f->leaf1_ecx;
    case R_L1_EDX: return f->leaf1_edx;
    case R_L7_EBX: return f->leaf7_ebx;
    case R_L7_ECX: return f->leaf7_ecx;
    case R_L7_EDX: return f->leaf7_edx;
    case R_NONE:   break;
    }
    return 0;
}

static uint32_t *reg_ptr(struct cr4_cpuid *f, enum cpuid_reg_id r)
{
    switch (r) {
    case R_L1_ECX: return &f->leaf1_ecx;
    case R_L1_EDX: return &f->leaf1_edx;
    case R_L7_EBX: return &f->leaf7_ebx;
    case R_L7_ECX: return &f->leaf7_ecx;
    case R_L7_EDX: return &f->leaf7_edx;
    case R_NONE:   break;
    }
    return NULL;
}

uint64_t cr4_guest_allowed(const struct cr4_cpuid *f)
{
    uint64_t allowed = 0;

    for (size_t i = 0; i < CR4_FEATURE_COUNT; i++) {
        const struct cr4_feature *c = &cr4_features[i];

        if (c->reg == R_NONE || (reg_of(f, c->reg) & c->cpuid_bit))
            allowed |= c->cr4_bit;
    }
    /* CR4.CET also enables indirect-branch tracking. */
    if (f->leaf7_edx & CET_IBT_BIT)
        allowed |= CR4_CET;
    return allowed;
}

void cr4_cpuid_to_hide(uint64_t cr4_settable, struct cr4_cpuid *hide)
{
    *hide = (struct cr4_cpuid){ 0 };
    for (size_t i = 0; i < CR4_FEATURE_COUNT; i++) {
        const struct cr4_feature *c = &cr4_features[i];
        uint32_t *reg = reg_ptr(hide, c->reg);

        if (reg != NULL && !(cr4_settable & c->cr4_bit))
            *reg |= c->cpuid_bit;
    }
    if (!(cr4_settable & CR4_CET))
        hide->leaf7_edx |= CET_IBT_BIT;
}

static bool long_mode_active(const struct cr_state *s)
{
    return (s->efer & EFER_LMA) != 0;
}

const char *cr0_write_problem(const struct cr_state *s, uint64_t value)
{
    bool pg = (value & CR0_PG) != 0, was_pg = (s->cr0 & CR0_PG) != 0;

    if (value >> 32)
        return "CR0 bits 63:32 are reserved";
    if (pg && !(value & CR0_PE))
        return "CR0.PG set with CR0.PE clear";
    if ((value & CR0_NW) && !(value & CR0_CD))
        return "CR0.NW set with CR0.CD clear";
    if (was_pg && !pg && long_mode_active(s) && s->cs_long)
        return "CR0.PG cleared in 64-bit mode (leave IA-32e mode from compatibility mode)";
    if (was_pg && !pg && (s->cr4 & CR4_PCIDE))
        return "CR0.PG cleared while CR4.PCIDE is set";
    if (!was_pg && pg && (s->efer & EFER_LME) && !(s->cr4 & CR4_PAE))
        return "CR0.PG set with EFER.LME but without CR4.PAE (IA-32e mode needs PAE)";
    return NULL;
}

const char *cr4_write_problem(const struct cr_state *s, uint64_t value, uint64_t allowed)
{
    uint64_t changed = value ^ s->cr4;

    if (value & CR4_VMXE)
        return "CR4.VMXE: the guest has no VMX";
    if (value & CR4_SMXE)
        return "CR4.SMXE: the guest has no SMX";
    if (value & ~allowed)
        return "CR4 sets a reserved bit or a feature CPUID does not report";
    if (long_mode_active(s) && !(value & CR4_PAE))
        return "CR4.PAE cleared in IA-32e mode";
    if (long_mode_active(s) && (changed & CR4_LA57))
        return "CR4.LA57 changed in IA-32e mode";
    if ((changed & CR4_PCIDE) && (value & CR4_PCIDE)) {
        if (!long_mode_active(s))
            return "CR4.PCIDE set outside IA-32e mode";
        if (s->cr3 & CR3_PCID_MASK)
            return "CR4.PCIDE set while CR3[11:0] is not 0";
    }
    if ((value & CR4_CET) && !(s->cr0 & CR0_WP))
        return "CR4.CET set while CR0.WP is clear";
    return NULL;
}

bool cr0_write_lma(const struct cr_state *s, uint64_t value)
{
    if (!(value & CR0_PG))
        return false;
    if (!(s->cr0 & CR0_PG))
        return (s->efer & EFER_LME) != 0;
    return long_mode_active(s);
}
