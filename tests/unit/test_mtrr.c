/* Unit tests for mm/mtrr.c. */
#include "test.h"

#include "mm/mtrr.h"
#include "mtrr_fixtures.h"

#define KiB 0x400ull
#define MiB 0x100000ull
#define GiB 0x40000000ull



/* A typical PC: WB RAM below 1 MiB except the VGA window (UC) and option /
 * BIOS ROMs (WP); WB 0-4 GiB with UC 3-4 GiB punched out (PCI hole); WB
 * 4-8 GiB; everything else UC by default. */
static void mtrr_pc(struct mtrr_state *s)
{
    memset(s, 0, sizeof(*s));
    s->enabled = true;
    s->fixed_enabled = true;
    s->default_type = MT_UC;
    s->phys_addr_bits = 36;
    s->fixed[0] = FIX_ALL(MT_WB);              /* 00000-7FFFF */
    s->fixed[1] = FIX_ALL(MT_WB);              /* 80000-9FFFF */
    s->fixed[2] = FIX_ALL(MT_UC);              /* A0000-BFFFF */
    s->fixed[3] = FIX_ALL(MT_WP);              /* C0000-C7FFF */
    s->fixed[4] = FIX_ALL(MT_WP);              /* C8000-CFFFF */
    for (int i = 5; i < 9; i++)
        s->fixed[i] = FIX_ALL(MT_UC);          /* D0000-EFFFF */
    s->fixed[9] = FIX_ALL(MT_WP);              /* F0000-F7FFF */
    s->fixed[10] = FIX_ALL(MT_WP);             /* F8000-FFFFF */
    set_var(s, 0, 0, 4 * GiB, MT_WB);
    set_var(s, 1, 3 * GiB, GiB, MT_UC);
    set_var(s, 2, 4 * GiB, 4 * GiB, MT_WB);
}

TEST(mtrr_disabled_is_uc)
{
    struct mtrr_state s;
    uint8_t t = 0xff;

    mtrr_pc(&s);
    s.enabled = false;
    s.default_type = MT_WB;
    CHECK_EQ_U64(mtrr_type_at(&s, 0), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 0x50000), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 2 * GiB), MT_UC);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 0, 64 * GiB, &t), 64 * GiB);
    CHECK_EQ_U64(t, MT_UC);
    CHECK(mtrr_range_uniform(&s, 0x1000, 100 * GiB, &t));
    CHECK_EQ_U64(t, MT_UC);
}

TEST(mtrr_default_type)
{
    struct mtrr_state s;

    memset(&s, 0, sizeof(s));
    s.enabled = true;
    s.phys_addr_bits = 39;
    s.default_type = MT_WB;
    CHECK_EQ_U64(mtrr_type_at(&s, 0), MT_WB);          /* FE clear: no fixed ranges */
    CHECK_EQ_U64(mtrr_type_at(&s, 123 * GiB), MT_WB);
    s.default_type = MT_WT;
    CHECK_EQ_U64(mtrr_type_at(&s, 5 * GiB), MT_WT);
    /* Reserved encodings count as UC. */
    s.default_type = 2;
    CHECK_EQ_U64(mtrr_type_at(&s, 5 * GiB), MT_UC);
    s.default_type = 7;
    CHECK_EQ_U64(mtrr_type_at(&s, 5 * GiB), MT_UC);
    /* A range that is not valid (mask bit 11 clear) is ignored. */
    s.default_type = MT_WB;
    set_var(&s, 0, 4 * GiB, GiB, MT_UC);
    s.var[0].mask &= ~(1ull << 11);
    CHECK_EQ_U64(mtrr_type_at(&s, 4 * GiB), MT_WB);
    s.var[0].mask |= 1ull << 11;
    CHECK_EQ_U64(mtrr_type_at(&s, 4 * GiB), MT_UC);
    /* Ranges past var_count are not there. */
    s.var_count = 0;
    CHECK_EQ_U64(mtrr_type_at(&s, 4 * GiB), MT_WB);
    /* var_count is capped at the array size. */
    set_var(&s, MTRR_MAX_VARIABLE - 1, 8 * GiB, GiB, MT_WC);
    s.var_count = 255;
    CHECK_EQ_U64(mtrr_type_at(&s, 8 * GiB), MT_WC);
    CHECK_EQ_U64(mtrr_type_at(&s, 4 * GiB), MT_UC);
}

