/*
 * APIC destination filtering (see apic_dest.h): the ICR decoder, the IPI
 * planner and the I/O APIC redirection-entry check.  Bit layouts are from the
 * Intel SDM vol. 3A ch. 11 (11.6.1 ICR, 11.6.2 destinations, 11.12.9 and
 * 11.12.10 for x2APIC mode) and the 82093AA I/O APIC datasheet 3.2.4.
 *
 * The one rule everything here serves: nothing the guest writes makes a CPU
 * outside the guest receive an interrupt, and nothing resets the guest's boot
 * CPU (which on bare metal is a machine reset through the back door).
 */
#include "core/apic_dest.h"

#include <stddef.h>

/* ---- register layouts ----------------------------------------------------- */

/* ICR[31:0] (SDM 11.6.1, Figure "Interrupt Command Register"). */
#define ICR_VECTOR_MASK            0x000000ffu
#define ICR_DELIVERY_SHIFT         8
#define ICR_DELIVERY_MASK          0x7u
#define ICR_DEST_LOGICAL           (1u << 11)
#define ICR_LEVEL_ASSERT           (1u << 14)
#define ICR_TRIGGER_LEVEL          (1u << 15)
#define ICR_SHORTHAND_SHIFT        18
#define ICR_SHORTHAND_MASK         0x3u
/* Reserved in x2APIC mode (SDM 11.12.9): bits 31:20, 17:16 and 13.  Bit 12, the
 * xAPIC delivery status, is ignored by WRMSR rather than reserved. */
#define X2APIC_ICR_RESERVED        0xfff32000u

/* ICR[63:32] in xAPIC mode: the 8-bit destination in bits 31:24. */
#define XAPIC_ICR_DEST_SHIFT       24
#define XAPIC_DEST_MASK            0xffu

/* xAPIC LDR and DFR (SDM 11.6.2.2). */
#define XAPIC_LDR_ID_SHIFT         24       /* logical APIC ID in LDR[31:24] */
#define XAPIC_DFR_MODEL_SHIFT      28       /* model in DFR[31:28] */
#define XAPIC_DFR_MODEL_FLAT       0xfu
#define XAPIC_DFR_MODEL_CLUSTER    0x0u
#define XAPIC_CLUSTER_SHIFT        4        /* cluster model: ID/MDA[7:4] = cluster */
#define XAPIC_MEMBER_MASK          0xfu     /* cluster model: ID/MDA[3:0] = members */

/* x2APIC logical IDs and logical destinations (SDM 11.12.10). */
#define X2APIC_ID_CLUSTER_SHIFT    4        /* cluster = x2APIC ID[19:4] */
#define X2APIC_ID_MEMBER_MASK      0xfu     /* member bit = 1 << x2APIC ID[3:0] */
#define X2APIC_LDEST_CLUSTER_SHIFT 16       /* logical destination[31:16] = cluster */
#define X2APIC_LDEST_CLUSTER_MASK  0xffffu
#define X2APIC_LDEST_MEMBERS_MASK  0xffffu  /* logical destination[15:0] = member bitmap */

/* I/O APIC redirection entry (82093AA 3.2.4). */
#define RTE_DELIVERY_SHIFT         8
#define RTE_DELIVERY_MASK          0x7u
#define RTE_DEST_LOGICAL           (1ull << 11)
#define RTE_MASKED                 (1ull << 16)
#define RTE_DEST_SHIFT             56
#define RTE_DEST_MASK              0xffu

#define NO_VCPU                    (-1)

/* ---- the interrupt command register ----------------------------------- */

struct apic_icr apic_icr_decode(uint32_t low, uint32_t high, bool x2apic)
{
    struct apic_icr icr = {
        .vector = (uint8_t)(low & ICR_VECTOR_MASK),
        .delivery = (uint8_t)((low >> ICR_DELIVERY_SHIFT) & ICR_DELIVERY_MASK),
        .logical = (low & ICR_DEST_LOGICAL) != 0,
        .level_assert = (low & ICR_LEVEL_ASSERT) != 0,
        .level_trigger = (low & ICR_TRIGGER_LEVEL) != 0,
        .shorthand = (uint8_t)((low >> ICR_SHORTHAND_SHIFT) & ICR_SHORTHAND_MASK),
        .dest = x2apic ? high : (high >> XAPIC_ICR_DEST_SHIFT) & XAPIC_DEST_MASK,
        .reserved_bits = x2apic ? low & X2APIC_ICR_RESERVED : 0,
    };

