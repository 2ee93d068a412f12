/*
 * MSR policy: the rule table, the MSR bitmap built from it, and the checks
 * behind the emulated MSRs.  MSR numbers and bit layouts are from the Intel
 * SDM vol. 4 (MSRs) and vol. 3A ch. "Memory Cache Control" (MTRRs), the
 * bitmap layout from vol. 3C "MSR-Bitmap Address".
 */
#include "core/msr_policy.h"
#include "kernel/msr.h"
#include "mm/mtrr.h"

#define MAXPHYADDR_DEFAULT             36           /* when CPUID 0x80000008 is absent */
#define MAXPHYADDR_LIMIT               52
#define MCA_BANK_MSRS                  4            /* MCi_CTL, STATUS, ADDR, MISC */
#define DEBUGCTL_ALLOWED               (DEBUGCTL_LBR | DEBUGCTL_BTF)

/* The two ranges the bitmap covers; every other MSR always exits. */
#define MSR_BITMAP_LOW_FIRST           0x00000000u
#define MSR_BITMAP_LOW_LAST            0x00001fffu
#define MSR_BITMAP_HIGH_FIRST          0xc0000000u
#define MSR_BITMAP_HIGH_LAST           0xc0001fffu
#define MSR_BITMAP_READ_LOW            0
#define MSR_BITMAP_READ_HIGH           1024
#define MSR_BITMAP_WRITE_LOW           2048
#define MSR_BITMAP_WRITE_HIGH          3072


