/* Write-protected MMIO pages (see mmio_guard.h). */
#include "core/mmio_guard.h"
#include "core/pci_guard.h"
#include "drivers/ioapic.h"
#include "drivers/lapic.h"

#define ECAM_FUNCTION_SHIFT 12
#define ECAM_DEVICE_SHIFT   15
#define ECAM_BUS_SHIFT      20
#define DWORD_MASK          (~3ull)

bool mmio_guard_add(struct mmio_guard *g, uint64_t gpa, enum mmio_kind kind, unsigned index)
{
    gpa &= ~(MMIO_PAGE_SIZE - 1);
    if (mmio_guard_find(g, gpa) || g->count >= MMIO_PAGES_MAX) {
        return false;
    }
    g->pages[g->count++] = (struct mmio_page){ gpa, kind, index };
    return true;
}

void mmio_guard_add_ecam(struct mmio_guard *g, uint64_t base, uint8_t start_bus, uint8_t end_bus,
                         const struct port_guard_state *ports)
{
    g->ecam = true;
    g->ecam_base = base;
    g->ecam_start_bus = start_bus;
    g->ecam_end_bus = end_bus;
    for (unsigned i = 0; i < ports->locked_count; i++) {
        const struct pci_locked_reg *r = &ports->locked[i];
        if (r->bus < start_bus || r->bus > end_bus) {
            continue;
        }
        uint64_t page = base + ((uint64_t)r->bus << ECAM_BUS_SHIFT) +
                        ((uint64_t)r->dev << ECAM_DEVICE_SHIFT) +
                        ((uint64_t)r->fn << ECAM_FUNCTION_SHIFT);
        mmio_guard_add(g, page, MMIO_ECAM, 0);
    }
}

const struct mmio_page *mmio_guard_find(const struct mmio_guard *g, uint64_t gpa)
{
    gpa &= ~(MMIO_PAGE_SIZE - 1);
    for (unsigned i = 0; i < g->count; i++) {
        if (g->pages[i].gpa == gpa) {
            return &g->pages[i];
        }
    }
    return 0;
}

/* An ECAM write through Kestrel's own mapping of the window. */
static void ecam_store(uint64_t gpa, unsigned size, uint32_t value)
{
    if (size == 1) {
        *(volatile uint8_t *)gpa = (uint8_t)value;
    } else if (size == 2) {
        *(volatile uint16_t *)gpa = (uint16_t)value;
    } else {
        *(volatile uint32_t *)gpa = value;
    }
}

static uint32_t ecam_load(uint64_t gpa, unsigned size)
{
    if (size == 1) {
        return *(volatile uint8_t *)gpa;
    }
    if (size == 2) {
        return *(volatile uint16_t *)gpa;
    }
    return *(volatile uint32_t *)gpa;
}

static bool ecam_write(struct mmio_guard *g, const struct mmio_targets *t,
                       const struct apic_sender *s, uint64_t gpa, unsigned size, uint32_t value,
                       bool exchange, uint64_t *old)
{
    struct pci_addr a;
    if (size > 4 || (gpa & (size - 1)) ||
        !pci_ecam_target(g->ecam_base, g->ecam_start_bus, g->ecam_end_bus, gpa, &a)) {
        return false;
    }
    uint64_t flags = spin_lock_irqsave(&g->ecam_lock);
    uint32_t current = *(volatile uint32_t *)(gpa & DWORD_MASK);
    const char *what = pci_config_write_problem(t->ports->locked, t->ports->locked_count, a, size,
                                                value, current);
    if (exchange) {
        *old = ecam_load(gpa, size);
    }
    if (what) {
        refusal_warn(s->refusals, REFUSAL_PCI_CONFIG, s->apic_id,
                     "guest PCI configuration write (ECAM) refused: %02x:%02x.%x offset %#x = "
                     "%#x (%u bytes) would change %s", a.bus, a.dev, a.fn, a.offset, value, size,
                     what);
    } else {
        ecam_store(gpa, size, value);
    }
    spin_unlock_irqrestore(&g->ecam_lock, flags);
    return true;
}

bool mmio_guard_write(struct mmio_guard *g, const struct mmio_targets *t, const struct mmio_page *p,
                      const struct apic_sender *s, uint64_t gpa, unsigned size, uint64_t value,
                      bool exchange, uint64_t *old)
{
    uint32_t offset = (uint32_t)(gpa - p->gpa);
    if (offset + size > MMIO_PAGE_SIZE) {
        return false;
    }
    *old = 0;
    switch (p->kind) {
    case MMIO_XAPIC:
        /* APIC registers are 32 bits wide at 16-byte offsets (SDM 11.4.1);
         * other accesses are undefined: not performed. */
        if (size != 4) {
            return false;
        }
        if (exchange) {
            *old = lapic_xapic_read(offset & ~0xfu);
        }
        apic_guard_xapic_write(t->apic, s, offset, (uint32_t)value);
        return true;
    case MMIO_IOAPIC:
        if (size != 4 && !(size == 1 && offset == IOAPIC_IOREGSEL)) {
            return false;
        }
        if (exchange) {
            *old = ioapic_mmio_read(t->ioapic->chips[p->index].base, offset);
        }
        ioapic_guard_write(t->ioapic, p->index, offset, (uint32_t)value, t->apic, s);
        return true;
    case MMIO_ECAM:
        return ecam_write(g, t, s, gpa, size, (uint32_t)value, exchange, old);
    }
    return false;
}
