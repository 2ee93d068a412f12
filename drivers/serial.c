/* 16550 UART on COM1: polled output, 115200 baud, 8N1. */
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
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_THR_EMPTY  0x20
#define LSR_TX_IDLE    0x40   /* holding and shift registers both empty */
#define BAUD_DIVISOR_115200 1
/* A stuck or absent UART must not hang the log: give up on a byte after
 * this many polls. */
#define TX_SPIN_LIMIT  100000

static void serial_putc(char c)
{
    for (int i = 0; i < TX_SPIN_LIMIT; i++) {
        if (inb(COM1_PORT + UART_LSR) & LSR_THR_EMPTY) {
            break;
        }
        cpu_relax();
    }
    outb(COM1_PORT + UART_DATA, (uint8_t)c);
}

static void serial_write(const char *s, unsigned len)
{
    for (unsigned i = 0; i < len; i++) {
        if (s[i] == '\n') {
            serial_putc('\r');
        }
        serial_putc(s[i]);
    }
}

static void serial_flush(void)
{
    for (int i = 0; i < TX_SPIN_LIMIT; i++) {
        if (inb(COM1_PORT + UART_LSR) & LSR_TX_IDLE) {
            return;
        }
        cpu_relax();
    }
}

static struct console serial_console = { .write = serial_write, .flush = serial_flush };

bool serial_init(void)
{
    outb(COM1_PORT + UART_SCRATCH, 0x5a);
    if (inb(COM1_PORT + UART_SCRATCH) != 0x5a) {
        return false;
    }
    outb(COM1_PORT + UART_IER, 0x00);            /* polled: no interrupts */
    outb(COM1_PORT + UART_LCR, LCR_DLAB);
    outb(COM1_PORT + UART_DATA, BAUD_DIVISOR_115200 & 0xff);
    outb(COM1_PORT + UART_IER, BAUD_DIVISOR_115200 >> 8);
    outb(COM1_PORT + UART_LCR, LCR_8N1);
    outb(COM1_PORT + UART_FCR, FCR_ENABLE_CLEAR);
    outb(COM1_PORT + UART_MCR, MCR_DTR_RTS_OUT2);
    log_add_console(&serial_console);
    return true;
}