#define RULE(first_, last_, name_, read_, write_, reason_) \
    { .first = (first_), .last = (last_), .name = (name_), .read = MSR_RULE_RD_##read_, \
      .write = MSR_RULE_WR_##write_, .reason = (reason_) }
#define REFUSED(first_, last_, name_, reason_) RULE(first_, last_, name_, GP, GP, reason_)

/* Reasons shared by several rows. */
#define MSR_AMD_SYSCFG           0xc0010010u   /* APM vol. 2 3.2.1 */
#define MSR_AMD_HWCR             0xc0010015u
#define MSR_AMD_TOP_MEM          0xc001001au
#define MSR_AMD_TOP_MEM2         0xc001001du
#define MSR_AMD_INT_PENDING      0xc0010055u
#define MSR_AMD_MMIO_CFG_BASE    0xc0010058u
#define MSR_AMD_OSVW_ID_LENGTH   0xc0010140u
#define MSR_AMD_OSVW_STATUS      0xc0010141u
#define MSR_AMD_DE_CFG           0xc0011029u
#define MSR_AMD_VM_CR            0xc0010114u   /* APM vol. 2 15.30.1 */
#define MSR_AMD_VM_CR_LOCK       (1ull << 3)
#define MSR_AMD_VM_CR_SVMDIS     (1ull << 4)
#define MSR_AMD_VM_HSAVE_PA      0xc0010117u   /* APM vol. 2 15.30.4 */

#define WHY_VMCS       "switched by the VMCS guest/host state"
#define WHY_MTRR       "the real MTRRs describe memory for Kestrel too: the guest gets a copy"
#define WHY_PMU        "performance monitoring is hidden (CPUID leaf 0AH): counters and selectors " \
                       "would count and interrupt in Kestrel's root mode too"
#define WHY_TSC        "the TSC is shared with Kestrel: a guest write would move Kestrel's clock"
#define WHY_PACKAGE    "package-wide power management: it also governs cores outside the guest"

/*
 * Sorted by MSR.  Every row is an MSR the guest may touch, or one the SDM's
 * list of architectural MSRs names, refused with its reason; an MSR no row
 * names is refused too (msr_policy_read/write).  "Native" (PASS) means the
 * guest's RDMSR/WRMSR runs without an exit.
 */
static const struct msr_rule msr_rules[] = {
    REFUSED(MSR_IA32_P5_MC_ADDR, MSR_IA32_P5_MC_TYPE, "IA32_P5_MC_ADDR/TYPE",
            "Pentium machine-check registers: nothing reports through them"),
    REFUSED(MSR_IA32_MONITOR_FILTER_SIZE, MSR_IA32_MONITOR_FILTER_SIZE, "IA32_MONITOR_FILTER_SIZE",
            "MONITOR/MWAIT is hidden (CPUID.1:ECX.MONITOR): the guest idles with HLT and "
            "C-states stay the firmware's"),
    RULE(MSR_IA32_TSC, MSR_IA32_TSC, "IA32_TSC", PASS, IGNORE, WHY_TSC),
    RULE(MSR_IA32_PLATFORM_ID, MSR_IA32_PLATFORM_ID, "IA32_PLATFORM_ID", PASS, GP,
         "read-only platform identification (microcode loaders read it)"),
    RULE(MSR_IA32_APIC_BASE, MSR_IA32_APIC_BASE, "IA32_APIC_BASE", PASS, APIC_BASE,
         "the guest owns the LAPIC but may not move it over Kestrel's memory or disable it; "
         "it may switch it to x2APIC mode"),
    { .first = MSR_IA32_FEATURE_CONTROL, .last = MSR_IA32_FEATURE_CONTROL,
      .name = "IA32_FEATURE_CONTROL", .read = MSR_RULE_RD_CONST, .write = MSR_RULE_WR_GP,
      .read_value = FEATURE_CONTROL_LOCKED,
      .reason = "locked with VMX off: the guest sees no VMX; writing a locked register #GPs" },
    RULE(MSR_IA32_TSC_ADJUST, MSR_IA32_TSC_ADJUST, "IA32_TSC_ADJUST", PASS, IGNORE, WHY_TSC),
    RULE(MSR_IA32_SPEC_CTRL, MSR_IA32_SPEC_CTRL, "IA32_SPEC_CTRL", PASS, PASS,
         "the guest's own speculation controls (IBRS, STIBP, SSBD) for its core; Kestrel "
         "sets none of its own"),
    RULE(MSR_IA32_PRED_CMD, MSR_IA32_PRED_CMD, "IA32_PRED_CMD", PASS, PASS,
         "indirect-branch prediction barrier: a command that affects this core only"),
    REFUSED(MSR_IA32_PPIN_CTL, MSR_IA32_PPIN, "IA32_PPIN_CTL/PPIN",
            "the protected processor inventory number and its lock stay the firmware's"),
    RULE(MSR_IA32_BIOS_UPDT_TRIG, MSR_IA32_BIOS_UPDT_TRIG, "IA32_BIOS_UPDT_TRIG", GP, IGNORE,
         "microcode updates belong to the firmware, not the guest"),
    RULE(MSR_IA32_BIOS_SIGN_ID, MSR_IA32_BIOS_SIGN_ID, "IA32_BIOS_SIGN_ID", PASS, PASS,
         "the microcode revision: writing 0 and then CPUID loads it (the guest's CPUID runs "
         "in Kestrel on the same core)"),
    REFUSED(MSR_IA32_SGXLEPUBKEYHASH0, MSR_IA32_SGXLEPUBKEYHASH3, "IA32_SGXLEPUBKEYHASH0..3",
            "SGX launch control: SGX is hidden"),
    REFUSED(MSR_IA32_SMM_MONITOR_CTL, MSR_IA32_SMM_MONITOR_CTL, "IA32_SMM_MONITOR_CTL",
            "the dual-monitor SMM treatment is part of VMX/SMX, which the guest does not see"),
    REFUSED(MSR_IA32_SMBASE, MSR_IA32_SMBASE, "IA32_SMBASE",
            "SMM belongs to the firmware (the register is readable only in SMM)"),
    REFUSED(MSR_IA32_MISC_PACKAGE_CTLS, MSR_IA32_MISC_PACKAGE_CTLS, "IA32_MISC_PACKAGE_CTLS",
            "package-wide controls: they also govern cores outside the guest"),
    REFUSED(MSR_IA32_PMC0, MSR_IA32_PMC7, "IA32_PMC0..7", WHY_PMU),
    { .first = MSR_PLATFORM_INFO, .last = MSR_PLATFORM_INFO, .name = "MSR_PLATFORM_INFO",
      .read = MSR_RULE_RD_CONST, .write = MSR_RULE_WR_GP, .read_value = 0,
      .reason = "model-specific ratios read as 0: P-states stay the firmware's (a P-state "
                "driver such as Linux's intel_pstate declines), and no CPUID faulting" },
    RULE(MSR_IA32_CORE_CAPABILITIES, MSR_IA32_CORE_CAPABILITIES, "IA32_CORE_CAPABILITIES",
         PASS, GP, "read-only enumeration; the controls it lists are refused"),
    REFUSED(MSR_IA32_UMWAIT_CONTROL, MSR_IA32_UMWAIT_CONTROL, "IA32_UMWAIT_CONTROL",
            "WAITPKG is hidden"),
    REFUSED(MSR_PKG_CST_CONFIG_CONTROL, MSR_PKG_CST_CONFIG_CONTROL, "MSR_PKG_CST_CONFIG_CONTROL",
            WHY_PACKAGE " (the package C-state limit and its lock)"),
    RULE(MSR_IA32_MPERF, MSR_IA32_APERF, "IA32_MPERF/APERF", PASS, GP,
         "this core's frequency feedback counters: reading them is harmless, resetting "
         "them is not the guest's"),
    { .first = MSR_IA32_MTRRCAP, .last = MSR_IA32_MTRRCAP, .name = "IA32_MTRRCAP",
      .read = MSR_RULE_RD_SHADOW, .write = MSR_RULE_WR_GP,
      .reason = "the host's value with VCNT capped at the shadow's 32 pairs and SMRR clear; "
                "read-only" },
    RULE(MSR_IA32_ARCH_CAPABILITIES, MSR_IA32_ARCH_CAPABILITIES, "IA32_ARCH_CAPABILITIES", PASS,
         GP, "read-only: which speculation issues this CPU has"),
    RULE(MSR_IA32_FLUSH_CMD, MSR_IA32_FLUSH_CMD, "IA32_FLUSH_CMD", PASS, PASS,
         "L1 data cache flush: a command that affects this core only"),
    RULE(MSR_IA32_TSX_CTRL, MSR_IA32_MCU_OPT_CTRL, "IA32_TSX_CTRL/MCU_OPT_CTRL", PASS, PASS,
         "this core's TSX and microcode mitigation options; Kestrel uses neither"),
    RULE(MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_EIP, "IA32_SYSENTER_CS..EIP", PASS, PASS,
         WHY_VMCS),
    RULE(MSR_IA32_MCG_CAP, MSR_IA32_MCG_CAP, "IA32_MCG_CAP", PASS, GP,
         "read-only: the machine-check banks"),
    RULE(MSR_IA32_MCG_STATUS, MSR_IA32_MCG_STATUS, "IA32_MCG_STATUS", PASS, PASS,
         "the guest handles its machine checks (Kestrel has no handler of its own)"),
    RULE(MSR_IA32_MCG_CTL, MSR_IA32_MCG_CTL, "IA32_MCG_CTL", PASS, IGNORE,
         "machine-check enables: banks may be shared with cores outside the guest; the "
         "firmware's setting stays"),
    REFUSED(MSR_IA32_PERFEVTSEL0, MSR_IA32_PERFEVTSEL7, "IA32_PERFEVTSEL0..7", WHY_PMU),
    REFUSED(MSR_IA32_OVERCLOCKING_STATUS, MSR_IA32_OVERCLOCKING_STATUS,
            "IA32_OVERCLOCKING_STATUS", "platform overclocking state: the firmware's"),
    RULE(MSR_IA32_PERF_STATUS, MSR_IA32_PERF_STATUS, "IA32_PERF_STATUS", PASS, GP,
         "the current P-state: read-only"),
    REFUSED(MSR_IA32_PERF_CTL, MSR_IA32_PERF_CTL, "IA32_PERF_CTL",
            "P-state requests: Enhanced SpeedStep is hidden (CPUID.1:ECX.EST); the frequency "
            "stays the firmware's"),
    REFUSED(MSR_IA32_CLOCK_MODULATION, MSR_IA32_THERM_INTERRUPT,
            "IA32_CLOCK_MODULATION/THERM_INTERRUPT",
            "software clock modulation and thermal interrupts are hidden (CPUID.1:EDX.ACPI/TM)"),
    RULE(MSR_IA32_THERM_STATUS, MSR_IA32_THERM_STATUS, "IA32_THERM_STATUS", PASS, GP,
         "this core's temperature: readable (digital thermal sensor); clearing its log bits "
         "is not the guest's"),
    RULE(MSR_IA32_MISC_ENABLE, MSR_IA32_MISC_ENABLE, "IA32_MISC_ENABLE", PASS, UNCHANGED,
         "reads show the firmware's settings; changes are refused: bit 22 limits CPUID for "
         "Kestrel too, bit 34 disables XD under Kestrel's page tables, the others are core- "
         "or package-wide"),
    REFUSED(MSR_IA32_ENERGY_PERF_BIAS, MSR_IA32_ENERGY_PERF_BIAS, "IA32_ENERGY_PERF_BIAS",
            WHY_PACKAGE " (hidden: CPUID.6:ECX.EPB)"),
    RULE(MSR_IA32_PACKAGE_THERM_STATUS, MSR_IA32_PACKAGE_THERM_STATUS,
         "IA32_PACKAGE_THERM_STATUS", PASS, GP, "the package temperature: read-only to the guest"),
    REFUSED(MSR_IA32_PACKAGE_THERM_INTERRUPT, MSR_IA32_PACKAGE_THERM_INTERRUPT,
            "IA32_PACKAGE_THERM_INTERRUPT", WHY_PACKAGE),
    RULE(MSR_IA32_XFD, MSR_IA32_XFD_ERR, "IA32_XFD/XFD_ERR", PASS, PASS,
         "extended feature disable of the guest's own AMX state; Kestrel uses no extended "
         "state"),
    { .first = MSR_IA32_DEBUGCTL, .last = MSR_IA32_DEBUGCTL, .name = "IA32_DEBUGCTL",
      .read = MSR_RULE_RD_GUEST_STATE, .write = MSR_RULE_WR_DEBUGCTL,
      .reason = "switched by the VMCS (save/load debug controls); only LBR and BTF: branch "
                "trace store and the freeze bits need the DS area and the PMU, which are hidden" },
    REFUSED(MSR_IA32_SMRR_PHYSBASE, MSR_IA32_SMRR_PHYSMASK, "IA32_SMRR_PHYSBASE/PHYSMASK",
            "the SMM range registers belong to the firmware"),
    REFUSED(MSR_IA32_PLATFORM_DCA_CAP, MSR_IA32_DCA_0_CAP, "IA32_PLATFORM_DCA_CAP..DCA_0_CAP",
            "direct cache access: platform-wide"),
    REFUSED(MSR_POWER_CTL, MSR_POWER_CTL, "MSR_POWER_CTL", WHY_PACKAGE " (C1E promotion)"),
    RULE(MSR_IA32_MTRR_PHYSBASE0, MSR_IA32_MTRR_PHYSMASK31, "IA32_MTRR_PHYSBASE/PHYSMASK",
         SHADOW, SHADOW, WHY_MTRR),
    RULE(MSR_IA32_MTRR_FIX64K_00000, MSR_IA32_MTRR_FIX64K_00000, "IA32_MTRR_FIX64K_00000",
         SHADOW, SHADOW, WHY_MTRR),
    RULE(MSR_IA32_MTRR_FIX16K_80000, MSR_IA32_MTRR_FIX16K_A0000, "IA32_MTRR_FIX16K",
         SHADOW, SHADOW, WHY_MTRR),
    RULE(MSR_IA32_MTRR_FIX4K_C0000, MSR_IA32_MTRR_FIX4K_F8000, "IA32_MTRR_FIX4K",
         SHADOW, SHADOW, WHY_MTRR),
    RULE(MSR_IA32_PAT, MSR_IA32_PAT, "IA32_PAT", PASS, PASS, WHY_VMCS),
    RULE(MSR_IA32_MC0_CTL2, MSR_IA32_MC31_CTL2, "IA32_MC0..31_CTL2", PASS, IGNORE,
         "corrected-error interrupt thresholds: banks may be shared with cores outside the "
         "guest; the firmware's setting stays"),
    RULE(MSR_IA32_MTRR_DEF_TYPE, MSR_IA32_MTRR_DEF_TYPE, "IA32_MTRR_DEF_TYPE", SHADOW, SHADOW,
         WHY_MTRR),
    REFUSED(MSR_IA32_FIXED_CTR0, MSR_IA32_FIXED_CTR3, "IA32_FIXED_CTR0..3", WHY_PMU),
    REFUSED(MSR_IA32_PERF_METRICS, MSR_IA32_PERF_METRICS, "IA32_PERF_METRICS", WHY_PMU),
    REFUSED(MSR_IA32_PERF_CAPABILITIES, MSR_IA32_PERF_CAPABILITIES, "IA32_PERF_CAPABILITIES",
            WHY_PMU " (CPUID.1:ECX.PDCM is hidden)"),
    REFUSED(MSR_IA32_FIXED_CTR_CTRL, MSR_IA32_PERF_GLOBAL_INUSE,
            "IA32_FIXED_CTR_CTRL, IA32_PERF_GLOBAL_*", WHY_PMU),
    REFUSED(MSR_IA32_PEBS_ENABLE, MSR_IA32_PEBS_FRONTEND, "IA32_PEBS_ENABLE and PEBS controls",
            "PEBS writes records to the DS area: hidden with the PMU"),
    { .first = MSR_IA32_MC0_CTL, .last = MSR_IA32_MC_LAST, .name = "IA32_MC0..31_CTL/STATUS/ADDR/MISC",
      .read = MSR_RULE_RD_PASS, .write = MSR_RULE_WR_MCA_BANK,
      .reason = "machine-check banks: the guest reads and clears errors; enabling or disabling "
                "a bank (MCi_CTL) is dropped: banks may be shared with cores outside the guest" },
    REFUSED(MSR_IA32_VMX_BASIC, MSR_IA32_VMX_EXIT_CTLS2, "IA32_VMX_*",
            "VMX capability MSRs: the guest sees no VMX (CPUID.1:ECX.VMX is clear)"),
    REFUSED(MSR_IA32_A_PMC0, MSR_IA32_A_PMC7, "IA32_A_PMC0..7", WHY_PMU),
    REFUSED(MSR_IA32_MCG_EXT_CTL, MSR_IA32_MCG_EXT_CTL, "IA32_MCG_EXT_CTL",
            "local machine checks need IA32_FEATURE_CONTROL.LMCE, which the guest sees clear"),
    REFUSED(MSR_IA32_SGX_SVN_STATUS, MSR_IA32_SGX_SVN_STATUS, "IA32_SGX_SVN_STATUS",
            "SGX is hidden"),
    REFUSED(MSR_IA32_RTIT_OUTPUT_BASE, MSR_IA32_RTIT_ADDR3_B, "IA32_RTIT_*",
            "Intel PT: trace output addresses are host-physical and bypass EPT (hidden: CPUID "
            "leaf 14H)"),
    REFUSED(MSR_IA32_DS_AREA, MSR_IA32_DS_AREA, "IA32_DS_AREA",
            "the debug store (BTS/PEBS records) is hidden (CPUID.1:EDX.DS)"),
    REFUSED(MSR_RAPL_FIRST, MSR_RAPL_LAST, "RAPL (MSR_RAPL_POWER_UNIT .. platform limits)",
            WHY_PACKAGE " (running average power limits and energy counters)"),
    REFUSED(MSR_IA32_U_CET, MSR_IA32_INTERRUPT_SSP_TABLE_ADDR, "IA32_U_CET .. "
            "IA32_INTERRUPT_SSP_TABLE_ADDR",
            "control-flow enforcement is hidden (CPUID.7): Kestrel does not switch its state"),
    RULE(MSR_IA32_TSC_DEADLINE, MSR_IA32_TSC_DEADLINE, "IA32_TSC_DEADLINE", PASS, PASS,
         "the guest owns its LAPIC timer"),
    REFUSED(MSR_IA32_PKRS, MSR_IA32_PKRS, "IA32_PKRS",
            "supervisor protection keys are hidden (CPUID.7:ECX.PKS)"),
    REFUSED(MSR_IA32_PM_ENABLE, MSR_IA32_HWP_STATUS, "IA32_PM_ENABLE, IA32_HWP_*",
            WHY_PACKAGE " (hardware P-states are hidden: CPUID.6:EAX.HWP)"),
    RULE(MSR_X2APIC_BASE, MSR_X2APIC_ICR - 1, "x2APIC registers 0x800-0x82f", PASS, PASS,
         "the guest owns its LAPIC"),
    RULE(MSR_X2APIC_ICR, MSR_X2APIC_ICR, "x2APIC ICR", PASS, ICR,
         "interrupt command: Kestrel sends the IPI itself, to the guest's own CPUs only"),
    RULE(MSR_X2APIC_ICR + 1, MSR_X2APIC_LAST, "x2APIC registers 0x831-0x8ff", PASS, PASS,
         "the guest owns its LAPIC"),
    REFUSED(MSR_IA32_TME_CAPABILITY, MSR_IA32_UINTR_LAST, "IA32_TME_*, IA32_UINTR_*",
            "total memory encryption (platform keys) and user interrupts are hidden"),
    REFUSED(MSR_IA32_DEBUG_INTERFACE, MSR_IA32_DEBUG_INTERFACE, "IA32_DEBUG_INTERFACE",
            "the silicon debug interface is the platform's"),
    REFUSED(MSR_IA32_QOS_FIRST, MSR_IA32_QOS_LAST, "IA32_L3/L2_QOS_*, IA32_QM_*, IA32_PQR_ASSOC",
            "cache allocation and monitoring govern caches shared with cores outside the guest"),
    REFUSED(MSR_IA32_BNDCFGS, MSR_IA32_BNDCFGS, "IA32_BNDCFGS", "MPX is hidden"),
    REFUSED(MSR_IA32_PASID, MSR_IA32_PASID, "IA32_PASID",
            "ENQCMD's process address space ID: devices and the IOMMU are not virtualized"),
    RULE(MSR_IA32_XSS, MSR_IA32_XSS, "IA32_XSS", PASS, XSS,
         "supervisor state for XSAVES: only components CPUID.(0DH,1) shows the guest (never "
         "Intel PT's: XRSTORS would load the PT MSRs)"),
    REFUSED(MSR_IA32_PKG_HDC_CTL, MSR_IA32_THREAD_STALL, "IA32_PKG_HDC_CTL, IA32_PM_CTL1, "
            "IA32_THREAD_STALL", WHY_PACKAGE " (hardware duty cycling)"),
    REFUSED(MSR_IA32_LBR_INFO_0, MSR_IA32_LBR_TO_IP_31, "IA32_LBR_* (architectural LBRs)",
            "architectural LBRs are hidden (CPUID.7:EDX)"),
    REFUSED(MSR_IA32_HW_FEEDBACK_PTR, MSR_IA32_HRESET_ENABLE, "IA32_HW_FEEDBACK_*, "
            "IA32_HRESET_ENABLE", "the hardware feedback interface is platform-wide (hidden)"),
    REFUSED(MSR_IA32_UARCH_MISC_CTL, MSR_IA32_UARCH_MISC_CTL, "IA32_UARCH_MISC_CTL",
            "not offered: its enumeration (IA32_ARCH_CAPABILITIES) is the hardware's"),
    { .first = MSR_IA32_EFER, .last = MSR_IA32_EFER, .name = "IA32_EFER",
      .read = MSR_RULE_RD_PASS, .write = MSR_RULE_WR_PASS, .reason = WHY_VMCS,
      .svm_guest_state = true,
      .svm_reason = "SVM: the guest VMCB's EFER must keep SVME, which the guest reads clear "
                    "and cannot set (#GP)" },
    RULE(MSR_IA32_STAR, MSR_IA32_FMASK, "IA32_STAR/LSTAR/CSTAR/FMASK", PASS, PASS,
         "guest-only: Kestrel never executes SYSCALL"),
    RULE(MSR_IA32_FS_BASE, MSR_IA32_GS_BASE, "IA32_FS_BASE/GS_BASE", PASS, PASS,
         "switched by the VMCS guest/host segment state"),
    RULE(MSR_IA32_KERNEL_GS_BASE, MSR_IA32_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE", PASS, PASS,
         "guest-only: Kestrel never executes SWAPGS"),
    RULE(MSR_IA32_TSC_AUX, MSR_IA32_TSC_AUX, "IA32_TSC_AUX", PASS, PASS,
         "RDTSCP/RDPID's value: guest-only, Kestrel never reads it"),
    RULE(MSR_AMD_SYSCFG, MSR_AMD_SYSCFG, "SYSCFG (AMD)", PASS, GP,
         "system configuration: readable (memory encryption and MTRR extension bits); writes "
         "would change the memory map and fixed-MTRR semantics for Kestrel too"),
    RULE(MSR_AMD_HWCR, MSR_AMD_HWCR, "HWCR (AMD)", PASS, IGNORE,
         "hardware configuration: readable; core-wide settings (SMM lock, INVD as WBINVD, "
         "the TSC's frequency) stay the firmware's"),
    RULE(MSR_AMD_TOP_MEM, MSR_AMD_TOP_MEM, "TOP_MEM (AMD)", PASS, GP,
         "where DRAM below 4 GiB ends: readable, the firmware's"),
    RULE(MSR_AMD_TOP_MEM2, MSR_AMD_TOP_MEM2, "TOP_MEM2 (AMD)", PASS, GP,
         "where DRAM above 4 GiB ends: readable, the firmware's"),
    { .first = MSR_AMD_INT_PENDING, .last = MSR_AMD_INT_PENDING, .name = "INT_PENDING_MSG (AMD)",
      .read = MSR_RULE_RD_CONST, .write = MSR_RULE_WR_IGNORE, .read_value = 0,
      .reason = "interrupt-pending message and C1E: reads as none enabled; C1E is a "
                "package-wide power setting" },
    RULE(MSR_AMD_MMIO_CFG_BASE, MSR_AMD_MMIO_CFG_BASE, "MMIO_CFG_BASE (AMD)", PASS, GP,
         "the PCIe ECAM window: readable; moving it would move the configuration space "
         "Kestrel mediates"),
    { .first = MSR_AMD_VM_CR, .last = MSR_AMD_VM_CR, .name = "VM_CR",
      .read = MSR_RULE_RD_CONST, .write = MSR_RULE_WR_GP,
      .read_value = MSR_AMD_VM_CR_SVMDIS | MSR_AMD_VM_CR_LOCK,
      .reason = "AMD SVM control: the guest sees SVM disabled and locked, as a firmware that "
                "switched it off leaves it" },
    REFUSED(MSR_AMD_VM_HSAVE_PA, MSR_AMD_VM_HSAVE_PA, "VM_HSAVE_PA",
            "AMD SVM host save area: the guest runs no hypervisor (SVM is hidden)"),
    { .first = MSR_AMD_OSVW_ID_LENGTH, .last = MSR_AMD_OSVW_STATUS, .name = "OSVW_ID_LENGTH/STATUS (AMD)",
      .read = MSR_RULE_RD_CONST, .write = MSR_RULE_WR_IGNORE, .read_value = 0,
      .reason = "OS-visible workarounds: none reported (the errata of the host are Kestrel's)" },
    RULE(MSR_AMD_DE_CFG, MSR_AMD_DE_CFG, "DE_CFG (AMD)", PASS, IGNORE,
         "decode configuration: readable (LFENCE serializing); core-wide, the firmware's"),
};

#define MSR_RULE_COUNT (sizeof(msr_rules) / sizeof(msr_rules[0]))

static const char *const unlisted_reason = "no rule names this MSR: refused (deny by default)";

/* ---- lookup ----------------------------------------------------------- */

const struct msr_rule *msr_policy_rules(size_t *count)
{
    *count = MSR_RULE_COUNT;
    return msr_rules;
}

const struct msr_rule *msr_policy_find(uint32_t msr)
{
    size_t lo = 0, hi = MSR_RULE_COUNT;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (msr < msr_rules[mid].first)
            hi = mid;
        else if (msr > msr_rules[mid].last)
            lo = mid + 1;
        else
            return &msr_rules[mid];
    }
    return NULL;
}

