/* Creating a guest and running its vCPUs (mechanism; guest/ decides what runs). */
#ifndef KESTREL_VMX_VM_H
#define KESTREL_VMX_VM_H

#include <stdbool.h>
#include <stddef.h>
#include "vmx/vcpu.h"
#include "vmx/vmcs_init.h"
#include "drivers/acpi.h"

/* On the BSP, before any vCPU exists: MSR and I/O bitmaps, the EPT (identity
 * map of `map`, which already has Kestrel's memory marked MEM_HYPERVISOR),
 * the isolation canary (a hidden page).  False after logging why. */
struct vm_setup {
    bool hide_com2;                          /* console = com2: the guest finds no COM2 */
    const struct acpi_interrupt_hw *hw;      /* I/O APICs and ECAM to guard */
};
bool vm_create(struct vm *vm, const char *name, const struct mem_region *map, size_t count,
               const struct vm_setup *setup);

/* Sets the I/O bitmap bits of every port core/port_io.c intercepts (after
 * the payload's loader added the ports of its ACPI tables). */
void vm_intercept_ports(struct vm *vm);

/* On the vCPU's own CPU: its VMCS (host state, controls); then either a
 * 64-bit start (entry != NULL) or wait-for-SIPI (entry == NULL). */
bool vcpu_prepare(struct vm *vm, struct vcpu *v, unsigned cpu_index, uint32_t apic_id, bool is_bsp,
                  const struct guest_entry *entry);

/* Runs the guest on this CPU until it ends (or this vCPU fails). */
void vcpu_run(struct vcpu *v);

/* After the guest ended: "kestrel: exits cpu<apic-id> total=<n> <reason>=<count> ..." per vCPU. */
void vm_log_all_exit_stats(const struct vm *vm);
void vm_log_exit_stats(const struct vcpu *v);

uint64_t vm_canary_pattern(unsigned i);

#endif
