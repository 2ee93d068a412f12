/*
 * Named bits and numbers of the VMX architecture (Intel SDM vol. 3C,
 * "Virtual Machine Control Structures", "VM Exits", "VMX Support for Address
 * Translation"; vol. 3D Appendix A "VMX Capability Reporting Facility" and
 * Appendix C "VMX Basic Exit Reasons").  Constants only: the VMCS field
 * encodings are in vmx/vmcs_fields.h, the MSR numbers in kernel/msr.h.
 *
 * 32-bit control fields use unsigned int constants (1u << n); 64-bit fields
 * and capability MSRs use unsigned long long (1ull << n).
 */
#ifndef KESTREL_VMX_VMX_BITS_H
#define KESTREL_VMX_VMX_BITS_H

#include <stdint.h>

/* ---- IA32_VMX_BASIC (MSR 0x480), SDM A.1 ---------------------------------- */
#define VMX_BASIC_REVISION_MASK         0x7fffffffull       /* bits 30:0; bit 31 is 0 */
#define VMX_BASIC_REGION_SIZE_SHIFT     32                  /* bits 44:32: VMXON/VMCS region bytes */
#define VMX_BASIC_REGION_SIZE_MASK      (0x1fffull << 32)
#define VMX_BASIC_PHYS_ADDR_32BIT       (1ull << 48)        /* region addresses limited to 32 bits */
#define VMX_BASIC_DUAL_MONITOR          (1ull << 49)        /* dual-monitor treatment of SMIs/SMM */
#define VMX_BASIC_MEMTYPE_SHIFT         50                  /* bits 53:50: memory type for VMCS access */
#define VMX_BASIC_MEMTYPE_MASK          (0xfull << 50)
#define VMX_BASIC_INS_OUTS_INFO         (1ull << 54)        /* exit instruction info for INS/OUTS */
#define VMX_BASIC_TRUE_CONTROLS         (1ull << 55)        /* IA32_VMX_TRUE_*_CTLS exist */
#define VMX_BASIC_NO_ERROR_CODE_CHECK   (1ull << 56)        /* any exception may be injected with/without error code */

#define VMX_BASIC_REVISION(v)     ((uint32_t)((v) & VMX_BASIC_REVISION_MASK))
#define VMX_BASIC_REGION_SIZE(v)  ((uint32_t)(((v) & VMX_BASIC_REGION_SIZE_MASK) >> VMX_BASIC_REGION_SIZE_SHIFT))
#define VMX_BASIC_MEMTYPE(v)      ((uint32_t)(((v) & VMX_BASIC_MEMTYPE_MASK) >> VMX_BASIC_MEMTYPE_SHIFT))

/* Memory types (the MTRR/PAT encodings) as VMX uses them: VMCS access
 * (IA32_VMX_BASIC), EPTP and EPT leaf entries. */
#define VMX_MEMTYPE_UC                  0u
#define VMX_MEMTYPE_WC                  1u
#define VMX_MEMTYPE_WT                  4u
#define VMX_MEMTYPE_WP                  5u
#define VMX_MEMTYPE_WB                  6u

/* ---- IA32_VMX_MISC (MSR 0x485), SDM A.6 ----------------------------------- */
#define VMX_MISC_PREEMPTION_TIMER_RATE_MASK 0x1full         /* timer ticks every 2^N TSC ticks */
#define VMX_MISC_STORE_LMA              (1ull << 5)         /* exits store EFER.LMA in "IA-32e mode guest" */
#define VMX_MISC_ACTIVITY_HLT           (1ull << 6)
#define VMX_MISC_ACTIVITY_SHUTDOWN      (1ull << 7)
#define VMX_MISC_ACTIVITY_WAIT_FOR_SIPI (1ull << 8)
#define VMX_MISC_PT_IN_VMX              (1ull << 14)        /* Intel PT usable in VMX operation */
#define VMX_MISC_RDMSR_SMBASE_IN_SMM    (1ull << 15)
#define VMX_MISC_CR3_TARGET_COUNT_SHIFT 16                  /* bits 24:16 */
#define VMX_MISC_CR3_TARGET_COUNT_MASK  (0x1ffull << 16)
#define VMX_MISC_MAX_MSR_LIST_SHIFT     25                  /* bits 27:25: N, lists hold 512 * (N + 1) */
#define VMX_MISC_MAX_MSR_LIST_MASK      (7ull << 25)
#define VMX_MISC_SMM_MONITOR_CTL_B2     (1ull << 28)        /* VMXOFF can unblock SMIs */
#define VMX_MISC_VMWRITE_ANY_FIELD      (1ull << 29)        /* VMWRITE to read-only exit info */
#define VMX_MISC_INJECT_ZERO_LEN        (1ull << 30)        /* inject soft events with length 0 */
#define VMX_MISC_MSEG_REVISION_SHIFT    32                  /* bits 63:32 */

