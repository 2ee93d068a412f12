/* XCR0 validity (see xcr0.h).  Each rule is one the SDM lists under XSETBV's
 * #GP(0) conditions (vol. 2D, XSETBV) or in vol. 1 13.3. */
#include "core/xcr0.h"

#include <stdbool.h>
#include <stddef.h>

static bool all_or_none(uint64_t value, uint64_t group)
{
    return (value & group) == 0 || (value & group) == group;
}

const char *xcr0_problem(uint64_t value, uint64_t supported)
{
    if (!(value & XCR0_X87))
        return "XCR0 bit 0 (x87) must be set";
    if (value & ~supported)
        return "XCR0 sets a state component CPUID.(0DH,0) does not report";
    if ((value & XCR0_AVX) && !(value & XCR0_SSE))
        return "AVX state (bit 2) needs SSE state (bit 1)";
    if (!all_or_none(value, XCR0_MPX))
        return "MPX state: bits 3 and 4 must be set together";
    if (!all_or_none(value, XCR0_AVX512))
        return "AVX-512 state: bits 5, 6 and 7 must be set together";
    if ((value & XCR0_AVX512) && !(value & XCR0_AVX))
        return "AVX-512 state (bits 5-7) needs AVX state (bit 2)";
    if (!all_or_none(value, XCR0_AMX))
        return "AMX state: bits 17 and 18 must be set together";
    return NULL;
}
