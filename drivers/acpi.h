/* ACPI tables from the firmware: only read, for cross-checks, here. */
#ifndef KESTREL_DRIVERS_ACPI_H
#define KESTREL_DRIVERS_ACPI_H

#include "bootinfo.h"

/* Compares the CPUs in the boot-info (from UEFI MP services) with the
 * enabled processors in the MADT, when the firmware has ACPI; logs what
 * differs.  MP services stays the authority: OVMF on Bochs has no ACPI. */
void acpi_crosscheck_cpus(const struct kestrel_bootinfo *bi);

#include <stdbool.h>
#include <stdint.h>

#define ACPI_IOAPICS_MAX          8
#define ACPI_DEFAULT_IOAPIC_BASE  0xfec00000ull

/* The interrupt and configuration hardware a guest's writes are mediated
 * at: the I/O APICs (the firmware MADT's, or the PC's default one when the
 * firmware has no tables) and the ECAM window of PCI segment 0 (MCFG). */
struct acpi_interrupt_hw {
    uint64_t ioapics[ACPI_IOAPICS_MAX];
    unsigned ioapic_count;
    bool     ecam;
    uint64_t ecam_base;
    uint8_t  ecam_start_bus, ecam_end_bus;
};
void acpi_interrupt_hw(const struct kestrel_bootinfo *bi, struct acpi_interrupt_hw *hw);

#endif
