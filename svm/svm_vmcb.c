/*
 * VMCB set-up (AMD APM vol. 2 15.5.1 for the checks VMRUN makes, appendix B
 * for the layout).  A VMCB is plain memory: no access instructions, no
 * error codes; what VMRUN refuses comes back as VMEXIT_INVALID and is put
 * into words by svm_vmrun_failure_format.
 */
#include "svm/svm_vmcb.h"
#include "svm/svm_root.h"
#include "svm/svm_bits.h"
#include "kernel/control_regs.h"
#include "kernel/msr.h"
#include "kernel/x86.h"
#include "kernel/trap.h"
#include "kernel/log.h"
#include "mm/pmm.h"

#define RFLAGS_FIXED      (1ull << 1)
#define DR6_RESET         0xffff0ff0ull
#define DR7_RESET         0x400ull
#define PAT_POWER_ON      0x0007040600070406ull   /* SDM 13.12.4, APM 7.8.1 */

/* Segment attributes in the VMCB's 12-bit form (type, S, DPL, P, AVL, L,
 * D/B, G), from the descriptor bits they stand for. */
#define ATTR_CODE64       0xa9bu   /* execute/read accessed, S, P, L, G */
#define ATTR_CODE32       0xc9bu   /* execute/read accessed, S, P, D/B, G */
#define ATTR_DATA         0xc93u   /* read/write accessed, S, P, D/B, G */
#define ATTR_TSS_BUSY     0x08bu   /* busy TSS, P */
#define ATTR_LDT          0x082u
#define ATTR_REAL_CODE    0x09bu   /* as after INIT: accessed code, S, P */
#define ATTR_REAL_DATA    0x093u

static void set_segment(struct vmcb_segment *s, uint16_t selector, uint64_t base, uint32_t limit,
                        uint16_t attrib)
{
    s->selector = selector;
    s->base = base;
    s->limit = limit;
    s->attrib = attrib;
}

void svm_vmcb_flush_tlb(struct vmcb *vmcb)
{
    vmcb->control.tlb_control = svm_caps()->flush_by_asid ? SVM_TLB_CONTROL_FLUSH_ASID
                                                          : SVM_TLB_CONTROL_FLUSH_ALL;
}

bool svm_vmcb_create(struct vcpu *v)
{
    struct vm *vm = v->vm;
    const struct svm_caps *caps = svm_caps();

    v->control = pmm_alloc_pages(1);
    if (!v->control) {
        log_error("cpu %u: out of memory for a VMCB", v->apic_id);
        return false;
    }
    if (v->tlb_tag >= caps->asids) {
        log_error("cpu %u: ASID %u is beyond the CPU's %u", v->apic_id, v->tlb_tag, caps->asids);
        return false;
    }
    struct vmcb *vmcb = vcpu_vmcb(v);
    __builtin_memset(vmcb, 0, sizeof(*vmcb));
    struct vmcb_control *c = &vmcb->control;

    /* The guest handles its own exceptions, except the two that can repeat
     * without an instruction boundary (#DB, #AC: CVE-2015-8104,
     * CVE-2015-5307), reflected so each repetition passes through Kestrel,
     * where a stop request is seen.  SVM switches CR0, CR3 and CR4 whole
     * and fixes none of their bits; Kestrel judges CR4 writes and CR0
     * writes beyond TS/MP (the selective CR0 intercept) by the SDM's rules
     * against the guest's CPUID (core/cr_rules.c), since an emulator may
     * not fault where the hardware does (svm_exit.c). */
    c->intercept_cr = SVM_INTERCEPT_CR_WRITE(4);
    c->intercept_exceptions = SVM_INTERCEPT_EXCEPTION(VEC_DEBUG) |
                              SVM_INTERCEPT_EXCEPTION(VEC_ALIGNMENT_CHECK);
    c->intercept_misc1 = SVM_KESTREL_INTERCEPTS1;
    c->intercept_misc2 = SVM_KESTREL_INTERCEPTS2;
    c->iopm_base_pa = (uint64_t)(uintptr_t)vm->io_map;
    c->msrpm_base_pa = (uint64_t)(uintptr_t)vm->msr_map;
    c->guest_asid = v->tlb_tag;
    svm_vmcb_flush_tlb(vmcb);    /* the first run starts from a clean TLB for this ASID */
    /* V_INTR_MASKING clear: the guest's RFLAGS.IF masks physical
     * interrupts, which are not intercepted and go straight to the guest
     * (it owns the LAPIC and its devices), as on VMX with passthrough. */
    c->int_ctl = 0;
    c->np_enable = SVM_NP_ENABLE;
    c->n_cr3 = vm->slat_pointer;
    c->vmcb_clean = 0;
    return true;
}

