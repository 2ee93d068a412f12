/* 16550 UART consoles: COM1 (the default; a running guest owns it) or COM2
 * (`console = com2`: Kestrel's own, never the guest's). */
#ifndef KESTREL_DRIVERS_SERIAL_H
#define KESTREL_DRIVERS_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#define COM1_PORT  0x3f8
#define COM2_PORT  0x2f8
#define UART_PORTS 8          /* registers of one UART, from its base port */

/* Is there a UART at port (its scratch register holds a value)? */
bool serial_present(uint16_t port);

/* Programs the UART at port (COM1_PORT or COM2_PORT) for 115200 8N1 and
 * registers it as a log console, which first gets the history so far.
 * False when no UART answers. */
bool serial_init(uint16_t port);

#endif
