/*
 * The hostile guest's flow.  BSP: its own GDT (ring-3 segments, its TSS)
 * and IDT, the boot info checked, the APs started (they wait idle), then
 *   1. the per-vCPU cases on the BSP, then on each AP in turn (one vCPU at
 *      a time, so the output stays readable), "cpu<apic-id>/<case>";
 *   2. the machine-wide cases on the BSP, with APs as helpers;
 *   3. the last attacks, which only Kestrel's end lines can judge (final.c),
 *      around the verdict, and the power-off.
 * One line per case:
 *   hostile: <case> refused
 *   hostile: <case> NOT REFUSED (<what happened>)
 *   hostile: <case> skipped (<why>)          (not counted)
 * and the verdict, "hostile: PASS n/n" or "hostile: FAIL p/n: <names>".
 *
 * With `hostile_case = <name>` in kestrel.cfg only that case runs, on the
 * BSP: the way to try the cases whose success ends the run (a guest
 * reset; should such a run go on, the case was not refused) and those
 * that need a machine set up for them.
 */
#include "guest/common/boot_info.h"
#include "guest/common/hypercall.h"
#include "guest/common/idt.h"
#include "guest/common/lapic.h"
#include "guest/common/serial.h"
#include "guest/common/tsc.h"
#include "guest/hostile/hostile.h"
#include "kernel/x86.h"
#include "lib/fmt.h"

#define AP_CASES_US   30000000ull    /* an AP's turn at the per-vCPU cases */
#define RUN_END_US    200000ull      /* a run-ending case: how long the run may go on */
#define PREFIX_SIZE   16

static void cpu_prefix(const struct hostile_cpu *cpu, char *buf, size_t size)
{
    ksnprintf(buf, size, "cpu%u/", cpu->apic_id);
}

static void run_case(const char *prefix, const struct hostile_case *c)
{
    struct outcome o = { .verdict = VERDICT_REFUSED };

    c->run(&o);
    outcome_report(prefix, c->name, &o);
}

void run_per_cpu_cases(struct hostile_cpu *cpu)
{
    char prefix[PREFIX_SIZE];
    size_t count;
    const struct hostile_case *cases = case_table(CASES_PER_CPU, &count);

    cpu_prefix(cpu, prefix, sizeof(prefix));
    for (size_t i = 0; i < count; i++)
        run_case(prefix, &cases[i]);
}

/* An AP that did not come up, or did not finish its turn, fails the run:
 * its cases were not tried. */
static void report_ap_problem(const struct hostile_cpu *cpu, const char *what, const char *why)
{
    char prefix[PREFIX_SIZE];
    struct outcome o = { .verdict = VERDICT_REFUSED };

    cpu_prefix(cpu, prefix, sizeof(prefix));
    not_refused(&o, "%s", why);
    outcome_report(prefix, what, &o);
}

static void per_cpu_cases_everywhere(void)
{
    run_per_cpu_cases(&cpus[0]);
    for (unsigned i = 1; i < cpu_total; i++) {
        struct hostile_cpu *cpu = &cpus[i];
        if (!cpu_online(cpu)) {
            report_ap_problem(cpu, "start", "untested: the AP did not start");
            continue;
        }
        ap_post(cpu, AP_CMD_PER_CPU_CASES);
        if (!ap_wait_idle(cpu, AP_CASES_US))
            report_ap_problem(cpu, "per-vcpu-cases", "the AP did not finish them within 30 s");
    }
}

static void machine_wide_cases(void)
{
    size_t count;
    const struct hostile_case *cases = case_table(CASES_MACHINE, &count);

    for (size_t i = 0; i < count; i++)
        run_case("", &cases[i]);
}

/* hostile_case = name: that case alone, on the BSP. */
__attribute__((noreturn)) static void only_case(const char *name)
{
    enum case_table table;
    const struct hostile_case *c = case_find(name, &table);
    struct outcome o = { .verdict = VERDICT_REFUSED };
    char prefix[PREFIX_SIZE] = "";

    if (c == NULL) {
        not_refused(&o, "untested: no case of that name");
        outcome_report("", name, &o);
        outcome_say_verdict();
        guest_power_off();
    }
    if (table == CASES_PER_CPU)
        cpu_prefix(&cpus[0], prefix, sizeof(prefix));
    c->run(&o);
    if (c->ends_run) {
        tsc_delay_us(RUN_END_US);
        not_refused(&o, "the run went on");
    }
    outcome_report(prefix, c->name, &o);
    outcome_say_verdict();
    guest_power_off();
}

void guest_main(const struct guest_boot_info *info)
{
    cpus_init();
    cpu_tables_load(0);
    idt_init();
    idt_load();

    boot_info_require(info, "FAIL 0/0: boot-info");
    lapic_init_cpu();
    cpus_start_aps();
    unsigned online = 1;
    for (unsigned i = 1; i < cpu_total; i++)
        online += cpu_online(&cpus[i]);
    say("starting on the BSP (APIC ID %u, %s); %u of %u vCPUs online",
        info->bsp_apic_id, info->x2apic ? "x2APIC" : "xAPIC", online, cpu_total);

    if (info->hostile_case[0] != '\0') {
        char name[sizeof(info->hostile_case) + 1];
        ksnprintf(name, sizeof(name), "%.*s", (int)sizeof(info->hostile_case),
                  info->hostile_case);
        only_case(name);
    }
    per_cpu_cases_everywhere();
    machine_wide_cases();
    final_attacks_and_power_off();
}
