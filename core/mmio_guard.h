/*
 * The MMIO pages a guest may read but not write directly: the local APIC's
 * (its ICR is mediated: core/apic_guard.c), each I/O APIC's
 * (core/ioapic_guard.c) and the ECAM pages of the PCI functions whose
 * configuration registers are locked (core/pci_guard.c).  The second-level
 * tables map them read-only; a store there exits, the backend decodes it
 * (core/insn_decode.c) and hands it here, and Kestrel performs it or not.
 */
#ifndef KESTREL_CORE_MMIO_GUARD_H
#define KESTREL_CORE_MMIO_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include "core/apic_guard.h"
#include "core/ioapic_guard.h"
#include "core/port_io.h"

#define MMIO_PAGES_MAX (2 + IOAPIC_GUARD_MAX + PM_LOCKED_REGS_MAX)
#define MMIO_PAGE_SIZE 0x1000ull

enum mmio_kind { MMIO_XAPIC, MMIO_IOAPIC, MMIO_ECAM };

struct mmio_page {
    uint64_t gpa;              /* page-aligned */
    enum mmio_kind kind;
    unsigned index;            /* MMIO_IOAPIC: the chip */
};

struct mmio_guard {
    unsigned count;
    struct mmio_page pages[MMIO_PAGES_MAX];
    bool     ecam;
    uint64_t ecam_base;
    uint8_t  ecam_start_bus, ecam_end_bus;
    struct spinlock ecam_lock;
};

/* The devices the writes go to. */
struct mmio_targets {
    struct apic_guard *apic;
    struct ioapic_guard *ioapic;
    struct port_guard_state *ports;   /* the locked PCI registers */
};

/* Adds a page (false when full or already there). */
bool mmio_guard_add(struct mmio_guard *g, uint64_t gpa, enum mmio_kind kind, unsigned index);

/* The ECAM pages of the functions with locked registers (with the window). */
void mmio_guard_add_ecam(struct mmio_guard *g, uint64_t base, uint8_t start_bus, uint8_t end_bus,
                         const struct port_guard_state *ports);

/* The guarded page holding gpa, or NULL. */
const struct mmio_page *mmio_guard_find(const struct mmio_guard *g, uint64_t gpa);

/* A decoded store of size bytes (1, 2, 4, 8) of value at gpa (inside page
 * p) by vCPU s.  For an exchange *old gets what the register held.  False:
 * the access is not one Kestrel performs (crossing the page, or a size the
 * device does not take): the caller refuses it. */
bool mmio_guard_write(struct mmio_guard *g, const struct mmio_targets *t, const struct mmio_page *p,
                      const struct apic_sender *s, uint64_t gpa, unsigned size, uint64_t value,
                      bool exchange, uint64_t *old);

#endif
