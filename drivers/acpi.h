/* ACPI tables from the firmware: only read, for cross-checks, here. */
#ifndef KESTREL_DRIVERS_ACPI_H
#define KESTREL_DRIVERS_ACPI_H

#include "bootinfo.h"

/* Compares the CPUs in the boot-info (from UEFI MP services) with the
 * enabled processors in the MADT, when the firmware has ACPI; logs what
 * differs.  MP services stays the authority: OVMF on Bochs has no ACPI. */
void acpi_crosscheck_cpus(const struct kestrel_bootinfo *bi);

#endif
