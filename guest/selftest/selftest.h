/*
 * The built-in self-test guest: per-CPU state and the pieces the files of
 * guest/selftest/ share.  The image runs inside the VM on every vCPU and
 * checks what the hypervisor shows it (contract: guest/guest_image.h).
 */
#ifndef KESTREL_GUEST_SELFTEST_H
#define KESTREL_GUEST_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/guest_image.h"

#define SELFTEST_MAX_CPUS      GUEST_MAX_CPUS
#define SELFTEST_AP_STACK_SIZE 4096        /* the deepest path (check, fault, print) needs < 2 KiB (-fstack-usage) */

/* Selectors of the guest's own GDT (gdt.c). */
#define GDT_CODE64 0x08
#define GDT_DATA   0x10

/* Vectors the guest programs itself. */
#define VEC_LAPIC_TIMER 0x40
#define VEC_SPURIOUS    0xff

enum cpu_state {
    CPU_OFF,        /* not started, or did not answer INIT-SIPI-SIPI */
    CPU_STARTING,   /* INIT-SIPI-SIPI sent */
    CPU_ONLINE,     /* off the trampoline, on its own GDT/IDT/stack */
    CPU_DONE,       /* all checks run; results final */
};

/*
 * An armed "expected fault" record (probe.h): while resume != 0, any
 * exception 0-31 except NMI is recorded here and the CPU continues at
 * resume instead of the faulting instruction.
 */
struct fault_probe {
    uint64_t resume;     /* where to continue after a fault; 0 = disarmed */
    uint64_t insn;       /* address of the probed instruction */
    int32_t  vector;     /* -1: no fault */
    uint64_t error;      /* error code (0 for vectors without one) */
    uint64_t rip;        /* RIP the exception frame reported */
};

/* Callee-saved registers and RSP at check_call() (check_call.asm offsets). */
struct check_jmp {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp;
};
_Static_assert(offsetof(struct check_jmp, rsp) == 48, "check_call.asm stores RSP at +48");

/* The check running on a CPU: its verdict and the first failure's words. */
struct check_run {
    struct cpu *cpu;
    const char *name;
    bool        failed;
    char        detail[112];
};

struct cpu {
    uint32_t           index;        /* 0 = the BSP, then the order of boot_info->apic_ids */
    uint32_t           apic_id;      /* as the boot info lists it */
    uint32_t           state;        /* enum cpu_state; __atomic accesses */
    struct fault_probe probe;
    struct check_jmp   jmp;          /* where an unexpected exception abandons the running check */
    struct check_run  *running;      /* NULL outside a check */
    uint64_t           timer_irqs;   /* LAPIC timer interrupts taken; __atomic accesses */
    uint32_t           checks_run;
    uint32_t           checks_passed;
    uint32_t           failed_mask;  /* bit i: check i failed */
};

extern const struct guest_boot_info *boot_info;
extern struct cpu cpus[SELFTEST_MAX_CPUS];
extern unsigned cpu_total;

/* Stacks: the BSP's from entry.asm (the header's stack_top_offset), the
 * APs' in smp.c.  A CPU is identified by the stack it runs on, so the
 * exception path needs nothing the hypervisor could get wrong (no GS base,
 * no APIC ID read). */
extern uint8_t bsp_stack_bottom[], bsp_stack_top[];
extern uint8_t ap_stacks[SELFTEST_MAX_CPUS][SELFTEST_AP_STACK_SIZE];

static inline struct cpu *this_cpu(void)
{
    uintptr_t sp;

    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    if (sp > (uintptr_t)bsp_stack_bottom && sp <= (uintptr_t)bsp_stack_top)
        return &cpus[0];
    uintptr_t base = (uintptr_t)ap_stacks;
    if (sp > base && sp <= base + sizeof(ap_stacks))
        return &cpus[(sp - base - 1) / SELFTEST_AP_STACK_SIZE];
    return NULL;
}

/* main.c */
__attribute__((noreturn)) void selftest_bsp_main(const struct guest_boot_info *info);
__attribute__((noreturn)) void selftest_ap_main(struct cpu *cpu);

/* gdt.c, idt.c */
void gdt_load(void);
void idt_init(void);
void idt_load(void);
bool idt_is_loaded(uint64_t *base, uint16_t *limit);

/* checks.c */
unsigned    check_count(void);
const char *check_name(unsigned i);
void        checks_run_all(struct cpu *cpu);
void        check_fail(struct check_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* check_call.asm: runs fn(run) and returns 0, or 1 when trap.c abandoned it
 * after an unexpected exception (it then re-enters check_abort). */
int  check_call(struct check_jmp *jmp, void (*fn)(struct check_run *), struct check_run *run);
void check_abort(void);

/* paging.c */
bool        virt_to_phys(uint64_t va, uint64_t *pa);
const char *paging_map_probe(uint64_t probe_pa, uint64_t *va);
extern uint64_t probe_va;              /* where every CPU reads hypervisor_probe; 0: unusable */
extern const char *probe_unusable_why;

/* smp.c */
const char *smp_prepare(void);
bool        smp_start_ap(struct cpu *cpu);

#endif
