/*
 * Named bits and numbers of AMD SVM (AMD64 APM vol. 2, ch. 15 "Secure
 * Virtual Machine", appendix B "Layout of VMCB", appendix C "SVM Intercept
 * Exit Codes").  Constants only: the VMCB itself (field offsets) is in
 * svm/vmcb.h, the decoders and words in svm/svm_names.h.
 *
 * The SVM counterpart of vmx/vmx_bits.h.  Fields the VMCB holds in 32 bits
 * (intercept vectors, int_ctl, VMCB clean bits, EVENTINJ low half) use
 * unsigned int constants (1u << n); 64-bit fields, MSRs and exit codes use
 * unsigned long long (1ull << n).
 */
#ifndef KESTREL_SVM_SVM_BITS_H
#define KESTREL_SVM_SVM_BITS_H

#include <stdint.h>

/* ---- sizes (APM 15.5.1, 15.10.1, 15.11) ------------------------------------ */
#define SVM_PAGE_SIZE                   4096u
#define SVM_VMCB_SIZE                   4096u               /* one 4 KiB-aligned page */
#define SVM_VMCB_CONTROL_SIZE           0x400u              /* control area 0x000..0x3ff, save area after */
/* One bit per port 0..0xFFFF (8 KiB) plus the bits an access that starts
 * near 0xFFFF reads past it: 3 contiguous pages, 4 KiB aligned. */
#define SVM_IOPM_SIZE                   (3u * SVM_PAGE_SIZE)
#define SVM_IOPM_PORTS                  0x10000u            /* bits 0..0xFFFF: one per port */
/* Two bits per MSR for three ranges of 8 Ki MSRs, plus a reserved quarter:
 * 2 contiguous pages, 4 KiB aligned. */
#define SVM_MSRPM_SIZE                  (2u * SVM_PAGE_SIZE)
#define SVM_BASE_PA_IGNORED_MASK        0xfffull            /* IOPM/MSRPM_BASE_PA bits 11:0 are ignored */

/* ---- exit codes (EXITCODE, VMCB 0x070, 64 bits), APM appendix C ------------
 * Ranges first: each CR/DR read/write and each exception vector has its own
 * code.  The negative codes are 64-bit: -1 is 0xFFFF_FFFF_FFFF_FFFF. */
#define SVM_EXIT_CR0_READ               0x000ull            /* 0x000..0x00f: CRn read, n = code - 0x000 */
#define SVM_EXIT_CR0_WRITE              0x010ull            /* 0x010..0x01f: CRn write */
#define SVM_EXIT_DR0_READ               0x020ull            /* 0x020..0x02f: DRn read */
#define SVM_EXIT_DR0_WRITE              0x030ull            /* 0x030..0x03f: DRn write */
#define SVM_EXIT_EXCP_BASE              0x040ull            /* 0x040..0x05f: exception vector code - 0x40 */
#define SVM_EXIT_EXCP_LAST              0x05full
#define SVM_CR_DR_COUNT                 16u                 /* CR0..CR15, DR0..DR15 */
#define SVM_EXCEPTION_COUNT             32u                 /* vectors 0..31 */

#define SVM_EXIT_CR_READ(n)             (SVM_EXIT_CR0_READ + (uint64_t)(n))
#define SVM_EXIT_CR_WRITE(n)            (SVM_EXIT_CR0_WRITE + (uint64_t)(n))
#define SVM_EXIT_DR_READ(n)             (SVM_EXIT_DR0_READ + (uint64_t)(n))
#define SVM_EXIT_DR_WRITE(n)            (SVM_EXIT_DR0_WRITE + (uint64_t)(n))
#define SVM_EXIT_EXCP(vector)           (SVM_EXIT_EXCP_BASE + (uint64_t)(vector))

#define SVM_EXIT_CR3_READ               SVM_EXIT_CR_READ(3)
#define SVM_EXIT_CR3_WRITE              SVM_EXIT_CR_WRITE(3)
#define SVM_EXIT_CR4_READ               SVM_EXIT_CR_READ(4)
#define SVM_EXIT_CR4_WRITE              SVM_EXIT_CR_WRITE(4)
#define SVM_EXIT_CR8_READ               SVM_EXIT_CR_READ(8)
#define SVM_EXIT_CR8_WRITE              SVM_EXIT_CR_WRITE(8)

