/* Unit tests for vmx/guest_state_check.c. */
#include "test.h"

#include "vmx/guest_state_check.h"

/* ---- known-good states ----------------------------------------------------
 * Each test starts from one of these and breaks exactly one rule; the
 * checker must then report that rule, on that field, and nothing else. */

#define AR_CODE64     0xa09bu  /* G, L, P, DPL 0, S, execute/read accessed */
#define AR_CODE32     0xc09bu  /* G, D, P, DPL 0, S, execute/read accessed */
#define AR_DATA32     0xc093u  /* G, B, P, DPL 0, S, read/write accessed */
#define AR_REAL_CODE  0x009bu  /* byte granular 16-bit code, as after INIT */
#define AR_REAL_DATA  0x0093u
#define AR_TSS_BUSY   0x008bu
#define AR_LDT        0x0082u
#define AR_V86        0x00f3u
#define AR_UNUSABLE   GSC_AR_UNUSABLE

#define CR4_FIXED1    0x00f77fffull  /* bits 14:0, 18:16, 23:20: a recent CPU */
#define PAT_DEFAULT   0x0007040600070406ull
#define NON_CANONICAL 0x0000800000000000ull

static struct gsc_segment seg(uint16_t selector, uint64_t base, uint32_t limit, uint32_t ar)
{
    struct gsc_segment s = { selector, base, limit, ar };

    return s;
}

static struct gsc_controls controls(bool unrestricted)
{
    struct gsc_controls c = {
        .proc = (uint32_t)GSC_PROC_ACTIVATE_SECONDARY,
        .proc2 = (uint32_t)(GSC_PROC2_ENABLE_EPT | (unrestricted ? GSC_PROC2_UNRESTRICTED_GUEST : 0)),
        .cr0_fixed0 = GSC_CR0_PE | GSC_CR0_NE | GSC_CR0_PG,  /* 0x80000021 */
        .cr0_fixed1 = 0xffffffffull,
        .cr4_fixed0 = GSC_CR4_VMXE,
        .cr4_fixed1 = CR4_FIXED1,
        .vmx_misc = GSC_VMX_MISC_ACTIVITY_HLT | GSC_VMX_MISC_ACTIVITY_SHUTDOWN |
                    GSC_VMX_MISC_ACTIVITY_WAIT_SIPI,
        .phys_addr_bits = 39,
    };

    return c;
}

/* A 64-bit kernel in the higher half, as Kestrel itself runs. */
static void long_mode(struct gsc_guest_state *g, struct gsc_controls *c)
{
    *c = controls(true);
    c->entry = (uint32_t)(GSC_ENTRY_IA32E_MODE_GUEST | GSC_ENTRY_LOAD_DEBUG_CONTROLS |
                          GSC_ENTRY_LOAD_IA32_PAT | GSC_ENTRY_LOAD_IA32_EFER);
    *g = (struct gsc_guest_state){
        .cr0 = GSC_CR0_PE | GSC_CR0_MP | GSC_CR0_ET | GSC_CR0_NE | GSC_CR0_WP | GSC_CR0_AM |
               GSC_CR0_PG,
        .cr3 = 0x1000,
        .cr4 = GSC_CR4_PAE | GSC_CR4_PGE | GSC_CR4_VMXE,
        .dr7 = 0x400,
        .rsp = 0xffffffff80200000ull,
        .rip = 0xffffffff80001000ull,
        .rflags = GSC_RFLAGS_FIXED1,
        .efer = GSC_EFER_SCE | GSC_EFER_LME | GSC_EFER_LMA | GSC_EFER_NXE,
        .pat = PAT_DEFAULT,
        .seg = {
            [GSC_CS] = seg(0x08, 0, 0xffffffff, AR_CODE64),
            [GSC_SS] = seg(0x10, 0, 0xffffffff, AR_DATA32),
            [GSC_DS] = seg(0, 0, 0, AR_UNUSABLE),
            [GSC_ES] = seg(0, 0, 0, AR_UNUSABLE),
            [GSC_FS] = seg(0, 0, 0, AR_UNUSABLE),
            [GSC_GS] = seg(0, 0xffffffff80300000ull, 0, AR_UNUSABLE),
            [GSC_TR] = seg(0x18, 0xffffffff80010000ull, 0x67, AR_TSS_BUSY),
            [GSC_LDTR] = seg(0, 0, 0, AR_UNUSABLE),
        },
        .gdtr_base = 0xffffffff80020000ull,
        .gdtr_limit = 0x37,
        .idtr_base = 0xffffffff80021000ull,
        .idtr_limit = 0xfff,
        .activity_state = GSC_ACTIVITY_ACTIVE,
        .vmcs_link_pointer = GSC_VMCS_LINK_POINTER_NONE,
    };
}

/* An application processor after INIT, waiting for its SIPI: real mode,
 * which VMX accepts only from an unrestricted guest. */
static void real_mode_wait_for_sipi(struct gsc_guest_state *g, struct gsc_controls *c)
{
    *c = controls(true);
    c->entry = (uint32_t)GSC_ENTRY_LOAD_IA32_EFER;
    *g = (struct gsc_guest_state){
        .cr0 = GSC_CR0_CD | GSC_CR0_NW | GSC_CR0_ET | GSC_CR0_NE,  /* NE: IA32_VMX_CR0_FIXED0 */
        .cr4 = GSC_CR4_VMXE,
        .dr7 = 0x400,
        .rip = 0,
        .rflags = GSC_RFLAGS_FIXED1,
        .pat = PAT_DEFAULT,
        .seg = {
            [GSC_CS] = seg(0, 0, 0xffff, AR_REAL_CODE),
            [GSC_SS] = seg(0, 0, 0xffff, AR_REAL_DATA),
            [GSC_DS] = seg(0, 0, 0xffff, AR_REAL_DATA),
            [GSC_ES] = seg(0, 0, 0xffff, AR_REAL_DATA),
            [GSC_FS] = seg(0, 0, 0xffff, AR_REAL_DATA),
            [GSC_GS] = seg(0, 0, 0xffff, AR_REAL_DATA),
            [GSC_TR] = seg(0, 0, 0xffff, AR_TSS_BUSY),
            [GSC_LDTR] = seg(0, 0, 0xffff, AR_LDT),
        },
        .gdtr_limit = 0xffff,
        .idtr_limit = 0xffff,
        .activity_state = GSC_ACTIVITY_WAIT_SIPI,
        .vmcs_link_pointer = GSC_VMCS_LINK_POINTER_NONE,
    };
}

/* A flat 32-bit kernel with paging, without unrestricted guest. */
static void protected32(struct gsc_guest_state *g, struct gsc_controls *c)
{
    *c = controls(false);
    c->entry = (uint32_t)GSC_ENTRY_LOAD_IA32_EFER;
    *g = (struct gsc_guest_state){
        .cr0 = GSC_CR0_PE | GSC_CR0_ET | GSC_CR0_NE | GSC_CR0_WP | GSC_CR0_PG,
        .cr3 = 0x1000,
        .cr4 = GSC_CR4_PSE | GSC_CR4_PGE | GSC_CR4_VMXE,
        .dr7 = 0x400,
        .rsp = 0x200000,
        .rip = 0x100000,
        .rflags = GSC_RFLAGS_FIXED1 | GSC_RFLAGS_IF,
        .pat = PAT_DEFAULT,
        .seg = {
            [GSC_CS] = seg(0x08, 0, 0xffffffff, AR_CODE32),
            [GSC_SS] = seg(0x10, 0, 0xffffffff, AR_DATA32),
            [GSC_DS] = seg(0x10, 0, 0xffffffff, AR_DATA32),
            [GSC_ES] = seg(0x10, 0, 0xffffffff, AR_DATA32),
            [GSC_FS] = seg(0x10, 0, 0xffffffff, AR_DATA32),
            [GSC_GS] = seg(0x10, 0, 0xffffffff, AR_DATA32),
            [GSC_TR] = seg(0x18, 0x5000, 0x67, AR_TSS_BUSY),
            [GSC_LDTR] = seg(0x20, 0x6000, 0xffff, AR_LDT),
        },
        .gdtr_base = 0x4000,
        .gdtr_limit = 0x27,
        .idtr_base = 0x3000,
        .idtr_limit = 0x7ff,
        .activity_state = GSC_ACTIVITY_ACTIVE,
        .vmcs_link_pointer = GSC_VMCS_LINK_POINTER_NONE,
    };
}

