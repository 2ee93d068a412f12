/*
 * I/O APIC register access (Intel 82093AA datasheet 3.0): an index register
 * IOREGSEL at the base and a data window IOWIN at base + 0x10, through
 * Kestrel's identity map of physical memory.  Callers serialize access to
 * one I/O APIC (the pair is not atomic).
 */
#ifndef KESTREL_DRIVERS_IOAPIC_H
#define KESTREL_DRIVERS_IOAPIC_H

#include <stdint.h>

#define IOAPIC_IOREGSEL        0x00
#define IOAPIC_IOWIN           0x10
#define IOAPIC_EOI             0x40     /* version 0x20 and later */
#define IOAPIC_MMIO_SIZE       0x1000

#define IOAPIC_REG_ID          0x00
#define IOAPIC_REG_VERSION     0x01
#define IOAPIC_REG_REDIR_FIRST 0x10     /* entry n: low dword 0x10 + 2n, high 0x11 + 2n */

/* A 32-bit MMIO register of the I/O APIC at base (IOREGSEL, IOWIN, EOI). */
void ioapic_mmio_write(uint64_t base, uint32_t offset, uint32_t value);
uint32_t ioapic_mmio_read(uint64_t base, uint32_t offset);

/* An indirect register: IOREGSEL = reg, then IOWIN. */
uint32_t ioapic_read(uint64_t base, uint32_t reg);

/* How many redirection entries the I/O APIC has (version register 23:16, + 1). */
unsigned ioapic_entries(uint64_t base);

#endif
