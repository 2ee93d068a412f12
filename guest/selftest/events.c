/*
 * The self-test's answer to events the common dispatcher (guest/common/
 * trap.c) does not settle itself (probed faults and the spurious vector
 * it does):
 *   - the LAPIC timer: counted and acknowledged;
 *   - anything else is unexpected: one line, the running check fails, and
 *     the CPU goes on with the next check (an exception abandons the
 *     check through check_abort; an interrupt or NMI just returns).  An
 *     exception outside any check leaves nothing to resume: the CPU stops.
 */
#include "guest/common/lapic.h"
#include "guest/common/serial.h"
#include "guest/common/trap.h"
#include "guest/selftest/selftest.h"
#include "kernel/x86.h"

static void fail_running_check(struct cpu *cpu, const struct trap_frame *f, const char *what)
{
    if (cpu == NULL || cpu->running == NULL)
        return;
    check_fail(cpu->running, "unexpected %s %lu (%s) at 0x%lx", what, f->vector,
               trap_vector_name(f->vector), f->rip);
}

/* Leaves through check_abort (check_call.asm) on the stack check_call()
 * was called with; the abandoned check's frames are simply dropped. */
static void abandon_check(struct cpu *cpu, struct trap_frame *f)
{
    console_release_if_mine();
    f->rip = (uint64_t)check_abort;
    f->rsp = cpu->jmp.rsp;
    f->rdi = (uint64_t)&cpu->jmp;
    f->rflags &= ~RFLAGS_IF;
}

static void unexpected(struct trap_frame *f)
{
    struct cpu *cpu = this_cpu();
    uint32_t apic = cpu != NULL ? cpu->apic_id : ~0u;

    if (f->vector >= FIRST_INTERRUPT) {
        say("cpu %u unexpected interrupt %lu at 0x%lx", apic, f->vector, f->rip);
        fail_running_check(cpu, f, "interrupt");
        lapic_eoi();
        return;
    }
    trap_say_exception(f, apic);
    fail_running_check(cpu, f, "exception");

    if (f->vector == VEC_NMI)
        return;   /* not a fault: the interrupted code is intact */
    if (cpu != NULL && cpu->running != NULL) {
        abandon_check(cpu, f);
        return;
    }
    say("cpu %u stopped: the exception hit outside a check", apic);
    cpu_stop();
}

static void lapic_timer(struct trap_frame *f)
{
    struct cpu *cpu = this_cpu();

    if (cpu == NULL) {
        unexpected(f);
        return;
    }
    __atomic_fetch_add(&cpu->timer_irqs, 1, __ATOMIC_RELAXED);
    lapic_eoi();
}

void selftest_traps_install(void)
{
    trap_set_handler(VEC_LAPIC_TIMER, lapic_timer);
    trap_set_unexpected(unexpected);
}