#define SVM_EXIT_INTR                   0x060ull            /* physical INTR */
#define SVM_EXIT_NMI                    0x061ull
#define SVM_EXIT_SMI                    0x062ull
#define SVM_EXIT_INIT                   0x063ull
#define SVM_EXIT_VINTR                  0x064ull            /* virtual interrupt (interrupt window) */
#define SVM_EXIT_CR0_SEL_WRITE          0x065ull            /* CR0 write changing bits other than TS/MP */
#define SVM_EXIT_IDTR_READ              0x066ull
#define SVM_EXIT_GDTR_READ              0x067ull
#define SVM_EXIT_LDTR_READ              0x068ull
#define SVM_EXIT_TR_READ                0x069ull
#define SVM_EXIT_IDTR_WRITE             0x06aull
#define SVM_EXIT_GDTR_WRITE             0x06bull
#define SVM_EXIT_LDTR_WRITE             0x06cull
#define SVM_EXIT_TR_WRITE               0x06dull
#define SVM_EXIT_RDTSC                  0x06eull
#define SVM_EXIT_RDPMC                  0x06full
#define SVM_EXIT_PUSHF                  0x070ull
#define SVM_EXIT_POPF                   0x071ull
#define SVM_EXIT_CPUID                  0x072ull
#define SVM_EXIT_RSM                    0x073ull
#define SVM_EXIT_IRET                   0x074ull
#define SVM_EXIT_SWINT                  0x075ull            /* INTn */
#define SVM_EXIT_INVD                   0x076ull
#define SVM_EXIT_PAUSE                  0x077ull
#define SVM_EXIT_HLT                    0x078ull
#define SVM_EXIT_INVLPG                 0x079ull
#define SVM_EXIT_INVLPGA                0x07aull
#define SVM_EXIT_IOIO                   0x07bull            /* EXITINFO1: svm_ioio; EXITINFO2: next rIP */
#define SVM_EXIT_MSR                    0x07cull            /* EXITINFO1: 0 RDMSR, 1 WRMSR */
#define SVM_EXIT_TASK_SWITCH            0x07dull
#define SVM_EXIT_FERR_FREEZE            0x07eull
#define SVM_EXIT_SHUTDOWN               0x07full            /* triple fault and the like */
#define SVM_EXIT_VMRUN                  0x080ull
#define SVM_EXIT_VMMCALL                0x081ull
#define SVM_EXIT_VMLOAD                 0x082ull
#define SVM_EXIT_VMSAVE                 0x083ull
#define SVM_EXIT_STGI                   0x084ull
#define SVM_EXIT_CLGI                   0x085ull
#define SVM_EXIT_SKINIT                 0x086ull
#define SVM_EXIT_RDTSCP                 0x087ull
#define SVM_EXIT_ICEBP                  0x088ull            /* INT1 (F1) */
#define SVM_EXIT_WBINVD                 0x089ull            /* WBINVD or WBNOINVD */
#define SVM_EXIT_MONITOR                0x08aull            /* MONITOR or MONITORX */
#define SVM_EXIT_MWAIT                  0x08bull            /* MWAIT or MWAITX, unconditional intercept */
#define SVM_EXIT_MWAIT_CONDITIONAL      0x08cull            /* MWAIT/MWAITX with the monitor armed */
#define SVM_EXIT_XSETBV                 0x08dull
#define SVM_EXIT_RDPRU                  0x08eull
#define SVM_EXIT_EFER_WRITE_TRAP        0x08full            /* after a WRMSR to EFER completed */
#define SVM_EXIT_CR0_WRITE_TRAP         0x090ull            /* 0x090..0x09f: after a write to CRn completed */
#define SVM_EXIT_CR_WRITE_TRAP(n)       (SVM_EXIT_CR0_WRITE_TRAP + (uint64_t)(n))
#define SVM_EXIT_CR_WRITE_TRAP_LAST     0x09full
#define SVM_EXIT_INVLPGB                0x0a0ull
#define SVM_EXIT_INVLPGB_ILLEGAL        0x0a1ull
#define SVM_EXIT_INVPCID                0x0a2ull
#define SVM_EXIT_MCOMMIT                0x0a3ull
#define SVM_EXIT_TLBSYNC                0x0a4ull
#define SVM_EXIT_BUS_LOCK               0x0a5ull            /* bus lock threshold reached */
#define SVM_EXIT_IDLE_HLT               0x0a6ull            /* HLT with no virtual interrupt pending */
#define SVM_EXIT_NPF                    0x400ull            /* EXITINFO1: error code; EXITINFO2: GPA */
#define SVM_EXIT_AVIC_INCOMPLETE_IPI    0x401ull
#define SVM_EXIT_AVIC_NOACCEL           0x402ull            /* AVIC access not accelerated */
#define SVM_EXIT_VMGEXIT                0x403ull            /* SEV-ES guest's VMGEXIT */
#define SVM_EXIT_INVALID                0xffffffffffffffffull   /* -1: VMRUN found illegal state (APM 15.5.1) */
#define SVM_EXIT_BUSY                   0xfffffffffffffffeull   /* -2: BUSY bit set in the VMSA (SEV-SNP) */
#define SVM_EXIT_IDLE_REQUIRED          0xfffffffffffffffdull   /* -3: sibling thread not idle (SEV-SNP) */
#define SVM_EXIT_INVALID_PMC            0xfffffffffffffffcull   /* -4: invalid PMC state */

