/* Test-and-test-and-set spinlock; the irqsave form keeps an interrupt
 * handler on the same CPU from deadlocking on a lock its CPU holds. */
#ifndef KESTREL_KERNEL_SPINLOCK_H
#define KESTREL_KERNEL_SPINLOCK_H

#include <stdint.h>
#include "kernel/x86.h"

struct spinlock {
    volatile int held;
};

static inline void spin_lock(struct spinlock *l)
{
    while (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&l->held, __ATOMIC_RELAXED)) {
            cpu_relax();
        }
    }
}

static inline void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t flags = read_rflags();
    irq_disable();
    spin_lock(l);
    return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
    spin_unlock(l);
    if (flags & (1u << 9)) {   /* RFLAGS.IF */
        irq_enable();
    }
}

#endif
