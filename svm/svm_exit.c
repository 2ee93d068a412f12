/*
 * The #VMEXIT dispatcher: the exit code (AMD APM vol. 2 appendix C) into
 * the backend-neutral exits of core/exit_handlers.h.  Every exit code has a
 * name (svm/svm_names.c); one without a handler stops the guest with a
 * readable VMCB dump.  CPUID, the most frequent exit, is handled first.
 */
#include "svm/svm_exit.h"
#include "svm/svm_bits.h"
#include "svm/svm_names.h"
#include "svm/svm_root.h"
#include "core/exit_cpuid.h"
#include "core/insn_length.h"
#include "core/guest_mem.h"
#include "core/cr_rules.h"
#include "kernel/control_regs.h"
#include "kernel/msr.h"
#include "kernel/x86.h"
#include "kernel/trap.h"
#include "kernel/log.h"

enum exit_kind svm_exit_kind(uint64_t code)
{
    switch (code) {
    case SVM_EXIT_CPUID:        return EXIT_KIND_CPUID;
    case SVM_EXIT_CR4_WRITE:    return EXIT_KIND_CR_ACCESS;
    case SVM_EXIT_CR0_SEL_WRITE: return EXIT_KIND_CR_ACCESS;
    case SVM_EXIT_MSR:          return EXIT_KIND_RDMSR;    /* svm_exit_dispatch tells WRMSR */
    case SVM_EXIT_IOIO:         return EXIT_KIND_IO;
    case SVM_EXIT_NPF:          return EXIT_KIND_NPF;
    case SVM_EXIT_VMMCALL:      return EXIT_KIND_VMCALL;
    case SVM_EXIT_NMI:          return EXIT_KIND_NMI;
    case SVM_EXIT_INTR:         return EXIT_KIND_EXTERNAL_INTERRUPT;
    case SVM_EXIT_VINTR:        return EXIT_KIND_INTERRUPT_WINDOW;
    case SVM_EXIT_INIT:         return EXIT_KIND_INIT;
    case SVM_EXIT_SHUTDOWN:     return EXIT_KIND_SHUTDOWN;
    case SVM_EXIT_IRET:         return EXIT_KIND_IRET;
    case SVM_EXIT_INVD:         return EXIT_KIND_INVD;
    case SVM_EXIT_XSETBV:       return EXIT_KIND_XSETBV;
    case SVM_EXIT_HLT:          return EXIT_KIND_HLT;
    case SVM_EXIT_VMRUN:        return EXIT_KIND_VMRUN;
    case SVM_EXIT_VMLOAD:       return EXIT_KIND_VMLOAD;
    case SVM_EXIT_VMSAVE:       return EXIT_KIND_VMSAVE;
    case SVM_EXIT_STGI:         return EXIT_KIND_STGI;
    case SVM_EXIT_CLGI:         return EXIT_KIND_CLGI;
    case SVM_EXIT_SKINIT:       return EXIT_KIND_SKINIT;
    case SVM_EXIT_INVLPGA:      return EXIT_KIND_INVLPGA;
    case SVM_EXIT_SMI:          return EXIT_KIND_SMI;
    default:
        break;
    }
    if (code >= SVM_EXIT_EXCP_BASE && code <= SVM_EXIT_EXCP_LAST) {
        return EXIT_KIND_EXCEPTION;
    }
    return EXIT_KIND_UNKNOWN;
}

/* The instruction an instruction intercept stopped at, for its length. */
static bool intercepted_insn(const struct vmcb *vmcb, enum insn_intercepted *which)
{
    switch (svm_exit_code(vmcb)) {
    case SVM_EXIT_CPUID:   *which = INSN_INTERCEPTED_CPUID; return true;
    case SVM_EXIT_MSR:
        *which = vmcb->control.exit_info1 == SVM_EXITINFO1_MSR_WRITE ? INSN_INTERCEPTED_WRMSR
                                                                     : INSN_INTERCEPTED_RDMSR;
        return true;
    case SVM_EXIT_VMMCALL: *which = INSN_INTERCEPTED_VMMCALL; return true;
    case SVM_EXIT_INVD:    *which = INSN_INTERCEPTED_INVD; return true;
    case SVM_EXIT_XSETBV:  *which = INSN_INTERCEPTED_XSETBV; return true;
    case SVM_EXIT_HLT:     *which = INSN_INTERCEPTED_HLT; return true;
    default:               return false;
    }
}