const char *msr_policy_name(uint32_t msr)
{
    const struct msr_rule *r = msr_policy_find(msr);

    return r != NULL ? r->name : "unlisted MSR";
}

bool msr_policy_write_needs_current(uint32_t msr)
{
    const struct msr_rule *r = msr_policy_find(msr);

    return r != NULL && (r->write == MSR_RULE_WR_APIC_BASE || r->write == MSR_RULE_WR_UNCHANGED);
}

/* ---- MTRR shadow -------------------------------------------------------- */

enum mtrr_kind { MTRR_NONE, MTRR_CAP, MTRR_DEF_TYPE, MTRR_FIXED, MTRR_VAR };

/* Which shadow field holds msr: kind and index into mtrr_fixed[]/mtrr_var[]. */
static enum mtrr_kind mtrr_classify(uint32_t msr, unsigned *index)
{
    *index = 0;
    if (msr == MSR_IA32_MTRRCAP)
        return MTRR_CAP;
    if (msr == MSR_IA32_MTRR_DEF_TYPE)
        return MTRR_DEF_TYPE;
    if (msr >= MSR_IA32_MTRR_PHYSBASE0 && msr <= MSR_IA32_MTRR_PHYSMASK31) {
        *index = msr - MSR_IA32_MTRR_PHYSBASE0;
        return MTRR_VAR;
    }
    for (unsigned i = 0; i < MSR_MTRR_FIXED_COUNT; i++) {
        if (mtrr_fixed_msrs[i] == msr) {
            *index = i;
            return MTRR_FIXED;
        }
    }
    return MTRR_NONE;
}

