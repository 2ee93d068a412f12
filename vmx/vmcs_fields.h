/*
 * VMCS field encodings: the numbers VMREAD and VMWRITE take (Intel SDM vol.
 * 3D, Appendix B "Field Encoding in VMCS"; the encoding format is vol. 3C,
 * "VMREAD, VMWRITE, and Encodings of VMCS Fields").
 *
 * An encoding is a 32-bit value:
 *   bit  0      access type: 0 = full, 1 = high (upper 32 bits of a 64-bit
 *               field; only 64-bit fields have a high encoding)
 *   bits 9:1    index
 *   bits 11:10  type: 0 control, 1 VM-exit information (read-only),
 *               2 guest state, 3 host state
 *   bit  12     reserved (0)
 *   bits 14:13  width: 0 16-bit, 1 64-bit, 2 32-bit, 3 natural width
 *   bits 31:15  reserved (0)
 *
 * Names: VMCS_CTRL_* control fields, VMCS_RO_* read-only VM-exit
 * information, VMCS_GUEST_* guest state, VMCS_HOST_* host state.  Fields
 * backed by an MSR keep the MSR's SDM name (VMCS_GUEST_IA32_EFER).
 *
 * Every field is listed twice on purpose: once as a #define (usable in #if,
 * _Static_assert, and by grep), once in VMCS_FIELD_LIST with its width and
 * type.  vmx/vmx_names.c builds the name table from the list and checks at
 * compile time that each #define's width and type bits agree with the list,
 * so a mistyped encoding does not build.
 */
#ifndef KESTREL_VMX_VMCS_FIELDS_H
#define KESTREL_VMX_VMCS_FIELDS_H

#include <stdint.h>

/* ---- encoding format ----------------------------------------------------- */

enum vmcs_width {
    VMCS_WIDTH_16 = 0,
    VMCS_WIDTH_64 = 1,
    VMCS_WIDTH_32 = 2,
    VMCS_WIDTH_NATURAL = 3,
};

enum vmcs_type {
    VMCS_TYPE_CONTROL = 0,
    VMCS_TYPE_READ_ONLY = 1,     /* "VM-exit information" */
    VMCS_TYPE_GUEST = 2,
    VMCS_TYPE_HOST = 3,
};

/* All are integer constant expressions when enc is one. */
#define VMCS_FIELD_WIDTH(enc)    (((uint32_t)(enc) >> 13) & 3u)
#define VMCS_FIELD_TYPE(enc)     (((uint32_t)(enc) >> 10) & 3u)
#define VMCS_FIELD_INDEX(enc)    (((uint32_t)(enc) >> 1) & 0x1ffu)
#define VMCS_FIELD_IS_HIGH(enc)  ((uint32_t)(enc) & 1u)
/* The encoding of the upper half of a 64-bit field. */
#define VMCS_FIELD_HIGH(enc)     ((uint32_t)(enc) | 1u)
/* Bits that are zero in every valid encoding (bit 12 and bits 31:15). */
#define VMCS_FIELD_RESERVED_MASK 0xffff9000u

/* ---- 16-bit control fields (0x00xx) --------------------------------------- */
#define VMCS_CTRL_VPID                          0x00000000
#define VMCS_CTRL_POSTED_INTR_NOTIFY_VECTOR     0x00000002
#define VMCS_CTRL_EPTP_INDEX                    0x00000004
#define VMCS_CTRL_HLAT_PREFIX_SIZE              0x00000006
#define VMCS_CTRL_LAST_PID_POINTER_INDEX        0x00000008

/* ---- 16-bit guest-state fields (0x08xx) ----------------------------------- */
#define VMCS_GUEST_ES_SELECTOR                  0x00000800
#define VMCS_GUEST_CS_SELECTOR                  0x00000802
#define VMCS_GUEST_SS_SELECTOR                  0x00000804
#define VMCS_GUEST_DS_SELECTOR                  0x00000806
#define VMCS_GUEST_FS_SELECTOR                  0x00000808
#define VMCS_GUEST_GS_SELECTOR                  0x0000080a
#define VMCS_GUEST_LDTR_SELECTOR                0x0000080c
#define VMCS_GUEST_TR_SELECTOR                  0x0000080e
#define VMCS_GUEST_INTR_STATUS                  0x00000810   /* RVI 7:0, SVI 15:8 */
#define VMCS_GUEST_PML_INDEX                    0x00000812
#define VMCS_GUEST_UINV                         0x00000814   /* user-interrupt notification vector */

