/* Unit tests for core/apic_dest.c. */
#include "test.h"

#include "core/apic_dest.h"

/* ---- ICR and RTE bits, written out here rather than taken from the code ---- */

#define DM_FIXED     (0u << 8)
#define DM_LOWEST    (1u << 8)
#define DM_SMI       (2u << 8)
#define DM_RSVD3     (3u << 8)
#define DM_NMI       (4u << 8)
#define DM_INIT      (5u << 8)
#define DM_SIPI      (6u << 8)
#define DM_RSVD7     (7u << 8)
#define DM_EXTINT    (7u << 8)         /* RTE only */
#define LOGICAL      (1u << 11)
#define ASSERT       (1u << 14)
#define LEVEL        (1u << 15)
#define SH_SELF      (1u << 18)
#define SH_ALL       (2u << 18)
#define SH_OTHERS    (3u << 18)
#define XDEST(id)    ((uint32_t)(id) << 24)
#define X2_RESERVED  0xfff32000u       /* bits 31:20, 17:16, 13 */

#define RTE_LOGICAL  (1ull << 11)
#define RTE_MASK     (1ull << 16)
#define RTE_DEST(d)  ((uint64_t)(d) << 56)

#define DFR_FLAT     0xffffffffu
#define DFR_CLUSTER  0x0fffffffu
#define DFR_UNDEF    0x5fffffffu       /* a model the SDM does not define */
#define LDR(id)      ((uint32_t)(id) << 24)

/* ---- guests ----------------------------------------------------------------
 * An 8-CPU xAPIC machine whose guest has CPUs 0 (BSP), 2, 4 and 6; 1, 3, 5
 * and 7 are outside it.  Flat logical IDs: one bit, two bits, and none yet. */
static const struct apic_vcpu flat_vcpus[] = {
    { .apic_id = 0, .ldr = LDR(0x01), .dfr = DFR_FLAT },
    { .apic_id = 2, .ldr = LDR(0x02), .dfr = DFR_FLAT },
    { .apic_id = 4, .ldr = LDR(0x0c), .dfr = DFR_FLAT },
    { .apic_id = 6, .ldr = 0, .dfr = DFR_FLAT },
};
static const struct apic_guest flat_guest = { 4, flat_vcpus, 0 };
static const uint32_t flat_outsiders[] = { 1, 3, 5, 7, 8, 0x80, 0xfe };

/* Cluster model: clusters 0 and 1, two members each; 2, 3 and 0x12 outside. */
static const struct apic_vcpu cluster_vcpus[] = {
    { .apic_id = 0x00, .ldr = LDR(0x01), .dfr = DFR_CLUSTER },
    { .apic_id = 0x01, .ldr = LDR(0x02), .dfr = DFR_CLUSTER },
    { .apic_id = 0x10, .ldr = LDR(0x11), .dfr = DFR_CLUSTER },
    { .apic_id = 0x11, .ldr = LDR(0x12), .dfr = DFR_CLUSTER },
};
static const struct apic_guest cluster_guest = { 4, cluster_vcpus, 0 };

/* Disagreeing DFRs (each vCPU's own decides for IPIs); vCPU 2's model is undefined. */
static const struct apic_vcpu mixed_vcpus[] = {
    { .apic_id = 0, .ldr = LDR(0x01), .dfr = DFR_FLAT },
    { .apic_id = 1, .ldr = LDR(0x12), .dfr = DFR_CLUSTER },
    { .apic_id = 2, .ldr = LDR(0xff), .dfr = DFR_UNDEF },
};
static const struct apic_guest mixed_guest = { 3, mixed_vcpus, 0 };

/* An x2APIC guest: clusters 0, 1, 2 and 0x30; LDR/DFR are garbage on purpose
 * (ignored in x2APIC mode).  BSP 1: not index 0. */
static const struct apic_vcpu x2_vcpus[] = {
    { .apic_id = 0x000, .ldr = 0xdeadbeef, .dfr = 0 },
    { .apic_id = 0x001, .ldr = 0, .dfr = DFR_FLAT },
    { .apic_id = 0x010, .ldr = LDR(0xff), .dfr = DFR_FLAT },
    { .apic_id = 0x01f, .ldr = 0, .dfr = DFR_CLUSTER },
    { .apic_id = 0x020, .ldr = 0, .dfr = 0 },
    { .apic_id = 0x300, .ldr = 0, .dfr = 0 },
};
static const struct apic_guest x2_guest = { 6, x2_vcpus, 1 };
static const uint32_t x2_outsiders[] = { 2, 0x11, 0x21, 0x301, 0xff, 0xfffffffe };

/* ---- helpers ----------------------------------------------------------- */

static struct apic_ipi_plan plan_for(uint32_t low, uint32_t high, bool x2apic, uint32_t sender,
                                     const struct apic_guest *g)
{
    struct apic_icr icr = apic_icr_decode(low, high, x2apic);
    struct apic_ipi_plan p;

    __builtin_memset(&p, 0xa5, sizeof(p));      /* the planner must fill every field */
    apic_ipi_plan(&icr, x2apic, sender, g, &p);
    return p;
}

static struct apic_ipi_plan xplan(uint32_t low, uint8_t dest, uint32_t sender,
                                  const struct apic_guest *g)
{
    return plan_for(low, XDEST(dest), false, sender, g);
}

static struct apic_ipi_plan x2plan(uint32_t low, uint32_t dest, uint32_t sender,
                                   const struct apic_guest *g)
{
    return plan_for(low, dest, true, sender, g);
}

static unsigned target_count(const struct apic_ipi_plan *p)
{
    unsigned n = 0;

    for (unsigned i = 0; i < APIC_GUEST_MAX; i++)
        n += apic_ipi_plan_targets(p, i);
    return n;
}

/* The targets as a mask over the first 32 vCPU indices (the small guests). */
static uint32_t target_mask(const struct apic_ipi_plan *p)
{
    uint32_t m = 0;

    for (unsigned i = 0; i < 32; i++) {
        if (apic_ipi_plan_targets(p, i))
            m |= 1u << i;
    }
    return m;
}

static void check_send(struct unit_ctx *unit_ctx_, const struct apic_ipi_plan *p,
                       uint32_t mask, uint8_t delivery)
{
    CHECK_EQ_U64(p->action, APIC_IPI_SEND);
    CHECK(!p->as_is);
    CHECK_EQ_U64(target_mask(p), mask);
    CHECK_EQ_U64(target_count(p), __builtin_popcount(mask));
    CHECK_EQ_U64(p->delivery, delivery);
    CHECK_EQ_U64((p->icr_low >> 8) & 7, delivery);
}

static void check_as_is(struct unit_ctx *unit_ctx_, const struct apic_ipi_plan *p)
{
    CHECK_EQ_U64(p->action, APIC_IPI_SEND);
    CHECK(p->as_is);
    CHECK_EQ_U64(target_count(p), 0);
    CHECK(p->why == NULL);
}

static void check_refuse(struct unit_ctx *unit_ctx_, const struct apic_ipi_plan *p,
                         uint32_t refused)
{
    CHECK_EQ_U64(p->action, APIC_IPI_REFUSE);
    CHECK(!p->as_is);
    CHECK(p->why != NULL && p->why[0] != '\0');
    CHECK_EQ_U64(p->refused_dest, refused);
    CHECK_EQ_U64(target_count(p), 0);
}

static void check_drop(struct unit_ctx *unit_ctx_, const struct apic_ipi_plan *p)
{
    CHECK_EQ_U64(p->action, APIC_IPI_DROP);
    CHECK(!p->as_is);
    CHECK(p->why == NULL);
    CHECK_EQ_U64(target_count(p), 0);
}

#define SEND(p, mask, dm)  do { check_send(unit_ctx_, &(p), (mask), (dm)); CHECK_PASSING(); } while (0)
#define AS_IS(p)           do { check_as_is(unit_ctx_, &(p)); CHECK_PASSING(); } while (0)
#define REFUSED(p, d)      do { check_refuse(unit_ctx_, &(p), (d)); CHECK_PASSING(); } while (0)
#define DROPPED(p)         do { check_drop(unit_ctx_, &(p)); CHECK_PASSING(); } while (0)

static const uint32_t all_dm[] = { DM_FIXED, DM_LOWEST, DM_SMI, DM_RSVD3,
                                   DM_NMI, DM_INIT, DM_SIPI, DM_RSVD7 };
static const uint32_t all_sh[] = { 0, SH_SELF, SH_ALL, SH_OTHERS };

/* ---- the ICR decoder ----------------------------------------------------- */

