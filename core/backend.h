/*
 * The ops table between the backend-neutral core and a backend (vmx/, svm/).
 * The core never touches a VMCS or VMCB: it asks through these, and each
 * backend fills one `const struct backend_ops` (vmx_backend, svm_backend).
 * The hot paths (the CPUID exit, the external interrupt) stay inside each
 * backend's dispatcher and never go through a function pointer; the ops are
 * for the slower, decoded exits and for set-up.
 */
#ifndef KESTREL_CORE_BACKEND_H
#define KESTREL_CORE_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include "core/vm.h"
#include "core/guest_walk.h"
#include "mm/slat.h"
#include "core/msr_policy.h"
#include "kernel/trap.h"

/* The guest's state at an exit, as a decoder needs it. */
struct guest_view {
    uint64_t rip, rsp, rflags;
    uint64_t cs_base;
    unsigned cpl;                    /* SS.DPL (VMX) or the VMCB CPL */
    unsigned code_bits;              /* 16, 32 or 64: what CS gives */
    struct guest_paging paging;      /* CR0, CR3, CR4, EFER (with LMA) */
};

/* Test hooks of kestrel.cfg's crash_test, done the backend's way. */
enum backend_crash {
    BACKEND_CRASH_BAD_ENTRY_STATE,   /* the first entry must fail on the guest state */
    BACKEND_CRASH_TRIPLE_FAULT,      /* no IDT and an unmapped RIP: #PF, #DF, shutdown */
};

struct backend_ops {
    const char *name;                /* "vmx", "svm" */
    enum slat_format slat_format;    /* the second-level table format */
    enum msr_backend msr_backend;    /* which meaning of the MSR policy rows applies */
    /* True where the CPU can hold a guest's AP in wait-for-SIPI itself
     * (VMX with that activity state); NULL: never (SVM).  Without it, or
     * with ap_start = mediated, INIT and SIPI are delivered in software:
     * the mediated ICR hands them to the core (vm->software_ap_start). */
    bool (*hardware_ap_start)(void);

    /* ---- the guest, on the BSP before any vCPU exists ---------------- */
    /* SLAT_ALLOW_* large pages the hardware takes. */
    unsigned (*slat_allow)(void);
    /* CR4 bits a guest may hold at all in this mode of operation (VMX:
     * IA32_VMX_CR4_FIXED1; SVM: any). */
    uint64_t (*cr4_possible)(void);
    /* The backend's own part, after the core built the SLAT and set up the
     * mediations: permission maps (from core/msr_policy.c), the SLAT
     * pointer, the watchdog.  False after logging why. */
    bool (*vm_init)(struct vm *vm);
    /* Makes accesses to one I/O port exit. */
    void (*intercept_port)(struct vm *vm, uint16_t port);

    /* ---- a vCPU, on its own CPU ------------------------------------- */
    /* Its control structure: host state, controls, and either a start at
     * `entry` or waiting for the guest's start-up IPIs (entry == NULL). */
    bool (*vcpu_init)(struct vcpu *v, const struct guest_entry *entry);
    /* Runs the guest until this vCPU leaves; false when an entry failed
     * (after logging it in words). */
    bool (*vcpu_run)(struct vcpu *v);
    void (*crash_test)(struct vcpu *v, enum backend_crash how);

    /* ---- during an exit, on the vCPU's CPU -------------------------- */
    /* Past the instruction that exited (as executing it would: also ends
     * an STI/MOV SS interrupt shadow). */
    void (*skip_instruction)(struct vcpu *v);
    /* RIP += len, for an instruction Kestrel decoded and performed. */
    void (*advance_rip)(struct vcpu *v, unsigned len);
    void (*inject_exception)(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
    void (*read_view)(struct vcpu *v, struct guest_view *out);
    /* The base of segment seg (enum insn_segment) as the guest has it. */
    uint64_t (*segment_base)(struct vcpu *v, unsigned seg);
    /* The guest copy of an MSR the policy says the backend keeps
     * (MSR_READ/WRITE_GUEST_STATE); false: #GP. */
    bool (*guest_msr)(struct vcpu *v, uint32_t msr, uint64_t *value, bool write);
    /* True if this exit interrupted the delivery of an event. */
    bool (*delivering_event)(struct vcpu *v);
    /* The guest's state in a few readable lines (log_raw). */
    void (*dump_state)(struct vcpu *v);
};

/* Shorthands for handlers. */
static inline void vcpu_skip_instruction(struct vcpu *v)
{
    v->vm->ops->skip_instruction(v);
}

static inline void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error,
                                         uint32_t error)
{
    v->vm->ops->inject_exception(v, vector, has_error, error);
}

static inline void vcpu_inject_ud(struct vcpu *v)
{
    vcpu_inject_exception(v, VEC_INVALID_OPCODE, false, 0);
}

static inline void vcpu_inject_gp(struct vcpu *v)
{
    vcpu_inject_exception(v, VEC_GENERAL_PROTECTION, true, 0);
}

#endif