/* The 32-bit state running a virtual-8086 task. */
static void virtual8086(struct gsc_guest_state *g, struct gsc_controls *c)
{
    protected32(g, c);
    g->rflags |= GSC_RFLAGS_VM;
    g->rip = 0x100;
    for (int s = GSC_ES; s <= GSC_GS; s++)
        g->seg[s] = seg(0x1000, 0x10000, 0xffff, AR_V86);
    g->seg[GSC_CS] = seg(0x2000, 0x20000, 0xffff, AR_V86);
}

/* ---- expectations ------------------------------------------------------- */

static void expect_pass(struct unit_ctx *unit_ctx_, const struct gsc_guest_state *g,
                        const struct gsc_controls *c, int line)
{
    struct gsc_failure f = { NULL, NULL };
    unsigned n = gsc_check_all(g, c, &f, 1);

    if (n != 0)
        unit_fail(unit_ctx_, __FILE__, line, "%u checks failed, the first %s: %s", n, f.field, f.check);
    else if (!gsc_check(g, c, NULL))
        unit_fail(unit_ctx_, __FILE__, line, "gsc_check fails a state gsc_check_all passes");
}

/* The state fails `check` (a substring) on `field`, and fails nothing else. */
static void expect_only(struct unit_ctx *unit_ctx_, const struct gsc_guest_state *g,
                        const struct gsc_controls *c, const char *field, const char *check, int line)
{
    struct gsc_failure first = { NULL, NULL }, all[4];
    unsigned n;

    if (gsc_check(g, c, &first)) {
        unit_fail(unit_ctx_, __FILE__, line, "state passed; expected %s: ...%s...", field, check);
        return;
    }
    if (first.field == NULL || first.check == NULL || strcmp(first.field, field) != 0 ||
        strstr(first.check, check) == NULL) {
        unit_fail(unit_ctx_, __FILE__, line, "first failure %s: %s; expected %s: ...%s...",
                  first.field ? first.field : "(null)", first.check ? first.check : "(null)",
                  field, check);
        return;
    }
    n = gsc_check_all(g, c, all, 4);
    if (n != 1)
        unit_fail(unit_ctx_, __FILE__, line, "%u checks failed, expected only %s; the second %s: %s",
                  n, field, all[1].field, all[1].check);
}

#define GIVEN(state)                                                            \
    struct gsc_guest_state g;                                                   \
    struct gsc_controls c;                                                      \
    state(&g, &c)

#define EXPECT_PASS()                                                           \
    do {                                                                        \
        expect_pass(unit_ctx_, &g, &c, __LINE__);                               \
        CHECK_PASSING();                                                        \
    } while (0)

#define EXPECT_ONLY(field, check)                                               \
    do {                                                                        \
        expect_only(unit_ctx_, &g, &c, field, check, __LINE__);                 \
        CHECK_PASSING();                                                        \
    } while (0)

static uint32_t inject(unsigned type, unsigned vector)
{
    return GSC_INTR_INFO_VALID | type << GSC_INTR_INFO_TYPE_SHIFT | vector;
}

/* ---- the good states pass ---------------------------------------------- */

TEST(gsc_good_long_mode) { GIVEN(long_mode); EXPECT_PASS(); }
TEST(gsc_good_real_mode_wait_for_sipi) { GIVEN(real_mode_wait_for_sipi); EXPECT_PASS(); }
TEST(gsc_good_protected32) { GIVEN(protected32); EXPECT_PASS(); }
TEST(gsc_good_virtual8086) { GIVEN(virtual8086); EXPECT_PASS(); }

/* The checker reads only what it is given: a zeroed state is all wrong, and
 * both entry points agree on the first failure and on the count. */
TEST(gsc_check_all_counts_and_truncates)
{
    struct gsc_guest_state g = { .rflags = 0 };
    struct gsc_controls c = controls(false);
    struct gsc_failure first, all[64], two[2] = { { NULL, NULL }, { NULL, NULL } };
    unsigned n = gsc_check_all(&g, &c, all, 64);

    CHECK(n > 5);
    CHECK(n <= 64);
    CHECK(!gsc_check(&g, &c, &first));
    CHECK_STR(first.field, all[0].field);
    CHECK_STR(first.check, all[0].check);
    CHECK_EQ_U64(gsc_check_all(&g, &c, two, 2), n);
    CHECK_STR(two[1].check, all[1].check);
    CHECK_EQ_U64(gsc_check_all(&g, &c, NULL, 0), n);
    CHECK(!gsc_check(&g, &c, NULL));
    for (unsigned i = 0; i < n; i++)
        CHECK(all[i].field != NULL && all[i].check != NULL && all[i].check[0] != '\0');
}

/* ---- 27.3.1.1 control registers, debug registers and MSRs -------------- */

TEST(gsc_cr0_fixed0)
{
    GIVEN(protected32);
    g.cr0 &= ~GSC_CR0_NE;
    EXPECT_ONLY("GUEST_CR0", "IA32_VMX_CR0_FIXED0");
}

/* Real mode without unrestricted guest: PE and PG are required again. */
TEST(gsc_cr0_fixed0_pe_pg_need_unrestricted_guest)
{
    GIVEN(real_mode_wait_for_sipi);
    c.proc2 &= ~(uint32_t)GSC_PROC2_UNRESTRICTED_GUEST;
    EXPECT_ONLY("GUEST_CR0", "IA32_VMX_CR0_FIXED0");
}

/* Unrestricted guest counts only when the secondary controls are active. */
TEST(gsc_cr0_unrestricted_guest_needs_secondary_controls)
{
    GIVEN(real_mode_wait_for_sipi);
    c.proc &= ~(uint32_t)GSC_PROC_ACTIVATE_SECONDARY;
    EXPECT_ONLY("GUEST_CR0", "IA32_VMX_CR0_FIXED0");
}

TEST(gsc_cr0_fixed1)
{
    GIVEN(long_mode);
    c.cr0_fixed1 &= ~GSC_CR0_CD;  /* a CPU that cannot run with caches off */
    g.cr0 |= GSC_CR0_CD;
    EXPECT_ONLY("GUEST_CR0", "IA32_VMX_CR0_FIXED1");
}

TEST(gsc_cr0_high_bits)
{
    GIVEN(long_mode);
    g.cr0 |= GSC_BIT(32);
    EXPECT_ONLY("GUEST_CR0", "63:32");
}

TEST(gsc_cr0_pg_without_pe)
{
    GIVEN(real_mode_wait_for_sipi);
    g.cr0 |= GSC_CR0_PG;
    EXPECT_ONLY("GUEST_CR0", "CR0.PG set but CR0.PE clear");
}

TEST(gsc_cr4_fixed0)
{
    GIVEN(long_mode);
    g.cr4 &= ~GSC_CR4_VMXE;
    EXPECT_ONLY("GUEST_CR4", "IA32_VMX_CR4_FIXED0");
}

