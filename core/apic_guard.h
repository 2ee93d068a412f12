/*
 * Interrupt-command mediation: the guest owns its local APICs, but every
 * IPI it sends goes through Kestrel, which sends it itself and only to the
 * guest's own vCPUs (core/apic_dest.c decides).  Two ways in:
 *   x2APIC  a WRMSR to the ICR (MSR 0x830) exits (core/msr_policy.c);
 *   xAPIC   the APIC page is write-protected in the second-level tables, so
 *           every write to it exits; the backend decodes the store and hands
 *           the register and value here, and Kestrel performs it.
 * The xAPIC path also keeps what the guest wrote to its LDR and DFR (the
 * logical IDs IPIs are matched against) and to ICR[63:32].
 */
#ifndef KESTREL_CORE_APIC_GUARD_H
#define KESTREL_CORE_APIC_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include "core/apic_dest.h"
#include "core/refusal.h"

/* xAPIC register offsets in the APIC page (SDM vol. 3A table 11-1). */
#define XAPIC_ID           0x020
#define XAPIC_TPR          0x080
#define XAPIC_EOI          0x0b0
#define XAPIC_LDR          0x0d0
#define XAPIC_DFR          0x0e0
#define XAPIC_ICR_LOW      0x300
#define XAPIC_ICR_HIGH     0x310
#define XAPIC_PAGE_SIZE    0x1000
#define XAPIC_REG_STRIDE   0x10

#define XAPIC_DFR_RESET    0xffffffffu

struct apic_guard {
    unsigned count;
    uint32_t bsp_apic_id;
    struct apic_vcpu vcpus[APIC_GUEST_MAX];   /* by vCPU slot (the guest's CPU order) */
    uint32_t icr_high[APIC_GUEST_MAX];        /* xAPIC: the slot's last ICR[63:32] */
    /* Set where start-up is software's (vm->software_ap_start): an INIT or SIPI for a guest
     * vCPU goes to this hook, never to the hardware (an INIT would reset a
     * CPU that runs Kestrel). */
    void (*start_ipi)(void *ctx, unsigned slot, uint8_t delivery, uint8_t vector);
    void *start_ctx;
};

/* The guest's vCPUs, BSP first; LDR/DFR at their reset values. */
void apic_guard_init(struct apic_guard *g, const uint32_t *apic_ids, unsigned count);

/* The slot's vCPU took an INIT: its LDR and DFR are at their reset values
 * again (its LAPIC was reset to match), ICR[63:32] 0. */
void apic_guard_reset_vcpu(struct apic_guard *g, unsigned slot);

/* Who is asking: a vCPU's slot, APIC ID and refusal log. */
struct apic_sender {
    unsigned slot;
    uint32_t apic_id;
    struct refusal_log *refusals;
};

/* A WRMSR of value to the x2APIC ICR.  False: #GP for the guest (reserved
 * bits set, as the hardware would refuse them); true otherwise, whether the
 * IPI was sent, dropped or refused (a refused IPI has no effect). */
bool apic_guard_x2apic_icr(struct apic_guard *g, const struct apic_sender *s, uint64_t value);

/* A 32-bit write to the xAPIC page at byte offset (16-byte aligned register
 * offsets; anything else is dropped, as the APIC ignores it). */
void apic_guard_xapic_write(struct apic_guard *g, const struct apic_sender *s, uint32_t offset,
                            uint32_t value);

/* The guest's view for the I/O APIC checks. */
static inline struct apic_guest apic_guard_guest(const struct apic_guard *g)
{
    return (struct apic_guest){ g->count, g->vcpus, g->bsp_apic_id };
}

#endif
