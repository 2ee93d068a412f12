/*
 * Which CPU is running, told by the stack it runs on: the BSP's from
 * entry.asm, the APs' from an array the guest registers.  The exception
 * path and the console lock use it, so it needs nothing the hypervisor
 * could get wrong (no GS base, no APIC ID read).
 */
#ifndef KESTREL_GUEST_COMMON_CPU_H
#define KESTREL_GUEST_COMMON_CPU_H

#include <stddef.h>
#include <stdint.h>

#define CPU_UNKNOWN (-1)

extern uint8_t bsp_stack_bottom[], bsp_stack_top[];   /* entry.asm */

/* A guest that starts APs gives each its own stack: stacks[i] of `each`
 * bytes belongs to CPU index i (the BSP, index 0, keeps its own). */
void cpu_register_ap_stacks(void *stacks, size_t each, unsigned count);

/* The top of AP stack `index` (1 .. count - 1), 0 if there is none. */
uint64_t cpu_ap_stack_top(unsigned index);

/* 0 on the BSP's stack, i on AP stack i, CPU_UNKNOWN elsewhere. */
int cpu_index(void);

#endif
