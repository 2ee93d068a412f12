/*
 * Refusals: what a guest tried and Kestrel did not allow (an MSR, an XCR0,
 * a CR write, hidden memory, an IPI outside the guest, a sleep state ...).
 * The guest sees what a CPU without the feature would do; Kestrel warns once
 * per vCPU and kind, and counts the rest, so a guest that repeats an attack
 * cannot flood the log (docs/status-lines.md: `kestrel: refused cpu...`).
 */
#ifndef KESTREL_CORE_REFUSAL_H
#define KESTREL_CORE_REFUSAL_H

#include <stdbool.h>
#include <stdint.h>

#define REFUSAL_KINDS(X)                                                              \
    X(REFUSAL_MSR_READ,        "msr-read")                                            \
    X(REFUSAL_MSR_WRITE,       "msr-write")                                           \
    X(REFUSAL_XSETBV,          "xsetbv")                                              \
    X(REFUSAL_CR_WRITE,        "cr-write")                                            \
    X(REFUSAL_VMX_INSTRUCTION, "vmx-instruction")                                     \
    X(REFUSAL_SVM_INSTRUCTION, "svm-instruction")                                     \
    X(REFUSAL_HYPERCALL,       "hypercall")                                           \
    X(REFUSAL_MEM_HYPERVISOR,  "hypervisor-memory")                                   \
    X(REFUSAL_MEM_FIRMWARE,    "firmware-memory")                                     \
    X(REFUSAL_MEM_OTHER,       "memory")                                              \
    X(REFUSAL_MMIO,            "mmio")                                                \
    X(REFUSAL_IPI,             "ipi")                                                 \
    X(REFUSAL_IOAPIC,          "ioapic")                                              \
    X(REFUSAL_SLEEP,           "acpi-sleep")                                          \
    X(REFUSAL_PCI_CONFIG,      "pci-config")                                          \
    X(REFUSAL_IO,              "io")

#define REFUSAL_ENUM_(id, name) id,
enum refusal_kind { REFUSAL_KINDS(REFUSAL_ENUM_) REFUSAL_KIND_COUNT };
#undef REFUSAL_ENUM_

struct refusal_log {
    uint32_t reported;                    /* bit per kind: its warning was printed */
    uint32_t counts[REFUSAL_KIND_COUNT];
};

_Static_assert(REFUSAL_KIND_COUNT <= 32, "refusal_log.reported has one bit per kind");

/* Counts one refusal of kind k; true for the first one (the caller prints
 * its warning then, and only then). */
static inline bool refusal_note(struct refusal_log *r, enum refusal_kind k)
{
    r->counts[k]++;
    if (r->reported & (1u << k))
        return false;
    r->reported |= 1u << k;
    return true;
}

const char *refusal_kind_name(enum refusal_kind k);

/* refusal_note(), and for the first refusal of its kind on this vCPU the
 * warning "kestrel: warning: cpu <apic-id>: <fmt ...> (reported once)". */
void refusal_warn(struct refusal_log *r, enum refusal_kind k, uint32_t apic_id, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

/* "kestrel: refused cpu<apic-id> total=<n> <kind>=<count> ..." if anything
 * was refused on that vCPU (informational). */
void refusal_log_line(const struct refusal_log *r, uint32_t apic_id);

#endif
