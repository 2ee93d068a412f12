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

void idt_init(void);
void idt_load(void);
/* True when IDTR (as SIDT reports it) is this table; base and limit are
 * what SIDT returned. */
bool idt_is_loaded(uint64_t *base, uint16_t *limit);

#endif
