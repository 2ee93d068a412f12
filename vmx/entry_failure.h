/* Reporting a failed VM entry in words: which check, which field. */
#ifndef KESTREL_VMX_ENTRY_FAILURE_H
#define KESTREL_VMX_ENTRY_FAILURE_H

#include <stdint.h>
#include "core/vm.h"

/* A VM exit with bit 31 set (the entry failed after loading guest state):
 * logs the reason and, for invalid guest state, every SDM check that the
 * current VMCS fails (vmx/guest_state_check.c). */
void entry_failure_report(struct vcpu *v, uint32_t exit_reason, uint64_t qual);

/* VMLAUNCH/VMRESUME itself failed (VMfailValid/VMfailInvalid): logs the
 * VM-instruction error in words and runs the same checks. */
void entry_instruction_failure_report(struct vcpu *v, int vmx_enter_result);

#endif
