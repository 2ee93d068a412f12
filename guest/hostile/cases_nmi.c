/*
 * NMIs between the guest's own vCPUs, and floods.
 *   ipi/nmi-broadcast        an NMI to "all including self" (ICR shorthand 10b), then one to
 *                            the physical broadcast ID 0xff: Kestrel expands both to the guest's
 *                            vCPUs only, so each of them takes exactly one NMI per send, and no
 *                            CPU outside the guest any (Kestrel reports those after the run)
 *   flood/nmi-while-logging  an AP sends NMIs to the BSP in a loop while the BSP makes a few
 *                            hundred LOG_WRITE calls: NMIs land while Kestrel handles the BSP's
 *                            hypercalls (its log lock held) and must be queued and delivered,
 *                            not lost or deadlocked: the BSP finishes and took at least one
 * The AP side of the floods lives here too: nmi_flood() until the BSP says
 * stop, init_flood() (final.c's INIT storm at the BSP) until the run ends.
 */
#include "guest/common/boot_info.h"
#include "guest/common/hypercall.h"
#include "guest/common/lapic.h"
#include "guest/common/tsc.h"
#include "guest/hostile/hostile.h"
#include "kernel/x86.h"
#include "lib/fmt.h"

#define ICR_DELIVERY_NMI        (4u << 8)
#define ICR_SHORTHAND_ALL       (2u << 18)      /* all including self */
#define XAPIC_BROADCAST_ID      0xffu
#define NMI_ARRIVAL_US          200000ull
#define NMI_SETTLE_US           5000ull
#define LOGGING_CALLS           300
#define FLOOD_START_US          1000000ull
#define FLOOD_END_US            1000000ull
#define LOG_TEXT_SIZE           32

/* Each online vCPU's NMI count, now. */
static void nmi_counts(uint64_t *counts)
{
    for (unsigned i = 0; i < cpu_total; i++)
        counts[i] = __atomic_load_n(&cpus[i].nmis, __ATOMIC_ACQUIRE);
}

static bool all_arrived(const uint64_t *before)
{
    for (unsigned i = 0; i < cpu_total; i++) {
        if (cpu_online(&cpus[i]) &&
            __atomic_load_n(&cpus[i].nmis, __ATOMIC_ACQUIRE) == before[i])
            return false;
    }
    return true;
}

/* One broadcast NMI: every online vCPU takes exactly one. */
static void broadcast_once(struct outcome *o, uint32_t dest, uint32_t icr, const char *how)
{
    static uint64_t before[HOSTILE_MAX_CPUS];
    uint64_t deadline = tsc_deadline_us(NMI_ARRIVAL_US);

    nmi_counts(before);
    if (!lapic_send_ipi(dest, icr)) {
        not_refused(o, "untested: the ICR never took the NMI %s", how);
        return;
    }
    while (!all_arrived(before) && !tsc_expired(deadline))
        cpu_relax();
    tsc_delay_us(NMI_SETTLE_US);   /* a second NMI would come now */
    for (unsigned i = 0; i < cpu_total; i++) {
        if (!cpu_online(&cpus[i]))
            continue;
        uint64_t got = __atomic_load_n(&cpus[i].nmis, __ATOMIC_ACQUIRE) - before[i];
        if (got != 1) {
            not_refused(o, "cpu %u took %lu NMIs from the NMI %s, expected 1", cpus[i].apic_id,
                        got, how);
            return;
        }
    }
}

void case_ipi_nmi_broadcast(struct outcome *o)
{
    if (boot_info->x2apic) {
        skipped(o, "the LAPIC is in x2APIC mode (the case sends through the xAPIC ICR)");
        return;
    }
    broadcast_once(o, 0, ICR_SHORTHAND_ALL | ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT,
                   "to all including self");
    broadcast_once(o, XAPIC_BROADCAST_ID, ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT,
                   "to APIC ID 0xff");
}

void nmi_flood(struct hostile_cpu *cpu)
{
    while (!__atomic_load_n(&cpu->flood_stop, __ATOMIC_ACQUIRE)) {
        lapic_send_ipi(cpu->flood_target, ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT);
        __atomic_fetch_add(&cpu->flood_sent, 1, __ATOMIC_RELEASE);
    }
}

void init_flood(struct hostile_cpu *cpu)
{
    for (;;) {
        lapic_send_ipi(cpu->flood_target, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
        __atomic_fetch_add(&cpu->flood_sent, 1, __ATOMIC_RELEASE);
    }
}

static bool wait_flowing(const struct hostile_cpu *ap)
{
    uint64_t deadline = tsc_deadline_us(FLOOD_START_US);

    while (__atomic_load_n(&ap->flood_sent, __ATOMIC_ACQUIRE) == 0) {
        if (tsc_expired(deadline))
            return false;
        cpu_relax();
    }
    return true;
}

void case_flood_nmi_while_logging(struct outcome *o)
{
    struct hostile_cpu *ap = ap_helper(0, false);
    char text[LOG_TEXT_SIZE];

    if (ap == NULL) {
        skipped(o, "no AP online to send the NMIs");
        return;
    }
    uint64_t nmis_before = __atomic_load_n(&cpus[0].nmis, __ATOMIC_ACQUIRE);
    ap->flood_target = cpus[0].apic_id;
    ap->flood_stop = 0;
    ap->flood_sent = 0;
    ap_post(ap, AP_CMD_NMI_FLOOD);
    if (!wait_flowing(ap)) {
        __atomic_store_n(&ap->flood_stop, 1, __ATOMIC_RELEASE);
        not_refused(o, "untested: cpu %u sent no NMI within 1 s", ap->apic_id);
        return;
    }
    unsigned logged = 0;
    for (unsigned i = 0; i < LOGGING_CALLS; i++) {
        int n = ksnprintf(text, sizeof(text), "nmi flood %u", i);
        logged += hc_log_write(text, (uint64_t)n) == (uint64_t)n;
    }
    __atomic_store_n(&ap->flood_stop, 1, __ATOMIC_RELEASE);
    bool stopped = ap_wait_idle(ap, FLOOD_END_US);
    tsc_delay_us(NMI_SETTLE_US);   /* the last NMI in flight */
    uint64_t took = __atomic_load_n(&cpus[0].nmis, __ATOMIC_ACQUIRE) - nmis_before;

    if (logged != LOGGING_CALLS)
        not_refused(o, "only %u of %u LOG_WRITE calls logged their text", logged, LOGGING_CALLS);
    else if (took == 0)
        not_refused(o, "the BSP took none of the %lu NMIs cpu %u sent",
                    __atomic_load_n(&ap->flood_sent, __ATOMIC_ACQUIRE), ap->apic_id);
    else if (!stopped)
        not_refused(o, "cpu %u did not stop its flood within 1 s", ap->apic_id);
}
