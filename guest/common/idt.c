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
#define GATE_IST_MASK    0x7u        /* bits 2:0 of the IST byte: TSS.IST1..7, 0 = none */

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
    idt_load_table(idt);
}

void idt_copy(struct idt_gate *table)
{
    __builtin_memcpy(table, idt, sizeof(idt));
}

void idt_gate_set_ist(struct idt_gate *gate, unsigned ist)
{
    gate->ist = (uint8_t)(ist & GATE_IST_MASK);
}

void idt_load_table(const struct idt_gate *table)
{
    struct descriptor_ptr ptr = { .limit = sizeof(idt) - 1, .base = (uint64_t)table };

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