#define VMX_MISC_PREEMPTION_TIMER_RATE(v) ((unsigned)((v) & VMX_MISC_PREEMPTION_TIMER_RATE_MASK))
#define VMX_MISC_CR3_TARGET_COUNT(v)    ((unsigned)(((v) & VMX_MISC_CR3_TARGET_COUNT_MASK) >> VMX_MISC_CR3_TARGET_COUNT_SHIFT))
#define VMX_MISC_MAX_MSR_LIST(v)        (512u * (1u + (unsigned)(((v) & VMX_MISC_MAX_MSR_LIST_MASK) >> VMX_MISC_MAX_MSR_LIST_SHIFT)))

/* ---- IA32_VMX_EPT_VPID_CAP (MSR 0x48c), SDM A.10 -------------------------- */
#define VMX_EPT_CAP_EXECUTE_ONLY        (1ull << 0)
#define VMX_EPT_CAP_PAGE_WALK_4         (1ull << 6)
#define VMX_EPT_CAP_PAGE_WALK_5         (1ull << 7)
#define VMX_EPT_CAP_MEMTYPE_UC          (1ull << 8)         /* EPT structures may be UC */
#define VMX_EPT_CAP_MEMTYPE_WB          (1ull << 14)        /* EPT structures may be WB */
#define VMX_EPT_CAP_2M_PAGES            (1ull << 16)        /* PDE may map 2 MiB */
#define VMX_EPT_CAP_1G_PAGES            (1ull << 17)        /* PDPTE may map 1 GiB */
#define VMX_EPT_CAP_INVEPT              (1ull << 20)
#define VMX_EPT_CAP_AD_FLAGS            (1ull << 21)        /* accessed and dirty flags */
#define VMX_EPT_CAP_ADVANCED_EXIT_INFO  (1ull << 22)        /* EPT-violation qualification bits 9-11 */
#define VMX_EPT_CAP_SUPERVISOR_SHADOW_STACK (1ull << 23)
#define VMX_EPT_CAP_INVEPT_SINGLE_CONTEXT (1ull << 25)
#define VMX_EPT_CAP_INVEPT_ALL_CONTEXT  (1ull << 26)
#define VMX_VPID_CAP_INVVPID            (1ull << 32)
#define VMX_VPID_CAP_INVVPID_INDIVIDUAL_ADDRESS (1ull << 40)
#define VMX_VPID_CAP_INVVPID_SINGLE_CONTEXT (1ull << 41)
#define VMX_VPID_CAP_INVVPID_ALL_CONTEXT (1ull << 42)
#define VMX_VPID_CAP_INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS (1ull << 43)
#define VMX_EPT_CAP_HLAT_PREFIX_SIZE_SHIFT 48                /* bits 53:48 */
#define VMX_EPT_CAP_HLAT_PREFIX_SIZE_MASK (0x3full << 48)

/* ---- pin-based VM-execution controls (32-bit), SDM "Pin-Based VM-Execution Controls" */
#define PIN_EXTERNAL_INTERRUPT_EXITING  (1u << 0)
#define PIN_NMI_EXITING                 (1u << 3)
#define PIN_VIRTUAL_NMIS                (1u << 5)
#define PIN_PREEMPTION_TIMER            (1u << 6)           /* activate VMX-preemption timer */
#define PIN_POSTED_INTERRUPTS           (1u << 7)           /* process posted interrupts */
/* Bits that are 1 without the TRUE capability MSRs (SDM A.2 "default1"). */
#define PIN_DEFAULT1                    0x00000016u

