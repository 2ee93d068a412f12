/*
 * The VMX exit dispatcher and what its handlers share.  Every exit reason
 * Kestrel handles is listed once, in VMX_EXIT_HANDLERS: that list gives
 * the handlers' prototypes and the dispatch table (vmx/exit_dispatch.c).
 * Handlers decode the VMCS's exit information and hand the decoded exit to
 * the backend-neutral core (core/exit_handlers.h) where one exists.
 */
#ifndef KESTREL_VMX_EXIT_H
#define KESTREL_VMX_EXIT_H

#include <stdint.h>
#include "core/vm.h"
#include "core/exit_handlers.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_bits.h"

typedef enum exit_action (*exit_handler_fn)(struct vcpu *v, uint64_t qual);

/* X(reason suffix, handler, when): EVENT exits can interrupt the delivery
 * of an event (then IDT-vectoring information must be checked so the event
 * is not lost; SDM 28.2.4), INSN exits (CPUID, VMCALL, ...) never can,
 * which keeps that VMREAD off the hot path.  Adding a handler: one line
 * here and the handler in one file. */
#define VMX_EXIT_HANDLERS(X) \
    X(EXCEPTION_NMI,      handle_exception_nmi,      EVENT) \
    X(EXTERNAL_INTERRUPT, handle_external_interrupt, EVENT) \
    X(TRIPLE_FAULT,       handle_triple_fault,       EVENT) \
    X(INIT,               handle_init,               EVENT) \
    X(SIPI,               handle_sipi,               EVENT) \
    X(INTERRUPT_WINDOW,   handle_interrupt_window,   EVENT) \
    X(NMI_WINDOW,         handle_nmi_window,         EVENT) \
    X(CPUID,              handle_cpuid,              INSN)  \
    X(GETSEC,             handle_vmx_instruction,    INSN)  \
    X(HLT,                handle_hlt,                INSN)  \
    X(INVD,               handle_invd,               INSN)  \
    X(VMCALL,             handle_vmcall,             INSN)  \
    X(VMCLEAR,            handle_vmx_instruction,    INSN)  \
    X(VMLAUNCH,           handle_vmx_instruction,    INSN)  \
    X(VMPTRLD,            handle_vmx_instruction,    INSN)  \
    X(VMPTRST,            handle_vmx_instruction,    INSN)  \
    X(VMREAD,             handle_vmx_instruction,    INSN)  \
    X(VMRESUME,           handle_vmx_instruction,    INSN)  \
    X(VMWRITE,            handle_vmx_instruction,    INSN)  \
    X(VMXOFF,             handle_vmx_instruction,    INSN)  \
    X(VMXON,              handle_vmx_instruction,    INSN)  \
    X(INVEPT,             handle_vmx_instruction,    INSN)  \
    X(INVVPID,            handle_vmx_instruction,    INSN)  \
    X(VMFUNC,             handle_vmx_instruction,    INSN)  \
    X(CR_ACCESS,          handle_cr_access,          INSN)  \
    X(IO,                 handle_io,                 INSN)  \
    X(RDMSR,              handle_rdmsr,              INSN)  \
    X(WRMSR,              handle_wrmsr,              INSN)  \
    X(EPT_VIOLATION,      handle_ept_violation,      EVENT) \
    X(EPT_MISCONFIG,      handle_ept_misconfig,      EVENT) \
    X(PREEMPTION_TIMER,   handle_preemption_timer,   EVENT) \
    X(XSETBV,             handle_xsetbv,             INSN)

#define VMX_HANDLER_PROTOTYPE(reason, fn, when) enum exit_action fn(struct vcpu *v, uint64_t qual);
VMX_EXIT_HANDLERS(VMX_HANDLER_PROTOTYPE)
#undef VMX_HANDLER_PROTOTYPE

/* Called from vmx/vmx_entry.asm on every exit; 0 = resume. */
int vmx_exit_dispatch(struct vcpu *v);

/* The exit kind (core/exit_kinds.h) of a basic exit reason. */
enum exit_kind vmx_exit_kind(uint32_t basic);

/* RIP += len, as executing an instruction of that length would. */
static inline __attribute__((always_inline)) void exit_advance_rip(uint32_t len)
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
 * (the field is valid only for instruction exits; decoded stores use
 * exit_advance_rip). */
static inline __attribute__((always_inline)) void exit_skip_instruction(void)
{
    exit_advance_rip(vmcs_read32(VMCS_RO_EXIT_INSTRUCTION_LEN));
}

void exit_inject_exception(uint8_t vector, bool has_error, uint32_t error);
/* The guest's state in a few readable lines (log_raw). */
void exit_dump_vmcs(struct vcpu *v);
/* Prints the exit and a readable VMCS dump, then ends the guest. */
enum exit_action exit_unhandled(struct vcpu *v, uint32_t reason, uint64_t qual, const char *why);

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

/* Software start-up: a pending virtual INIT taken (core/vm.c) and the VMCS
 * put in the state INIT leaves (active: the AP waits for its SIPI in
 * Kestrel).  False when none was pending. */
bool exit_take_virtual_init(struct vcpu *v);


#endif
