/* Fatal errors: one report, then every CPU stops. */
#include <stdarg.h>
#include "kernel/panic.h"
#include "kernel/log.h"
#include "kernel/x86.h"
#include "drivers/lapic.h"

/* 0, or 1 + the APIC ID of the CPU that reports the panic (ID 0 before the
 * LAPIC is up: only one CPU runs then).  One word: who panics is known the
 * moment anyone can see that someone does. */
static volatile uint32_t panicking;

static uint32_t panic_token(void)
{
    return 1 + (lapic_ready() ? lapic_id() : 0);
}

bool panic_in_progress(void)
{
    return __atomic_load_n(&panicking, __ATOMIC_ACQUIRE) != 0;
}

bool panic_elsewhere(void)
{
    uint32_t p = __atomic_load_n(&panicking, __ATOMIC_ACQUIRE);
    return p != 0 && p != panic_token();
}

bool panic_begin(void)
{
    irq_disable();
    uint32_t expected = 0;
    if (!__atomic_compare_exchange_n(&panicking, &expected, panic_token(), false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        return false;
    }
    /* A guest may own the consoles right now; a fatal error takes them back. */
    log_resume_consoles();
    return true;
}

void panic_end(void)
{
    /* NMI reaches the others even with interrupts disabled; their NMI
     * handler sees panicking set and halts. */
    if (lapic_ready()) {
        lapic_send_nmi_all_but_self();
    }
    log_raw("kestrel: stopped\n");
    cpu_stop();
}

void panic(const char *fmt, ...)
{
    va_list ap;

    if (!panic_begin()) {
        cpu_stop();
    }
    va_start(ap, fmt);
    log_vline(LOG_ERROR, fmt, ap);
    va_end(ap);
    panic_end();
}