    return icr;
}

static uint32_t icr_low_with(const struct apic_icr *icr, uint8_t delivery)
{
    uint32_t low = icr->vector;

    low |= (uint32_t)(delivery & ICR_DELIVERY_MASK) << ICR_DELIVERY_SHIFT;
    if (icr->level_assert)
        low |= ICR_LEVEL_ASSERT;
    if (icr->level_trigger)
        low |= ICR_TRIGGER_LEVEL;
    return low;
}

uint32_t apic_icr_low_physical(const struct apic_icr *icr)
{
    return icr_low_with(icr, icr->delivery);
}

uint32_t apic_icr_high_physical(uint32_t apic_id, bool x2apic)
{
    return x2apic ? apic_id : (apic_id & XAPIC_DEST_MASK) << XAPIC_ICR_DEST_SHIFT;
}

/* ---- the guest ------------------------------------------------------------ */

/* How many entries of g->vcpus may be read: never more than the plan can name. */
static unsigned guest_count(const struct apic_guest *g)
{
    if (g == NULL || g->vcpus == NULL)
        return 0;
    return g->count < APIC_GUEST_MAX ? g->count : APIC_GUEST_MAX;
}

static int guest_find(const struct apic_guest *g, unsigned n, uint32_t apic_id)
{
    for (unsigned i = 0; i < n; i++) {
        if (g->vcpus[i].apic_id == apic_id)
            return (int)i;
    }
    return NO_VCPU;
}

static uint32_t xapic_model(const struct apic_vcpu *v)
{
    return v->dfr >> XAPIC_DFR_MODEL_SHIFT;
}

static uint8_t xapic_logical_id(const struct apic_vcpu *v)
{
    return (uint8_t)(v->ldr >> XAPIC_LDR_ID_SHIFT);
}

/*
 * Does this vCPU accept an xAPIC logical message for mda (not the broadcast)?
 * SDM 11.6.2.2: flat model, MDA AND logical ID non-zero; cluster model, same
 * cluster and a common member bit.  The DFR's other model values are not
 * defined: such a vCPU matches nothing.
 */
static bool xapic_logical_match(const struct apic_vcpu *v, uint8_t mda)
{
    uint8_t id = xapic_logical_id(v);

    switch (xapic_model(v)) {
    case XAPIC_DFR_MODEL_FLAT:
        return (id & mda) != 0;
    case XAPIC_DFR_MODEL_CLUSTER:
        return (id >> XAPIC_CLUSTER_SHIFT) == (mda >> XAPIC_CLUSTER_SHIFT) &&
               (id & mda & XAPIC_MEMBER_MASK) != 0;
    default:
        return false;
    }
}

/*
 * Does the x2APIC ID accept a logical message for dest (not the broadcast)?
 * SDM 11.12.10.2: the logical x2APIC ID is ID[19:4] << 16 | 1 << ID[3:0], and
 * a message matches when the clusters are equal and the bitmaps intersect.
 */
static bool x2apic_logical_match(uint32_t apic_id, uint32_t dest)
{
    uint32_t cluster = (apic_id >> X2APIC_ID_CLUSTER_SHIFT) & X2APIC_LDEST_CLUSTER_MASK;
    uint32_t member = 1u << (apic_id & X2APIC_ID_MEMBER_MASK);

    return cluster == ((dest >> X2APIC_LDEST_CLUSTER_SHIFT) & X2APIC_LDEST_CLUSTER_MASK) &&
           (member & dest & X2APIC_LDEST_MEMBERS_MASK) != 0;
}

/* ---- the target set ------------------------------------------------------- */

static void target_add(struct apic_ipi_plan *p, unsigned i)
{
    p->targets[i / APIC_IPI_TARGET_WORD_BITS] |= 1ull << (i % APIC_IPI_TARGET_WORD_BITS);
}

static void target_remove(struct apic_ipi_plan *p, unsigned i)
{
    p->targets[i / APIC_IPI_TARGET_WORD_BITS] &= ~(1ull << (i % APIC_IPI_TARGET_WORD_BITS));
}

static void targets_clear(struct apic_ipi_plan *p)
{
    __builtin_memset(p->targets, 0, sizeof(p->targets));
}

