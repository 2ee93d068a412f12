/* Running the configured guest on every CPU in VMX root, and ending the run. */
#ifndef KESTREL_KERNEL_GUEST_RUN_H
#define KESTREL_KERNEL_GUEST_RUN_H

#include <stddef.h>
#include "bootinfo.h"
#include "lib/config.h"
#include "lib/memmap.h"
#include "kernel/percpu.h"

/* On the BSP once every CPU tried VMX root: hands memory over, loads the
 * payload, starts the vCPUs, runs the guest's BSP, and when the guest ends
 * reports and powers off or resets the machine.  Never returns. */
__attribute__((noreturn)) void guest_run_bsp(const struct kestrel_bootinfo *bi,
                                             const struct kestrel_config *cfg,
                                             struct mem_region *map, size_t *count, size_t cap);

/* On an AP in VMX root: waits for the guest, then runs it as a vCPU that
 * starts in wait-for-SIPI.  Never returns. */
__attribute__((noreturn)) void guest_run_ap(struct percpu *cpu);

#endif
