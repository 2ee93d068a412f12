/*
 * The handlers of decoded exits, backend-neutral: a backend's dispatcher
 * decodes its exit (VMX exit reason and qualification, SVM exit code and
 * EXITINFO) and calls these; they act through vm->ops (core/backend.h) and
 * the policies of core/.  Each returns what the vCPU does next.
 */
#ifndef KESTREL_CORE_EXIT_HANDLERS_H
#define KESTREL_CORE_EXIT_HANDLERS_H

#include <stdbool.h>
#include <stdint.h>
#include "core/vm.h"
#include "core/backend.h"
#include "core/mmio_guard.h"

/* RDMSR / WRMSR of ECX (core/msr_policy.c decides; core/exit_msr.c acts). */
enum exit_action core_exit_rdmsr(struct vcpu *v);
enum exit_action core_exit_wrmsr(struct vcpu *v);

/* XSETBV (core/xcr0.c's rules against the guest's CPUID). */
enum exit_action core_exit_xsetbv(struct vcpu *v);

/* INVD: executed as WBINVD (INVD would drop Kestrel's dirty lines too). */
enum exit_action core_exit_invd(struct vcpu *v);

/* A hypercall (VMCALL on Intel, VMMCALL on AMD): docs/vmcall.md. */
enum exit_action core_exit_hypercall(struct vcpu *v);

/* An instruction of the backend's own virtualization extension (VMX
 * instructions, VMRUN, STGI ...): the guest has none: #UD.  `name` says
 * which, `kind` is REFUSAL_VMX_INSTRUCTION or REFUSAL_SVM_INSTRUCTION. */
enum exit_action core_exit_virt_instruction(struct vcpu *v, enum refusal_kind kind,
                                            const char *name, const char *extension);

/* An access to an intercepted I/O port, as the backend decoded it. */
struct io_access {
    uint16_t port;
    uint8_t  size;        /* 1, 2 or 4 */
    bool     in;
    bool     string;      /* INS/OUTS (the instruction is decoded again from memory) */
};
enum exit_action core_exit_io(struct vcpu *v, const struct io_access *io);

/* A guest access the second-level tables did not allow (EPT violation,
 * nested page fault).  First, an address above the boot part of the map
 * that the map covers is mapped now (core_memory_first_touch: true means
 * resume, the access is retried).  Then the mediated MMIO page a store hit, if any
 * (NULL otherwise): such a store is decoded and performed, or dropped
 * (core_exit_mediated_store).  Anything else is refused with #GP
 * (core_exit_memory_refused); `words` describe the access the backend's
 * way, for the warning (formatted only then: the mediated path is hot). */
bool core_memory_first_touch(struct vcpu *v, uint64_t gpa);
const struct mmio_page *core_mediated_page(struct vcpu *v, uint64_t gpa, bool write);
enum exit_action core_exit_mediated_store(struct vcpu *v, const struct mmio_page *page,
                                          uint64_t gpa);
enum exit_action core_exit_memory_refused(struct vcpu *v, uint64_t gpa, const char *words);

/* The guest triple-faulted (VMX triple fault, SVM shutdown): a guest reset. */
enum exit_action core_exit_triple_fault(struct vcpu *v, uint64_t rip);

/* Prints the exit and the guest's state, then ends the guest. */
enum exit_action core_exit_unhandled(struct vcpu *v, const char *name, uint64_t code,
                                     uint64_t info, const char *why);

/* The x2APIC ICR write (MSR 0x830): mediated by core/apic_guard.c.  False:
 * inject #GP (reserved bits). */
bool core_x2apic_icr_write(struct vcpu *v, uint64_t value);

#endif
