/* The VM-exit dispatcher and what its handlers share. */
#ifndef KESTREL_VMX_EXIT_H
#define KESTREL_VMX_EXIT_H

#include <stdint.h>
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"

enum exit_action {
    EXIT_RESUME = 0,          /* VMRESUME the guest */
    EXIT_LEAVE = 1,           /* this vCPU leaves the guest for good */
};

typedef enum exit_action (*exit_handler_fn)(struct vcpu *v, uint64_t qual);

/* Called from vmx/vmx_entry.asm on every exit; 0 = resume. */
int vmx_exit_dispatch(struct vcpu *v);

/* Helpers for handlers. */

/* RIP += len, as executing an instruction of that length would. */
static inline void exit_advance_rip(uint32_t len)
{
    uint64_t rip = vmcs_readnat(VMCS_GUEST_RIP);
    vmcs_writenat(VMCS_GUEST_RIP, rip + len);
    /* Skipping an instruction ends STI / MOV SS blocking, as executing it would. */
    uint32_t intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
    if (__builtin_expect(intr & (GUEST_INTR_BLOCKING_BY_STI | GUEST_INTR_BLOCKING_BY_MOV_SS), 0)) {
        vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
                     intr & ~(GUEST_INTR_BLOCKING_BY_STI | GUEST_INTR_BLOCKING_BY_MOV_SS));
    }
}

/* RIP += exit instruction length.  Inline: every instruction exit does it
 * (the field is valid only for instruction exits; EPT violations decode the
 * instruction and use exit_advance_rip). */
static inline void exit_skip_instruction(void)
{
    exit_advance_rip(vmcs_read32(VMCS_RO_EXIT_INSTRUCTION_LEN));
}

void exit_inject_exception(uint8_t vector, bool has_error, uint32_t error);
void exit_inject_ud(void);
void exit_inject_gp(void);
/* The guest's state in a few readable lines (log_raw). */
void exit_dump_vmcs(struct vcpu *v);
/* Prints the exit and a readable VMCS dump, then ends the guest. */
enum exit_action exit_unhandled(struct vcpu *v, uint32_t reason, uint64_t qual, const char *why);

/* Handler tables by family (vmx/exit_events.c, exit_instructions.c, exit_memory.c). */
enum exit_action handle_external_interrupt(struct vcpu *v, uint64_t qual);
enum exit_action handle_exception_nmi(struct vcpu *v, uint64_t qual);
enum exit_action handle_interrupt_window(struct vcpu *v, uint64_t qual);
enum exit_action handle_nmi_window(struct vcpu *v, uint64_t qual);
enum exit_action handle_preemption_timer(struct vcpu *v, uint64_t qual);
enum exit_action handle_triple_fault(struct vcpu *v, uint64_t qual);
enum exit_action handle_init(struct vcpu *v, uint64_t qual);
enum exit_action handle_sipi(struct vcpu *v, uint64_t qual);
enum exit_action handle_cpuid(struct vcpu *v, uint64_t qual);
enum exit_action handle_rdmsr(struct vcpu *v, uint64_t qual);
enum exit_action handle_wrmsr(struct vcpu *v, uint64_t qual);
enum exit_action handle_cr_access(struct vcpu *v, uint64_t qual);
enum exit_action handle_xsetbv(struct vcpu *v, uint64_t qual);
enum exit_action handle_invd(struct vcpu *v, uint64_t qual);
enum exit_action handle_vmx_instruction(struct vcpu *v, uint64_t qual);
enum exit_action handle_vmcall(struct vcpu *v, uint64_t qual);
enum exit_action handle_hlt(struct vcpu *v, uint64_t qual);
enum exit_action handle_ept_violation(struct vcpu *v, uint64_t qual);
enum exit_action handle_ept_misconfig(struct vcpu *v, uint64_t qual);
enum exit_action handle_io(struct vcpu *v, uint64_t qual);

/* The x2APIC ICR write (MSR 0x830): mediated by core/apic_guard.c.  False:
 * inject #GP (reserved bits). */
bool exit_x2apic_icr_write(struct vcpu *v, uint64_t value);

/* Delivers what is pending (interrupts queued while the guest could not
 * take them) before the next entry; opens the interrupt/NMI window when it
 * cannot yet. */
void exit_deliver_pending(struct vcpu *v);

/* The common external-interrupt exit in one step: with nothing else
 * pending (the caller checks v->attention), no event cut short by the exit
 * and the guest interruptible, the vector goes straight back in as an
 * injection.  Returns false, having changed nothing, when the general path
 * (queue, window, redelivery) is needed. */
bool exit_interrupt_fast(void);

static inline bool exit_events_pending(const struct vcpu *v)
{
    return v->nmi_pending ||
           (v->pending_irqs[0] | v->pending_irqs[1] | v->pending_irqs[2] | v->pending_irqs[3]);
}

#endif