TEST(gsc_cr4_fixed1)
{
    GIVEN(protected32);
    g.cr4 |= GSC_BIT(15);  /* reserved */
    EXPECT_ONLY("GUEST_CR4", "IA32_VMX_CR4_FIXED1");
}

TEST(gsc_cr4_fixed1_high_bits)
{
    GIVEN(long_mode);
    g.cr4 |= GSC_BIT(40);
    EXPECT_ONLY("GUEST_CR4", "IA32_VMX_CR4_FIXED1");
}

TEST(gsc_cr4_cet_needs_wp)
{
    GIVEN(long_mode);
    g.cr4 |= GSC_CR4_CET;
    g.cr0 &= ~GSC_CR0_WP;
    EXPECT_ONLY("GUEST_CR4", "CR4.CET set but CR0.WP clear");
}

TEST(gsc_cr4_cet_with_wp_passes)
{
    GIVEN(long_mode);
    g.cr4 |= GSC_CR4_CET;
    EXPECT_PASS();
}

TEST(gsc_debugctl_reserved)
{
    GIVEN(long_mode);
    g.debugctl = GSC_BIT(3);
    EXPECT_ONLY("GUEST_IA32_DEBUGCTL", "reserved");
}

TEST(gsc_debugctl_and_dr7_unchecked_without_load_debug_controls)
{
    GIVEN(long_mode);
    c.entry &= ~(uint32_t)GSC_ENTRY_LOAD_DEBUG_CONTROLS;
    g.debugctl = GSC_BIT(40);
    g.dr7 = GSC_BIT(40);
    EXPECT_PASS();
}

TEST(gsc_ia32e_needs_pg)
{
    GIVEN(long_mode);  /* unrestricted guest: PG itself is not required by FIXED0 */
    g.cr0 &= ~GSC_CR0_PG;
    EXPECT_ONLY("GUEST_CR0", "\"IA-32e mode guest\" but CR0.PG clear");
}

TEST(gsc_ia32e_needs_pae)
{
    GIVEN(long_mode);
    g.cr4 &= ~GSC_CR4_PAE;
    EXPECT_ONLY("GUEST_CR4", "CR4.PAE clear");
}

TEST(gsc_pcide_needs_ia32e)
{
    GIVEN(protected32);
    g.cr4 |= GSC_CR4_PCIDE;
    EXPECT_ONLY("GUEST_CR4", "CR4.PCIDE");
}

TEST(gsc_pcide_in_long_mode_passes)
{
    GIVEN(long_mode);
    g.cr4 |= GSC_CR4_PCIDE;
    EXPECT_PASS();
}

TEST(gsc_cr3_beyond_physical_width)
{
    GIVEN(long_mode);
    g.cr3 = GSC_BIT(39) | 0x1000;
    EXPECT_ONLY("GUEST_CR3", "physical-address width");
}

TEST(gsc_cr3_width_defaults_to_52)
{
    GIVEN(long_mode);
    c.phys_addr_bits = 0;
    g.cr3 = GSC_BIT(51);
    EXPECT_PASS();
    g.cr3 = GSC_BIT(52);
    EXPECT_ONLY("GUEST_CR3", "physical-address width");
}

TEST(gsc_dr7_high_bits)
{
    GIVEN(long_mode);
    g.dr7 |= GSC_BIT(32);
    EXPECT_ONLY("GUEST_DR7", "63:32");
}

TEST(gsc_sysenter_esp_canonical)
{
    GIVEN(long_mode);
    g.sysenter_esp = NON_CANONICAL;
    EXPECT_ONLY("GUEST_IA32_SYSENTER_ESP", "not canonical");
}

TEST(gsc_sysenter_eip_canonical)
{
    GIVEN(protected32);
    g.sysenter_eip = 0xffff7fffffffffffull;
    EXPECT_ONLY("GUEST_IA32_SYSENTER_EIP", "not canonical");
}

TEST(gsc_perf_global_ctrl_reserved)
{
    GIVEN(long_mode);
    c.entry |= (uint32_t)GSC_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL;
    g.perf_global_ctrl = 0x7000000ffull;  /* 3 fixed, 8 general counters: fine */
    EXPECT_PASS();
    g.perf_global_ctrl |= GSC_BIT(50);
    EXPECT_ONLY("GUEST_IA32_PERF_GLOBAL_CTRL", "reserved");
}

TEST(gsc_pat_entry_type)
{
    GIVEN(long_mode);
    g.pat = 0x0007040600070206ull;  /* entry 1 is type 2, which does not exist */
    EXPECT_ONLY("GUEST_IA32_PAT", "memory type");
    g.pat = 0x0807040600070406ull;  /* entry 7 is 8 */
    EXPECT_ONLY("GUEST_IA32_PAT", "memory type");
}

TEST(gsc_pat_unchecked_without_load_pat)
{
    GIVEN(real_mode_wait_for_sipi);
    g.pat = 0x0202020202020202ull;
    EXPECT_PASS();
}

TEST(gsc_efer_reserved)
{
    GIVEN(long_mode);
    g.efer |= GSC_BIT(12);  /* SVME: AMD only */
    EXPECT_ONLY("GUEST_IA32_EFER", "reserved");
}

TEST(gsc_efer_lma_matches_ia32e_mode_guest)
{
    GIVEN(long_mode);
    g.efer &= ~(GSC_EFER_LMA | GSC_EFER_LME);
    EXPECT_ONLY("GUEST_IA32_EFER", "LMA differs");
}

TEST(gsc_efer_lme_matches_lma_when_paging)
{
    GIVEN(long_mode);
    g.efer &= ~GSC_EFER_LME;
    EXPECT_ONLY("GUEST_IA32_EFER", "LME differs");
}

/* LME set before paging is on, on the way into long mode: fine. */
TEST(gsc_efer_lme_without_paging_passes)
{
    GIVEN(real_mode_wait_for_sipi);
    g.efer = GSC_EFER_LME;
    EXPECT_PASS();
}

TEST(gsc_bndcfgs_reserved)
{
    GIVEN(long_mode);
    c.entry |= (uint32_t)GSC_ENTRY_LOAD_IA32_BNDCFGS;
    g.bndcfgs = 0xffffffff80400000ull | 3;  /* EN, BNDPRESERVE */
    EXPECT_PASS();
    g.bndcfgs |= 4;
    EXPECT_ONLY("GUEST_IA32_BNDCFGS", "reserved bits 11:2");
}

TEST(gsc_bndcfgs_base_canonical)
{
    GIVEN(long_mode);
    c.entry |= (uint32_t)GSC_ENTRY_LOAD_IA32_BNDCFGS;
    g.bndcfgs = NON_CANONICAL | 1;
    EXPECT_ONLY("GUEST_IA32_BNDCFGS", "not canonical");
}

/* ---- 27.3.1.2 segment registers: selectors ----------------------------- */

TEST(gsc_tr_ti)
{
    GIVEN(long_mode);
    g.seg[GSC_TR].selector |= GSC_SEL_TI;
    EXPECT_ONLY("GUEST_TR_SELECTOR", "TI flag");
}

TEST(gsc_ldtr_ti)
{
    GIVEN(protected32);
    g.seg[GSC_LDTR].selector |= GSC_SEL_TI;
    EXPECT_ONLY("GUEST_LDTR_SELECTOR", "TI flag");
}

/* An unusable LDTR is not checked at all: not its selector, base, or rights. */
TEST(gsc_unusable_ldtr_unchecked)
{
    GIVEN(long_mode);
    g.seg[GSC_LDTR] = seg(0x0c, NON_CANONICAL, 0xfffff, AR_UNUSABLE | GSC_AR_G | 0x3);
    EXPECT_PASS();
}

