/*
 * The last attacks, which only Kestrel's end of the run can judge (the boot
 * test does: `kestrel: guest powered off`, the exit and refusal lines):
 *   flood/init-at-bsp   an AP sends INIT to the BSP in a loop while the BSP prints the verdict
 *                       and powers off: every INIT is refused (INIT to the guest's boot CPU),
 *                       and the stream must not keep Kestrel from ending the run
 *   com1/dlab-left-set  after the verdict the BSP leaves COM1 with LCR.DLAB and MCR loopback
 *                       set (its data register is then the divisor, its output looped back):
 *                       Kestrel must re-initialise the port before its end lines
 * The #DB loop (loop/db) is still running on another AP meanwhile.
 */
#include "guest/common/hypercall.h"
#include "guest/common/serial.h"
#include "guest/common/tsc.h"
#include "guest/hostile/hostile.h"
#include "kernel/x86.h"
#include "lib/fmt.h"

#define FLOOD_START_US 1000000ull

/* The first idle AP: loop/db took the last one. */
static struct hostile_cpu *idle_ap(void)
{
    for (unsigned k = 0;; k++) {
        struct hostile_cpu *ap = ap_helper(k, false);
        if (ap == NULL || __atomic_load_n(&ap->command, __ATOMIC_ACQUIRE) == AP_CMD_NONE)
            return ap;
    }
}

static void start_init_flood(void)
{
    struct hostile_cpu *ap = idle_ap();
    char looping[48] = "";

    if (db_loop_cpu != NULL)
        ksnprintf(looping, sizeof(looping), "cpu %u stays in the #DB loop (loop/db); ",
                  db_loop_cpu->apic_id);
    if (ap == NULL) {
        say("last: %sflood/init-at-bsp not tried (no idle AP); com1/dlab-left-set follows the "
            "verdict", looping);
        return;
    }
    ap->flood_target = cpus[0].apic_id;
    ap->flood_sent = 0;
    ap_post(ap, AP_CMD_INIT_FLOOD);
    uint64_t deadline = tsc_deadline_us(FLOOD_START_US);
    while (__atomic_load_n(&ap->flood_sent, __ATOMIC_ACQUIRE) == 0 && !tsc_expired(deadline))
        cpu_relax();
    say("last: %sflood/init-at-bsp (cpu %u sends INIT to the BSP until the end, %lu so far) "
        "and com1/dlab-left-set follow the verdict: Kestrel's end lines judge them", looping,
        ap->apic_id, __atomic_load_n(&ap->flood_sent, __ATOMIC_ACQUIRE));
}

void final_attacks_and_power_off(void)
{
    start_init_flood();
    outcome_say_verdict();

    bool taken = console_begin();   /* nobody prints into the changed UART */
    console_drain();
    outb(COM1_BASE + UART_LCR, (uint8_t)(inb(COM1_BASE + UART_LCR) | UART_LCR_DLAB));
    outb(COM1_BASE + UART_MCR, (uint8_t)(inb(COM1_BASE + UART_MCR) | UART_MCR_LOOP));
    (void)taken;                    /* kept: the run ends here */
    hc_power_off();
    cpu_stop();
}
