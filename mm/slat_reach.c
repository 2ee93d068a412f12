/* The second-level map's reach and boot part (see slat_reach.h). */
#include "mm/slat_reach.h"
#include "mm/slat.h"

#define FOUR_GIB (4ull << 30)

static uint64_t round_up_block(uint64_t a)
{
    return (a + SLAT_BLOCK_SIZE - 1) & ~(SLAT_BLOCK_SIZE - 1);
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

void slat_reach_plan(const struct slat_reach_input *in, struct slat_reach *out)
{
    unsigned bits = in->phys_bits ? in->phys_bits : SLAT_PHYS_BITS_DEFAULT;
    if (bits > 52) {
        bits = 52;                      /* the architectural maximum */
    }
    /* 5 levels only where 4 do not reach: one table fewer to walk. */
    out->levels = bits > 48 && (in->allow & SLAT_ALLOW_5LEVEL) ? 5 : 4;
    uint64_t limit = out->levels == 5 ? SLAT_GPA_LIMIT_5LEVEL : SLAT_GPA_LIMIT;
    uint64_t space = 1ull << bits;
    out->beyond_levels = space > limit;
    out->reach = out->beyond_levels ? limit : space;

    /* Below 4 GiB lie the local and I/O APICs, the HPET, the flash and the
     * 32-bit BARs: always at boot, as are RAM, the framebuffer and the
     * mediated pages, so that no write-protected page is ever mapped on
     * demand and the guest's first accesses to them take no exit. */
    uint64_t want = max_u64(FOUR_GIB, max_u64(in->ram_top,
                            max_u64(in->framebuffer_end, in->mediated_end)));
    out->ram_beyond = in->ram_top > out->reach;
    /* reach is a power of two of at least 2^36: rounding stays within it. */
    out->eager_top = want > out->reach ? out->reach : round_up_block(want);
}

bool slat_reach_block(const struct slat_reach *r, uint64_t gpa, uint64_t *lo, uint64_t *hi)
{
    if (gpa < r->eager_top || gpa >= r->reach) {
        return false;
    }
    *lo = gpa & ~(SLAT_BLOCK_SIZE - 1);
    *hi = *lo + SLAT_BLOCK_SIZE > r->reach ? r->reach : *lo + SLAT_BLOCK_SIZE;
    return true;
}
