/*
 * Kestrel's hypercall ABI (docs/vmcall.md), shared by the hypervisor, which
 * implements it, and every guest that calls it (the built-in guests).
 *
 * VMCALL (VMMCALL on AMD) with the function in RAX, arguments in RBX, RCX,
 * RDX; the result in RAX (~0 for an unknown function).  Only from CPL 0: at
 * CPL > 0 the instruction raises #UD in the guest.
 */
#ifndef KESTREL_INCLUDE_HYPERCALL_H
#define KESTREL_INCLUDE_HYPERCALL_H

#define KESTREL_HC_VERSION        0   /* → ABI version (1) */
#define KESTREL_HC_LOG_WRITE      1   /* RBX = guest-physical string, RCX = length → bytes logged */
#define KESTREL_HC_LOG_READ       2   /* RBX = guest-physical buffer, RCX = size → bytes copied */
#define KESTREL_HC_EXIT_STATS     3   /* prints this CPU's exit counters → total exits */
#define KESTREL_HC_POWER_OFF      4   /* ends the run: Kestrel reports and powers off */
#define KESTREL_HC_CHECK_ISOLATION 5  /* → 1 if Kestrel's canary at hypervisor_probe is intact */
#define KESTREL_HC_RESULT_UNKNOWN (~0ull)

#endif
