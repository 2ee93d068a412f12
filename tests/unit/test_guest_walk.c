/*
 * Unit tests for core/guest_walk.c.  Guest memory is a handful of 4 KiB
 * pages at chosen guest-physical addresses (a sparse "guest RAM"); the
 * callback serves them, refuses everything else, and logs every request so
 * the tests can check how many entries a walk read and that no request
 * crossed a page.  Entry layouts below are written from the SDM tables
 * (vol. 3A 4-4..4-20), not from the code under test.
 */
#include "test.h"
#include "test_bytes.h"

#include "core/guest_walk.h"

#include <stdlib.h>

/* ---- the architecture, as the tests know it ------------------------------ */

#define T_CR0_PE    (1ull << 0)
#define T_CR0_PG    (1ull << 31)
#define T_CR4_PSE   (1ull << 4)
#define T_CR4_PAE   (1ull << 5)
#define T_CR4_LA57  (1ull << 12)
#define T_EFER_LME  (1ull << 8)
#define T_EFER_LMA  (1ull << 10)
#define T_EFER_NXE  (1ull << 11)

#define T_P         (1ull << 0)
#define T_RW        (1ull << 1)
#define T_US        (1ull << 2)
#define T_A         (1ull << 5)
#define T_D         (1ull << 6)
#define T_PS        (1ull << 7)
#define T_XD        (1ull << 63)
#define T_FLAGS     (T_P | T_RW | T_US | T_A)

#define PAGE        4096u
#define SIZE_2M     (1ull << 21)
#define SIZE_1G     (1ull << 30)
#define SIZE_4M     (1ull << 22)

static const struct guest_paging mode_none = { .cr0 = T_CR0_PE };
static const struct guest_paging mode_32 = { .cr0 = T_CR0_PE | T_CR0_PG, .cr4 = T_CR4_PSE };
static const struct guest_paging mode_pae = { .cr0 = T_CR0_PE | T_CR0_PG, .cr4 = T_CR4_PAE,
                                              .efer = T_EFER_NXE };
static const struct guest_paging mode_4l = { .cr0 = T_CR0_PE | T_CR0_PG, .cr4 = T_CR4_PAE,
                                             .efer = T_EFER_LME | T_EFER_LMA | T_EFER_NXE };
static const struct guest_paging mode_5l = { .cr0 = T_CR0_PE | T_CR0_PG,
                                             .cr4 = T_CR4_PAE | T_CR4_LA57,
                                             .efer = T_EFER_LME | T_EFER_LMA | T_EFER_NXE };

static struct guest_paging with_cr3(struct guest_paging p, uint64_t cr3)
{
    p.cr3 = cr3;
    return p;
}

/* Index of linear at a 9-bit-per-level table level (1 = PT ... 5 = PML5). */
static unsigned idx(uint64_t linear, unsigned level)
{
    return (unsigned)(linear >> (12 + 9 * (level - 1))) & 511;
}

/* ---- a sparse guest RAM --------------------------------------------------- */

#define FAKE_PAGES  24
#define FAKE_LOG    64

struct fake_guest {
    uint64_t gpa[FAKE_PAGES];
    bool     refused[FAKE_PAGES];        /* present but the callback says no */
    unsigned count;
    unsigned reads;                      /* requests, served or not */
    unsigned cross_page;                 /* requests that crossed a 4 KiB boundary */
    uint64_t log_gpa[FAKE_LOG];
    size_t   log_len[FAKE_LOG];
    uint8_t  mem[FAKE_PAGES][PAGE];
};

static struct fake_guest *fake_new(void)
{
    return calloc(1, sizeof(struct fake_guest));
}

static int fake_find(const struct fake_guest *g, uint64_t gpa)
{
    for (unsigned i = 0; i < g->count; i++) {
        if (g->gpa[i] == (gpa & ~(uint64_t)(PAGE - 1)))
            return (int)i;
    }
    return -1;
}

/* Adds a zeroed page at gpa (page-aligned) and returns gpa. */
static uint64_t fake_page(struct fake_guest *g, uint64_t gpa)
{
    if (fake_find(g, gpa) < 0 && g->count < FAKE_PAGES)
        g->gpa[g->count++] = gpa & ~(uint64_t)(PAGE - 1);
    return gpa;
}

static uint8_t *fake_at(struct fake_guest *g, uint64_t gpa)
{
    int i = fake_find(g, gpa);

    return i < 0 ? NULL : &g->mem[i][gpa & (PAGE - 1)];
}

static void put64(struct fake_guest *g, uint64_t gpa, uint64_t v)
{
    uint8_t *p = fake_at(g, gpa);

    if (p != NULL)
        w64(p, 0, v);
}

static void put32(struct fake_guest *g, uint64_t gpa, uint32_t v)
{
    uint8_t *p = fake_at(g, gpa);

    if (p != NULL)
        w32(p, 0, v);
}

static void fake_refuse(struct fake_guest *g, uint64_t gpa)
{
    int i = fake_find(g, gpa);

    if (i >= 0)
        g->refused[i] = true;
}

static void fake_reset_log(struct fake_guest *g)
{
    g->reads = 0;
    g->cross_page = 0;
}

static bool fake_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    struct fake_guest *g = ctx;
    int i;

    if (g->reads < FAKE_LOG) {
        g->log_gpa[g->reads] = gpa;
        g->log_len[g->reads] = len;
    }
    g->reads++;
    if (len == 0 || (gpa & (PAGE - 1)) + len > PAGE) {
        g->cross_page++;
        return false;
    }
    i = fake_find(g, gpa);
    if (i < 0 || g->refused[i])
        return false;
    memcpy(buf, &g->mem[i][gpa & (PAGE - 1)], len);
    return true;
}

static enum guest_walk_status walk(const struct guest_paging *p, unsigned m, uint64_t linear,
                                   struct fake_guest *g, uint64_t *gpa)
{
    *gpa = 0xdeadbeefull;
    return guest_walk(p, m, linear, fake_read, g, gpa);
}

/* ---- 4-level and 5-level fixtures ------------------------------------------
 * Table pages sit at addresses at least two bits apart from one another, so
 * flipping one address bit of an entry always moves its table to memory
 * that is not guest RAM (UNREADABLE), never onto another table. */

#define T_PML5      0x011000ull
#define T_PML4      0x022000ull
#define T_PDPT      0x044000ull
#define T_PD        0x088000ull
#define T_PT        0x110000ull
#define T_DATA      0x000000abcdef0000ull   /* needs MAXPHYADDR >= 40 */

static const uint64_t lin_4l = 0xffff8a5b3c7d9123ull;     /* canonical, every index non-zero */
static const uint64_t lin_5l = 0xff5a5b3c7d9e1123ull;     /* canonical with 57 bits */

/* Builds PML4 -> PDPT -> PD -> PT -> T_DATA for linear (and a PML5 above
 * when five_level).  Returns CR3. */
