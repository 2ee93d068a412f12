/*
 * The 4-level walk shared by x86-64 page tables (lib/pagetable.c) and EPT
 * (mm/ept.c): both index 512-entry tables with 9 bits per level above a
 * 12-bit page offset.  Levels are numbered as the CPU walks them: 4 = PML4,
 * 3 = PDPT, 2 = PD, 1 = PT; a leaf at level 3 maps 1 GiB, at level 2 2 MiB.
 */
#ifndef KESTREL_LIB_PT_LEVELS_H
#define KESTREL_LIB_PT_LEVELS_H

#include <stdint.h>

#define LEVEL_PT          1u
#define LEVEL_PD          2u
#define LEVEL_PDPT        3u
#define LEVEL_PML4        4u
#define LEVEL_PML5        5u   /* 5-level EPT only */
#define ENTRIES_PER_TABLE 512u

static inline unsigned level_shift(unsigned level)
{
    return 12u + 9u * (level - 1u);
}

static inline uint64_t level_size(unsigned level)
{
    return 1ull << level_shift(level);
}

static inline unsigned table_index(uint64_t address, unsigned level)
{
    return (unsigned)(address >> level_shift(level)) & (ENTRIES_PER_TABLE - 1u);
}

#endif
