/*
 * The VMX decoding of I/O-instruction exits and EPT violations: the exit
 * qualification into the backend-neutral form core/ acts on (core/exit_io.c,
 * core/exit_memory.c).
 */
#include "vmx/exit.h"
#include "vmx/exit_qual.h"

enum exit_action handle_io(struct vcpu *v, uint64_t qual)
{
    struct io_qual q = exit_qual_io(qual);
    if (q.size == 0) {
        char words[64];
        exit_qual_io_format(&q, words, sizeof(words));
        return exit_unhandled(v, EXIT_REASON_IO, qual, words);
    }
    struct io_access io = { .port = q.port, .size = q.size, .in = q.in, .string = q.string };
    return core_exit_io(v, &io);
}

/* An IRET whose access faulted had already unblocked virtual NMIs; the
 * guest resumes at the IRET again (retried, or with #GP raised on it), so
 * the blocking it had before is restored (SDM 3C, "Exit Qualification for
 * EPT Violations", bit 12).  Not when the violation interrupted an event's
 * delivery: that event is delivered again instead. */
static void restore_nmi_blocking(uint64_t qual)
{
    if (!(qual & EPT_QUAL_NMI_UNBLOCKING) ||
        (vmcs_read32(VMCS_RO_IDT_VECTORING_INFO) & INTR_INFO_VALID)) {
        return;
    }
    vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
                 vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) | GUEST_INTR_BLOCKING_BY_NMI);
}

enum exit_action handle_ept_violation(struct vcpu *v, uint64_t qual)
{
    uint64_t gpa = vmcs_read64(VMCS_RO_GUEST_PHYSICAL_ADDRESS);
    restore_nmi_blocking(qual);
    if (core_memory_first_touch(v, gpa)) {
        return EXIT_RESUME;
    }
    struct ept_violation_qual q = exit_qual_ept_violation(qual);
    const struct mmio_page *page = core_mediated_page(v, gpa, q.write);
    if (page) {
        return core_exit_mediated_store(v, page, gpa);
    }
    char words[128];
    exit_qual_ept_violation_format(&q, gpa, vmcs_readnat(VMCS_RO_GUEST_LINEAR_ADDRESS), words,
                                   sizeof(words));
    return core_exit_memory_refused(v, gpa, words);
}

enum exit_action handle_ept_misconfig(struct vcpu *v, uint64_t qual)
{
    /* Kestrel built a bad EPT entry: its own bug, not the guest's. */
    return exit_unhandled(v, EXIT_REASON_EPT_MISCONFIG, qual, "EPT misconfiguration (Kestrel bug)");
}