/* ---- 16-bit host-state fields (0x0cxx) ------------------------------------ */
#define VMCS_HOST_ES_SELECTOR                   0x00000c00
#define VMCS_HOST_CS_SELECTOR                   0x00000c02
#define VMCS_HOST_SS_SELECTOR                   0x00000c04
#define VMCS_HOST_DS_SELECTOR                   0x00000c06
#define VMCS_HOST_FS_SELECTOR                   0x00000c08
#define VMCS_HOST_GS_SELECTOR                   0x00000c0a
#define VMCS_HOST_TR_SELECTOR                   0x00000c0c

/* ---- 64-bit control fields (0x20xx) --------------------------------------- */
#define VMCS_CTRL_IO_BITMAP_A                   0x00002000
#define VMCS_CTRL_IO_BITMAP_B                   0x00002002
#define VMCS_CTRL_MSR_BITMAP                    0x00002004
#define VMCS_CTRL_EXIT_MSR_STORE_ADDR           0x00002006
#define VMCS_CTRL_EXIT_MSR_LOAD_ADDR            0x00002008
#define VMCS_CTRL_ENTRY_MSR_LOAD_ADDR           0x0000200a
#define VMCS_CTRL_EXECUTIVE_VMCS_PTR            0x0000200c
#define VMCS_CTRL_PML_ADDR                      0x0000200e
#define VMCS_CTRL_TSC_OFFSET                    0x00002010
#define VMCS_CTRL_VIRTUAL_APIC_PAGE             0x00002012
#define VMCS_CTRL_APIC_ACCESS_ADDR              0x00002014
#define VMCS_CTRL_POSTED_INTR_DESC              0x00002016
#define VMCS_CTRL_VMFUNC_CONTROLS               0x00002018
#define VMCS_CTRL_EPT_POINTER                   0x0000201a
#define VMCS_CTRL_EOI_EXIT_BITMAP0              0x0000201c
#define VMCS_CTRL_EOI_EXIT_BITMAP1              0x0000201e
#define VMCS_CTRL_EOI_EXIT_BITMAP2              0x00002020
#define VMCS_CTRL_EOI_EXIT_BITMAP3              0x00002022
#define VMCS_CTRL_EPTP_LIST                     0x00002024
#define VMCS_CTRL_VMREAD_BITMAP                 0x00002026
#define VMCS_CTRL_VMWRITE_BITMAP                0x00002028
#define VMCS_CTRL_VE_INFO_ADDR                  0x0000202a   /* virtualization-exception information */
#define VMCS_CTRL_XSS_EXIT_BITMAP               0x0000202c
#define VMCS_CTRL_ENCLS_EXIT_BITMAP             0x0000202e
#define VMCS_CTRL_SPP_TABLE_PTR                 0x00002030   /* sub-page-permission-table pointer */
#define VMCS_CTRL_TSC_MULTIPLIER                0x00002032
#define VMCS_CTRL_PROC_BASED3                   0x00002034   /* tertiary processor-based controls */
#define VMCS_CTRL_ENCLV_EXIT_BITMAP             0x00002036
#define VMCS_CTRL_LOW_PASID_DIR_ADDR            0x00002038
#define VMCS_CTRL_HIGH_PASID_DIR_ADDR           0x0000203a
#define VMCS_CTRL_SHARED_EPT_POINTER            0x0000203c
#define VMCS_CTRL_PCONFIG_EXIT_BITMAP           0x0000203e
#define VMCS_CTRL_HLAT_POINTER                  0x00002040   /* hypervisor-managed linear-address translation */
#define VMCS_CTRL_PID_POINTER_TABLE             0x00002042
#define VMCS_CTRL_EXIT2                         0x00002044   /* secondary VM-exit controls */
#define VMCS_CTRL_SPEC_CTRL_MASK                0x0000204a   /* IA32_SPEC_CTRL mask */
#define VMCS_CTRL_SPEC_CTRL_SHADOW              0x0000204c   /* IA32_SPEC_CTRL shadow */
#define VMCS_CTRL_INJECTED_EVENT_DATA           0x00002052   /* FRED */

/* ---- 64-bit read-only data fields (0x24xx) -------------------------------- */
#define VMCS_RO_GUEST_PHYSICAL_ADDRESS          0x00002400
#define VMCS_RO_ORIGINAL_EVENT_DATA             0x00002404   /* FRED */

