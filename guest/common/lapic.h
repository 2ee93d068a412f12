/*
 * The guest's own local APIC, in the mode the boot info says: x2APIC
 * through MSRs 0x800 + offset / 16, xAPIC through MMIO at lapic_base
 * (SDM vol. 3A ch. 11).  A CPU may switch its own LAPIC to x2APIC mode
 * (lapic_enter_x2apic); there is no way back here: leaving x2APIC mode
 * means disabling the LAPIC, which Bochs cannot enable again.
 */
#ifndef KESTREL_GUEST_COMMON_LAPIC_H
#define KESTREL_GUEST_COMMON_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets in the xAPIC page. */
#define LAPIC_ID            0x020
#define LAPIC_TPR           0x080
#define LAPIC_EOI           0x0b0
#define LAPIC_SVR           0x0f0
#define LAPIC_ICR_LOW       0x300
#define LAPIC_ICR_HIGH      0x310
#define LAPIC_LVT_TIMER     0x320
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE  0x3e0

/* The spurious-interrupt vector every guest programs (trap.c ignores it). */
#define VEC_SPURIOUS 0xff

#define LAPIC_SVR_ENABLE     (1u << 8)    /* APIC software enable */
#define LAPIC_LVT_MASKED     (1u << 16)
#define LAPIC_LVT_ONE_SHOT   (0u << 17)   /* timer mode bits 18:17 */
#define LAPIC_DIVIDE_BY_1    0xbu         /* divide configuration 1011b */

#define ICR_DELIVERY_FIXED   (0u << 8)
#define ICR_DELIVERY_INIT    (5u << 8)
#define ICR_DELIVERY_STARTUP (6u << 8)
#define ICR_DELIVERY_PENDING (1u << 12)   /* xAPIC only: not yet accepted */
#define ICR_LEVEL_ASSERT     (1u << 14)

uint32_t lapic_read(uint32_t reg);
void     lapic_write(uint32_t reg, uint32_t value);
/* Per CPU: software-enable with the spurious vector, accept all priorities. */
void     lapic_init_cpu(void);
void     lapic_eoi(void);
uint32_t lapic_id(void);
/* Sends icr_low to the APIC ID dest; false if an xAPIC never accepted it. */
bool     lapic_send_ipi(uint32_t dest, uint32_t icr_low);
/* This CPU's LAPIC in x2APIC mode from now on (SDM vol. 3A 11.12.5: from
 * xAPIC mode one WRMSR of IA32_APIC_BASE adding EXTD); NULL, or why not.
 * The other functions here then use its MSRs on this CPU. */
const char *lapic_enter_x2apic(void);

#endif
