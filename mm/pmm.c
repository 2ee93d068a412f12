/* Physical page allocator: the frame pool (mm/frames.c) behind a lock. */
#include "mm/pmm.h"
#include "mm/managed_ram.h"
#include "mm/frames.h"
#include "kernel/spinlock.h"
#include "kernel/log.h"

static struct frame_pool pool;
static struct spinlock pool_lock;

void pmm_init(const struct kestrel_bootinfo *bi, const struct mem_region *map, size_t count)
{
    frames_init(&pool);
    for (size_t i = 0; i < count; i++) {
        uint64_t base, end;
        if (!managed_ram(&map[i], &base, &end)) {
            continue;
        }
        if (!frames_add(&pool, base, end - base)) {
            log_warn("memory map too fragmented: %llu KiB at %#llx not used",
                     (unsigned long long)((end - base) >> 10), (unsigned long long)base);
        }
    }
    for (uint32_t i = 0; i < bi->reserved_count; i++) {
        frames_remove(&pool, bi->reserved[i].base, bi->reserved[i].size);
    }
}

uint64_t pmm_alloc_pages_below(uint64_t pages, uint64_t limit)
{
    uint64_t flags = spin_lock_irqsave(&pool_lock);
    uint64_t base = frames_alloc(&pool, pages, FRAME_SIZE, limit);
    spin_unlock_irqrestore(&pool_lock, flags);
    if (base) {
        __builtin_memset((void *)base, 0, pages * PAGE_SIZE);
    }
    return base;
}

uint64_t pmm_alloc_pages(uint64_t pages)
{
    return pmm_alloc_pages_below(pages, 0);
}

void pmm_free_pages(uint64_t base, uint64_t pages)
{
    uint64_t flags = spin_lock_irqsave(&pool_lock);
    bool ok = frames_add(&pool, base, pages * PAGE_SIZE);
    spin_unlock_irqrestore(&pool_lock, flags);
    if (!ok) {
        log_warn("pmm: bad free of %llu pages at %#llx", (unsigned long long)pages,
                 (unsigned long long)base);
    }
}

uint64_t pmm_free_bytes(void)
{
    return pool.free_bytes;
}

bool pmm_give_to_guest(uint64_t reserve_pages, struct frame_pool *guest)
{
    uint64_t flags = spin_lock_irqsave(&pool_lock);
    uint64_t reserve = frames_alloc(&pool, reserve_pages, 0x200000ull, 0);
    if (reserve) {
        *guest = pool;
        frames_init(&pool);
        frames_add(&pool, reserve, reserve_pages * PAGE_SIZE);
    }
    spin_unlock_irqrestore(&pool_lock, flags);
    return reserve != 0;
}
