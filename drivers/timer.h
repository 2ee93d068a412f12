/* Time from the TSC: frequency from CPUID 0x15/0x16, or measured against the PIT. */
#ifndef KESTREL_DRIVERS_TIMER_H
#define KESTREL_DRIVERS_TIMER_H

#include <stdint.h>
#include <stdbool.h>

/* Determines the TSC frequency; logs where it came from. */
void     timer_init(void);
uint64_t timer_tsc_hz(void);
const char *timer_source(void);

uint64_t timer_deadline_us(uint64_t us);   /* a TSC value us from now */
bool     timer_expired(uint64_t deadline);
void     udelay(uint64_t us);

#endif