/* ---- primary processor-based VM-execution controls (32-bit) -------------- */
#define PROC_INTERRUPT_WINDOW           (1u << 2)
#define PROC_USE_TSC_OFFSETTING         (1u << 3)
#define PROC_HLT_EXITING                (1u << 7)
#define PROC_INVLPG_EXITING             (1u << 9)
#define PROC_MWAIT_EXITING              (1u << 10)
#define PROC_RDPMC_EXITING              (1u << 11)
#define PROC_RDTSC_EXITING              (1u << 12)
#define PROC_CR3_LOAD_EXITING           (1u << 15)
#define PROC_CR3_STORE_EXITING          (1u << 16)
#define PROC_ACTIVATE_TERTIARY          (1u << 17)
#define PROC_CR8_LOAD_EXITING           (1u << 19)
#define PROC_CR8_STORE_EXITING          (1u << 20)
#define PROC_USE_TPR_SHADOW             (1u << 21)
#define PROC_NMI_WINDOW                 (1u << 22)
#define PROC_MOV_DR_EXITING             (1u << 23)
#define PROC_UNCONDITIONAL_IO           (1u << 24)
#define PROC_USE_IO_BITMAPS             (1u << 25)
#define PROC_MONITOR_TRAP_FLAG          (1u << 27)
#define PROC_USE_MSR_BITMAPS            (1u << 28)
#define PROC_MONITOR_EXITING            (1u << 29)
#define PROC_PAUSE_EXITING              (1u << 30)
#define PROC_ACTIVATE_SECONDARY         (1u << 31)
#define PROC_DEFAULT1                   0x0401e172u

/* ---- secondary processor-based VM-execution controls (32-bit) ------------ */
#define PROC2_VIRTUALIZE_APIC_ACCESSES  (1u << 0)
#define PROC2_ENABLE_EPT                (1u << 1)
#define PROC2_DESCRIPTOR_TABLE_EXITING  (1u << 2)
#define PROC2_ENABLE_RDTSCP             (1u << 3)
#define PROC2_VIRTUALIZE_X2APIC         (1u << 4)
#define PROC2_ENABLE_VPID               (1u << 5)
#define PROC2_WBINVD_EXITING            (1u << 6)
#define PROC2_UNRESTRICTED_GUEST        (1u << 7)
#define PROC2_APIC_REGISTER_VIRT        (1u << 8)
#define PROC2_VIRTUAL_INTR_DELIVERY     (1u << 9)
#define PROC2_PAUSE_LOOP_EXITING        (1u << 10)
#define PROC2_RDRAND_EXITING            (1u << 11)
#define PROC2_ENABLE_INVPCID            (1u << 12)
#define PROC2_ENABLE_VMFUNC             (1u << 13)
#define PROC2_VMCS_SHADOWING            (1u << 14)
#define PROC2_ENCLS_EXITING             (1u << 15)
#define PROC2_RDSEED_EXITING            (1u << 16)
#define PROC2_ENABLE_PML                (1u << 17)
#define PROC2_EPT_VE                    (1u << 18)          /* EPT violations may cause #VE */
#define PROC2_CONCEAL_FROM_PT           (1u << 19)
#define PROC2_ENABLE_XSAVES             (1u << 20)          /* enable XSAVES/XRSTORS */
#define PROC2_PASID_TRANSLATION         (1u << 21)
#define PROC2_MODE_BASED_EPT_EXEC       (1u << 22)
#define PROC2_SUBPAGE_WRITE             (1u << 23)          /* sub-page write permissions for EPT */
#define PROC2_PT_USES_GPA               (1u << 24)          /* Intel PT uses guest-physical addresses */
#define PROC2_TSC_SCALING               (1u << 25)
#define PROC2_USER_WAIT_PAUSE           (1u << 26)          /* enable UMWAIT/TPAUSE */
#define PROC2_ENABLE_PCONFIG            (1u << 27)
#define PROC2_ENCLV_EXITING             (1u << 28)
#define PROC2_BUS_LOCK_DETECTION        (1u << 30)          /* VMM bus-lock detection */
#define PROC2_INSTRUCTION_TIMEOUT       (1u << 31)

/* ---- tertiary processor-based VM-execution controls (64-bit) ------------- */
#define PROC3_LOADIWKEY_EXITING         (1ull << 0)
#define PROC3_ENABLE_HLAT               (1ull << 1)
#define PROC3_EPT_PAGING_WRITE          (1ull << 2)
#define PROC3_GUEST_PAGING_VERIFY       (1ull << 3)
#define PROC3_IPI_VIRTUALIZATION        (1ull << 4)
#define PROC3_VIRTUALIZE_SPEC_CTRL      (1ull << 7)

