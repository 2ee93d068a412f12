/*
 * A guest (struct vm) and its virtual CPUs (struct vcpu), backend-neutral:
 * one vCPU per physical CPU in the guest's share, all sharing one set of
 * second-level tables, permission maps and mediations.  What is the
 * backend's own (the VMCS or VMCB, its format of the maps, how RIP is
 * advanced) sits behind vm->ops (core/backend.h); what runs in the guest is
 * guest/'s business.
 */
#ifndef KESTREL_CORE_VM_H
#define KESTREL_CORE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/exit_kinds.h"
#include "core/msr_policy.h"
#include "core/port_io.h"
#include "core/refusal.h"
#include "core/apic_guard.h"
#include "core/ioapic_guard.h"
#include "core/mmio_guard.h"
#include "core/ap_start.h"
#include "mm/slat.h"
#include "lib/memmap.h"

/* General-purpose registers in the architectural register-number order
 * (the order VMX exit qualifications and instruction encodings use).  The
 * RSP slot (and on SVM the RAX slot) is kept in step with the control
 * structure by the backend: VMX keeps RSP in the VMCS (read it through
 * struct guest_view), SVM copies RAX and RSP in and out of the VMCB. */
enum gpr {
    GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
    GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
    GPR_COUNT,
};

/* How a guest ended (vm->end). */
enum guest_end {
    GUEST_RUNNING = 0,
    GUEST_POWER_OFF,          /* it asked to: hypercall, ACPI S5 */
    GUEST_RESET,              /* triple fault, ACPI reset, keyboard-controller reset */
    GUEST_FAILED,             /* Kestrel stopped it: unhandled exit, failed entry */
};

/* What an exit handler wants next. */
enum exit_action {
    EXIT_RESUME = 0,          /* back into the guest */
    EXIT_LEAVE = 1,           /* this vCPU leaves the guest for good */
};

/* Where a guest's BSP starts: 64-bit mode (built-in guests, Linux), or
 * 32-bit protected mode with paging off (multiboot kernels: mode32). */
struct guest_entry {
    bool mode32;
    uint64_t rip, rsp, cr3, rdi, rsi, rax, rbx;
    /* Selectors and GDT the guest expects (0 = Kestrel's defaults: CS 0x08,
     * data 0x10, no GDT); Linux wants CS 0x10, data 0x18 in a real GDT. */
    uint16_t cs, ds;
    uint64_t gdtr_base;
    uint16_t gdtr_limit;
};

struct vm;
struct backend_ops;
struct acpi_firmware;             /* lib/acpi_passthrough.h */

struct vcpu {
    uint64_t regs[GPR_COUNT];         /* must stay first: the backends' entry assembly */
    struct vm *vm;
    unsigned cpu_index;
    unsigned slot;                    /* the vCPU's place in vm->apic_ids (BSP 0) */
    uint32_t apic_id;
    bool     is_bsp;
    uint32_t tlb_tag;                 /* VPID (VMX) or ASID (SVM); 0 is the host's */
    uint64_t control;                 /* physical address of the VMCS or VMCB */
    uint64_t host_save;               /* SVM: the host's VMSAVE area (physical); VMX: 0 */
    bool     launched;                /* VMX: VMRESUME from now on */
    bool     in_guest;                /* between the first entry and leaving for good */
    /* Where it is between INIT and SIPI (core/ap_start.h), on both start-up
     * paths: set on the BSP before any vCPU runs, so no early SIPI is lost. */
    struct ap_start ap;
    bool     counted_ready;           /* in vm->aps_ready (vcpu_count_ready) */

    /* Interrupts that arrived while the guest could not take them. */
    uint64_t pending_irqs[4];         /* bitmap of vectors */
    bool     nmi_pending;
    bool     nmi_blocked;             /* SVM: an injected NMI whose IRET has not come yet */

    struct msr_shadow msr_shadow;
    struct refusal_log refusals;      /* what was refused: warned once per kind, counted */
    uint64_t watchdog_ticks;

    uint64_t exits[EXIT_KIND_COUNT];
    uint64_t exit_cycles[EXIT_KIND_COUNT];   /* over the sampled exits */
    uint64_t exit_samples[EXIT_KIND_COUNT];
    /* Set when the dispatcher's fast path must not be taken: the guest is
     * ending, or an interrupt or NMI waits for delivery. */
    volatile bool attention;
};