TEST(apic_icr_decode_xapic)
{
    struct apic_icr icr = apic_icr_decode(0x30 | DM_NMI | LOGICAL | ASSERT | LEVEL | SH_OTHERS,
                                          0xab123456u, false);

    CHECK_EQ_U64(icr.vector, 0x30);
    CHECK_EQ_U64(icr.delivery, APIC_DELIVERY_NMI);
    CHECK(icr.logical);
    CHECK(icr.level_assert);
    CHECK(icr.level_trigger);
    CHECK_EQ_U64(icr.shorthand, APIC_SHORTHAND_OTHERS);
    CHECK_EQ_U64(icr.dest, 0xab);                  /* high[31:24] only */
    CHECK_EQ_U64(icr.reserved_bits, 0);            /* MMIO ignores them */

    icr = apic_icr_decode(0xffffffffu, 0xffffffffu, false);
    CHECK_EQ_U64(icr.vector, 0xff);
    CHECK_EQ_U64(icr.delivery, 7);
    CHECK_EQ_U64(icr.shorthand, 3);
    CHECK_EQ_U64(icr.dest, 0xff);
    CHECK_EQ_U64(icr.reserved_bits, 0);

    icr = apic_icr_decode(0, 0, false);
    CHECK_EQ_U64(icr.vector, 0);
    CHECK_EQ_U64(icr.delivery, APIC_DELIVERY_FIXED);
    CHECK(!icr.logical && !icr.level_assert && !icr.level_trigger);
    CHECK_EQ_U64(icr.shorthand, APIC_SHORTHAND_NONE);
    CHECK_EQ_U64(icr.dest, 0);
}

TEST(apic_icr_decode_x2apic)
{
    struct apic_icr icr = apic_icr_decode(0xfd | DM_SIPI | SH_ALL, 0xab123456u, true);

    CHECK_EQ_U64(icr.vector, 0xfd);
    CHECK_EQ_U64(icr.delivery, APIC_DELIVERY_STARTUP);
    CHECK(!icr.logical);
    CHECK_EQ_U64(icr.shorthand, APIC_SHORTHAND_ALL);
    CHECK_EQ_U64(icr.dest, 0xab123456u);           /* all of high */
    CHECK_EQ_U64(icr.reserved_bits, 0);

    /* Each reserved bit alone; bit 12 (xAPIC delivery status) is ignored, not reserved. */
    for (unsigned bit = 0; bit < 32; bit++) {
        icr = apic_icr_decode(1u << bit, 0, true);
        CHECK_EQ_U64(icr.reserved_bits, (1u << bit) & X2_RESERVED);
    }
    CHECK_EQ_U64(apic_icr_decode(1u << 12, 0, true).reserved_bits, 0);
}

TEST(apic_icr_low_high_physical)
{
    struct apic_icr icr = apic_icr_decode(0x41 | DM_NMI | LOGICAL | ASSERT | LEVEL | SH_ALL,
                                          XDEST(0x55), false);

    /* Destination mode and shorthand are dropped, the rest kept. */
    CHECK_EQ_U64(apic_icr_low_physical(&icr), 0x41 | DM_NMI | ASSERT | LEVEL);
    icr = apic_icr_decode(DM_INIT | LEVEL, 0, true);            /* INIT level de-assert */
    CHECK_EQ_U64(apic_icr_low_physical(&icr), DM_INIT | LEVEL);
    icr = apic_icr_decode(0xffffffffu, 0, true);
    CHECK_EQ_U64(apic_icr_low_physical(&icr), 0xff | DM_RSVD7 | ASSERT | LEVEL);

    CHECK_EQ_U64(apic_icr_high_physical(0x12, false), 0x12000000u);
    CHECK_EQ_U64(apic_icr_high_physical(0xfe, false), 0xfe000000u);
    CHECK_EQ_U64(apic_icr_high_physical(0x12345678u, true), 0x12345678u);
    CHECK_EQ_U64(apic_icr_high_physical(0, true), 0);
}

/* ---- refused delivery modes ---------------------------------------------- */

TEST(apic_ipi_smi_always_refused)
{
    for (unsigned s = 0; s < 4; s++) {
        for (unsigned logical = 0; logical < 2; logical++) {
            uint32_t low = DM_SMI | ASSERT | all_sh[s] | (logical ? LOGICAL : 0);
            struct apic_ipi_plan p = xplan(low, 2, 0, &flat_guest);

            REFUSED(p, 2);
            p = xplan(low, 0xff, 2, &flat_guest);
            REFUSED(p, 0xff);
            p = x2plan(low, 0x10, 0, &x2_guest);
            REFUSED(p, 0x10);
            p = x2plan(low, 0xffffffffu, 0x10, &x2_guest);
            REFUSED(p, 0xffffffffu);
        }
    }
}

TEST(apic_ipi_reserved_delivery_refused)
{
    static const uint32_t reserved[] = { DM_RSVD3, DM_RSVD7 };

    for (unsigned r = 0; r < 2; r++) {
        for (unsigned s = 0; s < 4; s++) {
            struct apic_ipi_plan p = xplan(reserved[r] | all_sh[s] | 0x40, 4, 0, &flat_guest);

            REFUSED(p, 4);
            p = x2plan(reserved[r] | all_sh[s] | LOGICAL, 0x10001, 0, &x2_guest);
            REFUSED(p, 0x10001);
        }
    }

    /* A hand-built ICR with an impossible delivery mode or shorthand. */
    struct apic_icr icr = apic_icr_decode(0x40, XDEST(2), false);
    struct apic_ipi_plan p;

    icr.delivery = 200;
    apic_ipi_plan(&icr, false, 0, &flat_guest, &p);
    REFUSED(p, 2);
    icr.delivery = APIC_DELIVERY_FIXED;
    icr.shorthand = 9;
    apic_ipi_plan(&icr, false, 0, &flat_guest, &p);
    REFUSED(p, 2);
}

TEST(apic_ipi_x2apic_reserved_bits_refused)
{
    for (unsigned bit = 0; bit < 32; bit++) {
        uint32_t b = 1u << bit;
        struct apic_ipi_plan p;

        if ((b & X2_RESERVED) == 0)
            continue;
        p = x2plan(0x40 | b, 0x10, 0, &x2_guest);
        REFUSED(p, 0x10);
        p = x2plan(0x40 | SH_SELF | b, 0, 0, &x2_guest);
        REFUSED(p, 0);
    }
    /* Bit 12 is ignored by WRMSR: still sent. */
    struct apic_ipi_plan p = x2plan(0x40 | (1u << 12), 0x10, 0, &x2_guest);

    AS_IS(p);
    /* The same bits in xAPIC mode are ignored by the hardware. */
    p = xplan(0x40 | X2_RESERVED, 2, 0, &flat_guest);
    AS_IS(p);
}

/* ---- the self shorthand -------------------------------------------------- */

TEST(apic_ipi_self_fixed_as_is)
{
    struct apic_ipi_plan p = xplan(0xef | SH_SELF, 0x77, 0, &flat_guest);

    AS_IS(p);
    p = xplan(0xef | SH_SELF | LOGICAL | LEVEL | ASSERT, 0xff, 6, &flat_guest);
    AS_IS(p);
    p = x2plan(0xef | SH_SELF, 0xffffffffu, 0x300, &x2_guest);
    AS_IS(p);
    p = x2plan(0x20 | SH_SELF, 0x12345, 1, &x2_guest);
    AS_IS(p);
}

TEST(apic_ipi_self_other_modes_refused)
{
    static const uint32_t modes[] = { DM_LOWEST, DM_SMI, DM_NMI, DM_INIT, DM_SIPI };

    for (unsigned m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        struct apic_ipi_plan p = xplan(modes[m] | SH_SELF | ASSERT | 0x40, 0, 2, &flat_guest);

        REFUSED(p, modes[m] == DM_SMI ? 0 : 2);
        p = x2plan(modes[m] | SH_SELF | ASSERT | 0x40, 5, 0x10, &x2_guest);
        REFUSED(p, modes[m] == DM_SMI ? 5 : 0x10);
    }
    /* INIT level de-assert with the self shorthand, from the BSP. */
    struct apic_ipi_plan p = xplan(DM_INIT | LEVEL | SH_SELF, 0, 0, &flat_guest);

    REFUSED(p, 0);
}

TEST(apic_ipi_self_from_outsider_refused)
{
    /* Cannot happen if Kestrel passes the right sender; as_is must still not follow. */
    struct apic_ipi_plan p = xplan(0x40 | SH_SELF, 0, 3, &flat_guest);

    REFUSED(p, 3);
    p = x2plan(0x40 | SH_SELF, 0, 0x11, &x2_guest);
    REFUSED(p, 0x11);
}