/* ---- segment access rights, VMCS format (SDM vol. 3C 25.4.1) -------------- */
#define VMX_AR_DPL_SHIFT                5
#define VMX_AR_DPL_MASK                 (3u << VMX_AR_DPL_SHIFT)
#define VMX_AR_L                        (1u << 13)          /* 64-bit code segment */
#define VMX_AR_DB                       (1u << 14)          /* default operation size 32 */
#define VMX_AR_UNUSABLE                 (1u << 16)

/* ---- primary VM-exit controls (32-bit) ------------------------------------ */
#define EXIT_SAVE_DEBUG_CONTROLS        (1u << 2)
#define EXIT_HOST_ADDR_SPACE_SIZE       (1u << 9)           /* host is 64-bit */
#define EXIT_LOAD_PERF_GLOBAL_CTRL      (1u << 12)
#define EXIT_ACK_INTR_ON_EXIT           (1u << 15)
#define EXIT_SAVE_PAT                   (1u << 18)
#define EXIT_LOAD_PAT                   (1u << 19)
#define EXIT_SAVE_EFER                  (1u << 20)
#define EXIT_LOAD_EFER                  (1u << 21)
#define EXIT_SAVE_PREEMPTION_TIMER      (1u << 22)
#define EXIT_CLEAR_BNDCFGS              (1u << 23)
#define EXIT_CONCEAL_FROM_PT            (1u << 24)
#define EXIT_CLEAR_RTIT_CTL             (1u << 25)
#define EXIT_CLEAR_LBR_CTL              (1u << 26)
#define EXIT_CLEAR_UINV                 (1u << 27)
#define EXIT_LOAD_CET_STATE             (1u << 28)
#define EXIT_LOAD_PKRS                  (1u << 29)
#define EXIT_SAVE_PERF_GLOBAL_CTRL      (1u << 30)
#define EXIT_ACTIVATE_SECONDARY         (1u << 31)
#define EXIT_DEFAULT1                   0x00036dffu

/* ---- secondary VM-exit controls (64-bit) ---------------------------------- */
#define EXIT2_SAVE_FRED                 (1ull << 0)
#define EXIT2_LOAD_FRED                 (1ull << 1)

/* ---- VM-entry controls (32-bit) ------------------------------------------- */
#define ENTRY_LOAD_DEBUG_CONTROLS       (1u << 2)
#define ENTRY_IA32E_MODE_GUEST          (1u << 9)
#define ENTRY_SMM                       (1u << 10)
#define ENTRY_DEACTIVATE_DUAL_MONITOR   (1u << 11)
#define ENTRY_LOAD_PERF_GLOBAL_CTRL     (1u << 13)
#define ENTRY_LOAD_PAT                  (1u << 14)
#define ENTRY_LOAD_EFER                 (1u << 15)
#define ENTRY_LOAD_BNDCFGS              (1u << 16)
#define ENTRY_CONCEAL_FROM_PT           (1u << 17)
#define ENTRY_LOAD_RTIT_CTL             (1u << 18)
#define ENTRY_LOAD_UINV                 (1u << 19)
#define ENTRY_LOAD_CET_STATE            (1u << 20)
#define ENTRY_LOAD_LBR_CTL              (1u << 21)
#define ENTRY_LOAD_PKRS                 (1u << 22)
#define ENTRY_LOAD_FRED                 (1u << 23)
#define ENTRY_DEFAULT1                  0x000011ffu

/* ---- guest interruptibility state (32-bit) -------------------------------- */
#define GUEST_INTR_BLOCKING_BY_STI      (1u << 0)
#define GUEST_INTR_BLOCKING_BY_MOV_SS   (1u << 1)
#define GUEST_INTR_BLOCKING_BY_SMI      (1u << 2)
#define GUEST_INTR_BLOCKING_BY_NMI      (1u << 3)
#define GUEST_INTR_ENCLAVE_INTERRUPTION (1u << 4)

/* ---- guest activity state ------------------------------------------------- */
enum vmx_activity_state {
    ACTIVITY_STATE_ACTIVE = 0,
    ACTIVITY_STATE_HLT = 1,
    ACTIVITY_STATE_SHUTDOWN = 2,
    ACTIVITY_STATE_WAIT_FOR_SIPI = 3,
};

/* ---- interruption-information format --------------------------------------
 * Shared by the VM-entry interruption-information, VM-exit
 * interruption-information and IDT-vectoring information fields. */
