/* Building MTRR states as firmware programs them, for the MTRR and EPT tests. */
#ifndef KESTREL_TESTS_UNIT_MTRR_FIXTURES_H
#define KESTREL_TESTS_UNIT_MTRR_FIXTURES_H

#include "mm/mtrr.h"

/* One type in all eight bytes of a fixed-range MTRR. */
#define FIX_ALL(t) (0x0101010101010101ull * (uint64_t)(t))

static inline uint64_t phys_bits_mask(unsigned pab)
{
    return ((1ull << pab) - 1) & ~0xfffull;
}

/* A contiguous, naturally aligned variable range (valid bit 11 set). */
static inline void set_var(struct mtrr_state *s, unsigned i, uint64_t base, uint64_t size, uint8_t type)
{
    s->var[i].base = base | type;
    s->var[i].mask = (~(size - 1) & phys_bits_mask(s->phys_addr_bits)) | (1ull << 11);
    if (s->var_count <= i)
        s->var_count = i + 1;
}

#endif
