/*
 * Delays and timeouts from the TSC, at the frequency the boot info gives
 * (the guest has no other clock it could trust before it has tested one).
 */
#ifndef KESTREL_GUEST_COMMON_TSC_H
#define KESTREL_GUEST_COMMON_TSC_H

#include <stdbool.h>

#include "guest/common/boot_info.h"
#include "kernel/x86.h"

#define US_PER_SECOND 1000000ull

/* us * tsc_hz stays far below 2^64 for every timeout used here (<= 1 s). */
static inline uint64_t tsc_deadline_us(uint64_t us)
{
    return rdtsc() + us * boot_info->tsc_hz / US_PER_SECOND;
}

static inline bool tsc_expired(uint64_t deadline)
{
    return (int64_t)(rdtsc() - deadline) >= 0;
}

static inline void tsc_delay_us(uint64_t us)
{
    uint64_t deadline = tsc_deadline_us(us);

    while (!tsc_expired(deadline))
        cpu_relax();
}

#endif