/* ---- intercept vectors (VMCB 0x000..0x017), APM table B-1 -------------------
 * 0x000: CR reads in bits 15:0 (CRn = bit n), CR writes in bits 31:16.
 * 0x004: the same for DR0..DR15.  0x008: exception vector n = bit n. */
#define SVM_INTERCEPT_CR_READ(n)        (1u << (n))
#define SVM_INTERCEPT_CR_WRITE(n)       (1u << (16 + (n)))
#define SVM_INTERCEPT_DR_READ(n)        (1u << (n))
#define SVM_INTERCEPT_DR_WRITE(n)       (1u << (16 + (n)))
#define SVM_INTERCEPT_EXCEPTION(v)      (1u << (v))

/* 0x00c: misc vector 1. */
#define SVM_INTERCEPT1_INTR             (1u << 0)
#define SVM_INTERCEPT1_NMI              (1u << 1)
#define SVM_INTERCEPT1_SMI              (1u << 2)
#define SVM_INTERCEPT1_INIT             (1u << 3)
#define SVM_INTERCEPT1_VINTR            (1u << 4)
#define SVM_INTERCEPT1_CR0_SEL_WRITE    (1u << 5)           /* CR0 writes other than TS/MP */
#define SVM_INTERCEPT1_IDTR_READ        (1u << 6)
#define SVM_INTERCEPT1_GDTR_READ        (1u << 7)
#define SVM_INTERCEPT1_LDTR_READ        (1u << 8)
#define SVM_INTERCEPT1_TR_READ          (1u << 9)
#define SVM_INTERCEPT1_IDTR_WRITE       (1u << 10)
#define SVM_INTERCEPT1_GDTR_WRITE       (1u << 11)
#define SVM_INTERCEPT1_LDTR_WRITE       (1u << 12)
#define SVM_INTERCEPT1_TR_WRITE         (1u << 13)
#define SVM_INTERCEPT1_RDTSC            (1u << 14)
#define SVM_INTERCEPT1_RDPMC            (1u << 15)
#define SVM_INTERCEPT1_PUSHF            (1u << 16)
#define SVM_INTERCEPT1_POPF             (1u << 17)
#define SVM_INTERCEPT1_CPUID            (1u << 18)
#define SVM_INTERCEPT1_RSM              (1u << 19)
#define SVM_INTERCEPT1_IRET             (1u << 20)
#define SVM_INTERCEPT1_INTN             (1u << 21)
#define SVM_INTERCEPT1_INVD             (1u << 22)
#define SVM_INTERCEPT1_PAUSE            (1u << 23)
#define SVM_INTERCEPT1_HLT              (1u << 24)
#define SVM_INTERCEPT1_INVLPG           (1u << 25)
#define SVM_INTERCEPT1_INVLPGA          (1u << 26)
#define SVM_INTERCEPT1_IOIO_PROT        (1u << 27)          /* consult the IOPM */
#define SVM_INTERCEPT1_MSR_PROT         (1u << 28)          /* consult the MSRPM */
#define SVM_INTERCEPT1_TASK_SWITCH      (1u << 29)
#define SVM_INTERCEPT1_FERR_FREEZE      (1u << 30)
#define SVM_INTERCEPT1_SHUTDOWN         (1u << 31)

/* 0x010: misc vector 2.  VMRUN must be intercepted: VMRUN with this bit
 * clear fails with VMEXIT_INVALID (APM 15.5.1). */
