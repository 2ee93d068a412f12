/* Can this CPU enter VMX operation at all? (CPUID and IA32_FEATURE_CONTROL) */
#ifndef KESTREL_VMX_PROBE_H
#define KESTREL_VMX_PROBE_H

#include <stdbool.h>

/* Returns true when VMX can be enabled on the calling CPU; otherwise sets
 * *reason to the words used in "kestrel: vmx unavailable: <reason>". */
bool vmx_probe(const char **reason);

#endif