TEST(gsc_ss_rpl_equals_cs_rpl)
{
    GIVEN(protected32);
    g.seg[GSC_CS].selector |= 3;
    EXPECT_ONLY("GUEST_SS_SELECTOR", "SS RPL differs from CS RPL");
}

/* ---- segment registers: bases ------------------------------------------ */

TEST(gsc_v86_base)
{
    GIVEN(virtual8086);
    g.seg[GSC_DS].base = 0x10010;
    EXPECT_ONLY("GUEST_DS_BASE", "selector << 4");
}

TEST(gsc_tr_base_canonical)
{
    GIVEN(long_mode);
    g.seg[GSC_TR].base = NON_CANONICAL;
    EXPECT_ONLY("GUEST_TR_BASE", "not canonical");
}

/* FS and GS bases are checked even when the registers are unusable. */
TEST(gsc_gs_base_canonical_even_unusable)
{
    GIVEN(long_mode);
    g.seg[GSC_GS].base = NON_CANONICAL;
    EXPECT_ONLY("GUEST_GS_BASE", "not canonical");
}

TEST(gsc_fs_base_canonical)
{
    GIVEN(protected32);
    g.seg[GSC_FS].base = 0xffff800000000000ull;  /* canonical */
    EXPECT_PASS();
    g.seg[GSC_FS].base = 0xffff800000000000ull ^ GSC_BIT(60);
    EXPECT_ONLY("GUEST_FS_BASE", "not canonical");
}

TEST(gsc_ldtr_base_canonical)
{
    GIVEN(protected32);
    g.seg[GSC_LDTR].base = NON_CANONICAL;
    EXPECT_ONLY("GUEST_LDTR_BASE", "not canonical");
}

TEST(gsc_cs_base_high_bits)
{
    GIVEN(long_mode);
    g.seg[GSC_CS].base = GSC_BIT(32);
    EXPECT_ONLY("GUEST_CS_BASE", "63:32");
}

TEST(gsc_ds_base_high_bits)
{
    GIVEN(protected32);
    g.seg[GSC_DS].base = GSC_BIT(32);
    EXPECT_ONLY("GUEST_DS_BASE", "63:32");
}

TEST(gsc_unusable_es_base_unchecked)
{
    GIVEN(long_mode);
    g.seg[GSC_ES].base = 0xffffffff00000000ull;
    EXPECT_PASS();
}

/* ---- segment registers: limits ----------------------------------------- */

TEST(gsc_v86_limit)
{
    GIVEN(virtual8086);
    g.seg[GSC_ES].limit = 0xfffff;
    EXPECT_ONLY("GUEST_ES_LIMIT", "0xffff");
}

/* ---- segment registers: access rights ---------------------------------- */

TEST(gsc_v86_access_rights)
{
    GIVEN(virtual8086);
    g.seg[GSC_GS].access_rights = 0xf2;
    EXPECT_ONLY("GUEST_GS_ACCESS_RIGHTS", "0xf3");
}

TEST(gsc_cs_type)
{
    GIVEN(protected32);
    g.seg[GSC_CS].access_rights = AR_DATA32;  /* type 3: real-mode code needs unrestricted guest */
    EXPECT_ONLY("GUEST_CS_ACCESS_RIGHTS", "CS type");
}

TEST(gsc_cs_type_unaccessed)
{
    GIVEN(long_mode);
    g.seg[GSC_CS].access_rights &= ~1u;
    EXPECT_ONLY("GUEST_CS_ACCESS_RIGHTS", "CS type");
}

TEST(gsc_cs_type3_with_unrestricted_guest_passes)
{
    GIVEN(real_mode_wait_for_sipi);
    g.seg[GSC_CS].access_rights = AR_REAL_DATA;
    EXPECT_PASS();
}

TEST(gsc_ss_type)
{
    GIVEN(protected32);
    g.seg[GSC_SS].access_rights = (AR_DATA32 & ~GSC_AR_TYPE_MASK) | 1;  /* read-only */
    EXPECT_ONLY("GUEST_SS_ACCESS_RIGHTS", "SS type");
}

TEST(gsc_ss_type_expand_down_passes)
{
    GIVEN(protected32);
    g.seg[GSC_SS].access_rights = (AR_DATA32 & ~GSC_AR_TYPE_MASK) | 7;
    EXPECT_PASS();
}

TEST(gsc_data_type_accessed)
{
    GIVEN(protected32);
    g.seg[GSC_DS].access_rights &= ~1u;
    EXPECT_ONLY("GUEST_DS_ACCESS_RIGHTS", "not accessed");
}

TEST(gsc_data_code_readable)
{
    GIVEN(protected32);
    g.seg[GSC_ES].access_rights = (AR_CODE32 & ~GSC_AR_TYPE_MASK) | 9;  /* execute-only */
    EXPECT_ONLY("GUEST_ES_ACCESS_RIGHTS", "not readable");
}

TEST(gsc_s_set)
{
    GIVEN(protected32);
    g.seg[GSC_ES].access_rights &= ~GSC_AR_S;
    EXPECT_ONLY("GUEST_ES_ACCESS_RIGHTS", "S (bit 4) clear");
}

/* An unusable segment's type, S, P, G and reserved bits are not checked. */
TEST(gsc_unusable_data_segment_unchecked)
{
    GIVEN(protected32);
    g.seg[GSC_FS] = seg(0x13, GSC_BIT(40), 0xfff00000, AR_UNUSABLE | GSC_AR_AVL | 0xf00 | 0x4);
    EXPECT_PASS();
}

TEST(gsc_cs_type3_dpl)
{
    GIVEN(real_mode_wait_for_sipi);
    g.seg[GSC_CS].access_rights = AR_REAL_DATA | 1u << GSC_AR_DPL_SHIFT;
    EXPECT_ONLY("GUEST_CS_ACCESS_RIGHTS", "CS type 3");
}

TEST(gsc_cs_nonconforming_dpl)
{
    GIVEN(protected32);
    g.seg[GSC_CS].access_rights |= 1u << GSC_AR_DPL_SHIFT;
    EXPECT_ONLY("GUEST_CS_ACCESS_RIGHTS", "non-conforming CS");
}

TEST(gsc_cs_conforming_dpl)
{
    GIVEN(protected32);
    g.seg[GSC_CS].access_rights = (AR_CODE32 & ~GSC_AR_TYPE_MASK) | 15 | 3u << GSC_AR_DPL_SHIFT;
    EXPECT_ONLY("GUEST_CS_ACCESS_RIGHTS", "conforming CS");
}

TEST(gsc_ss_dpl_equals_rpl)
{
    GIVEN(protected32);
    /* A conforming CS of DPL 0 keeps the CS rules satisfied by SS DPL 3. */
    g.seg[GSC_CS].access_rights = (AR_CODE32 & ~GSC_AR_TYPE_MASK) | 15;
    g.seg[GSC_SS].access_rights |= GSC_AR_DPL_MASK;
    EXPECT_ONLY("GUEST_SS_ACCESS_RIGHTS", "SS DPL differs from SS RPL");
}

TEST(gsc_ss_dpl_zero_in_real_mode)
{
    GIVEN(real_mode_wait_for_sipi);
    g.seg[GSC_CS].access_rights = (AR_REAL_CODE & ~GSC_AR_TYPE_MASK) | 15;
    g.seg[GSC_SS].access_rights |= GSC_AR_DPL_MASK;
    EXPECT_ONLY("GUEST_SS_ACCESS_RIGHTS", "SS DPL not 0");
}

