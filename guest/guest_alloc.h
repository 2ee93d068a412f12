/* Placing a guest's boot data in its RAM (the frame pool handed over by pmm). */
#ifndef KESTREL_GUEST_ALLOC_H
#define KESTREL_GUEST_ALLOC_H

#include <stdint.h>
#include "bootinfo.h"
#include "mm/frames.h"

#define GUEST_FOUR_GIB (1ull << 32)

/* Zeroed guest pages for `bytes`, aligned, ending at or below limit; 0 if none. */
uint64_t guest_take(struct frame_pool *guest, uint64_t bytes, uint64_t align, uint64_t limit);

/* [at, at + size) (page-rounded) if it is free guest RAM: taken and zeroed;
 * 0 otherwise (a kernel that must sit at a fixed address). */
uint64_t guest_place_fixed(struct frame_pool *guest, uint64_t at, uint64_t size);

/* The index-th file of a role in the boot-info, or NULL. */
const struct bootinfo_file *guest_find_file(const struct kestrel_bootinfo *bi, uint32_t role,
                                            uint32_t index);

#endif
