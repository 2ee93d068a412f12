/*
 * Telling CPUs apart by their stacks (see cpu.h).
 */
#include "guest/common/cpu.h"

static uintptr_t ap_stacks_base;
static size_t ap_stack_size;
static unsigned ap_stack_count;

void cpu_register_ap_stacks(void *stacks, size_t each, unsigned count)
{
    ap_stacks_base = (uintptr_t)stacks;
    ap_stack_size = each;
    ap_stack_count = count;
}

uint64_t cpu_ap_stack_top(unsigned index)
{
    if (index == 0 || index >= ap_stack_count || ap_stack_size == 0)
        return 0;
    return (uint64_t)(ap_stacks_base + ap_stack_size * (index + 1));
}

int cpu_index(void)
{
    uintptr_t sp;

    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    /* A stack's top itself belongs to it (an empty stack), its bottom to
     * the stack below. */
    if (sp > (uintptr_t)bsp_stack_bottom && sp <= (uintptr_t)bsp_stack_top)
        return 0;
    if (ap_stack_size != 0 && sp > ap_stacks_base &&
        sp <= ap_stacks_base + ap_stack_size * ap_stack_count)
        return (int)((sp - ap_stacks_base - 1) / ap_stack_size);
    return CPU_UNKNOWN;
}
