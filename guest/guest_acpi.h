/* The ACPI tables Kestrel gives a guest, and the virtual PM registers behind them. */
#ifndef KESTREL_GUEST_ACPI_H
#define KESTREL_GUEST_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include "mm/frames.h"
#include "vmx/vcpu.h"

/* Builds RSDP, XSDT, FADT, FACS, DSDT (\_S5) and a MADT of the VM's vCPUs in
 * guest RAM below 4 GiB, and enables the virtual PM1a/reset registers the
 * FADT names.  *rsdp = the RSDP's guest-physical address, *size = the
 * page-rounded size of the blob (to reserve in the guest's memory map). */
bool guest_acpi_build(struct vm *vm, struct frame_pool *guest, uint64_t *rsdp, uint64_t *size,
                      const char **why);

#endif