void svm_advance_rip(struct vcpu *v, unsigned len)
{
    struct vmcb *vmcb = vcpu_vmcb(v);
    vmcb->save.rip += len;
    /* As executing it would: the STI / MOV SS shadow ends. */
    vmcb->control.int_state &= ~SVM_INT_STATE_SHADOW;
}

static void set_rip(struct vmcb *vmcb, uint64_t rip)
{
    vmcb->save.rip = rip;
    vmcb->control.int_state &= ~SVM_INT_STATE_SHADOW;
}

bool svm_skip_instruction(struct vcpu *v)
{
    struct vmcb *vmcb = vcpu_vmcb(v);
    enum insn_intercepted which;

    /* IOIO always reports the next RIP itself (APM 15.10.2). */
    if (svm_exit_code(vmcb) == SVM_EXIT_IOIO) {
        set_rip(vmcb, vmcb->control.exit_info2);
        return true;
    }
    if (svm_caps()->next_rip) {
        set_rip(vmcb, vmcb->control.next_rip);
        return true;
    }
    /* No next-RIP save (QEMU's TCG): the bytes at RIP, decoded. */
    struct guest_view view;
    uint8_t bytes[INSN_MAX_LENGTH];
    size_t len = 0;
    unsigned length = 0;
    v->vm->ops->read_view(v, &view);
    if (intercepted_insn(vmcb, &which) &&
        guest_fetch_instruction(v, &view, bytes, &len) == GUEST_WALK_OK &&
        insn_intercepted_length(bytes, len, view.code_bits, which, &length) == INSN_OK) {
        svm_advance_rip(v, length);
        return true;
    }
    log_error("cpu %u: cannot find the end of the %s instruction at rip %#llx", v->apic_id,
              svm_exit_name(svm_exit_code(vmcb)), (unsigned long long)vmcb->save.rip);
    vm_request_end(v->vm, GUEST_FAILED, "undecodable instruction at an exit");
    return false;
}

static enum exit_action handle_ioio(struct vcpu *v, const struct vmcb *vmcb)
{
    struct svm_ioio q = svm_ioio_decode(vmcb->control.exit_info1);
    if (q.size == 0) {
        char words[64];
        svm_ioio_format(&q, words, sizeof(words));
        return core_exit_unhandled(v, "ioio", SVM_EXIT_IOIO, vmcb->control.exit_info1, words);
    }
    struct io_access io = { .port = q.port, .size = q.size, .in = q.in, .string = q.string };
    return core_exit_io(v, &io);
}

static enum exit_action handle_npf(struct vcpu *v, const struct vmcb *vmcb)
{
    uint64_t gpa = vmcb->control.exit_info2;
    if (core_memory_first_touch(v, gpa)) {
        return EXIT_RESUME;
    }
    struct svm_npf f = svm_npf_decode(vmcb->control.exit_info1);
    const struct mmio_page *page = core_mediated_page(v, gpa, f.write);
    if (page && f.final_gpa) {
        return core_exit_mediated_store(v, page, gpa);
    }
    char words[128];
    svm_npf_format(&f, gpa, words, sizeof(words));
    return core_exit_memory_refused(v, gpa, words);
}

/* #DB and #AC exit only so that a loop of them passes through Kestrel
 * (where a stop request is seen): each goes back to the guest as the CPU
 * would have delivered it.  The event whose delivery raised it is queued
 * and follows. */
