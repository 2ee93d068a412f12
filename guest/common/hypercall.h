/*
 * Kestrel's hypercalls (guest/guest_image.h): VMCALL (VMMCALL on AMD) with
 * the function in RAX, arguments in RBX, RCX, RDX, the result in RAX.  The
 * argument registers are declared as modified too, so a hypervisor that
 * clobbers them breaks nothing here.
 *
 * The instruction depends on the CPU vendor: on AMD, VMCALL is an invalid
 * opcode that raises #UD in the guest without any exit (and VMMCALL is one
 * on Intel), so a guest using the wrong one never reaches Kestrel.
 */
#ifndef KESTREL_GUEST_COMMON_HYPERCALL_H
#define KESTREL_GUEST_COMMON_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/guest_image.h"

/* CPUID leaf 0's vendor is "AuthenticAMD" (Kestrel passes the leaf through). */
bool cpu_is_amd(void);

/* Set once by hypercall_init(): true on AMD.  Read-only afterwards, so the
 * APs (started later) read it without locking. */
extern bool hypercall_use_vmmcall;
extern bool hypercall_ready;

/* Picks the instruction from the vendor.  Every built-in guest gets it
 * through boot_info_accept(), before its first hypercall; calling it again
 * changes nothing. */
void hypercall_init(void);

static inline uint64_t kestrel_hypercall(uint64_t function, uint64_t arg0, uint64_t arg1,
                                         uint64_t arg2)
{
    uint64_t rax = function;

    /* A hypercall before the start-up got to hypercall_init() (a guest
     * powering off over an early fault) still uses the right instruction;
     * after that this is one predicted branch, nothing next to an exit. */
    if (__builtin_expect(!__atomic_load_n(&hypercall_ready, __ATOMIC_ACQUIRE), 0))
        hypercall_init();
    if (hypercall_use_vmmcall)
        __asm__ volatile("vmmcall"
                         : "+a"(rax), "+b"(arg0), "+c"(arg1), "+d"(arg2)
                         :
                         : "memory");
    else
        __asm__ volatile("vmcall"
                         : "+a"(rax), "+b"(arg0), "+c"(arg1), "+d"(arg2)
                         :
                         : "memory");
    return rax;
}

static inline uint64_t hc_version(void)
{
    return kestrel_hypercall(KESTREL_HC_VERSION, 0, 0, 0);
}

static inline uint64_t hc_check_isolation(void)
{
    return kestrel_hypercall(KESTREL_HC_CHECK_ISOLATION, 0, 0, 0);
}

static inline uint64_t hc_power_off(void)
{
    return kestrel_hypercall(KESTREL_HC_POWER_OFF, 0, 0, 0);
}

/* LOG_WRITE and LOG_READ take guest-physical buffers: these take the
 * guest's own (virtual) ones, which must be physically contiguous (the
 * image is: Kestrel loads it in one piece).  ~0 (KESTREL_HC_RESULT_UNKNOWN)
 * without a call when the buffer is not mapped or not contiguous. */
uint64_t hc_log_write(const void *text, uint64_t len);
uint64_t hc_log_read(void *buf, uint64_t size);

/* Ends the run (KESTREL_HC_POWER_OFF); should the hypercall return, says
 * so and halts this CPU. */
__attribute__((noreturn)) void guest_power_off(void);

#endif
