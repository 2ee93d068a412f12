/*
 * The guest's own IDT: 256 interrupt gates, one stub each (isr.asm), so
 * every vector, expected or not, reaches trap.c with its number.  Built
 * once by the BSP, loaded by every CPU.
 */
#ifndef KESTREL_GUEST_COMMON_IDT_H
#define KESTREL_GUEST_COMMON_IDT_H

#include <stdbool.h>
#include <stdint.h>

#define IDT_VECTORS 256

/* A 64-bit interrupt gate (SDM vol. 3A 6.14.1). */
struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t  ist;                    /* 0: no IST: the current stack, or TSS.RSP0 from ring 3 */
    uint8_t  type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));

void idt_init(void);
void idt_load(void);

/* A CPU that needs a gate of its own (an IST stack for one vector: only
 * its TSS has that stack) loads a private copy of the shared table:
 * idt_copy() fills table (IDT_VECTORS gates, 16-byte aligned), the caller
 * changes gates, idt_load_table() loads it on this CPU. */
void idt_copy(struct idt_gate *table);
void idt_gate_set_ist(struct idt_gate *gate, unsigned ist);
void idt_load_table(const struct idt_gate *table);
/* True when IDTR (as SIDT reports it) is this table; base and limit are
 * what SIDT returned. */
bool idt_is_loaded(uint64_t *base, uint16_t *limit);

#endif