static void clear_common_state(struct vmcb_save *s)
{
    s->dr6 = DR6_RESET;
    s->dr7 = DR7_RESET;
    s->dbgctl = 0;
    s->sysenter_cs = s->sysenter_esp = s->sysenter_eip = 0;
    s->star = s->lstar = s->cstar = s->sfmask = s->kernel_gs_base = 0;
    s->g_pat = PAT_POWER_ON;
    s->cpl = 0;
    s->rflags = RFLAGS_FIXED;
}

void svm_vmcb_guest_entry(struct vmcb *vmcb, const struct guest_entry *e)
{
    struct vmcb_save *s = &vmcb->save;
    bool lm = !e->mode32;
    uint16_t cs = e->cs ? e->cs : 0x08, ds = e->ds ? e->ds : 0x10;

    clear_common_state(s);
    if (lm) {
        s->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
        s->cr4 = CR4_PAE;
        s->cr3 = e->cr3;
        s->efer = EFER_LME | EFER_LMA | (rdmsr(MSR_IA32_EFER) & EFER_NXE);
    } else {
        s->cr0 = CR0_PE | CR0_ET;
        s->cr4 = 0;
        s->cr3 = 0;
        s->efer = 0;
    }
    /* VMRUN requires SVME in the guest's EFER (APM 15.5.1); the guest
     * reads it clear (svm_backend.c intercepts EFER). */
    s->efer |= SVM_EFER_SVME;
    set_segment(&s->cs, cs, 0, 0xffffffff, lm ? ATTR_CODE64 : ATTR_CODE32);
    set_segment(&s->ss, ds, 0, 0xffffffff, ATTR_DATA);
    set_segment(&s->ds, ds, 0, 0xffffffff, ATTR_DATA);
    set_segment(&s->es, ds, 0, 0xffffffff, ATTR_DATA);
    set_segment(&s->fs, ds, 0, 0xffffffff, ATTR_DATA);
    set_segment(&s->gs, ds, 0, 0xffffffff, ATTR_DATA);
    set_segment(&s->ldtr, 0, 0, 0, 0);
    set_segment(&s->tr, 0, 0, 0x67, ATTR_TSS_BUSY);
    set_segment(&s->gdtr, 0, e->gdtr_base, e->gdtr_limit, 0);
    set_segment(&s->idtr, 0, 0, 0, 0);
    s->rip = e->rip;
    s->rsp = e->rsp;
}

void svm_vmcb_guest_init_state(struct vmcb *vmcb)
{
    struct vmcb_save *s = &vmcb->save;

    clear_common_state(s);
    s->cr0 = CR0_ET | CR0_CD | CR0_NW;
    s->cr3 = 0;
    s->cr4 = 0;
    s->cr2 = 0;
    s->efer = SVM_EFER_SVME;
    set_segment(&s->cs, 0xf000, 0xffff0000, 0xffff, ATTR_REAL_CODE);
    set_segment(&s->ss, 0, 0, 0xffff, ATTR_REAL_DATA);
    set_segment(&s->ds, 0, 0, 0xffff, ATTR_REAL_DATA);
    set_segment(&s->es, 0, 0, 0xffff, ATTR_REAL_DATA);
    set_segment(&s->fs, 0, 0, 0xffff, ATTR_REAL_DATA);
    set_segment(&s->gs, 0, 0, 0xffff, ATTR_REAL_DATA);
    set_segment(&s->ldtr, 0, 0, 0xffff, ATTR_LDT);
    set_segment(&s->tr, 0, 0, 0xffff, ATTR_TSS_BUSY);
    set_segment(&s->gdtr, 0, 0, 0xffff, 0);
    set_segment(&s->idtr, 0, 0, 0xffff, 0);
    s->rip = 0xfff0;
    s->rsp = 0;
    s->rax = 0;
    vmcb->control.event_inj = 0;
    vmcb->control.int_state = 0;
}

void svm_vmcb_guest_start_at_sipi(struct vmcb *vmcb, uint8_t vector)
{
    set_segment(&vmcb->save.cs, (uint16_t)(vector << 8), (uint64_t)vector << 12, 0xffff,
                ATTR_REAL_CODE);
    vmcb->save.rip = 0;
}
