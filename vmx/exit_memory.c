/*
 * EPT violations and misconfigurations.  The guest's memory is an identity
 * map of everything but Kestrel's own memory (unmapped) and the firmware's
 * runtime regions (read-only).  An access there is refused with #GP(0) in
 * the guest, fault-like (nothing is emulated, nothing of Kestrel's is read
 * or written), and logged once per vCPU and kind of memory.
 */
#include "vmx/exit.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "vmx/exit_qual.h"
#include "kernel/log.h"

/* The kind of memory at gpa; 0 where the map has nothing (beyond the EPT's top). */
static uint32_t kind_at(const struct vm *vm, uint64_t gpa)
{
    for (size_t i = 0; i < vm->map_count; i++) {
        if (gpa >= vm->map[i].base && gpa - vm->map[i].base < vm->map[i].size) {
            return vm->map[i].kind;
        }
    }
    return 0;
}

enum exit_action handle_ept_violation(struct vcpu *v, uint64_t qual)
{
    uint64_t gpa = vmcs_read64(VMCS_RO_GUEST_PHYSICAL_ADDRESS);
    struct ept_violation_qual q = exit_qual_ept_violation(qual);

    uint32_t kind = kind_at(v->vm, gpa);
    enum refusal_kind what = kind == MEM_HYPERVISOR ? REFUSAL_MEM_HYPERVISOR
                           : kind == MEM_RUNTIME_CODE || kind == MEM_RUNTIME_DATA
                               ? REFUSAL_MEM_FIRMWARE : REFUSAL_MEM_OTHER;
    char words[128];
    exit_qual_ept_violation_format(&q, gpa, vmcs_readnat(VMCS_RO_GUEST_LINEAR_ADDRESS), words,
                                   sizeof(words));
    refusal_warn(&v->refusals, what, v->apic_id, "guest access refused (%s memory): %s; #GP injected",
                 kind ? memmap_kind_name((enum mem_kind)kind) : "unmapped", words);
    exit_inject_gp();
    return EXIT_RESUME;
}

enum exit_action handle_ept_misconfig(struct vcpu *v, uint64_t qual)
{
    /* Kestrel built a bad EPT entry: its own bug, not the guest's. */
    return exit_unhandled(v, EXIT_REASON_EPT_MISCONFIG, qual, "EPT misconfiguration (Kestrel bug)");
}