static bool targets_empty(const struct apic_ipi_plan *p)
{
    for (unsigned w = 0; w < APIC_IPI_TARGET_WORDS; w++) {
        if (p->targets[w] != 0)
            return false;
    }
    return true;
}

/* Keeps only the lowest-numbered target (the set is not empty). */
static void targets_keep_first(struct apic_ipi_plan *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (apic_ipi_plan_targets(p, i)) {
            targets_clear(p);
            target_add(p, i);
            return;
        }
    }
}

/* Every guest vCPU; with skip_one, not those whose APIC ID is except. */
static void targets_all(struct apic_ipi_plan *p, const struct apic_guest *g, unsigned n,
                        bool skip_one, uint32_t except)
{
    for (unsigned i = 0; i < n; i++) {
        if (!skip_one || g->vcpus[i].apic_id != except)
            target_add(p, i);
    }
}

static void targets_logical(struct apic_ipi_plan *p, const struct apic_guest *g, unsigned n,
                            bool x2apic, uint32_t dest)
{
    for (unsigned i = 0; i < n; i++) {
        bool match = x2apic ? x2apic_logical_match(g->vcpus[i].apic_id, dest)
                            : xapic_logical_match(&g->vcpus[i], (uint8_t)dest);

        if (match)
            target_add(p, i);
    }
}

/* Takes the boot CPU out of an INIT's targets; true if it was among them. */
static bool targets_remove_bsp(struct apic_ipi_plan *p, const struct apic_guest *g, unsigned n)
{
    bool removed = false;

    for (unsigned i = 0; i < n; i++) {
        if (g->vcpus[i].apic_id == g->bsp_apic_id && apic_ipi_plan_targets(p, i)) {
            target_remove(p, i);
            removed = true;
        }
    }
    return removed;
}

/* ---- planning an IPI ---------------------------------------------------- */

static const char *const why_bsp_init =
    "INIT to the guest's boot CPU: on bare metal it would reset the machine's boot CPU";
static const char *const why_bsp_left_out =
    "INIT: the guest's boot CPU left out (on bare metal it would reset the machine's boot CPU)";

static void refuse(struct apic_ipi_plan *p, const char *why, uint32_t dest)
{
    targets_clear(p);
    p->action = APIC_IPI_REFUSE;
    p->as_is = false;
    p->why = why;
    p->refused_dest = dest;
}

/* Delivery modes Kestrel never sends on the guest's behalf, or NULL. */
static const char *delivery_problem(uint8_t delivery)
{
    switch (delivery) {
    case APIC_DELIVERY_FIXED:
    case APIC_DELIVERY_LOWEST:
    case APIC_DELIVERY_NMI:
    case APIC_DELIVERY_INIT:
    case APIC_DELIVERY_STARTUP:
        return NULL;
    case APIC_DELIVERY_SMI:
        /* An SMI enters SMM, which belongs to the firmware, on whichever CPU. */
        return "SMI IPI: SMM belongs to the firmware";
    default:
        return "reserved ICR delivery mode (SDM 11.6.1)";
    }
}

/*
 * The self shorthand: SDM 11.6.1's table of valid ICR combinations allows it
 * with fixed delivery only (INIT, start-up, SMI, NMI and lowest priority are
 * not valid with it).  The IPI reaches the sender alone, so it is written as is.
 */
static void plan_self(const struct apic_icr *icr, uint32_t sender, const struct apic_guest *g,
                      unsigned n, struct apic_ipi_plan *p)
{
    if (icr->delivery != APIC_DELIVERY_FIXED) {
        refuse(p, "the self shorthand with a delivery mode other than fixed (SDM 11.6.1)",
               sender);
        return;
    }
    if (guest_find(g, n, sender) == NO_VCPU) {
        refuse(p, "the sender is not one of the guest's CPUs", sender);
        return;
    }
    p->action = APIC_IPI_SEND;
    p->as_is = true;
}

/*
 * A physical destination other than the broadcast: one guest vCPU, or
 * nothing.  Returns true when *p is final; false when p->targets holds the one
 * vCPU and the common tail decides.
 */
