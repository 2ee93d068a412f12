/*
 * What happens on each vector (isr.asm lands here):
 *   - an exception while a probe is armed (probe.h): recorded, and the CPU
 *     resumes right after the probed instruction;
 *   - the LAPIC timer: counted and acknowledged;
 *   - the spurious vector: nothing (the SDM says no EOI);
 *   - anything else is unexpected: one line, the running check fails, and
 *     the CPU goes on with the next check (an exception abandons the
 *     check through check_abort; an interrupt or NMI just returns).  An
 *     exception outside any check leaves nothing to resume: the CPU stops.
 */
#include "guest/selftest/lapic.h"
#include "guest/selftest/selftest.h"
#include "guest/selftest/serial.h"
#include "kernel/x86.h"

#define VEC_NMI            2
#define VEC_PAGE_FAULT     14
#define FIRST_INTERRUPT    32
#define RFLAGS_IF          (1ull << 9)

/* Layout pushed by isr.asm: registers (r15 lowest), then the stub's two
 * words, then what the CPU pushed. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

static const char *const exception_names[FIRST_INTERRUPT] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
    "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "reserved",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "reserved", "reserved",
    "reserved", "reserved", "reserved", "reserved", "#HV", "#VC", "#SX", "reserved",
};

static const char *vector_name(uint64_t vector)
{
    return vector < FIRST_INTERRUPT ? exception_names[vector] : "interrupt";
}

static void fail_running_check(struct cpu *cpu, const struct trap_frame *f, const char *what)
{
    if (cpu == NULL || cpu->running == NULL)
        return;
    check_fail(cpu->running, "unexpected %s %lu (%s) at 0x%lx", what, f->vector,
               vector_name(f->vector), f->rip);
}

static void expected_fault(struct cpu *cpu, struct trap_frame *f)
{
    struct fault_probe *p = &cpu->probe;

    p->vector = (int32_t)f->vector;
    p->error = f->error;
    p->rip = f->rip;
    f->rip = p->resume;
    p->resume = 0;
}

/* Leaves through check_abort (check_call.asm) on the stack check_call()
 * was called with; the abandoned check's frames are simply dropped. */
static void abandon_check(struct cpu *cpu, struct trap_frame *f)
{
    console_release_if_mine(cpu);
    f->rip = (uint64_t)check_abort;
    f->rsp = cpu->jmp.rsp;
    f->rdi = (uint64_t)&cpu->jmp;
    f->rflags &= ~RFLAGS_IF;
}

static void unexpected_exception(struct cpu *cpu, struct trap_frame *f)
{
    uint32_t apic = cpu != NULL ? cpu->apic_id : ~0u;

    if (f->vector == VEC_PAGE_FAULT)
        say("cpu %u unexpected exception %lu at 0x%lx (%s, error 0x%lx, cr2 0x%lx)", apic,
            f->vector, f->rip, vector_name(f->vector), f->error, read_cr2());
    else
        say("cpu %u unexpected exception %lu at 0x%lx (%s, error 0x%lx)", apic, f->vector,
            f->rip, vector_name(f->vector), f->error);
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

static void interrupt(struct cpu *cpu, struct trap_frame *f)
{
    if (f->vector == VEC_SPURIOUS)
        return;
    if (f->vector == VEC_LAPIC_TIMER && cpu != NULL) {
        __atomic_fetch_add(&cpu->timer_irqs, 1, __ATOMIC_RELAXED);
    } else {
        say("cpu %u unexpected interrupt %lu at 0x%lx", cpu != NULL ? cpu->apic_id : ~0u,
            f->vector, f->rip);
        fail_running_check(cpu, f, "interrupt");
    }
    lapic_eoi();
}

void trap_dispatch(struct trap_frame *f);

void trap_dispatch(struct trap_frame *f)
{
    struct cpu *cpu = this_cpu();

    if (f->vector >= FIRST_INTERRUPT) {
        interrupt(cpu, f);
        return;
    }
    if (cpu != NULL && f->vector != VEC_NMI && cpu->probe.resume != 0) {
        expected_fault(cpu, f);
        return;
    }
    unexpected_exception(cpu, f);
}
