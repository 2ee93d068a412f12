/* Printable names for VMX numbers (see vmx_names.h). */
#include "vmx/vmx_names.h"
#include "vmx/vmx_bits.h"

/* ---- exit reasons --------------------------------------------------------- */

/* Designated initializers: unlisted numbers stay NULL and print as
 * "unknown".  Each name is the enum's suffix in lowercase. */
static const char *const exit_reason_names[EXIT_REASON_COUNT] = {
    [EXIT_REASON_EXCEPTION_NMI] = "exception_nmi",
    [EXIT_REASON_EXTERNAL_INTERRUPT] = "external_interrupt",
    [EXIT_REASON_TRIPLE_FAULT] = "triple_fault",
    [EXIT_REASON_INIT] = "init",
    [EXIT_REASON_SIPI] = "sipi",
    [EXIT_REASON_IO_SMI] = "io_smi",
    [EXIT_REASON_OTHER_SMI] = "other_smi",
    [EXIT_REASON_INTERRUPT_WINDOW] = "interrupt_window",
    [EXIT_REASON_NMI_WINDOW] = "nmi_window",
    [EXIT_REASON_TASK_SWITCH] = "task_switch",
    [EXIT_REASON_CPUID] = "cpuid",
    [EXIT_REASON_GETSEC] = "getsec",
    [EXIT_REASON_HLT] = "hlt",
    [EXIT_REASON_INVD] = "invd",
    [EXIT_REASON_INVLPG] = "invlpg",
    [EXIT_REASON_RDPMC] = "rdpmc",
    [EXIT_REASON_RDTSC] = "rdtsc",
    [EXIT_REASON_RSM] = "rsm",
    [EXIT_REASON_VMCALL] = "vmcall",
    [EXIT_REASON_VMCLEAR] = "vmclear",
    [EXIT_REASON_VMLAUNCH] = "vmlaunch",
    [EXIT_REASON_VMPTRLD] = "vmptrld",
    [EXIT_REASON_VMPTRST] = "vmptrst",
    [EXIT_REASON_VMREAD] = "vmread",
    [EXIT_REASON_VMRESUME] = "vmresume",
    [EXIT_REASON_VMWRITE] = "vmwrite",
    [EXIT_REASON_VMXOFF] = "vmxoff",
    [EXIT_REASON_VMXON] = "vmxon",
    [EXIT_REASON_CR_ACCESS] = "cr_access",
    [EXIT_REASON_DR_ACCESS] = "dr_access",
    [EXIT_REASON_IO] = "io",
    [EXIT_REASON_RDMSR] = "rdmsr",
    [EXIT_REASON_WRMSR] = "wrmsr",
    [EXIT_REASON_ENTRY_INVALID_GUEST_STATE] = "entry_invalid_guest_state",
    [EXIT_REASON_ENTRY_MSR_LOADING] = "entry_msr_loading",
    [EXIT_REASON_MWAIT] = "mwait",
    [EXIT_REASON_MONITOR_TRAP_FLAG] = "monitor_trap_flag",
    [EXIT_REASON_MONITOR] = "monitor",
    [EXIT_REASON_PAUSE] = "pause",
    [EXIT_REASON_ENTRY_MACHINE_CHECK] = "entry_machine_check",
    [EXIT_REASON_TPR_BELOW_THRESHOLD] = "tpr_below_threshold",
    [EXIT_REASON_APIC_ACCESS] = "apic_access",
    [EXIT_REASON_VIRTUALIZED_EOI] = "virtualized_eoi",
    [EXIT_REASON_GDTR_IDTR] = "gdtr_idtr",
    [EXIT_REASON_LDTR_TR] = "ldtr_tr",
    [EXIT_REASON_EPT_VIOLATION] = "ept_violation",
    [EXIT_REASON_EPT_MISCONFIG] = "ept_misconfig",
    [EXIT_REASON_INVEPT] = "invept",
    [EXIT_REASON_RDTSCP] = "rdtscp",
    [EXIT_REASON_PREEMPTION_TIMER] = "preemption_timer",
    [EXIT_REASON_INVVPID] = "invvpid",
    [EXIT_REASON_WBINVD] = "wbinvd",
    [EXIT_REASON_XSETBV] = "xsetbv",
    [EXIT_REASON_APIC_WRITE] = "apic_write",
    [EXIT_REASON_RDRAND] = "rdrand",
    [EXIT_REASON_INVPCID] = "invpcid",
    [EXIT_REASON_VMFUNC] = "vmfunc",
    [EXIT_REASON_ENCLS] = "encls",
    [EXIT_REASON_RDSEED] = "rdseed",
    [EXIT_REASON_PML_FULL] = "pml_full",
    [EXIT_REASON_XSAVES] = "xsaves",
    [EXIT_REASON_XRSTORS] = "xrstors",
    [EXIT_REASON_PCONFIG] = "pconfig",
    [EXIT_REASON_SPP_EVENT] = "spp_event",
    [EXIT_REASON_UMWAIT] = "umwait",
    [EXIT_REASON_TPAUSE] = "tpause",
    [EXIT_REASON_LOADIWKEY] = "loadiwkey",
    [EXIT_REASON_ENCLV] = "enclv",
    [EXIT_REASON_ENQCMD_PASID_FAILURE] = "enqcmd_pasid_failure",
    [EXIT_REASON_ENQCMDS_PASID_FAILURE] = "enqcmds_pasid_failure",
    [EXIT_REASON_BUS_LOCK] = "bus_lock",
    [EXIT_REASON_INSTRUCTION_TIMEOUT] = "instruction_timeout",
    [EXIT_REASON_SEAMCALL] = "seamcall",
    [EXIT_REASON_TDCALL] = "tdcall",
    [EXIT_REASON_RDMSRLIST] = "rdmsrlist",
    [EXIT_REASON_WRMSRLIST] = "wrmsrlist",
    [EXIT_REASON_URDMSR] = "urdmsr",
    [EXIT_REASON_UWRMSR] = "uwrmsr",
    [EXIT_REASON_RDMSR_IMM] = "rdmsr_imm",
    [EXIT_REASON_WRMSRNS_IMM] = "wrmsrns_imm",
};

