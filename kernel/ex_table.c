/* Lookup in the exception table that rdmsr_safe/wrmsr_safe fill. */
#include "kernel/safe_msr.h"

extern const struct ex_table_entry __ex_table_start[], __ex_table_end[];

uint64_t ex_table_fixup(uint64_t rip)
{
    for (const struct ex_table_entry *e = __ex_table_start; e < __ex_table_end; e++) {
        if (e->insn == rip) {
            return e->fixup;
        }
    }
    return 0;
}
