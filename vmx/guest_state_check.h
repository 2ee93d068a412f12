/*
 * The VM-entry checks on the guest-state area (Intel SDM vol. 3C, "Checks on
 * the Guest State Area": 27.3.1 in current editions, 26.3.1 in older ones),
 * as a pure function of a copy of the VMCS.
 *
 * When VM entry fails with "invalid guest state" (exit reason 33), the CPU
 * says only that some check failed.  Kestrel then reads the guest-state
 * fields and the controls into the structures below and runs gsc_check(),
 * which names the failing check and its VMCS field for the serial log.
 *
 * No hardware access and no dependency on the rest of vmx/: the same file is
 * compiled into the kernel and into the host unit tests.  Constants carry
 * their SDM names with a GSC_ prefix.
 */
#ifndef KESTREL_VMX_GUEST_STATE_CHECK_H
#define KESTREL_VMX_GUEST_STATE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#define GSC_BIT(n) (1ull << (n))

/* ---- VMX controls the checks depend on (SDM vol. 3C 25.6, 25.8) ---------- */
#define GSC_PIN_VIRTUAL_NMIS                 GSC_BIT(5)
#define GSC_PROC_ACTIVATE_SECONDARY          GSC_BIT(31)
#define GSC_PROC2_ENABLE_EPT                 GSC_BIT(1)
#define GSC_PROC2_UNRESTRICTED_GUEST         GSC_BIT(7)
#define GSC_ENTRY_LOAD_DEBUG_CONTROLS        GSC_BIT(2)
#define GSC_ENTRY_IA32E_MODE_GUEST           GSC_BIT(9)
#define GSC_ENTRY_TO_SMM                     GSC_BIT(10)
#define GSC_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL GSC_BIT(13)
#define GSC_ENTRY_LOAD_IA32_PAT              GSC_BIT(14)
#define GSC_ENTRY_LOAD_IA32_EFER             GSC_BIT(15)
#define GSC_ENTRY_LOAD_IA32_BNDCFGS          GSC_BIT(16)
#define GSC_ENTRY_LOAD_CET_STATE             GSC_BIT(20)

/* IA32_VMX_MISC: which inactive activity states VM entry accepts. */
#define GSC_VMX_MISC_ACTIVITY_HLT            GSC_BIT(6)
#define GSC_VMX_MISC_ACTIVITY_SHUTDOWN       GSC_BIT(7)
#define GSC_VMX_MISC_ACTIVITY_WAIT_SIPI      GSC_BIT(8)

/* ---- registers ------------------------------------------------------------ */
#define GSC_CR0_PE      GSC_BIT(0)
#define GSC_CR0_MP      GSC_BIT(1)
#define GSC_CR0_ET      GSC_BIT(4)
#define GSC_CR0_NE      GSC_BIT(5)
#define GSC_CR0_WP      GSC_BIT(16)
#define GSC_CR0_AM      GSC_BIT(18)
#define GSC_CR0_NW      GSC_BIT(29)
#define GSC_CR0_CD      GSC_BIT(30)
#define GSC_CR0_PG      GSC_BIT(31)

#define GSC_CR4_PSE     GSC_BIT(4)
#define GSC_CR4_PAE     GSC_BIT(5)
#define GSC_CR4_PGE     GSC_BIT(7)
#define GSC_CR4_LA57    GSC_BIT(12)
#define GSC_CR4_VMXE    GSC_BIT(13)
#define GSC_CR4_PCIDE   GSC_BIT(17)
#define GSC_CR4_CET     GSC_BIT(23)

#define GSC_RFLAGS_FIXED1 GSC_BIT(1)     /* reserved, reads as 1 */
#define GSC_RFLAGS_TF     GSC_BIT(8)
#define GSC_RFLAGS_IF     GSC_BIT(9)
#define GSC_RFLAGS_VM     GSC_BIT(17)

#define GSC_EFER_SCE    GSC_BIT(0)
#define GSC_EFER_LME    GSC_BIT(8)
#define GSC_EFER_LMA    GSC_BIT(10)
#define GSC_EFER_NXE    GSC_BIT(11)

#define GSC_DEBUGCTL_BTF GSC_BIT(1)

/* Segment access rights in the VMCS format (SDM vol. 3C 25.4.1, Table 25-2). */
#define GSC_AR_TYPE_MASK  0xfu
#define GSC_AR_S          (1u << 4)      /* code/data (1) or system (0) */
#define GSC_AR_DPL_SHIFT  5
#define GSC_AR_DPL_MASK   (3u << 5)
#define GSC_AR_P          (1u << 7)
#define GSC_AR_AVL        (1u << 12)
#define GSC_AR_L          (1u << 13)
#define GSC_AR_DB         (1u << 14)
#define GSC_AR_G          (1u << 15)
#define GSC_AR_UNUSABLE   (1u << 16)

