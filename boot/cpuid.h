/* The loader's one CPUID wrapper (the loader cannot use kernel/x86.h: the
 * two sides share only include/ and lib/). */
#ifndef KESTREL_BOOT_CPUID_H
#define KESTREL_BOOT_CPUID_H

#include <stdint.h>

struct loader_cpuid {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct loader_cpuid loader_cpuid(uint32_t leaf)
{
    struct loader_cpuid r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(0));
    return r;
}

#endif
