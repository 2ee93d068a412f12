/*
 * Failed VM entries, in words.  The CPU only says "invalid guest state" or
 * gives an instruction error number; Kestrel reads the VMCS back and runs
 * the SDM's checks itself (vmx/guest_state_check.c) to name the field.
 */
#include "vmx/entry_failure.h"
#include "vmx/guest_state_check.h"
#include "vmx/exit_qual.h"
#include "vmx/vmx_names.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_root.h"
#include "kernel/x86.h"
#include "kernel/log.h"

#define MAX_REPORTED_CHECKS 8

static void read_guest_state(struct gsc_guest_state *g)
{
    g->cr0 = vmcs_readnat(VMCS_GUEST_CR0);
    g->cr3 = vmcs_readnat(VMCS_GUEST_CR3);
    g->cr4 = vmcs_readnat(VMCS_GUEST_CR4);
    g->dr7 = vmcs_readnat(VMCS_GUEST_DR7);
    g->rsp = vmcs_readnat(VMCS_GUEST_RSP);
    g->rip = vmcs_readnat(VMCS_GUEST_RIP);
    g->rflags = vmcs_readnat(VMCS_GUEST_RFLAGS);
    g->debugctl = vmcs_read64(VMCS_GUEST_IA32_DEBUGCTL);
    g->sysenter_esp = vmcs_readnat(VMCS_GUEST_IA32_SYSENTER_ESP);
    g->sysenter_eip = vmcs_readnat(VMCS_GUEST_IA32_SYSENTER_EIP);
    g->sysenter_cs = vmcs_read32(VMCS_GUEST_IA32_SYSENTER_CS);
    g->efer = vmcs_read64(VMCS_GUEST_IA32_EFER);
    g->pat = vmcs_read64(VMCS_GUEST_IA32_PAT);
    g->perf_global_ctrl = 0;
    g->bndcfgs = 0;
    for (unsigned s = 0; s < GSC_SEG_COUNT; s++) {
        g->seg[s].selector = (uint16_t)vmcs_read_checked(VMCS_GUEST_ES_SELECTOR + 2 * s);
        g->seg[s].base = vmcs_read_checked(VMCS_GUEST_ES_BASE + 2 * s);
        g->seg[s].limit = (uint32_t)vmcs_read_checked(VMCS_GUEST_ES_LIMIT + 2 * s);
        g->seg[s].access_rights = (uint32_t)vmcs_read_checked(VMCS_GUEST_ES_ACCESS_RIGHTS + 2 * s);
    }
    g->gdtr_base = vmcs_readnat(VMCS_GUEST_GDTR_BASE);
    g->idtr_base = vmcs_readnat(VMCS_GUEST_IDTR_BASE);
    g->gdtr_limit = vmcs_read32(VMCS_GUEST_GDTR_LIMIT);
    g->idtr_limit = vmcs_read32(VMCS_GUEST_IDTR_LIMIT);
    g->activity_state = vmcs_read32(VMCS_GUEST_ACTIVITY_STATE);
    g->interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
    g->pending_dbg = vmcs_readnat(VMCS_GUEST_PENDING_DBG_EXCEPTIONS);
    g->vmcs_link_pointer = vmcs_read64(VMCS_GUEST_VMCS_LINK_POINTER);
    g->entry_intr_info = vmcs_read32(VMCS_CTRL_ENTRY_INTR_INFO);
}

static void run_guest_state_checks(struct vcpu *v)
{
    const struct vmx_caps *caps = vmx_caps();
    static struct gsc_guest_state g;
    struct gsc_controls c = {
        .pin = vmcs_read32(VMCS_CTRL_PIN_BASED),
        .proc = vmcs_read32(VMCS_CTRL_PROC_BASED),
        .proc2 = vmcs_read32(VMCS_CTRL_PROC_BASED2),
        .exit = vmcs_read32(VMCS_CTRL_EXIT),
        .entry = vmcs_read32(VMCS_CTRL_ENTRY),
        .cr0_fixed0 = caps->msr.cr0_fixed0,
        .cr0_fixed1 = caps->msr.cr0_fixed1,
        .cr4_fixed0 = caps->msr.cr4_fixed0,
        .cr4_fixed1 = caps->msr.cr4_fixed1,
        .vmx_misc = caps->msr.misc,
        .phys_addr_bits = cpuid(0x80000008, 0).eax & 0xff,
    };
    struct gsc_failure failures[MAX_REPORTED_CHECKS];

    read_guest_state(&g);
    unsigned n = gsc_check_all(&g, &c, failures, MAX_REPORTED_CHECKS);
    if (n == 0) {
        log_raw("  cpu %u: the guest state passes every check Kestrel knows; the cause is elsewhere\n",
                v->apic_id);
    }
    for (unsigned i = 0; i < n && i < MAX_REPORTED_CHECKS; i++) {
        log_raw("  cpu %u: guest-state check failed: %s (%s)\n", v->apic_id, failures[i].check,
                failures[i].field);
    }
}

void entry_failure_report(struct vcpu *v, uint32_t exit_reason, uint64_t qual)
{
    char words[96];
    vm_entry_failure_format(exit_reason, qual, words, sizeof(words));
    log_error("cpu %u: VM entry failed: %s", v->apic_id, words);
    if ((exit_reason & EXIT_REASON_BASIC_MASK) == EXIT_REASON_ENTRY_INVALID_GUEST_STATE) {
        run_guest_state_checks(v);
    }
}

void entry_instruction_failure_report(struct vcpu *v, int vmx_enter_result)
{
    if (vmx_enter_result == VMX_FAIL_INVALID) {
        log_error("cpu %u: %s failed: VMfailInvalid (no current VMCS)", v->apic_id,
                  v->launched ? "VMRESUME" : "VMLAUNCH");
        return;
    }
    uint32_t err = vmcs_read32(VMCS_RO_VM_INSTRUCTION_ERROR);
    log_error("cpu %u: %s failed: VM-instruction error %u (%s)", v->apic_id,
              v->launched ? "VMRESUME" : "VMLAUNCH", err, vm_instruction_error_text(err));
    run_guest_state_checks(v);
}
