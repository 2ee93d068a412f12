/*
 * An AP's start-up state, backend-neutral and pure (unit-tested on the
 * host): where it is between INIT and SIPI, and a SIPI that came for it.
 *
 * Two ways to start a guest's AP (docs/vmx.md, docs/svm.md):
 *   mediated  the mediated ICR (core/apic_guard.c) hands the guest's INIT
 *             and SIPI to Kestrel (ap_start_init, ap_start_sipi, on the
 *             sender's CPU); the AP waits in Kestrel and acts on them on its
 *             own CPU (ap_start_take_init, ap_start_take_sipi).  SVM always;
 *             VMX without wait-for-SIPI or with ap_start = mediated.
 *   hardware  VMX's wait-for-SIPI activity state: the CPU itself takes the
 *             INIT and SIPI, as exits; the handlers record what happened
 *             (ap_start_hw_init, ap_start_hw_sipi).
 *
 * All of it is one word changed only by compare-and-swap, so a sender and
 * the AP can never see half a transition: a SIPI is either latched or
 * ignored, never lost between two flags.  Phases:
 *   WAIT_SIPI     reset state, runs no guest code; the first SIPI is latched
 *                 and starts it (later ones are ignored, as by the hardware);
 *   RUNNING       runs guest code; a SIPI is ignored, an INIT makes it
 *   INIT_PENDING  (still running until the AP acts on it, at its next exit,
 *                 which a kick forces); a SIPI after that INIT is latched and
 *                 starts the AP right after it resets.
 * An INIT discards a SIPI latched before it.
 */
#ifndef KESTREL_CORE_AP_START_H
#define KESTREL_CORE_AP_START_H

#include <stdbool.h>
#include <stdint.h>

enum ap_phase {
    AP_PHASE_WAIT_SIPI = 0,
    AP_PHASE_RUNNING = 1,
    AP_PHASE_INIT_PENDING = 2,
};

/* The word: bits 7:0 the latched vector, bit 8 "a SIPI is latched",
 * bits 10:9 the phase. */
#define AP_WORD_VECTOR_MASK  0xffu
#define AP_WORD_SIPI_LATCHED (1u << 8)
#define AP_WORD_PHASE_SHIFT  9
#define AP_WORD_PHASE_MASK   (3u << AP_WORD_PHASE_SHIFT)

struct ap_start {
    volatile uint32_t word;
};

/* What happens to the word (ap_start_next). */
enum ap_event {
    AP_EVENT_INIT,          /* a mediated INIT arrived (sender) */
    AP_EVENT_SIPI,          /* a mediated SIPI with a vector arrived (sender) */
    AP_EVENT_TAKE_INIT,     /* the AP acts on its pending INIT (its own CPU) */
    AP_EVENT_TAKE_SIPI,     /* the AP starts at its latched SIPI (its own CPU) */
    AP_EVENT_HW_INIT,       /* the CPU's own INIT exit (wait-for-SIPI in hardware) */
    AP_EVENT_HW_SIPI,       /* the CPU's own SIPI exit */
};

/* The pure transition: the word after `event` (vector: AP_EVENT_SIPI's),
 * and in *effect whether the event did something: INIT to a running AP
 * (it needs a kick), a SIPI latched, an INIT or SIPI taken.  An event that
 * does nothing leaves the word as it is. */
uint32_t ap_start_next(uint32_t word, enum ap_event event, uint8_t vector, bool *effect);

static inline enum ap_phase ap_word_phase(uint32_t word)
{
    return (enum ap_phase)((word & AP_WORD_PHASE_MASK) >> AP_WORD_PHASE_SHIFT);
}

/* A guest's BSP starts running; every AP in wait-for-SIPI. */
void ap_start_reset(struct ap_start *a, bool running);

/* Sender side.  INIT: true when the AP was running and must be kicked to
 * act on it.  SIPI: true when it was latched. */
bool ap_start_init(struct ap_start *a);
bool ap_start_sipi(struct ap_start *a, uint8_t vector);

/* The AP's side.  TAKE_INIT: true when an INIT was pending (the AP now
 * waits for a SIPI; one latched already stays).  TAKE_SIPI: true with the
 * vector when one is latched (the AP now runs). */
bool ap_start_take_init(struct ap_start *a);
bool ap_start_take_sipi(struct ap_start *a, uint8_t *vector);

/* The hardware path: the CPU went to wait-for-SIPI (INIT exit) or left it
 * (SIPI exit). */
void ap_start_hw_init(struct ap_start *a);
void ap_start_hw_sipi(struct ap_start *a);

static inline enum ap_phase ap_start_phase(const struct ap_start *a)
{
    return ap_word_phase(__atomic_load_n(&a->word, __ATOMIC_ACQUIRE));
}

/* Running guest code (an INIT it has not acted on yet included). */
static inline bool ap_start_running(const struct ap_start *a)
{
    return ap_start_phase(a) != AP_PHASE_WAIT_SIPI;
}

static inline bool ap_start_init_pending(const struct ap_start *a)
{
    return ap_start_phase(a) == AP_PHASE_INIT_PENDING;
}

#endif
