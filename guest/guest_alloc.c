/* Guest boot data in guest RAM (see guest_alloc.h). */
#include "guest/guest_alloc.h"

#define PAGE 4096ull

uint64_t guest_take(struct frame_pool *guest, uint64_t bytes, uint64_t align, uint64_t limit)
{
    uint64_t pages = (bytes + PAGE - 1) / PAGE;
    uint64_t p = frames_alloc(guest, pages ? pages : 1, align < PAGE ? PAGE : align, limit);
    if (p) {
        __builtin_memset((void *)p, 0, (pages ? pages : 1) * PAGE);
    }
    return p;
}

uint64_t guest_place_fixed(struct frame_pool *guest, uint64_t at, uint64_t size)
{
    uint64_t base = at & ~(PAGE - 1);
    uint64_t end = (at + size + PAGE - 1) & ~(PAGE - 1);
    for (unsigned i = 0; i < guest->count; i++) {
        if (guest->r[i].base <= base && end <= guest->r[i].end) {
            frames_remove(guest, base, end - base);
            __builtin_memset((void *)base, 0, end - base);
            return at;
        }
    }
    return 0;
}

const struct bootinfo_file *guest_find_file(const struct kestrel_bootinfo *bi, uint32_t role,
                                            uint32_t index)
{
    for (uint32_t i = 0; i < bi->file_count; i++) {
        if (bi->files[i].role == role && bi->files[i].index == index) {
            return &bi->files[i];
        }
    }
    return 0;
}