#define SVM_INTERCEPT2_VMRUN            (1u << 0)
#define SVM_INTERCEPT2_VMMCALL          (1u << 1)
#define SVM_INTERCEPT2_VMLOAD           (1u << 2)
#define SVM_INTERCEPT2_VMSAVE           (1u << 3)
#define SVM_INTERCEPT2_STGI             (1u << 4)
#define SVM_INTERCEPT2_CLGI             (1u << 5)
#define SVM_INTERCEPT2_SKINIT           (1u << 6)
#define SVM_INTERCEPT2_RDTSCP           (1u << 7)
#define SVM_INTERCEPT2_ICEBP            (1u << 8)
#define SVM_INTERCEPT2_WBINVD           (1u << 9)           /* and WBNOINVD */
#define SVM_INTERCEPT2_MONITOR          (1u << 10)          /* and MONITORX */
#define SVM_INTERCEPT2_MWAIT            (1u << 11)          /* and MWAITX, unconditionally */
#define SVM_INTERCEPT2_MWAIT_CONDITIONAL (1u << 12)         /* only if the monitor is armed */
#define SVM_INTERCEPT2_XSETBV           (1u << 13)
#define SVM_INTERCEPT2_RDPRU            (1u << 14)
#define SVM_INTERCEPT2_EFER_WRITE_TRAP  (1u << 15)
#define SVM_INTERCEPT2_CR_WRITE_TRAP(n) (1u << (16 + (n)))  /* bits 31:16: CR0..CR15 write traps */

/* 0x014: misc vector 3. */
#define SVM_INTERCEPT3_INVLPGB          (1u << 0)
#define SVM_INTERCEPT3_INVLPGB_ILLEGAL  (1u << 1)
#define SVM_INTERCEPT3_INVPCID          (1u << 2)
#define SVM_INTERCEPT3_MCOMMIT          (1u << 3)
#define SVM_INTERCEPT3_TLBSYNC          (1u << 4)
#define SVM_INTERCEPT3_BUS_LOCK         (1u << 5)
#define SVM_INTERCEPT3_IDLE_HLT         (1u << 6)

/* ---- TLB_CONTROL (VMCB 0x05c, 8 bits), APM 15.16.1 ------------------------- */
#define SVM_TLB_CONTROL_DO_NOTHING      0x00u
#define SVM_TLB_CONTROL_FLUSH_ALL       0x01u               /* every ASID: legacy hypervisors only */
#define SVM_TLB_CONTROL_FLUSH_ASID      0x03u               /* this guest's entries (needs FlushByAsid) */
#define SVM_TLB_CONTROL_FLUSH_ASID_LOCAL 0x07u              /* this guest's non-global entries */

/* ---- virtual interrupt control (VMCB 0x060, int_ctl), APM 15.21 -------------
 * V_INTR_VECTOR is the next byte (0x064, vmcb.h v_intr_vector). */
#define SVM_INT_CTL_V_TPR_MASK          0x0fu               /* bits 3:0 used of the byte 7:0; 7:4 SBZ */
#define SVM_INT_CTL_V_IRQ               (1u << 8)           /* a virtual interrupt is pending */
#define SVM_INT_CTL_VGIF                (1u << 9)           /* the guest's virtual GIF (with VGIF enable) */
#define SVM_INT_CTL_V_NMI               (1u << 11)          /* a virtual NMI is pending */
#define SVM_INT_CTL_V_NMI_MASK          (1u << 12)          /* virtual NMIs are blocked */
#define SVM_INT_CTL_V_INTR_PRIO_SHIFT   16                  /* bits 19:16: priority of the virtual interrupt */
#define SVM_INT_CTL_V_INTR_PRIO_MASK    (0xfu << 16)
#define SVM_INT_CTL_V_IGN_TPR           (1u << 20)          /* deliver the virtual interrupt regardless of V_TPR */
#define SVM_INT_CTL_V_INTR_MASKING      (1u << 24)          /* the guest's RFLAGS.IF masks only virtual interrupts */
#define SVM_INT_CTL_VGIF_ENABLE         (1u << 25)
#define SVM_INT_CTL_V_NMI_ENABLE        (1u << 26)
#define SVM_INT_CTL_X2AVIC_ENABLE       (1u << 30)
#define SVM_INT_CTL_AVIC_ENABLE         (1u << 31)

