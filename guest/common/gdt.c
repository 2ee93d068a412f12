/*
 * The guest's own GDT: Kestrel enters the BSP on descriptors the guest
 * must not rely on, and the APs arrive on the trampoline's, which lives in
 * the AP start-up page.  Flat 64-bit code and data, nothing else: the
 * guest never changes privilege, so it needs no TSS.
 */
#include "guest/selftest/selftest.h"
#include "kernel/x86.h"

/* Descriptors (SDM vol. 3A 3.4.5) with the accessed bit already set, so the
 * CPU never writes to this table when it loads a segment. */
#define DESC_CODE64 0x00af9b000000ffffull   /* P, DPL 0, code execute/read, L = 1 */
#define DESC_DATA   0x00cf93000000ffffull   /* P, DPL 0, data read/write, 4 GiB */

static const uint64_t gdt[] __attribute__((aligned(16))) = {
    0,
    [GDT_CODE64 / 8] = DESC_CODE64,
    [GDT_DATA / 8] = DESC_DATA,
};

void gdt_load(void)
{
    struct descriptor_ptr ptr = { .limit = sizeof(gdt) - 1, .base = (uint64_t)gdt };

    load_gdt(&ptr);
    /* CS only changes through a far transfer: return to the next
     * instruction through the new code selector. */
    __asm__ volatile("pushq %[code]\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl %[data], %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs"
                     :
                     : [code] "i"(GDT_CODE64), [data] "i"(GDT_DATA)
                     : "rax", "memory");
}
