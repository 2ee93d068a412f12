/*
 * Kestrel's hypercalls (docs/vmcall.md; numbers in include/hypercall.h):
 * VMCALL (Intel) or VMMCALL (AMD) with the function in RAX, arguments in
 * RBX, RCX, RDX, the result in RAX.  Only guest kernel mode may call: at
 * CPL > 0 the instruction raises #UD, so no user program inside a guest
 * can, say, power the machine off.  Every guest-physical buffer is checked
 * to be guest RAM first: a guest cannot make Kestrel read or write Kestrel's
 * own memory for it.
 */
#include "core/exit_handlers.h"
#include "hypercall.h"
#include "kernel/log.h"

#define HYPERCALL_ABI_VERSION 1
#define LOG_WRITE_MAX         200

static uint64_t log_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
    if (len > LOG_WRITE_MAX) {
        len = LOG_WRITE_MAX;
    }
    if (!vm_guest_range_ok(v->vm, gpa, len)) {
        return KESTREL_HC_RESULT_UNKNOWN;
    }
    /* Escaped, into the guests' own history ring: one call is one line,
     * and no guest text can pass for one of Kestrel's lines. */
    log_guest_text(v->apic_id, (const char *)gpa, len);
    return len;
}

static uint64_t log_read(struct vcpu *v, uint64_t gpa, uint64_t size)
{
    if (!vm_guest_range_ok(v->vm, gpa, size)) {
        return KESTREL_HC_RESULT_UNKNOWN;
    }
    return log_read_history((char *)gpa, size);
}

static uint64_t isolation_intact(const struct vm *vm)
{
    const volatile uint64_t *page = (const volatile uint64_t *)vm->canary;
    for (unsigned i = 0; i < VM_CANARY_WORDS; i++) {
        if (page[i] != vm_canary_pattern(i)) {
            return 0;
        }
    }
    return 1;
}

enum exit_action core_exit_hypercall(struct vcpu *v)
{
    struct guest_view view;
    v->vm->ops->read_view(v, &view);
    if (view.cpl != 0) {
        vcpu_inject_ud(v);
        return EXIT_RESUME;
    }
    uint64_t fn = v->regs[GPR_RAX], a = v->regs[GPR_RBX], b = v->regs[GPR_RCX];
    /* Outside 64-bit mode the upper halves of the registers are not the
     * guest's to set: use the low 32 bits (a multiboot kernel calls from
     * 32-bit protected mode). */
    if (view.code_bits != 64) {
        fn = (uint32_t)fn, a = (uint32_t)a, b = (uint32_t)b;
    }
    uint64_t result;

    switch (fn) {
    case KESTREL_HC_VERSION:
        result = HYPERCALL_ABI_VERSION;
        break;
    case KESTREL_HC_LOG_WRITE:
        result = log_write(v, a, b);
        break;
    case KESTREL_HC_LOG_READ:
        result = log_read(v, a, b);
        break;
    case KESTREL_HC_EXIT_STATS:
        vm_log_exit_stats(v);
        result = vcpu_exits_total(v);
        break;
    case KESTREL_HC_POWER_OFF:
        vm_request_end(v->vm, GUEST_POWER_OFF, "");
        return EXIT_LEAVE;
    case KESTREL_HC_CHECK_ISOLATION:
        result = isolation_intact(v->vm);
        break;
    default:
        refusal_warn(&v->refusals, REFUSAL_HYPERCALL, v->apic_id, "unknown hypercall %#llx",
                     (unsigned long long)fn);
        result = KESTREL_HC_RESULT_UNKNOWN;
        break;
    }
    v->regs[GPR_RAX] = result;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
