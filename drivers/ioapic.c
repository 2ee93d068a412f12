/* I/O APIC register access (see ioapic.h). */
#include "drivers/ioapic.h"

#define VERSION_MAX_REDIR_SHIFT 16
#define VERSION_MAX_REDIR_MASK  0xffu

static volatile uint32_t *reg(uint64_t base, uint32_t offset)
{
    return (volatile uint32_t *)(base + offset);
}

void ioapic_mmio_write(uint64_t base, uint32_t offset, uint32_t value)
{
    *reg(base, offset) = value;
}

uint32_t ioapic_mmio_read(uint64_t base, uint32_t offset)
{
    return *reg(base, offset);
}

uint32_t ioapic_read(uint64_t base, uint32_t index)
{
    ioapic_mmio_write(base, IOAPIC_IOREGSEL, index);
    return ioapic_mmio_read(base, IOAPIC_IOWIN);
}

unsigned ioapic_entries(uint64_t base)
{
    uint32_t version = ioapic_read(base, IOAPIC_REG_VERSION);
    return ((version >> VERSION_MAX_REDIR_SHIFT) & VERSION_MAX_REDIR_MASK) + 1;
}