static uint64_t build_long(struct fake_guest *g, uint64_t linear, bool five_level)
{
    fake_page(g, T_PML4);
    fake_page(g, T_PDPT);
    fake_page(g, T_PD);
    fake_page(g, T_PT);
    put64(g, T_PML4 + idx(linear, 4) * 8, T_PDPT | T_FLAGS);
    put64(g, T_PDPT + idx(linear, 3) * 8, T_PD | T_FLAGS);
    put64(g, T_PD + idx(linear, 2) * 8, T_PT | T_FLAGS);
    put64(g, T_PT + idx(linear, 1) * 8, T_DATA | T_FLAGS | T_D);
    if (!five_level)
        return T_PML4;
    fake_page(g, T_PML5);
    put64(g, T_PML5 + idx(linear, 5) * 8, T_PML4 | T_FLAGS);
    return T_PML5;
}

static uint64_t table_at_level(unsigned level)
{
    static const uint64_t tables[] = { 0, T_PT, T_PD, T_PDPT, T_PML4, T_PML5 };

    return tables[level];
}

/* ---- no paging ------------------------------------------------------------ */

TEST(walk_no_paging_is_identity_32bit)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p = mode_none;
    uint64_t gpa;

    CHECK(g != NULL);
    CHECK_EQ_U64(walk(&p, 36, 0x12345678, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, 0x12345678);
    /* Linear addresses wrap at 4 GiB without paging. */
    CHECK_EQ_U64(walk(&p, 36, 0x100001234ull, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, 0x1234);
    /* PAE, PSE and CR3 do not matter while CR0.PG = 0. */
    p.cr4 = T_CR4_PAE | T_CR4_PSE | T_CR4_LA57;
    p.cr3 = 0x1000;
    CHECK_EQ_U64(walk(&p, 52, 0xfffff000u, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, 0xfffff000u);
    CHECK_EQ_U64(g->reads, 0);
    free(g);
}

TEST(walk_impossible_modes_are_reserved)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p = mode_4l;
    uint64_t gpa;

    CHECK(g != NULL);
    /* LMA = 1 needs PG = 1 and PAE = 1 (SDM vol. 3A 4.1.2). */
    p.cr4 = 0;
    CHECK_EQ_U64(walk(&p, 36, 0x1000, g, &gpa), GUEST_WALK_RESERVED);
    CHECK_EQ_U64(gpa, 0);
    p = mode_4l;
    p.cr0 = T_CR0_PE;
    CHECK_EQ_U64(walk(&p, 36, 0x1000, g, &gpa), GUEST_WALK_RESERVED);
    CHECK_EQ_U64(g->reads, 0);
    free(g);
}

/* ---- 32-bit paging -------------------------------------------------------- */

#define T32_PD      0x00003000u
#define T32_PT      0x00005000u
#define T32_LIN     0xc0123456u

static void build_32(struct fake_guest *g)
{
    fake_page(g, T32_PD);
    fake_page(g, T32_PT);
    put32(g, T32_PD + (T32_LIN >> 22) * 4, T32_PT | (uint32_t)T_FLAGS);
    put32(g, T32_PT + ((T32_LIN >> 12) & 1023) * 4, 0xabcde000u | (uint32_t)T_FLAGS);
}

TEST(walk_32bit_4k)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p = with_cr3(mode_32, T32_PD | 0x18);   /* PWT, PCD: ignored */
    uint64_t gpa;

    CHECK(g != NULL);
    build_32(g);
    CHECK_EQ_U64(walk(&p, 36, T32_LIN, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, 0xabcde456u);
    CHECK_EQ_U64(g->reads, 2);
    CHECK_EQ_U64(g->log_len[0], 4);
    CHECK_EQ_U64(g->log_gpa[0], T32_PD + 0x300 * 4);
    CHECK_EQ_U64(g->log_len[1], 4);
    /* Bits 63:32 of the linear address do not exist outside IA-32e mode. */
    CHECK_EQ_U64(walk(&p, 36, (1ull << 40) | T32_LIN, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, 0xabcde456u);
    /* Without CR4.PSE the PS bit is ignored: still a page table. */
    put32(g, T32_PD + (T32_LIN >> 22) * 4, T32_PT | (uint32_t)(T_FLAGS | T_PS));
    p.cr4 = 0;
    CHECK_EQ_U64(walk(&p, 36, T32_LIN, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, 0xabcde456u);
    free(g);
}

TEST(walk_32bit_4m_and_pse36)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p = with_cr3(mode_32, T32_PD);
    uint32_t pde_slot = T32_PD + (T32_LIN >> 22) * 4;
    uint64_t gpa;

    CHECK(g != NULL);
    build_32(g);
    /* A 4 MiB page at 0x12c00000, PAT (bit 12) set: not an address bit. */
    put32(g, pde_slot, 0x12c00000u | (1u << 12) | (uint32_t)(T_FLAGS | T_PS));
    CHECK_EQ_U64(walk(&p, 36, T32_LIN, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, 0x12c00000u | (T32_LIN & (SIZE_4M - 1)));
    CHECK_EQ_U64(g->reads, 1);

    /* PSE-36: PDE bits 16:13 are physical bits 35:32 with MAXPHYADDR 36. */
    put32(g, pde_slot, 0x12c00000u | (0xfu << 13) | (uint32_t)(T_FLAGS | T_PS));
    CHECK_EQ_U64(walk(&p, 36, T32_LIN, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, 0xf00000000ull | 0x12c00000u | (T32_LIN & (SIZE_4M - 1)));

    /* Bits 20:13 with MAXPHYADDR >= 40: physical bits 39:32. */
    put32(g, pde_slot, 0x12c00000u | (0xabu << 13) | (uint32_t)(T_FLAGS | T_PS));
    CHECK_EQ_U64(walk(&p, 36, T32_LIN, g, &gpa), GUEST_WALK_RESERVED);
    CHECK_EQ_U64(gpa, 0);
    CHECK_EQ_U64(walk(&p, 40, T32_LIN, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, 0xab00000000ull | 0x12c00000u | (T32_LIN & (SIZE_4M - 1)));
    /* M = min(MAXPHYADDR, 40): 52 gives no more bits than 40. */
    CHECK_EQ_U64(walk(&p, 52, T32_LIN, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, 0xab00000000ull | 0x12c00000u | (T32_LIN & (SIZE_4M - 1)));
    /* MAXPHYADDR 38: bits 18:13 are address, 21:19 reserved. */
    put32(g, pde_slot, 0x12c00000u | (0x3fu << 13) | (uint32_t)(T_FLAGS | T_PS));
    CHECK_EQ_U64(walk(&p, 38, T32_LIN, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, 0x3f00000000ull | 0x12c00000u | (T32_LIN & (SIZE_4M - 1)));
    put32(g, pde_slot, 0x12c00000u | (1u << 19) | (uint32_t)(T_FLAGS | T_PS));
    CHECK_EQ_U64(walk(&p, 38, T32_LIN, g, &gpa), GUEST_WALK_RESERVED);

    /* Bit 21 is reserved whatever MAXPHYADDR is. */
    put32(g, pde_slot, 0x12c00000u | (1u << 21) | (uint32_t)(T_FLAGS | T_PS));
    CHECK_EQ_U64(walk(&p, 36, T32_LIN, g, &gpa), GUEST_WALK_RESERVED);
    CHECK_EQ_U64(walk(&p, 52, T32_LIN, g, &gpa), GUEST_WALK_RESERVED);
    /* ... but only in a 4 MiB PDE: with CR4.PSE = 0 the entry is a table pointer. */
    p.cr4 = 0;
    CHECK_EQ_U64(walk(&p, 36, T32_LIN, g, &gpa), GUEST_WALK_UNREADABLE);
    free(g);
}

TEST(walk_32bit_not_present_and_unreadable)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p = with_cr3(mode_32, T32_PD);
    uint32_t pde_slot = T32_PD + (T32_LIN >> 22) * 4;
    uint32_t pte_slot = T32_PT + ((T32_LIN >> 12) & 1023) * 4;
    uint64_t gpa;

    CHECK(g != NULL);
    build_32(g);
    /* Not present: every other bit is ignored, even "reserved" ones. */
    put32(g, pte_slot, 0xfffffffeu);
    CHECK_EQ_U64(walk(&p, 36, T32_LIN, g, &gpa), GUEST_WALK_NOT_PRESENT);
    put32(g, pde_slot, 0xfffffffeu);
    CHECK_EQ_U64(walk(&p, 36, T32_LIN, g, &gpa), GUEST_WALK_NOT_PRESENT);
    build_32(g);
    fake_refuse(g, T32_PT);
    CHECK_EQ_U64(walk(&p, 36, T32_LIN, g, &gpa), GUEST_WALK_UNREADABLE);
    fake_refuse(g, T32_PD);
    CHECK_EQ_U64(walk(&p, 36, T32_LIN, g, &gpa), GUEST_WALK_UNREADABLE);
    CHECK_EQ_U64(gpa, 0);
    /* CR3 pointing outside guest RAM. */
    p.cr3 = 0x7777000;
    CHECK_EQ_U64(walk(&p, 36, T32_LIN, g, &gpa), GUEST_WALK_UNREADABLE);
    free(g);
}

/* ---- PAE paging ----------------------------------------------------------- */

#define TP_PDPT_PAGE 0x00006000u
#define TP_CR3       (TP_PDPT_PAGE + 0x20)     /* 32-byte aligned, not page aligned */
#define TP_PD        0x00011000u
#define TP_PT        0x00022000u
#define TP_DATA      0x000000023456f000ull     /* above 4 GiB, below 2^36 */
#define TP_LIN       0xc0603234u

static uint64_t pae_pdpte_slot(void) { return TP_CR3 + (TP_LIN >> 30) * 8; }
static uint64_t pae_pde_slot(void) { return TP_PD + idx(TP_LIN, 2) * 8; }
static uint64_t pae_pte_slot(void) { return TP_PT + idx(TP_LIN, 1) * 8; }

static void build_pae(struct fake_guest *g)
{
    fake_page(g, TP_PDPT_PAGE);
    fake_page(g, TP_PD);
    fake_page(g, TP_PT);
    put64(g, pae_pdpte_slot(), TP_PD | T_P | (1u << 3) | (1u << 9));   /* PWT and an ignored bit */
    put64(g, pae_pde_slot(), TP_PT | T_FLAGS);
    put64(g, pae_pte_slot(), TP_DATA | T_FLAGS | T_XD);
}

TEST(walk_pae_4k)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p = with_cr3(mode_pae, TP_CR3);
    uint64_t gpa;

    CHECK(g != NULL);
    build_pae(g);
    CHECK_EQ_U64(walk(&p, 36, TP_LIN, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, TP_DATA | 0x234);
    CHECK_EQ_U64(g->reads, 3);
    CHECK_EQ_U64(g->log_gpa[0], TP_CR3 + 3 * 8);
    CHECK_EQ_U64(g->log_len[0], 8);
    /* Linear bits 63:32 do not exist; CR4.LA57 means nothing without LMA. */
    p.cr4 |= T_CR4_LA57;
    CHECK_EQ_U64(walk(&p, 36, 0xabcd00000000ull | TP_LIN, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, TP_DATA | 0x234);
    /* XD is reserved when EFER.NXE = 0. */
    p.efer = 0;
    CHECK_EQ_U64(walk(&p, 36, TP_LIN, g, &gpa), GUEST_WALK_RESERVED);
    free(g);
}

TEST(walk_pae_2m)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p = with_cr3(mode_pae, TP_CR3);
    uint64_t gpa;

    CHECK(g != NULL);
    build_pae(g);
    /* PAE ignores CR4.PSE: PDE.PS always maps 2 MiB.  PAT is bit 12. */
    put64(g, pae_pde_slot(), 0x0000000876600000ull | T_FLAGS | T_PS | (1u << 12));
    CHECK_EQ_U64(walk(&p, 36, TP_LIN, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, 0x0000000876600000ull | (TP_LIN & (SIZE_2M - 1)));
    CHECK_EQ_U64(g->reads, 2);
    for (unsigned bit = 13; bit <= 20; bit++) {
        put64(g, pae_pde_slot(), 0x0000000876600000ull | T_FLAGS | T_PS | (1ull << bit));
        CHECK_EQ_U64(walk(&p, 36, TP_LIN, g, &gpa), GUEST_WALK_RESERVED);
    }
    free(g);
}

TEST(walk_pae_pdpte_rules)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p = with_cr3(mode_pae, TP_CR3);
    uint64_t gpa;

    CHECK(g != NULL);
    build_pae(g);
    /* Not present, whatever else is set. */
    put64(g, pae_pdpte_slot(), ~T_P);
    CHECK_EQ_U64(walk(&p, 36, TP_LIN, g, &gpa), GUEST_WALK_NOT_PRESENT);
    CHECK_EQ_U64(g->reads, 1);
    /* Another PDPTE slot (TP_LIN's index is 3) is not looked at. */
    build_pae(g);
    put64(g, TP_CR3, ~0ull);
    CHECK_EQ_U64(walk(&p, 36, TP_LIN, g, &gpa), GUEST_WALK_OK);
    /* The PDPT sits at CR3[31:5]: CR3 bits 4:0 and 63:32 are not address. */
    p.cr3 = TP_CR3 | 0x18 | (1ull << 40);
    CHECK_EQ_U64(walk(&p, 36, TP_LIN, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, TP_DATA | 0x234);
    /* A PDPT outside guest RAM. */
    p.cr3 = 0x9990020;
    CHECK_EQ_U64(walk(&p, 36, TP_LIN, g, &gpa), GUEST_WALK_UNREADABLE);
    free(g);
}

/* ---- 4-level and 5-level paging ------------------------------------------- */

TEST(walk_4level_4k)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p;
    uint64_t gpa;

    CHECK(g != NULL);
    p = with_cr3(mode_4l, build_long(g, lin_4l, false));
    CHECK_EQ_U64(walk(&p, 40, lin_4l, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, T_DATA | (lin_4l & 0xfff));
    CHECK_EQ_U64(g->reads, 4);
    CHECK_EQ_U64(g->log_gpa[0], T_PML4 + idx(lin_4l, 4) * 8);
    CHECK_EQ_U64(g->log_gpa[1], T_PDPT + idx(lin_4l, 3) * 8);
    CHECK_EQ_U64(g->log_gpa[2], T_PD + idx(lin_4l, 2) * 8);
    CHECK_EQ_U64(g->log_gpa[3], T_PT + idx(lin_4l, 1) * 8);
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ_U64(g->log_len[i], 8);
    CHECK_EQ_U64(g->cross_page, 0);
    /* T_DATA needs 40 physical bits. */
    CHECK_EQ_U64(walk(&p, 39, lin_4l, g, &gpa), GUEST_WALK_RESERVED);
    /* CR3's PCID (bits 11:0) and bits above MAXPHYADDR (LAM, the no-flush
     * bit of MOV to CR3) are not part of the table address. */
    p.cr3 |= 0xfff | (3ull << 61) | (1ull << 63);
    CHECK_EQ_U64(walk(&p, 40, lin_4l, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, T_DATA | (lin_4l & 0xfff));
    free(g);
}

TEST(walk_4level_2m_and_1g)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p;
    uint64_t gpa, base_2m = 0x0000004321e00000ull, base_1g = 0x000000ff40000000ull;

    CHECK(g != NULL);
    p = with_cr3(mode_4l, build_long(g, lin_4l, false));
    put64(g, T_PD + idx(lin_4l, 2) * 8, base_2m | T_FLAGS | T_PS | (1u << 12));
    CHECK_EQ_U64(walk(&p, 46, lin_4l, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, base_2m | (lin_4l & (SIZE_2M - 1)));
    CHECK_EQ_U64(g->reads, 3);
    for (unsigned bit = 13; bit <= 20; bit++) {
        put64(g, T_PD + idx(lin_4l, 2) * 8, base_2m | T_FLAGS | T_PS | (1ull << bit));
        CHECK_EQ_U64(walk(&p, 46, lin_4l, g, &gpa), GUEST_WALK_RESERVED);
    }

    fake_reset_log(g);
    put64(g, T_PDPT + idx(lin_4l, 3) * 8, base_1g | T_FLAGS | T_PS | (1u << 12));
    CHECK_EQ_U64(walk(&p, 46, lin_4l, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, base_1g | (lin_4l & (SIZE_1G - 1)));
    CHECK_EQ_U64(g->reads, 2);
    for (unsigned bit = 13; bit <= 29; bit++) {
        put64(g, T_PDPT + idx(lin_4l, 3) * 8, base_1g | T_FLAGS | T_PS | (1ull << bit));
        CHECK_EQ_U64(walk(&p, 46, lin_4l, g, &gpa), GUEST_WALK_RESERVED);
    }
    /* A PML4E cannot map a page: PS is reserved there. */
    put64(g, T_PML4 + idx(lin_4l, 4) * 8, T_PDPT | T_FLAGS | T_PS);
    CHECK_EQ_U64(walk(&p, 46, lin_4l, g, &gpa), GUEST_WALK_RESERVED);
    free(g);
}

TEST(walk_5level)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p;
    uint64_t gpa;

    CHECK(g != NULL);
    p = with_cr3(mode_5l, build_long(g, lin_5l, true));
    CHECK_EQ_U64(walk(&p, 40, lin_5l, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, T_DATA | (lin_5l & 0xfff));
    CHECK_EQ_U64(g->reads, 5);
    CHECK_EQ_U64(g->log_gpa[0], T_PML5 + idx(lin_5l, 5) * 8);
    CHECK(idx(lin_5l, 5) != 0);
    /* The PML5E cannot map a page either. */
    put64(g, T_PML5 + idx(lin_5l, 5) * 8, T_PML4 | T_FLAGS | T_PS);
    CHECK_EQ_U64(walk(&p, 40, lin_5l, g, &gpa), GUEST_WALK_RESERVED);
    put64(g, T_PML5 + idx(lin_5l, 5) * 8, T_PML4);
    CHECK_EQ_U64(walk(&p, 40, lin_5l, g, &gpa), GUEST_WALK_NOT_PRESENT);
    /* Without LA57 the same address has too many bits to be canonical. */
    put64(g, T_PML5 + idx(lin_5l, 5) * 8, T_PML4 | T_FLAGS);
    p.cr4 &= ~T_CR4_LA57;
    CHECK_EQ_U64(walk(&p, 40, lin_5l, g, &gpa), GUEST_WALK_NON_CANONICAL);
    free(g);
}

TEST(walk_canonical_checks)
{
    static const struct {
        uint64_t linear;
        bool canonical_4l, canonical_5l;
    } cases[] = {
        { 0x0000000000000000ull, true, true },
        { 0x00007fffffffffffull, true, true },
        { 0x0000800000000000ull, false, true },
        { 0xffff7fffffffffffull, false, true },
        { 0xffff800000000000ull, true, true },
        { 0xffffffffffffffffull, true, true },
        { 0x00ffffffffffffffull, false, true },
        { 0x01ffffffffffffffull, false, false },
        { 0x0100000000000000ull, false, false },
        { 0xfeffffffffffffffull, false, false },
        { 0xff00000000000000ull, false, true },
        { 0x8000000000000000ull, false, false },
        { 0x7fffffffffffffffull, false, false },
    };
    struct fake_guest *g = fake_new();
    uint64_t gpa;

    CHECK(g != NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct guest_paging p4 = with_cr3(mode_4l, T_PML4), p5 = with_cr3(mode_5l, T_PML5);

        fake_reset_log(g);
        if (cases[i].canonical_4l)
            CHECK(walk(&p4, 40, cases[i].linear, g, &gpa) != GUEST_WALK_NON_CANONICAL);
        else
            CHECK_EQ_U64(walk(&p4, 40, cases[i].linear, g, &gpa), GUEST_WALK_NON_CANONICAL);
        if (cases[i].canonical_5l)
            CHECK(walk(&p5, 40, cases[i].linear, g, &gpa) != GUEST_WALK_NON_CANONICAL);
        else
            CHECK_EQ_U64(walk(&p5, 40, cases[i].linear, g, &gpa), GUEST_WALK_NON_CANONICAL);
        /* A non-canonical address is refused before any memory is read. */
        if (!cases[i].canonical_4l && !cases[i].canonical_5l)
            CHECK_EQ_U64(g->reads, 0);
    }
    free(g);
}

TEST(walk_unreadable_at_each_level)
{
    for (unsigned level = 1; level <= 5; level++) {
        struct fake_guest *g = fake_new();
        struct guest_paging p;
        uint64_t gpa;

        CHECK(g != NULL);
        p = with_cr3(mode_5l, build_long(g, lin_5l, true));
        fake_refuse(g, table_at_level(level));
        CHECK_EQ_U64(walk(&p, 40, lin_5l, g, &gpa), GUEST_WALK_UNREADABLE);
        CHECK_EQ_U64(gpa, 0);
        CHECK_EQ_U64(g->reads, 6 - level);
        free(g);
    }
}

TEST(walk_not_present_at_each_level)
{
    for (unsigned level = 1; level <= 5; level++) {
        struct fake_guest *g = fake_new();
        struct guest_paging p;
        uint64_t gpa, slot;

        CHECK(g != NULL);
        p = with_cr3(mode_5l, build_long(g, lin_5l, true));
        slot = table_at_level(level) + idx(lin_5l, level) * 8;
        /* Every bit but P: reserved bits in a not-present entry are ignored. */
        put64(g, slot, ~T_P);
        CHECK_EQ_U64(walk(&p, 40, lin_5l, g, &gpa), GUEST_WALK_NOT_PRESENT);
        CHECK_EQ_U64(g->reads, 6 - level);
        free(g);
    }
}

/* ---- every bit of every entry ----------------------------------------------
 * Flips one bit of the entry at one level and compares the walk with what
 * the SDM's entry tables say that bit is. */

enum bit_kind { BIT_IGNORED, BIT_PRESENT, BIT_RESERVED, BIT_TABLE_ADDR, BIT_PAGE_ADDR };

struct sweep {
    const char *mode;
    struct guest_paging paging;
    unsigned maxphyaddr;
    uint64_t linear;
    uint64_t gpa;                        /* the unmodified walk's result */
    unsigned levels;                     /* entries on the way */
    uint64_t (*slot)(unsigned level);    /* where level's entry is */
    enum bit_kind (*kind)(const struct sweep *s, unsigned level, unsigned bit);
    bool wide;                           /* 8-byte entries */
};

static uint64_t long_slot_4l(unsigned level)
{
    return table_at_level(level) + idx(lin_4l, level) * 8;
}

static uint64_t long_slot_5l(unsigned level)
{
    return table_at_level(level) + idx(lin_5l, level) * 8;
}

static uint64_t pae_slot(unsigned level)
{
    return level == 3 ? pae_pdpte_slot() : level == 2 ? pae_pde_slot() : pae_pte_slot();
}

static uint64_t slot_32(unsigned level)
{
    return level == 2 ? T32_PD + (T32_LIN >> 22) * 4 : T32_PT + ((T32_LIN >> 12) & 1023) * 4;
}

static bool nxe(const struct sweep *s)
{
    return (s->paging.efer & T_EFER_NXE) != 0;
}

/* Tables 4-14 .. 4-20: 4-level and 5-level entries. */
static enum bit_kind kind_long(const struct sweep *s, unsigned level, unsigned bit)
{
    if (bit == 0)
        return BIT_PRESENT;
    if (bit == 7)
        /* PS: reserved in PML4E/PML5E; in a PDPTE or PDE it would make
         * the table address a large page whose bits 20:13 are set. */
        return level == 1 ? BIT_IGNORED : BIT_RESERVED;
    if (bit < 12)
        return BIT_IGNORED;
    if (bit < s->maxphyaddr)
        return level == 1 ? BIT_PAGE_ADDR : BIT_TABLE_ADDR;
    if (bit <= 51)
        return BIT_RESERVED;
    if (bit <= 62)
        return BIT_IGNORED;
    return nxe(s) ? BIT_IGNORED : BIT_RESERVED;
}

/* Tables 4-8 .. 4-11: PAE entries. */
static enum bit_kind kind_pae(const struct sweep *s, unsigned level, unsigned bit)
{
    if (bit == 0)
        return BIT_PRESENT;
    if (level == 3) {
        if (bit == 1 || bit == 2 || (bit >= 5 && bit <= 8) || bit >= s->maxphyaddr)
            return BIT_RESERVED;
        return bit < 12 ? BIT_IGNORED : BIT_TABLE_ADDR;
    }
    if (bit == 7)
        return level == 1 ? BIT_IGNORED : BIT_RESERVED;
    if (bit < 12)
        return BIT_IGNORED;
    if (bit < s->maxphyaddr)
        return level == 1 ? BIT_PAGE_ADDR : BIT_TABLE_ADDR;
    if (bit <= 62)
        return BIT_RESERVED;
    return nxe(s) ? BIT_IGNORED : BIT_RESERVED;
}

/* Tables 4-5 and 4-6: 32-bit PDE (with CR4.PSE = 0) and PTE. */
static enum bit_kind kind_32(const struct sweep *s, unsigned level, unsigned bit)
{
    (void)s;
    if (bit == 0)
        return BIT_PRESENT;
    if (bit < 12)
        return BIT_IGNORED;
    return level == 1 ? BIT_PAGE_ADDR : BIT_TABLE_ADDR;
}

static void run_sweep(struct unit_ctx *unit_ctx_, const struct sweep *s, struct fake_guest *g)
{
    for (unsigned level = 1; level <= s->levels; level++) {
        uint64_t slot = s->slot(level);
        uint8_t *raw = fake_at(g, slot);
        uint64_t original = s->wide ? r64(raw, 0) : r32(raw, 0);

        for (unsigned bit = 0; bit < (s->wide ? 64u : 32u); bit++) {
            enum bit_kind kind = s->kind(s, level, bit);
            uint64_t flipped = original ^ (1ull << bit), gpa;
            enum guest_walk_status got, want;
            uint64_t want_gpa = s->gpa;

            if (s->wide)
                w64(raw, 0, flipped);
            else
                w32(raw, 0, (uint32_t)flipped);
            got = walk(&s->paging, s->maxphyaddr, s->linear, g, &gpa);
            if (s->wide)
                w64(raw, 0, original);
            else
                w32(raw, 0, (uint32_t)original);

            want = kind == BIT_PRESENT    ? GUEST_WALK_NOT_PRESENT
                 : kind == BIT_RESERVED   ? GUEST_WALK_RESERVED
                 : kind == BIT_TABLE_ADDR ? GUEST_WALK_UNREADABLE
                                          : GUEST_WALK_OK;
            if (kind == BIT_PAGE_ADDR)
                want_gpa ^= 1ull << bit;
            if (got != want || (want == GUEST_WALK_OK && gpa != want_gpa)) {
                unit_fail(unit_ctx_, __FILE__, __LINE__,
                          "%s: level %u bit %u: status %s gpa 0x%" PRIx64
                          ", want %s gpa 0x%" PRIx64, s->mode, level, bit,
                          guest_walk_status_name(got), gpa, guest_walk_status_name(want),
                          want_gpa);
                return;
            }
        }
    }
}

TEST(walk_bit_sweep_long)
{
    for (unsigned five = 0; five <= 1; five++) {
        for (unsigned with_nxe = 0; with_nxe <= 1; with_nxe++) {
            static const unsigned widths[] = { 40, 46, 52 };

            for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
                struct fake_guest *g = fake_new();
                struct sweep s = {
                    .mode = five ? "5-level" : "4-level",
                    .paging = five ? mode_5l : mode_4l,
                    .maxphyaddr = widths[w],
                    .linear = five ? lin_5l : lin_4l,
                    .levels = five ? 5 : 4,
                    .slot = five ? long_slot_5l : long_slot_4l,
                    .kind = kind_long,
                    .wide = true,
                };

                CHECK(g != NULL);
                s.paging.cr3 = build_long(g, s.linear, five);
                if (!with_nxe)
                    s.paging.efer &= ~T_EFER_NXE;
                s.gpa = T_DATA | (s.linear & 0xfff);
                CHECK_EQ_U64(walk(&s.paging, s.maxphyaddr, s.linear, g, &s.gpa), GUEST_WALK_OK);
                run_sweep(unit_ctx_, &s, g);
                free(g);
                CHECK_PASSING();
            }
        }
    }
}

TEST(walk_bit_sweep_pae)
{
    for (unsigned with_nxe = 0; with_nxe <= 1; with_nxe++) {
        static const unsigned widths[] = { 36, 40, 52 };

        for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
            struct fake_guest *g = fake_new();
            struct sweep s = {
                .mode = "PAE",
                .paging = with_cr3(mode_pae, TP_CR3),
                .maxphyaddr = widths[w],
                .linear = TP_LIN,
                .levels = 3,
                .slot = pae_slot,
                .kind = kind_pae,
                .wide = true,
            };

            CHECK(g != NULL);
            build_pae(g);
            put64(g, pae_pte_slot(), TP_DATA | T_FLAGS);      /* no XD: valid without NXE */
            if (!with_nxe)
                s.paging.efer &= ~T_EFER_NXE;
            CHECK_EQ_U64(walk(&s.paging, s.maxphyaddr, s.linear, g, &s.gpa), GUEST_WALK_OK);
            CHECK_EQ_U64(s.gpa, TP_DATA | 0x234);
            run_sweep(unit_ctx_, &s, g);
            free(g);
            CHECK_PASSING();
        }
    }
}

TEST(walk_bit_sweep_32bit)
{
    struct fake_guest *g = fake_new();
    struct sweep s = {
        .mode = "32-bit",
        .paging = with_cr3(mode_32, T32_PD),
        .maxphyaddr = 36,
        .linear = T32_LIN,
        .levels = 2,
        .slot = slot_32,
        .kind = kind_32,
        .wide = false,
    };

    CHECK(g != NULL);
    build_32(g);
    s.paging.cr4 = 0;            /* PS ignored: a flipped bit 7 stays a table pointer */
    CHECK_EQ_U64(walk(&s.paging, s.maxphyaddr, s.linear, g, &s.gpa), GUEST_WALK_OK);
    run_sweep(unit_ctx_, &s, g);
    free(g);
}

/* Every bit of a leaf large-page entry: bit 12 is PAT, the bits between it
 * and the page address are reserved, the rest as for other entries. */
TEST(walk_bit_sweep_large_leaves)
{
    static const struct { unsigned level; uint64_t base; } leaves[] = {
        { 2, 0x000000abcde00000ull },
        { 3, 0x000000ab40000000ull },
    };

    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        struct fake_guest *g = fake_new();
        struct guest_paging p;
        unsigned level = leaves[i].level, shift = 12 + 9 * (level - 1);
        uint64_t slot = table_at_level(level) + idx(lin_4l, level) * 8;
        uint64_t entry = leaves[i].base | T_FLAGS | T_PS, offset = lin_4l & ((1ull << shift) - 1);

        CHECK(g != NULL);
        p = with_cr3(mode_4l, build_long(g, lin_4l, false));
        for (unsigned bit = 0; bit < 64; bit++) {
            uint64_t gpa;
            enum guest_walk_status got;

            put64(g, slot, entry ^ (1ull << bit));
            got = walk(&p, 44, lin_4l, g, &gpa);
            if (bit == 0) {
                CHECK_EQ_U64(got, GUEST_WALK_NOT_PRESENT);
            } else if (bit == 7) {
                /* Not a leaf any more: a table at the page base, outside RAM. */
                CHECK_EQ_U64(got, GUEST_WALK_UNREADABLE);
            } else if (bit < 13 || (bit >= 52 && bit <= 63)) {
                CHECK_EQ_U64(got, GUEST_WALK_OK);
                CHECK_EQ_U64(gpa, leaves[i].base | offset);
            } else if (bit < shift || (bit >= 44 && bit <= 51)) {
                CHECK_EQ_U64(got, GUEST_WALK_RESERVED);
            } else {
                CHECK_EQ_U64(got, GUEST_WALK_OK);
                CHECK_EQ_U64(gpa, (leaves[i].base ^ (1ull << bit)) | offset);
            }
        }
        free(g);
    }
}

/* The same for a 4 MiB PDE of 32-bit paging with MAXPHYADDR 40 and 36. */
TEST(walk_bit_sweep_4m)
{
    static const unsigned widths[] = { 36, 40 };

    for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
        struct fake_guest *g = fake_new();
        struct guest_paging p = with_cr3(mode_32, T32_PD);
        unsigned m = widths[w];
        uint32_t entry = 0x12c00000u | (uint32_t)(T_FLAGS | T_PS);
        uint64_t slot = T32_PD + (T32_LIN >> 22) * 4, offset = T32_LIN & (SIZE_4M - 1);

        CHECK(g != NULL);
        build_32(g);
        for (unsigned bit = 0; bit < 32; bit++) {
            uint64_t gpa;
            enum guest_walk_status got;

            put32(g, slot, entry ^ (1u << bit));
            got = walk(&p, m, T32_LIN, g, &gpa);
            if (bit == 0) {
                CHECK_EQ_U64(got, GUEST_WALK_NOT_PRESENT);
            } else if (bit == 7) {
                CHECK_EQ_U64(got, GUEST_WALK_UNREADABLE);
            } else if (bit <= 12) {
                CHECK_EQ_U64(got, GUEST_WALK_OK);
                CHECK_EQ_U64(gpa, 0x12c00000u | offset);
            } else if (bit <= m - 20) {
                CHECK_EQ_U64(got, GUEST_WALK_OK);
                CHECK_EQ_U64(gpa, (1ull << (32 + bit - 13)) | 0x12c00000u | offset);
            } else if (bit <= 21) {
                CHECK_EQ_U64(got, GUEST_WALK_RESERVED);
            } else {
                CHECK_EQ_U64(got, GUEST_WALK_OK);
                CHECK_EQ_U64(gpa, ((0x12c00000u ^ (1u << bit))) | offset);
            }
        }
        free(g);
    }
}

/* ---- MAXPHYADDR ---------------------------------------------------------- */

TEST(walk_maxphyaddr_clamped)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p;
    uint64_t gpa, slot = T_PT + idx(lin_4l, 1) * 8;

    CHECK(g != NULL);
    p = with_cr3(mode_4l, build_long(g, lin_4l, false));
    /* Below 36 counts as 36: bit 36 is reserved, bit 35 an address bit. */
    put64(g, slot, (1ull << 35) | T_FLAGS);
    CHECK_EQ_U64(walk(&p, 0, lin_4l, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, (1ull << 35) | (lin_4l & 0xfff));
    put64(g, slot, (1ull << 36) | T_FLAGS);
    CHECK_EQ_U64(walk(&p, 20, lin_4l, g, &gpa), GUEST_WALK_RESERVED);
    /* Above 52 counts as 52: bit 51 is an address bit, 52 ignored. */
    put64(g, slot, (1ull << 51) | (1ull << 52) | T_FLAGS);
    CHECK_EQ_U64(walk(&p, 99, lin_4l, g, &gpa), GUEST_WALK_OK);
    CHECK_EQ_U64(gpa, (1ull << 51) | (lin_4l & 0xfff));
    CHECK_EQ_U64(walk(&p, ~0u, lin_4l, g, &gpa), GUEST_WALK_OK);
    free(g);
}

/* ---- hostile tables -------------------------------------------------------- */

/* One page whose every entry points at itself: a recursive mapping.  The walk
 * still reads exactly one entry per level and ends on the page itself. */
TEST(walk_self_referencing_tables_terminate)
{
    struct fake_guest *g = fake_new();
    const uint64_t self = 0x5000;

    CHECK(g != NULL);
    fake_page(g, self);
    for (unsigned i = 0; i < 512; i++)
        put64(g, self + i * 8, self | T_FLAGS);
    for (unsigned five = 0; five <= 1; five++) {
        struct guest_paging p = with_cr3(five ? mode_5l : mode_4l, self);
        uint64_t gpa;

        fake_reset_log(g);
        CHECK_EQ_U64(walk(&p, 40, lin_4l, g, &gpa), GUEST_WALK_OK);
        CHECK_EQ_U64(gpa, self | (lin_4l & 0xfff));
        CHECK_EQ_U64(g->reads, five ? 5 : 4);
    }
    free(g);
}

static uint64_t prng(uint64_t *state)
{
    /* xorshift64*: deterministic garbage. */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545f4914f6cdd1dull;
}

/* Garbage tables: every entry random, with P and the tables' own addresses
 * mixed in so walks go deep.  Every walk must end within its mode's levels,
 * only ask for whole entries inside one page, and a successful walk must
 * land below 2^MAXPHYADDR. */
TEST(walk_garbage_tables)
{
    static const uint64_t pages[] = { 0x1000, 0x2000, 0x3000, 0x4000, 0x7000, 0xfffff000ull };
    static const struct { const struct guest_paging *mode; unsigned levels; } modes[] = {
        { &mode_none, 0 }, { &mode_32, 2 }, { &mode_pae, 3 }, { &mode_4l, 4 }, { &mode_5l, 5 },
    };
    struct fake_guest *g = fake_new();
    uint64_t state = 0x9e3779b97f4a7c15ull;
    unsigned ok = 0;

    CHECK(g != NULL);
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
        fake_page(g, pages[i]);
    for (unsigned round = 0; round < 20000; round++) {
        size_t mi = round % (sizeof(modes) / sizeof(modes[0]));
        struct guest_paging p = *modes[mi].mode;
        unsigned m = 36 + (unsigned)(prng(&state) % 17);
        uint64_t linear = prng(&state), gpa;
        enum guest_walk_status st;

        if (round % 64 == 0) {
            for (unsigned pg = 0; pg < g->count; pg++) {
                for (unsigned e = 0; e < PAGE / 8; e++) {
                    uint64_t v = prng(&state);

                    /* Mostly present, often pointing at a guest page. */
                    if (v & 0x30)
                        v = (v & ~0x000ffffffffff000ull) | pages[v % 6] | T_P;
                    w64(g->mem[pg], e * 8, v);
                }
            }
        }
        if (round & 1)
            linear = (int64_t)(linear << 16) >> 16;   /* canonical for 4-level */
        p.cr3 = pages[prng(&state) % 6] | (prng(&state) & 0xfff);
        if (prng(&state) & 1)
            p.efer &= ~T_EFER_NXE;
        if (prng(&state) & 1)
            p.cr4 ^= T_CR4_PSE;
        fake_reset_log(g);
        st = walk(&p, m, linear, g, &gpa);
        CHECK(st <= GUEST_WALK_NON_CANONICAL);
        CHECK(g->reads <= modes[mi].levels);
        CHECK_EQ_U64(g->cross_page, 0);
        for (unsigned r = 0; r < g->reads; r++)
            CHECK(g->log_len[r] == 4 || g->log_len[r] == 8);
        if (st == GUEST_WALK_OK) {
            ok++;
            CHECK(gpa < (1ull << m));
        } else {
            CHECK_EQ_U64(gpa, 0);
        }
    }
    CHECK(ok > 1000);
    free(g);
}

/* ---- guest_read_linear ----------------------------------------------------- */

/* Maps linear page `lin` to physical page `phys` in the 4-level tables of
 * build_long (all linear pages below share its PML4E/PDPTE/PDE). */
static void map_4k(struct fake_guest *g, uint64_t lin, uint64_t phys)
{
    put64(g, T_PT + idx(lin, 1) * 8, phys | T_FLAGS);
}

static void fill_pattern(struct fake_guest *g, uint64_t gpa, uint8_t seed)
{
    uint8_t *p = fake_at(g, gpa);

    for (unsigned i = 0; p != NULL && i < PAGE; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

TEST(read_linear_crosses_pages)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p;
    uint64_t base = lin_4l & ~0x1fffffull;     /* PT index 0: pages 0..2 below */
    uint8_t buf[PAGE * 2 + 64];

    CHECK(g != NULL);
    p = with_cr3(mode_4l, build_long(g, base, false));
    /* Three consecutive linear pages on scattered physical pages. */
    fake_page(g, 0x300000);
    fake_page(g, 0x101000);
    fake_page(g, 0x7ff000);
    fill_pattern(g, 0x300000, 1);
    fill_pattern(g, 0x101000, 2);
    fill_pattern(g, 0x7ff000, 3);
    map_4k(g, base, 0x300000);
    map_4k(g, base + PAGE, 0x101000);
    map_4k(g, base + 2 * PAGE, 0x7ff000);

    /* 15 bytes straddling the first boundary, as an instruction fetch would. */
    memset(buf, 0xcc, sizeof(buf));
    fake_reset_log(g);
    CHECK_EQ_U64(guest_read_linear(&p, 40, base + PAGE - 5, buf, 15, fake_read, g),
                 GUEST_WALK_OK);
    CHECK(memcmp(buf, fake_at(g, 0x300000 + PAGE - 5), 5) == 0);
    CHECK(memcmp(buf + 5, fake_at(g, 0x101000), 10) == 0);
    CHECK_EQ_U64(buf[15], 0xcc);
    CHECK_EQ_U64(g->cross_page, 0);
    CHECK_EQ_U64(g->reads, 2 * 4 + 2);          /* two walks, two data reads */

    /* Across all three pages. */
    memset(buf, 0xcc, sizeof(buf));
    CHECK_EQ_U64(guest_read_linear(&p, 40, base + 100, buf, 2 * PAGE, fake_read, g),
                 GUEST_WALK_OK);
    CHECK(memcmp(buf, fake_at(g, 0x300000 + 100), PAGE - 100) == 0);
    CHECK(memcmp(buf + PAGE - 100, fake_at(g, 0x101000), PAGE) == 0);
    CHECK(memcmp(buf + 2 * PAGE - 100, fake_at(g, 0x7ff000), 100) == 0);
    CHECK_EQ_U64(buf[2 * PAGE], 0xcc);
    CHECK_EQ_U64(g->cross_page, 0);

    /* Exactly one whole page, aligned: one walk, one read. */
    fake_reset_log(g);
    CHECK_EQ_U64(guest_read_linear(&p, 40, base + PAGE, buf, PAGE, fake_read, g), GUEST_WALK_OK);
    CHECK_EQ_U64(g->reads, 5);
    free(g);
}

TEST(read_linear_failures)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p;
    uint64_t base = lin_4l & ~0x1fffffull;
    uint8_t buf[32];

    CHECK(g != NULL);
    p = with_cr3(mode_4l, build_long(g, base, false));
    fake_page(g, 0x300000);
    fill_pattern(g, 0x300000, 9);
    map_4k(g, base, 0x300000);

    /* The second page is not present: the first part is copied, the rest untouched. */
    memset(buf, 0xcc, sizeof(buf));
    CHECK_EQ_U64(guest_read_linear(&p, 40, base + PAGE - 4, buf, 12, fake_read, g),
                 GUEST_WALK_NOT_PRESENT);
    CHECK(memcmp(buf, fake_at(g, 0x300000 + PAGE - 4), 4) == 0);
    CHECK_EQ_U64(buf[4], 0xcc);
    /* The second page maps memory that is not guest RAM. */
    map_4k(g, base + PAGE, 0x900000);
    CHECK_EQ_U64(guest_read_linear(&p, 40, base + PAGE - 4, buf, 12, fake_read, g),
                 GUEST_WALK_UNREADABLE);
    /* A refused data page. */
    fake_refuse(g, 0x300000);
    CHECK_EQ_U64(guest_read_linear(&p, 40, base, buf, 1, fake_read, g), GUEST_WALK_UNREADABLE);
    /* Running off the canonical range: the last canonical low page is
     * mapped (PML4E 255, PDPTE/PDE/PTE 511), the next page is not canonical. */
    put64(g, T_PML4 + 255 * 8, T_PDPT | T_FLAGS);
    put64(g, T_PDPT + 511 * 8, T_PD | T_FLAGS);
    put64(g, T_PD + 511 * 8, T_PT | T_FLAGS);
    put64(g, T_PT + 511 * 8, 0x301000 | T_FLAGS);
    fake_page(g, 0x301000);
    memset(buf, 0xcc, sizeof(buf));
    CHECK_EQ_U64(guest_read_linear(&p, 40, 0x00007ffffffffffcull, buf, 4, fake_read, g),
                 GUEST_WALK_OK);
    CHECK_EQ_U64(buf[4], 0xcc);
    CHECK_EQ_U64(guest_read_linear(&p, 40, 0x00007ffffffffffcull, buf, 8, fake_read, g),
                 GUEST_WALK_NON_CANONICAL);
    /* Nothing to read: no walk at all. */
    fake_reset_log(g);
    CHECK_EQ_U64(guest_read_linear(&p, 40, 0x8000000000000000ull, buf, 0, fake_read, g),
                 GUEST_WALK_OK);
    CHECK_EQ_U64(g->reads, 0);
    free(g);
}

TEST(read_linear_wraps_at_4g_outside_long_mode)
{
    struct fake_guest *g = fake_new();
    struct guest_paging p = mode_none;
    uint8_t buf[8];

    CHECK(g != NULL);
    fake_page(g, 0xfffff000u);
    fake_page(g, 0);
    fill_pattern(g, 0xfffff000u, 4);
    fill_pattern(g, 0, 5);
    /* No paging: 0xfffffffc + 4 is physical 0. */
    CHECK_EQ_U64(guest_read_linear(&p, 36, 0xfffffffcu, buf, 8, fake_read, g), GUEST_WALK_OK);
    CHECK(memcmp(buf, fake_at(g, 0xfffffffcu), 4) == 0);
    CHECK(memcmp(buf + 4, fake_at(g, 0), 4) == 0);

    /* 32-bit paging: the last PDE and the first PDE. */
    fake_page(g, T32_PD);
    fake_page(g, T32_PT);
    put32(g, T32_PD + 1023 * 4, T32_PT | (uint32_t)T_FLAGS);
    put32(g, T32_PD + 0, T32_PT | (uint32_t)T_FLAGS);
    put32(g, T32_PT + 1023 * 4, 0xfffff000u | (uint32_t)T_FLAGS);
    put32(g, T32_PT + 0, 0x00000000u | (uint32_t)T_FLAGS);
    p = with_cr3(mode_32, T32_PD);
    memset(buf, 0, sizeof(buf));
    CHECK_EQ_U64(guest_read_linear(&p, 36, 0xfffffffeu, buf, 4, fake_read, g), GUEST_WALK_OK);
    CHECK(memcmp(buf, fake_at(g, 0xfffffffeu), 2) == 0);
    CHECK(memcmp(buf + 2, fake_at(g, 0), 2) == 0);
    free(g);
}

/* ---- names ------------------------------------------------------------------ */

TEST(walk_status_names)
{
    const char *names[5];

    for (unsigned s = GUEST_WALK_OK; s <= GUEST_WALK_NON_CANONICAL; s++) {
        names[s] = guest_walk_status_name((enum guest_walk_status)s);
        CHECK(names[s] != NULL && names[s][0] != '\0');
        for (unsigned t = 0; t < s; t++)
            CHECK(strcmp(names[s], names[t]) != 0);
    }
    CHECK_STR(guest_walk_status_name(GUEST_WALK_OK), "ok");
    CHECK_STR(guest_walk_status_name(GUEST_WALK_NOT_PRESENT), "not present");
    CHECK_STR(guest_walk_status_name((enum guest_walk_status)99), "unknown walk status");
}

TEST_SUITE(guest_walk,
    UNIT(walk_no_paging_is_identity_32bit),
    UNIT(walk_impossible_modes_are_reserved),
    UNIT(walk_32bit_4k),
    UNIT(walk_32bit_4m_and_pse36),
    UNIT(walk_32bit_not_present_and_unreadable),
    UNIT(walk_pae_4k),
    UNIT(walk_pae_2m),
    UNIT(walk_pae_pdpte_rules),
    UNIT(walk_4level_4k),
    UNIT(walk_4level_2m_and_1g),
    UNIT(walk_5level),
    UNIT(walk_canonical_checks),
    UNIT(walk_unreadable_at_each_level),
    UNIT(walk_not_present_at_each_level),
    UNIT(walk_bit_sweep_long),
    UNIT(walk_bit_sweep_pae),
    UNIT(walk_bit_sweep_32bit),
    UNIT(walk_bit_sweep_large_leaves),
    UNIT(walk_bit_sweep_4m),
    UNIT(walk_maxphyaddr_clamped),
    UNIT(walk_self_referencing_tables_terminate),
    UNIT(walk_garbage_tables),
    UNIT(read_linear_crosses_pages),
    UNIT(read_linear_failures),
    UNIT(read_linear_wraps_at_4g_outside_long_mode),
    UNIT(walk_status_names),
);