TEST(gsc_ss_dpl_zero_with_cs_type3)
{
    GIVEN(real_mode_wait_for_sipi);
    g.cr0 |= GSC_CR0_PE;  /* protected mode, but CS still the real-mode kind */
    g.seg[GSC_CS].access_rights = AR_REAL_DATA;
    g.seg[GSC_SS].access_rights |= 1u << GSC_AR_DPL_SHIFT;
    EXPECT_ONLY("GUEST_SS_ACCESS_RIGHTS", "SS DPL not 0");
}

TEST(gsc_data_dpl_below_rpl)
{
    GIVEN(protected32);
    g.seg[GSC_DS].selector |= 3;
    EXPECT_ONLY("GUEST_DS_ACCESS_RIGHTS", "DPL below RPL");
}

/* Conforming code (type 12-15) in a data register may have DPL < RPL. */
TEST(gsc_data_conforming_code_dpl_below_rpl_passes)
{
    GIVEN(protected32);
    g.seg[GSC_DS].selector |= 3;
    g.seg[GSC_DS].access_rights = (AR_CODE32 & ~GSC_AR_TYPE_MASK) | 15;
    EXPECT_PASS();
}

TEST(gsc_data_dpl_below_rpl_with_unrestricted_guest_passes)
{
    GIVEN(protected32);
    c.proc2 |= (uint32_t)GSC_PROC2_UNRESTRICTED_GUEST;
    g.seg[GSC_DS].selector |= 3;
    EXPECT_PASS();
}

TEST(gsc_present)
{
    GIVEN(protected32);
    g.seg[GSC_FS].access_rights &= ~GSC_AR_P;
    EXPECT_ONLY("GUEST_FS_ACCESS_RIGHTS", "P (bit 7) clear");
}

TEST(gsc_tr_present)
{
    GIVEN(long_mode);
    g.seg[GSC_TR].access_rights &= ~GSC_AR_P;
    EXPECT_ONLY("GUEST_TR_ACCESS_RIGHTS", "P (bit 7) clear");
}

TEST(gsc_ldtr_present)
{
    GIVEN(protected32);
    g.seg[GSC_LDTR].access_rights &= ~GSC_AR_P;
    EXPECT_ONLY("GUEST_LDTR_ACCESS_RIGHTS", "P (bit 7) clear");
}

TEST(gsc_access_rights_11_8)
{
    GIVEN(protected32);
    g.seg[GSC_GS].access_rights |= 0x100;
    EXPECT_ONLY("GUEST_GS_ACCESS_RIGHTS", "11:8");
}

TEST(gsc_tr_access_rights_11_8)
{
    GIVEN(long_mode);
    g.seg[GSC_TR].access_rights |= 0x800;
    EXPECT_ONLY("GUEST_TR_ACCESS_RIGHTS", "11:8");
}

TEST(gsc_cs_db_with_l)
{
    GIVEN(long_mode);
    g.seg[GSC_CS].access_rights |= GSC_AR_DB;
    EXPECT_ONLY("GUEST_CS_ACCESS_RIGHTS", "CS.D/B");
}

/* Compatibility mode: CS.L clear, D set, 32-bit RIP. */
TEST(gsc_compatibility_mode_passes)
{
    GIVEN(long_mode);
    g.seg[GSC_CS].access_rights = AR_CODE32;
    g.rip = 0x400000;
    EXPECT_PASS();
}

TEST(gsc_g_set_with_byte_limit)
{
    GIVEN(protected32);
    g.seg[GSC_SS].limit = 0xfff0;
    EXPECT_ONLY("GUEST_SS_ACCESS_RIGHTS", "G set but limit bits 11:0");
}

TEST(gsc_g_clear_with_large_limit)
{
    GIVEN(protected32);
    g.seg[GSC_DS].access_rights &= ~GSC_AR_G;
    EXPECT_ONLY("GUEST_DS_ACCESS_RIGHTS", "G clear but limit sets bits 31:20");
}

TEST(gsc_tr_g_clear_with_large_limit)
{
    GIVEN(long_mode);
    g.seg[GSC_TR].limit = 0x100067;
    EXPECT_ONLY("GUEST_TR_ACCESS_RIGHTS", "G clear but limit");
}

TEST(gsc_ldtr_g_set_with_byte_limit)
{
    GIVEN(protected32);
    g.seg[GSC_LDTR].access_rights |= GSC_AR_G;
    g.seg[GSC_LDTR].limit = 0x27;
    EXPECT_ONLY("GUEST_LDTR_ACCESS_RIGHTS", "G set but limit");
}

TEST(gsc_access_rights_31_17)
{
    GIVEN(long_mode);
    g.seg[GSC_CS].access_rights |= GSC_BIT(17);
    EXPECT_ONLY("GUEST_CS_ACCESS_RIGHTS", "31:17");
}

TEST(gsc_ldtr_access_rights_31_17)
{
    GIVEN(protected32);
    g.seg[GSC_LDTR].access_rights |= GSC_BIT(31);
    EXPECT_ONLY("GUEST_LDTR_ACCESS_RIGHTS", "31:17");
}

TEST(gsc_tr_type_in_ia32e_mode)
{
    GIVEN(long_mode);
    g.seg[GSC_TR].access_rights = (AR_TSS_BUSY & ~GSC_AR_TYPE_MASK) | 3;
    EXPECT_ONLY("GUEST_TR_ACCESS_RIGHTS", "busy TSS");
}

TEST(gsc_tr_type_available_tss)
{
    GIVEN(protected32);
    g.seg[GSC_TR].access_rights = (AR_TSS_BUSY & ~GSC_AR_TYPE_MASK) | 9;
    EXPECT_ONLY("GUEST_TR_ACCESS_RIGHTS", "busy TSS");
}

TEST(gsc_tr_16bit_busy_outside_ia32e_passes)
{
    GIVEN(protected32);
    g.seg[GSC_TR].access_rights = (AR_TSS_BUSY & ~GSC_AR_TYPE_MASK) | 3;
    EXPECT_PASS();
}

TEST(gsc_tr_s_clear)
{
    GIVEN(long_mode);
    g.seg[GSC_TR].access_rights |= GSC_AR_S;
    EXPECT_ONLY("GUEST_TR_ACCESS_RIGHTS", "TR must be a system segment");
}

TEST(gsc_tr_usable)
{
    GIVEN(long_mode);
    g.seg[GSC_TR].access_rights |= GSC_AR_UNUSABLE;
    EXPECT_ONLY("GUEST_TR_ACCESS_RIGHTS", "TR is marked unusable");
}

TEST(gsc_ldtr_type)
{
    GIVEN(protected32);
    g.seg[GSC_LDTR].access_rights = (AR_LDT & ~GSC_AR_TYPE_MASK) | 3;
    EXPECT_ONLY("GUEST_LDTR_ACCESS_RIGHTS", "LDTR type");
}

TEST(gsc_ldtr_s_clear)
{
    GIVEN(real_mode_wait_for_sipi);
    g.seg[GSC_LDTR].access_rights |= GSC_AR_S;
    EXPECT_ONLY("GUEST_LDTR_ACCESS_RIGHTS", "LDTR must be a system segment");
}

/* ---- 27.3.1.3 descriptor-table registers -------------------------------- */

TEST(gsc_gdtr_base_canonical)
{
    GIVEN(long_mode);
    g.gdtr_base = NON_CANONICAL;
    EXPECT_ONLY("GUEST_GDTR_BASE", "not canonical");
}

TEST(gsc_idtr_base_canonical)
{
    GIVEN(long_mode);
    g.idtr_base = 0x7fff800000000000ull;
    EXPECT_ONLY("GUEST_IDTR_BASE", "not canonical");
}