/* ---- physical destinations ----------------------------------------------- */

TEST(apic_ipi_physical_guest_vcpu_as_is)
{
    static const uint32_t modes[] = { DM_FIXED, DM_NMI, DM_INIT, DM_SIPI };

    for (unsigned m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        for (unsigned i = 0; i < flat_guest.count; i++) {
            uint32_t id = flat_vcpus[i].apic_id;
            struct apic_ipi_plan p = xplan(modes[m] | ASSERT | 0x9a, (uint8_t)id, 2, &flat_guest);

            if (modes[m] == DM_INIT && id == flat_guest.bsp_apic_id)
                continue;                   /* apic_ipi_init_bsp_refused */
            AS_IS(p);
            /* To the sender itself, without the shorthand: still a guest vCPU. */
            p = xplan(modes[m] | ASSERT | 0x9a, (uint8_t)id, id, &flat_guest);
            AS_IS(p);
        }
        for (unsigned i = 0; i < x2_guest.count; i++) {
            uint32_t id = x2_vcpus[i].apic_id;
            struct apic_ipi_plan p = x2plan(modes[m] | ASSERT | 0x9a, id, 0, &x2_guest);

            if (modes[m] == DM_INIT && id == x2_guest.bsp_apic_id)
                continue;
            AS_IS(p);
        }
    }
    /* Fixed IPIs with vectors the hardware rejects (0..15) are its business. */
    for (unsigned v = 0; v < 16; v++) {
        struct apic_ipi_plan p = xplan(v, 2, 0, &flat_guest);

        AS_IS(p);
    }
}

TEST(apic_ipi_physical_outsider_refused)
{
    for (unsigned dm = 0; dm < 8; dm++) {
        for (unsigned o = 0; o < sizeof(flat_outsiders) / sizeof(flat_outsiders[0]); o++) {
            struct apic_ipi_plan p = xplan(all_dm[dm] | ASSERT,
                                           (uint8_t)flat_outsiders[o], 0, &flat_guest);

            REFUSED(p, flat_outsiders[o]);
        }
        for (unsigned o = 0; o < sizeof(x2_outsiders) / sizeof(x2_outsiders[0]); o++) {
            struct apic_ipi_plan p = x2plan(all_dm[dm] | ASSERT, x2_outsiders[o], 0, &x2_guest);

            REFUSED(p, x2_outsiders[o]);
        }
    }
    /* xAPIC: only high[31:24] names the CPU; the low bits of high cannot smuggle one in. */
    struct apic_ipi_plan p = plan_for(0x40, XDEST(3) | 0x00ffffffu, false, 0, &flat_guest);

    REFUSED(p, 3);
    /* x2APIC: an ID above 255 is not truncated to a guest vCPU's. */
    p = x2plan(0x40, 0x100, 0, &x2_guest);
    REFUSED(p, 0x100);
    p = x2plan(0x40, 0x10000010u, 0, &x2_guest);
    REFUSED(p, 0x10000010u);
}

TEST(apic_ipi_physical_broadcast)
{
    /* xAPIC 0xFF: every guest vCPU, the sender included; never an outsider. */
    struct apic_ipi_plan p = xplan(0x40 | ASSERT, 0xff, 2, &flat_guest);

    SEND(p, 0xf, APIC_DELIVERY_FIXED);
    CHECK(p.why == NULL);
    CHECK_EQ_U64(p.icr_low, 0x40 | ASSERT);
    p = xplan(DM_NMI | ASSERT, 0xff, 0, &cluster_guest);
    SEND(p, 0xf, APIC_DELIVERY_NMI);
    p = xplan(DM_SIPI | ASSERT | 0x9a, 0xff, 0, &flat_guest);
    SEND(p, 0xf, APIC_DELIVERY_STARTUP);
    CHECK_EQ_U64(p.icr_low, DM_SIPI | ASSERT | 0x9a);

    /* x2APIC 0xFFFFFFFF. */
    p = x2plan(0x40 | ASSERT, 0xffffffffu, 0x10, &x2_guest);
    SEND(p, 0x3f, APIC_DELIVERY_FIXED);
    /* In x2APIC mode 0xFF is an ordinary ID: here an outsider's. */
    p = x2plan(0x40, 0xff, 0x10, &x2_guest);
    REFUSED(p, 0xff);
}

TEST(apic_ipi_x2apic_id_ff_is_a_cpu)
{
    static const struct apic_vcpu v[] = { { .apic_id = 0 }, { .apic_id = 0xff } };
    const struct apic_guest g = { 2, v, 0 };
    struct apic_ipi_plan p = x2plan(0x40, 0xff, 0, &g);

    AS_IS(p);
    /* In xAPIC mode the same destination is the broadcast. */
    p = xplan(0x40, 0xff, 0, &g);
    SEND(p, 0x3, APIC_DELIVERY_FIXED);
}

/* ---- shorthands ---------------------------------------------------------- */

TEST(apic_ipi_all_including_self)
{
    struct apic_ipi_plan p = xplan(0x40 | SH_ALL, 0x01, 0, &flat_guest);    /* from the BSP */

    SEND(p, 0xf, APIC_DELIVERY_FIXED);
    p = xplan(0x40 | SH_ALL, 0x01, 4, &flat_guest);                           /* from an AP */
    SEND(p, 0xf, APIC_DELIVERY_FIXED);
    /* The destination field (even naming an outsider) is ignored with a shorthand. */
    p = xplan(DM_NMI | SH_ALL, 0x03, 4, &flat_guest);
    SEND(p, 0xf, APIC_DELIVERY_NMI);
    p = x2plan(0x40 | SH_ALL, 0x11, 1, &x2_guest);
    SEND(p, 0x3f, APIC_DELIVERY_FIXED);
    p = x2plan(0x40 | SH_ALL | LOGICAL, 0x11, 0x300, &x2_guest);
    SEND(p, 0x3f, APIC_DELIVERY_FIXED);
}

TEST(apic_ipi_all_excluding_self)
{
    struct apic_ipi_plan p = xplan(0x40 | SH_OTHERS, 0, 0, &flat_guest);     /* from the BSP */

    SEND(p, 0xe, APIC_DELIVERY_FIXED);
    p = xplan(0x40 | SH_OTHERS, 0, 4, &flat_guest);                           /* from an AP */
    SEND(p, 0xb, APIC_DELIVERY_FIXED);
    p = xplan(DM_SIPI | SH_OTHERS | 0x9a, 0, 0, &flat_guest);                 /* AP start-up */
    SEND(p, 0xe, APIC_DELIVERY_STARTUP);
    p = x2plan(DM_NMI | SH_OTHERS, 0xffffffffu, 0x20, &x2_guest);
    SEND(p, 0x2f, APIC_DELIVERY_NMI);

    /* A one-vCPU guest has nobody else: no effect, no warning. */
    static const struct apic_vcpu one[] = { { .apic_id = 3, .dfr = DFR_FLAT } };
    const struct apic_guest g1 = { 1, one, 3 };

    p = xplan(0x40 | SH_OTHERS, 0, 3, &g1);
    DROPPED(p);
    p = x2plan(DM_NMI | SH_OTHERS, 0, 3, &g1);
    DROPPED(p);
}

/* ---- INIT and the boot CPU ------------------------------------------------ */

TEST(apic_ipi_init_bsp_refused)
{
    /* INIT assert and the legacy level de-assert, physically to the BSP. */
    struct apic_ipi_plan p = xplan(DM_INIT | ASSERT | LEVEL, 0, 2, &flat_guest);

    REFUSED(p, 0);
    p = xplan(DM_INIT | LEVEL, 0, 2, &flat_guest);
    REFUSED(p, 0);
    p = xplan(DM_INIT, 0, 0, &flat_guest);                    /* the BSP to itself */
    REFUSED(p, 0);
    p = x2plan(DM_INIT | ASSERT, 1, 0x10, &x2_guest);
    REFUSED(p, 1);
    p = x2plan(DM_INIT | LEVEL, 1, 0x10, &x2_guest);
    REFUSED(p, 1);
    /* Same ICR to an AP: as is (Linux's INIT, INIT de-assert, SIPI, SIPI). */
    p = xplan(DM_INIT | ASSERT | LEVEL, 2, 0, &flat_guest);
    AS_IS(p);
    p = xplan(DM_INIT | LEVEL, 2, 0, &flat_guest);
    AS_IS(p);
    /* Start-up and NMI to the BSP are harmless: a running CPU ignores SIPI. */
    p = xplan(DM_SIPI | ASSERT | 0x9a, 0, 2, &flat_guest);
    AS_IS(p);
    p = xplan(DM_NMI | ASSERT, 0, 2, &flat_guest);
    AS_IS(p);
}