const char *exit_reason_name(uint32_t basic)
{
    if (basic >= EXIT_REASON_COUNT || exit_reason_names[basic] == NULL)
        return "unknown";
    return exit_reason_names[basic];
}

/* ---- VM-instruction errors (SDM vol. 3C, "VM-Instruction Error Numbers") -- */

#define VMXERR_LAST VMXERR_INVALID_INVEPT_INVVPID_OPERAND

static const char *const vm_instruction_error_texts[VMXERR_LAST + 1] = {
    [VMXERR_VMCALL_IN_ROOT] = "VMCALL executed in VMX root operation",
    [VMXERR_VMCLEAR_INVALID_ADDRESS] = "VMCLEAR with invalid physical address",
    [VMXERR_VMCLEAR_VMXON_POINTER] = "VMCLEAR with VMXON pointer",
    [VMXERR_VMLAUNCH_NONCLEAR_VMCS] = "VMLAUNCH with non-clear VMCS",
    [VMXERR_VMRESUME_NONLAUNCHED_VMCS] = "VMRESUME with non-launched VMCS",
    [VMXERR_VMRESUME_AFTER_VMXOFF] = "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)",
    [VMXERR_ENTRY_INVALID_CONTROL] = "VM entry with invalid control field(s)",
    [VMXERR_ENTRY_INVALID_HOST_STATE] = "VM entry with invalid host-state field(s)",
    [VMXERR_VMPTRLD_INVALID_ADDRESS] = "VMPTRLD with invalid physical address",
    [VMXERR_VMPTRLD_VMXON_POINTER] = "VMPTRLD with VMXON pointer",
    [VMXERR_VMPTRLD_BAD_REVISION] = "VMPTRLD with incorrect VMCS revision identifier",
    [VMXERR_UNSUPPORTED_COMPONENT] = "VMREAD/VMWRITE from/to unsupported VMCS component",
    [VMXERR_VMWRITE_READ_ONLY] = "VMWRITE to read-only VMCS component",
    [VMXERR_VMXON_IN_ROOT] = "VMXON executed in VMX root operation",
    [VMXERR_ENTRY_INVALID_EXECUTIVE_VMCS] = "VM entry with invalid executive-VMCS pointer",
    [VMXERR_ENTRY_NONLAUNCHED_EXECUTIVE_VMCS] = "VM entry with non-launched executive VMCS",
    [VMXERR_ENTRY_EXECUTIVE_NOT_VMXON_POINTER] =
        "VM entry with executive-VMCS pointer not VMXON pointer (deactivating dual-monitor treatment)",
    [VMXERR_VMCALL_NONCLEAR_VMCS] = "VMCALL with non-clear VMCS (activating dual-monitor treatment)",
    [VMXERR_VMCALL_INVALID_EXIT_CONTROLS] = "VMCALL with invalid VM-exit control fields",
    [VMXERR_VMCALL_BAD_MSEG_REVISION] =
        "VMCALL with incorrect MSEG revision identifier (activating dual-monitor treatment)",
    [VMXERR_VMXOFF_DUAL_MONITOR] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
    [VMXERR_VMCALL_INVALID_SMM_MONITOR] =
        "VMCALL with invalid SMM-monitor features (activating dual-monitor treatment)",
    [VMXERR_ENTRY_INVALID_EXECUTIVE_CONTROLS] =
        "VM entry with invalid VM-execution control fields in executive VMCS (returning from SMM)",
    [VMXERR_ENTRY_BLOCKED_BY_MOV_SS] = "VM entry with events blocked by MOV SS",
    [VMXERR_INVALID_INVEPT_INVVPID_OPERAND] = "invalid operand to INVEPT/INVVPID",
};