TEST(gsc_gdtr_limit)
{
    GIVEN(protected32);
    g.gdtr_limit = 0x10000;
    EXPECT_ONLY("GUEST_GDTR_LIMIT", "31:16");
}

TEST(gsc_idtr_limit)
{
    GIVEN(real_mode_wait_for_sipi);
    g.idtr_limit = 0x80000000u;
    EXPECT_ONLY("GUEST_IDTR_LIMIT", "31:16");
}

/* ---- 27.3.1.4 RIP and RFLAGS ---------------------------------------------- */

TEST(gsc_rip_high_bits_outside_64bit_mode)
{
    GIVEN(protected32);
    g.rip = GSC_BIT(32);
    EXPECT_ONLY("GUEST_RIP", "63:32");
}

TEST(gsc_rip_high_bits_in_compatibility_mode)
{
    GIVEN(long_mode);
    g.seg[GSC_CS].access_rights = AR_CODE32;  /* RIP stays 0xffffffff80001000 */
    EXPECT_ONLY("GUEST_RIP", "63:32");
}

TEST(gsc_rip_canonical)
{
    GIVEN(long_mode);
    g.rip = NON_CANONICAL;
    EXPECT_ONLY("GUEST_RIP", "not canonical");
}

/* A guest with 5-level paging shows the CPU has 57-bit linear addresses. */
TEST(gsc_rip_canonical_with_la57)
{
    GIVEN(long_mode);
    g.cr4 |= GSC_CR4_LA57;
    g.rip = 0x00ff800000000000ull;
    EXPECT_PASS();
    g.rip = 0x0100000000000000ull;
    EXPECT_ONLY("GUEST_RIP", "not canonical");
}

TEST(gsc_rflags_reserved)
{
    GIVEN(long_mode);
    g.rflags |= GSC_BIT(15);
    EXPECT_ONLY("GUEST_RFLAGS", "reserved bits");
    g.rflags = GSC_RFLAGS_FIXED1 | GSC_BIT(22);
    EXPECT_ONLY("GUEST_RFLAGS", "reserved bits");
}

TEST(gsc_rflags_bit1)
{
    GIVEN(long_mode);
    g.rflags = 0;
    EXPECT_ONLY("GUEST_RFLAGS", "bit 1");
}

TEST(gsc_rflags_vm_in_ia32e_mode)
{
    GIVEN(virtual8086);
    c.entry |= (uint32_t)GSC_ENTRY_IA32E_MODE_GUEST;
    g.cr4 |= GSC_CR4_PAE;
    g.efer = GSC_EFER_LME | GSC_EFER_LMA;
    EXPECT_ONLY("GUEST_RFLAGS", "RFLAGS.VM");
}

TEST(gsc_rflags_vm_without_pe)
{
    GIVEN(virtual8086);
    c.proc2 |= (uint32_t)GSC_PROC2_UNRESTRICTED_GUEST;
    g.cr0 &= ~(GSC_CR0_PE | GSC_CR0_PG);
    EXPECT_ONLY("GUEST_RFLAGS", "RFLAGS.VM");
}

TEST(gsc_rflags_if_for_external_interrupt)
{
    GIVEN(long_mode);
    g.entry_intr_info = inject(GSC_INTR_TYPE_EXT_INTR, 0x20);
    EXPECT_ONLY("GUEST_RFLAGS", "RFLAGS.IF");
    g.rflags |= GSC_RFLAGS_IF;
    EXPECT_PASS();
}

/* ---- 27.3.1.5 non-register state: activity state ------------------------- */

TEST(gsc_activity_range)
{
    GIVEN(long_mode);
    g.activity_state = 4;
    EXPECT_ONLY("GUEST_ACTIVITY_STATE", "above 3");
}

TEST(gsc_activity_unsupported)
{
    GIVEN(real_mode_wait_for_sipi);
    c.vmx_misc &= ~GSC_VMX_MISC_ACTIVITY_WAIT_SIPI;
    EXPECT_ONLY("GUEST_ACTIVITY_STATE", "not supported");
}

TEST(gsc_activity_hlt_needs_ss_dpl0)
{
    GIVEN(protected32);
    /* a user-mode guest (CPL 3) cannot be halted */
    g.seg[GSC_CS] = seg(0x1b, 0, 0xffffffff, AR_CODE32 | GSC_AR_DPL_MASK);
    g.seg[GSC_SS] = seg(0x23, 0, 0xffffffff, AR_DATA32 | GSC_AR_DPL_MASK);
    EXPECT_PASS();
    g.activity_state = GSC_ACTIVITY_HLT;
    EXPECT_ONLY("GUEST_ACTIVITY_STATE", "HLT with SS DPL");
}

TEST(gsc_activity_active_when_blocking)
{
    GIVEN(long_mode);
    g.activity_state = GSC_ACTIVITY_HLT;
    EXPECT_PASS();
    g.interruptibility = GSC_INTR_BLOCKING_BY_MOV_SS;
    EXPECT_ONLY("GUEST_ACTIVITY_STATE", "not active with blocking");
}

TEST(gsc_activity_hlt_event)
{
    GIVEN(long_mode);
    g.rflags |= GSC_RFLAGS_IF;
    g.activity_state = GSC_ACTIVITY_HLT;
    g.entry_intr_info = inject(GSC_INTR_TYPE_HARD_EXCEPTION, 13);  /* #GP */
    EXPECT_ONLY("GUEST_ACTIVITY_STATE", "injected event");
    g.entry_intr_info = inject(GSC_INTR_TYPE_SOFT_INTR, 0x80);
    EXPECT_ONLY("GUEST_ACTIVITY_STATE", "injected event");
    g.entry_intr_info = inject(GSC_INTR_TYPE_OTHER_EVENT, 1);
    EXPECT_ONLY("GUEST_ACTIVITY_STATE", "injected event");
}

TEST(gsc_activity_hlt_allowed_events)
{
    GIVEN(long_mode);
    g.rflags |= GSC_RFLAGS_IF;
    g.activity_state = GSC_ACTIVITY_HLT;
    g.entry_intr_info = inject(GSC_INTR_TYPE_EXT_INTR, 0x30);
    EXPECT_PASS();
    g.entry_intr_info = inject(GSC_INTR_TYPE_NMI, 2);
    EXPECT_PASS();
    g.entry_intr_info = inject(GSC_INTR_TYPE_HARD_EXCEPTION, 1);
    EXPECT_PASS();
    g.entry_intr_info = inject(GSC_INTR_TYPE_HARD_EXCEPTION, 18);
    EXPECT_PASS();
    g.entry_intr_info = inject(GSC_INTR_TYPE_OTHER_EVENT, 0);  /* pending MTF VM exit */
    EXPECT_PASS();
}

TEST(gsc_activity_shutdown_event)
{
    GIVEN(long_mode);
    g.rflags |= GSC_RFLAGS_IF;
    g.activity_state = GSC_ACTIVITY_SHUTDOWN;
    g.entry_intr_info = inject(GSC_INTR_TYPE_NMI, 2);
    EXPECT_PASS();
    g.entry_intr_info = inject(GSC_INTR_TYPE_HARD_EXCEPTION, 18);
    EXPECT_PASS();
    g.entry_intr_info = inject(GSC_INTR_TYPE_EXT_INTR, 0x30);
    EXPECT_ONLY("GUEST_ACTIVITY_STATE", "injected event");
}

TEST(gsc_activity_wait_for_sipi_event)
{
    GIVEN(real_mode_wait_for_sipi);
    g.entry_intr_info = inject(GSC_INTR_TYPE_NMI, 2);
    EXPECT_ONLY("GUEST_ACTIVITY_STATE", "injected event");
}

