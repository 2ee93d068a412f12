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

/* State-component bits of XCR0 (SDM vol. 1 13.1). */
#define XCR0_X87          (1ull << 0)
#define XCR0_SSE          (1ull << 1)
#define XCR0_AVX          (1ull << 2)
#define XCR0_BNDREGS      (1ull << 3)     /* MPX */
#define XCR0_BNDCSR       (1ull << 4)     /* MPX */
#define XCR0_OPMASK       (1ull << 5)     /* AVX-512 */
#define XCR0_ZMM_HI256    (1ull << 6)     /* AVX-512 */
#define XCR0_HI16_ZMM     (1ull << 7)     /* AVX-512 */
#define XCR0_PKRU         (1ull << 9)
#define XCR0_XTILECFG     (1ull << 17)    /* AMX */
#define XCR0_XTILEDATA    (1ull << 18)    /* AMX */

#define XCR0_MPX          (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AVX512       (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_AMX          (XCR0_XTILECFG | XCR0_XTILEDATA)

/* NULL if XSETBV(XCR0 = value) is valid on a CPU whose XCR0 may hold the
 * bits in `supported` (CPUID.(0DH,0):EDX:EAX), else the rule it breaks (a
 * static string).  Every such value makes XSETBV raise #GP(0). */
const char *xcr0_problem(uint64_t value, uint64_t supported);

#endif
