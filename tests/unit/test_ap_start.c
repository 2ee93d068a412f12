/* The AP start-up state machine (core/ap_start.c). */
#include "test.h"
#include "core/ap_start.h"

static struct ap_start waiting_ap(void)
{
    struct ap_start a;
    ap_start_reset(&a, false);
    return a;
}

TEST(ap_start_reset_states)
{
    struct ap_start a;
    ap_start_reset(&a, true);
    CHECK_EQ_U64(ap_start_phase(&a), AP_PHASE_RUNNING);
    CHECK(ap_start_running(&a));
    ap_start_reset(&a, false);
    CHECK_EQ_U64(ap_start_phase(&a), AP_PHASE_WAIT_SIPI);
    CHECK(!ap_start_running(&a));
    uint8_t v = 0x55;
    CHECK(!ap_start_take_sipi(&a, &v));
    CHECK_EQ_U64(v, 0x55);
    CHECK(!ap_start_take_init(&a));
}

/* The guest's INIT-SIPI-SIPI to an AP that never ran: the first SIPI
 * starts it, the second is ignored. */
TEST(ap_start_first_start)
{
    struct ap_start a = waiting_ap();
    uint8_t v = 0;
    CHECK(!ap_start_init(&a));                 /* waiting: no kick needed */
    CHECK(ap_start_sipi(&a, 0x9a));
    CHECK(!ap_start_sipi(&a, 0x9b));
    CHECK(!ap_start_running(&a));              /* until the AP itself acts */
    CHECK(ap_start_take_sipi(&a, &v));
    CHECK_EQ_U64(v, 0x9a);
    CHECK(ap_start_running(&a));
    CHECK(!ap_start_take_sipi(&a, &v));
}

/* A SIPI latched before the AP looked is never lost. */
TEST(ap_start_sipi_before_the_ap_waits)
{
    struct ap_start a = waiting_ap();
    uint8_t v = 0;
    CHECK(ap_start_sipi(&a, 0x10));
    CHECK(ap_start_take_sipi(&a, &v));
    CHECK_EQ_U64(v, 0x10);
}

/* Restarting a running AP: INIT needs a kick; a SIPI sent before the AP
 * acted on the INIT is kept and starts it right after its reset. */
TEST(ap_start_restart_running_ap)
{
    struct ap_start a;
    uint8_t v = 0;
    ap_start_reset(&a, true);
    CHECK(ap_start_init(&a));
    CHECK(ap_start_init_pending(&a));
    CHECK(ap_start_running(&a));               /* still runs until its next exit */
    CHECK(!ap_start_init(&a));                 /* a second INIT: already kicked */
    CHECK(ap_start_sipi(&a, 0x20));
    CHECK(!ap_start_sipi(&a, 0x21));
    CHECK(!ap_start_take_sipi(&a, &v));        /* not before the INIT is taken */
    CHECK(ap_start_take_init(&a));
    CHECK(!ap_start_take_init(&a));
    CHECK_EQ_U64(ap_start_phase(&a), AP_PHASE_WAIT_SIPI);
    CHECK(ap_start_take_sipi(&a, &v));
    CHECK_EQ_U64(v, 0x20);
    CHECK(ap_start_running(&a));
}

/* The window two flags had: the AP took the INIT, then the SIPI came. */
TEST(ap_start_sipi_right_after_the_init_was_taken)
{
    struct ap_start a;
    uint8_t v = 0;
    ap_start_reset(&a, true);
    CHECK(ap_start_init(&a));
    CHECK(ap_start_take_init(&a));
    CHECK(ap_start_sipi(&a, 0x30));
    CHECK(ap_start_take_sipi(&a, &v));
    CHECK_EQ_U64(v, 0x30);
}

TEST(ap_start_sipi_to_running_ap_is_ignored)
{
    struct ap_start a;
    uint8_t v = 0;
    ap_start_reset(&a, true);
    CHECK(!ap_start_sipi(&a, 0x40));
    CHECK(ap_start_init(&a));
    CHECK(ap_start_take_init(&a));
    CHECK(!ap_start_take_sipi(&a, &v));        /* the ignored SIPI does not start it */
}

TEST(ap_start_init_discards_a_latched_sipi)
{
    struct ap_start a = waiting_ap();
    uint8_t v = 0;
    CHECK(ap_start_sipi(&a, 0x50));
    CHECK(!ap_start_init(&a));
    CHECK(!ap_start_take_sipi(&a, &v));
    CHECK(ap_start_sipi(&a, 0x51));
    CHECK(ap_start_take_sipi(&a, &v));
    CHECK_EQ_U64(v, 0x51);

    /* The same while an INIT is pending: the second INIT voids the SIPI
     * between them. */
    CHECK(ap_start_init(&a));
    CHECK(ap_start_sipi(&a, 0x52));
    CHECK(!ap_start_init(&a));
    CHECK(ap_start_take_init(&a));
    CHECK(!ap_start_take_sipi(&a, &v));
}

/* The CPU's own wait-for-SIPI (VMX): its exits set the phase. */
TEST(ap_start_hardware_path)
{
    struct ap_start a;
    ap_start_reset(&a, true);
    ap_start_hw_init(&a);
    CHECK_EQ_U64(ap_start_phase(&a), AP_PHASE_WAIT_SIPI);
    ap_start_hw_sipi(&a);
    CHECK_EQ_U64(ap_start_phase(&a), AP_PHASE_RUNNING);
    ap_start_hw_init(&a);
    ap_start_hw_init(&a);
    CHECK(!ap_start_running(&a));
}