const char *vm_instruction_error_text(uint32_t n)
{
    if (n == 0 || n > VMXERR_LAST)
        return "unknown VM-instruction error";
    if (vm_instruction_error_texts[n] == NULL)
        return "reserved VM-instruction error";
    return vm_instruction_error_texts[n];
}

/* ---- interruption types --------------------------------------------------- */

static const char *const interruption_type_names[8] = {
    [INTR_TYPE_EXTERNAL_INTERRUPT] = "external_interrupt",
    [INTR_TYPE_RESERVED] = "reserved",
    [INTR_TYPE_NMI] = "nmi",
    [INTR_TYPE_HARDWARE_EXCEPTION] = "hardware_exception",
    [INTR_TYPE_SOFTWARE_INTERRUPT] = "software_interrupt",
    [INTR_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION] = "privileged_software_exception",
    [INTR_TYPE_SOFTWARE_EXCEPTION] = "software_exception",
    [INTR_TYPE_OTHER_EVENT] = "other_event",
};

const char *interruption_type_name(unsigned type)
{
    if (type >= sizeof(interruption_type_names) / sizeof(interruption_type_names[0]))
        return "unknown";
    return interruption_type_names[type];
}

/* ---- VMCS fields ---------------------------------------------------------- */

/* Each #define must agree with the width and type the list declares for it,
 * must be a full (not high) encoding, and must have no reserved bits set. */
#define VMCS_FIELD_CHECK(n, w, t)                                               \
    _Static_assert(VMCS_FIELD_WIDTH(VMCS_##n) == VMCS_WIDTH_##w &&              \
                       VMCS_FIELD_TYPE(VMCS_##n) == VMCS_TYPE_##t &&            \
                       !VMCS_FIELD_IS_HIGH(VMCS_##n) &&                         \
                       ((uint32_t)VMCS_##n & VMCS_FIELD_RESERVED_MASK) == 0,    \
                   "VMCS_" #n " disagrees with its VMCS_FIELD_LIST entry");
VMCS_FIELD_LIST(VMCS_FIELD_CHECK)
#undef VMCS_FIELD_CHECK

/* Only 64-bit fields have a high half. */
#define VMCS_HIGH_NAME_16(s)      NULL
#define VMCS_HIGH_NAME_32(s)      NULL
#define VMCS_HIGH_NAME_NATURAL(s) NULL
#define VMCS_HIGH_NAME_64(s)      s "_HIGH"

#define VMCS_FIELD_ENTRY(n, w, t)                                               \
    { VMCS_##n, VMCS_WIDTH_##w, VMCS_TYPE_##t, #n, VMCS_HIGH_NAME_##w(#n) },

const struct vmcs_field_info vmcs_field_table[] = {
    VMCS_FIELD_LIST(VMCS_FIELD_ENTRY)
};
#undef VMCS_FIELD_ENTRY

const size_t vmcs_field_count = sizeof(vmcs_field_table) / sizeof(vmcs_field_table[0]);

/* Binary search: the table is in ascending encoding order (a unit test
 * checks that). */
const struct vmcs_field_info *vmcs_field_lookup(uint32_t encoding)
{
    uint32_t full = encoding & ~1u;
    size_t lo = 0, hi = vmcs_field_count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct vmcs_field_info *f = &vmcs_field_table[mid];

        if (f->encoding == full) {
            /* A high encoding exists only for 64-bit fields. */
            if (VMCS_FIELD_IS_HIGH(encoding) && f->width != VMCS_WIDTH_64)
                return NULL;
            return f;
        }
        if (f->encoding < full)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *vmcs_field_name(uint32_t encoding)
{
    const struct vmcs_field_info *f = vmcs_field_lookup(encoding);

    if (f == NULL)
        return "unknown";
    return VMCS_FIELD_IS_HIGH(encoding) ? f->high_name : f->name;
}
