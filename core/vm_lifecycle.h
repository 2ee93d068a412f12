/* Creating a guest, preparing and running its vCPUs (mechanism; guest/
 * decides what runs, the backend how it runs). */
#ifndef KESTREL_CORE_VM_LIFECYCLE_H
#define KESTREL_CORE_VM_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include "core/vm.h"
#include "core/backend.h"
#include "drivers/acpi.h"

struct vm_setup {
    bool hide_com2;                          /* console = com2: the guest finds no COM2 */
    const struct acpi_interrupt_hw *hw;      /* I/O APICs and ECAM to guard */
    const struct acpi_firmware *fw_acpi;     /* the firmware's tables, surveyed at boot */
    uint64_t framebuffer_base, framebuffer_size;  /* the GOP framebuffer (size 0: none):
                                                     mapped at boot wherever it lies */
    bool software_ap_start;                  /* APs start through Kestrel (vm->software_ap_start) */
};

/* On the BSP, before any vCPU runs: the guest's CPU view, the mediations
 * (IPIs, I/O APICs, MMIO, ports), the second-level identity map of `map`
 * (which already has Kestrel's memory marked MEM_HYPERVISOR), the isolation
 * canary (a hidden page), every vCPU's start-up state (the BSP running,
 * the APs waiting for a SIPI), then the backend's part.  vm->vcpu_count,
 * vm->apic_ids and vm->vcpus (with is_bsp and slot) are filled.  False
 * after logging why. */
bool vm_create(struct vm *vm, const struct backend_ops *ops, const char *name,
               const struct mem_region *map, size_t count, const struct vm_setup *setup);

/* Makes every port core/port_io.c intercepts exit (after the payload's
 * loader added the ports of its ACPI tables). */
void vm_intercept_ports(struct vm *vm);

/* On the vCPU's own CPU: its control structure; then either a start at
 * `entry` or waiting for the guest's start-up IPIs (entry == NULL). */
bool vcpu_prepare(struct vm *vm, struct vcpu *v, unsigned cpu_index, uint32_t apic_id, bool is_bsp,
                  const struct guest_entry *entry);

/* Runs the guest on this CPU until it ends (or this vCPU fails). */
void vcpu_run(struct vcpu *v);

#endif
