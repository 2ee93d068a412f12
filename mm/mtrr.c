/*
 * MTRR memory-type resolution (see mm/mtrr.h).
 *
 * Precedence (SDM vol. 3A, "MTRR Precedences"):
 *   1. MTRRs disabled (DEF_TYPE.E = 0): everything is UC.
 *   2. Below 1 MiB with the fixed ranges enabled: the fixed-range type.
 *   3. Otherwise the variable ranges: none matches -> the default type; one
 *      matches, or several of one type -> that type; any UC among them -> UC;
 *      only WT and WB -> WT.  Any other overlap is undefined in the SDM;
 *      Kestrel answers UC, the one type that is never wrong for correctness
 *      (only slow).
 * Reserved type encodings (2, 3, 7 and above) cannot be written to the
 * registers on real hardware; should a snapshot contain one, it counts as UC
 * for the same reason.
 */
#include "mm/mtrr.h"
#include "kernel/msr.h"

#include <stddef.h>

#define PAGE_SHIFT       12u
#define MAXPHYADDR_DEF   36u     /* SDM: when CPUID 0x80000008 is absent */
#define MAXPHYADDR_MAX   52u

/* The fixed ranges: each block is covered by consecutive MSRs of eight
 * one-byte fields, field 0 being the lowest granule. */
struct fixed_block {
    uint64_t base, end;
    unsigned first_msr;          /* index into mtrr_state.fixed */
    unsigned granule_shift;      /* 64 KiB, 16 KiB or 4 KiB granules */
};

static const struct fixed_block fixed_blocks[] = {
    { 0x00000, 0x80000,  0, 16 },   /* MTRRfix64K_00000 */
    { 0x80000, 0xa0000,  1, 14 },   /* MTRRfix16K_80000 */
    { 0xa0000, 0xc0000,  2, 14 },   /* MTRRfix16K_A0000 */
    { 0xc0000, 0x100000, 3, 12 },   /* MTRRfix4K_C0000 .. MTRRfix4K_F8000 */
};

#define FIXED_FIELDS_PER_MSR 8u

static bool type_is_valid(uint64_t t)
{
    return t == MT_UC || t == MT_WC || t == MT_WT || t == MT_WP || t == MT_WB;
}

static uint8_t sanitize(uint64_t t)
{
    return type_is_valid(t) ? (uint8_t)t : (uint8_t)MT_UC;
}

static bool fixed_active(const struct mtrr_state *s, uint64_t addr)
{
    return s->enabled && s->fixed_enabled && addr < MTRR_FIXED_TOP;
}

static const struct fixed_block *fixed_block_of(uint64_t addr)
{
    for (size_t i = 0; i < sizeof(fixed_blocks) / sizeof(fixed_blocks[0]); i++) {
        if (addr >= fixed_blocks[i].base && addr < fixed_blocks[i].end)
            return &fixed_blocks[i];
    }
    return NULL;
}

/* addr < 1 MiB. */
static uint8_t fixed_type(const struct mtrr_state *s, uint64_t addr)
{
    const struct fixed_block *b = fixed_block_of(addr);
    uint64_t granule = (addr - b->base) >> b->granule_shift;
    unsigned msr = b->first_msr + (unsigned)(granule / FIXED_FIELDS_PER_MSR);
    unsigned field = (unsigned)(granule % FIXED_FIELDS_PER_MSR);

    return sanitize((s->fixed[msr] >> (8u * field)) & 0xff);
}

/* End (exclusive) of the fixed-range granule holding addr < 1 MiB. */
static uint64_t fixed_granule_end(uint64_t addr)
{
    const struct fixed_block *b = fixed_block_of(addr);
    uint64_t size = 1ull << b->granule_shift;

    return (addr & ~(size - 1)) + size;
}

/* The PHYSBASE/PHYSMASK bits that take part in matching: 12..MAXPHYADDR-1.
 * Bits above MAXPHYADDR are reserved in the registers and ignored here. */
static uint64_t phys_match_bits(const struct mtrr_state *s)
{
    unsigned bits = s->phys_addr_bits;

    if (bits == 0)
        bits = MAXPHYADDR_DEF;
    if (bits > MAXPHYADDR_MAX)
        bits = MAXPHYADDR_MAX;
    if (bits <= PAGE_SHIFT)
        return 0;
    return ((1ull << bits) - 1) & ~((1ull << PAGE_SHIFT) - 1);
}

static unsigned var_count(const struct mtrr_state *s)
{
    return s->var_count < MTRR_MAX_VARIABLE ? s->var_count : MTRR_MAX_VARIABLE;
}

static bool var_valid(const struct mtrr_state *s, unsigned i)
{
    return (s->var[i].mask & MTRR_PHYSMASK_VALID) != 0;
}

/* Variable range i covers addr when addr agrees with PHYSBASE on every bit
 * PHYSMASK selects (SDM: "Address_Within_Range AND PhysMask = PhysBase AND
 * PhysMask"). */
static bool var_matches(uint64_t addr, uint64_t base, uint64_t mask)
{
    return ((addr ^ base) & mask) == 0;
}

/* Combines the set of matched types (bit t set for type t). */
static uint8_t combine_overlap(unsigned seen)
{
    if (seen & (1u << MT_UC))
        return MT_UC;
    if ((seen & (seen - 1)) == 0)              /* one type only */
        return (uint8_t)__builtin_ctz(seen);
    if (seen == ((1u << MT_WT) | (1u << MT_WB)))
        return MT_WT;
    return MT_UC;                              /* undefined by the SDM: be safe */
}

