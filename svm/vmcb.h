/*
 * The Virtual Machine Control Block, AMD64 APM vol. 2 appendix B "Layout of
 * VMCB": table B-1 (control area, offsets 0x000..0x3ff) and table B-2 (state
 * save area, from 0x400).  Unlike the VMCS, the VMCB is ordinary memory the
 * hypervisor reads and writes directly, so its layout is a C struct: every
 * field has the APM's name in snake case and a fixed-width type, and every
 * offset is checked at compile time below (including this header is the
 * test).  The fields' bits are named in svm/svm_bits.h.
 *
 * Reserved areas are named reserved_<offset>: the APM requires them to be
 * zero (SBZ) on VMRUN, so a VMCB starts zeroed.  No packing is needed: every
 * field sits at a multiple of its size.  The VMCB must be 4 KiB aligned in
 * physical memory (APM 15.5.1); the type does not force that, the allocator
 * (one page) does.
 */
#ifndef KESTREL_SVM_VMCB_H
#define KESTREL_SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

#include "svm/svm_bits.h"

/* Table B-1. */
struct vmcb_control {
    uint32_t intercept_cr;              /* 0x000: reads 15:0, writes 31:16 */
    uint32_t intercept_dr;              /* 0x004: reads 15:0, writes 31:16 */
    uint32_t intercept_exceptions;      /* 0x008: bit n = vector n */
    uint32_t intercept_misc1;           /* 0x00c: SVM_INTERCEPT1_* */
    uint32_t intercept_misc2;           /* 0x010: SVM_INTERCEPT2_* */
    uint32_t intercept_misc3;           /* 0x014: SVM_INTERCEPT3_* */
    uint8_t  reserved_018[0x03c - 0x018];
    uint16_t pause_filter_thresh;       /* 0x03c */
    uint16_t pause_filter_count;        /* 0x03e */
    uint64_t iopm_base_pa;              /* 0x040: bits 11:0 ignored */
    uint64_t msrpm_base_pa;             /* 0x048: bits 11:0 ignored */
    uint64_t tsc_offset;                /* 0x050 */
    uint32_t guest_asid;                /* 0x058: never 0 (the host's) */
    uint8_t  tlb_control;               /* 0x05c: SVM_TLB_CONTROL_* */
    uint8_t  reserved_05d[3];
    uint32_t int_ctl;                   /* 0x060: V_TPR, V_IRQ, ... SVM_INT_CTL_* */
    uint8_t  v_intr_vector;             /* 0x064 */
    uint8_t  reserved_065[3];
    uint64_t int_state;                 /* 0x068: interrupt shadow, SVM_INT_STATE_* */
    uint64_t exit_code;                 /* 0x070: SVM_EXIT_* */
    uint64_t exit_info1;                /* 0x078 */
    uint64_t exit_info2;                /* 0x080 */
    uint64_t exit_int_info;             /* 0x088: SVM_EVENT_* format */
    uint64_t np_enable;                 /* 0x090: SVM_NP_ENABLE, SEV, SEV-ES */
    uint64_t avic_apic_bar;             /* 0x098 */
    uint64_t ghcb_pa;                   /* 0x0a0: SEV-ES */
    uint64_t event_inj;                 /* 0x0a8: SVM_EVENT_* format */
    uint64_t n_cr3;                     /* 0x0b0: nested page table root */
    uint64_t lbr_virt;                  /* 0x0b8: SVM_LBR_VIRT_ENABLE, SVM_VIRTUAL_VMSAVE_VMLOAD */
    uint32_t vmcb_clean;                /* 0x0c0: SVM_CLEAN_* */
    uint32_t reserved_0c4;
    uint64_t next_rip;                  /* 0x0c8: with NRIPS */
    uint8_t  insn_len;                  /* 0x0d0: bytes fetched (decode assists) */
    uint8_t  insn_bytes[15];            /* 0x0d1 */
    uint64_t avic_backing_page;         /* 0x0e0 */
    uint8_t  reserved_0e8[8];
    uint64_t avic_logical_table;        /* 0x0f0 */
    uint64_t avic_physical_table;       /* 0x0f8: bits 7:0 the maximum index */
    uint8_t  reserved_100[8];
    uint64_t vmsa_pa;                   /* 0x108: SEV-ES guest save area */
    uint8_t  reserved_110[0x3e0 - 0x110];
    uint8_t  host_reserved[0x400 - 0x3e0];  /* 0x3e0: for the hypervisor's own use */
};

/* Segment registers and descriptor-table registers, 16 bytes each.  GDTR and
 * IDTR use only limit and base. */
struct vmcb_segment {
    uint16_t selector;
    uint16_t attrib;                    /* SVM_SEG_ATTR_* (12-bit packed) */
    uint32_t limit;
    uint64_t base;
};

/* Table B-2; offsets below are from the start of the save area (VMCB +
 * 0x400). */