TEST(mtrr_fixed_ranges)
{
    struct mtrr_state s;

    mtrr_pc(&s);
    /* One distinct byte per field of a few MSRs, to check the layout. */
    s.fixed[0] = 0x0601040506010405ull;        /* 64K fields: 05 04 01 06 05 04 01 06 */
    s.fixed[1] = 0x0000000000000001ull;        /* 80000 WC, rest UC */
    s.fixed[2] = 0x0600000000000000ull;        /* BC000-BFFFF WB */
    s.fixed[7] = 0x0004000000000000ull;        /* E0000 + 6*4K = E6000: WT */
    s.fixed[10] = 0x0500000000000006ull;       /* F8000 WB, FF000 WP */

    CHECK_EQ_U64(mtrr_type_at(&s, 0x00000), MT_WP);
    CHECK_EQ_U64(mtrr_type_at(&s, 0x0ffff), MT_WP);
    CHECK_EQ_U64(mtrr_type_at(&s, 0x10000), MT_WT);
    CHECK_EQ_U64(mtrr_type_at(&s, 0x20000), MT_WC);
    CHECK_EQ_U64(mtrr_type_at(&s, 0x3ffff), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 0x70000), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 0x7ffff), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 0x80000), MT_WC);
    CHECK_EQ_U64(mtrr_type_at(&s, 0x83fff), MT_WC);
    CHECK_EQ_U64(mtrr_type_at(&s, 0x84000), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xbbfff), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xbc000), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xc0000), MT_WP);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xe5fff), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xe6000), MT_WT);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xe7000), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xf8000), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xfefff), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xff000), MT_WP);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xfffff), MT_WP);
    /* 1 MiB and up: the variable ranges. */
    CHECK_EQ_U64(mtrr_type_at(&s, 0x100000), MT_WB);
    /* A reserved fixed-range byte counts as UC. */
    s.fixed[0] = FIX_ALL(3);
    CHECK_EQ_U64(mtrr_type_at(&s, 0x1000), MT_UC);

    /* Fixed ranges win below 1 MiB even where a variable range says UC. */
    mtrr_pc(&s);
    set_var(&s, 3, 0, MiB, MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 0x1000), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xa0000), MT_UC);
    /* With FE clear, the variable ranges apply below 1 MiB too. */
    s.fixed_enabled = false;
    CHECK_EQ_U64(mtrr_type_at(&s, 0x1000), MT_UC);
    s.var_count = 3;
    CHECK_EQ_U64(mtrr_type_at(&s, 0x1000), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xa0000), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 0xc0000), MT_WB);
}

TEST(mtrr_variable_overlaps)
{
    struct mtrr_state s;

    mtrr_pc(&s);
    /* UC inside WB: UC. */
    CHECK_EQ_U64(mtrr_type_at(&s, 3 * GiB - 1), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 3 * GiB), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 4 * GiB - 1), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 4 * GiB), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 8 * GiB - 1), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 8 * GiB), MT_UC);    /* default */
    /* WT over WB: WT. */
    set_var(&s, 3, 5 * GiB, 256 * MiB, MT_WT);
    CHECK_EQ_U64(mtrr_type_at(&s, 5 * GiB), MT_WT);
    CHECK_EQ_U64(mtrr_type_at(&s, 5 * GiB + 256 * MiB), MT_WB);
    /* The same type twice: that type. */
    set_var(&s, 4, 6 * GiB, GiB, MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 6 * GiB + 4 * KiB), MT_WB);
    /* UC beats WT and WB together. */
    set_var(&s, 5, 5 * GiB, 4 * KiB, MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 5 * GiB), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 5 * GiB + 4 * KiB), MT_WT);
    /* WC over WB is undefined: UC. */
    set_var(&s, 6, 7 * GiB, 16 * MiB, MT_WC);
    CHECK_EQ_U64(mtrr_type_at(&s, 7 * GiB), MT_UC);
    /* WC alone (above the WB ranges): WC.  WP alone: WP. */
    set_var(&s, 7, 16 * GiB, 16 * MiB, MT_WC);
    set_var(&s, 8, 17 * GiB, 16 * MiB, MT_WP);
    CHECK_EQ_U64(mtrr_type_at(&s, 16 * GiB + 1), MT_WC);
    CHECK_EQ_U64(mtrr_type_at(&s, 17 * GiB + 1), MT_WP);
    /* WP over WT is undefined: UC. */
    set_var(&s, 9, 17 * GiB, 4 * KiB, MT_WT);
    CHECK_EQ_U64(mtrr_type_at(&s, 17 * GiB), MT_UC);
    /* A reserved type in a range counts as UC. */
    set_var(&s, 10, 20 * GiB, GiB, 2);
    CHECK_EQ_U64(mtrr_type_at(&s, 20 * GiB), MT_UC);
}

