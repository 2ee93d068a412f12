/* Interrupt/exception frames and handlers. */
#ifndef KESTREL_KERNEL_TRAP_H
#define KESTREL_KERNEL_TRAP_H

#include <stdint.h>

/* Built by kernel/isr.asm: lowest address first. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    /* pushed by the CPU */
    uint64_t rip, cs, rflags, rsp, ss;
};

enum exception_vector {
    VEC_DIVIDE_ERROR = 0, VEC_DEBUG = 1, VEC_NMI = 2, VEC_BREAKPOINT = 3,
    VEC_OVERFLOW = 4, VEC_BOUND = 5, VEC_INVALID_OPCODE = 6, VEC_DEVICE_NA = 7,
    VEC_DOUBLE_FAULT = 8, VEC_INVALID_TSS = 10, VEC_SEGMENT_NP = 11,
    VEC_STACK_FAULT = 12, VEC_GENERAL_PROTECTION = 13, VEC_PAGE_FAULT = 14,
    VEC_X87_FP = 16, VEC_ALIGNMENT_CHECK = 17, VEC_MACHINE_CHECK = 18,
    VEC_SIMD_FP = 19, VEC_VIRTUALIZATION = 20, VEC_CONTROL_PROTECTION = 21,
    VEC_FIRST_EXTERNAL = 32,
};

/* Vectors Kestrel itself uses for interrupts. */
#define VEC_SPURIOUS   0xff

typedef void (*irq_handler_fn)(struct trap_frame *f);

void idt_init(void);                 /* builds the shared IDT once */
void idt_load(void);                 /* on each CPU */
void irq_register(uint8_t vector, irq_handler_fn fn);

void trap_entry(struct trap_frame *f);

/* From now on an NMI in root mode is expected (a guest is ending): no warning. */
void trap_expect_nmis(void);

#endif