static enum exit_action reflect_exception(struct vcpu *v, struct vmcb *vmcb)
{
    unsigned vector = (unsigned)(svm_exit_code(vmcb) - SVM_EXIT_EXCP_BASE);
    if (v->vm->end != GUEST_RUNNING) {
        return EXIT_LEAVE;
    }
    svm_requeue_interrupted(v);
    if (vector == VEC_DEBUG) {
        /* The CPU has recorded the #DB's cause in the guest's DR6 (the
         * VMCB copy) before the intercept. */
        svm_inject_exception(v, VEC_DEBUG, false, 0);
        return EXIT_RESUME;
    }
    if (vector == VEC_ALIGNMENT_CHECK) {
        svm_inject_exception(v, VEC_ALIGNMENT_CHECK, true, (uint32_t)vmcb->control.exit_info1);
        return EXIT_RESUME;
    }
    return core_exit_unhandled(v, svm_exit_name(svm_exit_code(vmcb)), svm_exit_code(vmcb),
                               vmcb->control.exit_info1, "unexpected exception exit");
}

/* MOV to CR0 or CR4: the source register from decode assists where the
 * CPU has them, else from the instruction at RIP.  (LMSW, the other way to
 * change CR0's low bits, is not decoded: no guest Kestrel runs uses it.) */
static bool decode_cr_write(struct vcpu *v, struct vmcb *vmcb, unsigned want_cr, unsigned *gpr,
                            unsigned *length)
{
    const struct svm_caps *caps = svm_caps();
    if (caps->decode_assists && (vmcb->control.exit_info1 & SVM_EXITINFO1_CR_DR_MOV)) {
        *gpr = (unsigned)(vmcb->control.exit_info1 & SVM_EXITINFO1_CR_DR_GPR_MASK);
        *length = caps->next_rip ? (unsigned)(vmcb->control.next_rip - vmcb->save.rip) : 0;
        if (*length) {
            return true;
        }
    }
    struct guest_view view;
    uint8_t bytes[INSN_MAX_LENGTH];
    size_t len = 0;
    unsigned cr = 0;
    v->vm->ops->read_view(v, &view);
    return guest_fetch_instruction(v, &view, bytes, &len) == GUEST_WALK_OK &&
           insn_mov_to_cr(bytes, len, view.code_bits, &cr, gpr, length) == INSN_OK &&
           cr == want_cr;
}

/* A CR0 write that changes more than TS/MP, or any CR4 write: judged by
 * the SDM's MOV-to-CR rules (core/cr_rules.c, the same as on VMX), since
 * an emulator may not fault where the hardware does (QEMU's TCG fails
 * VMRUN on a reserved CR4 bit and lets a 64-bit guest clear CR0.PG). */
static enum exit_action handle_cr_write(struct vcpu *v, struct vmcb *vmcb, unsigned cr)
{
    unsigned gpr = 0, length = 0;
    uint64_t code = svm_exit_code(vmcb);
    if (!decode_cr_write(v, vmcb, cr, &gpr, &length)) {
        return core_exit_unhandled(v, svm_exit_name(code), code, vmcb->control.exit_info1,
                                   cr == 0 ? "the instruction at RIP is not a MOV to CR0 (LMSW?)"
                                           : "the instruction at RIP is not a MOV to CR4");
    }
    struct vmcb_save *s = &vmcb->save;
    bool long_mode = (s->efer & EFER_LMA) && (s->cs.attrib & SVM_SEG_ATTR_L);
    uint64_t value = gpr == GPR_RSP ? s->rsp : gpr == GPR_RAX ? s->rax : v->regs[gpr];
    if (!long_mode) {
        value &= 0xffffffffull;   /* outside 64-bit mode the operand is 32 bits */
    }
    struct cr_state state = { .cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4,
                              .efer = svm_guest_efer(s) & ~SVM_EFER_SVME, .cs_long = long_mode };
    const char *why = cr == 0 ? cr0_write_problem(&state, value)
                              : cr4_write_problem(&state, value, v->vm->cr4_guest_allowed);
    if (why) {
        refusal_warn(&v->refusals, REFUSAL_CR_WRITE, v->apic_id,
                     "guest mov to cr%u = %#llx refused (#GP): %s", cr, (unsigned long long)value,
                     why);
        svm_inject_exception(v, VEC_GENERAL_PROTECTION, true, 0);
        return EXIT_RESUME;
    }
    if (cr == 0) {
        bool lma = cr0_write_lma(&state, value);
        s->cr0 = value;
        s->efer = lma ? s->efer | EFER_LMA : s->efer & ~EFER_LMA;
    } else {
        s->cr4 = value;
    }
    svm_vmcb_flush_tlb(vmcb);     /* as the write would have (PG, PGE, PCIDE, PAE ...) */
    svm_advance_rip(v, length);
    return EXIT_RESUME;
}

