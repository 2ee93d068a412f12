/* CPUID feature bits Kestrel tests, named as in the Intel SDM vol. 2A. */
#ifndef KESTREL_KERNEL_CPU_FEATURES_H
#define KESTREL_KERNEL_CPU_FEATURES_H

#define CPUID_LEAF_FEATURES          0x00000001
#define CPUID_LEAF_TSC_CRYSTAL       0x00000015
#define CPUID_LEAF_FREQUENCY         0x00000016
#define CPUID_LEAF_EXT_MAX           0x80000000
#define CPUID_LEAF_EXT_FEATURES      0x80000001
#define CPUID_LEAF_POWER_MGMT        0x80000007

#define CPUID_1_ECX_MONITOR          (1u << 3)   /* MONITOR/MWAIT */
#define CPUID_1_ECX_VMX              (1u << 5)
#define CPUID_1_ECX_SMX              (1u << 6)
#define CPUID_1_ECX_X2APIC           (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE     (1u << 24)
#define CPUID_1_ECX_HYPERVISOR       (1u << 31)
#define CPUID_1_EDX_TSC              (1u << 4)
#define CPUID_1_EDX_MSR              (1u << 5)
#define CPUID_1_EDX_APIC             (1u << 9)
#define CPUID_1_EDX_MTRR             (1u << 12)
#define CPUID_1_EDX_PAT              (1u << 16)
#define CPUID_80000001_EDX_NX        (1u << 20)
#define CPUID_80000001_EDX_PDPE1GB   (1u << 26)
#define CPUID_80000007_EDX_INVARIANT_TSC (1u << 8)

#endif