TEST(mtrr_mask_phys_bits)
{
    struct mtrr_state s;

    memset(&s, 0, sizeof(s));
    s.enabled = true;
    s.default_type = MT_UC;
    s.var_count = 1;

    /* MAXPHYADDR 36: mask 0xF_8000_0000 is 2 GiB at 2 GiB, and the range
     * repeats every 64 GiB because higher address bits take no part. */
    s.phys_addr_bits = 36;
    s.var[0].base = 2 * GiB | MT_WB;
    s.var[0].mask = 0xf80000000ull | (1ull << 11);
    CHECK_EQ_U64(mtrr_type_at(&s, 2 * GiB), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 4 * GiB - 1), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 4 * GiB), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, GiB), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 64 * GiB + 2 * GiB), MT_WB);
    /* Mask bits above MAXPHYADDR are reserved and ignored. */
    s.var[0].mask = 0xfff80000000ull | (1ull << 11);
    CHECK_EQ_U64(mtrr_type_at(&s, 64 * GiB + 2 * GiB), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 4 * GiB), MT_UC);
    /* So are the low bits of PHYSBASE besides the type. */
    s.var[0].base = 2 * GiB | 0x800 | MT_WB;
    CHECK_EQ_U64(mtrr_type_at(&s, 2 * GiB), MT_WB);
    /* 0 means unknown: 36 bits. */
    s.phys_addr_bits = 0;
    CHECK_EQ_U64(mtrr_type_at(&s, 64 * GiB + 2 * GiB), MT_WB);

    /* MAXPHYADDR 39: the same raw mask leaves bits 38:36 free, so it now
     * matches at 66 GiB (bit 36 set) as well; the firmware's real mask has
     * them set. */
    s.phys_addr_bits = 39;
    s.var[0].base = 2 * GiB | MT_WB;
    s.var[0].mask = 0xf80000000ull | (1ull << 11);
    CHECK_EQ_U64(mtrr_type_at(&s, 66 * GiB), MT_WB);
    s.var[0].mask = 0x7f80000000ull | (1ull << 11);
    CHECK_EQ_U64(mtrr_type_at(&s, 66 * GiB), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 3 * GiB), MT_WB);
    CHECK_EQ_U64(mtrr_type_at(&s, 512 * GiB + 3 * GiB), MT_WB);   /* 2^39 aliases */

    /* MAXPHYADDR 46: a 1 TiB range at 1 TiB. */
    s.phys_addr_bits = 46;
    s.var[0].base = (1ull << 40) | MT_WT;
    s.var[0].mask = (phys_bits_mask(46) & ~((1ull << 40) - 1)) | (1ull << 11);
    CHECK_EQ_U64(s.var[0].mask, 0x3f0000000800ull);
    CHECK_EQ_U64(mtrr_type_at(&s, (1ull << 40) - 1), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, 1ull << 40), MT_WT);
    CHECK_EQ_U64(mtrr_type_at(&s, (2ull << 40) - 1), MT_WT);
    CHECK_EQ_U64(mtrr_type_at(&s, 2ull << 40), MT_UC);
    CHECK_EQ_U64(mtrr_type_at(&s, (1ull << 46) + (1ull << 40)), MT_WT);
    uint8_t t;
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 0, 1ull << 46, &t), 1ull << 40);
    CHECK_EQ_U64(t, MT_UC);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 1ull << 40, 1ull << 46, &t), 1ull << 40);
    CHECK_EQ_U64(t, MT_WT);
    /* UC up to 2^46, where 1 TiB + 2^46 aliases the WT range. */
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 2ull << 40, 1ull << 46, &t), (1ull << 46) - (1ull << 40));
    CHECK_EQ_U64(t, MT_UC);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 2ull << 40, (1ull << 46) - (2ull << 40), &t),
                 (1ull << 46) - (2ull << 40));
}