static enum exit_action handle_init(struct vcpu *v)
{
    /* The guest's INITs never reach the hardware (they are mediated and
     * delivered in software): this one came from elsewhere. */
    static bool reported;
    if (!reported) {
        reported = true;
        log_warn("cpu %u: a physical INIT reached the guest: %s", v->apic_id,
                 svm_init_redirected() ? "redirected to #SX by VM_CR.R_INIT"
                                       : "this CPU may reset (VM_CR.R_INIT not available)");
    }
    return EXIT_RESUME;
}

static enum exit_action dispatch(struct vcpu *v, struct vmcb *vmcb)
{
    uint64_t code = svm_exit_code(vmcb);
    switch (code) {
    case SVM_EXIT_CPUID:
        core_cpuid(v);
        svm_skip_instruction(v);
        return EXIT_RESUME;
    case SVM_EXIT_MSR:
        return vmcb->control.exit_info1 == SVM_EXITINFO1_MSR_WRITE ? core_exit_wrmsr(v)
                                                                   : core_exit_rdmsr(v);
    case SVM_EXIT_IOIO:
        return handle_ioio(v, vmcb);
    case SVM_EXIT_CR4_WRITE:
        return handle_cr_write(v, vmcb, 4);
    case SVM_EXIT_CR0_SEL_WRITE:
        return handle_cr_write(v, vmcb, 0);
    case SVM_EXIT_NPF:
        return handle_npf(v, vmcb);
    case SVM_EXIT_VMMCALL:
        return core_exit_hypercall(v);
    case SVM_EXIT_NMI:
        /* The NMI was taken by Kestrel's handler after STGI: a stop
         * request, or the guest's (then queued by the handler). */
        return v->vm->end != GUEST_RUNNING ? EXIT_LEAVE : EXIT_RESUME;
    case SVM_EXIT_INTR:
        return EXIT_RESUME;
    case SVM_EXIT_INIT:
        return handle_init(v);
    case SVM_EXIT_SHUTDOWN:
        return core_exit_triple_fault(v, vmcb->save.rip);
    case SVM_EXIT_INVD:
        return core_exit_invd(v);
    case SVM_EXIT_XSETBV:
        return core_exit_xsetbv(v);
    case SVM_EXIT_HLT:
        svm_skip_instruction(v);
        return EXIT_RESUME;
    case SVM_EXIT_IRET:
        return svm_exit_iret(v);
    case SVM_EXIT_VINTR:
        return svm_exit_vintr(v);
    case SVM_EXIT_VMRUN:
    case SVM_EXIT_VMLOAD:
    case SVM_EXIT_VMSAVE:
    case SVM_EXIT_STGI:
    case SVM_EXIT_CLGI:
    case SVM_EXIT_SKINIT:
    case SVM_EXIT_INVLPGA:
        return core_exit_virt_instruction(v, REFUSAL_SVM_INSTRUCTION, svm_exit_name(code), "SVM");
    default:
        break;
    }
    if (code >= SVM_EXIT_EXCP_BASE && code <= SVM_EXIT_EXCP_LAST) {
        return reflect_exception(v, vmcb);
    }
    return core_exit_unhandled(v, svm_exit_name(code), code, vmcb->control.exit_info1, "no handler");
}

