/*
 * The hypercall instruction, hypercalls with buffers, and the end of every
 * built-in guest's run (see hypercall.h).
 */
#include "guest/common/hypercall.h"
#include "guest/common/paging.h"
#include "guest/common/serial.h"
#include "kernel/x86.h"

/* "AuthenticAMD" as CPUID leaf 0 returns it: EBX, EDX, ECX, each four
 * characters with the first in the low byte. */
#define CPUID_VENDOR_AMD_EBX 0x68747541u   /* "Auth" */
#define CPUID_VENDOR_AMD_EDX 0x69746e65u   /* "enti" */
#define CPUID_VENDOR_AMD_ECX 0x444d4163u   /* "cAMD" */
#define CPUID_VENDOR_HYGON_EBX 0x6f677948u /* "Hygo" */
#define CPUID_VENDOR_HYGON_EDX 0x6e65476eu /* "nGen" */
#define CPUID_VENDOR_HYGON_ECX 0x656e6975u /* "uine" */

bool hypercall_use_vmmcall;
bool hypercall_ready;

bool cpu_is_amd(void)
{
    struct cpuid_regs r = cpuid(0, 0);

    /* Hygon's CPUs are AMD's design, with SVM (Kestrel's kernel/virt.c). */
    return (r.ebx == CPUID_VENDOR_AMD_EBX && r.edx == CPUID_VENDOR_AMD_EDX &&
            r.ecx == CPUID_VENDOR_AMD_ECX) ||
           (r.ebx == CPUID_VENDOR_HYGON_EBX && r.edx == CPUID_VENDOR_HYGON_EDX &&
            r.ecx == CPUID_VENDOR_HYGON_ECX);
}

void hypercall_init(void)
{
    /* Every CPU of the machine has the same vendor: whoever gets here
     * first stores the same answer any other CPU would. */
    hypercall_use_vmmcall = cpu_is_amd();
    __atomic_store_n(&hypercall_ready, true, __ATOMIC_RELEASE);
}

/* The guest-physical address of [va, va + len): both ends must translate
 * to the same distance apart (one physically contiguous piece). */
static bool contiguous_phys(const void *va, uint64_t len, uint64_t *pa)
{
    uint64_t last;

    if (len == 0)
        return virt_to_phys((uint64_t)va, pa);
    return virt_to_phys((uint64_t)va, pa) && virt_to_phys((uint64_t)va + len - 1, &last) &&
           last - *pa == len - 1;
}

uint64_t hc_log_write(const void *text, uint64_t len)
{
    uint64_t pa;

    if (!contiguous_phys(text, len, &pa))
        return KESTREL_HC_RESULT_UNKNOWN;
    return kestrel_hypercall(KESTREL_HC_LOG_WRITE, pa, len, 0);
}

uint64_t hc_log_read(void *buf, uint64_t size)
{
    uint64_t pa;

    if (!contiguous_phys(buf, size, &pa))
        return KESTREL_HC_RESULT_UNKNOWN;
    return kestrel_hypercall(KESTREL_HC_LOG_READ, pa, size, 0);
}

void guest_power_off(void)
{
    uint64_t result = hc_power_off();

    say("KESTREL_HC_POWER_OFF returned 0x%lx: halting", result);
    cpu_stop();
}