#define INTR_INFO_VECTOR_MASK           0xffu               /* bits 7:0 */
#define INTR_INFO_TYPE_SHIFT            8                   /* bits 10:8 */
#define INTR_INFO_TYPE_MASK             (7u << 8)
#define INTR_INFO_ERROR_CODE_VALID      (1u << 11)          /* deliver error code (entry) / valid (exit) */
#define INTR_INFO_NMI_UNBLOCKING        (1u << 12)          /* exit only: NMI unblocking due to IRET */
#define INTR_INFO_VALID                 (1u << 31)

enum intr_type {
    INTR_TYPE_EXTERNAL_INTERRUPT = 0,
    INTR_TYPE_RESERVED = 1,
    INTR_TYPE_NMI = 2,
    INTR_TYPE_HARDWARE_EXCEPTION = 3,
    INTR_TYPE_SOFTWARE_INTERRUPT = 4,
    INTR_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION = 5,    /* INT1 (ICEBP) */
    INTR_TYPE_SOFTWARE_EXCEPTION = 6,               /* INT3, INTO */
    INTR_TYPE_OTHER_EVENT = 7,                      /* MTF injection */
};

/* A valid interruption-information value, e.g. for VM-entry injection. */
#define INTR_INFO(vector, type)                                                 \
    (INTR_INFO_VALID | ((uint32_t)(type) << INTR_INFO_TYPE_SHIFT) |              \
     ((uint32_t)(vector) & INTR_INFO_VECTOR_MASK))

/* ---- exit reason field (32-bit), SDM "Basic VM-Exit Information" ---------- */
#define EXIT_REASON_BASIC_MASK          0xffffu             /* bits 15:0 */
#define EXIT_REASON_FLAG_BUS_LOCK       (1u << 26)          /* a bus lock was asserted (VMM bus-lock detection) */
#define EXIT_REASON_FLAG_ENCLAVE_MODE   (1u << 27)          /* exit from enclave mode */
#define EXIT_REASON_FLAG_PENDING_MTF    (1u << 28)          /* pending MTF VM exit */
#define EXIT_REASON_FLAG_FROM_VMX_ROOT  (1u << 29)          /* SMM VM exit from VMX root operation */
#define EXIT_REASON_FLAG_ENTRY_FAILURE  (1u << 31)          /* VM-entry failure */

/* Basic exit reasons, SDM vol. 3D Appendix C.  Numbers the SDM leaves
 * unused (35, 38, 42, 71, 82, 83) have no name. */