/* Does the (virtual) CPU have this MTRR?  Hardware #GPs on the others. */
static bool mtrr_exists(const struct msr_shadow *s, enum mtrr_kind kind, unsigned index,
                        const char **why)
{
    switch (kind) {
    case MTRR_CAP:
    case MTRR_DEF_TYPE:
        return true;
    case MTRR_FIXED:
        if (!(s->mtrr_cap & MTRRCAP_FIX)) {
            *why = "fixed-range MTRRs are not supported (MTRRCAP.FIX is clear)";
            return false;
        }
        return true;
    case MTRR_VAR:
        if (index / 2 >= (s->mtrr_cap & MTRRCAP_VCNT_MASK)) {
            *why = "variable MTRR beyond MTRRCAP.VCNT";
            return false;
        }
        return true;
    case MTRR_NONE:
        break;
    }
    *why = "not an MTRR";
    return false;
}

static uint64_t shadow_get(const struct msr_shadow *s, enum mtrr_kind kind, unsigned index)
{
    switch (kind) {
    case MTRR_CAP:      return s->mtrr_cap;
    case MTRR_DEF_TYPE: return s->mtrr_def_type;
    case MTRR_FIXED:    return s->mtrr_fixed[index];
    case MTRR_VAR:      return s->mtrr_var[index];
    case MTRR_NONE:     break;
    }
    return 0;
}

