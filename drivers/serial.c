/* 16550 UART consoles: polled output, 115200 baud, 8N1. */
#include "drivers/serial.h"
#include "kernel/x86.h"
#include "kernel/log.h"

enum uart_reg {
    UART_DATA = 0,          /* DLAB=0: THR/RBR; DLAB=1: divisor low */
    UART_IER = 1,           /* DLAB=1: divisor high */
    UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_SCRATCH = 7,
};

#define LCR_8N1        0x03
#define LCR_DLAB       0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS_OUT2 0x0b  /* and loopback (bit 4) off */
#define LSR_THR_EMPTY  0x20
#define LSR_TX_IDLE    0x40   /* holding and shift registers both empty */
#define BAUD_DIVISOR_115200 1
#define SCRATCH_PATTERN 0x5a
/* A stuck or absent UART must not hang the log: give up on a byte after
 * this many polls. */
#define TX_SPIN_LIMIT  100000

struct uart {
    uint16_t port;
    struct console console;
};

static void putc_at(uint16_t port, char c)
{
    for (int i = 0; i < TX_SPIN_LIMIT; i++) {
        if (inb(port + UART_LSR) & LSR_THR_EMPTY) {
            break;
        }
        cpu_relax();
    }
    outb(port + UART_DATA, (uint8_t)c);
}

static void write_at(uint16_t port, const char *s, unsigned len)
{
    for (unsigned i = 0; i < len; i++) {
        if (s[i] == '\n') {
            putc_at(port, '\r');
        }
        putc_at(port, s[i]);
    }
}

static void flush_at(uint16_t port)
{
    for (int i = 0; i < TX_SPIN_LIMIT; i++) {
        if (inb(port + UART_LSR) & LSR_TX_IDLE) {
            return;
        }
        cpu_relax();
    }
}

/* Every register Kestrel relies on, set from scratch: also what undoes a
 * guest that left DLAB, loopback or another baud rate behind. */
static void program(uint16_t port)
{
    outb(port + UART_IER, 0x00);            /* polled: no interrupts */
    outb(port + UART_LCR, LCR_DLAB);
    outb(port + UART_DATA, BAUD_DIVISOR_115200 & 0xff);
    outb(port + UART_IER, BAUD_DIVISOR_115200 >> 8);
    outb(port + UART_LCR, LCR_8N1);
    outb(port + UART_FCR, FCR_ENABLE_CLEAR);
    outb(port + UART_MCR, MCR_DTR_RTS_OUT2);
}

static void com1_write(const char *s, unsigned len) { write_at(COM1_PORT, s, len); }
static void com1_flush(void) { flush_at(COM1_PORT); }
/* After a guest: let what it sent leave the UART before its line settings
 * change (a byte caught mid-way comes out garbled). */
static void reprogram(uint16_t port)
{
    flush_at(port);
    program(port);
}

static void com1_reinit(void) { reprogram(COM1_PORT); }
static void com2_write(const char *s, unsigned len) { write_at(COM2_PORT, s, len); }
static void com2_flush(void) { flush_at(COM2_PORT); }
static void com2_reinit(void) { reprogram(COM2_PORT); }

static struct uart uarts[] = {
    { COM1_PORT, { .write = com1_write, .flush = com1_flush, .reinit = com1_reinit,
                   .guest_owned = true } },
    { COM2_PORT, { .write = com2_write, .flush = com2_flush, .reinit = com2_reinit,
                   .guest_owned = false } },
};

bool serial_present(uint16_t port)
{
    outb(port + UART_SCRATCH, SCRATCH_PATTERN);
    return inb(port + UART_SCRATCH) == SCRATCH_PATTERN;
}

bool serial_init(uint16_t port)
{
    for (unsigned i = 0; i < sizeof(uarts) / sizeof(uarts[0]); i++) {
        if (uarts[i].port != port) {
            continue;
        }
        if (!serial_present(port)) {
            return false;
        }
        program(port);
        log_add_console(&uarts[i].console);
        return true;
    }
    return false;
}
