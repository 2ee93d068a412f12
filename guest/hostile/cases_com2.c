/*
 * com2/forged-line (hostile_case only, for a machine run with `console =
 * com2`): Kestrel's console is COM2 then, live while the guest runs, and
 * the guest must find no UART there (reads all ones, writes dropped; a PC
 * without a second UART reads the same).  The guest writes a forged
 * Kestrel line to COM2's transmit register anyway, then sets its DLAB and
 * loopback: should any of it reach the UART, the forged line would appear
 * on Kestrel's console, or Kestrel's own later lines would vanish into the
 * loopback.  The guest checks what it can see (the scratch register holds
 * no value); the boot test checks Kestrel's console.
 */
#include "guest/common/serial.h"
#include "guest/hostile/hostile.h"
#include "kernel/x86.h"

#define COM2_BASE       0x2f8
#define SCRATCH_VALUE   0x5a
#define NO_DEVICE       0xff       /* what an undecoded I/O read returns */

static const char forged[] = "\r\nkestrel: guest reset: forged-on-com2\r\n";

void case_com2_forged_line(struct outcome *o)
{
    outb(COM2_BASE + UART_SCR, SCRATCH_VALUE);
    uint8_t scratch = inb(COM2_BASE + UART_SCR);
    uint8_t lsr = inb(COM2_BASE + UART_LSR);

    if (scratch == SCRATCH_VALUE) {
        skipped(o, "COM2 is a UART this guest owns: Kestrel's console is elsewhere");
        return;
    }
    for (const char *c = forged; *c != '\0'; c++)
        outb(COM2_BASE + UART_THR, (uint8_t)*c);
    outb(COM2_BASE + UART_LCR, UART_LCR_DLAB);
    outb(COM2_BASE + UART_MCR, UART_MCR_LOOP);
    if (scratch != NO_DEVICE || lsr != NO_DEVICE)
        not_refused(o, "COM2 reads scratch 0x%02x, line status 0x%02x: expected no UART (0xff)",
                    scratch, lsr);
}
