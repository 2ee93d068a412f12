/*
 * The VM-exit dispatcher: one table indexed by the basic exit reason, every
 * reason named (vmx/vmx_names.c); anything without a handler stops the
 * guest with a readable VMCS dump.  The hot path (a CPUID exit) is: read
 * the reason, count it, call the handler, deliver what is pending, resume —
 * no logging, no locks, no table walks.
 */
#include "vmx/exit.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_names.h"
#include "vmx/exit_qual.h"
#include "vmx/entry_failure.h"
#include "core/exit_cpuid.h"
#include "kernel/x86.h"
#include "kernel/log.h"

/* Each reason: its handler, and whether the exit can interrupt the
 * delivery of an event (vmx/exit.h). */
struct exit_entry {
    exit_handler_fn handler;
    bool during_delivery;
};

#define EXIT_WHEN_INSN  false
#define EXIT_WHEN_EVENT true
#define VMX_TABLE_ROW(reason, fn, when) \
    [EXIT_REASON_##reason] = { fn, EXIT_WHEN_##when },

static const struct exit_entry exit_table[EXIT_REASON_COUNT] = {
    VMX_EXIT_HANDLERS(VMX_TABLE_ROW)
};

/* Every basic reason counts under the kind of the same name
 * (core/exit_kinds.h lists the VMX reasons first, by those names). */
#define VMX_KIND_ROW(k, name) [EXIT_REASON_##k] = EXIT_KIND_##k,
static const uint8_t reason_kind[EXIT_REASON_COUNT] = {
    EXIT_KINDS_VMX(VMX_KIND_ROW)
};
_Static_assert(EXIT_KIND_COUNT <= 256, "reason_kind holds kinds in a byte");

enum exit_kind vmx_exit_kind(uint32_t basic)
{
    if (basic >= EXIT_REASON_COUNT || (!reason_kind[basic] && basic != EXIT_REASON_EXCEPTION_NMI)) {
        return EXIT_KIND_UNKNOWN;
    }
    return (enum exit_kind)reason_kind[basic];
}

void exit_inject_exception(uint8_t vector, bool has_error, uint32_t error)
{
    uint32_t info = INTR_INFO(vector, INTR_TYPE_HARDWARE_EXCEPTION);
    if (has_error) {
        info |= INTR_INFO_ERROR_CODE_VALID;
        vmcs_write32(VMCS_CTRL_ENTRY_EXCEPTION_ERROR_CODE, error);
    }
    vmcs_write32(VMCS_CTRL_ENTRY_INTR_INFO, info);
}

/* An exit in the middle of delivering an event (IDT-vectoring information
 * valid) must not lose it: deliver it again on the next entry (SDM 28.2.4). */
static void redeliver_interrupted_event(void)
{
    uint32_t vectoring = vmcs_read32(VMCS_RO_IDT_VECTORING_INFO);
    if (!(vectoring & INTR_INFO_VALID)) {
        return;
    }
    if (vectoring & INTR_INFO_ERROR_CODE_VALID) {
        vmcs_write32(VMCS_CTRL_ENTRY_EXCEPTION_ERROR_CODE,
                     vmcs_read32(VMCS_RO_IDT_VECTORING_ERROR_CODE));
    }
    vmcs_write32(VMCS_CTRL_ENTRY_INSTRUCTION_LEN, vmcs_read32(VMCS_RO_EXIT_INSTRUCTION_LEN));
    vmcs_write32(VMCS_CTRL_ENTRY_INTR_INFO, vectoring & ~INTR_INFO_NMI_UNBLOCKING);
}


static inline __attribute__((always_inline)) enum exit_action dispatch_by_table(struct vcpu *v, uint32_t raw)
{
    uint32_t basic = raw & EXIT_REASON_BASIC_MASK;

    if (__builtin_expect(raw & EXIT_REASON_FLAG_ENTRY_FAILURE, 0)) {
        entry_failure_report(v, raw, vmcs_readnat(VMCS_RO_EXIT_QUALIFICATION));
        vm_request_end(v->vm, GUEST_FAILED, "VM entry failed");
        return EXIT_LEAVE;
    }
    if (__builtin_expect(basic >= EXIT_REASON_COUNT || !exit_table[basic].handler, 0)) {
        return exit_unhandled(v, raw, vmcs_readnat(VMCS_RO_EXIT_QUALIFICATION), "no handler");
    }
    if (exit_table[basic].during_delivery) {
        redeliver_interrupted_event();
    }
    return exit_table[basic].handler(v, vmcs_readnat(VMCS_RO_EXIT_QUALIFICATION));
}

/* Everything the fast paths leave: sampling, the table, the
 * end-of-guest and pending-event checks.  Out of line, so the fast path
 * below needs no saved registers of its own. */
static __attribute__((noinline)) int dispatch_general(struct vcpu *v, uint32_t raw)
{
    enum exit_kind kind = vmx_exit_kind(raw & EXIT_REASON_BASIC_MASK);
    bool sample = (v->exits[kind] % EXIT_CYCLE_SAMPLE) == 0;
    uint64_t start = sample ? rdtsc() : 0;
    enum exit_action action;

    if (raw == EXIT_REASON_CPUID) {
        core_cpuid(v);
        exit_skip_instruction();
        action = EXIT_RESUME;
    } else {
        action = dispatch_by_table(v, raw);
    }
    v->exits[kind]++;
    if (sample) {
        v->exit_cycles[kind] += rdtsc() - start;
        v->exit_samples[kind]++;
    }
    if (__builtin_expect(v->vm->end != GUEST_RUNNING, 0)) {
        return EXIT_LEAVE;     /* this or another vCPU ended the guest */
    }
    /* A virtual INIT (software start-up, core/vm.c): the vCPU leaves for
     * vmx_backend.c's run loop, which waits for the SIPI. */
    if (__builtin_expect(ap_start_init_pending(&v->ap), 0) && action == EXIT_RESUME &&
        exit_take_virtual_init(v)) {
        return EXIT_LEAVE;
    }
    /* Nothing is injected into a vCPU in wait-for-SIPI (VM entry would
     * refuse it; the SIPI discards the queue anyway). */
    if (__builtin_expect(action == EXIT_RESUME && vcpu_events_pending(v), 0) && vcpu_started(v)) {
        exit_deliver_pending(v);
    }
    /* Re-arm the fast path once nothing is waiting (a guest's end also
     * arrives as an NMI exit, so a race here cannot lose it). */
    if (v->attention) {
        v->attention = vcpu_events_pending(v);
    }
    return action;
}

/* An external interrupt the guest may take at once goes straight back in;
 * otherwise the general path queues it.  Out of line like dispatch_general,
 * so both are tail calls and the dispatcher itself saves no registers. */
static __attribute__((noinline)) int dispatch_interrupt(struct vcpu *v, uint32_t raw)
{
    if (exit_interrupt_fast()) {
        v->exits[EXIT_KIND_EXTERNAL_INTERRUPT]++;
        return EXIT_RESUME;
    }
    return dispatch_general(v, raw);
}

int vmx_exit_dispatch(struct vcpu *v)
{
    uint32_t raw = vmcs_read32(VMCS_RO_EXIT_REASON);

    /* The fast paths.  First an unsampled CPUID exit (no flags set, so raw equals
     * the reason) of a running guest with nothing to deliver. */
    if (__builtin_expect(raw == EXIT_REASON_CPUID && !v->attention &&
                         (v->exits[EXIT_KIND_CPUID] % EXIT_CYCLE_SAMPLE) != 0, 1)) {
        v->exits[EXIT_KIND_CPUID]++;
        core_cpuid(v);
        exit_skip_instruction();
        return EXIT_RESUME;
    }
    /* The other one: an unsampled external interrupt with nothing else
     * pending (the host's timer ticks and device interrupts all come here). */
    if (raw == EXIT_REASON_EXTERNAL_INTERRUPT && !v->attention &&
        (v->exits[EXIT_KIND_EXTERNAL_INTERRUPT] % EXIT_CYCLE_SAMPLE) != 0) {
        return dispatch_interrupt(v, raw);
    }
    return dispatch_general(v, raw);
}

void exit_dump_vmcs(struct vcpu *v)
{
    char buf[160];
    uint32_t info = vmcs_read32(VMCS_RO_EXIT_INTR_INFO);
    struct intr_info ii = intr_info_decode(info);
    intr_info_format(&ii, vmcs_read32(VMCS_RO_EXIT_INTR_ERROR_CODE), buf, sizeof(buf));
    log_raw("  cpu %u vmcs: rip %#llx rsp %#llx rflags %#llx cs %#x (ar %#x) ss %#x\n", v->apic_id,
            (unsigned long long)vmcs_readnat(VMCS_GUEST_RIP),
            (unsigned long long)vmcs_readnat(VMCS_GUEST_RSP),
            (unsigned long long)vmcs_readnat(VMCS_GUEST_RFLAGS), vmcs_read16(VMCS_GUEST_CS_SELECTOR),
            vmcs_read32(VMCS_GUEST_CS_ACCESS_RIGHTS), vmcs_read16(VMCS_GUEST_SS_SELECTOR));
    log_raw("  cr0 %#llx (shadow %#llx) cr3 %#llx cr4 %#llx (shadow %#llx) efer %#llx\n",
            (unsigned long long)vmcs_readnat(VMCS_GUEST_CR0),
            (unsigned long long)vmcs_readnat(VMCS_CTRL_CR0_READ_SHADOW),
            (unsigned long long)vmcs_readnat(VMCS_GUEST_CR3),
            (unsigned long long)vmcs_readnat(VMCS_GUEST_CR4),
            (unsigned long long)vmcs_readnat(VMCS_CTRL_CR4_READ_SHADOW),
            (unsigned long long)vmcs_read64(VMCS_GUEST_IA32_EFER));
    log_raw("  exit interruption: %s; gpa %#llx linear %#llx activity %u interruptibility %#x\n", buf,
            (unsigned long long)vmcs_read64(VMCS_RO_GUEST_PHYSICAL_ADDRESS),
            (unsigned long long)vmcs_readnat(VMCS_RO_GUEST_LINEAR_ADDRESS),
            vmcs_read32(VMCS_GUEST_ACTIVITY_STATE), vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY));
    log_raw("  rax %#llx rbx %#llx rcx %#llx rdx %#llx rsi %#llx rdi %#llx\n",
            (unsigned long long)v->regs[GPR_RAX], (unsigned long long)v->regs[GPR_RBX],
            (unsigned long long)v->regs[GPR_RCX], (unsigned long long)v->regs[GPR_RDX],
            (unsigned long long)v->regs[GPR_RSI], (unsigned long long)v->regs[GPR_RDI]);
}

enum exit_action exit_unhandled(struct vcpu *v, uint32_t reason, uint64_t qual, const char *why)
{
    uint32_t basic = reason & EXIT_REASON_BASIC_MASK;
    return core_exit_unhandled(v, exit_reason_name(basic), basic, qual, why);
}
