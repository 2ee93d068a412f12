/* Unit tests for core/cr_rules.c: the MOV to CR0/CR4 #GP conditions. */
#include "test.h"

#include "core/cr_rules.h"
#include "kernel/msr.h"

/* A 64-bit guest as Linux runs it. */
static struct cr_state long_mode(void)
{
    return (struct cr_state){ .cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG,
                              .cr3 = 0x1000, .cr4 = CR4_PAE | CR4_PGE,
                              .efer = EFER_LME | EFER_LMA, .cs_long = true };
}

/* 32-bit protected mode, paging off, about to enter IA-32e mode. */
static struct cr_state protected_mode(void)
{
    return (struct cr_state){ .cr0 = CR0_PE | CR0_ET, .cr3 = 0x1000, .cr4 = 0, .efer = 0 };
}

static const struct cr4_cpuid everything = { ~0u, ~0u, ~0u, ~0u, ~0u };

TEST(cr0_valid_writes)
{
    struct cr_state s = long_mode();

    CHECK(cr0_write_problem(&s, s.cr0) == NULL);
    CHECK(cr0_write_problem(&s, s.cr0 | CR0_TS) == NULL);
    CHECK(cr0_write_problem(&s, (s.cr0 & ~CR0_NE)) == NULL);
    CHECK(cr0_write_problem(&s, s.cr0 | CR0_CD | CR0_NW) == NULL);
    s = protected_mode();
    CHECK(cr0_write_problem(&s, s.cr0 | CR0_PG) == NULL);   /* 32-bit paging */
}

TEST(cr0_refused_writes)
{
    struct cr_state s = long_mode();

    CHECK_STR(cr0_write_problem(&s, s.cr0 | (1ull << 32)), "CR0 bits 63:32 are reserved");
    CHECK_STR(cr0_write_problem(&s, CR0_PG), "CR0.PG set with CR0.PE clear");
    CHECK_STR(cr0_write_problem(&s, s.cr0 | CR0_NW), "CR0.NW set with CR0.CD clear");
    /* The hostile guest's case: PG cleared in 64-bit mode. */
    CHECK(cr0_write_problem(&s, s.cr0 & ~CR0_PG) != NULL);
    CHECK(cr0_write_problem(&s, (s.cr0 & ~CR0_PG) & ~CR0_NE) != NULL);
    /* Entering IA-32e mode without PAE. */
    s = protected_mode();
    s.efer = EFER_LME;
    CHECK(cr0_write_problem(&s, s.cr0 | CR0_PG) != NULL);
    s.cr4 = CR4_PAE;
    CHECK(cr0_write_problem(&s, s.cr0 | CR0_PG) == NULL);
}

TEST(cr0_leaving_ia32e_from_compatibility_mode)
{
    struct cr_state s = long_mode();

    s.cs_long = false;                                       /* compatibility mode */
    CHECK(cr0_write_problem(&s, s.cr0 & ~CR0_PG) == NULL);
    CHECK(!cr0_write_lma(&s, s.cr0 & ~CR0_PG));
    s.cr4 |= CR4_PCIDE;                                      /* ... but not with PCIDE */
    CHECK_STR(cr0_write_problem(&s, s.cr0 & ~CR0_PG), "CR0.PG cleared while CR4.PCIDE is set");
}

TEST(cr0_lma_follows_pg_and_lme)
{
    struct cr_state s = protected_mode();

    CHECK(!cr0_write_lma(&s, s.cr0 | CR0_PG));
    s.efer = EFER_LME;
    s.cr4 = CR4_PAE;
    CHECK(cr0_write_lma(&s, s.cr0 | CR0_PG));
    s = long_mode();
    CHECK(cr0_write_lma(&s, s.cr0 | CR0_TS));
}

TEST(cr4_valid_writes)
{
    struct cr_state s = long_mode();
    uint64_t allowed = cr4_guest_allowed(&everything);

    CHECK(cr4_write_problem(&s, s.cr4, allowed) == NULL);
    CHECK(cr4_write_problem(&s, s.cr4 | CR4_OSXSAVE | CR4_SMEP | CR4_FSGSBASE, allowed) == NULL);
    s.cr3 = 0x2000;
    CHECK(cr4_write_problem(&s, s.cr4 | CR4_PCIDE, allowed) == NULL);
}

