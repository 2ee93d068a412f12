/*
 * The end of every built-in guest's run (see hypercall.h).
 */
#include "guest/common/hypercall.h"
#include "guest/common/serial.h"
#include "kernel/x86.h"

void guest_power_off(void)
{
    uint64_t result = hc_power_off();

    say("KESTREL_HC_POWER_OFF returned 0x%lx: halting", result);
    cpu_stop();
}
