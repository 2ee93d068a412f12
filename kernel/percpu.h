/*
 * Per-CPU state.  Each CPU's GS base points at its own struct percpu, whose
 * first field points at itself, so this_cpu() is one load.  CPUs are named by
 * APIC ID in every message; index is only Kestrel's array position.
 */
#ifndef KESTREL_KERNEL_PERCPU_H
#define KESTREL_KERNEL_PERCPU_H

#include <stdint.h>
#include <stdbool.h>
#include "bootinfo.h"

#define KESTREL_MAX_CPUS   BOOTINFO_MAX_CPUS
#define KERNEL_STACK_SIZE  (32 * 1024)
#define IST_STACK_SIZE     (8 * 1024)

enum gdt_selector {
    GDT_NULL        = 0x00,
    GDT_KERNEL_CODE = 0x08,
    GDT_KERNEL_DATA = 0x10,
    GDT_TSS         = 0x18,   /* 16-byte system descriptor: two slots */
    GDT_ENTRIES     = 5,
};

/* IST slots (1-based in the IDT gate) for the exceptions that must not run
 * on a possibly broken stack. */
enum ist_slot {
    IST_NMI = 1,
    IST_DOUBLE_FAULT = 2,
    IST_MACHINE_CHECK = 3,
    IST_COUNT = 3,
};

struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

enum cpu_state {
    CPU_OFFLINE = 0,     /* not started (yet) */
    CPU_STARTING,        /* INIT-SIPI-SIPI sent */
    CPU_ONLINE,          /* running Kestrel */
    CPU_PARKED,          /* halted for good, after its work */
};

struct percpu {
    struct percpu *self;             /* must stay first: %gs:0 */
    uint32_t index;
    uint32_t apic_id;
    bool     is_bsp;
    volatile uint32_t state;         /* enum cpu_state */
    uint64_t stack_top;
    uint64_t ist_top[IST_COUNT + 1];
    uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
    struct tss64 tss __attribute__((aligned(16)));

    /* Whether this CPU could enable the chosen virtualization (VMX or
     * SVM, kernel/virt.h), and why not; for the BSP's summary. */
    bool        virt_ok;
    const char *virt_reason;

    /* NMIs that arrive while this CPU is in root mode.  The handler takes
     * no lock and logs nothing (the CPU may hold the log lock): it calls
     * the hook of the vCPU this CPU runs (which queues the NMI for the
     * guest), or, on a CPU without a guest, only counts it; the count is
     * reported after the run. */
    void (*volatile nmi_hook)(void *ctx);
    void *volatile nmi_ctx;
    volatile uint32_t stray_nmis;
};

extern struct percpu *percpu_table[KESTREL_MAX_CPUS];
extern unsigned percpu_count;        /* CPUs known from the boot-info */

static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}

/* Allocates and fills the per-CPU area of every CPU in the boot-info. */
void percpu_init_all(const struct kestrel_bootinfo *bi);

/* On the calling CPU: loads its GDT, TSS, the shared IDT and GS base. */
void percpu_load(struct percpu *cpu);

#endif
