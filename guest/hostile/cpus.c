/*
 * The hostile guest's CPUs: their records, the APs' start (guest/common/
 * smp.c) and what an AP does once up: it waits in HLT for a command from
 * the BSP (a wake-up IPI ends the HLT), carries it out, and waits again.
 * HLT rather than a spin: an emulator then spends its time on the CPU
 * that works.  The events every CPU handles the same way live here too:
 * NMIs are counted (the NMI cases check where they arrived), the wake-up
 * vector is acknowledged, a #DB no probe expected is counted and its
 * breakpoints cleared, and any other unexpected exception ends the run
 * with the CPU named.
 */
#include "guest/common/boot_info.h"
#include "guest/common/cpu.h"
#include "guest/common/hypercall.h"
#include "guest/common/idt.h"
#include "guest/common/lapic.h"
#include "guest/common/serial.h"
#include "guest/common/trap.h"
#include "guest/common/tsc.h"
#include "guest/hostile/hostile.h"
#include "kernel/x86.h"

#define VEC_DEBUG 1
#define VEC_WAKE  0x50     /* the BSP's "look at your command" IPI */

struct hostile_cpu cpus[HOSTILE_MAX_CPUS];
unsigned cpu_total;
uint32_t stray_debug_exceptions;   /* cases_debug.c reads it; __atomic accesses */

static uint8_t ap_stacks[HOSTILE_MAX_CPUS][HOSTILE_AP_STACK_SIZE] __attribute__((aligned(16)));

struct hostile_cpu *this_cpu(void)
{
    int i = cpu_index();

    return i != CPU_UNKNOWN && (unsigned)i < cpu_total ? &cpus[i] : NULL;
}

bool cpu_online(const struct hostile_cpu *cpu)
{
    return __atomic_load_n(&cpu->state, __ATOMIC_ACQUIRE) >= AP_ONLINE;
}

/* ---- events ------------------------------------------------------------ */

static void nmi_arrived(struct trap_frame *f)
{
    struct hostile_cpu *cpu = this_cpu();

    (void)f;
    if (cpu != NULL)
        __atomic_fetch_add(&cpu->nmis, 1, __ATOMIC_RELAXED);
}

static void wake_arrived(struct trap_frame *f)
{
    (void)f;
    lapic_eoi();
}

/* A #DB outside a probe (the #DB-loop case's, when a CPU does not repeat
 * it): counted, and its breakpoints disabled so it cannot recur. */
static void stray_debug(struct trap_frame *f)
{
    (void)f;
    __atomic_fetch_add(&stray_debug_exceptions, 1, __ATOMIC_RELAXED);
    __asm__ volatile("mov %0, %%dr7" : : "r"(0ull));
}

static void unexpected(struct trap_frame *f)
{
    struct hostile_cpu *cpu = this_cpu();
    uint32_t apic = cpu != NULL ? cpu->apic_id : ~0u;

    if (f->vector >= FIRST_INTERRUPT) {
        say("cpu %u unexpected interrupt %lu at 0x%lx", apic, f->vector, f->rip);
        lapic_eoi();
        return;
    }
    console_release_if_mine();
    trap_say_exception(f, apic);
    say("cpu %u stopped: nothing to resume after the exception; the run ends here", apic);
    guest_power_off();
}

/* ---- set-up ------------------------------------------------------------ */

void cpus_init(void)
{
    cpu_register_ap_stacks(ap_stacks, HOSTILE_AP_STACK_SIZE, HOSTILE_MAX_CPUS);
    cpu_total = 1;
    cpus[0] = (struct hostile_cpu){ .index = 0, .state = AP_ONLINE };
    trap_set_handler(VEC_NMI, nmi_arrived);
    trap_set_handler(VEC_WAKE, wake_arrived);
    trap_set_handler(VEC_DEBUG, stray_debug);
    trap_set_unexpected(unexpected);
}

/* What an AP does from its first instruction on (smp.c's AP main). */
__attribute__((noreturn)) static void ap_main(void *arg);