enum exit_action svm_exit_dispatch(struct vcpu *v)
{
    struct vmcb *vmcb = vcpu_vmcb(v);
    uint64_t code = svm_exit_code(vmcb);
    enum exit_kind kind = svm_exit_kind(code);
    if (code == SVM_EXIT_MSR && vmcb->control.exit_info1 == SVM_EXITINFO1_MSR_WRITE) {
        kind = EXIT_KIND_WRMSR;
    }
    bool sample = (v->exits[kind] % EXIT_CYCLE_SAMPLE) == 0;
    uint64_t start = sample ? rdtsc() : 0;

    vmcb->control.event_inj = 0;
    /* An event whose delivery this exit interrupted is delivered again
     * (APM 15.7.2); a handler that injects an exception replaces it and
     * requeues it first. */
    if (__builtin_expect(vmcb->control.exit_int_info & SVM_EVENT_VALID, 0)) {
        vmcb->control.event_inj = vmcb->control.exit_int_info & ~SVM_EVENT_RESERVED_MASK;
    }
    enum exit_action action = dispatch(v, vmcb);
    v->exits[kind]++;
    if (sample) {
        v->exit_cycles[kind] += rdtsc() - start;
        v->exit_samples[kind]++;
    }
    if (__builtin_expect(v->vm->end != GUEST_RUNNING, 0)) {
        return EXIT_LEAVE;
    }
    if (__builtin_expect(v->attention, 0) && action == EXIT_RESUME) {
        /* A pending virtual INIT is svm_backend.c's run loop's, just
         * before the next VMRUN. */
        svm_deliver_pending(v);
        v->attention = vcpu_events_pending(v) || ap_start_init_pending(&v->ap);
    }
    return action;
}

void svm_dump_state(struct vcpu *v)
{
    const struct vmcb *vmcb = vcpu_vmcb(v);
    const struct vmcb_save *s = &vmcb->save;
    char buf[120];
    struct svm_event e = svm_event_decode(vmcb->control.exit_int_info);
    svm_event_format(&e, buf, sizeof(buf));
    log_raw("  cpu %u vmcb: rip %#llx rsp %#llx rflags %#llx cs %#x (attr %#x) ss %#x cpl %u\n",
            v->apic_id, (unsigned long long)s->rip, (unsigned long long)s->rsp,
            (unsigned long long)s->rflags, s->cs.selector, s->cs.attrib, s->ss.selector, s->cpl);
    log_raw("  cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx cr2 %#llx\n", (unsigned long long)s->cr0,
            (unsigned long long)s->cr3, (unsigned long long)s->cr4, (unsigned long long)s->efer,
            (unsigned long long)s->cr2);
    log_raw("  exit %s (%#llx) info1 %#llx info2 %#llx; interrupted event: %s\n",
            svm_exit_name(svm_exit_code(vmcb)), (unsigned long long)svm_exit_code(vmcb),
            (unsigned long long)vmcb->control.exit_info1,
            (unsigned long long)vmcb->control.exit_info2, buf);
    struct svm_event inj = svm_event_decode(vmcb->control.event_inj);
    svm_event_format(&inj, buf, sizeof(buf));
    log_raw("  injecting: %s; int_ctl %#x int_state %#llx intercepts %#x %#x\n", buf,
            vmcb->control.int_ctl, (unsigned long long)vmcb->control.int_state,
            vmcb->control.intercept_misc1, vmcb->control.intercept_misc2);
    log_raw("  rax %#llx rbx %#llx rcx %#llx rdx %#llx rsi %#llx rdi %#llx\n",
            (unsigned long long)s->rax, (unsigned long long)v->regs[GPR_RBX],
            (unsigned long long)v->regs[GPR_RCX], (unsigned long long)v->regs[GPR_RDX],
            (unsigned long long)v->regs[GPR_RSI], (unsigned long long)v->regs[GPR_RDI]);
}
