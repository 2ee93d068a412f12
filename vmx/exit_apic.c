/*
 * The guest's interrupt commands and I/O APIC writes, handed to the
 * backend-neutral mediation (core/apic_guard.c, core/ioapic_guard.c).
 */
#include "vmx/exit.h"
#include "core/apic_guard.h"

static struct apic_sender sender_of(struct vcpu *v)
{
    return (struct apic_sender){ v->slot, v->apic_id, &v->refusals };
}

bool exit_x2apic_icr_write(struct vcpu *v, uint64_t value)
{
    struct apic_sender s = sender_of(v);
    return apic_guard_x2apic_icr(&v->vm->apic, &s, value);
}
