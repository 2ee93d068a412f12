/*
 * Local APIC, in x2APIC mode (MSRs) where the CPU has it, xAPIC (MMIO)
 * otherwise.  The mode is chosen once on the BSP and used on every CPU.
 */
#ifndef KESTREL_DRIVERS_LAPIC_H
#define KESTREL_DRIVERS_LAPIC_H

#include <stdint.h>
#include <stdbool.h>

void     lapic_init_bsp(void);        /* chooses the mode, enables */
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

#endif