TEST(ap_start_vector_zero_and_ff)
{
    struct ap_start a = waiting_ap();
    uint8_t v = 1;
    CHECK(ap_start_sipi(&a, 0));
    CHECK(ap_start_take_sipi(&a, &v));
    CHECK_EQ_U64(v, 0);
    CHECK(ap_start_init(&a));
    CHECK(ap_start_take_init(&a));
    CHECK(ap_start_sipi(&a, 0xff));
    CHECK(ap_start_take_sipi(&a, &v));
    CHECK_EQ_U64(v, 0xff);
}

/*
 * Every sequence of up to 8 events against the hardware's meaning: a CPU
 * that acts on each INIT and SIPI at once ("logical": reset on INIT,
 * started by the first SIPI after it, deaf to SIPIs while running).  The AP
 * here lags (it acts only at TAKE events), but once it has acted on
 * everything it must be where the logical CPU is, started at the same
 * vector; and an INIT asks for a kick exactly when the AP was running.
 */
enum { EV_INIT, EV_SIPI_A, EV_SIPI_B, EV_TAKE_INIT, EV_TAKE_SIPI, EV_COUNT };
#define SEQ_MAX 8

struct logical_cpu {
    bool running;
    uint8_t vector;               /* where it last started */
};

static void drain(struct ap_start *a, bool *ap_ran, uint8_t *ap_vector)
{
    for (;;) {
        uint8_t v;
        if (ap_start_take_init(a)) {
            *ap_ran = false;
            continue;
        }
        if (ap_start_take_sipi(a, &v)) {
            *ap_ran = true;
            *ap_vector = v;
            continue;
        }
        return;
    }
}

static void check_sequence(struct unit_ctx *unit_ctx_, const unsigned *ev, unsigned n)
{
    struct ap_start a = waiting_ap();
    struct logical_cpu cpu = { false, 0 };
    bool ap_ran = false;
    uint8_t ap_vector = 0;

    for (unsigned i = 0; i < n; i++) {
        enum ap_phase before = ap_start_phase(&a);
        uint8_t v = 0;
        switch (ev[i]) {
        case EV_INIT: {
            bool kick = ap_start_init(&a);
            CHECK_EQ_U64(kick, before == AP_PHASE_RUNNING);
            cpu.running = false;
            break;
        }
        case EV_SIPI_A:
        case EV_SIPI_B: {
            uint8_t vec = ev[i] == EV_SIPI_A ? 0xa0 : 0xb0;
            ap_start_sipi(&a, vec);
            if (!cpu.running) {
                cpu.running = true;
                cpu.vector = vec;
            }
            break;
        }
        case EV_TAKE_INIT:
            if (ap_start_take_init(&a)) {
                CHECK_EQ_U64(before, AP_PHASE_INIT_PENDING);
                ap_ran = false;
            }
            break;
        case EV_TAKE_SIPI:
            if (ap_start_take_sipi(&a, &v)) {
                CHECK_EQ_U64(before, AP_PHASE_WAIT_SIPI);
                ap_ran = true;
                ap_vector = v;
            }
            break;
        }
    }
    drain(&a, &ap_ran, &ap_vector);
    CHECK_EQ_U64(ap_ran, cpu.running);
    CHECK_EQ_U64(ap_start_running(&a), cpu.running);
    if (cpu.running) {
        CHECK_EQ_U64(ap_vector, cpu.vector);
    }
}

TEST(ap_start_every_sequence_matches_the_hardware)
{
    unsigned ev[SEQ_MAX];
    for (unsigned n = 1; n <= SEQ_MAX; n++) {
        unsigned total = 1;
        for (unsigned i = 0; i < n; i++) {
            total *= EV_COUNT;
        }
        for (unsigned code = 0; code < total; code++) {
            unsigned c = code;
            for (unsigned i = 0; i < n; i++) {
                ev[i] = c % EV_COUNT;
                c /= EV_COUNT;
            }
            check_sequence(unit_ctx_, ev, n);
            if (unit_ctx_->failed) {
                return;
            }
        }
    }
}

/* The pure transition leaves the word alone when nothing happens. */
TEST(ap_start_next_no_effect_keeps_the_word)
{
    bool effect = true;
    uint32_t running = (uint32_t)AP_PHASE_RUNNING << AP_WORD_PHASE_SHIFT;
    CHECK_EQ_U64(ap_start_next(running, AP_EVENT_SIPI, 7, &effect), running);
    CHECK(!effect);
    CHECK_EQ_U64(ap_start_next(running, AP_EVENT_TAKE_INIT, 0, &effect), running);
    CHECK(!effect);
    CHECK_EQ_U64(ap_start_next(running, AP_EVENT_TAKE_SIPI, 0, &effect), running);
    CHECK(!effect);
    uint32_t latched = AP_WORD_SIPI_LATCHED | 0x12;
    CHECK_EQ_U64(ap_start_next(latched, AP_EVENT_SIPI, 0x34, &effect), latched);
    CHECK(!effect);
}

TEST_SUITE(ap_start,
    UNIT(ap_start_reset_states),
    UNIT(ap_start_first_start),
    UNIT(ap_start_sipi_before_the_ap_waits),
    UNIT(ap_start_restart_running_ap),
    UNIT(ap_start_sipi_right_after_the_init_was_taken),
    UNIT(ap_start_sipi_to_running_ap_is_ignored),
    UNIT(ap_start_init_discards_a_latched_sipi),
    UNIT(ap_start_hardware_path),
    UNIT(ap_start_vector_zero_and_ff),
    UNIT(ap_start_every_sequence_matches_the_hardware),
    UNIT(ap_start_next_no_effect_keeps_the_word),
);
