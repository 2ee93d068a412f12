/*
 * COM1 console of a built-in guest (see serial.h).
 */
#include "guest/common/serial.h"
#include "guest/common/cpu.h"
#include "kernel/x86.h"
#include "lib/fmt.h"

#include <stdarg.h>

/* Bounded waits: a UART or a lock holder that never answers must not stop
 * the run; garbled output is better than none.  Counted in PAUSE
 * iterations because the TSC rate is not known before the boot info is
 * checked (both are well over a second on any CPU). */
#define UART_SPIN_LIMIT (1u << 22)
#define LOCK_SPIN_LIMIT (1u << 27)

#define OWNER_NONE    0u
#define OWNER_UNKNOWN 0xffffffffu     /* a CPU not on a known stack */

static uint32_t console_owner;        /* cpu index + 1, or OWNER_NONE; __atomic accesses */

static uint32_t owner_tag(void)
{
    int cpu = cpu_index();

    return cpu != CPU_UNKNOWN ? (uint32_t)cpu + 1 : OWNER_UNKNOWN;
}

static void uart_putc(char c)
{
    for (unsigned spin = 0; spin < UART_SPIN_LIMIT; spin++) {
        if (inb(COM1_BASE + UART_LSR) & UART_LSR_THRE)
            break;
        cpu_relax();
    }
    outb(COM1_BASE + UART_THR, (uint8_t)c);
}

void console_drain(void)
{
    for (unsigned spin = 0; spin < UART_SPIN_LIMIT; spin++) {
        if (inb(COM1_BASE + UART_LSR) & UART_LSR_TEMT)
            return;
        cpu_relax();
    }
}

static void emit(char c, void *ctx)
{
    (void)ctx;
    if (c == '\n')
        uart_putc('\r');
    uart_putc(c);
}

bool console_begin(void)
{
    uint32_t me = owner_tag();

    if (__atomic_load_n(&console_owner, __ATOMIC_RELAXED) == me)
        return false;
    for (unsigned spin = 0; spin < LOCK_SPIN_LIMIT; spin++) {
        uint32_t expected = OWNER_NONE;
        if (__atomic_compare_exchange_n(&console_owner, &expected, me, false,
                                        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return true;
        cpu_relax();
    }
    return false;
}

void console_end(bool taken)
{
    if (taken)
        __atomic_store_n(&console_owner, OWNER_NONE, __ATOMIC_RELEASE);
}

void console_release_if_mine(void)
{
    uint32_t me = owner_tag();

    __atomic_compare_exchange_n(&console_owner, &me, OWNER_NONE, false, __ATOMIC_RELEASE,
                                __ATOMIC_RELAXED);
}

void console_printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    kvformat(emit, NULL, fmt, ap);
    va_end(ap);
}

void say(const char *fmt, ...)
{
    va_list ap;
    bool taken = console_begin();

    console_printf(GUEST_NAME ": ");
    va_start(ap, fmt);
    kvformat(emit, NULL, fmt, ap);
    va_end(ap);
    console_printf("\n");
    console_end(taken);
}
