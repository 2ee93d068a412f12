/*
 * I/O APIC mediation: each I/O APIC's page is write-protected in the
 * second-level tables; the backend decodes every store to it and hands it
 * here.  IOREGSEL writes are performed (and remembered); an IOWIN write to a
 * redirection entry is judged whole, the other half read from the chip, by
 * ioapic_rte_problem() (core/apic_dest.c): entries that would deliver INIT,
 * SMI or NMI, or reach an APIC ID outside the guest, are refused (the entry
 * keeps its value).  Other registers are written as they are.
 */
#ifndef KESTREL_CORE_IOAPIC_GUARD_H
#define KESTREL_CORE_IOAPIC_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include "core/apic_guard.h"
#include "kernel/spinlock.h"

#define IOAPIC_GUARD_MAX 8

struct ioapic_chip {
    uint64_t base;
    uint32_t select;           /* IOREGSEL as the guest last wrote it */
    unsigned entries;
    struct spinlock lock;      /* IOREGSEL + IOWIN is not atomic */
};

struct ioapic_guard {
    unsigned count;
    struct ioapic_chip chips[IOAPIC_GUARD_MAX];
};

/* Adds the I/O APIC at base (false when the table is full). */
bool ioapic_guard_add(struct ioapic_guard *g, uint64_t base);

/* The chip whose register page holds gpa, or -1. */
int ioapic_guard_find(const struct ioapic_guard *g, uint64_t gpa);

/* A 32-bit write at byte offset of chip's page by the vCPU s. */
void ioapic_guard_write(struct ioapic_guard *g, unsigned chip, uint32_t offset, uint32_t value,
                        const struct apic_guard *apic, const struct apic_sender *s);

#endif