static bool plan_physical_one(const struct apic_icr *icr, uint32_t dest,
                              const struct apic_guest *g, unsigned n, struct apic_ipi_plan *p)
{
    int i = guest_find(g, n, dest);

    if (i == NO_VCPU) {
        refuse(p, "the destination is not one of the guest's CPUs", dest);
        return true;
    }
    if (icr->delivery == APIC_DELIVERY_INIT && dest == g->bsp_apic_id) {
        refuse(p, why_bsp_init, dest);
        return true;
    }
    if (icr->delivery != APIC_DELIVERY_LOWEST) {
        p->action = APIC_IPI_SEND;
        p->as_is = true;
        return true;
    }
    /* Whether a CPU can send lowest priority at all is model-specific (SDM
     * 11.6.1 note; 11.5.3, ESR "Redirectable IPI"): fixed to the one vCPU. */
    target_add(p, (unsigned)i);
    return false;
}

void apic_ipi_plan(const struct apic_icr *icr, bool x2apic, uint32_t sender_apic_id,
                   const struct apic_guest *g, struct apic_ipi_plan *plan)
{
    unsigned n = guest_count(g);
    uint32_t dest = x2apic ? icr->dest : icr->dest & XAPIC_DEST_MASK;
    uint32_t broadcast = x2apic ? APIC_X2APIC_BROADCAST : APIC_XAPIC_BROADCAST;
    const char *bad;
    bool bsp_left_out;

    __builtin_memset(plan, 0, sizeof(*plan));
    plan->delivery = icr->delivery;

    /* SDM 11.12.1.3: the guest's WRMSR would #GP; so would Kestrel's. */
    if (x2apic && (icr->reserved_bits & X2APIC_ICR_RESERVED) != 0) {
        refuse(plan, "reserved x2APIC ICR bits set (SDM 11.12.1.3: #GP)", dest);
        return;
    }
    bad = delivery_problem(icr->delivery);
    if (bad != NULL) {
        refuse(plan, bad, dest);
        return;
    }

    switch (icr->shorthand) {
    case APIC_SHORTHAND_SELF:
        plan_self(icr, sender_apic_id, g, n, plan);
        return;
    case APIC_SHORTHAND_ALL:
        /* "All" means all of the guest: CPUs outside it never hear of it. */
        targets_all(plan, g, n, false, 0);
        break;
    case APIC_SHORTHAND_OTHERS:
        targets_all(plan, g, n, true, sender_apic_id);
        break;
    case APIC_SHORTHAND_NONE:
        if (icr->logical) {
            /* xAPIC MDA 0xFF (11.6.2.2) and x2APIC 0xFFFFFFFF (11.12.10) are broadcasts. */
            if (dest == broadcast)
                targets_all(plan, g, n, false, 0);
            else
                targets_logical(plan, g, n, x2apic, dest);
        } else if (dest == broadcast) {
            targets_all(plan, g, n, false, 0);
        } else if (plan_physical_one(icr, dest, g, n, plan)) {
            return;
        }
        break;
    default:
        refuse(plan, "invalid ICR destination shorthand", dest);
        return;
    }

    /* An expansion (shorthand, broadcast, logical set) goes on without the BSP. */
    bsp_left_out = icr->delivery == APIC_DELIVERY_INIT && targets_remove_bsp(plan, g, n);
    if (targets_empty(plan)) {
        if (bsp_left_out)
            refuse(plan, why_bsp_init, g->bsp_apic_id);
        else
            plan->action = APIC_IPI_DROP;
        return;
    }
    if (icr->delivery == APIC_DELIVERY_LOWEST) {
        /* Lowest priority reaches exactly one CPU of the set (SDM 11.6.2.4);
         * which one is the hardware's choice, here the first. */
        targets_keep_first(plan, n);
        plan->delivery = APIC_DELIVERY_FIXED;
    }
    plan->action = APIC_IPI_SEND;
    plan->icr_low = icr_low_with(icr, plan->delivery);
    if (bsp_left_out) {
        plan->why = why_bsp_left_out;
        plan->refused_dest = g->bsp_apic_id;
    }
}

/* ---- I/O APIC redirection entries --------------------------------------- */

/*
 * An xAPIC logical destination of a redirection entry.  The I/O APIC's
 * message reaches every APIC whose LDR/DFR match (11.6.2.2), outsiders
 * included, so every destination bit must belong to a guest vCPU: Kestrel
 * never gives an outsider a logical ID, and a bit no guest vCPU owns is one
 * only an outsider could answer to.  The model is the guest's: SDM 11.6.2.2
 * requires every enabled APIC's DFR to be programmed identically, so vCPUs
 * with logical IDs in both models make the destination ambiguous.  vCPUs
 * without a logical ID (LDR 0 after reset, or an undefined DFR model) take no
 * part.
 */
