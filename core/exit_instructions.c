/*
 * Instructions that exit on both backends: RDMSR/WRMSR (policy in
 * core/msr_policy.c), XSETBV (core/xcr0.c), INVD, and the instructions of
 * the backend's own virtualization extension (the guest has none: #UD).
 */
#include "core/exit_handlers.h"
#include "core/msr_policy.h"
#include "core/xcr0.h"
#include "core/apic_guard.h"
#include "kernel/x86.h"
#include "kernel/safe_msr.h"
#include "kernel/log.h"

static uint64_t low32(uint64_t v)
{
    return v & 0xffffffffull;
}

bool core_x2apic_icr_write(struct vcpu *v, uint64_t value)
{
    struct apic_sender s = { v->slot, v->apic_id, &v->refusals };
    return apic_guard_x2apic_icr(&v->vm->apic, &s, value);
}

enum exit_action core_exit_rdmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs[GPR_RCX];
    uint64_t value = 0;
    bool ok;

    switch (msr_policy_read(msr, v->vm->ops->msr_backend, &v->msr_shadow, &value)) {
    case MSR_READ_EMULATE:
        ok = true;
        break;
    case MSR_READ_GUEST_STATE:
        ok = v->vm->ops->guest_msr(v, msr, &value, false);
        break;
    case MSR_READ_PASSTHROUGH:
        ok = rdmsr_safe(msr, &value);       /* false: the CPU has no such MSR */
        break;
    case MSR_READ_GP:
    default:
        ok = false;
        refusal_warn(&v->refusals, REFUSAL_MSR_READ, v->apic_id,
                     "guest rdmsr %#x (%s) refused (#GP)", msr, msr_policy_name(msr));
        break;
    }
    if (!ok) {
        vcpu_inject_gp(v);
        return EXIT_RESUME;
    }
    v->regs[GPR_RAX] = low32(value);
    v->regs[GPR_RDX] = value >> 32;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

enum exit_action core_exit_wrmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs[GPR_RCX];
    uint64_t value = low32(v->regs[GPR_RAX]) | (v->regs[GPR_RDX] << 32);
    uint64_t current = 0;
    const char *why = "";

    if (msr_policy_write_needs_current(msr) && !rdmsr_safe(msr, &current)) {
        current = 0;
    }
    switch (msr_policy_write(msr, v->vm->ops->msr_backend, value, current, &v->msr_shadow, &why)) {
    case MSR_WRITE_EMULATE:
        break;
    case MSR_WRITE_IGNORE:
        refusal_warn(&v->refusals, REFUSAL_MSR_WRITE, v->apic_id,
                     "guest wrmsr %#x = %#llx ignored: %s", msr, (unsigned long long)value, why);
        break;
    case MSR_WRITE_GUEST_STATE:
        if (v->vm->ops->guest_msr(v, msr, &value, true)) {
            break;
        }
        why = "not a value this register may hold";
        goto refuse;
    case MSR_WRITE_ICR:
        if (!core_x2apic_icr_write(v, value)) {
            vcpu_inject_gp(v);
            return EXIT_RESUME;
        }
        break;
    case MSR_WRITE_PASSTHROUGH:
        if (wrmsr_safe(msr, value)) {
            break;
        }
        why = "the CPU refused the value";
        goto refuse;
    case MSR_WRITE_GP:
    default:
    refuse:
        refusal_warn(&v->refusals, REFUSAL_MSR_WRITE, v->apic_id,
                     "guest wrmsr %#x = %#llx refused (#GP): %s", msr, (unsigned long long)value,
                     why);
        vcpu_inject_gp(v);
        return EXIT_RESUME;
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* XSETBV: the SDM's rules for XCR0 (core/xcr0.c) against the state
 * components CPUID.(0DH,0) shows the guest; Kestrel then executes it with a
 * fault fixup, so a rule the check missed still gives the guest #GP, never
 * a host exception. */
enum exit_action core_exit_xsetbv(struct vcpu *v)
{
    uint32_t xcr = (uint32_t)v->regs[GPR_RCX];
    uint64_t value = low32(v->regs[GPR_RAX]) | (v->regs[GPR_RDX] << 32);
    const char *why;

    if (xcr != 0) {
        why = "only XCR0 exists (ECX must be 0)";
    } else if (!(why = xcr0_problem(value, v->vm->xcr0_allowed)) && !xsetbv_safe(0, value)) {
        why = "the CPU refused the value";
    }
    if (why) {
        refusal_warn(&v->refusals, REFUSAL_XSETBV, v->apic_id,
                     "guest xsetbv xcr%u = %#llx refused (#GP): %s", xcr,
                     (unsigned long long)value, why);
        vcpu_inject_gp(v);
        return EXIT_RESUME;
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

enum exit_action core_exit_invd(struct vcpu *v)
{
    /* INVD would drop dirty lines of Kestrel's memory too: write back instead. */
    wbinvd();
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

enum exit_action core_exit_virt_instruction(struct vcpu *v, enum refusal_kind kind,
                                            const char *name, const char *extension)
{
    /* The guest was told there is no such extension: its instructions are
     * invalid opcodes to it. */
    refusal_warn(&v->refusals, kind, v->apic_id, "guest %s refused (#UD): the guest has no %s",
                 name, extension);
    vcpu_inject_ud(v);
    return EXIT_RESUME;
}

enum exit_action core_exit_triple_fault(struct vcpu *v, uint64_t rip)
{
    log_warn("cpu %u: guest triple fault at rip %#llx", v->apic_id, (unsigned long long)rip);
    v->vm->ops->dump_state(v);
    vm_request_end(v->vm, GUEST_RESET, "triple-fault");
    return EXIT_LEAVE;
}

enum exit_action core_exit_unhandled(struct vcpu *v, const char *name, uint64_t code,
                                     uint64_t info, const char *why)
{
    log_error("cpu %u: unhandled VM exit %s (%llu), qualification %#llx: %s; guest stopped",
              v->apic_id, name, (unsigned long long)code, (unsigned long long)info, why);
    v->vm->ops->dump_state(v);
    vm_request_end(v->vm, GUEST_FAILED, name);
    return EXIT_LEAVE;
}