/* ---- 64-bit guest-state fields (0x28xx) ----------------------------------- */
#define VMCS_GUEST_VMCS_LINK_POINTER            0x00002800
#define VMCS_GUEST_IA32_DEBUGCTL                0x00002802
#define VMCS_GUEST_IA32_PAT                     0x00002804
#define VMCS_GUEST_IA32_EFER                    0x00002806
#define VMCS_GUEST_IA32_PERF_GLOBAL_CTRL        0x00002808
#define VMCS_GUEST_PDPTE0                       0x0000280a
#define VMCS_GUEST_PDPTE1                       0x0000280c
#define VMCS_GUEST_PDPTE2                       0x0000280e
#define VMCS_GUEST_PDPTE3                       0x00002810
#define VMCS_GUEST_IA32_BNDCFGS                 0x00002812
#define VMCS_GUEST_IA32_RTIT_CTL                0x00002814
#define VMCS_GUEST_IA32_LBR_CTL                 0x00002816
#define VMCS_GUEST_IA32_PKRS                    0x00002818
#define VMCS_GUEST_IA32_FRED_CONFIG             0x0000281a
#define VMCS_GUEST_IA32_FRED_RSP1               0x0000281c
#define VMCS_GUEST_IA32_FRED_RSP2               0x0000281e
#define VMCS_GUEST_IA32_FRED_RSP3               0x00002820
#define VMCS_GUEST_IA32_FRED_STKLVLS            0x00002822
#define VMCS_GUEST_IA32_FRED_SSP1               0x00002824
#define VMCS_GUEST_IA32_FRED_SSP2               0x00002826
#define VMCS_GUEST_IA32_FRED_SSP3               0x00002828

/* ---- 64-bit host-state fields (0x2cxx) ------------------------------------ */
#define VMCS_HOST_IA32_PAT                      0x00002c00
#define VMCS_HOST_IA32_EFER                     0x00002c02
#define VMCS_HOST_IA32_PERF_GLOBAL_CTRL         0x00002c04
#define VMCS_HOST_IA32_PKRS                     0x00002c06
#define VMCS_HOST_IA32_FRED_CONFIG              0x00002c08
#define VMCS_HOST_IA32_FRED_RSP1                0x00002c0a
#define VMCS_HOST_IA32_FRED_RSP2                0x00002c0c
#define VMCS_HOST_IA32_FRED_RSP3                0x00002c0e
#define VMCS_HOST_IA32_FRED_STKLVLS             0x00002c10
#define VMCS_HOST_IA32_FRED_SSP1                0x00002c12
#define VMCS_HOST_IA32_FRED_SSP2                0x00002c14
#define VMCS_HOST_IA32_FRED_SSP3                0x00002c16

/* ---- 32-bit control fields (0x40xx) --------------------------------------- */
#define VMCS_CTRL_PIN_BASED                     0x00004000
#define VMCS_CTRL_PROC_BASED                    0x00004002   /* primary processor-based controls */
#define VMCS_CTRL_EXCEPTION_BITMAP              0x00004004
#define VMCS_CTRL_PF_ERROR_CODE_MASK            0x00004006
#define VMCS_CTRL_PF_ERROR_CODE_MATCH           0x00004008
#define VMCS_CTRL_CR3_TARGET_COUNT              0x0000400a
#define VMCS_CTRL_EXIT                          0x0000400c   /* primary VM-exit controls */
#define VMCS_CTRL_EXIT_MSR_STORE_COUNT          0x0000400e
#define VMCS_CTRL_EXIT_MSR_LOAD_COUNT           0x00004010
#define VMCS_CTRL_ENTRY                         0x00004012   /* VM-entry controls */
#define VMCS_CTRL_ENTRY_MSR_LOAD_COUNT          0x00004014
#define VMCS_CTRL_ENTRY_INTR_INFO               0x00004016
#define VMCS_CTRL_ENTRY_EXCEPTION_ERROR_CODE    0x00004018
#define VMCS_CTRL_ENTRY_INSTRUCTION_LEN         0x0000401a
#define VMCS_CTRL_TPR_THRESHOLD                 0x0000401c
#define VMCS_CTRL_PROC_BASED2                   0x0000401e   /* secondary processor-based controls */
#define VMCS_CTRL_PLE_GAP                       0x00004020
#define VMCS_CTRL_PLE_WINDOW                    0x00004022
#define VMCS_CTRL_INSTRUCTION_TIMEOUT           0x00004024   /* instruction-timeout control */

/* ---- 32-bit read-only data fields (0x44xx) -------------------------------- */
#define VMCS_RO_VM_INSTRUCTION_ERROR            0x00004400
#define VMCS_RO_EXIT_REASON                     0x00004402
#define VMCS_RO_EXIT_INTR_INFO                  0x00004404
#define VMCS_RO_EXIT_INTR_ERROR_CODE            0x00004406
#define VMCS_RO_IDT_VECTORING_INFO              0x00004408
#define VMCS_RO_IDT_VECTORING_ERROR_CODE        0x0000440a
#define VMCS_RO_EXIT_INSTRUCTION_LEN            0x0000440c
#define VMCS_RO_EXIT_INSTRUCTION_INFO           0x0000440e

