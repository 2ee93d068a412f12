/* vmx/vmx_entry.asm */
#ifndef KESTREL_VMX_ENTRY_H
#define KESTREL_VMX_ENTRY_H

struct vcpu;

#define VMX_ENTER_FAIL_INVALID 1
#define VMX_ENTER_FAIL_VALID   2
#define VMX_ENTER_LEFT_GUEST   3

/* Enters the guest (VMLAUNCH when !launched, else VMRESUME) and handles
 * its exits until the dispatcher says leave; returns VMX_ENTER_*. */
int vmx_enter(struct vcpu *v, int launched);

#endif
