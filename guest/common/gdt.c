/*
 * Loading a GDT and the segment registers (see gdt.h).  The flat table is
 * all a guest needs unless it enters ring 3 (then it brings its own, with
 * user segments and a TSS, and loads it with gdt_load_table()).
 */
#include "guest/common/gdt.h"
#include "kernel/x86.h"

static const uint64_t flat_gdt[] __attribute__((aligned(16))) = {
    0,
    [GDT_CODE64 / 8] = DESC_CODE64,
    [GDT_DATA / 8] = DESC_DATA,
};

void gdt_load_table(const uint64_t *table, size_t bytes)
{
    struct descriptor_ptr ptr = { .limit = (uint16_t)(bytes - 1), .base = (uint64_t)table };

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

void gdt_load(void)
{
    gdt_load_table(flat_gdt, sizeof(flat_gdt));
}