struct vmcb_save {
    struct vmcb_segment es;             /* 0x000 */
    struct vmcb_segment cs;             /* 0x010 */
    struct vmcb_segment ss;             /* 0x020 */
    struct vmcb_segment ds;             /* 0x030 */
    struct vmcb_segment fs;             /* 0x040 */
    struct vmcb_segment gs;             /* 0x050 */
    struct vmcb_segment gdtr;           /* 0x060 */
    struct vmcb_segment ldtr;           /* 0x070 */
    struct vmcb_segment idtr;           /* 0x080 */
    struct vmcb_segment tr;             /* 0x090 */
    uint8_t  reserved_0a0[0x0ca - 0x0a0];
    uint8_t  vmpl;                      /* 0x0ca: SEV-SNP */
    uint8_t  cpl;                       /* 0x0cb */
    uint8_t  reserved_0cc[4];
    uint64_t efer;                      /* 0x0d0 */
    uint8_t  reserved_0d8[0x148 - 0x0d8];
    uint64_t cr4;                       /* 0x148 */
    uint64_t cr3;                       /* 0x150 */
    uint64_t cr0;                       /* 0x158 */
    uint64_t dr7;                       /* 0x160 */
    uint64_t dr6;                       /* 0x168 */
    uint64_t rflags;                    /* 0x170 */
    uint64_t rip;                       /* 0x178 */
    uint8_t  reserved_180[0x1d8 - 0x180];
    uint64_t rsp;                       /* 0x1d8 */
    uint64_t s_cet;                     /* 0x1e0 */
    uint64_t ssp;                       /* 0x1e8 */
    uint64_t isst_addr;                 /* 0x1f0 */
    uint64_t rax;                       /* 0x1f8 */
    uint64_t star;                      /* 0x200 */
    uint64_t lstar;                     /* 0x208 */
    uint64_t cstar;                     /* 0x210 */
    uint64_t sfmask;                    /* 0x218 */
    uint64_t kernel_gs_base;            /* 0x220 */
    uint64_t sysenter_cs;               /* 0x228 */
    uint64_t sysenter_esp;              /* 0x230 */
    uint64_t sysenter_eip;              /* 0x238 */
    uint64_t cr2;                       /* 0x240 */
    uint8_t  reserved_248[0x268 - 0x248];
    uint64_t g_pat;                     /* 0x268: guest PAT, with nested paging */
    uint64_t dbgctl;                    /* 0x270 */
    uint64_t br_from;                   /* 0x278 */
    uint64_t br_to;                     /* 0x280 */
    uint64_t last_excp_from;            /* 0x288 */
    uint64_t last_excp_to;              /* 0x290 */
    uint8_t  reserved_298[0x2e0 - 0x298];
    uint64_t spec_ctrl;                 /* 0x2e0: with SPEC_CTRL virtualization */
};

#define VMCB_SAVE_AREA_SIZE     0x2e8u

struct vmcb {
    struct vmcb_control control;        /* 0x000 */
    struct vmcb_save save;              /* 0x400 */
    uint8_t reserved_6e8[SVM_VMCB_SIZE - SVM_VMCB_CONTROL_SIZE - VMCB_SAVE_AREA_SIZE];
};

/* ---- the layout, checked against tables B-1 and B-2 -------------------------- */

