/*
 * The SVM backend's ops (core/backend.h): the guest's permission maps and
 * nested-paging root, a VMCB per vCPU, the run loop (with an AP's wait for
 * its start-up IPIs, which SVM leaves to software: core/vm.c), and the exit-time
 * accessors the core's handlers use.
 */
#include "svm/svm_backend.h"
#include "svm/svm_exit.h"
#include "svm/svm_vmcb.h"
#include "svm/svm_root.h"
#include "svm/svm_ops.h"
#include "svm/svm_bits.h"
#include "svm/svm_bitmaps.h"
#include "svm/svm_names.h"
#include "core/msr_policy.h"
#include "core/guest_mem.h"
#include "mm/pmm.h"
#include "kernel/control_regs.h"
#include "kernel/msr.h"
#include "kernel/x86.h"
#include "kernel/log.h"

#define CODE_BITS_16 16
#define CODE_BITS_32 32
#define CODE_BITS_64 64
/* EFER bits a guest may write (APM vol. 2 3.1.7); LMA is the CPU's. */
#define EFER_GUEST_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE | SVM_EFER_LMSLE | SVM_EFER_FFXSR | \
                             SVM_EFER_TCE)

static unsigned svm_slat_allow(void)
{
    /* Nested paging takes the host's page sizes: 2 MiB always, 1 GiB
     * where CPUID shows it (APM 15.25.3). */
    return SLAT_ALLOW_2M | ((cpuid(0x80000001u, 0).edx & (1u << 26)) ? SLAT_ALLOW_1G : 0);
}

static uint64_t svm_cr4_possible(void)
{
    return ~0ull;     /* SVM fixes no CR4 bit; CPUID decides */
}

static bool msr_exits(uint32_t msr, bool write, void *ctx)
{
    (void)ctx;
    return msr_policy_exits(msr, write, MSR_BACKEND_SVM);
}

static bool svm_vm_init(struct vm *vm)
{
    vm->msr_map = (uint8_t *)pmm_alloc_pages(SVM_MSRPM_SIZE / SVM_PAGE_SIZE);
    vm->io_map = (uint8_t *)pmm_alloc_pages(SVM_IOPM_SIZE / SVM_PAGE_SIZE);
    if (!vm->msr_map || !vm->io_map) {
        log_error("out of memory for the guest's permission maps");
        return false;
    }
    svm_msrpm_build(vm->msr_map, msr_exits, 0);
    svm_iopm_clear(vm->io_map);
    vm->slat_pointer = (uint64_t)(uintptr_t)vm->slat.root;
    /* No watchdog: SVM has no preemption timer (docs/svm.md). */
    vm->watchdog_value = 0;
    return true;
}

static void svm_intercept_port(struct vm *vm, uint16_t port)
{
    svm_iopm_intercept(vm->io_map, port);
}

static bool svm_vcpu_init(struct vcpu *v, const struct guest_entry *entry)
{
    if (!svm_root_active(v->cpu_index) || !svm_vmcb_create(v)) {
        return false;
    }
    v->host_save = svm_host_state_page(v->cpu_index);
    if (entry) {
        svm_vmcb_guest_entry(vcpu_vmcb(v), entry);
    } else {
        svm_vmcb_guest_init_state(vcpu_vmcb(v));
    }
    return true;
}

/* A virtual INIT taken (core/vm.c reset the events and the LAPIC): the
 * VMCB back to the state INIT leaves, nothing being injected or
 * intercepted for an NMI or interrupt window. */
static void reset_after_init(struct vcpu *v)
{
    struct vmcb *vmcb = vcpu_vmcb(v);
    svm_vmcb_guest_init_state(vmcb);
    v->nmi_blocked = false;
    vmcb->control.intercept_misc1 &= ~(SVM_INTERCEPT1_IRET | SVM_INTERCEPT1_VINTR);
    vmcb->control.int_ctl = 0;
}

/* An AP's vCPU before its first SIPI, or after a virtual INIT: waits in
 * Kestrel (SVM has no wait-for-SIPI state; core/vm.c).  False when the
 * guest ended meanwhile. */
static bool wait_for_sipi(struct vcpu *v)
{
    uint8_t vector;
    if (!vcpu_wait_for_sipi(v, &vector)) {
        return false;
    }
    svm_vmcb_guest_start_at_sipi(vcpu_vmcb(v), vector);
    v->regs[GPR_RAX] = 0;
    return true;
}

void svm_enter_guest(struct vcpu *v, uint64_t vmcb_pa, uint64_t host_state_pa);

static void report_vmrun_failure(struct vcpu *v)
{
    char words[200];
    svm_vmrun_failure_format(vcpu_vmcb(v), guest_mem_maxphyaddr(), words, sizeof(words));
    log_error("cpu %u: VM entry failed: %s", v->apic_id, words);
    svm_dump_state(v);
}

