/* Interrupt-command mediation (see apic_guard.h). */
#include "core/apic_guard.h"
#include "drivers/lapic.h"

#define XAPIC_DEST_SHIFT   24

void apic_guard_init(struct apic_guard *g, const uint32_t *apic_ids, unsigned count)
{
    if (count > APIC_GUEST_MAX)
        count = APIC_GUEST_MAX;
    g->count = count;
    g->bsp_apic_id = count ? apic_ids[0] : 0;
    for (unsigned i = 0; i < count; i++) {
        g->vcpus[i] = (struct apic_vcpu){ .apic_id = apic_ids[i], .ldr = 0,
                                          .dfr = XAPIC_DFR_RESET };
        g->icr_high[i] = 0;
    }
}

void apic_guard_reset_vcpu(struct apic_guard *g, unsigned slot)
{
    if (slot >= g->count)
        return;
    g->vcpus[slot].ldr = 0;
    g->vcpus[slot].dfr = XAPIC_DFR_RESET;
    g->icr_high[slot] = 0;
}

static const char *delivery_name(uint8_t delivery)
{
    static const char *const names[8] = { "fixed", "lowest-priority", "SMI", "reserved",
                                          "NMI", "INIT", "SIPI", "reserved" };
    return names[delivery & 7];
}

/* INIT and SIPI where start-up is software's: each target vCPU is told,
 * the hardware never is.  An INIT level de-assert does nothing, as on
 * every CPU since the Pentium 4. */
static void start_in_software(const struct apic_guard *g, const struct apic_icr *icr,
                              const struct apic_ipi_plan *plan)
{
    if (icr->delivery == APIC_DELIVERY_INIT && icr->level_trigger && !icr->level_assert)
        return;
    for (unsigned i = 0; i < g->count; i++) {
        bool target = plan->as_is ? g->vcpus[i].apic_id == icr->dest : apic_ipi_plan_targets(plan, i);
        if (target)
            g->start_ipi(g->start_ctx, i, icr->delivery, icr->vector);
    }
}

/* Carries out a plan: the guest's ICR as it is, or one physical IPI per
 * target.  Refusals are warned once per vCPU and counted. */
static void carry_out(const struct apic_guard *g, const struct apic_sender *s,
                      const struct apic_icr *icr, const struct apic_ipi_plan *plan, bool x2apic,
                      uint32_t low, uint32_t high)
{
    if (plan->why) {
        refusal_warn(s->refusals, REFUSAL_IPI, s->apic_id,
                     "guest IPI refused: %s IPI (vector %#x) to APIC ID %#x: %s",
                     delivery_name(icr->delivery), icr->vector, plan->refused_dest, plan->why);
    }
    if (plan->action != APIC_IPI_SEND)
        return;
    if (g->start_ipi && (icr->delivery == APIC_DELIVERY_INIT || icr->delivery == APIC_DELIVERY_STARTUP)) {
        start_in_software(g, icr, plan);
        return;
    }
    if (plan->as_is) {
        lapic_send_ipi_raw(x2apic ? high : high >> XAPIC_DEST_SHIFT, low);
        return;
    }
    for (unsigned i = 0; i < g->count; i++) {
        if (apic_ipi_plan_targets(plan, i))
            lapic_send_ipi_raw(g->vcpus[i].apic_id, plan->icr_low);
    }
}

bool apic_guard_x2apic_icr(struct apic_guard *g, const struct apic_sender *s, uint64_t value)
{
    uint32_t low = (uint32_t)value, high = (uint32_t)(value >> 32);
    struct apic_icr icr = apic_icr_decode(low, high, true);
    if (icr.reserved_bits)
        return false;
    struct apic_guest guest = apic_guard_guest(g);
    struct apic_ipi_plan plan;
    apic_ipi_plan(&icr, true, s->apic_id, &guest, &plan);
    carry_out(g, s, &icr, &plan, true, low, high);
    return true;
}

static void xapic_icr_low(struct apic_guard *g, const struct apic_sender *s, uint32_t low)
{
    uint32_t high = s->slot < g->count ? g->icr_high[s->slot] : 0;
    struct apic_icr icr = apic_icr_decode(low, high, false);
    struct apic_guest guest = apic_guard_guest(g);
    struct apic_ipi_plan plan;
    apic_ipi_plan(&icr, false, s->apic_id, &guest, &plan);
    carry_out(g, s, &icr, &plan, false, low, high);
}

void apic_guard_xapic_write(struct apic_guard *g, const struct apic_sender *s, uint32_t offset,
                            uint32_t value)
{
    if (offset >= XAPIC_PAGE_SIZE || (offset % XAPIC_REG_STRIDE) != 0)
        return;                       /* not a register: the APIC ignores it */
    /* In x2APIC mode the page is not the APIC (SDM 11.12.1.2): the write
     * reaches nothing. */
    if (lapic_in_x2apic_mode())
        return;
    bool own = s->slot < g->count;
    switch (offset) {
    case XAPIC_ICR_LOW:
        xapic_icr_low(g, s, value);
        return;
    case XAPIC_ICR_HIGH:
        if (own)
            g->icr_high[s->slot] = value;
        break;                        /* also written, so the guest reads it back */
    case XAPIC_ID:
        /* A writable APIC ID (model-specific) would let a vCPU answer to a
         * CPU outside the guest's IPIs: the ID stays. */
        if (value != lapic_xapic_read(XAPIC_ID)) {
            refusal_warn(s->refusals, REFUSAL_IPI, s->apic_id,
                         "guest write of APIC ID %#x refused: the APIC ID stays", value);
        }
        return;
    case XAPIC_LDR:
        if (own)
            g->vcpus[s->slot].ldr = value;
        break;
    case XAPIC_DFR:
        if (own)
            g->vcpus[s->slot].dfr = value;
        break;
    default:
        break;
    }
    lapic_xapic_write(offset, value);
}