#define GSC_SEL_RPL_MASK  3u
#define GSC_SEL_TI        (1u << 2)

/* ---- non-register state (SDM vol. 3C 25.4.2) ------------------------------ */
#define GSC_ACTIVITY_ACTIVE    0u
#define GSC_ACTIVITY_HLT       1u
#define GSC_ACTIVITY_SHUTDOWN  2u
#define GSC_ACTIVITY_WAIT_SIPI 3u

#define GSC_INTR_BLOCKING_BY_STI    (1u << 0)
#define GSC_INTR_BLOCKING_BY_MOV_SS (1u << 1)
#define GSC_INTR_BLOCKING_BY_SMI    (1u << 2)
#define GSC_INTR_BLOCKING_BY_NMI    (1u << 3)
#define GSC_INTR_ENCLAVE_INTERRUPTION (1u << 4)

#define GSC_PENDING_DBG_B0_B3   0xfull
#define GSC_PENDING_DBG_ENABLED_BP GSC_BIT(12)
#define GSC_PENDING_DBG_BS      GSC_BIT(14)
#define GSC_PENDING_DBG_RTM     GSC_BIT(16)

/* VM-entry interruption-information field (SDM vol. 3C 25.8.3). */
#define GSC_INTR_INFO_VECTOR_MASK 0xffu
#define GSC_INTR_INFO_TYPE_SHIFT  8
#define GSC_INTR_INFO_TYPE_MASK   (7u << 8)
#define GSC_INTR_INFO_VALID       (1u << 31)
#define GSC_INTR_TYPE_EXT_INTR    0u
#define GSC_INTR_TYPE_NMI         2u
#define GSC_INTR_TYPE_HARD_EXCEPTION 3u
#define GSC_INTR_TYPE_SOFT_INTR   4u
#define GSC_INTR_TYPE_PRIV_SOFT_EXCEPTION 5u
#define GSC_INTR_TYPE_SOFT_EXCEPTION 6u
#define GSC_INTR_TYPE_OTHER_EVENT 7u

#define GSC_VMCS_LINK_POINTER_NONE UINT64_MAX

/* ---- the state that is checked --------------------------------------------- */
struct gsc_segment {
    uint16_t selector;
    uint64_t base;
    uint32_t limit;
    uint32_t access_rights;  /* VMCS format: type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15, unusable 16 */
};

enum gsc_seg { GSC_ES, GSC_CS, GSC_SS, GSC_DS, GSC_FS, GSC_GS, GSC_LDTR, GSC_TR, GSC_SEG_COUNT };

struct gsc_guest_state {
    uint64_t cr0, cr3, cr4, dr7, rsp, rip, rflags;
    uint64_t debugctl, sysenter_esp, sysenter_eip;
    uint32_t sysenter_cs;
    uint64_t efer, pat, perf_global_ctrl, bndcfgs;
    struct gsc_segment seg[GSC_SEG_COUNT];
    uint64_t gdtr_base, idtr_base;
    uint32_t gdtr_limit, idtr_limit;
    uint32_t activity_state, interruptibility;
    uint64_t pending_dbg;
    uint64_t vmcs_link_pointer;
    uint32_t entry_intr_info;  /* VM-entry interruption-information field, for the IF / blocking checks */
};

struct gsc_controls {
    uint32_t pin, proc, proc2, exit, entry;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;  /* IA32_VMX_CR{0,4}_FIXED{0,1} */
    uint64_t vmx_misc;         /* IA32_VMX_MISC; activity states supported: bits 6..8 */
    unsigned phys_addr_bits;   /* CPUID.80000008H:EAX[7:0]; 0 means unknown (taken as 52) */
};

struct gsc_failure {
    const char *check;  /* one line, e.g. "CR0.PG set but CR0.PE clear" */
    const char *field;  /* VMCS field name, e.g. "GUEST_CR0" */
};

/*
 * Runs every check in SDM order.  Returns true if all pass; otherwise
 * returns false and, if `first` is not NULL, stores the first failing check.
 */
bool gsc_check(const struct gsc_guest_state *g, const struct gsc_controls *c,
               struct gsc_failure *first);

/*
 * Runs every check and returns how many failed; the first min(result, max)
 * failures are stored in out[] in SDM order.
 */
unsigned gsc_check_all(const struct gsc_guest_state *g, const struct gsc_controls *c,
                       struct gsc_failure *out, unsigned max);

#endif
