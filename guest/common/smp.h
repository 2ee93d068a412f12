/*
 * Starting the APs, as an operating system would (SDM vol. 3A 9.4.4.1),
 * for every built-in guest that runs on more than its BSP.  The AP
 * trampoline (kernel/trampoline.asm, assembled into each image by
 * common.mk) goes to boot_info->ap_start_page; then, one AP at a time
 * because they share its parameter block, INIT, 10 ms, SIPI, 200 us, a
 * second SIPI if the AP is not up yet, and up to 1 s for it to arrive.  The
 * trampoline takes the AP from real mode to long mode on the guest's
 * current page tables and jumps to smp_ap_entry (ap_entry.asm), which calls
 * the guest's AP main on the AP's own stack (the one cpu.c registered for
 * its index, so cpu_index() knows it from the first instruction).
 */
#ifndef KESTREL_GUEST_COMMON_SMP_H
#define KESTREL_GUEST_COMMON_SMP_H

#include <stdbool.h>
#include <stdint.h>

/* An AP's start-up state, in a word the guest keeps per CPU; a guest may
 * add states of its own after AP_ONLINE. */
enum ap_state {
    AP_OFF,        /* not started, or did not answer INIT-SIPI-SIPI */
    AP_STARTING,   /* INIT-SIPI-SIPI sent */
    AP_ONLINE,     /* the AP runs the guest's code: it stores this itself */
};

/* Where each AP starts, with RDI = the arg given to smp_start_ap(). */
typedef void (*smp_ap_main_fn)(void *arg);

/* Copies the trampoline and fills in what all APs share; the AP stacks
 * must be registered (cpu_register_ap_stacks) first.  NULL, or why no AP
 * can be started. */
const char *smp_prepare(smp_ap_main_fn ap_main);

/* Starts the AP with this CPU index (its stack) and APIC ID: *state goes
 * to AP_STARTING, and the AP must store AP_ONLINE (or a later state) there
 * within 1 s.  False, with a line saying why, when it does not come up
 * (*state is then AP_OFF and the AP is back in wait-for-SIPI). */
bool smp_start_ap(unsigned index, uint32_t apic_id, void *arg, uint32_t *state);

#endif
