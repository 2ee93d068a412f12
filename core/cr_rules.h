/*
 * Which MOV to CR0/CR4 a CPU accepts (Intel SDM vol. 2B "MOV - Move to/from
 * Control Registers", vol. 3A 2.5 and 4.1.1; AMD APM vol. 2 3.1).  Pure: the
 * CR-write exit handlers of both backends ask before they change anything,
 * so a write the CPU would refuse gives the guest #GP instead of a VM entry
 * that fails on the state Kestrel wrote.
 *
 * Also which CR4 bits a guest may set at all: those whose feature CPUID
 * shows it (as Kestrel shows it), and which CPUID features must be hidden
 * when the hypervisor cannot let the guest set their CR4 bit (VMX's
 * IA32_VMX_CR4_FIXED1).
 */
#ifndef KESTREL_CORE_CR_RULES_H
#define KESTREL_CORE_CR_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/control_regs.h"

/* The CPUID registers that enumerate CR4 features (leaf 1, leaf 7 subleaf 0). */
struct cr4_cpuid {
    uint32_t leaf1_ecx, leaf1_edx;
    uint32_t leaf7_ebx, leaf7_ecx, leaf7_edx;
};

/* The CR4 bits a guest whose CPUID shows f may set (VMXE and SMXE never:
 * the guest sees neither VMX nor SMX). */
uint64_t cr4_guest_allowed(const struct cr4_cpuid *f);

/* The CPUID feature bits to hide because the CR4 bit that enables them is
 * not in cr4_settable (for VMX: IA32_VMX_CR4_FIXED1): set in *hide. */
void cr4_cpuid_to_hide(uint64_t cr4_settable, struct cr4_cpuid *hide);

/* The guest state a CR write is judged against. */
struct cr_state {
    uint64_t cr0, cr3, cr4, efer;
    bool     cs_long;          /* CS.L: 64-bit mode when EFER.LMA is set */
};

/* NULL if MOV to CR0 of value is valid from state s, else the rule it
 * breaks (a static string): every such write raises #GP(0). */
const char *cr0_write_problem(const struct cr_state *s, uint64_t value);

/* Likewise for CR4; allowed = cr4_guest_allowed() of the guest's CPUID. */
const char *cr4_write_problem(const struct cr_state *s, uint64_t value, uint64_t allowed);

/* The IA-32e mode (EFER.LMA) after a valid CR0 write: set when PG is set
 * with EFER.LME, clear when PG is cleared. */
bool cr0_write_lma(const struct cr_state *s, uint64_t value);

#endif