TEST(apic_ipi_init_expansions_leave_bsp_out)
{
    /* All excluding self from an AP. */
    struct apic_ipi_plan p = xplan(DM_INIT | ASSERT | SH_OTHERS, 0, 4, &flat_guest);

    SEND(p, 0xa, APIC_DELIVERY_INIT);
    CHECK(p.why != NULL);
    CHECK_EQ_U64(p.refused_dest, 0);
    /* All including self, from the BSP and from an AP. */
    p = xplan(DM_INIT | ASSERT | SH_ALL, 0, 0, &flat_guest);
    SEND(p, 0xe, APIC_DELIVERY_INIT);
    CHECK(p.why != NULL);
    p = xplan(DM_INIT | LEVEL | SH_ALL, 0, 2, &flat_guest);          /* legacy de-assert */
    SEND(p, 0xe, APIC_DELIVERY_INIT);
    CHECK_EQ_U64(p.icr_low, DM_INIT | LEVEL);
    CHECK(p.why != NULL);
    /* All excluding self from the BSP: nothing left out, nothing to say. */
    p = xplan(DM_INIT | ASSERT | SH_OTHERS, 0, 0, &flat_guest);
    SEND(p, 0xe, APIC_DELIVERY_INIT);
    CHECK(p.why == NULL);
    /* The physical broadcast. */
    p = xplan(DM_INIT | ASSERT, 0xff, 2, &flat_guest);
    SEND(p, 0xe, APIC_DELIVERY_INIT);
    CHECK(p.why != NULL);
    p = x2plan(DM_INIT | ASSERT, 0xffffffffu, 0, &x2_guest);
    SEND(p, 0x3d, APIC_DELIVERY_INIT);
    CHECK_EQ_U64(p.refused_dest, 1);
    /* A logical set holding the BSP (flat bits 0 and 1 = vCPUs 0 and 2). */
    p = xplan(DM_INIT | ASSERT | LOGICAL, 0x03, 2, &flat_guest);
    SEND(p, 0x2, APIC_DELIVERY_INIT);
    CHECK(p.why != NULL);
    /* x2APIC cluster 0, members 0 and 1 (vCPUs 0x0 and 0x1 = BSP). */
    p = x2plan(DM_INIT | ASSERT | LOGICAL, 0x00000003u, 0, &x2_guest);
    SEND(p, 0x1, APIC_DELIVERY_INIT);
    CHECK(p.why != NULL);
    /* A set without the BSP. */
    p = xplan(DM_INIT | ASSERT | LOGICAL, 0x0e, 0, &flat_guest);
    SEND(p, 0x6, APIC_DELIVERY_INIT);
    CHECK(p.why == NULL);
}

TEST(apic_ipi_init_expansion_of_only_bsp_refused)
{
    static const struct apic_vcpu two[] = {
        { .apic_id = 5, .ldr = LDR(0x01), .dfr = DFR_FLAT },      /* BSP */
        { .apic_id = 9, .ldr = LDR(0x02), .dfr = DFR_FLAT },
    };
    const struct apic_guest g2 = { 2, two, 5 };
    struct apic_ipi_plan p = xplan(DM_INIT | ASSERT | SH_OTHERS, 0, 9, &g2);

    REFUSED(p, 5);
    p = xplan(DM_INIT | ASSERT | LOGICAL, 0x01, 9, &g2);
    REFUSED(p, 5);
    p = xplan(DM_INIT | ASSERT | SH_ALL, 0, 5, &g2);
    SEND(p, 0x2, APIC_DELIVERY_INIT);
    /* A logical set matching nobody is still the guest's affair. */
    p = xplan(DM_INIT | ASSERT | LOGICAL, 0x80, 9, &g2);
    DROPPED(p);
    /* With a one-vCPU guest (the BSP), the broadcast INIT has nobody left. */
    const struct apic_guest g1 = { 1, two, 5 };

    p = xplan(DM_INIT | ASSERT, 0xff, 5, &g1);
    REFUSED(p, 5);
}

TEST(apic_ipi_bsp_outside_the_guest)
{
    /* bsp_apic_id not a vCPU: nothing to leave out, physical INIT to it refused anyway. */
    const struct apic_guest g = { 4, flat_vcpus, 7 };
    struct apic_ipi_plan p = xplan(DM_INIT | ASSERT | SH_ALL, 0, 2, &g);

    SEND(p, 0xf, APIC_DELIVERY_INIT);
    CHECK(p.why == NULL);
    p = xplan(DM_INIT | ASSERT, 7, 2, &g);
    REFUSED(p, 7);
    p = xplan(DM_INIT | ASSERT, 0, 2, &g);
    AS_IS(p);
}

/* ---- xAPIC logical destinations ------------------------------------------ */

TEST(apic_ipi_xapic_flat_logical)
{
    /* vCPU 0: 0x01, vCPU 1: 0x02, vCPU 2: 0x0c, vCPU 3: none yet. */
    static const struct { uint8_t mda; uint32_t mask; } cases[] = {
        { 0x01, 0x1 }, { 0x02, 0x2 }, { 0x04, 0x4 }, { 0x08, 0x4 }, { 0x0c, 0x4 },
        { 0x03, 0x3 }, { 0x05, 0x5 }, { 0x0f, 0x7 }, { 0x7f, 0x7 }, { 0xfe, 0x6 },
        { 0xff, 0xf },                           /* broadcast: vCPU 3 too */
    };

    for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct apic_ipi_plan p = xplan(0x40 | LOGICAL, cases[c].mda, 0, &flat_guest);

        SEND(p, cases[c].mask, APIC_DELIVERY_FIXED);
        CHECK_EQ_U64(p.icr_low, 0x40);          /* sent physically */
        CHECK(p.why == NULL);
    }
    /* Bits no guest vCPU has (outsiders have no logical ID): nobody. */
    static const uint8_t none[] = { 0x00, 0x10, 0x20, 0x40, 0x80, 0xf0 };

    for (unsigned c = 0; c < sizeof(none); c++) {
        struct apic_ipi_plan p = xplan(0x40 | LOGICAL, none[c], 0, &flat_guest);

        DROPPED(p);
    }
}

TEST(apic_ipi_xapic_cluster_logical)
{
    /* 0x00 -> c0 m0, 0x01 -> c0 m1, 0x10 -> c1 m0, 0x11 -> c1 m1. */
    static const struct { uint8_t mda; uint32_t mask; } cases[] = {
        { 0x01, 0x1 }, { 0x02, 0x2 }, { 0x03, 0x3 }, { 0x0f, 0x3 },
        { 0x11, 0x4 }, { 0x12, 0x8 }, { 0x13, 0xc }, { 0x1f, 0xc },
        { 0xff, 0xf },
    };

    for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct apic_ipi_plan p = xplan(DM_NMI | LOGICAL, cases[c].mda, 0x11, &cluster_guest);

        SEND(p, cases[c].mask, APIC_DELIVERY_NMI);
    }
    /* Another cluster, no member bits, members the cluster lacks. */
    static const uint8_t none[] = { 0x00, 0x10, 0x04, 0x08, 0x1c, 0x21, 0x2f, 0xe3, 0xf1 };

    for (unsigned c = 0; c < sizeof(none); c++) {
        struct apic_ipi_plan p = xplan(DM_NMI | LOGICAL, none[c], 0, &cluster_guest);

        DROPPED(p);
    }
    /* Cluster 1 only: read as flat, 0x13 would reach cluster 0's vCPUs too. */
    struct apic_ipi_plan p = xplan(0x40 | LOGICAL, 0x13, 0, &cluster_guest);

    SEND(p, 0xc, APIC_DELIVERY_FIXED);
}

TEST(apic_ipi_xapic_each_vcpu_its_own_model)
{
    /* vCPU 0 flat 0x01; vCPU 1 cluster 1 member 1; vCPU 2 undefined model. */
    struct apic_ipi_plan p = xplan(0x40 | LOGICAL, 0x01, 0, &mixed_guest);

    SEND(p, 0x1, APIC_DELIVERY_FIXED);
    p = xplan(0x40 | LOGICAL, 0x12, 0, &mixed_guest);
    SEND(p, 0x2, APIC_DELIVERY_FIXED);
    p = xplan(0x40 | LOGICAL, 0x13, 0, &mixed_guest);            /* flat bit 0 and c1 m0|m1 */
    SEND(p, 0x3, APIC_DELIVERY_FIXED);
    p = xplan(0x40 | LOGICAL, 0x02, 0, &mixed_guest);
    DROPPED(p);
    /* The undefined model never matches, except the broadcast. */
    for (unsigned mda = 0; mda < 0xff; mda++) {
        p = xplan(0x40 | LOGICAL, (uint8_t)mda, 0, &mixed_guest);
        CHECK(!apic_ipi_plan_targets(&p, 2));
    }
    p = xplan(0x40 | LOGICAL, 0xff, 0, &mixed_guest);
    SEND(p, 0x7, APIC_DELIVERY_FIXED);
}

