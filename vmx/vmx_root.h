/* Entering and leaving VMX root operation on each CPU. */
#ifndef KESTREL_VMX_ROOT_H
#define KESTREL_VMX_ROOT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/caps.h"

/* On the BSP, once: reads the capability MSRs and checks that they offer
 * everything Kestrel needs.  False with *reason naming the first missing
 * feature (then no CPU enters VMX operation). */
bool vmx_caps_init(const char **reason);
const struct vmx_caps *vmx_caps(void);

/* On the calling CPU: lock IA32_FEATURE_CONTROL with VMX enabled if the
 * firmware left it unlocked, apply the CR0/CR4 fixed bits, set CR4.VMXE and
 * execute VMXON with a fresh region.  Returns false with *reason (words for
 * "kestrel: warning: cpu N: vmx: <reason>") when any step fails; the CPU is
 * then left as it was. */
bool vmx_root_enter(unsigned cpu_index, const char **reason);

/* VMXOFF on the calling CPU if it is in VMX root (before firmware calls). */
void vmx_root_leave(unsigned cpu_index);

bool vmx_root_active(unsigned cpu_index);

#endif