static bool svm_vcpu_run(struct vcpu *v)
{
    struct vmcb *vmcb = vcpu_vmcb(v);

    for (;;) {
        if (!vcpu_started(v) && !wait_for_sipi(v)) {
            return true;
        }
        vmcb->save.rax = v->regs[GPR_RAX];
        svm_clgi();
        /* A virtual INIT (core/vm.c), looked at with GIF clear: a kick NMI
         * sent after this is held and exits at once after VMRUN, one sent
         * before was seen here; none is lost to a guest that never exits. */
        if (__builtin_expect(ap_start_init_pending(&v->ap), 0)) {
            svm_stgi();
            if (vcpu_take_virtual_init(v)) {
                reset_after_init(v);      /* then waits for its SIPI, above */
            }
            continue;
        }
        svm_enter_guest(v, v->control, v->host_save);
        svm_stgi();            /* a held NMI is taken here, by Kestrel's handler */
        v->regs[GPR_RAX] = vmcb->save.rax;
        vmcb->control.tlb_control = SVM_TLB_CONTROL_DO_NOTHING;
        if (__builtin_expect(svm_exit_code(vmcb) >= SVM_EXIT_INVALID_PMC, 0)) {
            report_vmrun_failure(v);
            return false;
        }
        v->launched = true;
        if (svm_exit_dispatch(v) == EXIT_LEAVE) {
            return true;
        }
    }
}

static void svm_crash_test(struct vcpu *v, enum backend_crash how)
{
    struct vmcb *vmcb = vcpu_vmcb(v);
    if (how == BACKEND_CRASH_BAD_ENTRY_STATE) {
        log_info("crash_test: guest EFER.SVME cleared before the first VM entry");
        vmcb->save.efer &= ~SVM_EFER_SVME;
    } else {
        log_info("crash_test: the guest will triple-fault on its first instruction");
        vmcb->save.idtr.limit = 0;
        vmcb->save.rip = 0x00007ff000000000ull;
    }
}

static void svm_skip(struct vcpu *v)
{
    svm_skip_instruction(v);
}

static unsigned code_bits(const struct vmcb_save *s)
{
    if ((s->efer & EFER_LMA) && (s->cs.attrib & SVM_SEG_ATTR_L)) {
        return CODE_BITS_64;
    }
    if (!(s->cr0 & CR0_PE)) {
        return CODE_BITS_16;
    }
    return (s->cs.attrib & SVM_SEG_ATTR_DB) ? CODE_BITS_32 : CODE_BITS_16;
}

static void svm_read_view(struct vcpu *v, struct guest_view *out)
{
    const struct vmcb_save *s = &vcpu_vmcb(v)->save;
    out->paging.cr0 = s->cr0;
    out->paging.cr3 = s->cr3;
    out->paging.cr4 = s->cr4;
    out->paging.efer = svm_guest_efer(s);
    out->rip = s->rip;
    out->rsp = s->rsp;
    out->rflags = s->rflags;
    out->cs_base = s->cs.base;
    out->cpl = s->cpl;
    out->code_bits = code_bits(s);
}

static uint64_t svm_segment_base(struct vcpu *v, unsigned seg)
{
    /* ES, CS, SS, DS, FS, GS: enum insn_segment's order, and the VMCB's. */
    const struct vmcb_segment *first = &vcpu_vmcb(v)->save.es;
    return first[seg % 6u].base;
}

/* EFER as the guest sees it: SVME clear, and not settable (SVM is hidden);
 * the architecture's rules for the rest.  DEBUGCTL: kept in the VMCB
 * (without LBR virtualization it does not reach the hardware). */
static bool guest_efer(struct vmcb_save *s, uint64_t *value, bool write)
{
    if (!write) {
        *value = s->efer & ~SVM_EFER_SVME;
        return true;
    }
    uint64_t v = *value;
    if (v & ~(EFER_GUEST_WRITABLE | EFER_LMA)) {
        return false;                     /* reserved bits, SVME among them */
    }
    if ((s->cr0 & CR0_PG) && ((v ^ s->efer) & EFER_LME)) {
        return false;                     /* LME changes only with paging off */
    }
    s->efer = (v & EFER_GUEST_WRITABLE) | (s->efer & EFER_LMA) | SVM_EFER_SVME;
    return true;
}

static bool svm_guest_msr(struct vcpu *v, uint32_t msr, uint64_t *value, bool write)
{
    struct vmcb_save *s = &vcpu_vmcb(v)->save;
    switch (msr) {
    case MSR_IA32_EFER:
        return guest_efer(s, value, write);
    case MSR_IA32_DEBUGCTL:
        if (write) {
            s->dbgctl = *value;
        } else {
            *value = s->dbgctl;
        }
        return true;
    default:
        return false;
    }
}

static bool svm_delivering_event(struct vcpu *v)
{
    return (vcpu_vmcb(v)->control.exit_int_info & SVM_EVENT_VALID) != 0;
}

const struct backend_ops svm_backend = {
    .name = "svm",
    .slat_format = SLAT_FORMAT_NPT,
    .msr_backend = MSR_BACKEND_SVM,
    .hardware_ap_start = 0,         /* no wait-for-SIPI: always in software */
    .slat_allow = svm_slat_allow,
    .cr4_possible = svm_cr4_possible,
    .vm_init = svm_vm_init,
    .intercept_port = svm_intercept_port,
    .vcpu_init = svm_vcpu_init,
    .vcpu_run = svm_vcpu_run,
    .crash_test = svm_crash_test,
    .skip_instruction = svm_skip,
    .advance_rip = svm_advance_rip,
    .inject_exception = svm_inject_exception,
    .read_view = svm_read_view,
    .segment_base = svm_segment_base,
    .guest_msr = svm_guest_msr,
    .delivering_event = svm_delivering_event,
    .dump_state = svm_dump_state,
};