TEST(apic_ipi_xapic_ldr_reset_matches_nothing)
{
    /* LDR 0 and DFR 0xFFFFFFFF (reset): only the broadcast reaches it. */
    static const struct apic_vcpu fresh[] = {
        { .apic_id = 0, .ldr = 0, .dfr = DFR_FLAT },
        { .apic_id = 1, .ldr = 0, .dfr = DFR_CLUSTER },
    };
    const struct apic_guest g = { 2, fresh, 0 };

    for (unsigned mda = 0; mda < 0xff; mda++) {
        struct apic_ipi_plan p = xplan(0x40 | LOGICAL, (uint8_t)mda, 0, &g);

        DROPPED(p);
    }
    struct apic_ipi_plan p = xplan(0x40 | LOGICAL, 0xff, 0, &g);

    SEND(p, 0x3, APIC_DELIVERY_FIXED);
}

/* ---- x2APIC logical destinations ----------------------------------------- */

TEST(apic_ipi_x2apic_cluster_logical)
{
    /* IDs 0x0, 0x1 (cluster 0), 0x10, 0x1f (cluster 1), 0x20 (2), 0x300 (0x30). */
    static const struct { uint32_t dest; uint32_t mask; } cases[] = {
        { 0x00000001u, 0x01 }, { 0x00000002u, 0x02 }, { 0x00000003u, 0x03 },
        { 0x0000ffffu, 0x03 }, { 0x00010001u, 0x04 }, { 0x00018000u, 0x08 },
        { 0x00018001u, 0x0c }, { 0x00020001u, 0x10 }, { 0x00300001u, 0x20 },
        { 0xffffffffu, 0x3f },
    };

    for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct apic_ipi_plan p = x2plan(0x40 | LOGICAL, cases[c].dest, 0x10, &x2_guest);

        SEND(p, cases[c].mask, APIC_DELIVERY_FIXED);
        CHECK_EQ_U64(p.icr_low, 0x40);
    }
    /* No member bits, members the cluster lacks (outsiders 0x2, 0x11, 0x21), other clusters. */
    static const uint32_t none[] = { 0x00000000u, 0x00010000u, 0x00000004u, 0x00010002u,
                                     0x00020002u, 0x00030001u, 0x00300002u, 0xffff0001u,
                                     0xfffffffeu, 0x7fffffffu };

    for (unsigned c = 0; c < sizeof(none) / sizeof(none[0]); c++) {
        struct apic_ipi_plan p = x2plan(0x40 | LOGICAL, none[c], 0x10, &x2_guest);

        DROPPED(p);
    }
}

TEST(apic_ipi_x2apic_logical_id_uses_bits_19_to_4)
{
    /* SDM 11.12.10.2: the logical x2APIC ID takes only ID[19:4] as the cluster. */
    static const struct apic_vcpu v[] = { { .apic_id = 0x00100005u }, { .apic_id = 0x000fffffu } };
    const struct apic_guest g = { 2, v, 0 };
    struct apic_ipi_plan p = x2plan(0x40 | LOGICAL, 0x00000020u, 0, &g);

    SEND(p, 0x1, APIC_DELIVERY_FIXED);
    p = x2plan(0x40 | LOGICAL, 0xffff8000u, 0, &g);
    SEND(p, 0x2, APIC_DELIVERY_FIXED);
    p = x2plan(0x40 | LOGICAL, 0x00100020u, 0, &g);
    DROPPED(p);
}

TEST(apic_ipi_x2apic_ignores_xapic_ldr)
{
    /* vCPU 0x10's garbage xAPIC LDR 0xff must not make it answer flat MDA bits. */
    struct apic_ipi_plan p = x2plan(0x40 | LOGICAL, 0x00000080u, 0, &x2_guest);

    DROPPED(p);
}

/* ---- lowest priority ------------------------------------------------------ */

TEST(apic_ipi_lowest_priority_one_fixed_target)
{
    /* Physical: the named vCPU, sent as fixed (not as is). */
    struct apic_ipi_plan p = xplan(DM_LOWEST | 0x61, 4, 0, &flat_guest);

    SEND(p, 0x4, APIC_DELIVERY_FIXED);
    CHECK_EQ_U64(p.icr_low, 0x61 | DM_FIXED);
    p = x2plan(DM_LOWEST | 0x61, 0x300, 0, &x2_guest);
    SEND(p, 0x20, APIC_DELIVERY_FIXED);
    /* Outsiders stay refused. */
    p = xplan(DM_LOWEST | 0x61, 5, 0, &flat_guest);
    REFUSED(p, 5);
    /* A set: the first matched vCPU only. */
    p = xplan(DM_LOWEST | LOGICAL | 0x61, 0x0e, 0, &flat_guest);
    SEND(p, 0x2, APIC_DELIVERY_FIXED);
    p = xplan(DM_LOWEST | LOGICAL | 0x61, 0x13, 0, &cluster_guest);
    SEND(p, 0x4, APIC_DELIVERY_FIXED);
    p = x2plan(DM_LOWEST | LOGICAL | 0x61, 0x00018001u, 0, &x2_guest);
    SEND(p, 0x4, APIC_DELIVERY_FIXED);
    p = xplan(DM_LOWEST | 0x61, 0xff, 0, &flat_guest);
    SEND(p, 0x1, APIC_DELIVERY_FIXED);
    p = x2plan(DM_LOWEST | 0x61, 0xffffffffu, 0, &x2_guest);
    SEND(p, 0x1, APIC_DELIVERY_FIXED);
    p = xplan(DM_LOWEST | SH_ALL | 0x61, 0, 2, &flat_guest);
    SEND(p, 0x1, APIC_DELIVERY_FIXED);
    /* All excluding self: the first that is not the sender. */
    p = xplan(DM_LOWEST | SH_OTHERS | 0x61, 0, 0, &flat_guest);
    SEND(p, 0x2, APIC_DELIVERY_FIXED);
    p = xplan(DM_LOWEST | LOGICAL | 0x61, 0xf0, 0, &flat_guest);
    DROPPED(p);
}

TEST(apic_ipi_plan_icr_low_keeps_level_and_trigger)
{
    struct apic_ipi_plan p = xplan(0xc3 | DM_NMI | ASSERT | LEVEL | SH_OTHERS, 0, 0, &flat_guest);

    SEND(p, 0xe, APIC_DELIVERY_NMI);
    CHECK_EQ_U64(p.icr_low, 0xc3 | DM_NMI | ASSERT | LEVEL);
    p = x2plan(0x22 | LEVEL | LOGICAL, 0x00010001u, 0, &x2_guest);
    SEND(p, 0x4, APIC_DELIVERY_FIXED);
    CHECK_EQ_U64(p.icr_low, 0x22 | LEVEL);
}

/* ---- guest sizes ---------------------------------------------------------- */

TEST(apic_ipi_zero_vcpus)
{
    const struct apic_guest empty = { 0, NULL, 0 };
    const struct apic_guest empty_array = { 0, flat_vcpus, 0 };    /* count wins */
    const struct apic_guest *gs[] = { &empty, &empty_array };

    for (unsigned k = 0; k < 2; k++) {
        const struct apic_guest *g = gs[k];
        struct apic_ipi_plan p = xplan(0x40, 0, 0, g);

        REFUSED(p, 0);
        p = xplan(0x40, 0xff, 0, g);
        DROPPED(p);
        p = xplan(0x40 | LOGICAL, 0x01, 0, g);
        DROPPED(p);
        p = xplan(0x40 | SH_ALL, 0, 0, g);
        DROPPED(p);
        p = xplan(0x40 | SH_OTHERS, 0, 0, g);
        DROPPED(p);
        p = xplan(0x40 | SH_SELF, 0, 0, g);
        REFUSED(p, 0);
        p = x2plan(DM_INIT, 0xffffffffu, 0, g);
        DROPPED(p);
        p = xplan(DM_SMI, 0xff, 0, g);
        REFUSED(p, 0xff);
    }
    /* A NULL guest is an empty one. */
    struct apic_ipi_plan p = xplan(0x40, 0xff, 0, NULL);

    DROPPED(p);
    CHECK(ioapic_rte_problem(RTE_DEST(0), false, NULL) != NULL);
}

