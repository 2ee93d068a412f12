/* Filling a vCPU's VMCS: host state, controls, and the guest's first state. */
#ifndef KESTREL_VMX_VMCS_INIT_H
#define KESTREL_VMX_VMCS_INIT_H

#include <stdbool.h>
#include <stdint.h>
#include "core/vm.h"

/* On the vCPU's own CPU: allocates, clears and loads its VMCS, then writes
 * host state and controls.  False (after logging why) on any failure. */
bool vmcs_create(struct vcpu *v);

/* After vmcs_create and the guest's first state: the fields written match
 * vmx/vmcs_init_list.c for this CPU's controls.  False after naming the
 * first field that does not. */
bool vmcs_init_verify(const struct vcpu *v);

/* Guest state: 64-bit mode (or, with e->mode32, 32-bit protected mode
 * with paging off), CPL 0, flat segments, interrupts off. */
void vmcs_guest_long_mode(const struct guest_entry *e);

/* Guest state as after INIT, waiting for a SIPI in the CPU (every AP
 * starts so where start-up is the hardware's). */
void vmcs_guest_wait_for_sipi(void);

/* Guest state as after INIT, active: the AP waits for its SIPI in Kestrel
 * (software start-up) and is entered only once it came. */
void vmcs_guest_init_state(void);

/* The SIPI arrived: real mode at vector << 12, running. */
void vmcs_guest_start_at_sipi(uint8_t vector);

/* Segment registers in VMCS order (SDM appendix B: ES, CS, SS, DS, FS,
 * GS, LDTR, TR), with their fields at a fixed stride. */
enum vmcs_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };
void vmcs_set_segment(enum vmcs_seg s, uint16_t selector, uint64_t base, uint32_t limit,
                      uint32_t access_rights);

#endif
