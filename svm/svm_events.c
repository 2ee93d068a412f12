/*
 * Events on SVM (AMD APM vol. 2 15.20 "Event Injection", 15.7.2
 * "Intercepts During IDT Interrupt Delivery", 15.21 "Interrupt and LAPIC
 * Support").  Physical interrupts are not intercepted: the guest takes them
 * itself.  What Kestrel delivers through EVENTINJ: exceptions its handlers
 * raise, an event an exit cut short (EXITINTINFO), an interrupt whose
 * delivery was cut short by a reflected exception (queued), and the guest's
 * NMIs (the NMI intercept takes them first; the host's handler queues them
 * after STGI).  SVM has no NMI-blocking state Kestrel can read: an injected
 * NMI counts as blocking until the guest's IRET (intercepted meanwhile).
 */
#include "svm/svm_exit.h"
#include "svm/svm_bits.h"

#define RFLAGS_IF (1ull << 9)
#define NMI_VECTOR 2

static bool event_slot_busy(const struct vmcb *vmcb)
{
    return (vmcb->control.event_inj & SVM_EVENT_VALID) != 0;
}

void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
    struct vmcb *vmcb = vcpu_vmcb(v);
    vmcb->control.event_inj = has_error
        ? SVM_EVENT_WITH_ERROR(vector, SVM_EVENT_TYPE_EXCEPTION, error)
        : SVM_EVENT(vector, SVM_EVENT_TYPE_EXCEPTION);
}

void svm_requeue_interrupted(struct vcpu *v)
{
    struct vmcb *vmcb = vcpu_vmcb(v);
    uint64_t info = vmcb->control.exit_int_info;
    if (!(info & SVM_EVENT_VALID)) {
        return;
    }
    unsigned type = (unsigned)((info & SVM_EVENT_TYPE_MASK) >> SVM_EVENT_TYPE_SHIFT);
    uint8_t vector = (uint8_t)(info & SVM_EVENT_VECTOR_MASK);
    if (type == SVM_EVENT_TYPE_INTR) {
        /* Taken from the LAPIC already: lost unless Kestrel delivers it. */
        vcpu_queue_irq(v, vector);
    } else if (type == SVM_EVENT_TYPE_NMI) {
        v->nmi_blocked = false;
        v->nmi_pending = true;
        v->attention = true;
    }
    /* An exception or INTn recurs when its instruction runs again. */
}

static void set_intercept1(struct vmcb *vmcb, uint32_t bit, bool on)
{
    vmcb->control.intercept_misc1 = on ? vmcb->control.intercept_misc1 | bit
                                       : vmcb->control.intercept_misc1 & ~bit;
}

/* A virtual interrupt request with no vector of its own: the VINTR
 * intercept fires as soon as the guest could take an interrupt. */
static void set_interrupt_window(struct vmcb *vmcb, bool on)
{
    uint32_t want = SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR | SVM_INT_CTL_V_INTR_PRIO_MASK;
    vmcb->control.int_ctl = on ? vmcb->control.int_ctl | want : vmcb->control.int_ctl & ~want;
    set_intercept1(vmcb, SVM_INTERCEPT1_VINTR, on);
}

void svm_deliver_pending(struct vcpu *v)
{
    struct vmcb *vmcb = vcpu_vmcb(v);
    bool shadow = (vmcb->control.int_state & SVM_INT_STATE_SHADOW) != 0;
    bool want_window = false;

    if (v->nmi_pending && !v->nmi_blocked && !event_slot_busy(vmcb) && !shadow &&
        __atomic_exchange_n(&v->nmi_pending, false, __ATOMIC_ACQ_REL)) {
        vmcb->control.event_inj = SVM_EVENT(NMI_VECTOR, SVM_EVENT_TYPE_NMI);
        v->nmi_blocked = true;
    } else if (v->nmi_pending && !v->nmi_blocked) {
        want_window = true;                   /* after the event or shadow in the way */
    }
    /* Until the guest's IRET, a second NMI waits (IRET exits meanwhile). */
    set_intercept1(vmcb, SVM_INTERCEPT1_IRET, v->nmi_blocked);

    if (vcpu_irq_pending(v)) {
        if (!event_slot_busy(vmcb) && !shadow && (vmcb->save.rflags & RFLAGS_IF)) {
            vmcb->control.event_inj = SVM_EVENT(vcpu_take_highest_irq(v), SVM_EVENT_TYPE_INTR);
        }
        want_window |= vcpu_irq_pending(v);
    }
    set_interrupt_window(vmcb, want_window);
}

enum exit_action svm_exit_iret(struct vcpu *v)
{
    /* The exit comes before the IRET executes.  The guest's NMI handler
     * runs with IF clear and its IRET sets it again, so a queued NMI waits
     * for the interrupt window, which opens after the IRET. */
    v->nmi_blocked = false;
    if (v->nmi_pending) {
        set_interrupt_window(vcpu_vmcb(v), true);
        v->attention = true;
    }
    set_intercept1(vcpu_vmcb(v), SVM_INTERCEPT1_IRET, false);
    return EXIT_RESUME;
}

enum exit_action svm_exit_vintr(struct vcpu *v)
{
    set_interrupt_window(vcpu_vmcb(v), false);
    v->attention = true;                      /* svm_deliver_pending runs now */
    return EXIT_RESUME;
}
