/*
 * What happens on each vector (isr.asm lands in trap_dispatch()):
 *   1. an exception (not NMI) while this CPU's probe is armed (probe.h):
 *      recorded, and the CPU resumes where the probe said;
 *   2. the spurious vector: nothing (the SDM says no EOI);
 *   3. a vector with a handler (trap_set_handler): the handler;
 *   4. anything else: the guest's "unexpected" handler, by default
 *      trap_unexpected_default().
 * Handlers are shared by all CPUs and set by the BSP before any CPU
 * enables interrupts.
 */
#ifndef KESTREL_GUEST_COMMON_TRAP_H
#define KESTREL_GUEST_COMMON_TRAP_H

#include <stdint.h>

#define VEC_UD          6
#define VEC_NMI         2
#define VEC_GP          13
#define VEC_PAGE_FAULT  14
#define FIRST_INTERRUPT 32
#define RFLAGS_IF       (1ull << 9)

/* Layout pushed by isr.asm: registers (r15 lowest), then the stub's two
 * words, then what the CPU pushed.  A handler may change rip, cs, rflags,
 * rsp, ss and rdi: iretq resumes with them. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*trap_handler)(struct trap_frame *f);

void trap_set_handler(unsigned vector, trap_handler fn);
/* NULL restores trap_unexpected_default. */
void trap_set_unexpected(trap_handler fn);

/* "#UD", "#GP", ... for exceptions, "interrupt" for vectors 32-255. */
const char *trap_vector_name(uint64_t vector);

/* The line for an exception nobody expected:
 * "cpu <apic> unexpected exception <v> at <rip> (<name>, error <e>[, cr2 <cr2>])". */
void trap_say_exception(const struct trap_frame *f, uint32_t apic_id);

/* For a guest that runs on the BSP only: says what arrived; an
 * unexpected interrupt is acknowledged and the guest goes on, an NMI is
 * ignored, any other exception leaves nothing to resume, so the guest
 * asks Kestrel to power off (the run ends with Kestrel's report instead of
 * hanging). */
void trap_unexpected_default(struct trap_frame *f);

#endif