/* ---- interrupt shadow (VMCB 0x068, int_state), APM 15.21.5 ----------------- */
#define SVM_INT_STATE_SHADOW            (1ull << 0)         /* in the shadow of STI / MOV SS */
#define SVM_INT_STATE_GUEST_IF          (1ull << 1)         /* GUEST_INTERRUPT_MASK: RFLAGS.IF (SEV-ES) */

/* ---- nested paging and SEV (VMCB 0x090, np_enable), APM 15.25.3 ------------ */
#define SVM_NP_ENABLE                   (1ull << 0)
#define SVM_NP_SEV_ENABLE               (1ull << 1)
#define SVM_NP_SEV_ES_ENABLE            (1ull << 2)

/* ---- LBR virtualization (VMCB 0x0b8, lbr_virt), APM 15.23, 15.33.1 ---------- */
#define SVM_LBR_VIRT_ENABLE             (1ull << 0)
#define SVM_VIRTUAL_VMSAVE_VMLOAD       (1ull << 1)

/* ---- VMCB clean bits (VMCB 0x0c0), APM 15.15.3: set = unchanged since the
 * last VMRUN of this VMCB on this CPU, the CPU may use its cached copy. --- */
#define SVM_CLEAN_INTERCEPTS            (1u << 0)           /* intercept vectors, TSC offset, pause filter */
#define SVM_CLEAN_IOPM                  (1u << 1)           /* IOPM_BASE, MSRPM_BASE */
#define SVM_CLEAN_ASID                  (1u << 2)
#define SVM_CLEAN_TPR                   (1u << 3)           /* int_ctl and v_intr_vector */
#define SVM_CLEAN_NP                    (1u << 4)           /* NP_ENABLE, N_CR3, G_PAT */
#define SVM_CLEAN_CRX                   (1u << 5)           /* CR0, CR3, CR4, EFER */
#define SVM_CLEAN_DRX                   (1u << 6)           /* DR6, DR7 */
#define SVM_CLEAN_DT                    (1u << 7)           /* GDTR, IDTR */
#define SVM_CLEAN_SEG                   (1u << 8)           /* CS, DS, SS, ES, CPL */
#define SVM_CLEAN_CR2                   (1u << 9)
#define SVM_CLEAN_LBR                   (1u << 10)          /* DBGCTL and the LBR MSRs */
#define SVM_CLEAN_AVIC                  (1u << 11)

/* ---- EVENTINJ (VMCB 0x0a8) and EXITINTINFO (0x088), APM 15.20, 15.7.2 ------
 * Both 64 bits, same format; the error code is bits 63:32. */
#define SVM_EVENT_VECTOR_MASK           0xffull             /* bits 7:0 (ignored for NMI) */
#define SVM_EVENT_TYPE_SHIFT            8                   /* bits 10:8 */
#define SVM_EVENT_TYPE_MASK             (7ull << 8)
#define SVM_EVENT_EV                    (1ull << 11)        /* error code valid: push it */
#define SVM_EVENT_RESERVED_MASK         0x7ffff000ull       /* bits 30:12 */
#define SVM_EVENT_VALID                 (1ull << 31)
#define SVM_EVENT_ERROR_CODE_SHIFT      32                  /* bits 63:32 */

enum svm_event_type {
    SVM_EVENT_TYPE_INTR = 0,            /* external or virtual interrupt */
    SVM_EVENT_TYPE_NMI = 2,
    SVM_EVENT_TYPE_EXCEPTION = 3,       /* fault or trap; vector 2 is illegal */
    SVM_EVENT_TYPE_SOFT_INT = 4,        /* INTn */
    /* 1, 5, 6, 7: reserved, VMRUN fails with VMEXIT_INVALID */
};

/* A valid EVENTINJ value without error code, and with one. */
#define SVM_EVENT(vector, type)                                                 \
    (SVM_EVENT_VALID | ((uint64_t)(type) << SVM_EVENT_TYPE_SHIFT) |             \
     ((uint64_t)(vector) & SVM_EVENT_VECTOR_MASK))
#define SVM_EVENT_WITH_ERROR(vector, type, error)                               \
    (SVM_EVENT(vector, type) | SVM_EVENT_EV |                                   \
     ((uint64_t)(uint32_t)(error) << SVM_EVENT_ERROR_CODE_SHIFT))

