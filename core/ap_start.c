/* An AP's start-up state machine (see ap_start.h). */
#include "core/ap_start.h"

static uint32_t make_word(enum ap_phase phase, bool latched, uint8_t vector)
{
    return ((uint32_t)phase << AP_WORD_PHASE_SHIFT) | (latched ? AP_WORD_SIPI_LATCHED : 0) |
           (latched ? vector : 0);
}

uint32_t ap_start_next(uint32_t word, enum ap_event event, uint8_t vector, bool *effect)
{
    enum ap_phase phase = ap_word_phase(word);
    bool latched = (word & AP_WORD_SIPI_LATCHED) != 0;
    uint8_t latched_vector = (uint8_t)(word & AP_WORD_VECTOR_MASK);

    *effect = false;
    switch (event) {
    case AP_EVENT_INIT:
        /* Any INIT voids a SIPI latched before it.  A waiting AP just stays
         * in its reset state; a running one has to be told. */
        *effect = phase == AP_PHASE_RUNNING;
        return make_word(phase == AP_PHASE_WAIT_SIPI ? AP_PHASE_WAIT_SIPI : AP_PHASE_INIT_PENDING,
                         false, 0);
    case AP_EVENT_SIPI:
        /* Only the first SIPI after the INIT counts; a running AP ignores
         * SIPIs, as a CPU outside wait-for-SIPI does. */
        if (phase == AP_PHASE_RUNNING || latched) {
            return word;
        }
        *effect = true;
        return make_word(phase, true, vector);
    case AP_EVENT_TAKE_INIT:
        if (phase != AP_PHASE_INIT_PENDING) {
            return word;
        }
        *effect = true;
        return make_word(AP_PHASE_WAIT_SIPI, latched, latched_vector);
    case AP_EVENT_TAKE_SIPI:
        if (phase != AP_PHASE_WAIT_SIPI || !latched) {
            return word;
        }
        *effect = true;
        return make_word(AP_PHASE_RUNNING, false, 0);
    case AP_EVENT_HW_INIT:
        *effect = true;
        return make_word(AP_PHASE_WAIT_SIPI, false, 0);
    case AP_EVENT_HW_SIPI:
        *effect = true;
        return make_word(AP_PHASE_RUNNING, false, 0);
    }
    return word;
}

/* One event, applied atomically: a sender on another CPU and the AP may
 * race, and each sees the word either before or after the other's event. */
static bool apply(struct ap_start *a, enum ap_event event, uint8_t vector, uint32_t *before)
{
    uint32_t old = __atomic_load_n(&a->word, __ATOMIC_ACQUIRE);
    for (;;) {
        bool effect;
        uint32_t next = ap_start_next(old, event, vector, &effect);
        if (next == old || __atomic_compare_exchange_n(&a->word, &old, next, false,
                                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            if (before) {
                *before = old;
            }
            return effect;
        }
    }
}

void ap_start_reset(struct ap_start *a, bool running)
{
    __atomic_store_n(&a->word, make_word(running ? AP_PHASE_RUNNING : AP_PHASE_WAIT_SIPI, false, 0),
                     __ATOMIC_RELEASE);
}

bool ap_start_init(struct ap_start *a)
{
    return apply(a, AP_EVENT_INIT, 0, 0);
}

bool ap_start_sipi(struct ap_start *a, uint8_t vector)
{
    return apply(a, AP_EVENT_SIPI, vector, 0);
}

bool ap_start_take_init(struct ap_start *a)
{
    return apply(a, AP_EVENT_TAKE_INIT, 0, 0);
}

bool ap_start_take_sipi(struct ap_start *a, uint8_t *vector)
{
    uint32_t before;
    if (!apply(a, AP_EVENT_TAKE_SIPI, 0, &before)) {
        return false;
    }
    *vector = (uint8_t)(before & AP_WORD_VECTOR_MASK);
    return true;
}

void ap_start_hw_init(struct ap_start *a)
{
    apply(a, AP_EVENT_HW_INIT, 0, 0);
}

void ap_start_hw_sipi(struct ap_start *a)
{
    apply(a, AP_EVENT_HW_SIPI, 0, 0);
}
