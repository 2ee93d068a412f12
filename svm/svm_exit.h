/*
 * The SVM exit path: the dispatcher (svm_exit.c) decodes each #VMEXIT into
 * the backend-neutral form and calls the core's handlers; events
 * (svm_events.c) re-inject what an exit interrupted and deliver what is
 * queued (NMIs, and interrupts whose delivery an exit cut short) through
 * EVENTINJ, opening the windows SVM offers (IRET for NMIs, VINTR for
 * interrupts) when the guest cannot take them yet.
 */
#ifndef KESTREL_SVM_SVM_EXIT_H
#define KESTREL_SVM_SVM_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vm.h"
#include "core/exit_handlers.h"
#include "svm/svm_vmcb.h"

/* One #VMEXIT, after the guest's registers are stored; EXIT_RESUME or
 * EXIT_LEAVE. */
enum exit_action svm_exit_dispatch(struct vcpu *v);

/* The exit kind (core/exit_kinds.h) an exit code counts under. */
enum exit_kind svm_exit_kind(uint64_t code);

/* Past the instruction that exited: next-RIP save where the CPU has it,
 * else the instruction is fetched and its length decoded.  False (nothing
 * changed) when the bytes at RIP are not the instruction that exited. */
bool svm_skip_instruction(struct vcpu *v);
void svm_advance_rip(struct vcpu *v, unsigned len);

void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);

/* An event the exit interrupted (EXITINTINFO) goes back in first. */
void svm_requeue_interrupted(struct vcpu *v);
/* Before the next VMRUN: deliver a queued NMI or interrupt, or arm the
 * window that tells Kestrel when the guest can take it. */
void svm_deliver_pending(struct vcpu *v);
/* The IRET and VINTR window exits. */
enum exit_action svm_exit_iret(struct vcpu *v);
enum exit_action svm_exit_vintr(struct vcpu *v);

void svm_dump_state(struct vcpu *v);

#endif
