/*
 * How far the guest's second-level identity map reaches, and which part of
 * it is built at boot.  The map covers the guest's whole physical address
 * space, [0, 2^MAXPHYADDR), so a 64-bit BAR works wherever the firmware put
 * it (OVMF places them at 896 GiB with 40 address bits, at 56 TiB with 46).
 * Building all of it at boot would cost 2 MiB of tables per 512 GiB without
 * 1 GiB leaves, so only [0, eager_top) is built then: RAM, everything below
 * 4 GiB, the framebuffer and every page Kestrel mediates.  The rest, which
 * holds nothing but MMIO and holes, is mapped a block at a time where the
 * guest first touches it (core/vm_slat.c).  Pure: unit-tested.
 */
#ifndef KESTREL_MM_SLAT_REACH_H
#define KESTREL_MM_SLAT_REACH_H

#include <stdbool.h>
#include <stdint.h>

/* The granule of the boot part's end and of each on-demand block. */
#define SLAT_BLOCK_SIZE (1ull << 30)

/* Without CPUID 0x80000008 the SDM's default width. */
#define SLAT_PHYS_BITS_DEFAULT 36u

struct slat_reach_input {
    unsigned phys_bits;        /* MAXPHYADDR; 0: unknown (SLAT_PHYS_BITS_DEFAULT) */
    unsigned allow;            /* SLAT_ALLOW_* of the backend */
    uint64_t ram_top;          /* end of the highest region of the memory map */
    uint64_t framebuffer_end;  /* end of the GOP framebuffer; 0: none */
    uint64_t mediated_end;     /* end of the highest page Kestrel mediates; 0: none */
};

struct slat_reach {
    unsigned levels;           /* 4 or 5 */
    uint64_t reach;            /* [0, reach) is mapped, at boot or on first touch */
    uint64_t eager_top;        /* [0, eager_top) is built at boot */
    bool     beyond_levels;    /* 2^phys_bits > reach: 4 levels stop at 2^48 and
                                  nothing above is mapped */
    bool     ram_beyond;       /* the memory map reaches above `reach` (that part
                                  stays unmapped) */
};

void slat_reach_plan(const struct slat_reach_input *in, struct slat_reach *out);

/* The on-demand block holding gpa, clipped to the reach: [*lo, *hi).  False
 * when gpa is not in the on-demand part [eager_top, reach). */
bool slat_reach_block(const struct slat_reach *r, uint64_t gpa, uint64_t *lo, uint64_t *hi);

#endif