static void shadow_put(struct msr_shadow *s, enum mtrr_kind kind, unsigned index, uint64_t value)
{
    switch (kind) {
    case MTRR_DEF_TYPE: s->mtrr_def_type = value; break;
    case MTRR_FIXED:    s->mtrr_fixed[index] = value; break;
    case MTRR_VAR:      s->mtrr_var[index] = value; break;
    case MTRR_CAP:
    case MTRR_NONE:     break;
    }
}

/* UC, WC, WT, WP, WB; 2, 3 and 7+ are reserved encodings (SDM vol. 3A, "MTRR types"). */
static bool mtrr_type_valid(uint64_t type)
{
    return type == 0 || type == 1 || type == 4 || type == 5 || type == 6;
}

/* Bits at and above MAXPHYADDR are reserved in PHYSBASE/PHYSMASK. */
static uint64_t above_maxphyaddr(const struct msr_shadow *s)
{
    return ~((1ull << s->phys_addr_bits) - 1);
}

/* NULL if value may be written to the MTRR, else why not. */
static const char *mtrr_value_problem(const struct msr_shadow *s, enum mtrr_kind kind,
                                      unsigned index, uint64_t value)
{
    switch (kind) {
    case MTRR_DEF_TYPE:
        if (value & ~(MTRR_DEF_TYPE_TYPE_MASK | MTRR_DEF_TYPE_FE | MTRR_DEF_TYPE_E))
            return "IA32_MTRR_DEF_TYPE: reserved bits set";
        if (!mtrr_type_valid(value & MTRR_DEF_TYPE_TYPE_MASK))
            return "IA32_MTRR_DEF_TYPE: invalid memory type";
        return NULL;
    case MTRR_FIXED:
        for (unsigned byte = 0; byte < 8; byte++) {
            if (!mtrr_type_valid((value >> (8 * byte)) & 0xff))
                return "fixed-range MTRR: invalid memory type";
        }
        return NULL;
    case MTRR_VAR:
        if (index % 2 == 0) {
            if (value & (MTRR_PHYSBASE_RESERVED_LOW | above_maxphyaddr(s)))
                return "IA32_MTRR_PHYSBASE: reserved bits set";
            if (!mtrr_type_valid(value & MTRR_PHYSBASE_TYPE_MASK))
                return "IA32_MTRR_PHYSBASE: invalid memory type";
        } else if (value & (MTRR_PHYSMASK_RESERVED_LOW | above_maxphyaddr(s))) {
            return "IA32_MTRR_PHYSMASK: reserved bits set";
        }
        return NULL;
    case MTRR_CAP:
        return "IA32_MTRRCAP is read-only";
    case MTRR_NONE:
        break;
    }
    return "not an MTRR";
}