/* ---- IOIO intercept EXITINFO1, APM 15.10.2 (figure 15-2) -------------------- */
#define SVM_IOIO_TYPE_IN                (1ull << 0)         /* 1 = IN/INS, 0 = OUT/OUTS */
#define SVM_IOIO_STR                    (1ull << 2)         /* INS/OUTS */
#define SVM_IOIO_REP                    (1ull << 3)
#define SVM_IOIO_SZ8                    (1ull << 4)         /* operand size, one of the three */
#define SVM_IOIO_SZ16                   (1ull << 5)
#define SVM_IOIO_SZ32                   (1ull << 6)
#define SVM_IOIO_SIZE_MASK              (7ull << 4)
#define SVM_IOIO_A16                    (1ull << 7)         /* address size, one of the three */
#define SVM_IOIO_A32                    (1ull << 8)
#define SVM_IOIO_A64                    (1ull << 9)
#define SVM_IOIO_ADDR_MASK              (7ull << 7)
#define SVM_IOIO_SEG_SHIFT              10                  /* bits 12:10: effective segment, ES=0 .. GS=5 */
#define SVM_IOIO_SEG_MASK               (7ull << 10)
#define SVM_IOIO_PORT_SHIFT             16                  /* bits 31:16 */
#define SVM_IOIO_PORT_MASK              (0xffffull << 16)

/* ---- MSR intercept EXITINFO1, APM 15.11 ------------------------------------ */
#define SVM_EXITINFO1_MSR_READ          0ull                /* RDMSR */
#define SVM_EXITINFO1_MSR_WRITE         1ull                /* WRMSR */

/* ---- CR/DR intercept EXITINFO1 with decode assists, APM 15.33.1 ------------ */
#define SVM_EXITINFO1_CR_DR_MOV         (1ull << 63)        /* MOV CRn/DRn (else CLTS, LMSW, SMSW) */
#define SVM_EXITINFO1_CR_DR_GPR_MASK    0xfull              /* bits 3:0: the GPR operand */

/* ---- nested page fault error code (EXITINFO1), APM 15.25.6 -----------------
 * The low bits as in a #PF error code; 32/33 say which walk faulted.  The
 * faulting guest-physical address is EXITINFO2. */
#define SVM_NPF_P                       (1ull << 0)         /* 1: protection violation; 0: not present */
#define SVM_NPF_RW                      (1ull << 1)         /* write */
#define SVM_NPF_US                      (1ull << 2)         /* user access */
#define SVM_NPF_RSV                     (1ull << 3)         /* reserved bit set in a nested entry */
#define SVM_NPF_ID                      (1ull << 4)         /* instruction fetch */
#define SVM_NPF_PK                      (1ull << 5)         /* protection key */
#define SVM_NPF_SS                      (1ull << 6)         /* shadow-stack access */
#define SVM_NPF_FINAL_GPA               (1ull << 32)        /* translating the final guest-physical address */
#define SVM_NPF_PAGE_WALK               (1ull << 33)        /* translating a guest page-table access */

/* ---- VMCB segment attributes (12-bit packed), APM 15.5.1 / table B-2 --------
 * Descriptor bits 47:40 in attrib 7:0, descriptor bits 55:52 in 11:8. */
#define SVM_SEG_ATTR_TYPE_MASK          0x00fu              /* bits 3:0 */
#define SVM_SEG_ATTR_S                  (1u << 4)           /* code/data (else system) */
#define SVM_SEG_ATTR_DPL_SHIFT          5                   /* bits 6:5 */
#define SVM_SEG_ATTR_DPL_MASK           (3u << 5)
#define SVM_SEG_ATTR_P                  (1u << 7)
#define SVM_SEG_ATTR_AVL                (1u << 8)
#define SVM_SEG_ATTR_L                  (1u << 9)           /* 64-bit code segment */
#define SVM_SEG_ATTR_DB                 (1u << 10)          /* default operand size 32 */
#define SVM_SEG_ATTR_G                  (1u << 11)          /* 4 KiB limit granularity */
#define SVM_SEG_ATTR_MASK               0xfffu
/* From the VMX access-rights layout (descriptor bits 47:40 in 7:0, 55:52
 * in 15:12; vmx/vmx_bits.h VMX_AR_*), which core state may use. */
#define SVM_SEG_ATTR_FROM_VMX_AR(ar)                                            \
    ((uint16_t)(((uint32_t)(ar) & 0xffu) | (((uint32_t)(ar) >> 4) & 0xf00u)))

