/*
 * Events: external interrupts and NMIs (the guest owns the LAPIC and its
 * devices, so every interrupt is the guest's: acknowledged on exit and
 * delivered to it, through the interrupt window when it cannot take it
 * now), INIT and SIPI (the guest starts its own APs), triple fault, the
 * preemption-timer tick.
 */
#include "vmx/exit.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmcs_init.h"
#include "vmx/vmx_root.h"
#include "kernel/log.h"
#include "kernel/x86.h"
#include "kernel/trap.h"
#include "kernel/control_regs.h"

#define RFLAGS_IF (1ull << 9)

static void set_window_exiting(uint32_t bit, bool on)
{
    uint32_t proc = vmcs_read32(VMCS_CTRL_PROC_BASED);
    uint32_t want = on ? proc | bit : proc & ~bit;
    if (want != proc) {
        vmcs_write32(VMCS_CTRL_PROC_BASED, want);
    }
}

void exit_deliver_pending(struct vcpu *v)
{
    bool injecting = (vmcs_read32(VMCS_CTRL_ENTRY_INTR_INFO) & INTR_INFO_VALID) != 0;
    uint32_t blocking = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);

    if (v->nmi_pending) {
        bool nmi_blocked = blocking & (GUEST_INTR_BLOCKING_BY_NMI | GUEST_INTR_BLOCKING_BY_MOV_SS |
                                       GUEST_INTR_BLOCKING_BY_STI);
        /* Taken with an exchange: the host NMI handler may queue another
         * one at any moment (vm.c). */
        if (!injecting && !nmi_blocked && __atomic_exchange_n(&v->nmi_pending, false,
                                                             __ATOMIC_ACQ_REL)) {
            vmcs_write32(VMCS_CTRL_ENTRY_INTR_INFO, INTR_INFO(2, INTR_TYPE_NMI));
            injecting = true;
        }
    }
    set_window_exiting(PROC_NMI_WINDOW, v->nmi_pending);

    if (vcpu_irq_pending(v)) {
        bool irq_blocked = !(vmcs_readnat(VMCS_GUEST_RFLAGS) & RFLAGS_IF) ||
                           (blocking & (GUEST_INTR_BLOCKING_BY_STI | GUEST_INTR_BLOCKING_BY_MOV_SS));
        if (!injecting && !irq_blocked) {
            vmcs_write32(VMCS_CTRL_ENTRY_INTR_INFO,
                         INTR_INFO(vcpu_take_highest_irq(v), INTR_TYPE_EXTERNAL_INTERRUPT));
        }
    }
    set_window_exiting(PROC_INTERRUPT_WINDOW, vcpu_irq_pending(v));
}

bool exit_interrupt_fast(void)
{
    /* An exit in the middle of delivering another event: that one goes
     * first (redelivery, in the general path). */
    if (vmcs_read32(VMCS_RO_IDT_VECTORING_INFO) & INTR_INFO_VALID) {
        return false;
    }
    uint32_t blocking = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
    if ((blocking & (GUEST_INTR_BLOCKING_BY_STI | GUEST_INTR_BLOCKING_BY_MOV_SS)) ||
        !(vmcs_readnat(VMCS_GUEST_RFLAGS) & RFLAGS_IF)) {
        return false;
    }
    /* VM exits clear the entry interruption field: nothing else is being
     * injected.  "Acknowledge interrupt on exit" took the vector from the
     * LAPIC already. */
    uint8_t vector = (uint8_t)(vmcs_read32(VMCS_RO_EXIT_INTR_INFO) & INTR_INFO_VECTOR_MASK);
    vmcs_write32(VMCS_CTRL_ENTRY_INTR_INFO, INTR_INFO(vector, INTR_TYPE_EXTERNAL_INTERRUPT));
    return true;
}

