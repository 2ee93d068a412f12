/* 16550 UART console on COM1. */
#ifndef KESTREL_DRIVERS_SERIAL_H
#define KESTREL_DRIVERS_SERIAL_H

#include <stdbool.h>

#define COM1_PORT 0x3f8

/* Programs COM1 for 115200 8N1 and registers it as a log console.  Returns
 * false when no UART answers (the scratch register test fails). */
bool serial_init(void);

#endif