TEST(apic_ipi_256_vcpus)
{
    static struct apic_vcpu big[300];

    /* x2APIC IDs 1000..1299 (xAPIC cannot number 256 CPUs). */
    for (unsigned i = 0; i < 300; i++)
        big[i] = (struct apic_vcpu){ .apic_id = 1000 + i };
    const struct apic_guest g = { APIC_GUEST_MAX, big, 1000 };
    struct apic_ipi_plan p = x2plan(0x40, 0xffffffffu, 1000, &g);

    CHECK_EQ_U64(p.action, APIC_IPI_SEND);
    CHECK(!p.as_is);
    CHECK_EQ_U64(target_count(&p), 256);
    for (unsigned w = 0; w < APIC_IPI_TARGET_WORDS; w++)
        CHECK_EQ_U64(p.targets[w], ~0ull);
    p = x2plan(0x40 | SH_OTHERS, 0, 1255, &g);
    CHECK_EQ_U64(target_count(&p), 255);
    CHECK(!apic_ipi_plan_targets(&p, 255));
    p = x2plan(DM_INIT | SH_ALL, 0, 1255, &g);
    CHECK_EQ_U64(target_count(&p), 255);
    CHECK(!apic_ipi_plan_targets(&p, 0));
    p = x2plan(0x40, 1255, 1000, &g);
    AS_IS(p);
    p = x2plan(0x40, 1256, 1000, &g);                    /* beyond count: not the guest's */
    REFUSED(p, 1256);
    p = x2plan(DM_LOWEST, 1255, 1000, &g);
    CHECK_EQ_U64(p.action, APIC_IPI_SEND);
    CHECK(!p.as_is);
    CHECK_EQ_U64(p.delivery, APIC_DELIVERY_FIXED);
    CHECK(apic_ipi_plan_targets(&p, 255));
    CHECK_EQ_U64(target_count(&p), 1);
    /* Logical: cluster of 1248..1263 (0x4e0..0x4ef) -> indices 248..255, not 256..263. */
    p = x2plan(0x40 | LOGICAL, 0x004effffu, 1000, &g);
    CHECK_EQ_U64(target_count(&p), 8);
    for (unsigned i = 248; i < 256; i++)
        CHECK(apic_ipi_plan_targets(&p, i));

    /* A count above the maximum reads only the first 256 entries. */
    const struct apic_guest over = { 300, big, 1000 };

    p = x2plan(0x40, 0xffffffffu, 1000, &over);
    CHECK_EQ_U64(target_count(&p), 256);
    p = x2plan(0x40, 1280, 1000, &over);
    REFUSED(p, 1280);
    CHECK(ioapic_rte_problem(RTE_DEST(0), false, &over) != NULL);
}

TEST(apic_ipi_count_bounds_the_array)
{
    /* Entries past count belong to nobody: never targets, never as is. */
    const struct apic_guest g = { 2, flat_vcpus, 0 };
    struct apic_ipi_plan p = xplan(0x40, 4, 0, &g);

    REFUSED(p, 4);
    p = xplan(0x40, 0xff, 0, &g);
    SEND(p, 0x3, APIC_DELIVERY_FIXED);
    p = xplan(0x40 | LOGICAL, 0x0c, 0, &g);
    DROPPED(p);
    p = xplan(0x40 | SH_ALL, 0, 0, &g);
    SEND(p, 0x3, APIC_DELIVERY_FIXED);
    CHECK(ioapic_rte_problem(RTE_DEST(4), false, &g) != NULL);
    CHECK(ioapic_rte_problem(RTE_DEST(0x0c) | RTE_LOGICAL, false, &g) != NULL);
}

/* ---- I/O APIC redirection entries --------------------------------------- */

TEST(ioapic_rte_masked_always_allowed)
{
    for (unsigned dm = 0; dm < 8; dm++) {
        for (unsigned d = 0; d < 256; d++) {
            uint64_t rte = RTE_MASK | ((uint64_t)dm << 8) | RTE_DEST(d) | 0x30;

            CHECK(ioapic_rte_problem(rte, false, &flat_guest) == NULL);
            CHECK(ioapic_rte_problem(rte | RTE_LOGICAL, false, &flat_guest) == NULL);
            CHECK(ioapic_rte_problem(rte | RTE_LOGICAL, true, &x2_guest) == NULL);
            CHECK(ioapic_rte_problem(rte, true, NULL) == NULL);
        }
    }
    /* The reset value: masked, everything else zero. */
    CHECK(ioapic_rte_problem(RTE_MASK, false, &flat_guest) == NULL);
    CHECK(ioapic_rte_problem(~0ull, false, &flat_guest) == NULL);
}

TEST(ioapic_rte_delivery_modes)
{
    /* Unmasked, to guest vCPU 2 (xAPIC) or 0x10 (x2APIC). */
    static const struct { uint32_t dm; bool ok; } modes[] = {
        { DM_FIXED, true }, { DM_LOWEST, true }, { DM_SMI, false }, { DM_RSVD3, false },
        { DM_NMI, false }, { DM_INIT, false }, { DM_SIPI, false }, { DM_EXTINT, true },
    };

    for (unsigned m = 0; m < 8; m++) {
        uint64_t rte = modes[m].dm | 0x30 | RTE_DEST(2);
        const char *why = ioapic_rte_problem(rte, false, &flat_guest);

        CHECK(modes[m].ok ? why == NULL : why != NULL && why[0] != '\0');
        why = ioapic_rte_problem(modes[m].dm | 0x30 | (1ull << 15) | (1ull << 13) |
                                 RTE_DEST(0x10), true, &x2_guest);
        CHECK(modes[m].ok ? why == NULL : why != NULL);
        /* The refusal does not depend on the destination. */
        CHECK(modes[m].ok || ioapic_rte_problem(modes[m].dm | RTE_LOGICAL | RTE_DEST(0x02),
                                                false, &flat_guest) != NULL);
    }
}

TEST(ioapic_rte_physical)
{
    for (unsigned i = 0; i < flat_guest.count; i++)
        CHECK(ioapic_rte_problem(0x30 | RTE_DEST(flat_vcpus[i].apic_id), false,
                                 &flat_guest) == NULL);
    for (unsigned o = 0; o < sizeof(flat_outsiders) / sizeof(flat_outsiders[0]); o++)
        CHECK(ioapic_rte_problem(0x30 | RTE_DEST(flat_outsiders[o]), false,
                                 &flat_guest) != NULL);
    CHECK(ioapic_rte_problem(0x30 | RTE_DEST(0xff), false, &flat_guest) != NULL);
    CHECK(ioapic_rte_problem(DM_EXTINT | RTE_DEST(0), false, &flat_guest) == NULL);
    CHECK(ioapic_rte_problem(DM_LOWEST | RTE_DEST(6), false, &flat_guest) == NULL);
    /* Reserved bits 55:17 do not move the destination. */
    CHECK(ioapic_rte_problem(0x30 | RTE_DEST(2) | 0x00fffffffffe0000ull, false,
                             &flat_guest) == NULL);
    CHECK(ioapic_rte_problem(0x30 | RTE_DEST(3) | 0x00fffffffffe0000ull, false,
                             &flat_guest) != NULL);
}

TEST(ioapic_rte_x2apic)
{
    /* Physical: x2APIC IDs below 256 only; 0xFF refused even when it is a vCPU. */
    static const struct apic_vcpu v[] = {
        { .apic_id = 0x00 }, { .apic_id = 0x20 }, { .apic_id = 0xff }, { .apic_id = 0x120 },
    };
    const struct apic_guest g = { 4, v, 0 };

    CHECK(ioapic_rte_problem(0x30 | RTE_DEST(0x00), true, &g) == NULL);
    CHECK(ioapic_rte_problem(0x30 | RTE_DEST(0x20), true, &g) == NULL);
    CHECK(ioapic_rte_problem(0x30 | RTE_DEST(0xff), true, &g) != NULL);
    CHECK(ioapic_rte_problem(0x30 | RTE_DEST(0x21), true, &g) != NULL);
    for (unsigned d = 0; d < 256; d++) {
        const char *why = ioapic_rte_problem(0x30 | RTE_DEST(d), true, &g);

        CHECK((d == 0x00 || d == 0x20) ? why == NULL : why != NULL);
    }
    /* Logical: always refused in x2APIC mode, whatever the xAPIC LDRs say. */
    for (unsigned d = 0; d < 256; d++) {
        CHECK(ioapic_rte_problem(0x30 | RTE_LOGICAL | RTE_DEST(d), true, &g) != NULL);
        CHECK(ioapic_rte_problem(0x30 | RTE_LOGICAL | RTE_DEST(d), true, &flat_guest) != NULL);
    }
}

