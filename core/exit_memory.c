/*
 * Second-level violations (EPT violations, nested page faults).  The
 * guest's memory is an identity map of everything but Kestrel's own memory
 * (unmapped) and the firmware's runtime regions (read-only); the MMIO pages
 * Kestrel mediates are read-only too.  A store to a mediated page is read
 * back from guest memory, decoded, and performed by the guard (or dropped);
 * any other access is refused with #GP(0) in the guest, fault-like (nothing
 * is emulated, nothing of Kestrel's is read or written), and logged once per
 * vCPU and kind of memory.
 */
#include "core/exit_handlers.h"
#include "core/guest_mem.h"
#include "core/mmio_guard.h"
#include "core/insn_decode.h"
#include "core/vm_slat.h"

static const char *const mmio_kind_names[] = {
    [MMIO_XAPIC] = "local APIC", [MMIO_IOAPIC] = "I/O APIC", [MMIO_ECAM] = "PCI ECAM",
};

/* A register operand as the store reads it (size bytes; AH..BH). */
static uint64_t store_source(const struct vcpu *v, const struct guest_view *view,
                             const struct insn_store *st)
{
    uint64_t value;
    if (!st->from_register) {
        value = st->immediate;
    } else if (st->high_byte) {
        value = (v->regs[st->reg] >> 8) & 0xff;
    } else {
        value = st->reg == GPR_RSP ? view->rsp : v->regs[st->reg];
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
enum exit_action core_exit_mediated_store(struct vcpu *v, const struct mmio_page *page,
                                          uint64_t gpa)
{
    struct guest_view view;
    uint8_t bytes[INSN_MAX_LENGTH];
    size_t len = 0;
    struct insn_store st;
    enum insn_status ist = INSN_UNSUPPORTED;
    const char *why = 0;

    v->vm->ops->read_view(v, &view);
    if (v->vm->ops->delivering_event(v)) {
        why = "it happened while an event was delivered";
    } else if (guest_fetch_instruction(v, &view, bytes, &len) != GUEST_WALK_OK) {
        why = "the instruction cannot be read back";
    } else if ((ist = insn_decode_store(bytes, len, view.code_bits, &st)) != INSN_OK) {
        why = insn_status_name(ist);
    }
    if (!why) {
        struct apic_sender s = { v->slot, v->apic_id, &v->refusals };
        struct mmio_targets t = { &v->vm->apic, &v->vm->ioapic, &v->vm->ports };
        uint64_t old;
        if (mmio_guard_write(&v->vm->mmio, &t, page, &s, gpa, st.size,
                             store_source(v, &view, &st), st.exchange, &old)) {
            if (st.exchange) {
                store_exchange_result(v, &st, old);
            }
        } else {
            refusal_warn(&v->refusals, REFUSAL_MMIO, v->apic_id,
                         "guest %u-byte store to the %s page at gpa %#llx dropped: not a "
                         "register access", st.size, mmio_kind_names[page->kind],
                         (unsigned long long)gpa);
        }
        v->vm->ops->advance_rip(v, st.length);
        return EXIT_RESUME;
    }
    refusal_warn(&v->refusals, REFUSAL_MMIO, v->apic_id,
                 "guest store to the %s page at gpa %#llx refused (#GP): %s",
                 mmio_kind_names[page->kind], (unsigned long long)gpa, why);
    vcpu_inject_gp(v);
    return EXIT_RESUME;
}

bool core_memory_first_touch(struct vcpu *v, uint64_t gpa)
{
    return vm_slat_fill(v->vm, gpa);
}

const struct mmio_page *core_mediated_page(struct vcpu *v, uint64_t gpa, bool write)
{
    return write ? mmio_guard_find(&v->vm->mmio, gpa) : 0;
}

enum exit_action core_exit_memory_refused(struct vcpu *v, uint64_t gpa, const char *words)
{
    uint32_t kind = vm_memory_kind_at(v->vm, gpa);
    enum refusal_kind what = kind == MEM_HYPERVISOR ? REFUSAL_MEM_HYPERVISOR
                           : kind == MEM_RUNTIME_CODE || kind == MEM_RUNTIME_DATA
                               ? REFUSAL_MEM_FIRMWARE : REFUSAL_MEM_OTHER;
    refusal_warn(&v->refusals, what, v->apic_id, "guest access refused (%s memory): %s; #GP injected",
                 kind ? memmap_kind_name((enum mem_kind)kind) : "unmapped", words);
    vcpu_inject_gp(v);
    return EXIT_RESUME;
}
