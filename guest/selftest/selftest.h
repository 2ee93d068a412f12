/*
 * The built-in self-test guest: per-CPU state and the pieces the files of
 * guest/selftest/ share.  The image runs inside the VM on every vCPU and
 * checks what the hypervisor shows it (contract: guest/guest_image.h); the
 * runtime it stands on (console, GDT/IDT, traps, probes, LAPIC, TSC,
 * hypercalls) is guest/common/.
 */
#ifndef KESTREL_GUEST_SELFTEST_H
#define KESTREL_GUEST_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/common/boot_info.h"
#include "guest/common/cpu.h"
#include "guest/common/smp.h"

#define SELFTEST_MAX_CPUS      GUEST_MAX_CPUS
#define SELFTEST_AP_STACK_SIZE 4096        /* the deepest path (check, fault, print) needs < 2 KiB (-fstack-usage) */

/* The vector the guest programs its LAPIC timer with (the timer check). */
#define VEC_LAPIC_TIMER 0x40

/* The start-up states of guest/common/smp.h, then this guest's own. */
enum cpu_state {
    CPU_OFF = AP_OFF,             /* not started, or did not answer INIT-SIPI-SIPI */
    CPU_STARTING = AP_STARTING,   /* INIT-SIPI-SIPI sent */
    CPU_ONLINE = AP_ONLINE,       /* off the trampoline, on its own GDT/IDT/stack */
    CPU_DONE,                     /* all checks run; results final */
};

/* Callee-saved registers and RSP at check_call() (check_call.asm offsets). */
struct check_jmp {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp;
};
_Static_assert(offsetof(struct check_jmp, rsp) == 48, "check_call.asm stores RSP at +48");

/* The check running on a CPU: its verdict and the first failure's words. */
struct check_run {
    struct cpu *cpu;
    const char *name;
    bool        failed;
    char        detail[112];
};

struct cpu {
    uint32_t           index;        /* 0 = the BSP, then the order of boot_info->apic_ids */
    uint32_t           apic_id;      /* as the boot info lists it */
    uint32_t           state;        /* enum cpu_state; __atomic accesses */
    struct check_jmp   jmp;          /* where an unexpected exception abandons the running check */
    struct check_run  *running;      /* NULL outside a check */
    uint64_t           timer_irqs;   /* LAPIC timer interrupts taken; __atomic accesses */
    uint32_t           checks_run;
    uint32_t           checks_passed;
    uint32_t           failed_mask;  /* bit i: check i failed */
};

extern struct cpu cpus[SELFTEST_MAX_CPUS];
extern unsigned cpu_total;

/* The APs' stacks (main.c), registered with guest/common/cpu.c: AP stack i
 * belongs to cpus[i], and a CPU is identified by the stack it runs on. */
extern uint8_t ap_stacks[SELFTEST_MAX_CPUS][SELFTEST_AP_STACK_SIZE];

static inline struct cpu *this_cpu(void)
{
    int i = cpu_index();

    return i != CPU_UNKNOWN ? &cpus[i] : NULL;
}

/* main.c: where guest/common/smp.c starts each AP (arg: its struct cpu). */
__attribute__((noreturn)) void selftest_ap_main(void *arg);
extern uint64_t probe_va;              /* where every CPU reads hypervisor_probe; 0: unusable */
extern const char *probe_unusable_why;
extern uint64_t high_pa, high_va;      /* the top 2 MiB of the address space (check high-mmio) */
extern const char *high_unusable_why;

/* events.c: the timer vector and unexpected events, which fail the running check. */
void selftest_traps_install(void);

/* checks.c */
unsigned    check_count(void);
const char *check_name(unsigned i);
void        checks_run_all(struct cpu *cpu);
void        check_fail(struct check_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* check_call.asm: runs fn(run) and returns 0, or 1 when events.c abandoned
 * it after an unexpected exception (it then re-enters check_abort). */
int  check_call(struct check_jmp *jmp, void (*fn)(struct check_run *), struct check_run *run);
void check_abort(void);

#endif