TEST(ioapic_rte_xapic_flat_logical)
{
    /* Owned flat bits: 0x01 (vCPU 0), 0x02 (vCPU 2), 0x04 and 0x08 (vCPU 4). */
    for (unsigned d = 0; d < 256; d++) {
        const char *why = ioapic_rte_problem(0x30 | RTE_LOGICAL | RTE_DEST(d), false,
                                             &flat_guest);
        bool ok = d != 0 && (d & ~0x0fu) == 0;

        CHECK(ok ? why == NULL : why != NULL);
    }
    CHECK(ioapic_rte_problem(DM_LOWEST | RTE_LOGICAL | RTE_DEST(0x0f), false,
                             &flat_guest) == NULL);
    /* One unowned bit among owned ones is enough to refuse. */
    CHECK(ioapic_rte_problem(0x30 | RTE_LOGICAL | RTE_DEST(0x11), false, &flat_guest) != NULL);
}

TEST(ioapic_rte_xapic_cluster_logical)
{
    /* Cluster 0 members 0, 1; cluster 1 members 0, 1. */
    for (unsigned d = 0; d < 256; d++) {
        const char *why = ioapic_rte_problem(0x30 | RTE_LOGICAL | RTE_DEST(d), false,
                                             &cluster_guest);
        unsigned cl = d >> 4, members = d & 0xf;
        bool ok = cl <= 1 && members != 0 && (members & ~0x3u) == 0;

        CHECK(ok ? why == NULL : why != NULL);
    }
}

TEST(ioapic_rte_xapic_logical_model_disagreement)
{
    /* Flat and cluster IDs at once: refused, whichever reading would fit. */
    CHECK(ioapic_rte_problem(0x30 | RTE_LOGICAL | RTE_DEST(0x01), false, &mixed_guest) != NULL);
    CHECK(ioapic_rte_problem(0x30 | RTE_LOGICAL | RTE_DEST(0x12), false, &mixed_guest) != NULL);
    /* A vCPU without a logical ID (reset LDR) does not disagree with anyone. */
    static const struct apic_vcpu v[] = {
        { .apic_id = 0, .ldr = LDR(0x11), .dfr = DFR_CLUSTER },
        { .apic_id = 1, .ldr = 0, .dfr = DFR_FLAT },
        { .apic_id = 2, .ldr = LDR(0xff), .dfr = DFR_UNDEF },
        { .apic_id = 3, .ldr = LDR(0x20), .dfr = DFR_CLUSTER },    /* cluster 2, no members */
    };
    const struct apic_guest g = { 4, v, 0 };

    CHECK(ioapic_rte_problem(0x30 | RTE_LOGICAL | RTE_DEST(0x11), false, &g) == NULL);
    CHECK(ioapic_rte_problem(0x30 | RTE_LOGICAL | RTE_DEST(0x01), false, &g) != NULL);
    CHECK(ioapic_rte_problem(0x30 | RTE_LOGICAL | RTE_DEST(0x21), false, &g) != NULL);
    /* Nobody with a logical ID at all. */
    static const struct apic_vcpu fresh[] = { { .apic_id = 0, .dfr = DFR_FLAT } };
    const struct apic_guest gf = { 1, fresh, 0 };

    for (unsigned d = 0; d < 256; d++)
        CHECK(ioapic_rte_problem(0x30 | RTE_LOGICAL | RTE_DEST(d), false, &gf) != NULL);
}

/* ---- sweeps ----------------------------------------------------------------- */