/* ---- MSRs, APM 15.30 ------------------------------------------------------- */
#define SVM_MSR_VM_CR                   0xc0010114u
#define SVM_MSR_VM_HSAVE_PA             0xc0010117u         /* host save area, 4 KiB aligned */

#define SVM_VM_CR_DPD                   (1ull << 0)         /* disable debug port */
#define SVM_VM_CR_R_INIT                (1ull << 1)         /* INIT is intercepted (redirected) */
#define SVM_VM_CR_DIS_A20M              (1ull << 2)
#define SVM_VM_CR_LOCK                  (1ull << 3)         /* SVMDIS is read-only */
#define SVM_VM_CR_SVMDIS                (1ull << 4)         /* EFER.SVME cannot be set */

/* ---- EFER bits AMD defines (APM vol. 2 3.1.7); SCE, LME, LMA, NXE are in
 * kernel/msr.h. ----------------------------------------------------------- */
#define SVM_EFER_SVME                   (1ull << 12)        /* SVM enable: VMRUN and friends, required in guest EFER */
#define SVM_EFER_LMSLE                  (1ull << 13)        /* long-mode segment limit enable */
#define SVM_EFER_FFXSR                  (1ull << 14)        /* fast FXSAVE/FXRSTOR */
#define SVM_EFER_TCE                    (1ull << 15)        /* translation cache extension */
#define SVM_EFER_MCOMMIT                (1ull << 17)
#define SVM_EFER_INTWB                  (1ull << 18)        /* interruptible WBINVD/WBNOINVD */
#define SVM_EFER_UAIE                   (1ull << 20)        /* upper address ignore */
#define SVM_EFER_AIBRSE                 (1ull << 21)        /* automatic IBRS */

/* ---- CPUID, APM vol. 3 appendix E ------------------------------------------ */
#define SVM_CPUID_EXT_FEATURES          0x80000001u
#define SVM_CPUID_EXT_FEATURES_ECX_SVM  (1u << 2)
#define SVM_CPUID_LEAF                  0x8000000au
#define SVM_CPUID_EAX_REVISION_MASK     0xffu               /* SvmRev, bits 7:0 */
/* EBX: number of ASIDs (NASID).  ECX reserved.  EDX: features. */
#define SVM_CPUID_EDX_NP                (1u << 0)           /* nested paging */
#define SVM_CPUID_EDX_LBR_VIRT          (1u << 1)
#define SVM_CPUID_EDX_SVML              (1u << 2)           /* SVM lock (SVMDIS unlockable with a key) */
#define SVM_CPUID_EDX_NRIPS             (1u << 3)           /* next-RIP save */
#define SVM_CPUID_EDX_TSC_RATE_MSR      (1u << 4)
#define SVM_CPUID_EDX_VMCB_CLEAN        (1u << 5)
#define SVM_CPUID_EDX_FLUSH_BY_ASID     (1u << 6)
#define SVM_CPUID_EDX_DECODE_ASSISTS    (1u << 7)
#define SVM_CPUID_EDX_PAUSE_FILTER      (1u << 10)
#define SVM_CPUID_EDX_PAUSE_FILTER_THRESHOLD (1u << 12)
#define SVM_CPUID_EDX_AVIC              (1u << 13)
#define SVM_CPUID_EDX_VMSAVE_VIRT       (1u << 15)          /* virtualized VMSAVE/VMLOAD */
#define SVM_CPUID_EDX_VGIF              (1u << 16)
#define SVM_CPUID_EDX_GMET              (1u << 17)          /* guest mode execute trap */
#define SVM_CPUID_EDX_X2AVIC            (1u << 18)
#define SVM_CPUID_EDX_SSS_CHECK         (1u << 19)          /* supervisor shadow-stack restrictions */
#define SVM_CPUID_EDX_SPEC_CTRL         (1u << 20)          /* SPEC_CTRL virtualization */
#define SVM_CPUID_EDX_VNMI              (1u << 25)
#define SVM_CPUID_EDX_SVME_ADDR_CHK     (1u << 28)          /* VMRUN/VMLOAD/VMSAVE check rAX first */
#define SVM_CPUID_EDX_BUS_LOCK_THRESHOLD (1u << 29)
#define SVM_CPUID_EDX_IDLE_HLT          (1u << 30)

/* ASID 0 is the host's (APM 15.16): a guest needs one of 1 .. NASID - 1. */
#define SVM_HOST_ASID                   0u

#endif