enum exit_reason {
    EXIT_REASON_EXCEPTION_NMI = 0,
    EXIT_REASON_EXTERNAL_INTERRUPT = 1,
    EXIT_REASON_TRIPLE_FAULT = 2,
    EXIT_REASON_INIT = 3,
    EXIT_REASON_SIPI = 4,
    EXIT_REASON_IO_SMI = 5,
    EXIT_REASON_OTHER_SMI = 6,
    EXIT_REASON_INTERRUPT_WINDOW = 7,
    EXIT_REASON_NMI_WINDOW = 8,
    EXIT_REASON_TASK_SWITCH = 9,
    EXIT_REASON_CPUID = 10,
    EXIT_REASON_GETSEC = 11,
    EXIT_REASON_HLT = 12,
    EXIT_REASON_INVD = 13,
    EXIT_REASON_INVLPG = 14,
    EXIT_REASON_RDPMC = 15,
    EXIT_REASON_RDTSC = 16,
    EXIT_REASON_RSM = 17,
    EXIT_REASON_VMCALL = 18,
    EXIT_REASON_VMCLEAR = 19,
    EXIT_REASON_VMLAUNCH = 20,
    EXIT_REASON_VMPTRLD = 21,
    EXIT_REASON_VMPTRST = 22,
    EXIT_REASON_VMREAD = 23,
    EXIT_REASON_VMRESUME = 24,
    EXIT_REASON_VMWRITE = 25,
    EXIT_REASON_VMXOFF = 26,
    EXIT_REASON_VMXON = 27,
    EXIT_REASON_CR_ACCESS = 28,
    EXIT_REASON_DR_ACCESS = 29,
    EXIT_REASON_IO = 30,
    EXIT_REASON_RDMSR = 31,
    EXIT_REASON_WRMSR = 32,
    EXIT_REASON_ENTRY_INVALID_GUEST_STATE = 33,
    EXIT_REASON_ENTRY_MSR_LOADING = 34,
    EXIT_REASON_MWAIT = 36,
    EXIT_REASON_MONITOR_TRAP_FLAG = 37,
    EXIT_REASON_MONITOR = 39,
    EXIT_REASON_PAUSE = 40,
    EXIT_REASON_ENTRY_MACHINE_CHECK = 41,
    EXIT_REASON_TPR_BELOW_THRESHOLD = 43,
    EXIT_REASON_APIC_ACCESS = 44,
    EXIT_REASON_VIRTUALIZED_EOI = 45,
    EXIT_REASON_GDTR_IDTR = 46,
    EXIT_REASON_LDTR_TR = 47,
    EXIT_REASON_EPT_VIOLATION = 48,
    EXIT_REASON_EPT_MISCONFIG = 49,
    EXIT_REASON_INVEPT = 50,
    EXIT_REASON_RDTSCP = 51,
    EXIT_REASON_PREEMPTION_TIMER = 52,
    EXIT_REASON_INVVPID = 53,
    EXIT_REASON_WBINVD = 54,            /* WBINVD or WBNOINVD */
    EXIT_REASON_XSETBV = 55,
    EXIT_REASON_APIC_WRITE = 56,
    EXIT_REASON_RDRAND = 57,
    EXIT_REASON_INVPCID = 58,
    EXIT_REASON_VMFUNC = 59,
    EXIT_REASON_ENCLS = 60,
    EXIT_REASON_RDSEED = 61,
    EXIT_REASON_PML_FULL = 62,
    EXIT_REASON_XSAVES = 63,
    EXIT_REASON_XRSTORS = 64,
    EXIT_REASON_PCONFIG = 65,
    EXIT_REASON_SPP_EVENT = 66,
    EXIT_REASON_UMWAIT = 67,
    EXIT_REASON_TPAUSE = 68,
    EXIT_REASON_LOADIWKEY = 69,
    EXIT_REASON_ENCLV = 70,
    EXIT_REASON_ENQCMD_PASID_FAILURE = 72,
    EXIT_REASON_ENQCMDS_PASID_FAILURE = 73,
    EXIT_REASON_BUS_LOCK = 74,
    EXIT_REASON_INSTRUCTION_TIMEOUT = 75,
    EXIT_REASON_SEAMCALL = 76,
    EXIT_REASON_TDCALL = 77,
    EXIT_REASON_RDMSRLIST = 78,
    EXIT_REASON_WRMSRLIST = 79,
    EXIT_REASON_URDMSR = 80,
    EXIT_REASON_UWRMSR = 81,
    EXIT_REASON_RDMSR_IMM = 84,         /* RDMSR with immediate operand */
    EXIT_REASON_WRMSRNS_IMM = 85,       /* WRMSRNS with immediate operand */
    EXIT_REASON_COUNT,                  /* one past the highest number; a table size */
};

/* ---- VM-entry failure qualification for EXIT_REASON_ENTRY_INVALID_GUEST_STATE */
enum entry_failure_qual {
    ENTRY_FAILURE_QUAL_DEFAULT = 0,
    ENTRY_FAILURE_QUAL_PDPTE = 2,       /* loading the PDPTEs failed */
    ENTRY_FAILURE_QUAL_NMI_STI = 3,     /* NMI injection while blocking by STI */
    ENTRY_FAILURE_QUAL_LINK_POINTER = 4,/* invalid VMCS link pointer */
};