TEST(cr4_refused_writes)
{
    struct cr_state s = long_mode();
    uint64_t allowed = cr4_guest_allowed(&everything);

    CHECK_STR(cr4_write_problem(&s, s.cr4 | CR4_VMXE, allowed), "CR4.VMXE: the guest has no VMX");
    CHECK_STR(cr4_write_problem(&s, s.cr4 | CR4_SMXE, allowed), "CR4.SMXE: the guest has no SMX");
    CHECK(cr4_write_problem(&s, s.cr4 | (1ull << 15), allowed) != NULL);     /* reserved */
    CHECK(cr4_write_problem(&s, s.cr4 | (1ull << 32), allowed) != NULL);
    CHECK_STR(cr4_write_problem(&s, s.cr4 & ~CR4_PAE, allowed), "CR4.PAE cleared in IA-32e mode");
    CHECK_STR(cr4_write_problem(&s, s.cr4 | CR4_LA57, allowed), "CR4.LA57 changed in IA-32e mode");
    s.cr3 = 0x2005;
    CHECK_STR(cr4_write_problem(&s, s.cr4 | CR4_PCIDE, allowed),
              "CR4.PCIDE set while CR3[11:0] is not 0");
    s = protected_mode();
    CHECK_STR(cr4_write_problem(&s, CR4_PCIDE, allowed), "CR4.PCIDE set outside IA-32e mode");
    s = long_mode();
    s.cr0 &= ~CR0_WP;
    CHECK_STR(cr4_write_problem(&s, s.cr4 | CR4_CET, allowed), "CR4.CET set while CR0.WP is clear");
}

TEST(cr4_features_follow_cpuid)
{
    struct cr4_cpuid none = { 0, 0, 0, 0, 0 };
    uint64_t allowed = cr4_guest_allowed(&none);
    struct cr_state s = protected_mode();

    /* Only TSD and PCE exist without a CPUID bit. */
    CHECK_EQ_U64(allowed, CR4_TSD | CR4_PCE);
    CHECK(cr4_write_problem(&s, CR4_PAE, allowed) != NULL);
    struct cr4_cpuid one = none;
    one.leaf7_ecx = 1u << 2;                                  /* UMIP */
    CHECK_EQ_U64(cr4_guest_allowed(&one) & CR4_UMIP, CR4_UMIP);
    one = none;
    one.leaf7_edx = 1u << 20;                                 /* IBT alone enables CR4.CET */
    CHECK_EQ_U64(cr4_guest_allowed(&one) & CR4_CET, CR4_CET);
    CHECK_EQ_U64(cr4_guest_allowed(&everything) & (CR4_VMXE | CR4_SMXE), 0);
}

TEST(cr4_hidden_features_for_fixed1)
{
    struct cr4_cpuid hide;

    cr4_cpuid_to_hide(~0ull, &hide);
    CHECK_EQ_U64(hide.leaf1_ecx | hide.leaf1_edx | hide.leaf7_ebx | hide.leaf7_ecx |
                 hide.leaf7_edx, 0);
    cr4_cpuid_to_hide(0x3727ffull, &hide);                    /* Bochs 3.0 */
    CHECK_EQ_U64(hide.leaf7_ecx, (1u << 2) | (1u << 16) | (1u << 23) | (1u << 3) | (1u << 7) |
                                 (1u << 31));
    CHECK_EQ_U64(hide.leaf7_edx, (1u << 5) | (1u << 20));
    CHECK_EQ_U64(hide.leaf7_ebx, 0);
    CHECK_EQ_U64(hide.leaf1_ecx, 0);
}

TEST_SUITE(cr_rules, UNIT(cr0_valid_writes), UNIT(cr0_refused_writes),
           UNIT(cr0_leaving_ia32e_from_compatibility_mode), UNIT(cr0_lma_follows_pg_and_lme),
           UNIT(cr4_valid_writes), UNIT(cr4_refused_writes), UNIT(cr4_features_follow_cpuid),
           UNIT(cr4_hidden_features_for_fixed1));
