/*
 * Which XCR0 values a guest may set with XSETBV (Intel SDM vol. 1 13.3
 * "Enabling the XSAVE feature set and XSAVE-enabled features"; AMD APM
 * vol. 2 11.5.2).  Pure: the XSETBV exit handlers of both backends call it
 * with the state components CPUID.(EAX=0DH,ECX=0) reports *as Kestrel shows
 * it to the guest*, before Kestrel executes the XSETBV itself.
 */
#ifndef KESTREL_CORE_XCR0_H
#define KESTREL_CORE_XCR0_H

#include <stdint.h>

#include "kernel/control_regs.h"   /* the XCR0 bit names */

/* NULL if XSETBV(XCR0 = value) is valid on a CPU whose XCR0 may hold the
 * bits in `supported` (CPUID.(0DH,0):EDX:EAX), else the rule it breaks (a
 * static string).  Every such value makes XSETBV raise #GP(0). */
const char *xcr0_problem(uint64_t value, uint64_t supported);

#endif
