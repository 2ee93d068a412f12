/*
 * The guest's IDT (see idt.h).  Gates are DPL 0: INT n from ring 3 gets
 * #GP, while exceptions raised in ring 3 still arrive (the gate's DPL only
 * applies to software interrupts), on the stack the TSS names.
 */
#include "guest/common/gdt.h"
#include "guest/common/idt.h"
#include "kernel/x86.h"

#define ISR_STUB_SIZE    16          /* isr.asm places stub v at isr_stubs + 16 * v */
#define GATE_INTERRUPT64 0x8e        /* P, DPL 0, 64-bit interrupt gate: IF cleared on entry */

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t  ist;                    /* 0: no IST: the current stack, or TSS.RSP0 from ring 3 */
    uint8_t  type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gates are 16 bytes");

extern const uint8_t isr_stubs[];

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

void idt_init(void)
{
    for (unsigned v = 0; v < IDT_VECTORS; v++) {
        uint64_t handler = (uint64_t)(isr_stubs + v * ISR_STUB_SIZE);

        idt[v] = (struct idt_gate){
            .offset_low = (uint16_t)handler,
            .selector = GDT_CODE64,
            .type_attr = GATE_INTERRUPT64,
            .offset_mid = (uint16_t)(handler >> 16),
            .offset_high = (uint32_t)(handler >> 32),
        };
    }
}

void idt_load(void)
{
    struct descriptor_ptr ptr = { .limit = sizeof(idt) - 1, .base = (uint64_t)idt };

    load_idt(&ptr);
}

bool idt_is_loaded(uint64_t *base, uint16_t *limit)
{
    struct descriptor_ptr ptr;

    __asm__ volatile("sidt %0" : "=m"(ptr));
    *base = ptr.base;
    *limit = ptr.limit;
    return ptr.base == (uint64_t)idt && ptr.limit == sizeof(idt) - 1;
}
