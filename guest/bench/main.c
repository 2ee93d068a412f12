/*
 * The benchmark guest's flow, on the BSP only (the other vCPUs stay in
 * wait-for-SIPI): its own GDT and IDT, the boot info checked, then each
 * measurement: BATCHES batches of ITERATIONS iterations, each batch timed
 * as a whole with the TSC, and the median of the batch averages printed as
 *   bench: <name> <cycles> cycles
 * (whole cycles, rounded; scripts/bench.sh reads these lines).  The median
 * drops the batches an unrelated exit (the preemption-timer tick, a stray
 * interrupt) landed in.  Nothing passes or fails.  "bench: done", then
 * power-off.
 */
#include "guest/bench/bench.h"
#include "guest/common/boot_info.h"
#include "guest/common/gdt.h"
#include "guest/common/hypercall.h"
#include "guest/common/idt.h"
#include "guest/common/lapic.h"
#include "guest/common/serial.h"
#include "kernel/x86.h"

#define ITERATIONS 1000u
#define BATCHES    11u             /* odd: the median is one batch */

struct measurement {
    const char *name;
    uint64_t (*loop)(uint64_t iterations);
    bool interrupts;               /* run with interrupts on */
};

/* Kestrel's hypercall is VMMCALL on AMD (guest/common/hypercall.h); the
 * row keeps the name "vmcall", the exit kind both backends count it as. */
static uint64_t loop_hypercall(uint64_t iterations)
{
    return hypercall_use_vmmcall ? loop_vmmcall(iterations) : loop_vmcall(iterations);
}

static const struct measurement measurements[] = {
    { "plain-loop",         loop_plain,              false },
    { "cpuid",              loop_cpuid,              false },
    { "vmcall",             loop_hypercall,          false },
    { "rdmsr",              loop_rdmsr,              false },
    { "in",                 loop_in,                 false },
    { "external-interrupt", loop_external_interrupt, true },
    { "apic-eoi",           loop_apic_eoi,           false },
};

static void sort(uint64_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        uint64_t x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Per-iteration cycles, rounded: the median batch total over ITERATIONS
 * (the median of the averages, as every batch has the same length). */
static uint64_t median_per_iteration(const struct measurement *m)
{
    uint64_t totals[BATCHES];

    for (unsigned b = 0; b < BATCHES; b++) {
        if (m->interrupts)
            irq_enable();
        totals[b] = m->loop(ITERATIONS);
        irq_disable();
    }
    sort(totals, BATCHES);
    return (totals[BATCHES / 2] + ITERATIONS / 2) / ITERATIONS;
}

void guest_main(const struct guest_boot_info *info)
{
    gdt_load();
    idt_init();
    idt_load();

    boot_info_require(info, NULL);
    lapic_init_cpu();
    bench_ipi_install();
    say("starting on the BSP (APIC ID %u, %s, TSC %lu Hz): median of %u batches of %u iterations",
        info->bsp_apic_id, info->x2apic ? "x2APIC" : "xAPIC", info->tsc_hz, BATCHES, ITERATIONS);

    for (unsigned i = 0; i < sizeof(measurements) / sizeof(measurements[0]); i++) {
        uint64_t cycles = median_per_iteration(&measurements[i]);

        if (measurements[i].loop == loop_external_interrupt && bench_ipi_lost())
            say("%s lost: a self-IPI (vector 0x%x) never arrived", measurements[i].name,
                BENCH_VECTOR);
        else
            say("%s %lu cycles", measurements[i].name, cycles);
    }
    say("done");
    guest_power_off();
}
