/*
 * COM1 output for a built-in guest: the guest owns the UART (already
 * programmed 115200 8N1 by Kestrel) and writes to it by port I/O.  Lines
 * are written whole under one lock so CPUs never interleave mid-line.
 */
#ifndef KESTREL_GUEST_COMMON_SERIAL_H
#define KESTREL_GUEST_COMMON_SERIAL_H

#include <stdbool.h>

/* Every line starts with "<GUEST_NAME>: "; common.mk defines it per guest. */
#ifndef GUEST_NAME
#error "GUEST_NAME must be defined (guest/common/common.mk does)"
#endif

/* 16550 registers (offsets from the base port). */
#define COM1_BASE     0x3f8
#define UART_THR      0          /* transmit holding register */
#define UART_LCR      3          /* line control register */
#define UART_MCR      4          /* modem control register */
#define UART_LSR      5          /* line status register */
#define UART_SCR      7          /* scratch register: no function, just holds a byte */
#define UART_LCR_DLAB (1u << 7)  /* divisor latch access: offsets 0 and 1 become the divisor */
#define UART_MCR_LOOP (1u << 4)  /* loopback: output goes back to the receiver, not the line */
#define UART_LSR_THRE (1u << 5)  /* THR empty: the next byte may be written */
#define UART_LSR_TEMT (1u << 6)  /* transmitter empty: the last byte has left */

/* Takes the console lock; false when this CPU already held it (an
 * exception handler interrupting a print) or the holder never let go: the
 * matching console_end() then does not release it. */
bool console_begin(void);
void console_end(bool taken);
/* Formats without the lock: only between console_begin() and console_end(). */
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One whole line: GUEST_NAME ": " + fmt + "\r\n", under the lock. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Waits (bounded) until the UART has sent every byte written to it, so a
 * change to its configuration cannot cut the last line short. */
void console_drain(void);
/* Code abandoned mid-print (an exception) may have held the lock: give
 * it back if this CPU holds it. */
void console_release_if_mine(void);

#endif