void msr_shadow_init(struct msr_shadow *s, unsigned phys_addr_bits, msr_host_read_fn read_host,
                     void *ctx)
{
    uint64_t cap = read_host(MSR_IA32_MTRRCAP, ctx);
    uint64_t vcnt = cap & MTRRCAP_VCNT_MASK;

    *s = (struct msr_shadow){ 0 };
    if (phys_addr_bits == 0)
        phys_addr_bits = MAXPHYADDR_DEFAULT;
    if (phys_addr_bits > MAXPHYADDR_LIMIT)
        phys_addr_bits = MAXPHYADDR_LIMIT;
    s->phys_addr_bits = (uint8_t)phys_addr_bits;

    if (vcnt > MSR_MTRR_VAR_PAIRS_MAX)
        vcnt = MSR_MTRR_VAR_PAIRS_MAX;
    s->mtrr_cap = (cap & ~(MTRRCAP_VCNT_MASK | MTRRCAP_SMRR)) | vcnt;
    s->mtrr_def_type = read_host(MSR_IA32_MTRR_DEF_TYPE, ctx);
    if (cap & MTRRCAP_FIX) {
        for (unsigned i = 0; i < MSR_MTRR_FIXED_COUNT; i++)
            s->mtrr_fixed[i] = read_host(mtrr_fixed_msrs[i], ctx);
    }
    for (unsigned i = 0; i < 2 * vcnt; i++)
        s->mtrr_var[i] = read_host(MSR_IA32_MTRR_PHYSBASE0 + i, ctx);
}

/* ---- IA32_APIC_BASE ------------------------------------------------------ */

static enum msr_write_action apic_base_write(uint64_t value, uint64_t current, const char **why)
{
    uint64_t changed = value ^ current;

    if (changed == 0) {
        *why = "IA32_APIC_BASE: unchanged";
        return MSR_WRITE_PASSTHROUGH;
    }
    if (changed & APIC_BASE_ADDR_MASK) {
        *why = "IA32_APIC_BASE: moving the LAPIC is refused (it could cover Kestrel's memory)";
        return MSR_WRITE_GP;
    }
    if (changed & APIC_BASE_BSP) {
        *why = "IA32_APIC_BASE: the BSP flag is fixed";
        return MSR_WRITE_GP;
    }
    if (changed & ~(APIC_BASE_GLOBAL_ENABLE | APIC_BASE_X2APIC_ENABLE)) {
        *why = "IA32_APIC_BASE: reserved bits changed";
        return MSR_WRITE_GP;
    }
    /* The guest owns its LAPIC, including its mode: a guest without
     * interrupt remapping (Linux) leaves the x2APIC mode firmware chose by
     * disabling the LAPIC and enabling it as xAPIC.  Only the transitions
     * the SDM forbids (vol. 3A, "x2APIC state transitions") are refused,
     * as the CPU would refuse them. */
    bool en = (value & APIC_BASE_GLOBAL_ENABLE) != 0, extd = (value & APIC_BASE_X2APIC_ENABLE) != 0;
    bool was_x2apic = (current & APIC_BASE_GLOBAL_ENABLE) && (current & APIC_BASE_X2APIC_ENABLE);
    if (extd && !en) {
        *why = "IA32_APIC_BASE: x2APIC enable without the global enable is invalid";
        return MSR_WRITE_GP;
    }
    if (was_x2apic && en && !extd) {
        *why = "IA32_APIC_BASE: x2APIC to xAPIC directly is invalid (disable the LAPIC first)";
        return MSR_WRITE_GP;
    }
    *why = !en ? "IA32_APIC_BASE: the guest disables its LAPIC"
         : extd ? "IA32_APIC_BASE: switches the LAPIC to x2APIC mode"
                : "IA32_APIC_BASE: enables the LAPIC in xAPIC mode";
    return MSR_WRITE_PASSTHROUGH;
}

