/*
 * A vCPU's VMCB: controls (intercepts, permission maps, ASID, nested
 * paging) and the guest's first state, either 64-bit or 32-bit protected
 * mode (a payload's boot CPU) or the state INIT leaves (an AP, started
 * later by the guest's own INIT-SIPI-SIPI, in software).  The SVM
 * counterpart of vmx/vmcs_init.h.
 */
#ifndef KESTREL_SVM_SVM_VMCB_H
#define KESTREL_SVM_SVM_VMCB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vm.h"
#include "svm/vmcb.h"
#include "kernel/control_regs.h"
#include "kernel/msr.h"

static inline struct vmcb *vcpu_vmcb(const struct vcpu *v)
{
    return (struct vmcb *)(uintptr_t)v->control;
}

/* The guest's EFER as a page walk or the CR rules must see it: LMA = LME
 * & PG (APM 14.6.1); Bochs' SVM has been seen to save LMA with paging
 * still off, which no walk can use. */
static inline uint64_t svm_guest_efer(const struct vmcb_save *s)
{
    return (s->cr0 & CR0_PG) ? s->efer : s->efer & ~EFER_LMA;
}

/* Allocates and fills the VMCB's control area; false after logging. */
bool svm_vmcb_create(struct vcpu *v);

/* Flushes this guest's TLB entries at the next VMRUN (by ASID where the CPU
 * can; svm_backend.c goes back to "do nothing" after each run). */
void svm_vmcb_flush_tlb(struct vmcb *vmcb);

void svm_vmcb_guest_entry(struct vmcb *vmcb, const struct guest_entry *e);

/* The state INIT leaves (APM vol. 2 table 14-1), apart from CS:IP, which the
 * SIPI sets. */
void svm_vmcb_guest_init_state(struct vmcb *vmcb);
void svm_vmcb_guest_start_at_sipi(struct vmcb *vmcb, uint8_t vector);

/* The intercepts Kestrel always sets (docs/svm.md says why). */
#define SVM_KESTREL_INTERCEPTS1                                                 \
    (SVM_INTERCEPT1_NMI | SVM_INTERCEPT1_INIT | SVM_INTERCEPT1_CPUID |          \
     SVM_INTERCEPT1_INVD | SVM_INTERCEPT1_INVLPGA | SVM_INTERCEPT1_IOIO_PROT |  \
     SVM_INTERCEPT1_MSR_PROT | SVM_INTERCEPT1_SHUTDOWN |         \
     SVM_INTERCEPT1_CR0_SEL_WRITE)
#define SVM_KESTREL_INTERCEPTS2                                                 \
    (SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL | SVM_INTERCEPT2_VMLOAD |    \
     SVM_INTERCEPT2_VMSAVE | SVM_INTERCEPT2_STGI | SVM_INTERCEPT2_CLGI |        \
     SVM_INTERCEPT2_SKINIT | SVM_INTERCEPT2_XSETBV)

#endif
