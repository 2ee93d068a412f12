/*
 * Hypercalls with buffers, and the end of every built-in guest's run (see
 * hypercall.h).
 */
#include "guest/common/hypercall.h"
#include "guest/common/paging.h"
#include "guest/common/serial.h"
#include "kernel/x86.h"

/* The guest-physical address of [va, va + len): both ends must translate
 * to the same distance apart (one physically contiguous piece). */
static bool contiguous_phys(const void *va, uint64_t len, uint64_t *pa)
{
    uint64_t last;

    if (len == 0)
        return virt_to_phys((uint64_t)va, pa);
    return virt_to_phys((uint64_t)va, pa) && virt_to_phys((uint64_t)va + len - 1, &last) &&
           last - *pa == len - 1;
}

uint64_t hc_log_write(const void *text, uint64_t len)
{
    uint64_t pa;

    if (!contiguous_phys(text, len, &pa))
        return KESTREL_HC_RESULT_UNKNOWN;
    return kestrel_hypercall(KESTREL_HC_LOG_WRITE, pa, len, 0);
}

uint64_t hc_log_read(void *buf, uint64_t size)
{
    uint64_t pa;

    if (!contiguous_phys(buf, size, &pa))
        return KESTREL_HC_RESULT_UNKNOWN;
    return kestrel_hypercall(KESTREL_HC_LOG_READ, pa, size, 0);
}

void guest_power_off(void)
{
    uint64_t result = hc_power_off();

    say("KESTREL_HC_POWER_OFF returned 0x%lx: halting", result);
    cpu_stop();
}
