/* Ending a run: power off or reset through the firmware. */
#ifndef KESTREL_KERNEL_POWER_H
#define KESTREL_KERNEL_POWER_H

#include "bootinfo.h"

void power_init(const struct kestrel_bootinfo *bi);

/* Every other CPU must be parked first: firmware runtime code is not safe to
 * run while other CPUs run Kestrel.  Never return. */
__attribute__((noreturn)) void power_off(void);
__attribute__((noreturn)) void power_reset(void);

#endif
