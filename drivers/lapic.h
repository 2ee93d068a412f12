/*
 * Local APIC, in xAPIC (MMIO) or x2APIC (MSR) mode: the firmware's choice,
 * set on the BSP and used on every CPU; accesses follow the mode the CPU is
 * in, since a guest owns its LAPIC and may change it.
 */
#ifndef KESTREL_DRIVERS_LAPIC_H
#define KESTREL_DRIVERS_LAPIC_H

#include <stdint.h>
#include <stdbool.h>

/* Chooses the mode (the firmware's; x2APIC if some APIC ID exceeds 254), enables. */
void     lapic_init_bsp(uint32_t max_apic_id);
void     lapic_init_ap(void);         /* same mode on an AP */
bool     lapic_ready(void);
bool     lapic_is_x2apic(void);
uint32_t lapic_id(void);
void     lapic_eoi(void);

/* Inter-processor interrupts.  Each waits for the previous one to be
 * accepted (xAPIC delivery status) and returns false on a stuck ICR. */
bool lapic_send_init(uint32_t apic_id);
bool lapic_send_sipi(uint32_t apic_id, uint8_t vector_page);
bool lapic_send_nmi_all_but_self(void);
/* One IPI to a physical destination (dest: xAPIC ID or x2APIC ID), low =
 * ICR[31:0] as the caller built it (a guest's, once Kestrel's IPI mediation
 * allowed it: core/apic_guard.c).  Waits for the ICR to be free before,
 * not for the IPI to be accepted after. */
bool lapic_send_ipi_raw(uint32_t dest, uint32_t icr_low);

/* The mode this CPU's LAPIC is in now (a guest may switch it). */
bool lapic_in_x2apic_mode(void);
/* A 32-bit register of the xAPIC page at byte offset, through Kestrel's
 * mapping; only meaningful in xAPIC mode.  For the guest's mediated writes. */
void lapic_xapic_write(uint32_t offset, uint32_t value);
uint32_t lapic_xapic_read(uint32_t offset);

/* Leaves this CPU's local APIC as an INIT does (SDM vol. 3A 11.4.7.3):
 * every register at its power-up value except the ID, and the mode
 * (IA32_APIC_BASE) unchanged: nothing in service, TPR 0, LDR 0 and DFR all
 * ones (xAPIC), every LVT masked, the timer stopped, no error, the APIC
 * software-disabled (SVR 0xff).  What it cannot do: clear the IRR.  An
 * interrupt accepted before and not yet taken stays requested.  For a
 * guest's virtual INIT, on the vCPU's own CPU. */
void lapic_reset_as_init(void);

#endif