void cpus_start_aps(void)
{
    cpus[0].apic_id = boot_info->bsp_apic_id;
    for (uint32_t i = 0; i < boot_info->cpu_count && cpu_total < HOSTILE_MAX_CPUS; i++) {
        if (boot_info->apic_ids[i] == boot_info->bsp_apic_id)
            continue;
        cpus[cpu_total] = (struct hostile_cpu){ .index = cpu_total,
                                                .apic_id = boot_info->apic_ids[i] };
        cpu_total++;
    }
    if (cpu_total == 1)
        return;
    const char *why = smp_prepare(ap_main);
    if (why != NULL) {
        say("application processors not started: %s", why);
        return;
    }
    /* One that does not come up says why and stays AP_OFF. */
    for (unsigned i = 1; i < cpu_total; i++)
        smp_start_ap(i, cpus[i].apic_id, &cpus[i], &cpus[i].state);
}

/* ---- commands ---------------------------------------------------------- */

void ap_post(struct hostile_cpu *cpu, enum ap_command command)
{
    /* Sequentially consistent: the command and its parameters are visible
     * before the IPI (a WRMSR to the x2APIC ICR is not serializing). */
    __atomic_store_n(&cpu->command, command, __ATOMIC_SEQ_CST);
    lapic_send_ipi(cpu->apic_id, ICR_DELIVERY_FIXED | VEC_WAKE);
}

bool ap_wait_idle(const struct hostile_cpu *cpu, uint64_t timeout_us)
{
    uint64_t deadline = tsc_deadline_us(timeout_us);

    while (__atomic_load_n(&cpu->command, __ATOMIC_ACQUIRE) != AP_CMD_NONE) {
        if (tsc_expired(deadline))
            return false;
        cpu_relax();
    }
    return true;
}

bool ap_run(struct hostile_cpu *cpu, void (*fn)(struct outcome *o), struct outcome *o,
            uint64_t timeout_us)
{
    cpu->run_case = fn;
    cpu->run_outcome = o;
    ap_post(cpu, AP_CMD_RUN_CASE);
    if (ap_wait_idle(cpu, timeout_us))
        return true;
    not_refused(o, "cpu %u did not finish its part within %lu ms", cpu->apic_id,
                timeout_us / 1000);
    return false;
}

struct hostile_cpu *ap_helper(unsigned nth, bool from_end)
{
    for (unsigned k = 1; k < cpu_total; k++) {
        struct hostile_cpu *cpu = &cpus[from_end ? cpu_total - k : k];
        if (cpu_online(cpu) && nth-- == 0)
            return cpu;
    }
    return NULL;
}

static void carry_out(struct hostile_cpu *cpu, enum ap_command command)
{
    switch (command) {
    case AP_CMD_PER_CPU_CASES:
        run_per_cpu_cases(cpu);
        break;
    case AP_CMD_RUN_CASE:
        cpu->run_case(cpu->run_outcome);
        break;
    case AP_CMD_NMI_FLOOD:
        nmi_flood(cpu);
        break;
    case AP_CMD_INIT_FLOOD:
        init_flood(cpu);
        break;
    case AP_CMD_DB_LOOP:
        db_loop_enter(cpu);
        break;
    case AP_CMD_NONE:
        break;
    }
}

static void ap_main(void *arg)
{
    struct hostile_cpu *cpu = arg;

    cpu_tables_load(cpu->index);
    idt_load();
    if (this_cpu() != cpu) {
        /* The trampoline handed over another CPU's stack: nothing here can
         * be trusted, and the BSP will find this AP not online. */
        say("cpu %u stopped: started on another CPU's stack", cpu->apic_id);
        cpu_stop();
    }
    lapic_init_cpu();
    __atomic_store_n(&cpu->state, AP_ONLINE, __ATOMIC_RELEASE);
    for (;;) {
        irq_disable();
        enum ap_command command = __atomic_load_n(&cpu->command, __ATOMIC_ACQUIRE);
        if (command == AP_CMD_NONE) {
            /* STI's one-instruction shadow: a wake-up that arrived since the
             * load is taken after HLT starts, and ends it. */
            __asm__ volatile("sti\n\thlt\n\tcli" ::: "memory");
            continue;
        }
        carry_out(cpu, command);
        __atomic_store_n(&cpu->command, AP_CMD_NONE, __ATOMIC_RELEASE);
    }
}
