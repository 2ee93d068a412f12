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
#include "vmx/exit_guest_mem.h"
#include "core/mmio_guard.h"
#include "core/insn_decode.h"

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

static const char *const mmio_kind_names[] = {
    [MMIO_XAPIC] = "local APIC", [MMIO_IOAPIC] = "I/O APIC", [MMIO_ECAM] = "PCI ECAM",
};

/* A register operand as the store reads it (size bytes; AH..BH). */
static uint64_t store_source(const struct vcpu *v, const struct insn_store *st)
{
    uint64_t value;
    if (!st->from_register) {
        value = st->immediate;
    } else if (st->high_byte) {
        value = (v->regs[st->reg] >> 8) & 0xff;
    } else {
        value = st->reg == GPR_RSP ? vmcs_readnat(VMCS_GUEST_RSP) : v->regs[st->reg];
    }
    return st->size >= 8 ? value : value & ((1ull << (8 * st->size)) - 1);
}

/* XCHG's load into the register, as a MOV of that size would write it. */
static void store_exchange_result(struct vcpu *v, const struct insn_store *st, uint64_t old)
{
    uint64_t *r = &v->regs[st->reg];
    if (st->high_byte) {
        *r = (*r & ~0xff00ull) | ((old & 0xff) << 8);
    } else if (st->size == 1) {
        *r = (*r & ~0xffull) | (old & 0xff);
    } else if (st->size == 2) {
        *r = (*r & ~0xffffull) | (old & 0xffff);
    } else {
        *r = st->size == 4 ? (old & 0xffffffffull) : old;   /* 32-bit writes zero-extend */
    }
}

/* A store to a write-protected MMIO page: read the instruction back from
 * guest memory, decode it, and let the guard perform (or refuse) it. */
static enum exit_action mediated_store(struct vcpu *v, const struct mmio_page *page,
                                       uint64_t gpa)
{
    uint8_t bytes[INSN_MAX_LENGTH];
    size_t len = 0;
    struct insn_store st;
    enum insn_status ist = INSN_UNSUPPORTED;
    const char *why = 0;

    if (vmcs_read32(VMCS_RO_IDT_VECTORING_INFO) & INTR_INFO_VALID) {
        why = "it happened while an event was delivered";
    } else if (exit_fetch_instruction(v, bytes, &len) != GUEST_WALK_OK) {
        why = "the instruction cannot be read back";
    } else if ((ist = insn_decode_store(bytes, len, exit_code_bits(), &st)) != INSN_OK) {
        why = insn_status_name(ist);
    }
    if (!why) {
        struct apic_sender s = { v->slot, v->apic_id, &v->refusals };
        struct mmio_targets t = { &v->vm->apic, &v->vm->ioapic, &v->vm->ports };
        uint64_t old;
        if (mmio_guard_write(&v->vm->mmio, &t, page, &s, gpa, st.size, store_source(v, &st),
                             st.exchange, &old)) {
            if (st.exchange) {
                store_exchange_result(v, &st, old);
            }
        } else {
            refusal_warn(&v->refusals, REFUSAL_MMIO, v->apic_id,
                         "guest %u-byte store to the %s page at gpa %#llx dropped: not a "
                         "register access", st.size, mmio_kind_names[page->kind],
                         (unsigned long long)gpa);
        }
        exit_advance_rip(st.length);
        return EXIT_RESUME;
    }
    refusal_warn(&v->refusals, REFUSAL_MMIO, v->apic_id,
                 "guest store to the %s page at gpa %#llx refused (#GP): %s",
                 mmio_kind_names[page->kind], (unsigned long long)gpa, why);
    exit_inject_gp();
    return EXIT_RESUME;
}

enum exit_action handle_ept_violation(struct vcpu *v, uint64_t qual)
{
    uint64_t gpa = vmcs_read64(VMCS_RO_GUEST_PHYSICAL_ADDRESS);
    struct ept_violation_qual q = exit_qual_ept_violation(qual);
    const struct mmio_page *page = q.write ? mmio_guard_find(&v->vm->mmio, gpa) : 0;
    if (page) {
        return mediated_store(v, page, gpa);
    }

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
