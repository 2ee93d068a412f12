/*
 * The external-interrupt measurement: one self-IPI per iteration.  The
 * LAPIC raises vector BENCH_VECTOR on this CPU; in VMX non-root operation
 * that exits to Kestrel, which acknowledges it on exit and injects it on
 * the next entry, and the guest's handler acknowledges (EOI) and counts.
 * An iteration ends when the count moved: the round trip send → exit →
 * injection → handler → IRET.
 */
#include <stdbool.h>

#include "guest/bench/bench.h"
#include "guest/common/boot_info.h"
#include "guest/common/lapic.h"
#include "guest/common/trap.h"
#include "kernel/x86.h"

/* Bounded in PAUSEs, not TSC reads, so the wait adds nothing per
 * iteration; far more than a delivery takes anywhere. */
#define IPI_SPIN_LIMIT (1u << 24)

static volatile uint64_t ipis_taken;
static bool lost;

static void bench_vector(struct trap_frame *f)
{
    (void)f;
    ipis_taken++;
    lapic_eoi();
}

void bench_ipi_install(void)
{
    trap_set_handler(BENCH_VECTOR, bench_vector);
}

bool bench_ipi_lost(void)
{
    return lost;
}

void bench_ipi_round_trip(void)
{
    uint64_t before = ipis_taken;

    if (lost)
        return;   /* once lost, the rest of the run is not measured */
    lapic_send_ipi(boot_info->bsp_apic_id, ICR_DELIVERY_FIXED | BENCH_VECTOR);
    for (unsigned spin = 0; ipis_taken == before; spin++) {
        if (spin == IPI_SPIN_LIMIT) {
            lost = true;
            return;
        }
        cpu_relax();
    }
}

uint64_t loop_apic_eoi(uint64_t iterations)
{
    /* An EOI with nothing in service changes nothing: the APIC takes the
     * write and ignores it. */
    uint64_t start = rdtsc();
    for (uint64_t i = 0; i < iterations; i++)
        lapic_eoi();
    return rdtsc() - start;
}