/* ---- 32-bit guest-state fields (0x48xx) ----------------------------------- */
#define VMCS_GUEST_ES_LIMIT                     0x00004800
#define VMCS_GUEST_CS_LIMIT                     0x00004802
#define VMCS_GUEST_SS_LIMIT                     0x00004804
#define VMCS_GUEST_DS_LIMIT                     0x00004806
#define VMCS_GUEST_FS_LIMIT                     0x00004808
#define VMCS_GUEST_GS_LIMIT                     0x0000480a
#define VMCS_GUEST_LDTR_LIMIT                   0x0000480c
#define VMCS_GUEST_TR_LIMIT                     0x0000480e
#define VMCS_GUEST_GDTR_LIMIT                   0x00004810
#define VMCS_GUEST_IDTR_LIMIT                   0x00004812
#define VMCS_GUEST_ES_ACCESS_RIGHTS             0x00004814
#define VMCS_GUEST_CS_ACCESS_RIGHTS             0x00004816
#define VMCS_GUEST_SS_ACCESS_RIGHTS             0x00004818
#define VMCS_GUEST_DS_ACCESS_RIGHTS             0x0000481a
#define VMCS_GUEST_FS_ACCESS_RIGHTS             0x0000481c
#define VMCS_GUEST_GS_ACCESS_RIGHTS             0x0000481e
#define VMCS_GUEST_LDTR_ACCESS_RIGHTS           0x00004820
#define VMCS_GUEST_TR_ACCESS_RIGHTS             0x00004822
#define VMCS_GUEST_INTERRUPTIBILITY             0x00004824
#define VMCS_GUEST_ACTIVITY_STATE               0x00004826
#define VMCS_GUEST_SMBASE                       0x00004828
#define VMCS_GUEST_IA32_SYSENTER_CS             0x0000482a
#define VMCS_GUEST_VMX_PREEMPTION_TIMER_VALUE   0x0000482e

/* ---- 32-bit host-state field (0x4cxx) ------------------------------------- */
#define VMCS_HOST_IA32_SYSENTER_CS              0x00004c00

/* ---- natural-width control fields (0x60xx) -------------------------------- */
#define VMCS_CTRL_CR0_GUEST_HOST_MASK           0x00006000
#define VMCS_CTRL_CR4_GUEST_HOST_MASK           0x00006002
#define VMCS_CTRL_CR0_READ_SHADOW               0x00006004
#define VMCS_CTRL_CR4_READ_SHADOW               0x00006006
#define VMCS_CTRL_CR3_TARGET_VALUE0             0x00006008
#define VMCS_CTRL_CR3_TARGET_VALUE1             0x0000600a
#define VMCS_CTRL_CR3_TARGET_VALUE2             0x0000600c
#define VMCS_CTRL_CR3_TARGET_VALUE3             0x0000600e

/* ---- natural-width read-only data fields (0x64xx) ------------------------- */
#define VMCS_RO_EXIT_QUALIFICATION              0x00006400
#define VMCS_RO_IO_RCX                          0x00006402
#define VMCS_RO_IO_RSI                          0x00006404
#define VMCS_RO_IO_RDI                          0x00006406
#define VMCS_RO_IO_RIP                          0x00006408
#define VMCS_RO_GUEST_LINEAR_ADDRESS            0x0000640a

/* ---- natural-width guest-state fields (0x68xx) ---------------------------- */
#define VMCS_GUEST_CR0                          0x00006800
#define VMCS_GUEST_CR3                          0x00006802
#define VMCS_GUEST_CR4                          0x00006804
#define VMCS_GUEST_ES_BASE                      0x00006806
#define VMCS_GUEST_CS_BASE                      0x00006808
#define VMCS_GUEST_SS_BASE                      0x0000680a
#define VMCS_GUEST_DS_BASE                      0x0000680c
#define VMCS_GUEST_FS_BASE                      0x0000680e
#define VMCS_GUEST_GS_BASE                      0x00006810
#define VMCS_GUEST_LDTR_BASE                    0x00006812
#define VMCS_GUEST_TR_BASE                      0x00006814
#define VMCS_GUEST_GDTR_BASE                    0x00006816
#define VMCS_GUEST_IDTR_BASE                    0x00006818
#define VMCS_GUEST_DR7                          0x0000681a
#define VMCS_GUEST_RSP                          0x0000681c
#define VMCS_GUEST_RIP                          0x0000681e
#define VMCS_GUEST_RFLAGS                       0x00006820
#define VMCS_GUEST_PENDING_DBG_EXCEPTIONS       0x00006822
#define VMCS_GUEST_IA32_SYSENTER_ESP            0x00006824
#define VMCS_GUEST_IA32_SYSENTER_EIP            0x00006826
#define VMCS_GUEST_IA32_S_CET                   0x00006828
#define VMCS_GUEST_SSP                          0x0000682a
#define VMCS_GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR 0x0000682c

