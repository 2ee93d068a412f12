/*
 * The self-test guest's flow.  BSP: own GDT and IDT, check the boot info,
 * start every AP (each runs the checks as soon as it is up), run the
 * checks itself, wait for every AP, print the verdict and ask Kestrel to
 * power off.  AP: own GDT and IDT, the checks, halt.
 */
#include "guest/common/gdt.h"
#include "guest/common/hypercall.h"
#include "guest/common/idt.h"
#include "guest/common/lapic.h"
#include "guest/common/paging.h"
#include "guest/common/serial.h"
#include "guest/common/tsc.h"
#include "guest/selftest/selftest.h"
#include "kernel/x86.h"

#define AP_FINISH_US 1000000u

struct cpu cpus[SELFTEST_MAX_CPUS];
uint8_t ap_stacks[SELFTEST_MAX_CPUS][SELFTEST_AP_STACK_SIZE] __attribute__((aligned(16)));
unsigned cpu_total;
uint64_t probe_va;
const char *probe_unusable_why;
uint64_t high_pa, high_va;
const char *high_unusable_why;

/* 4-level second-level tables reach 2^48 (docs/vmx.md): the top of the
 * guest's address space, or of what they reach. */
#define HIGH_PROBE_MAX_BITS 48
#define HIGH_PROBE_WINDOW   (2ull << 20)

static uint64_t high_probe_address(void)
{
    unsigned bits = cpuid(0x80000008u, 0).eax & 0xff;
    if (bits > HIGH_PROBE_MAX_BITS)
        bits = HIGH_PROBE_MAX_BITS;
    return (1ull << bits) - HIGH_PROBE_WINDOW;
}

/* The BSP is cpus[0]; the APs follow in the boot info's order. */
static void assign_cpus(void)
{
    cpus[0] = (struct cpu){ .index = 0, .apic_id = boot_info->bsp_apic_id, .state = CPU_ONLINE };
    cpu_total = 1;
    for (uint32_t i = 0; i < boot_info->cpu_count; i++) {
        if (boot_info->apic_ids[i] == boot_info->bsp_apic_id)
            continue;
        cpus[cpu_total] = (struct cpu){ .index = cpu_total, .apic_id = boot_info->apic_ids[i] };
        cpu_total++;
    }
}

static void note_if_apic_id_differs(const struct cpu *cpu)
{
    uint32_t id = lapic_id();

    if (id != cpu->apic_id)
        say("cpu %u note: the LAPIC reports APIC ID %u", cpu->apic_id, id);
}

static void start_aps(void)
{
    const char *why = cpu_total > 1 ? smp_prepare(selftest_ap_main) : NULL;

    if (why != NULL) {
        say("application processors not started: %s", why);
        return;
    }
    /* One that fails says why and stays CPU_OFF. */
    for (unsigned i = 1; i < cpu_total; i++)
        smp_start_ap(i, cpus[i].apic_id, &cpus[i], &cpus[i].state);
}

static bool wait_ap_done(const struct cpu *cpu)
{
    uint64_t deadline = tsc_deadline_us(AP_FINISH_US);

    while (__atomic_load_n(&cpu->state, __ATOMIC_ACQUIRE) != CPU_DONE) {
        if (__atomic_load_n(&cpu->state, __ATOMIC_ACQUIRE) == CPU_OFF || tsc_expired(deadline))
            return false;
        cpu_relax();
    }
    return true;
}

/* "selftest: PASS n/n" or "selftest: FAIL p/n: name,name,...": each failing
 * check once, then cpu<id>-timeout for each AP that did not finish (all
 * of its checks count as failed). */