/* ---- IA32_MISC_ENABLE and other look-but-do-not-change MSRs ------------- */

static enum msr_write_action unchanged_write(uint32_t msr, uint64_t value, uint64_t current,
                                             const char **why)
{
    uint64_t changed = value ^ current;

    if (changed == 0)
        return MSR_WRITE_EMULATE;    /* the present value again: nothing to do */
    if (msr == MSR_IA32_MISC_ENABLE && (changed & MISC_ENABLE_LIMIT_CPUID))
        *why = "IA32_MISC_ENABLE: bit 22 (limit CPUID maxval) would limit CPUID for Kestrel too";
    else if (msr == MSR_IA32_MISC_ENABLE && (changed & MISC_ENABLE_XD_DISABLE))
        *why = "IA32_MISC_ENABLE: bit 34 (XD disable) would disable XD under Kestrel's page "
               "tables";
    else
        *why = "the firmware's setting stays: the register is core- or package-wide";
    return MSR_WRITE_GP;
}

/* ---- decisions ----------------------------------------------------------- */

/* The row as it applies on backend: on SVM a register SVM does not switch
 * like VMX is the backend's guest copy both ways. */
static enum msr_rule_read rule_read(const struct msr_rule *r, enum msr_backend backend)
{
    return backend == MSR_BACKEND_SVM && r->svm_guest_state ? MSR_RULE_RD_GUEST_STATE : r->read;
}

static bool svm_guest_state_row(const struct msr_rule *r, enum msr_backend backend)
{
    return backend == MSR_BACKEND_SVM && r->svm_guest_state;
}

enum msr_read_action msr_policy_read(uint32_t msr, enum msr_backend backend,
                                     const struct msr_shadow *shadow,
                                     uint64_t *value)
{
    const struct msr_rule *r = msr_policy_find(msr);
    enum mtrr_kind kind;
    unsigned index;
    const char *why;

    if (r == NULL)
        return MSR_READ_GP;          /* deny by default */
    switch (rule_read(r, backend)) {
    case MSR_RULE_RD_PASS:
        return MSR_READ_PASSTHROUGH;
    case MSR_RULE_RD_GUEST_STATE:
        return MSR_READ_GUEST_STATE;
    case MSR_RULE_RD_CONST:
        *value = r->read_value;
        return MSR_READ_EMULATE;
    case MSR_RULE_RD_SHADOW:
        kind = mtrr_classify(msr, &index);
        if (!mtrr_exists(shadow, kind, index, &why))
            return MSR_READ_GP;
        *value = shadow_get(shadow, kind, index);
        return MSR_READ_EMULATE;
    case MSR_RULE_RD_GP:
        return MSR_READ_GP;
    }
    return MSR_READ_GP;
}

enum msr_write_action msr_policy_write(uint32_t msr, enum msr_backend backend, uint64_t value,
                                       uint64_t current_host_value,
                                       struct msr_shadow *shadow, const char **reason)
{
    const struct msr_rule *r = msr_policy_find(msr);
    const char *why = r != NULL ? r->reason : unlisted_reason;
    enum msr_write_action action = MSR_WRITE_GP;
    enum mtrr_kind kind;
    unsigned index;
    const char *problem;

    if (r != NULL && svm_guest_state_row(r, backend)) {
        /* The backend checks the value against the architecture. */
        if (reason != NULL)
            *reason = r->svm_reason;
        return MSR_WRITE_GUEST_STATE;
    }
    if (r != NULL) {
        switch (r->write) {
        case MSR_RULE_WR_PASS:
            action = MSR_WRITE_PASSTHROUGH;
            break;
        case MSR_RULE_WR_IGNORE:
            action = MSR_WRITE_IGNORE;
            break;
        case MSR_RULE_WR_SHADOW:
            kind = mtrr_classify(msr, &index);
            if (!mtrr_exists(shadow, kind, index, &why))
                break;
            problem = mtrr_value_problem(shadow, kind, index, value);
            if (problem != NULL) {
                why = problem;
                break;
            }
            shadow_put(shadow, kind, index, value);
            action = MSR_WRITE_EMULATE;
            break;
        case MSR_RULE_WR_APIC_BASE:
            action = apic_base_write(value, current_host_value, &why);
            break;
        case MSR_RULE_WR_UNCHANGED:
            action = unchanged_write(msr, value, current_host_value, &why);
            break;
        case MSR_RULE_WR_DEBUGCTL:
            if (value & ~DEBUGCTL_ALLOWED) {
                why = "IA32_DEBUGCTL: only LBR (bit 0) and BTF (bit 1) may be set (BTS, the "
                      "PMU freeze bits and the rest need the hidden DS area and PMU)";
                break;
            }
            action = MSR_WRITE_GUEST_STATE;
            break;
        case MSR_RULE_WR_XSS:
            if (value & ~shadow->xss_allowed) {
                why = "IA32_XSS: a supervisor state component CPUID.(0DH,1) does not show the "
                      "guest";
                break;
            }
            action = MSR_WRITE_PASSTHROUGH;
            break;
        case MSR_RULE_WR_ICR:
            action = MSR_WRITE_ICR;
            break;
        case MSR_RULE_WR_MCA_BANK:
            action = (msr - MSR_IA32_MC0_CTL) % MCA_BANK_MSRS == 0 ? MSR_WRITE_IGNORE
                                                                   : MSR_WRITE_PASSTHROUGH;
            break;
        case MSR_RULE_WR_GP:
            break;
        }
    }
    if (reason != NULL)
        *reason = why;
    return action;
}

