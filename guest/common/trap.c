/*
 * The trap dispatcher (see trap.h).
 */
#include <stddef.h>

#include "guest/common/boot_info.h"
#include "guest/common/cpu.h"
#include "guest/common/gdt.h"
#include "guest/common/hypercall.h"
#include "guest/common/idt.h"
#include "guest/common/lapic.h"
#include "guest/common/probe.h"
#include "guest/common/serial.h"
#include "guest/common/trap.h"
#include "kernel/x86.h"

static trap_handler handlers[IDT_VECTORS];
static trap_handler unexpected = trap_unexpected_default;

static const char *const exception_names[FIRST_INTERRUPT] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
    "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "reserved",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "reserved", "reserved",
    "reserved", "reserved", "reserved", "reserved", "#HV", "#VC", "#SX", "reserved",
};

void trap_set_handler(unsigned vector, trap_handler fn)
{
    if (vector < IDT_VECTORS)
        handlers[vector] = fn;
}

void trap_set_unexpected(trap_handler fn)
{
    unexpected = fn != NULL ? fn : trap_unexpected_default;
}

const char *trap_vector_name(uint64_t vector)
{
    return vector < FIRST_INTERRUPT ? exception_names[vector] : "interrupt";
}

void trap_say_exception(const struct trap_frame *f, uint32_t apic_id)
{
    if (f->vector == VEC_PAGE_FAULT)
        say("cpu %u unexpected exception %lu at 0x%lx (%s, error 0x%lx, cr2 0x%lx)", apic_id,
            f->vector, f->rip, trap_vector_name(f->vector), f->error, read_cr2());
    else
        say("cpu %u unexpected exception %lu at 0x%lx (%s, error 0x%lx)", apic_id, f->vector,
            f->rip, trap_vector_name(f->vector), f->error);
}

void trap_unexpected_default(struct trap_frame *f)
{
    uint32_t apic = cpu_index() == 0 && boot_info != NULL ? boot_info->bsp_apic_id : ~0u;

    if (f->vector >= FIRST_INTERRUPT) {
        say("cpu %u unexpected interrupt %lu at 0x%lx", apic, f->vector, f->rip);
        if (boot_info != NULL)   /* the LAPIC's mode is known only from the boot info */
            lapic_eoi();
        return;
    }
    trap_say_exception(f, apic);
    if (f->vector == VEC_NMI)
        return;   /* not a fault: the interrupted code is intact */
    say("cpu %u stopped: nothing to resume after the exception", apic);
    guest_power_off();
}

/* Records the fault and resumes where the probe said; a fault raised in
 * ring 3 comes back to ring 0 on the probe's stack. */
static void expected_fault(struct fault_probe *p, struct trap_frame *f)
{
    p->vector = (int32_t)f->vector;
    p->error = f->error;
    p->rip = f->rip;
    p->cs = f->cs;
    f->rip = p->resume;
    if (p->resume_rsp != 0) {
        f->cs = GDT_CODE64;
        f->ss = GDT_DATA;
        f->rsp = p->resume_rsp;
    }
    p->resume = 0;
    p->resume_rsp = 0;
}

void trap_dispatch(struct trap_frame *f);

void trap_dispatch(struct trap_frame *f)
{
    if (f->vector < FIRST_INTERRUPT && f->vector != VEC_NMI) {
        struct fault_probe *p = this_probe();
        if (p != NULL && p->resume != 0) {
            expected_fault(p, f);
            return;
        }
    }
    if (f->vector == VEC_SPURIOUS)
        return;
    trap_handler h = handlers[f->vector];
    (h != NULL ? h : unexpected)(f);
}
