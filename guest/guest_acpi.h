/* The ACPI tables Kestrel gives a guest, and the virtual PM registers behind them. */
#ifndef KESTREL_GUEST_ACPI_H
#define KESTREL_GUEST_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include "mm/frames.h"
#include "core/vm.h"

/* The guest's ACPI tables, in guest RAM below 4 GiB, and Kestrel's
 * intercepts on the PM1a control and reset registers their FADT names,
 * from the survey of the firmware's tables made at boot (vm->fw_acpi):
 *   the firmware has usable tables: the firmware's tables under a new
 *     RSDP and XSDT, with a MADT of the VM's vCPUs (lib/acpi_passthrough.h);
 *   it has none, or they are unusable (a warning says why): Kestrel's own
 *     RSDP, XSDT, FADT, FACS, DSDT (\_S5) and MADT, on emulated PM
 *     registers (lib/acpi_build.h).
 * Logs which ("kestrel: guest acpi: ...").  *rsdp = the RSDP's
 * guest-physical address, *size = the page-rounded size of what Kestrel
 * wrote (to reserve in the guest's memory map). */
bool guest_acpi_build(struct vm *vm, struct frame_pool *guest, uint64_t *rsdp, uint64_t *size,
                      const char **why);

#endif
