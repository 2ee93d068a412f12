/* Model-specific registers Kestrel uses, named as in the Intel SDM vol. 4. */
#ifndef KESTREL_KERNEL_MSR_H
#define KESTREL_KERNEL_MSR_H

#define MSR_IA32_APIC_BASE          0x0000001b
#define MSR_IA32_FEATURE_CONTROL    0x0000003a
#define MSR_IA32_MTRRCAP            0x000000fe
#define MSR_IA32_MISC_ENABLE        0x000001a0
#define MSR_IA32_PAT                0x00000277
#define MSR_IA32_MTRR_DEF_TYPE      0x000002ff
#define MSR_IA32_VMX_BASIC          0x00000480
#define MSR_IA32_VMX_PINBASED_CTLS  0x00000481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x00000482
#define MSR_IA32_VMX_EXIT_CTLS      0x00000483
#define MSR_IA32_VMX_ENTRY_CTLS     0x00000484
#define MSR_IA32_VMX_MISC           0x00000485
#define MSR_IA32_VMX_CR0_FIXED0     0x00000486
#define MSR_IA32_VMX_CR0_FIXED1     0x00000487
#define MSR_IA32_VMX_CR4_FIXED0     0x00000488
#define MSR_IA32_VMX_CR4_FIXED1     0x00000489
#define MSR_IA32_VMX_VMCS_ENUM      0x0000048a
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x0000048b
#define MSR_IA32_VMX_EPT_VPID_CAP   0x0000048c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS  0x0000048d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x0000048e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS      0x0000048f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS     0x00000490
#define MSR_IA32_VMX_VMFUNC         0x00000491
#define MSR_IA32_EFER               0xc0000080
#define MSR_IA32_FS_BASE            0xc0000100
#define MSR_IA32_GS_BASE            0xc0000101
#define MSR_IA32_KERNEL_GS_BASE     0xc0000102
#define MSR_IA32_TSC_DEADLINE       0x000006e0
#define MSR_X2APIC_BASE             0x00000800   /* x2APIC registers: 0x800 + (xAPIC offset >> 4) */

/* IA32_APIC_BASE bits */
#define APIC_BASE_BSP               (1ull << 8)
#define APIC_BASE_X2APIC_ENABLE     (1ull << 10)
#define APIC_BASE_GLOBAL_ENABLE     (1ull << 11)
#define APIC_BASE_ADDR_MASK         0x000ffffffffff000ull

/* IA32_FEATURE_CONTROL bits */
#define FEATURE_CONTROL_LOCKED             (1ull << 0)
#define FEATURE_CONTROL_VMX_INSIDE_SMX     (1ull << 1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX    (1ull << 2)

/* IA32_EFER bits */
#define EFER_SCE                    (1ull << 0)
#define EFER_LME                    (1ull << 8)
#define EFER_LMA                    (1ull << 10)
#define EFER_NXE                    (1ull << 11)

/* MSRs the guest policy (core/msr_policy.c) names: the SDM vol. 4 table 2-2
 * ("IA-32 architectural MSRs") and the few model-specific ones Linux reads. */
