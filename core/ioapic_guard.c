/* I/O APIC mediation (see ioapic_guard.h). */
#include "core/ioapic_guard.h"
#include "drivers/ioapic.h"
#include "drivers/lapic.h"

#define IOREGSEL_INDEX_MASK 0xffu
#define PAGE_MASK_4K        (~0xfffull)

bool ioapic_guard_add(struct ioapic_guard *g, uint64_t base)
{
    if (g->count >= IOAPIC_GUARD_MAX)
        return false;
    struct ioapic_chip *c = &g->chips[g->count++];
    *c = (struct ioapic_chip){ .base = base, .select = 0, .entries = ioapic_entries(base) };
    return true;
}

int ioapic_guard_find(const struct ioapic_guard *g, uint64_t gpa)
{
    for (unsigned i = 0; i < g->count; i++) {
        if ((gpa & PAGE_MASK_4K) == (g->chips[i].base & PAGE_MASK_4K))
            return (int)i;
    }
    return -1;
}

/* The redirection-entry register IOWIN reaches now (index = IOREGSEL),
 * as entry number and half; false for the other registers. */
static bool redirection_half(const struct ioapic_chip *c, uint32_t index, unsigned *entry,
                             bool *high)
{
    if (index < IOAPIC_REG_REDIR_FIRST || index >= IOAPIC_REG_REDIR_FIRST + 2 * c->entries)
        return false;
    *entry = (index - IOAPIC_REG_REDIR_FIRST) / 2;
    *high = (index - IOAPIC_REG_REDIR_FIRST) % 2 != 0;
    return true;
}

/* IOWIN write with the lock held. */
static void window_write(struct ioapic_chip *c, uint32_t value, const struct apic_guard *apic,
                         const struct apic_sender *s)
{
    uint32_t index = c->select & IOREGSEL_INDEX_MASK;
    unsigned entry;
    bool high;

    if (redirection_half(c, index, &entry, &high)) {
        uint32_t other = ioapic_read(c->base, index ^ 1);
        ioapic_mmio_write(c->base, IOAPIC_IOREGSEL, c->select);   /* the guest's again */
        uint64_t rte = high ? ((uint64_t)value << 32) | other : ((uint64_t)other << 32) | value;
        struct apic_guest guest = apic_guard_guest(apic);
        const char *why = ioapic_rte_problem(rte, lapic_in_x2apic_mode(), &guest);
        if (why) {
            refusal_warn(s->refusals, REFUSAL_IOAPIC, s->apic_id,
                         "guest I/O APIC entry refused: I/O APIC %#llx pin %u = %#llx: %s",
                         (unsigned long long)c->base, entry, (unsigned long long)rte, why);
            return;
        }
    }
    ioapic_mmio_write(c->base, IOAPIC_IOWIN, value);
}

void ioapic_guard_write(struct ioapic_guard *g, unsigned chip, uint32_t offset, uint32_t value,
                        const struct apic_guard *apic, const struct apic_sender *s)
{
    if (chip >= g->count)
        return;
    struct ioapic_chip *c = &g->chips[chip];
    uint64_t flags = spin_lock_irqsave(&c->lock);
    switch (offset) {
    case IOAPIC_IOREGSEL:
        c->select = value;
        ioapic_mmio_write(c->base, IOAPIC_IOREGSEL, value);
        break;
    case IOAPIC_IOWIN:
        window_write(c, value, apic, s);
        break;
    case IOAPIC_EOI:
        ioapic_mmio_write(c->base, IOAPIC_EOI, value);
        break;
    default:
        break;                    /* no register there: the chip ignores it */
    }
    spin_unlock_irqrestore(&c->lock, flags);
}