uint8_t mtrr_type_at(const struct mtrr_state *s, uint64_t addr)
{
    if (!s->enabled)
        return MT_UC;
    if (fixed_active(s, addr))
        return fixed_type(s, addr);

    uint64_t bits = phys_match_bits(s);
    unsigned seen = 0;

    for (unsigned i = 0; i < var_count(s); i++) {
        if (!var_valid(s, i) || !var_matches(addr, s->var[i].base, s->var[i].mask & bits))
            continue;
        seen |= 1u << sanitize(s->var[i].base & MTRR_PHYSBASE_TYPE_MASK);
    }
    if (seen == 0)
        return sanitize(s->default_type);
    return combine_overlap(seen);
}

/*
 * The smallest x > a at which "x matches (base, mask)" differs from whether
 * a matches; false when there is none below 2^64.  Works for any mask, not
 * only the contiguous ones firmware normally programs.
 */
static bool var_next_change(uint64_t a, uint64_t base, uint64_t mask, uint64_t *out)
{
    uint64_t want = base & mask;

    if (mask == 0)
        return false;                          /* matches everything */

    if ((a & mask) == want) {
        /* Inside: the first address that differs from a in some mask bit is
         * the next multiple of the lowest mask bit. */
        uint64_t low = mask & (~mask + 1);
        uint64_t x = (a | (low - 1)) + 1;

        if (x == 0)
            return false;
        *out = x;
        return true;
    }

    /* Outside: the smallest x >= a+1 with (x & mask) == want. */
    uint64_t t = a + 1;
    if (t == 0)
        return false;
    uint64_t diff = (t ^ want) & mask;
    if (diff == 0) {
        *out = t;
        return true;
    }
    /* The highest mask bit where t disagrees decides. */
    uint64_t bit = 1ull << (63 - __builtin_clzll(diff));
    uint64_t below = bit - 1;

    if (want & bit) {
        /* t has 0 there: set it, keep what is above, minimum below. */
        *out = (t & ~(bit | below)) | bit | (want & below);
        return true;
    }
    /* t has 1 there but must have 0: carry into the lowest free (non-mask)
     * bit above it that t has clear, then take the minimum below that. */
    uint64_t free_zero = ~mask & ~t & ~(bit | below);
    if (free_zero == 0)
        return false;
    uint64_t j = free_zero & (~free_zero + 1);
    uint64_t above_j = ~(j | (j - 1));

    *out = (t & above_j) | j | (want & (j - 1));
    return true;
}

/* The smallest address > pos at which any input of the type rules changes;
 * false when there is none below 2^64. */
static bool next_change(const struct mtrr_state *s, uint64_t pos, uint64_t *out)
{
    if (fixed_active(s, pos)) {
        /* Below 1 MiB only the fixed ranges count; the last granule ends at
         * 1 MiB, where the variable ranges take over. */
        *out = fixed_granule_end(pos);
        return true;
    }

    uint64_t bits = phys_match_bits(s);
    bool found = false;
    uint64_t best = 0;

    for (unsigned i = 0; i < var_count(s); i++) {
        uint64_t x;

        if (!var_valid(s, i) || !var_next_change(pos, s->var[i].base, s->var[i].mask & bits, &x))
            continue;
        if (!found || x < best) {
            best = x;
            found = true;
        }
    }
    *out = best;
    return found;
}

uint64_t mtrr_uniform_extent(const struct mtrr_state *s, uint64_t base, uint64_t limit, uint8_t *type)
{
    uint8_t first = mtrr_type_at(s, base);

    if (type != NULL)
        *type = first;
    if (limit == 0)
        return 0;

    /* Last byte considered, capped at the top of the address space. */
    uint64_t last = limit - 1 > UINT64_MAX - base ? UINT64_MAX : base + (limit - 1);

    if (!s->enabled)
        return last - base + 1;

    uint64_t pos = base;
    for (;;) {
        uint64_t next;

        if (!next_change(s, pos, &next) || next > last)
            return last - base + 1;
        if (mtrr_type_at(s, next) != first)
            return next - base;
        pos = next;
    }
}

bool mtrr_range_uniform(const struct mtrr_state *s, uint64_t base, uint64_t size, uint8_t *type)
{
    uint8_t t;
    uint64_t extent = mtrr_uniform_extent(s, base, size, &t);

    if (extent != size)
        return false;
    if (type != NULL)
        *type = t;
    return true;
}

const char *mem_type_name(uint8_t t)
{
    switch (t) {
    case MT_UC:       return "UC";
    case MT_WC:       return "WC";
    case MT_WT:       return "WT";
    case MT_WP:       return "WP";
    case MT_WB:       return "WB";
    case MT_UC_MINUS: return "UC-";
    default:          return "reserved";
    }
}

const uint32_t mtrr_fixed_msrs[MTRR_FIXED_MSRS] = {
    MSR_IA32_MTRR_FIX64K_00000,
    MSR_IA32_MTRR_FIX16K_80000,
    MSR_IA32_MTRR_FIX16K_A0000,
    /* FIX4K_C0000 .. FIX4K_F8000: eight consecutive MSRs */
    MSR_IA32_MTRR_FIX4K_C0000, MSR_IA32_MTRR_FIX4K_C0000 + 1, MSR_IA32_MTRR_FIX4K_C0000 + 2,
    MSR_IA32_MTRR_FIX4K_C0000 + 3, MSR_IA32_MTRR_FIX4K_C0000 + 4, MSR_IA32_MTRR_FIX4K_C0000 + 5,
    MSR_IA32_MTRR_FIX4K_C0000 + 6, MSR_IA32_MTRR_FIX4K_F8000,
};
