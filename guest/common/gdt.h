/*
 * The guest's own GDT: Kestrel enters the BSP on descriptors the guest
 * must not rely on, and APs arrive on the trampoline's, which lives in
 * the AP start-up page.  Kernel code and data always sit at the same
 * selectors, so the IDT (idt.c) and the exception return path (trap.c)
 * work with any guest's table.
 */
#ifndef KESTREL_GUEST_COMMON_GDT_H
#define KESTREL_GUEST_COMMON_GDT_H

#include <stddef.h>
#include <stdint.h>

/* Selectors every guest's table has. */
#define GDT_CODE64 0x08
#define GDT_DATA   0x10

/* Descriptors (SDM vol. 3A 3.4.5) with the accessed bit already set, so the
 * CPU never writes to a table when it loads a segment. */
#define DESC_CODE64      0x00af9b000000ffffull   /* P, DPL 0, code execute/read, L = 1 */
#define DESC_DATA        0x00cf93000000ffffull   /* P, DPL 0, data read/write, 4 GiB */
#define DESC_USER_CODE64 0x00affb000000ffffull   /* the same at DPL 3 */
#define DESC_USER_DATA   0x00cff3000000ffffull

/* Loads the flat table (null, code, data: all a guest that never changes
 * privilege needs) and reloads every segment register. */
void gdt_load(void);

/* Loads a guest's own table, which must have DESC_CODE64 at GDT_CODE64 and
 * DESC_DATA at GDT_DATA, and reloads every segment register. */
void gdt_load_table(const uint64_t *table, size_t bytes);

#endif
