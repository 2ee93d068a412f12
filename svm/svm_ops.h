/*
 * The SVM instructions, wrapped once (AMD APM vol. 3 "VMRUN", "VMLOAD",
 * "VMSAVE", "STGI", "CLGI", "INVLPGA").  They take a physical address in
 * RAX and report nothing: a bad VMCB shows as exit code VMEXIT_INVALID
 * after VMRUN (svm/svm_names.c puts it into words), a bad address as #GP.
 * VMRUN itself is issued only from svm/svm_entry.asm, where the guest's
 * registers are loaded around it.
 */
#ifndef KESTREL_SVM_SVM_OPS_H
#define KESTREL_SVM_SVM_OPS_H

#include <stdint.h>

/* Loads FS, GS, TR, LDTR (hidden state included), KernelGSBase, STAR,
 * LSTAR, CSTAR, SFMASK and the SYSENTER MSRs from the VMCB at pa. */
static inline void svm_vmload(uint64_t pa)
{
    __asm__ volatile("vmload %%rax" : : "a"(pa) : "memory");
}

/* Stores the same state into the VMCB at pa. */
static inline void svm_vmsave(uint64_t pa)
{
    __asm__ volatile("vmsave %%rax" : : "a"(pa) : "memory");
}

/* The global interrupt flag: clear, no interrupt, NMI, SMI or INIT is
 * taken (they are held pending). */
static inline void svm_clgi(void)
{
    __asm__ volatile("clgi" : : : "memory");
}

static inline void svm_stgi(void)
{
    __asm__ volatile("stgi" : : : "memory");
}

/* Invalidates the TLB mapping of one virtual address in one ASID. */
static inline void svm_invlpga(uint64_t va, uint32_t asid)
{
    __asm__ volatile("invlpga %%rax, %%ecx" : : "a"(va), "c"(asid) : "memory");
}

#endif
