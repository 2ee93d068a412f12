/*
 * A guest (struct vm) and its virtual CPUs (struct vcpu): one vCPU per
 * physical CPU, each with its own VMCS, all sharing one EPT, MSR bitmap and
 * I/O bitmaps.  Mechanism only: what runs in the guest is guest/'s business.
 */
#ifndef KESTREL_VMX_VCPU_H
#define KESTREL_VMX_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vmx_bits.h"
#include "core/msr_policy.h"
#include "mm/slat.h"
#include "lib/memmap.h"
#include "core/port_io.h"
#include "core/refusal.h"
#include "core/apic_guard.h"
#include "core/ioapic_guard.h"
#include "core/mmio_guard.h"

/* General-purpose registers in the SDM's register-number order (the order
 * exit qualifications use).  The RSP slot is unused: the VMCS holds it. */
enum gpr {
    GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
    GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
    GPR_COUNT,
};

/* How a guest ended (vm->end). */
enum guest_end {
    GUEST_RUNNING = 0,
    GUEST_POWER_OFF,          /* it asked to: VMCALL, ACPI S5 */
    GUEST_RESET,              /* triple fault, ACPI reset, keyboard-controller reset */
    GUEST_FAILED,             /* Kestrel stopped it: unhandled exit, failed entry */
};

struct vm;

struct vcpu {
    uint64_t regs[GPR_COUNT];         /* must stay first: vmx/vmx_entry.asm */
    struct vm *vm;
    unsigned cpu_index;
    unsigned slot;                    /* the vCPU's place in vm->apic_ids (BSP 0) */
    uint32_t apic_id;
    bool     is_bsp;
    uint16_t vpid;
    uint64_t vmcs;                    /* physical */
    bool     launched;
    bool     in_guest;                /* between VM entry and leaving for good */
    volatile bool started;            /* out of wait-for-SIPI: NMIs and the timer reach it */

    /* Interrupts that arrived while the guest could not take them. */
    uint64_t pending_irqs[4];         /* bitmap of vectors */
    bool     nmi_pending;

    struct msr_shadow msr_shadow;
    struct refusal_log refusals;      /* what was refused: warned once per kind, counted */
    uint64_t preemption_ticks;

    uint64_t exits[EXIT_REASON_COUNT];
    uint64_t exit_cycles[EXIT_REASON_COUNT];   /* over the sampled exits */
    uint64_t exit_samples[EXIT_REASON_COUNT];
    /* Set when the dispatcher's fast path must not be taken: the guest is
     * ending, or an interrupt or NMI waits for delivery. */
    volatile bool attention;
};

struct vm {
    const char *name;
    struct slat_ctx ept;
    uint64_t eptp;
    uint8_t *msr_bitmap;              /* 4 KiB */
    uint8_t *io_bitmap_a;             /* ports 0x0000-0x7fff */
    uint8_t *io_bitmap_b;             /* ports 0x8000-0xffff */
    const struct mem_region *map;     /* the memory map with Kestrel's part hidden */
    size_t   map_count;
    uint64_t canary;                  /* physical address of a hidden page with a pattern */
    uint64_t preemption_timer_value;
    uint64_t cr4_guest_allowed;       /* CR4 bits the guest may set (its CPUID, VMX's FIXED1) */
    uint64_t xss_allowed;             /* IA32_XSS components CPUID.(0DH,1) shows the guest */
    uint64_t xcr0_allowed;            /* XCR0 components CPUID.(0DH,0) shows the guest */
    unsigned vcpu_count;
    struct vcpu *vcpus[256];          /* by CPU index; NULL for CPUs not in the guest */
    uint32_t apic_ids[256];           /* the vCPUs' APIC IDs, the BSP first */
    volatile int end;                 /* enum guest_end; set once */
    const char *end_how;              /* words for the status line */
    volatile unsigned left;           /* vCPUs that have left the guest */
    struct port_guard_state ports;    /* intercepted I/O ports: power, reset, PCI config, COM2 */
    struct apic_guard apic;           /* IPI mediation: the guest's vCPUs and their logical IDs */
    struct ioapic_guard ioapic;       /* I/O APIC mediation */
    struct mmio_guard mmio;           /* the write-protected MMIO pages */
};

/* The guest-physical range is guest RAM that Kestrel may read (and write,
 * if `write`) on the guest's behalf: never hidden memory, never firmware. */
bool vm_guest_range_ok(const struct vm *vm, uint64_t gpa, uint64_t len);

/* All exits of a vCPU so far. */
uint64_t vcpu_exits_total(const struct vcpu *v);

/* Ends the guest (first caller wins) and makes every other vCPU leave. */
void vm_request_end(struct vm *vm, enum guest_end how, const char *words);

#endif