/* The valid bit decides: a stale type in an invalid field is ignored. */
TEST(gsc_invalid_interruption_info_ignored)
{
    GIVEN(real_mode_wait_for_sipi);
    g.entry_intr_info = inject(GSC_INTR_TYPE_NMI, 2) & ~GSC_INTR_INFO_VALID;
    EXPECT_PASS();
}

TEST(gsc_activity_wait_for_sipi_with_entry_to_smm)
{
    GIVEN(real_mode_wait_for_sipi);
    c.entry |= (uint32_t)GSC_ENTRY_TO_SMM;
    EXPECT_ONLY("GUEST_ACTIVITY_STATE", "entry to SMM");
}

/* ---- non-register state: interruptibility state ------------------------- */

TEST(gsc_interruptibility_reserved)
{
    GIVEN(long_mode);
    g.interruptibility = 1u << 5;
    EXPECT_ONLY("GUEST_INTERRUPTIBILITY_STATE", "31:5");
}

TEST(gsc_interruptibility_sti_and_mov_ss)
{
    GIVEN(long_mode);
    g.rflags |= GSC_RFLAGS_IF;
    g.interruptibility = GSC_INTR_BLOCKING_BY_STI | GSC_INTR_BLOCKING_BY_MOV_SS;
    EXPECT_ONLY("GUEST_INTERRUPTIBILITY_STATE", "both STI and MOV SS");
}

TEST(gsc_interruptibility_sti_needs_if)
{
    GIVEN(long_mode);
    g.interruptibility = GSC_INTR_BLOCKING_BY_STI;
    EXPECT_ONLY("GUEST_INTERRUPTIBILITY_STATE", "STI with RFLAGS.IF clear");
    g.rflags |= GSC_RFLAGS_IF;
    EXPECT_PASS();
}

TEST(gsc_interruptibility_external_interrupt)
{
    GIVEN(long_mode);
    g.rflags |= GSC_RFLAGS_IF;
    g.entry_intr_info = inject(GSC_INTR_TYPE_EXT_INTR, 0x30);
    g.interruptibility = GSC_INTR_BLOCKING_BY_STI;
    EXPECT_ONLY("GUEST_INTERRUPTIBILITY_STATE", "external interrupt");
    g.interruptibility = GSC_INTR_BLOCKING_BY_MOV_SS;
    EXPECT_ONLY("GUEST_INTERRUPTIBILITY_STATE", "external interrupt");
}

TEST(gsc_interruptibility_nmi_mov_ss)
{
    GIVEN(long_mode);
    g.entry_intr_info = inject(GSC_INTR_TYPE_NMI, 2);
    g.interruptibility = GSC_INTR_BLOCKING_BY_MOV_SS;
    EXPECT_ONLY("GUEST_INTERRUPTIBILITY_STATE", "MOV SS while injecting an NMI");
}

TEST(gsc_interruptibility_smi)
{
    GIVEN(long_mode);
    g.interruptibility = GSC_INTR_BLOCKING_BY_SMI;
    EXPECT_ONLY("GUEST_INTERRUPTIBILITY_STATE", "SMI outside SMM");
}

TEST(gsc_interruptibility_nmi_sti)
{
    GIVEN(long_mode);
    g.rflags |= GSC_RFLAGS_IF;
    g.entry_intr_info = inject(GSC_INTR_TYPE_NMI, 2);
    g.interruptibility = GSC_INTR_BLOCKING_BY_STI;
    EXPECT_ONLY("GUEST_INTERRUPTIBILITY_STATE", "STI while injecting an NMI");
}

TEST(gsc_interruptibility_virtual_nmi)
{
    GIVEN(long_mode);
    g.entry_intr_info = inject(GSC_INTR_TYPE_NMI, 2);
    g.interruptibility = GSC_INTR_BLOCKING_BY_NMI;
    EXPECT_PASS();  /* without virtual NMIs the NMI is simply delivered */
    c.pin |= (uint32_t)GSC_PIN_VIRTUAL_NMIS;
    EXPECT_ONLY("GUEST_INTERRUPTIBILITY_STATE", "virtual NMIs");
}

TEST(gsc_interruptibility_enclave)
{
    GIVEN(long_mode);
    g.interruptibility = GSC_INTR_ENCLAVE_INTERRUPTION;
    EXPECT_PASS();
    g.interruptibility |= GSC_INTR_BLOCKING_BY_MOV_SS;
    EXPECT_ONLY("GUEST_INTERRUPTIBILITY_STATE", "enclave");
}

/* ---- non-register state: pending debug exceptions ------------------------ */

TEST(gsc_pending_dbg_reserved)
{
    GIVEN(long_mode);
    g.pending_dbg = GSC_PENDING_DBG_B0_B3 | GSC_PENDING_DBG_ENABLED_BP;  /* all defined */
    EXPECT_PASS();
    g.pending_dbg = GSC_BIT(4);
    EXPECT_ONLY("GUEST_PENDING_DEBUG_EXCEPTIONS", "reserved");
    g.pending_dbg = GSC_BIT(13);
    EXPECT_ONLY("GUEST_PENDING_DEBUG_EXCEPTIONS", "reserved");
    g.pending_dbg = GSC_BIT(17);
    EXPECT_ONLY("GUEST_PENDING_DEBUG_EXCEPTIONS", "reserved");
}

TEST(gsc_pending_bs_set_when_single_stepping)
{
    GIVEN(long_mode);
    g.rflags |= GSC_RFLAGS_IF | GSC_RFLAGS_TF;
    EXPECT_PASS();  /* no STI/MOV SS blocking and not halted: BS is free */
    g.interruptibility = GSC_INTR_BLOCKING_BY_STI;
    EXPECT_ONLY("GUEST_PENDING_DEBUG_EXCEPTIONS", "BS clear");
    g.pending_dbg = GSC_PENDING_DBG_BS;
    EXPECT_PASS();
}

TEST(gsc_pending_bs_clear_when_not_single_stepping)
{
    GIVEN(long_mode);
    g.activity_state = GSC_ACTIVITY_HLT;
    g.pending_dbg = GSC_PENDING_DBG_BS;
    EXPECT_ONLY("GUEST_PENDING_DEBUG_EXCEPTIONS", "BS set");
    /* TF with BTF single-steps branches only: still no BS. */
    g.rflags |= GSC_RFLAGS_TF;
    g.debugctl = GSC_DEBUGCTL_BTF;
    EXPECT_ONLY("GUEST_PENDING_DEBUG_EXCEPTIONS", "BS set");
    g.pending_dbg = 0;
    EXPECT_PASS();
}

TEST(gsc_pending_rtm_bits)
{
    GIVEN(long_mode);
    g.pending_dbg = GSC_PENDING_DBG_RTM | GSC_PENDING_DBG_ENABLED_BP;
    EXPECT_PASS();
    g.pending_dbg |= GSC_BIT(0);
    EXPECT_ONLY("GUEST_PENDING_DEBUG_EXCEPTIONS", "RTM set together");
}

TEST(gsc_pending_rtm_bit12)
{
    GIVEN(long_mode);
    g.pending_dbg = GSC_PENDING_DBG_RTM;
    EXPECT_ONLY("GUEST_PENDING_DEBUG_EXCEPTIONS", "bit 12");
}

TEST(gsc_pending_rtm_mov_ss)
{
    GIVEN(long_mode);
    g.pending_dbg = GSC_PENDING_DBG_RTM | GSC_PENDING_DBG_ENABLED_BP;
    g.interruptibility = GSC_INTR_BLOCKING_BY_MOV_SS;
    EXPECT_ONLY("GUEST_PENDING_DEBUG_EXCEPTIONS", "RTM set with blocking by MOV SS");
}

