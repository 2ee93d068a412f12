/* Starting the application processors. */
#ifndef KESTREL_KERNEL_SMP_H
#define KESTREL_KERNEL_SMP_H

#include "bootinfo.h"
#include "kernel/percpu.h"

/* Starts every non-BSP CPU of the boot-info, one at a time, with
 * INIT-SIPI-SIPI.  A CPU that does not answer in time is named in a warning
 * and skipped.  Returns the number of CPUs online, the BSP included. */
unsigned smp_start_aps(const struct kestrel_bootinfo *bi);

/* What each AP runs once it is online (kernel/main.c). */
__attribute__((noreturn)) void ap_main(struct percpu *cpu);

#endif