#define MSR_IA32_P5_MC_ADDR            0x00000000
#define MSR_IA32_P5_MC_TYPE            0x00000001
#define MSR_IA32_MONITOR_FILTER_SIZE   0x00000006
#define MSR_IA32_TSC                   0x00000010
#define MSR_IA32_PLATFORM_ID           0x00000017
#define MSR_IA32_TSC_ADJUST            0x0000003b
#define MSR_IA32_SPEC_CTRL             0x00000048
#define MSR_IA32_PRED_CMD              0x00000049
#define MSR_IA32_PPIN_CTL              0x0000004e
#define MSR_IA32_PPIN                  0x0000004f
#define MSR_IA32_BIOS_UPDT_TRIG        0x00000079
#define MSR_IA32_BIOS_SIGN_ID          0x0000008b
#define MSR_IA32_SGXLEPUBKEYHASH0      0x0000008c
#define MSR_IA32_SGXLEPUBKEYHASH3      0x0000008f
#define MSR_IA32_SMM_MONITOR_CTL       0x0000009b
#define MSR_IA32_SMBASE                0x0000009e
#define MSR_IA32_MISC_PACKAGE_CTLS     0x000000bc
#define MSR_IA32_PMC0                  0x000000c1
#define MSR_IA32_PMC7                  0x000000c8
#define MSR_PLATFORM_INFO              0x000000ce   /* model-specific: ratios, CPUID faulting */
#define MSR_IA32_CORE_CAPABILITIES     0x000000cf
#define MSR_IA32_UMWAIT_CONTROL        0x000000e1
#define MSR_PKG_CST_CONFIG_CONTROL     0x000000e2   /* model-specific: package C-state limit */
#define MSR_IA32_MPERF                 0x000000e7
#define MSR_IA32_APERF                 0x000000e8
#define MSR_IA32_ARCH_CAPABILITIES     0x0000010a
#define MSR_IA32_FLUSH_CMD             0x0000010b
#define MSR_IA32_TSX_CTRL              0x00000122
#define MSR_IA32_MCU_OPT_CTRL          0x00000123
#define MSR_IA32_SYSENTER_CS           0x00000174
#define MSR_IA32_SYSENTER_EIP          0x00000176
#define MSR_IA32_MCG_CAP               0x00000179
#define MSR_IA32_MCG_STATUS            0x0000017a
#define MSR_IA32_MCG_CTL               0x0000017b
#define MSR_IA32_PERFEVTSEL0           0x00000186
#define MSR_IA32_PERFEVTSEL7           0x0000018d
#define MSR_IA32_OVERCLOCKING_STATUS   0x00000195
#define MSR_IA32_PERF_STATUS           0x00000198
#define MSR_IA32_PERF_CTL              0x00000199
#define MSR_IA32_CLOCK_MODULATION      0x0000019a
#define MSR_IA32_THERM_INTERRUPT       0x0000019b
#define MSR_IA32_THERM_STATUS          0x0000019c
#define MSR_IA32_ENERGY_PERF_BIAS      0x000001b0
#define MSR_IA32_PACKAGE_THERM_STATUS  0x000001b1
#define MSR_IA32_PACKAGE_THERM_INTERRUPT 0x000001b2
#define MSR_IA32_XFD                   0x000001c4
#define MSR_IA32_XFD_ERR               0x000001c5
#define MSR_IA32_DEBUGCTL              0x000001d9
#define MSR_IA32_SMRR_PHYSBASE         0x000001f2
#define MSR_IA32_SMRR_PHYSMASK         0x000001f3
#define MSR_IA32_PLATFORM_DCA_CAP      0x000001f8
#define MSR_IA32_DCA_0_CAP             0x000001fa
#define MSR_POWER_CTL                  0x000001fc   /* model-specific: C1E promotion, package */
#define MSR_IA32_MTRR_PHYSBASE0        0x00000200
#define MSR_IA32_MTRR_PHYSMASK31       0x0000023f
#define MSR_IA32_MTRR_FIX64K_00000     0x00000250
#define MSR_IA32_MTRR_FIX16K_80000     0x00000258
#define MSR_IA32_MTRR_FIX16K_A0000     0x00000259
#define MSR_IA32_MTRR_FIX4K_C0000      0x00000268
#define MSR_IA32_MTRR_FIX4K_F8000      0x0000026f
#define MSR_IA32_MC0_CTL2              0x00000280
#define MSR_IA32_MC31_CTL2             0x0000029f
#define MSR_IA32_FIXED_CTR0            0x00000309
#define MSR_IA32_FIXED_CTR3            0x0000030c
#define MSR_IA32_PERF_METRICS          0x00000329
#define MSR_IA32_PERF_CAPABILITIES     0x00000345
#define MSR_IA32_FIXED_CTR_CTRL        0x0000038d
#define MSR_IA32_PERF_GLOBAL_STATUS    0x0000038e
#define MSR_IA32_PERF_GLOBAL_CTRL      0x0000038f
#define MSR_IA32_PERF_GLOBAL_INUSE     0x00000392
#define MSR_IA32_PEBS_ENABLE           0x000003f1
#define MSR_IA32_PEBS_FRONTEND         0x000003f7
#define MSR_IA32_MC0_CTL               0x00000400
#define MSR_IA32_MC_LAST               0x0000047f   /* MC31_MISC: 4 MSRs per bank */
#define MSR_IA32_VMX_EXIT_CTLS2        0x00000493   /* the last VMX capability MSR */
#define MSR_IA32_A_PMC0                0x000004c1
#define MSR_IA32_A_PMC7                0x000004c8
#define MSR_IA32_MCG_EXT_CTL           0x000004d0
#define MSR_IA32_SGX_SVN_STATUS        0x00000500
#define MSR_IA32_RTIT_OUTPUT_BASE      0x00000560
#define MSR_IA32_RTIT_OUTPUT_MASK_PTRS 0x00000561
#define MSR_IA32_RTIT_CTL              0x00000570
#define MSR_IA32_RTIT_STATUS           0x00000571
#define MSR_IA32_RTIT_ADDR3_B          0x00000587
#define MSR_IA32_DS_AREA               0x00000600
#define MSR_RAPL_FIRST                 0x00000606   /* model-specific: RAPL power unit .. */
#define MSR_RAPL_LAST                  0x0000066f   /* .. and the package/DRAM/PP0/PP1/platform limits */
#define MSR_IA32_U_CET                 0x000006a0
#define MSR_IA32_INTERRUPT_SSP_TABLE_ADDR 0x000006a8
#define MSR_IA32_PKRS                  0x000006e1
#define MSR_IA32_PM_ENABLE             0x00000770
#define MSR_IA32_HWP_STATUS            0x00000777
#define MSR_X2APIC_ICR                 0x00000830
#define MSR_X2APIC_LAST                0x000008ff
#define MSR_IA32_TME_CAPABILITY        0x00000981
#define MSR_IA32_UINTR_LAST            0x0000098a   /* TME 0x981-0x984, UINTR 0x985-0x98a */
#define MSR_IA32_DEBUG_INTERFACE       0x00000c80
#define MSR_IA32_QOS_FIRST             0x00000c81   /* L3/L2 QoS config, monitoring, PQR_ASSOC .. */
#define MSR_IA32_QOS_LAST              0x00000d8f   /* .. and the L3/L2 cache masks */
#define MSR_IA32_BNDCFGS               0x00000d90
#define MSR_IA32_PASID                 0x00000d93
#define MSR_IA32_XSS                   0x00000da0
#define MSR_IA32_PKG_HDC_CTL           0x00000db0
#define MSR_IA32_THREAD_STALL          0x00000db2
#define MSR_IA32_LBR_INFO_0            0x00001200
#define MSR_IA32_LBR_TO_IP_31          0x0000161f   /* architectural LBRs: info, ctl, depth, from, to */
#define MSR_IA32_HW_FEEDBACK_PTR       0x000017d0
#define MSR_IA32_HRESET_ENABLE         0x000017da
#define MSR_IA32_UARCH_MISC_CTL        0x00001b01
#define MSR_IA32_STAR                  0xc0000081
#define MSR_IA32_FMASK                 0xc0000084
#define MSR_IA32_TSC_AUX               0xc0000103

/* IA32_DEBUGCTL bits (SDM vol. 3B 18.4.1). */
#define DEBUGCTL_LBR                   (1ull << 0)
#define DEBUGCTL_BTF                   (1ull << 1)

/* IA32_MISC_ENABLE bits Kestrel cares about (SDM vol. 4 table 2-2). */
#define MISC_ENABLE_LIMIT_CPUID        (1ull << 22)
#define MISC_ENABLE_XD_DISABLE         (1ull << 34)

#endif