#define VMCB_CONTROL_AT(field, offset)                                          \
    _Static_assert(offsetof(struct vmcb, control.field) == (offset),            \
                   "VMCB control field " #field " is not at " #offset)
/* Save-area offsets are given as the APM does, from the save area. */
#define VMCB_SAVE_AT(field, offset)                                             \
    _Static_assert(offsetof(struct vmcb, save.field) == SVM_VMCB_CONTROL_SIZE + (offset), \
                   "VMCB save field " #field " is not at 0x400 + " #offset)

VMCB_CONTROL_AT(intercept_cr, 0x000);
VMCB_CONTROL_AT(intercept_dr, 0x004);
VMCB_CONTROL_AT(intercept_exceptions, 0x008);
VMCB_CONTROL_AT(intercept_misc1, 0x00c);
VMCB_CONTROL_AT(intercept_misc2, 0x010);
VMCB_CONTROL_AT(intercept_misc3, 0x014);
VMCB_CONTROL_AT(pause_filter_thresh, 0x03c);
VMCB_CONTROL_AT(pause_filter_count, 0x03e);
VMCB_CONTROL_AT(iopm_base_pa, 0x040);
VMCB_CONTROL_AT(msrpm_base_pa, 0x048);
VMCB_CONTROL_AT(tsc_offset, 0x050);
VMCB_CONTROL_AT(guest_asid, 0x058);
VMCB_CONTROL_AT(tlb_control, 0x05c);
VMCB_CONTROL_AT(int_ctl, 0x060);
VMCB_CONTROL_AT(v_intr_vector, 0x064);
VMCB_CONTROL_AT(int_state, 0x068);
VMCB_CONTROL_AT(exit_code, 0x070);
VMCB_CONTROL_AT(exit_info1, 0x078);
VMCB_CONTROL_AT(exit_info2, 0x080);
VMCB_CONTROL_AT(exit_int_info, 0x088);
VMCB_CONTROL_AT(np_enable, 0x090);
VMCB_CONTROL_AT(avic_apic_bar, 0x098);
VMCB_CONTROL_AT(ghcb_pa, 0x0a0);
VMCB_CONTROL_AT(event_inj, 0x0a8);
VMCB_CONTROL_AT(n_cr3, 0x0b0);
VMCB_CONTROL_AT(lbr_virt, 0x0b8);
VMCB_CONTROL_AT(vmcb_clean, 0x0c0);
VMCB_CONTROL_AT(next_rip, 0x0c8);
VMCB_CONTROL_AT(insn_len, 0x0d0);
VMCB_CONTROL_AT(insn_bytes, 0x0d1);
VMCB_CONTROL_AT(avic_backing_page, 0x0e0);
VMCB_CONTROL_AT(avic_logical_table, 0x0f0);
VMCB_CONTROL_AT(avic_physical_table, 0x0f8);
VMCB_CONTROL_AT(vmsa_pa, 0x108);
VMCB_CONTROL_AT(host_reserved, 0x3e0);

VMCB_SAVE_AT(es, 0x000);
VMCB_SAVE_AT(cs, 0x010);
VMCB_SAVE_AT(ss, 0x020);
VMCB_SAVE_AT(ds, 0x030);
VMCB_SAVE_AT(fs, 0x040);
VMCB_SAVE_AT(gs, 0x050);
VMCB_SAVE_AT(gdtr, 0x060);
VMCB_SAVE_AT(ldtr, 0x070);
VMCB_SAVE_AT(idtr, 0x080);
VMCB_SAVE_AT(tr, 0x090);
VMCB_SAVE_AT(vmpl, 0x0ca);
VMCB_SAVE_AT(cpl, 0x0cb);
VMCB_SAVE_AT(efer, 0x0d0);
VMCB_SAVE_AT(cr4, 0x148);
VMCB_SAVE_AT(cr3, 0x150);
VMCB_SAVE_AT(cr0, 0x158);
VMCB_SAVE_AT(dr7, 0x160);
VMCB_SAVE_AT(dr6, 0x168);
VMCB_SAVE_AT(rflags, 0x170);
VMCB_SAVE_AT(rip, 0x178);
VMCB_SAVE_AT(rsp, 0x1d8);
VMCB_SAVE_AT(s_cet, 0x1e0);
VMCB_SAVE_AT(ssp, 0x1e8);
VMCB_SAVE_AT(isst_addr, 0x1f0);
VMCB_SAVE_AT(rax, 0x1f8);
VMCB_SAVE_AT(star, 0x200);
VMCB_SAVE_AT(lstar, 0x208);
VMCB_SAVE_AT(cstar, 0x210);
VMCB_SAVE_AT(sfmask, 0x218);
VMCB_SAVE_AT(kernel_gs_base, 0x220);
VMCB_SAVE_AT(sysenter_cs, 0x228);
VMCB_SAVE_AT(sysenter_esp, 0x230);
VMCB_SAVE_AT(sysenter_eip, 0x238);
VMCB_SAVE_AT(cr2, 0x240);
VMCB_SAVE_AT(g_pat, 0x268);
VMCB_SAVE_AT(dbgctl, 0x270);
VMCB_SAVE_AT(br_from, 0x278);
VMCB_SAVE_AT(br_to, 0x280);
VMCB_SAVE_AT(last_excp_from, 0x288);
VMCB_SAVE_AT(last_excp_to, 0x290);
VMCB_SAVE_AT(spec_ctrl, 0x2e0);

_Static_assert(offsetof(struct vmcb_segment, selector) == 0, "segment selector");
_Static_assert(offsetof(struct vmcb_segment, attrib) == 2, "segment attrib");
_Static_assert(offsetof(struct vmcb_segment, limit) == 4, "segment limit");
_Static_assert(offsetof(struct vmcb_segment, base) == 8, "segment base");
_Static_assert(sizeof(struct vmcb_segment) == 16, "a VMCB segment is 16 bytes");
_Static_assert(sizeof(struct vmcb_control) == SVM_VMCB_CONTROL_SIZE, "control area is 1 KiB");
_Static_assert(sizeof(struct vmcb_save) == VMCB_SAVE_AREA_SIZE, "save area ends after SPEC_CTRL");
_Static_assert(offsetof(struct vmcb, save) == SVM_VMCB_CONTROL_SIZE, "save area at 0x400");
_Static_assert(sizeof(struct vmcb) == SVM_VMCB_SIZE, "a VMCB is one 4 KiB page");

#undef VMCB_CONTROL_AT
#undef VMCB_SAVE_AT

/* The exit code as a 64-bit value.  The APM defines it as 64 bits with
 * the failure codes negative (VMEXIT_INVALID = -1); some implementations
 * (QEMU's TCG) store only the low 32 bits, so the code is taken from those
 * and sign-extended (every defined code fits in 32 bits). */
static inline uint64_t svm_exit_code(const struct vmcb *vmcb)
{
    return (uint64_t)(int64_t)(int32_t)(uint32_t)vmcb->control.exit_code;
}


#endif