static uint64_t next_rand(uint64_t *s)
{
    /* xorshift64*: deterministic, so a failure reproduces. */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static bool guest_has(const struct apic_guest *g, uint32_t id)
{
    unsigned n = g->count < APIC_GUEST_MAX ? g->count : APIC_GUEST_MAX;

    for (unsigned i = 0; i < n; i++) {
        if (g->vcpus[i].apic_id == id)
            return true;
    }
    return false;
}

/* What every plan must satisfy, whatever the ICR. */
static void check_plan_invariants(struct unit_ctx *unit_ctx_, const struct apic_icr *icr,
                                  bool x2apic, uint32_t sender, const struct apic_guest *g,
                                  const struct apic_ipi_plan *p)
{
    unsigned n = g->count < APIC_GUEST_MAX ? g->count : APIC_GUEST_MAX;
    uint32_t broadcast = x2apic ? 0xffffffffu : 0xffu;
    unsigned count = target_count(p);

    CHECK(p->action == APIC_IPI_SEND || p->action == APIC_IPI_DROP ||
          p->action == APIC_IPI_REFUSE);
    for (unsigned i = n; i < APIC_GUEST_MAX; i++)
        CHECK(!apic_ipi_plan_targets(p, i));                 /* nothing outside the guest */
    if (p->action != APIC_IPI_SEND || p->as_is)
        CHECK_EQ_U64(count, 0);
    if (p->action == APIC_IPI_REFUSE)
        CHECK(p->why != NULL && p->why[0] != '\0');
    if (p->action == APIC_IPI_DROP)
        CHECK(p->why == NULL);
    if (icr->delivery == APIC_DELIVERY_SMI || icr->delivery == 3 || icr->delivery == 7 ||
        (x2apic && icr->reserved_bits != 0))
        CHECK_EQ_U64(p->action, APIC_IPI_REFUSE);
    if (p->action != APIC_IPI_SEND)
        return;

    if (p->as_is) {
        /* Only where the guest's own ICR reaches exactly one guest vCPU. */
        if (icr->shorthand == APIC_SHORTHAND_SELF) {
            CHECK_EQ_U64(icr->delivery, APIC_DELIVERY_FIXED);
            CHECK(guest_has(g, sender));
        } else {
            CHECK_EQ_U64(icr->shorthand, APIC_SHORTHAND_NONE);
            CHECK(!icr->logical);
            CHECK(icr->dest != broadcast);
            CHECK(guest_has(g, icr->dest));
            CHECK(icr->delivery != APIC_DELIVERY_LOWEST);
            CHECK(icr->delivery != APIC_DELIVERY_INIT || icr->dest != g->bsp_apic_id);
        }
        return;
    }
    CHECK(count >= 1);
    CHECK(p->delivery == APIC_DELIVERY_FIXED || p->delivery == APIC_DELIVERY_NMI ||
          p->delivery == APIC_DELIVERY_INIT || p->delivery == APIC_DELIVERY_STARTUP);
    if (icr->delivery == APIC_DELIVERY_LOWEST) {
        CHECK_EQ_U64(count, 1);
        CHECK_EQ_U64(p->delivery, APIC_DELIVERY_FIXED);
    } else {
        CHECK_EQ_U64(p->delivery, icr->delivery);
    }
    CHECK(icr->shorthand != APIC_SHORTHAND_SELF);
    /* icr_low: physical, no shorthand, the guest's vector/level/trigger. */
    CHECK_EQ_U64(p->icr_low & 0xff, icr->vector);
    CHECK_EQ_U64((p->icr_low >> 8) & 7, p->delivery);
    CHECK_EQ_U64(p->icr_low & ~(0xffu | 0x700u | ASSERT | LEVEL), 0);
    CHECK_EQ_U64((p->icr_low & ASSERT) != 0, icr->level_assert);
    CHECK_EQ_U64((p->icr_low & LEVEL) != 0, icr->level_trigger);
    CHECK(p->why == NULL || icr->delivery == APIC_DELIVERY_INIT);
    for (unsigned i = 0; i < n; i++) {
        if (!apic_ipi_plan_targets(p, i))
            continue;
        if (icr->delivery == APIC_DELIVERY_INIT)
            CHECK(g->vcpus[i].apic_id != g->bsp_apic_id);
        if (icr->shorthand == APIC_SHORTHAND_OTHERS)
            CHECK(g->vcpus[i].apic_id != sender);
        if (icr->shorthand == APIC_SHORTHAND_NONE && !icr->logical && icr->dest != broadcast)
            CHECK_EQ_U64(g->vcpus[i].apic_id, icr->dest);   /* lowest priority, physical */
    }
}

/* A destination worth trying: mostly the interesting ones, sometimes anything. */
static uint32_t pick_dest(uint64_t r, bool x2apic, const struct apic_guest *g)
{
    unsigned n = g->count;

    switch (r % 6) {
    case 0:
        return n > 0 ? g->vcpus[(r >> 8) % n].apic_id : 0;
    case 1:
        return x2apic ? 0xffffffffu : 0xffu;
    case 2:
        return (uint32_t)((r >> 8) % 16);
    case 3:
        return x2apic ? (uint32_t)(((r >> 8) & 0x3) << 16 | ((r >> 16) & 0xffff))
                      : (uint32_t)((r >> 8) & 0xff);
    default:
        return x2apic ? (uint32_t)(r >> 32) : (uint32_t)((r >> 32) & 0xff);
    }
}

static const struct apic_guest *const sweep_guests[] = {
    &flat_guest, &cluster_guest, &mixed_guest, &x2_guest,
};

TEST(apic_ipi_every_control_combination)
{
    /* Every delivery mode x destination mode x level x trigger x shorthand,
     * against every guest, from the BSP, an AP and an outsider, to each
     * guest vCPU, an outsider and the broadcast. */
    for (unsigned gi = 0; gi < sizeof(sweep_guests) / sizeof(sweep_guests[0]); gi++) {
        const struct apic_guest *g = sweep_guests[gi];

        for (unsigned x2 = 0; x2 < 2; x2++) {
            uint32_t dests[8] = { 0xff, 0xffffffffu, 3, 0x11, 0x12 };
            unsigned nd = 5;
            uint32_t senders[3] = { g->bsp_apic_id, g->vcpus[g->count - 1].apic_id, 0x77 };

            for (unsigned i = 0; i < g->count && nd < 8; i++)
                dests[nd++] = g->vcpus[i].apic_id;
            for (uint32_t ctl = 0; ctl < 256; ctl++) {
                uint32_t low = 0x5a | (ctl & 7) << 8 | ((ctl >> 3) & 1) << 11 |
                               ((ctl >> 4) & 1) << 14 | ((ctl >> 5) & 1) << 15 |
                               ((ctl >> 6) & 3) << 18;

                for (unsigned d = 0; d < nd; d++) {
                    for (unsigned s = 0; s < 3; s++) {
                        uint32_t high = x2 ? dests[d] : XDEST(dests[d] & 0xff);
                        struct apic_icr icr = apic_icr_decode(low, high, x2 != 0);
                        struct apic_ipi_plan p;

                        apic_ipi_plan(&icr, x2 != 0, senders[s], g, &p);
                        check_plan_invariants(unit_ctx_, &icr, x2 != 0, senders[s], g, &p);
                        CHECK_PASSING();
                    }
                }
            }
        }
    }
}

TEST(apic_ipi_random_sweep)
{
    uint64_t seed = 0x6b657374726c3031ull;

    for (unsigned iter = 0; iter < 200000; iter++) {
        const struct apic_guest *g = sweep_guests[next_rand(&seed) % 4];
        bool x2apic = (next_rand(&seed) & 1) != 0;
        uint64_t r = next_rand(&seed);
        uint32_t low = (uint32_t)next_rand(&seed);
        uint32_t dest = pick_dest(next_rand(&seed), x2apic, g);
        uint32_t high = x2apic ? dest : XDEST(dest) | (uint32_t)(r & 0xffffff);
        uint32_t sender = (r >> 24) % 3 == 0 ? (uint32_t)(r >> 32)
                                             : g->vcpus[(r >> 32) % g->count].apic_id;
        struct apic_icr icr;
        struct apic_ipi_plan p;

        /* Half the time, a valid x2APIC ICR: otherwise reserved bits refuse most. */
        if (x2apic && (r & (1ull << 60)) != 0)
            low &= ~X2_RESERVED;
        icr = apic_icr_decode(low, high, x2apic);
        __builtin_memset(&p, (int)(r & 0xff), sizeof(p));
        apic_ipi_plan(&icr, x2apic, sender, g, &p);
        check_plan_invariants(unit_ctx_, &icr, x2apic, sender, g, &p);
        CHECK_PASSING();
    }
}

/* What every allowed redirection entry must satisfy. */
static void check_rte_invariants(struct unit_ctx *unit_ctx_, uint64_t rte, bool x2apic,
                                 const struct apic_guest *g, const char *why)
{
    unsigned dm = (unsigned)(rte >> 8) & 7;
    uint32_t dest = (uint32_t)(rte >> 56);
    bool matched = false;

    if ((rte & RTE_MASK) != 0) {
        CHECK(why == NULL);
        return;
    }
    if (why != NULL) {
        CHECK(why[0] != '\0');
        return;
    }
    CHECK(dm == 0 || dm == 1 || dm == 7);
    CHECK(dest != 0xff);
    if ((rte & RTE_LOGICAL) == 0) {
        CHECK(guest_has(g, dest));
        return;
    }
    CHECK(!x2apic);
    /* Some guest vCPU answers (reference reading of SDM 11.6.2.2). */
    for (unsigned i = 0; i < g->count; i++) {
        const struct apic_vcpu *v = &g->vcpus[i];
        uint32_t id = v->ldr >> 24;

        if (v->dfr >> 28 == 0xf && (id & dest) != 0)
            matched = true;
        if (v->dfr >> 28 == 0 && id >> 4 == dest >> 4 && (id & dest & 0xf) != 0)
            matched = true;
    }
    CHECK(matched);
}

TEST(ioapic_rte_random_sweep)
{
    uint64_t seed = 0x696f617069633031ull;

    for (unsigned iter = 0; iter < 200000; iter++) {
        const struct apic_guest *g = sweep_guests[next_rand(&seed) % 4];
        bool x2apic = (next_rand(&seed) & 1) != 0;
        uint64_t rte = next_rand(&seed);
        uint64_t r = next_rand(&seed);

        /* Bias towards unmasked entries with interesting destinations. */
        if ((r & 3) != 0)
            rte &= ~RTE_MASK;
        if ((r & 4) != 0)
            rte = (rte & ~RTE_DEST(0xff)) | RTE_DEST(pick_dest(r >> 8, false, g) & 0xff);
        check_rte_invariants(unit_ctx_, rte, x2apic, g, ioapic_rte_problem(rte, x2apic, g));
        CHECK_PASSING();
    }
}

TEST_SUITE(apic_dest,
           UNIT(apic_icr_decode_xapic),
           UNIT(apic_icr_decode_x2apic),
           UNIT(apic_icr_low_high_physical),
           UNIT(apic_ipi_smi_always_refused),
           UNIT(apic_ipi_reserved_delivery_refused),
           UNIT(apic_ipi_x2apic_reserved_bits_refused),
           UNIT(apic_ipi_self_fixed_as_is),
           UNIT(apic_ipi_self_other_modes_refused),
           UNIT(apic_ipi_self_from_outsider_refused),
           UNIT(apic_ipi_physical_guest_vcpu_as_is),
           UNIT(apic_ipi_physical_outsider_refused),
           UNIT(apic_ipi_physical_broadcast),
           UNIT(apic_ipi_x2apic_id_ff_is_a_cpu),
           UNIT(apic_ipi_all_including_self),
           UNIT(apic_ipi_all_excluding_self),
           UNIT(apic_ipi_init_bsp_refused),
           UNIT(apic_ipi_init_expansions_leave_bsp_out),
           UNIT(apic_ipi_init_expansion_of_only_bsp_refused),
           UNIT(apic_ipi_bsp_outside_the_guest),
           UNIT(apic_ipi_xapic_flat_logical),
           UNIT(apic_ipi_xapic_cluster_logical),
           UNIT(apic_ipi_xapic_each_vcpu_its_own_model),
           UNIT(apic_ipi_xapic_ldr_reset_matches_nothing),
           UNIT(apic_ipi_x2apic_cluster_logical),
           UNIT(apic_ipi_x2apic_logical_id_uses_bits_19_to_4),
           UNIT(apic_ipi_x2apic_ignores_xapic_ldr),
           UNIT(apic_ipi_lowest_priority_one_fixed_target),
           UNIT(apic_ipi_plan_icr_low_keeps_level_and_trigger),
           UNIT(apic_ipi_zero_vcpus),
           UNIT(apic_ipi_256_vcpus),
           UNIT(apic_ipi_count_bounds_the_array),
           UNIT(ioapic_rte_masked_always_allowed),
           UNIT(ioapic_rte_delivery_modes),
           UNIT(ioapic_rte_physical),
           UNIT(ioapic_rte_x2apic),
           UNIT(ioapic_rte_xapic_flat_logical),
           UNIT(ioapic_rte_xapic_cluster_logical),
           UNIT(ioapic_rte_xapic_logical_model_disagreement),
           UNIT(apic_ipi_every_control_combination),
           UNIT(apic_ipi_random_sweep),
           UNIT(ioapic_rte_random_sweep));