enum exit_action handle_external_interrupt(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    /* "Acknowledge interrupt on exit": the vector is already taken from
     * the LAPIC and sits in the exit interruption information. */
    uint8_t vector = (uint8_t)(vmcs_read32(VMCS_RO_EXIT_INTR_INFO) & INTR_INFO_VECTOR_MASK);
    vcpu_queue_irq(v, vector);
    return EXIT_RESUME;
}

/* An event whose delivery raised the intercepted exception was not
 * delivered: an external interrupt or NMI goes back into the queue (the
 * exception is delivered first, as the CPU would); an exception or software
 * interrupt recurs when its instruction restarts. */
static void requeue_interrupted_event(struct vcpu *v)
{
    uint32_t vectoring = vmcs_read32(VMCS_RO_IDT_VECTORING_INFO);
    if (!(vectoring & INTR_INFO_VALID)) {
        return;
    }
    uint32_t type = (vectoring & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
    uint8_t vector = (uint8_t)(vectoring & INTR_INFO_VECTOR_MASK);
    if (type == INTR_TYPE_EXTERNAL_INTERRUPT) {
        vcpu_queue_irq(v, vector);
    } else if (type == INTR_TYPE_NMI) {
        v->nmi_pending = true;
        v->attention = true;
    }
}

/* #DB and #AC exit only so that a loop of them (a #DB whose delivery hits a
 * data breakpoint, an #AC whose delivery is misaligned) passes through root
 * mode, where Kestrel's stop request is seen: each is given back to the
 * guest as the CPU would have delivered it. */
static enum exit_action reflect_exception(struct vcpu *v, uint32_t info, uint64_t qual)
{
    uint8_t vector = (uint8_t)(info & INTR_INFO_VECTOR_MASK);
    uint32_t type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;

    if (v->vm->end != GUEST_RUNNING) {
        return EXIT_LEAVE;
    }
    requeue_interrupted_event(v);
    if (vector == VEC_DEBUG) {
        /* A #DB exit leaves DR6 and DR7.GD as they were (SDM 27.1): the
         * qualification holds what the CPU would have written to DR6. */
        uint64_t dr6 = (read_dr6() & ~(DR6_B0_B3 | DR6_BD | DR6_BS)) | DR6_FIXED_ONES |
                       (qual & (DR6_B0_B3 | DR6_BD | DR6_BS));
        if (qual & DR6_RTM) {
            dr6 &= ~DR6_RTM;
        }
        write_dr6(dr6);
        if (qual & DR6_BD) {
            vmcs_writenat(VMCS_GUEST_DR7, vmcs_readnat(VMCS_GUEST_DR7) & ~DR7_GD);
        }
        if (type == INTR_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION) {
            /* INT1 (ICEBP): injected as what it was, past the instruction. */
            vmcs_write32(VMCS_CTRL_ENTRY_INSTRUCTION_LEN,
                         vmcs_read32(VMCS_RO_EXIT_INSTRUCTION_LEN));
            vmcs_write32(VMCS_CTRL_ENTRY_INTR_INFO,
                         INTR_INFO(VEC_DEBUG, INTR_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION));
        } else {
            exit_inject_exception(VEC_DEBUG, false, 0);
        }
        return EXIT_RESUME;
    }
    if (vector == VEC_ALIGNMENT_CHECK) {
        exit_inject_exception(VEC_ALIGNMENT_CHECK, true, vmcs_read32(VMCS_RO_EXIT_INTR_ERROR_CODE));
        return EXIT_RESUME;
    }
    return exit_unhandled(v, EXIT_REASON_EXCEPTION_NMI, qual, "unexpected exception exit");
}

enum exit_action handle_exception_nmi(struct vcpu *v, uint64_t qual)
{
    uint32_t info = vmcs_read32(VMCS_RO_EXIT_INTR_INFO);
    if (((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) != INTR_TYPE_NMI) {
        return reflect_exception(v, info, qual);
    }
    /* Kestrel sends NMIs to make vCPUs leave when a guest ends, and to kick
     * a vCPU with a virtual INIT pending (core/vm.c: the INIT discards it);
     * any other NMI is the guest's. */
    if (v->vm->end != GUEST_RUNNING) {
        return EXIT_LEAVE;
    }
    v->attention = true;
    if (ap_start_phase(&v->ap) == AP_PHASE_RUNNING) {
        v->nmi_pending = true;
    }
    return EXIT_RESUME;
}

enum exit_action handle_interrupt_window(struct vcpu *v, uint64_t qual)
{
    (void)v;
    (void)qual;
    return EXIT_RESUME;   /* exit_deliver_pending injects now */
}

enum exit_action handle_nmi_window(struct vcpu *v, uint64_t qual)
{
    (void)v;
    (void)qual;
    return EXIT_RESUME;
}

enum exit_action handle_preemption_timer(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    /* The watchdog tick: the timer reloads on every entry, so it fires only
     * when the guest ran a whole period without exiting.  It also makes a
     * vCPU notice that the guest ended even if an NMI did not reach it. */
    v->watchdog_ticks++;
    return v->vm->end != GUEST_RUNNING ? EXIT_LEAVE : EXIT_RESUME;
}

enum exit_action handle_triple_fault(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    return core_exit_triple_fault(v, vmcs_readnat(VMCS_GUEST_RIP));
}

/* The vCPU back to the state INIT leaves: registers (the VMCS), what is
 * queued or injected, the interrupt and NMI windows (nothing is queued
 * now, so exit_deliver_pending will not run to close them, and their exits
 * would repeat forever). */
static void reset_to_init(bool wait_in_cpu)
{
    if (wait_in_cpu) {
        vmcs_guest_wait_for_sipi();
    } else {
        vmcs_guest_init_state();
    }
    set_window_exiting(PROC_INTERRUPT_WINDOW, false);
    set_window_exiting(PROC_NMI_WINDOW, false);
}

bool exit_take_virtual_init(struct vcpu *v)
{
    if (!vcpu_take_virtual_init(v)) {
        return false;
    }
    reset_to_init(false);
    return true;
}

enum exit_action handle_init(struct vcpu *v, uint64_t qual)
{
    (void)qual;
    if (v->is_bsp) {
        /* On hardware INIT resets the boot CPU too, which here would be a
         * guest reset through the back door: refused, and said once. */
        static bool reported;
        if (!reported) {
            reported = true;
            log_warn("cpu %u: guest sent INIT to its boot CPU: ignored", v->apic_id);
        }
        return EXIT_RESUME;
    }
    /* Back to the INIT state, in the CPU's wait-for-SIPI; the SIPI that
     * follows starts the AP.  INIT is blocked in wait-for-SIPI, so the exit
     * order is SIPI, INIT, SIPI and the second SIPI is the one that sticks.
     * The INIT exit left the LAPIC as it was: core/vm.c resets it. */
    ap_start_hw_init(&v->ap);
    vcpu_init_reset(v);
    reset_to_init(true);
    return EXIT_RESUME;
}

enum exit_action handle_sipi(struct vcpu *v, uint64_t qual)
{
    /* Whatever was queued before the SIPI is not the started code's. */
    ap_start_hw_sipi(&v->ap);
    vcpu_clear_events(v);
    set_window_exiting(PROC_INTERRUPT_WINDOW, false);
    set_window_exiting(PROC_NMI_WINDOW, false);
    vmcs_guest_start_at_sipi((uint8_t)(qual & 0xff));
    return EXIT_RESUME;
}

enum exit_action handle_hlt(struct vcpu *v, uint64_t qual)
{
    (void)v;
    (void)qual;
    /* HLT exiting is off; should it be turned on, halting is the guest's
     * right: step over and let the next interrupt wake it. */
    exit_skip_instruction();
    return EXIT_RESUME;
}