/* ---- natural-width host-state fields (0x6cxx) ----------------------------- */
#define VMCS_HOST_CR0                           0x00006c00
#define VMCS_HOST_CR3                           0x00006c02
#define VMCS_HOST_CR4                           0x00006c04
#define VMCS_HOST_FS_BASE                       0x00006c06
#define VMCS_HOST_GS_BASE                       0x00006c08
#define VMCS_HOST_TR_BASE                       0x00006c0a
#define VMCS_HOST_GDTR_BASE                     0x00006c0c
#define VMCS_HOST_IDTR_BASE                     0x00006c0e
#define VMCS_HOST_IA32_SYSENTER_ESP             0x00006c10
#define VMCS_HOST_IA32_SYSENTER_EIP             0x00006c12
#define VMCS_HOST_RSP                           0x00006c14
#define VMCS_HOST_RIP                           0x00006c16
#define VMCS_HOST_IA32_S_CET                    0x00006c18
#define VMCS_HOST_SSP                           0x00006c1a
#define VMCS_HOST_IA32_INTERRUPT_SSP_TABLE_ADDR 0x00006c1c

/*
 * The same fields as an X-macro list: X(name, width, type), where name is
 * the #define without its VMCS_ prefix, width one of 16 64 32 NATURAL
 * (VMCS_WIDTH_<width>) and type one of CONTROL READ_ONLY GUEST HOST
 * (VMCS_TYPE_<type>).  Keep it in the order above (ascending encoding).
 */