/* ---- the bitmap ---------------------------------------------------------- */

static bool in_bitmap_range(uint32_t msr)
{
    return msr <= MSR_BITMAP_LOW_LAST ||
           (msr >= MSR_BITMAP_HIGH_FIRST && msr <= MSR_BITMAP_HIGH_LAST);
}

/* Byte offset of msr's bit in the bitmap (msr must be in a bitmap range). */
static unsigned bitmap_byte(uint32_t msr, bool write)
{
    unsigned base;

    if (msr <= MSR_BITMAP_LOW_LAST)
        base = write ? MSR_BITMAP_WRITE_LOW : MSR_BITMAP_READ_LOW;
    else
        base = write ? MSR_BITMAP_WRITE_HIGH : MSR_BITMAP_READ_HIGH;
    return base + (msr & 0x1fff) / 8;
}

bool msr_policy_intercepts_read(uint32_t msr)
{
    const struct msr_rule *r = msr_policy_find(msr);

    return !in_bitmap_range(msr) || r == NULL || r->read != MSR_RULE_RD_PASS;
}

bool msr_policy_intercepts_write(uint32_t msr)
{
    const struct msr_rule *r = msr_policy_find(msr);

    return !in_bitmap_range(msr) || r == NULL || r->write != MSR_RULE_WR_PASS;
}

bool msr_policy_exits(uint32_t msr, bool write, enum msr_backend backend)
{
    const struct msr_rule *r = msr_policy_find(msr);

    if (r == NULL || svm_guest_state_row(r, backend))
        return true;
    return write ? r->write != MSR_RULE_WR_PASS : r->read != MSR_RULE_RD_PASS;
}

/* Deny by default: every access exits, except the directions a rule makes
 * native. */
void msr_bitmap_build(uint8_t bitmap[MSR_BITMAP_SIZE])
{
    for (unsigned i = 0; i < MSR_BITMAP_SIZE; i++)
        bitmap[i] = 0xff;
    for (size_t i = 0; i < MSR_RULE_COUNT; i++) {
        const struct msr_rule *r = &msr_rules[i];

        for (uint32_t msr = r->first;; msr++) {
            if (in_bitmap_range(msr)) {
                if (r->read == MSR_RULE_RD_PASS)
                    bitmap[bitmap_byte(msr, false)] &= (uint8_t)~(1u << (msr & 7));
                if (r->write == MSR_RULE_WR_PASS)
                    bitmap[bitmap_byte(msr, true)] &= (uint8_t)~(1u << (msr & 7));
            }
            if (msr == r->last)
                break;
        }
    }
}

bool msr_bitmap_exits(const uint8_t bitmap[MSR_BITMAP_SIZE], uint32_t msr, bool write)
{
    if (!in_bitmap_range(msr))
        return true;
    return (bitmap[bitmap_byte(msr, write)] >> (msr & 7)) & 1;
}

/* ---- table check --------------------------------------------------------- */

static bool fail(size_t index, const char *what, size_t *bad, const char **problem)
{
    *bad = index;
    *problem = what;
    return false;
}

/* The rule covers exactly one MSR, msr. */
static bool only(const struct msr_rule *r, uint32_t msr)
{
    return r->first == msr && r->last == msr;
}

bool msr_rules_check(const struct msr_rule *rules, size_t count, size_t *bad,
                     const char **problem)
{
    for (size_t i = 0; i < count; i++) {
        const struct msr_rule *r = &rules[i];
        bool shadowed = r->read == MSR_RULE_RD_SHADOW || r->write == MSR_RULE_WR_SHADOW;

        if (r->name == NULL || r->name[0] == '\0')
            return fail(i, "rule has no name", bad, problem);
        if (r->reason == NULL || r->reason[0] == '\0')
            return fail(i, "rule has no reason", bad, problem);
        if (r->first > r->last)
            return fail(i, "rule's range is empty (first > last)", bad, problem);
        if (i > 0 && r->first <= rules[i - 1].last)
            return fail(i, "rule overlaps or precedes the one before (table must be sorted)",
                        bad, problem);
        if (r->read != MSR_RULE_RD_CONST && r->read_value != 0)
            return fail(i, "read_value set on a rule that does not read a constant", bad,
                        problem);
        if (r->write == MSR_RULE_WR_APIC_BASE && !only(r, MSR_IA32_APIC_BASE))
            return fail(i, "IA32_APIC_BASE check on another MSR", bad, problem);
        if ((r->write == MSR_RULE_WR_DEBUGCTL || r->read == MSR_RULE_RD_GUEST_STATE) &&
            !only(r, MSR_IA32_DEBUGCTL))
            return fail(i, "IA32_DEBUGCTL handling on another MSR", bad, problem);
        if (r->write == MSR_RULE_WR_XSS && !only(r, MSR_IA32_XSS))
            return fail(i, "IA32_XSS check on another MSR", bad, problem);
        if (r->write == MSR_RULE_WR_ICR && !only(r, MSR_X2APIC_ICR))
            return fail(i, "ICR mediation on another MSR", bad, problem);
        if (r->write == MSR_RULE_WR_MCA_BANK &&
            (r->first != MSR_IA32_MC0_CTL || (r->last - r->first + 1) % MCA_BANK_MSRS != 0))
            return fail(i, "machine-check bank rule not aligned to whole banks", bad, problem);
        if (r->write == MSR_RULE_WR_UNCHANGED && !only(r, MSR_IA32_MISC_ENABLE))
            return fail(i, "look-but-do-not-change check on an MSR it was not written for", bad,
                        problem);
        for (uint32_t msr = r->first; shadowed; msr++) {
            unsigned index;

            if (mtrr_classify(msr, &index) == MTRR_NONE)
                return fail(i, "shadowed rule covers an MSR with no shadow slot", bad, problem);
            if (msr == r->last)
                break;
        }
    }
    *bad = 0;
    *problem = "";
    return true;
}

bool msr_policy_check(size_t *bad, const char **problem)
{
    return msr_rules_check(msr_rules, MSR_RULE_COUNT, bad, problem);
}