static void report(void)
{
    bool done[SELFTEST_MAX_CPUS];
    uint32_t failed_mask = 0;
    unsigned run = 0, passed = 0, total = cpu_total;

    for (unsigned i = 0; i < total; i++) {
        done[i] = i == 0 || wait_ap_done(&cpus[i]);
        if (done[i]) {
            run += cpus[i].checks_run;
            passed += cpus[i].checks_passed;
            failed_mask |= cpus[i].failed_mask;
        } else {
            run += check_count();
            if (__atomic_load_n(&cpus[i].state, __ATOMIC_ACQUIRE) != CPU_OFF)
                say("cpu %u did not finish its checks within %u ms", cpus[i].apic_id,
                    AP_FINISH_US / 1000);
        }
    }

    bool taken = console_begin();
    if (passed == run) {
        console_printf("selftest: PASS %u/%u\n", passed, run);
    } else {
        const char *sep = "";
        console_printf("selftest: FAIL %u/%u: ", passed, run);
        for (unsigned i = 0; i < check_count(); i++) {
            if (failed_mask & (1u << i)) {
                console_printf("%s%s", sep, check_name(i));
                sep = ",";
            }
        }
        for (unsigned i = 0; i < total; i++) {
            if (!done[i]) {
                console_printf("%scpu%u-timeout", sep, cpus[i].apic_id);
                sep = ",";
            }
        }
        console_printf("\n");
    }
    console_end(taken);
}

/* After the checks: the last AP is started again with INIT-SIPI-SIPI while
 * it sits halted, as an OS restarts a CPU it took offline.  Under Kestrel
 * that INIT reaches the vCPU through the mediated ICR (in software on SVM)
 * and must reset it even though it never exits by itself. */
static volatile bool restart_round;

static void restart_last_ap(void)
{
    unsigned i = cpu_total - 1;

    if (cpu_total < 2 || cpus[i].state != CPU_DONE)
        return;
    restart_round = true;
    if (smp_start_ap(i, cpus[i].apic_id, &cpus[i], &cpus[i].state))
        say("restart of cpu %u ok", cpus[i].apic_id);
    else
        say("restart of cpu %u FAILED: no answer to INIT-SIPI-SIPI", cpus[i].apic_id);
}

void guest_main(const struct guest_boot_info *info)
{
    cpu_register_ap_stacks(ap_stacks, SELFTEST_AP_STACK_SIZE, SELFTEST_MAX_CPUS);
    selftest_traps_install();
    gdt_load();
    idt_init();
    idt_load();

    boot_info_require(info, "FAIL 0/0: boot-info");
    assign_cpus();
    lapic_init_cpu();
    say("starting: %u cpus, %s, BSP APIC ID %u", cpu_total, info->x2apic ? "x2APIC" : "xAPIC",
        info->bsp_apic_id);
    note_if_apic_id_differs(&cpus[0]);

    probe_unusable_why = paging_map_phys(info->hypervisor_probe, &probe_va);
    if (info->hypervisor_probe == 0)
        probe_unusable_why = "the boot info gives no hypervisor_probe address";
    if (probe_unusable_why != NULL)
        probe_va = 0;
    high_pa = high_probe_address();
    high_unusable_why = paging_map_phys(high_pa, &high_va);

    start_aps();
    checks_run_all(&cpus[0]);
    report();
    restart_last_ap();
    guest_power_off();
}

void selftest_ap_main(void *arg)
{
    struct cpu *cpu = arg;

    gdt_load();
    idt_load();
    if (this_cpu() != cpu) {
        /* The trampoline handed over another CPU's stack: nothing here can
         * be trusted, and the BSP will report this AP as timed out. */
        say("cpu %u stopped: started on another CPU's stack", cpu->apic_id);
        cpu_stop();
    }
    lapic_init_cpu();
    __atomic_store_n(&cpu->state, CPU_ONLINE, __ATOMIC_RELEASE);
    if (restart_round)
        cpu_stop();               /* restart_last_ap: back, and done */
    note_if_apic_id_differs(cpu);
    checks_run_all(cpu);
    __atomic_store_n(&cpu->state, CPU_DONE, __ATOMIC_RELEASE);
    cpu_stop();
}