/* ---- VM-instruction error numbers (VMCS_RO_VM_INSTRUCTION_ERROR) ---------- */
enum vm_instruction_error {
    VMXERR_VMCALL_IN_ROOT = 1,
    VMXERR_VMCLEAR_INVALID_ADDRESS = 2,
    VMXERR_VMCLEAR_VMXON_POINTER = 3,
    VMXERR_VMLAUNCH_NONCLEAR_VMCS = 4,
    VMXERR_VMRESUME_NONLAUNCHED_VMCS = 5,
    VMXERR_VMRESUME_AFTER_VMXOFF = 6,
    VMXERR_ENTRY_INVALID_CONTROL = 7,
    VMXERR_ENTRY_INVALID_HOST_STATE = 8,
    VMXERR_VMPTRLD_INVALID_ADDRESS = 9,
    VMXERR_VMPTRLD_VMXON_POINTER = 10,
    VMXERR_VMPTRLD_BAD_REVISION = 11,
    VMXERR_UNSUPPORTED_COMPONENT = 12,
    VMXERR_VMWRITE_READ_ONLY = 13,
    VMXERR_VMXON_IN_ROOT = 15,
    VMXERR_ENTRY_INVALID_EXECUTIVE_VMCS = 16,
    VMXERR_ENTRY_NONLAUNCHED_EXECUTIVE_VMCS = 17,
    VMXERR_ENTRY_EXECUTIVE_NOT_VMXON_POINTER = 18,
    VMXERR_VMCALL_NONCLEAR_VMCS = 19,
    VMXERR_VMCALL_INVALID_EXIT_CONTROLS = 20,
    VMXERR_VMCALL_BAD_MSEG_REVISION = 22,
    VMXERR_VMXOFF_DUAL_MONITOR = 23,
    VMXERR_VMCALL_INVALID_SMM_MONITOR = 24,
    VMXERR_ENTRY_INVALID_EXECUTIVE_CONTROLS = 25,
    VMXERR_ENTRY_BLOCKED_BY_MOV_SS = 26,
    VMXERR_INVALID_INVEPT_INVVPID_OPERAND = 28,
};

/* ---- EPT paging-structure entries, SDM "EPT Translation Mechanism" --------
 * VMX_-prefixed so they never clash with mm/slat.h (which builds the tables
 * and has its own EPT_ENTRY_* names); these are for decoding and dumps. */
#define VMX_EPT_READ                    (1ull << 0)
#define VMX_EPT_WRITE                   (1ull << 1)
#define VMX_EPT_EXECUTE                 (1ull << 2)         /* supervisor-mode execute with MBEC */
#define VMX_EPT_RWX                     (VMX_EPT_READ | VMX_EPT_WRITE | VMX_EPT_EXECUTE)
#define VMX_EPT_MEMTYPE_SHIFT           3                   /* bits 5:3, leaf entries only */
#define VMX_EPT_MEMTYPE_MASK            (7ull << 3)
#define VMX_EPT_MEMTYPE(t)              ((uint64_t)(t) << VMX_EPT_MEMTYPE_SHIFT)
#define VMX_EPT_IGNORE_PAT              (1ull << 6)
#define VMX_EPT_LARGE_PAGE              (1ull << 7)         /* PDE maps 2 MiB / PDPTE maps 1 GiB */
#define VMX_EPT_ACCESSED                (1ull << 8)
#define VMX_EPT_DIRTY                   (1ull << 9)         /* leaf entries only */
#define VMX_EPT_USER_EXECUTE            (1ull << 10)        /* with mode-based execute control */
#define VMX_EPT_SUPPRESS_VE             (1ull << 63)
#define VMX_EPT_ADDR_MASK               0x000ffffffffff000ull

/* ---- I/O bitmaps (SDM 25.6.4): A covers ports 0x0000-0x7fff, B 0x8000-0xffff,
 * one bit per port; Kestrel keeps them in two consecutive pages. */
#define VMX_IO_BITMAP_SIZE              4096u

/* ---- EPT pointer (EPTP) --------------------------------------------------- */
#define VMX_EPTP_MEMTYPE_MASK           7ull                /* bits 2:0: UC or WB */
#define VMX_EPTP_MEMTYPE_UC             ((uint64_t)VMX_MEMTYPE_UC)
#define VMX_EPTP_MEMTYPE_WB             ((uint64_t)VMX_MEMTYPE_WB)
#define VMX_EPTP_WALK_LENGTH_SHIFT      3                   /* bits 5:3: page-walk length - 1 */
#define VMX_EPTP_WALK_LENGTH_MASK       (7ull << 3)
#define VMX_EPTP_WALK_LENGTH(levels)    (((uint64_t)(levels) - 1) << VMX_EPTP_WALK_LENGTH_SHIFT)
#define VMX_EPTP_AD_ENABLE              (1ull << 6)
#define VMX_EPTP_SUPERVISOR_SHADOW_STACK (1ull << 7)
#define VMX_EPTP_ADDR_MASK              0x000ffffffffff000ull

/* ---- INVEPT / INVVPID types ----------------------------------------------- */
#define INVEPT_SINGLE_CONTEXT           1u
#define INVEPT_ALL_CONTEXT              2u
#define INVVPID_INDIVIDUAL_ADDRESS      0u
#define INVVPID_SINGLE_CONTEXT          1u
#define INVVPID_ALL_CONTEXT             2u
#define INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS 3u

#endif