TEST(mtrr_uniform_extent_pc)
{
    struct mtrr_state s;
    uint8_t t = 0xff;

    mtrr_pc(&s);
    /* Fixed ranges: WB to A0000, then UC to C0000, WP to D0000, ... */
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 0, 64 * GiB, &t), 0xa0000);
    CHECK_EQ_U64(t, MT_WB);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 0x5000, 64 * GiB, &t), 0x9b000);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 0xa0000, 64 * GiB, &t), 0x20000);
    CHECK_EQ_U64(t, MT_UC);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 0xc0000, 64 * GiB, &t), 0x10000);
    CHECK_EQ_U64(t, MT_WP);
    /* WP at F0000-FFFFF is followed by WB at 1 MiB: stops at 1 MiB. */
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 0xf0000, 64 * GiB, &t), 0x10000);
    CHECK_EQ_U64(t, MT_WP);
    /* Variable ranges. */
    CHECK_EQ_U64(mtrr_uniform_extent(&s, MiB, 64 * GiB, &t), 3 * GiB - MiB);
    CHECK_EQ_U64(t, MT_WB);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 3 * GiB, 64 * GiB, &t), GiB);
    CHECK_EQ_U64(t, MT_UC);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 4 * GiB, 64 * GiB, &t), 4 * GiB);
    CHECK_EQ_U64(t, MT_WB);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 8 * GiB, 64 * GiB, &t), 56 * GiB);
    CHECK_EQ_U64(t, MT_UC);
    /* Past 64 GiB (MAXPHYADDR 36) the ranges repeat. */
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 8 * GiB, 100 * GiB, &t), 56 * GiB);
    CHECK_EQ_U64(mtrr_type_at(&s, 64 * GiB + MiB), MT_WB);
    /* The limit caps; unaligned bases work byte-exactly. */
    CHECK_EQ_U64(mtrr_uniform_extent(&s, MiB, 5 * MiB, &t), 5 * MiB);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 3 * GiB - 3, 100, &t), 3);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 0x9ffff, 100, &t), 1);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 5, 0, &t), 0);
    CHECK_EQ_U64(t, MT_WB);
    /* Without fixed ranges, WB runs from 0 straight to 3 GiB. */
    s.fixed_enabled = false;
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 0, 64 * GiB, &t), 3 * GiB);
    /* The top of the address space: capped, no wrap. */
    s.default_type = MT_WB;
    CHECK_EQ_U64(mtrr_uniform_extent(&s, UINT64_MAX - 0xfff, UINT64_MAX, &t), 0x1000);
    CHECK(!mtrr_range_uniform(&s, UINT64_MAX - 0xfff, 0x2000, &t));
}

TEST(mtrr_range_uniform)
{
    struct mtrr_state s;
    uint8_t t = 0xff;

    mtrr_pc(&s);
    CHECK(mtrr_range_uniform(&s, MiB, 2 * GiB, &t));
    CHECK_EQ_U64(t, MT_WB);
    CHECK(mtrr_range_uniform(&s, 3 * GiB, GiB, &t));
    CHECK_EQ_U64(t, MT_UC);
    CHECK(!mtrr_range_uniform(&s, 3 * GiB - 4 * KiB, 8 * KiB, &t));
    CHECK(!mtrr_range_uniform(&s, 0, 2 * MiB, &t));
    CHECK(!mtrr_range_uniform(&s, 0, GiB, &t));
    CHECK(mtrr_range_uniform(&s, 0, 0xa0000, &t));
    CHECK(mtrr_range_uniform(&s, 0xd0000, 0x20000, &t));
    CHECK_EQ_U64(t, MT_UC);
    CHECK(mtrr_range_uniform(&s, 12345, 0, &t));
}

TEST(mtrr_type_names)
{
    CHECK_STR(mem_type_name(MT_UC), "UC");
    CHECK_STR(mem_type_name(MT_WC), "WC");
    CHECK_STR(mem_type_name(MT_WT), "WT");
    CHECK_STR(mem_type_name(MT_WP), "WP");
    CHECK_STR(mem_type_name(MT_WB), "WB");
    CHECK_STR(mem_type_name(MT_UC_MINUS), "UC-");
    CHECK_STR(mem_type_name(2), "reserved");
    CHECK_STR(mem_type_name(200), "reserved");
}