#define VMCS_FIELD_LIST(X)                                                      \
    X(CTRL_VPID, 16, CONTROL)                                                   \
    X(CTRL_POSTED_INTR_NOTIFY_VECTOR, 16, CONTROL)                              \
    X(CTRL_EPTP_INDEX, 16, CONTROL)                                             \
    X(CTRL_HLAT_PREFIX_SIZE, 16, CONTROL)                                       \
    X(CTRL_LAST_PID_POINTER_INDEX, 16, CONTROL)                                 \
    X(GUEST_ES_SELECTOR, 16, GUEST)                                             \
    X(GUEST_CS_SELECTOR, 16, GUEST)                                             \
    X(GUEST_SS_SELECTOR, 16, GUEST)                                             \
    X(GUEST_DS_SELECTOR, 16, GUEST)                                             \
    X(GUEST_FS_SELECTOR, 16, GUEST)                                             \
    X(GUEST_GS_SELECTOR, 16, GUEST)                                             \
    X(GUEST_LDTR_SELECTOR, 16, GUEST)                                           \
    X(GUEST_TR_SELECTOR, 16, GUEST)                                             \
    X(GUEST_INTR_STATUS, 16, GUEST)                                             \
    X(GUEST_PML_INDEX, 16, GUEST)                                               \
    X(GUEST_UINV, 16, GUEST)                                                    \
    X(HOST_ES_SELECTOR, 16, HOST)                                               \
    X(HOST_CS_SELECTOR, 16, HOST)                                               \
    X(HOST_SS_SELECTOR, 16, HOST)                                               \
    X(HOST_DS_SELECTOR, 16, HOST)                                               \
    X(HOST_FS_SELECTOR, 16, HOST)                                               \
    X(HOST_GS_SELECTOR, 16, HOST)                                               \
    X(HOST_TR_SELECTOR, 16, HOST)                                               \
    X(CTRL_IO_BITMAP_A, 64, CONTROL)                                            \
    X(CTRL_IO_BITMAP_B, 64, CONTROL)                                            \
    X(CTRL_MSR_BITMAP, 64, CONTROL)                                             \
    X(CTRL_EXIT_MSR_STORE_ADDR, 64, CONTROL)                                    \
    X(CTRL_EXIT_MSR_LOAD_ADDR, 64, CONTROL)                                     \
    X(CTRL_ENTRY_MSR_LOAD_ADDR, 64, CONTROL)                                    \
    X(CTRL_EXECUTIVE_VMCS_PTR, 64, CONTROL)                                     \
    X(CTRL_PML_ADDR, 64, CONTROL)                                               \
    X(CTRL_TSC_OFFSET, 64, CONTROL)                                             \
    X(CTRL_VIRTUAL_APIC_PAGE, 64, CONTROL)                                      \
    X(CTRL_APIC_ACCESS_ADDR, 64, CONTROL)                                       \
    X(CTRL_POSTED_INTR_DESC, 64, CONTROL)                                       \
    X(CTRL_VMFUNC_CONTROLS, 64, CONTROL)                                        \
    X(CTRL_EPT_POINTER, 64, CONTROL)                                            \
    X(CTRL_EOI_EXIT_BITMAP0, 64, CONTROL)                                       \
    X(CTRL_EOI_EXIT_BITMAP1, 64, CONTROL)                                       \
    X(CTRL_EOI_EXIT_BITMAP2, 64, CONTROL)                                       \
    X(CTRL_EOI_EXIT_BITMAP3, 64, CONTROL)                                       \
    X(CTRL_EPTP_LIST, 64, CONTROL)                                              \
    X(CTRL_VMREAD_BITMAP, 64, CONTROL)                                          \
    X(CTRL_VMWRITE_BITMAP, 64, CONTROL)                                         \
    X(CTRL_VE_INFO_ADDR, 64, CONTROL)                                           \
    X(CTRL_XSS_EXIT_BITMAP, 64, CONTROL)                                        \
    X(CTRL_ENCLS_EXIT_BITMAP, 64, CONTROL)                                      \
    X(CTRL_SPP_TABLE_PTR, 64, CONTROL)                                          \
    X(CTRL_TSC_MULTIPLIER, 64, CONTROL)                                         \
    X(CTRL_PROC_BASED3, 64, CONTROL)                                            \
    X(CTRL_ENCLV_EXIT_BITMAP, 64, CONTROL)                                      \
    X(CTRL_LOW_PASID_DIR_ADDR, 64, CONTROL)                                     \
    X(CTRL_HIGH_PASID_DIR_ADDR, 64, CONTROL)                                    \
    X(CTRL_SHARED_EPT_POINTER, 64, CONTROL)                                     \
    X(CTRL_PCONFIG_EXIT_BITMAP, 64, CONTROL)                                    \
    X(CTRL_HLAT_POINTER, 64, CONTROL)                                           \
    X(CTRL_PID_POINTER_TABLE, 64, CONTROL)                                      \
    X(CTRL_EXIT2, 64, CONTROL)                                                  \
    X(CTRL_SPEC_CTRL_MASK, 64, CONTROL)                                         \
    X(CTRL_SPEC_CTRL_SHADOW, 64, CONTROL)                                       \
    X(CTRL_INJECTED_EVENT_DATA, 64, CONTROL)                                    \
    X(RO_GUEST_PHYSICAL_ADDRESS, 64, READ_ONLY)                                 \
    X(RO_ORIGINAL_EVENT_DATA, 64, READ_ONLY)                                    \
    X(GUEST_VMCS_LINK_POINTER, 64, GUEST)                                       \
    X(GUEST_IA32_DEBUGCTL, 64, GUEST)                                           \
    X(GUEST_IA32_PAT, 64, GUEST)                                                \
    X(GUEST_IA32_EFER, 64, GUEST)                                               \
    X(GUEST_IA32_PERF_GLOBAL_CTRL, 64, GUEST)                                   \
    X(GUEST_PDPTE0, 64, GUEST)                                                  \
    X(GUEST_PDPTE1, 64, GUEST)                                                  \
    X(GUEST_PDPTE2, 64, GUEST)                                                  \
    X(GUEST_PDPTE3, 64, GUEST)                                                  \
    X(GUEST_IA32_BNDCFGS, 64, GUEST)                                            \
    X(GUEST_IA32_RTIT_CTL, 64, GUEST)                                           \
    X(GUEST_IA32_LBR_CTL, 64, GUEST)                                            \
    X(GUEST_IA32_PKRS, 64, GUEST)                                               \
    X(GUEST_IA32_FRED_CONFIG, 64, GUEST)                                        \
    X(GUEST_IA32_FRED_RSP1, 64, GUEST)                                          \
    X(GUEST_IA32_FRED_RSP2, 64, GUEST)                                          \
    X(GUEST_IA32_FRED_RSP3, 64, GUEST)                                          \
    X(GUEST_IA32_FRED_STKLVLS, 64, GUEST)                                       \
    X(GUEST_IA32_FRED_SSP1, 64, GUEST)                                          \
    X(GUEST_IA32_FRED_SSP2, 64, GUEST)                                          \
    X(GUEST_IA32_FRED_SSP3, 64, GUEST)                                          \
    X(HOST_IA32_PAT, 64, HOST)                                                  \
    X(HOST_IA32_EFER, 64, HOST)                                                 \
    X(HOST_IA32_PERF_GLOBAL_CTRL, 64, HOST)                                     \
    X(HOST_IA32_PKRS, 64, HOST)                                                 \
    X(HOST_IA32_FRED_CONFIG, 64, HOST)                                          \
    X(HOST_IA32_FRED_RSP1, 64, HOST)                                            \
    X(HOST_IA32_FRED_RSP2, 64, HOST)                                            \
    X(HOST_IA32_FRED_RSP3, 64, HOST)                                            \
    X(HOST_IA32_FRED_STKLVLS, 64, HOST)                                         \
    X(HOST_IA32_FRED_SSP1, 64, HOST)                                            \
    X(HOST_IA32_FRED_SSP2, 64, HOST)                                            \
    X(HOST_IA32_FRED_SSP3, 64, HOST)                                            \
    X(CTRL_PIN_BASED, 32, CONTROL)                                              \
    X(CTRL_PROC_BASED, 32, CONTROL)                                             \
    X(CTRL_EXCEPTION_BITMAP, 32, CONTROL)                                       \
    X(CTRL_PF_ERROR_CODE_MASK, 32, CONTROL)                                     \
    X(CTRL_PF_ERROR_CODE_MATCH, 32, CONTROL)                                    \
    X(CTRL_CR3_TARGET_COUNT, 32, CONTROL)                                       \
    X(CTRL_EXIT, 32, CONTROL)                                                   \
    X(CTRL_EXIT_MSR_STORE_COUNT, 32, CONTROL)                                   \
    X(CTRL_EXIT_MSR_LOAD_COUNT, 32, CONTROL)                                    \
    X(CTRL_ENTRY, 32, CONTROL)                                                  \
    X(CTRL_ENTRY_MSR_LOAD_COUNT, 32, CONTROL)                                   \
    X(CTRL_ENTRY_INTR_INFO, 32, CONTROL)                                        \
    X(CTRL_ENTRY_EXCEPTION_ERROR_CODE, 32, CONTROL)                             \
    X(CTRL_ENTRY_INSTRUCTION_LEN, 32, CONTROL)                                  \
    X(CTRL_TPR_THRESHOLD, 32, CONTROL)                                          \
    X(CTRL_PROC_BASED2, 32, CONTROL)                                            \
    X(CTRL_PLE_GAP, 32, CONTROL)                                                \
    X(CTRL_PLE_WINDOW, 32, CONTROL)                                             \
    X(CTRL_INSTRUCTION_TIMEOUT, 32, CONTROL)                                    \
    X(RO_VM_INSTRUCTION_ERROR, 32, READ_ONLY)                                   \
    X(RO_EXIT_REASON, 32, READ_ONLY)                                            \
    X(RO_EXIT_INTR_INFO, 32, READ_ONLY)                                         \
    X(RO_EXIT_INTR_ERROR_CODE, 32, READ_ONLY)                                   \
    X(RO_IDT_VECTORING_INFO, 32, READ_ONLY)                                     \
    X(RO_IDT_VECTORING_ERROR_CODE, 32, READ_ONLY)                               \
    X(RO_EXIT_INSTRUCTION_LEN, 32, READ_ONLY)                                   \
    X(RO_EXIT_INSTRUCTION_INFO, 32, READ_ONLY)                                  \
    X(GUEST_ES_LIMIT, 32, GUEST)                                                \
    X(GUEST_CS_LIMIT, 32, GUEST)                                                \
    X(GUEST_SS_LIMIT, 32, GUEST)                                                \
    X(GUEST_DS_LIMIT, 32, GUEST)                                                \
    X(GUEST_FS_LIMIT, 32, GUEST)                                                \
    X(GUEST_GS_LIMIT, 32, GUEST)                                                \
    X(GUEST_LDTR_LIMIT, 32, GUEST)                                              \
    X(GUEST_TR_LIMIT, 32, GUEST)                                                \
    X(GUEST_GDTR_LIMIT, 32, GUEST)                                              \
    X(GUEST_IDTR_LIMIT, 32, GUEST)                                              \
    X(GUEST_ES_ACCESS_RIGHTS, 32, GUEST)                                        \
    X(GUEST_CS_ACCESS_RIGHTS, 32, GUEST)                                        \
    X(GUEST_SS_ACCESS_RIGHTS, 32, GUEST)                                        \
    X(GUEST_DS_ACCESS_RIGHTS, 32, GUEST)                                        \
    X(GUEST_FS_ACCESS_RIGHTS, 32, GUEST)                                        \
    X(GUEST_GS_ACCESS_RIGHTS, 32, GUEST)                                        \
    X(GUEST_LDTR_ACCESS_RIGHTS, 32, GUEST)                                      \
    X(GUEST_TR_ACCESS_RIGHTS, 32, GUEST)                                        \
    X(GUEST_INTERRUPTIBILITY, 32, GUEST)                                        \
    X(GUEST_ACTIVITY_STATE, 32, GUEST)                                          \
    X(GUEST_SMBASE, 32, GUEST)                                                  \
    X(GUEST_IA32_SYSENTER_CS, 32, GUEST)                                        \
    X(GUEST_VMX_PREEMPTION_TIMER_VALUE, 32, GUEST)                              \
    X(HOST_IA32_SYSENTER_CS, 32, HOST)                                          \
    X(CTRL_CR0_GUEST_HOST_MASK, NATURAL, CONTROL)                               \
    X(CTRL_CR4_GUEST_HOST_MASK, NATURAL, CONTROL)                               \
    X(CTRL_CR0_READ_SHADOW, NATURAL, CONTROL)                                   \
    X(CTRL_CR4_READ_SHADOW, NATURAL, CONTROL)                                   \
    X(CTRL_CR3_TARGET_VALUE0, NATURAL, CONTROL)                                 \
    X(CTRL_CR3_TARGET_VALUE1, NATURAL, CONTROL)                                 \
    X(CTRL_CR3_TARGET_VALUE2, NATURAL, CONTROL)                                 \
    X(CTRL_CR3_TARGET_VALUE3, NATURAL, CONTROL)                                 \
    X(RO_EXIT_QUALIFICATION, NATURAL, READ_ONLY)                                \
    X(RO_IO_RCX, NATURAL, READ_ONLY)                                            \
    X(RO_IO_RSI, NATURAL, READ_ONLY)                                            \
    X(RO_IO_RDI, NATURAL, READ_ONLY)                                            \
    X(RO_IO_RIP, NATURAL, READ_ONLY)                                            \
    X(RO_GUEST_LINEAR_ADDRESS, NATURAL, READ_ONLY)                              \
    X(GUEST_CR0, NATURAL, GUEST)                                                \
    X(GUEST_CR3, NATURAL, GUEST)                                                \
    X(GUEST_CR4, NATURAL, GUEST)                                                \
    X(GUEST_ES_BASE, NATURAL, GUEST)                                            \
    X(GUEST_CS_BASE, NATURAL, GUEST)                                            \
    X(GUEST_SS_BASE, NATURAL, GUEST)                                            \
    X(GUEST_DS_BASE, NATURAL, GUEST)                                            \
    X(GUEST_FS_BASE, NATURAL, GUEST)                                            \
    X(GUEST_GS_BASE, NATURAL, GUEST)                                            \
    X(GUEST_LDTR_BASE, NATURAL, GUEST)                                          \
    X(GUEST_TR_BASE, NATURAL, GUEST)                                            \
    X(GUEST_GDTR_BASE, NATURAL, GUEST)                                          \
    X(GUEST_IDTR_BASE, NATURAL, GUEST)                                          \
    X(GUEST_DR7, NATURAL, GUEST)                                                \
    X(GUEST_RSP, NATURAL, GUEST)                                                \
    X(GUEST_RIP, NATURAL, GUEST)                                                \
    X(GUEST_RFLAGS, NATURAL, GUEST)                                             \
    X(GUEST_PENDING_DBG_EXCEPTIONS, NATURAL, GUEST)                             \
    X(GUEST_IA32_SYSENTER_ESP, NATURAL, GUEST)                                  \
    X(GUEST_IA32_SYSENTER_EIP, NATURAL, GUEST)                                  \
    X(GUEST_IA32_S_CET, NATURAL, GUEST)                                         \
    X(GUEST_SSP, NATURAL, GUEST)                                                \
    X(GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR, NATURAL, GUEST)                      \
    X(HOST_CR0, NATURAL, HOST)                                                  \
    X(HOST_CR3, NATURAL, HOST)                                                  \
    X(HOST_CR4, NATURAL, HOST)                                                  \
    X(HOST_FS_BASE, NATURAL, HOST)                                              \
    X(HOST_GS_BASE, NATURAL, HOST)                                              \
    X(HOST_TR_BASE, NATURAL, HOST)                                              \
    X(HOST_GDTR_BASE, NATURAL, HOST)                                            \
    X(HOST_IDTR_BASE, NATURAL, HOST)                                            \
    X(HOST_IA32_SYSENTER_ESP, NATURAL, HOST)                                    \
    X(HOST_IA32_SYSENTER_EIP, NATURAL, HOST)                                    \
    X(HOST_RSP, NATURAL, HOST)                                                  \
    X(HOST_RIP, NATURAL, HOST)                                                  \
    X(HOST_IA32_S_CET, NATURAL, HOST)                                           \
    X(HOST_SSP, NATURAL, HOST)                                                  \
    X(HOST_IA32_INTERRUPT_SSP_TABLE_ADDR, NATURAL, HOST)

#endif
