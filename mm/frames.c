/* Free physical page ranges: sorted array, merge on insert, split on remove. */
#include "mm/frames.h"

void frames_init(struct frame_pool *p)
{
    p->count = 0;
    p->free_bytes = 0;
}

static void remove_at(struct frame_pool *p, unsigned i)
{
    for (unsigned j = i; j + 1 < p->count; j++) {
        p->r[j] = p->r[j + 1];
    }
    p->count--;
}

static bool insert_at(struct frame_pool *p, unsigned i, uint64_t base, uint64_t end)
{
    if (p->count >= FRAMES_MAX_RANGES) {
        return false;
    }
    for (unsigned j = p->count; j > i; j--) {
        p->r[j] = p->r[j - 1];
    }
    p->r[i].base = base;
    p->r[i].end = end;
    p->count++;
    return true;
}

bool frames_add(struct frame_pool *p, uint64_t base, uint64_t size)
{
    uint64_t end = base + size;
    if (end < base) {
        end = UINT64_MAX;
    }
    base = (base + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
    end &= ~(FRAME_SIZE - 1);
    if (base == 0) {
        base = FRAME_SIZE;   /* page 0 doubles as the failure value */
    }
    if (end <= base) {
        return true;         /* less than one whole page: nothing to add */
    }

    /* i: the first range ending after base; it must start at or after end,
     * or the new range overlaps free memory (a double free). */
    unsigned i = 0;
    while (i < p->count && p->r[i].end <= base) {
        i++;
    }
    if (i < p->count && p->r[i].base < end) {
        return false;
    }
    bool joins_prev = i > 0 && p->r[i - 1].end == base;
    bool joins_next = i < p->count && p->r[i].base == end;
    if (joins_prev && joins_next) {
        p->r[i - 1].end = p->r[i].end;
        remove_at(p, i);
    } else if (joins_prev) {
        p->r[i - 1].end = end;
    } else if (joins_next) {
        p->r[i].base = base;
    } else if (!insert_at(p, i, base, end)) {
        return false;
    }
    p->free_bytes += end - base;
    return true;
}

bool frames_remove(struct frame_pool *p, uint64_t base, uint64_t size)
{
    uint64_t end = base + size;
    if (end < base) {
        end = UINT64_MAX;
    }
    base &= ~(FRAME_SIZE - 1);
    if (end & (FRAME_SIZE - 1)) {
        end = (end | (FRAME_SIZE - 1)) + 1;
        if (end == 0) {
            end = UINT64_MAX & ~(FRAME_SIZE - 1);
        }
    }

    for (unsigned i = 0; i < p->count;) {
        struct frame_range *r = &p->r[i];
        if (r->end <= base || r->base >= end) {
            i++;
            continue;
        }
        uint64_t cut_lo = r->base > base ? r->base : base;
        uint64_t cut_hi = r->end < end ? r->end : end;
        p->free_bytes -= cut_hi - cut_lo;
        if (cut_lo > r->base && cut_hi < r->end) {
            /* Hole in the middle: split in two. */
            uint64_t old_end = r->end;
            r->end = cut_lo;
            if (!insert_at(p, i + 1, cut_hi, old_end)) {
                p->free_bytes -= old_end - cut_hi;   /* leak it rather than lie */
                return false;
            }
            i += 2;
        } else if (cut_lo > r->base) {
            r->end = cut_lo;
            i++;
        } else if (cut_hi < r->end) {
            r->base = cut_hi;
            i++;
        } else {
            remove_at(p, i);
        }
    }
    return true;
}

uint64_t frames_alloc(struct frame_pool *p, uint64_t pages, uint64_t align, uint64_t limit)
{
    if (pages == 0 || pages > (UINT64_MAX / FRAME_SIZE) || align < FRAME_SIZE ||
        (align & (align - 1))) {
        return 0;
    }
    uint64_t size = pages * FRAME_SIZE;

    for (unsigned k = p->count; k-- > 0;) {
        const struct frame_range *r = &p->r[k];
        uint64_t top = r->end;
        if (limit && top > limit) {
            top = limit;
        }
        if (top <= r->base || top - r->base < size) {
            continue;
        }
        uint64_t base = (top - size) & ~(align - 1);
        if (base < r->base) {
            continue;
        }
        /* An aligned base can split the range; with the table full the
         * part above is leaked rather than the allocation failed. */
        frames_remove(p, base, size);
        return base;
    }
    return 0;
}
