/*
 * APIC destination filtering: who an IPI the guest asks for may reach, and
 * whether an I/O APIC redirection entry the guest writes may be programmed.
 *
 * A guest gets some of the machine's CPUs (one vCPU per physical CPU); the
 * others stay outside it (held back, failed to enter VMX, firmware-disabled,
 * beyond Kestrel's limit).  The guest owns its local APICs, but every write
 * to the interrupt command register (x2APIC MSR 0x830, xAPIC MMIO 0x300/0x310)
 * is mediated: Kestrel decodes it here, and sends the IPI itself, only to the
 * guest's own vCPUs.  I/O APIC redirection entries are checked here before
 * Kestrel writes them.  Pure decision logic, shared by the VMX and SVM
 * backends.  ICR and RTE values are the guest's and may be anything; struct
 * apic_guest is Kestrel's (the vCPUs' LDR/DFR values in it are the guest's).
 *
 * References: Intel SDM vol. 3A ch. 11 "Advanced Programmable Interrupt
 * Controller (APIC)"; Intel 82093AA I/O APIC datasheet 3.2.4.
 */
#ifndef KESTREL_CORE_APIC_DEST_H
#define KESTREL_CORE_APIC_DEST_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_GUEST_MAX           256    /* vCPUs a guest may have (struct apic_ipi_plan.targets) */

/* Delivery modes, ICR bits 10:8 (SDM 11.6.1); 3 and 7 are reserved in the ICR. */
#define APIC_DELIVERY_FIXED      0u
#define APIC_DELIVERY_LOWEST     1u
#define APIC_DELIVERY_SMI        2u
#define APIC_DELIVERY_NMI        4u
#define APIC_DELIVERY_INIT       5u
#define APIC_DELIVERY_STARTUP    6u
#define IOAPIC_DELIVERY_EXTINT   7u     /* redirection entries only (82093AA 3.2.4) */

/* Destination shorthands, ICR bits 19:18 (SDM 11.6.1). */
#define APIC_SHORTHAND_NONE      0u
#define APIC_SHORTHAND_SELF      1u
#define APIC_SHORTHAND_ALL       2u     /* all including self */
#define APIC_SHORTHAND_OTHERS    3u     /* all excluding self */

/* The broadcast destination of each mode (SDM 11.6.2.1, 11.12.9). */
#define APIC_XAPIC_BROADCAST     0xffu
#define APIC_X2APIC_BROADCAST    0xffffffffu

/*
 * One vCPU of the guest.  ldr/dfr: the xAPIC logical destination and
 * destination format registers as this vCPU last wrote them (reset values:
 * LDR 0, DFR 0xFFFFFFFF); ignored in x2APIC mode, where the logical ID is
 * derived from the x2APIC ID (SDM 11.12.10.2: cluster = ID[19:4],
 * bit = 1 << ID[3:0]).
 */
struct apic_vcpu {
    uint32_t apic_id;
    uint32_t ldr;
    uint32_t dfr;
};

/* The guest's vCPUs: count 0..APIC_GUEST_MAX entries (vcpus may be NULL when
 * count is 0); bsp_apic_id is the guest's boot CPU. */
struct apic_guest {
    unsigned count;
    const struct apic_vcpu *vcpus;
    uint32_t bsp_apic_id;
};

/* ---- the interrupt command register ----------------------------------- */

struct apic_icr {
    uint8_t vector;
    uint8_t delivery;          /* APIC_DELIVERY_* (0..7) */
    bool logical;              /* destination mode, bit 11 */
    bool level_assert;         /* bit 14 */
    bool level_trigger;        /* bit 15 */
    uint8_t shorthand;         /* APIC_SHORTHAND_* */
    uint32_t dest;             /* xAPIC: 8 bits; x2APIC: 32 bits */
    uint32_t reserved_bits;    /* x2APIC only: the reserved ICR[31:0] bits that are set
                                * (31:20, 17:16, 13); a WRMSR with any of them #GPs
                                * (SDM 11.12.1.3).  Always 0 in xAPIC mode, where MMIO
                                * writes ignore reserved bits. */
};

/*
 * xAPIC: low = ICR[31:0] (MMIO 0x300), high = ICR[63:32] (MMIO 0x310,
 * destination in bits 31:24); x2APIC: the 64-bit MSR 0x830 value split in
 * halves (destination = all of high).
 *
 * The x2APIC path should inject #GP(0) when reserved_bits is non-zero, as the
 * hardware would; apic_ipi_plan() refuses such an ICR anyway, so that Kestrel
 * never faults writing it.
 */
struct apic_icr apic_icr_decode(uint32_t low, uint32_t high, bool x2apic);

/* ICR[31:0] for a physical, no-shorthand send of icr's vector, delivery mode,
 * level and trigger mode. */
uint32_t apic_icr_low_physical(const struct apic_icr *icr);

/* ICR[63:32] addressing apic_id physically: xAPIC bits 31:24, x2APIC all 32. */
uint32_t apic_icr_high_physical(uint32_t apic_id, bool x2apic);

/* ---- planning an IPI ---------------------------------------------------- */

enum apic_ipi_action {
    APIC_IPI_SEND,
    APIC_IPI_DROP,             /* nobody to send to: no effect, no warning (the guest's affair) */
    APIC_IPI_REFUSE,           /* warn with why and refused_dest; send nothing */
};

#define APIC_IPI_TARGET_WORD_BITS 64
#define APIC_IPI_TARGET_WORDS    (APIC_GUEST_MAX / APIC_IPI_TARGET_WORD_BITS)

struct apic_ipi_plan {
    enum apic_ipi_action action;
    bool as_is;                /* SEND: write the guest's ICR unchanged (self shorthand with
                                * fixed delivery, or one physical destination that is a guest
                                * vCPU) */
    uint64_t targets[APIC_IPI_TARGET_WORDS];
                               /* SEND and !as_is: bit i = send one physical IPI to vcpus[i];
                                * never set for i >= count; all clear otherwise */
    uint8_t delivery;          /* the delivery mode of those sends (lowest priority becomes
                                * fixed, to one vCPU) */
    uint32_t icr_low;          /* SEND and !as_is: ICR[31:0] for each of those sends (physical,
                                * no shorthand, with delivery above); the high half is
                                * apic_icr_high_physical(vcpus[i].apic_id, x2apic) */
    const char *why;           /* REFUSE, or SEND with some destinations left out: the reason
                                * (static text); NULL otherwise */
    uint32_t refused_dest;     /* with why: the destination (APIC ID) refused, for the warning */
};

/*
 * Decides what to send for an ICR write by the vCPU sender_apic_id (x2apic:
 * the sender's APIC mode).  Fills *plan completely.
 */
void apic_ipi_plan(const struct apic_icr *icr, bool x2apic, uint32_t sender_apic_id,
                   const struct apic_guest *g, struct apic_ipi_plan *plan);

/* Is vcpus[index] one of plan's targets? */
static inline bool apic_ipi_plan_targets(const struct apic_ipi_plan *plan, unsigned index)
{
    return index < APIC_GUEST_MAX &&
           ((plan->targets[index / APIC_IPI_TARGET_WORD_BITS] >>
             (index % APIC_IPI_TARGET_WORD_BITS)) & 1) != 0;
}

/* ---- I/O APIC redirection entries --------------------------------------- */

/* NULL when the I/O APIC redirection entry rte may be written, else why not
 * (static text).  x2apic: the guest's local APICs are in x2APIC mode. */
const char *ioapic_rte_problem(uint64_t rte, bool x2apic, const struct apic_guest *g);

#endif