/* ---- a reference model ----------------------------------------------------
 * Types painted page by page straight from the SDM's wording, for a small
 * physical space; the library's boundary arithmetic must agree. */

#define REF_PAGES 16384u                  /* 64 MiB */
#define REF_PAGE  0x1000ull

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

static uint8_t ref_valid(uint64_t t)
{
    return (t == 0 || t == 1 || t == 4 || t == 5 || t == 6) ? (uint8_t)t : 0;
}

static uint8_t ref_type(const struct mtrr_state *s, const uint8_t fixed_pages[256], uint64_t addr)
{
    if (!s->enabled)
        return MT_UC;
    if (s->fixed_enabled && addr < MiB)
        return fixed_pages[addr / REF_PAGE];

    unsigned pab = s->phys_addr_bits ? s->phys_addr_bits : 36;
    bool any = false, all_same = true, has_uc = false, only_wt_wb = true;
    uint8_t first = 0;

    for (unsigned i = 0; i < s->var_count && i < MTRR_MAX_VARIABLE; i++) {
        uint64_t m = s->var[i].mask & phys_bits_mask(pab);

        if (!(s->var[i].mask & (1ull << 11)) || (addr & m) != (s->var[i].base & m))
            continue;
        uint8_t t = ref_valid(s->var[i].base & 0xff);
        if (!any)
            first = t;
        else if (t != first)
            all_same = false;
        any = true;
        has_uc |= t == MT_UC;
        only_wt_wb &= t == MT_WT || t == MT_WB;
    }
    if (!any)
        return ref_valid(s->default_type);
    if (has_uc)
        return MT_UC;
    if (all_same)
        return first;
    return only_wt_wb ? MT_WT : MT_UC;
}

/* The fixed-range MSRs unrolled into 256 page types. */
static void ref_fixed_pages(const struct mtrr_state *s, uint8_t out[256])
{
    unsigned page = 0;

    for (unsigned msr = 0; msr < 11; msr++) {
        unsigned pages_per_field = msr == 0 ? 16 : (msr < 3 ? 4 : 1);

        for (unsigned f = 0; f < 8; f++) {
            for (unsigned k = 0; k < pages_per_field; k++)
                out[page++] = ref_valid((s->fixed[msr] >> (8 * f)) & 0xff);
        }
    }
}

static const uint8_t random_types[] = { MT_UC, MT_WC, MT_WT, MT_WP, MT_WB, MT_WB, MT_WB, MT_UC, 2 };

static void random_state(struct mtrr_state *s, uint64_t *seed)
{
    memset(s, 0, sizeof(*s));
    s->enabled = next_random(seed) % 16 != 0;
    s->fixed_enabled = next_random(seed) % 4 != 0;
    s->phys_addr_bits = next_random(seed) % 2 ? 36 : 39;
    s->default_type = random_types[next_random(seed) % sizeof(random_types)];
    /* Fixed ranges: runs of equal bytes, sometimes all one type. */
    uint8_t t = MT_WB;
    bool uniform = next_random(seed) % 3 == 0;
    for (unsigned msr = 0; msr < 11; msr++) {
        for (unsigned f = 0; f < 8; f++) {
            if (!uniform && next_random(seed) % 5 == 0)
                t = random_types[next_random(seed) % sizeof(random_types)];
            s->fixed[msr] |= (uint64_t)t << (8 * f);
        }
    }
    unsigned n = (unsigned)(next_random(seed) % 9);
    for (unsigned i = 0; i < n; i++) {
        unsigned log2 = 12 + (unsigned)(next_random(seed) % 15);     /* 4 KiB .. 64 MiB */
        uint64_t size = 1ull << log2;
        uint64_t base = (next_random(seed) % (REF_PAGES * REF_PAGE)) & ~(size - 1);

        set_var(s, i, base, size, random_types[next_random(seed) % sizeof(random_types)]);
        switch (next_random(seed) % 8) {
        case 0:                                    /* not valid */
            s->var[i].mask &= ~(1ull << 11);
            break;
        case 1: {                                  /* non-contiguous mask */
            uint64_t hole = 1ull << (12 + next_random(seed) % 14);
            s->var[i].mask &= ~hole;
            break;
        }
        default:
            break;
        }
    }
}