/* ---- non-register state: VMCS link pointer -------------------------------- */

TEST(gsc_vmcs_link_pointer)
{
    GIVEN(long_mode);
    g.vmcs_link_pointer = 0;
    EXPECT_ONLY("VMCS_LINK_POINTER", "VMCS link pointer is not 0xffffffffffffffff");
}

TEST_SUITE(guest_state_check,
    UNIT(gsc_good_long_mode),
    UNIT(gsc_good_real_mode_wait_for_sipi),
    UNIT(gsc_good_protected32),
    UNIT(gsc_good_virtual8086),
    UNIT(gsc_check_all_counts_and_truncates),
    UNIT(gsc_cr0_fixed0),
    UNIT(gsc_cr0_fixed0_pe_pg_need_unrestricted_guest),
    UNIT(gsc_cr0_unrestricted_guest_needs_secondary_controls),
    UNIT(gsc_cr0_fixed1),
    UNIT(gsc_cr0_high_bits),
    UNIT(gsc_cr0_pg_without_pe),
    UNIT(gsc_cr4_fixed0),
    UNIT(gsc_cr4_fixed1),
    UNIT(gsc_cr4_fixed1_high_bits),
    UNIT(gsc_cr4_cet_needs_wp),
    UNIT(gsc_cr4_cet_with_wp_passes),
    UNIT(gsc_debugctl_reserved),
    UNIT(gsc_debugctl_and_dr7_unchecked_without_load_debug_controls),
    UNIT(gsc_ia32e_needs_pg),
    UNIT(gsc_ia32e_needs_pae),
    UNIT(gsc_pcide_needs_ia32e),
    UNIT(gsc_pcide_in_long_mode_passes),
    UNIT(gsc_cr3_beyond_physical_width),
    UNIT(gsc_cr3_width_defaults_to_52),
    UNIT(gsc_dr7_high_bits),
    UNIT(gsc_sysenter_esp_canonical),
    UNIT(gsc_sysenter_eip_canonical),
    UNIT(gsc_perf_global_ctrl_reserved),
    UNIT(gsc_pat_entry_type),
    UNIT(gsc_pat_unchecked_without_load_pat),
    UNIT(gsc_efer_reserved),
    UNIT(gsc_efer_lma_matches_ia32e_mode_guest),
    UNIT(gsc_efer_lme_matches_lma_when_paging),
    UNIT(gsc_efer_lme_without_paging_passes),
    UNIT(gsc_bndcfgs_reserved),
    UNIT(gsc_bndcfgs_base_canonical),
    UNIT(gsc_tr_ti),
    UNIT(gsc_ldtr_ti),
    UNIT(gsc_unusable_ldtr_unchecked),
    UNIT(gsc_ss_rpl_equals_cs_rpl),
    UNIT(gsc_v86_base),
    UNIT(gsc_tr_base_canonical),
    UNIT(gsc_gs_base_canonical_even_unusable),
    UNIT(gsc_fs_base_canonical),
    UNIT(gsc_ldtr_base_canonical),
    UNIT(gsc_cs_base_high_bits),
    UNIT(gsc_ds_base_high_bits),
    UNIT(gsc_unusable_es_base_unchecked),
    UNIT(gsc_v86_limit),
    UNIT(gsc_v86_access_rights),
    UNIT(gsc_cs_type),
    UNIT(gsc_cs_type_unaccessed),
    UNIT(gsc_cs_type3_with_unrestricted_guest_passes),
    UNIT(gsc_ss_type),
    UNIT(gsc_ss_type_expand_down_passes),
    UNIT(gsc_data_type_accessed),
    UNIT(gsc_data_code_readable),
    UNIT(gsc_s_set),
    UNIT(gsc_unusable_data_segment_unchecked),
    UNIT(gsc_cs_type3_dpl),
    UNIT(gsc_cs_nonconforming_dpl),
    UNIT(gsc_cs_conforming_dpl),
    UNIT(gsc_ss_dpl_equals_rpl),
    UNIT(gsc_ss_dpl_zero_in_real_mode),
    UNIT(gsc_ss_dpl_zero_with_cs_type3),
    UNIT(gsc_data_dpl_below_rpl),
    UNIT(gsc_data_conforming_code_dpl_below_rpl_passes),
    UNIT(gsc_data_dpl_below_rpl_with_unrestricted_guest_passes),
    UNIT(gsc_present),
    UNIT(gsc_tr_present),
    UNIT(gsc_ldtr_present),
    UNIT(gsc_access_rights_11_8),
    UNIT(gsc_tr_access_rights_11_8),
    UNIT(gsc_cs_db_with_l),
    UNIT(gsc_compatibility_mode_passes),
    UNIT(gsc_g_set_with_byte_limit),
    UNIT(gsc_g_clear_with_large_limit),
    UNIT(gsc_tr_g_clear_with_large_limit),
    UNIT(gsc_ldtr_g_set_with_byte_limit),
    UNIT(gsc_access_rights_31_17),
    UNIT(gsc_ldtr_access_rights_31_17),
    UNIT(gsc_tr_type_in_ia32e_mode),
    UNIT(gsc_tr_type_available_tss),
    UNIT(gsc_tr_16bit_busy_outside_ia32e_passes),
    UNIT(gsc_tr_s_clear),
    UNIT(gsc_tr_usable),
    UNIT(gsc_ldtr_type),
    UNIT(gsc_ldtr_s_clear),
    UNIT(gsc_gdtr_base_canonical),
    UNIT(gsc_idtr_base_canonical),
    UNIT(gsc_gdtr_limit),
    UNIT(gsc_idtr_limit),
    UNIT(gsc_rip_high_bits_outside_64bit_mode),
    UNIT(gsc_rip_high_bits_in_compatibility_mode),
    UNIT(gsc_rip_canonical),
    UNIT(gsc_rip_canonical_with_la57),
    UNIT(gsc_rflags_reserved),
    UNIT(gsc_rflags_bit1),
    UNIT(gsc_rflags_vm_in_ia32e_mode),
    UNIT(gsc_rflags_vm_without_pe),
    UNIT(gsc_rflags_if_for_external_interrupt),
    UNIT(gsc_activity_range),
    UNIT(gsc_activity_unsupported),
    UNIT(gsc_activity_hlt_needs_ss_dpl0),
    UNIT(gsc_activity_active_when_blocking),
    UNIT(gsc_activity_hlt_event),
    UNIT(gsc_activity_hlt_allowed_events),
    UNIT(gsc_activity_shutdown_event),
    UNIT(gsc_activity_wait_for_sipi_event),
    UNIT(gsc_invalid_interruption_info_ignored),
    UNIT(gsc_activity_wait_for_sipi_with_entry_to_smm),
    UNIT(gsc_interruptibility_reserved),
    UNIT(gsc_interruptibility_sti_and_mov_ss),
    UNIT(gsc_interruptibility_sti_needs_if),
    UNIT(gsc_interruptibility_external_interrupt),
    UNIT(gsc_interruptibility_nmi_mov_ss),
    UNIT(gsc_interruptibility_smi),
    UNIT(gsc_interruptibility_nmi_sti),
    UNIT(gsc_interruptibility_virtual_nmi),
    UNIT(gsc_interruptibility_enclave),
    UNIT(gsc_pending_dbg_reserved),
    UNIT(gsc_pending_bs_set_when_single_stepping),
    UNIT(gsc_pending_bs_clear_when_not_single_stepping),
    UNIT(gsc_pending_rtm_bits),
    UNIT(gsc_pending_rtm_bit12),
    UNIT(gsc_pending_rtm_mov_ss),
    UNIT(gsc_vmcs_link_pointer),
);