struct vm {
    const char *name;
    const struct backend_ops *ops;    /* the backend this guest runs on */
    struct slat_ctx slat;             /* the second-level tables (EPT or NPT format) */
    uint64_t slat_pointer;            /* EPTP (VMX) or nCR3 (SVM) */
    struct vm_slat_demand *slat_demand;  /* what maps the rest on first touch (core/vm_slat.c) */
    uint8_t *msr_map;                 /* the backend's MSR permission map */
    uint8_t *io_map;                  /* the backend's I/O permission map (VMX: bitmaps A, B) */
    const struct mem_region *map;     /* the memory map with Kestrel's part hidden */
    size_t   map_count;
    uint64_t canary;                  /* physical address of a hidden page with a pattern */
    uint64_t watchdog_value;          /* VMX preemption-timer period; 0: none */
    uint64_t cr4_guest_allowed;       /* CR4 bits the guest may set (its CPUID, the backend's limits) */
    uint64_t xss_allowed;             /* IA32_XSS components CPUID.(0DH,1) shows the guest */
    uint64_t xcr0_allowed;            /* XCR0 components CPUID.(0DH,0) shows the guest */
    unsigned vcpu_count;
    /* Guest APs start in software (the mediated INIT and SIPI go to
     * core/vm.c, the AP waits in Kestrel), not in the CPU's wait-for-SIPI:
     * SVM always, VMX without that state or with ap_start = mediated. */
    bool software_ap_start;
    /* APs that can take their start-up IPI (vcpu_count_ready): the guest's
     * BSP is entered once all are, or after a timeout (kernel/guest_run.c). */
    volatile unsigned aps_ready;
    struct vcpu *vcpus[256];          /* by CPU index; NULL for CPUs not in the guest */
    uint32_t apic_ids[256];           /* the vCPUs' APIC IDs, the BSP first */
    volatile int end;                 /* enum guest_end; set once */
    const char *end_how;              /* words for the status line */
    volatile unsigned left;           /* vCPUs that have left the guest */
    struct port_guard_state ports;    /* intercepted I/O ports: power, reset, PCI config, COM2 */
    struct apic_guard apic;           /* IPI mediation: the guest's vCPUs and their logical IDs */
    struct ioapic_guard ioapic;       /* I/O APIC mediation */
    struct mmio_guard mmio;           /* the write-protected MMIO pages */
    const struct acpi_firmware *fw_acpi;  /* the firmware's ACPI tables as surveyed at boot
                                             (drivers/acpi.c), for the guest's own */
};

/* The guest-physical range is guest RAM that Kestrel may read (and write)
 * on the guest's behalf: never hidden memory, never firmware, never MMIO. */
bool vm_guest_range_ok(const struct vm *vm, uint64_t gpa, uint64_t len);

/* All exits of a vCPU so far. */
uint64_t vcpu_exits_total(const struct vcpu *v);

/* Host cycles are measured on one exit in EXIT_CYCLE_SAMPLE per vCPU and
 * kind (both backends' dispatchers): averages stay right, and the other
 * exits skip the two RDTSCs. */
#define EXIT_CYCLE_SAMPLE 16

/* The queue of interrupts a vCPU could not take yet (both backends). */
static inline bool vcpu_irq_pending(const struct vcpu *v)
{
    return (v->pending_irqs[0] | v->pending_irqs[1] | v->pending_irqs[2] | v->pending_irqs[3]) != 0;
}

static inline bool vcpu_events_pending(const struct vcpu *v)
{
    return v->nmi_pending || vcpu_irq_pending(v);
}

static inline void vcpu_queue_irq(struct vcpu *v, uint8_t vector)
{
    v->pending_irqs[vector / 64] |= 1ull << (vector % 64);
    v->attention = true;
}

/* The highest pending vector (the LAPIC's priority order), removed. */
static inline uint8_t vcpu_take_highest_irq(struct vcpu *v)
{
    for (int word = 3; word >= 0; word--) {
        if (v->pending_irqs[word]) {
            int bit = 63 - __builtin_clzll(v->pending_irqs[word]);
            v->pending_irqs[word] &= ~(1ull << bit);
            return (uint8_t)(word * 64 + bit);
        }
    }
    return 0;
}

/* What an INIT discards: queued interrupts and NMIs. */
static inline void vcpu_clear_events(struct vcpu *v)
{
    v->pending_irqs[0] = v->pending_irqs[1] = v->pending_irqs[2] = v->pending_irqs[3] = 0;
    v->nmi_pending = false;
}

/* ---- AP start-up (core/vm.c; the state machine is core/ap_start.h) ---- */

/* Running guest code: not in wait-for-SIPI (in the CPU or in Kestrel). */
static inline bool vcpu_started(const struct vcpu *v)
{
    return ap_start_running(&v->ap);
}

/* This AP can take its start-up IPI from now on: counted in
 * vm->aps_ready, once.  The hardware path calls it just before the first
 * VM entry (a SIPI before that would be lost: VMX root ignores it); the
 * software path when the AP starts waiting in Kestrel (a SIPI is latched). */
void vcpu_count_ready(struct vcpu *v);

/* Software start-up: waits in Kestrel until a SIPI is latched for this AP
 * (true, *vector) or the guest ends (false).  Counts the AP ready first.
 * A SIPI discards whatever was queued for the AP before it. */
bool vcpu_wait_for_sipi(struct vcpu *v, uint8_t *vector);

/* Software start-up, at an exit: true when a virtual INIT is pending; it
 * is taken (vcpu_init_reset done), and the backend puts the registers in
 * the INIT state and calls vcpu_wait_for_sipi. */
bool vcpu_take_virtual_init(struct vcpu *v);

/* What any INIT of an AP does beyond its registers (both paths, on the
 * AP's CPU): queued events are discarded, the passed-through local APIC is
 * left as a real INIT leaves it (the INIT never reached it), and the IPI
 * mediation forgets the AP's logical ID. */
void vcpu_init_reset(struct vcpu *v);

/* Ends the guest (first caller wins) and makes every other vCPU leave. */
void vm_request_end(struct vm *vm, enum guest_end how, const char *words);

/* The pattern Kestrel keeps in the hidden canary page. */
#define VM_CANARY_WORDS 512
uint64_t vm_canary_pattern(unsigned i);

/* After the guest ended: "kestrel: exits cpu<apic-id> total=<n> <kind>=<count> ..." per vCPU. */
void vm_log_all_exit_stats(const struct vm *vm);
void vm_log_exit_stats(const struct vcpu *v);

/* The kind of memory at gpa in the guest's map; 0 where the map has
 * nothing (beyond its top). */
uint32_t vm_memory_kind_at(const struct vm *vm, uint64_t gpa);

#endif