static const char *xapic_logical_rte_problem(const struct apic_guest *g, unsigned n,
                                             uint8_t mda)
{
    uint8_t mda_cluster = mda >> XAPIC_CLUSTER_SHIFT;
    bool flat = false, cluster = false;
    uint8_t flat_owned = 0, cluster_owned = 0;
    uint8_t wanted;

    if (mda == APIC_XAPIC_BROADCAST)
        return "logical broadcast: it would reach CPUs outside the guest";
    for (unsigned i = 0; i < n; i++) {
        const struct apic_vcpu *v = &g->vcpus[i];
        uint8_t id = xapic_logical_id(v);

        switch (xapic_model(v)) {
        case XAPIC_DFR_MODEL_FLAT:
            if (id != 0) {
                flat = true;
                flat_owned |= id;
            }
            break;
        case XAPIC_DFR_MODEL_CLUSTER:
            if ((id & XAPIC_MEMBER_MASK) != 0) {
                cluster = true;
                if ((id >> XAPIC_CLUSTER_SHIFT) == mda_cluster)
                    cluster_owned |= id & XAPIC_MEMBER_MASK;
            }
            break;
        default:
            break;
        }
    }
    if (flat && cluster)
        return "logical destination while the guest's CPUs use both the flat and the "
               "cluster model (SDM 11.6.2.2: DFRs must agree)";
    if (!flat && !cluster)
        return "logical destination while no guest CPU has a logical ID";
    wanted = flat ? mda : mda & XAPIC_MEMBER_MASK;
    if (wanted == 0)
        return "the logical destination matches no guest CPU";
    if ((wanted & ~(flat ? flat_owned : cluster_owned)) != 0)
        return "the logical destination names a logical ID no guest CPU has";
    return NULL;
}

const char *ioapic_rte_problem(uint64_t rte, bool x2apic, const struct apic_guest *g)
{
    unsigned n = guest_count(g);
    uint8_t delivery = (uint8_t)((rte >> RTE_DELIVERY_SHIFT) & RTE_DELIVERY_MASK);
    uint8_t dest = (uint8_t)((rte >> RTE_DEST_SHIFT) & RTE_DEST_MASK);

    /* A masked entry delivers nothing; unmasking it is another write, checked then. */
    if ((rte & RTE_MASKED) != 0)
        return NULL;

    switch (delivery) {
    case APIC_DELIVERY_FIXED:
    case APIC_DELIVERY_LOWEST:
    case IOAPIC_DELIVERY_EXTINT:
        break;
    case APIC_DELIVERY_SMI:
        return "SMI delivery: SMM belongs to the firmware";
    case APIC_DELIVERY_NMI:
        /* Kestrel stops vCPUs with NMIs and cannot tell a device's from its own. */
        return "NMI delivery: NMIs are Kestrel's";
    case APIC_DELIVERY_INIT:
        return "INIT delivery: a device pin would reset CPUs";
    default:
        return "reserved delivery mode (82093AA 3.2.4)";
    }

    if ((rte & RTE_DEST_LOGICAL) == 0) {
        /* 0xFF is the broadcast in xAPIC mode (11.6.2.1).  In x2APIC mode it
         * is x2APIC ID 0xFF or a broadcast, depending on how the platform
         * widens the 8-bit destination: refused in both. */
        if (dest == APIC_XAPIC_BROADCAST)
            return "physical broadcast: it would reach CPUs outside the guest";
        if (guest_find(g, n, dest) == NO_VCPU)
            return "the destination is not one of the guest's CPUs";
        return NULL;
    }
    /*
     * x2APIC mode without interrupt remapping: the I/O APIC's 8-bit
     * destination can only name physical x2APIC IDs below 256.  The logical
     * x2APIC ID is a 32-bit cluster/bitmap pair (11.12.10.2) that no 8-bit
     * message destination is defined to match, so who would answer a logical
     * entry cannot be known: refused.
     */
    if (x2apic)
        return "logical destination in x2APIC mode (needs interrupt remapping)";
    return xapic_logical_rte_problem(g, n, dest);
}