TEST(mtrr_random_against_reference)
{
    static uint8_t page_type[REF_PAGES];
    uint64_t seed = 0x1234567887654321ull;

    for (int round = 0; round < 150; round++) {
        struct mtrr_state s;
        uint8_t fixed_pages[256];

        random_state(&s, &seed);
        ref_fixed_pages(&s, fixed_pages);
        for (unsigned p = 0; p < REF_PAGES; p++) {
            uint64_t addr = p * REF_PAGE + next_random(&seed) % REF_PAGE;

            page_type[p] = ref_type(&s, fixed_pages, addr);
            CHECK_EQ_U64(mtrr_type_at(&s, addr), page_type[p]);
        }
        for (int q = 0; q < 60; q++) {
            uint64_t base = next_random(&seed) % (REF_PAGES * REF_PAGE);
            uint64_t room = REF_PAGES * REF_PAGE - base;
            uint64_t limit = q % 3 == 0 ? room : next_random(&seed) % (room + 1);
            uint8_t t = 0xff;
            uint64_t got = mtrr_uniform_extent(&s, base, limit, &t);

            /* Scan: the extent ends at the first page of another type. */
            uint64_t want = limit;
            unsigned first = (unsigned)(base / REF_PAGE);
            for (unsigned p = first + 1; p < REF_PAGES; p++) {
                if (page_type[p] != page_type[first]) {
                    uint64_t stop = p * REF_PAGE - base;
                    if (stop < want)
                        want = stop;
                    break;
                }
            }
            if (got != want || t != page_type[first]) {
                unit_fail(unit_ctx_, __FILE__, __LINE__,
                          "round %d: extent(0x%" PRIx64 ", 0x%" PRIx64 ") = 0x%" PRIx64
                          " type %u, expected 0x%" PRIx64 " type %u",
                          round, base, limit, got, t, want, page_type[first]);
                return;
            }
            bool uni = mtrr_range_uniform(&s, base, limit, &t);
            CHECK(uni == (want == limit));
        }
    }
}

TEST(mtrr_extent_noncontiguous_mask)
{
    struct mtrr_state s;
    uint8_t t;

    memset(&s, 0, sizeof(s));
    s.enabled = true;
    s.default_type = MT_WB;
    s.phys_addr_bits = 36;
    /* Bits 35:24 and 21 selected: 2 MiB-wide stripes at 16 MiB + 2 MiB,
     * + 6 MiB, + 10 MiB, + 14 MiB (bit 21 set, bits 22,23 free). */
    s.var_count = 1;
    s.var[0].base = (16 * MiB + 2 * MiB) | MT_UC;
    s.var[0].mask = (phys_bits_mask(36) & ~(16 * MiB - 1)) | (1ull << 21) | (1ull << 11);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 0, 64 * MiB, &t), 18 * MiB);
    CHECK_EQ_U64(t, MT_WB);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 18 * MiB, 64 * MiB, &t), 2 * MiB);
    CHECK_EQ_U64(t, MT_UC);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 20 * MiB, 64 * MiB, &t), 2 * MiB);
    CHECK_EQ_U64(t, MT_WB);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 30 * MiB, 64 * MiB, &t), 2 * MiB);
    CHECK_EQ_U64(t, MT_UC);
    /* WB until the first stripe of the alias at 64 GiB (MAXPHYADDR 36). */
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 32 * MiB, 64 * GiB, &t), 64 * GiB - 14 * MiB);
    CHECK_EQ_U64(t, MT_WB);
    CHECK_EQ_U64(mtrr_uniform_extent(&s, 32 * MiB, 64 * GiB - 32 * MiB, &t), 64 * GiB - 32 * MiB);
    CHECK_EQ_U64(t, MT_WB);
}

TEST_SUITE(mtrr,
    UNIT(mtrr_disabled_is_uc),
    UNIT(mtrr_default_type),
    UNIT(mtrr_fixed_ranges),
    UNIT(mtrr_variable_overlaps),
    UNIT(mtrr_mask_phys_bits),
    UNIT(mtrr_uniform_extent_pc),
    UNIT(mtrr_range_uniform),
    UNIT(mtrr_type_names),
    UNIT(mtrr_random_against_reference),
    UNIT(mtrr_extent_noncontiguous_mask),
);
