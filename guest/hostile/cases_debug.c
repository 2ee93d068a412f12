/*
 * The debug registers under Kestrel.
 *   debug/dr0-after-cpuid  (per vCPU) a DR0 data breakpoint set before a CPUID (an exit) still
 *                          fires after it: Kestrel saves and loads DR7 and IA32_DEBUGCTL on
 *                          every exit and never touches DR0-DR3 or DR6 (SDM vol. 3C 27.3.1,
 *                          28.3.2.1: "save/load debug controls").  The #DB arrives after the
 *                          store (a trap), with DR6.B0 set.
 *   loop/db                (machine-wide) an AP sets a data breakpoint on the stack its #DB
 *                          handler is delivered on (an IST stack), then hits it: every #DB
 *                          delivery writes the watched slot and raises the next #DB before the
 *                          handler runs an instruction, a loop no interrupt can break on bare
 *                          metal (CVE-2015-8104).  Kestrel intercepts #DB, so each repetition
 *                          is a VM exit, the AP stays Kestrel's, and its stop NMI still gets it
 *                          out at the end of the run.  The BSP checks that the AP is in the loop
 *                          (its IST stack holds a #DB frame whose RIP is the #DB handler's own
 *                          first instruction, and that frame is written again after the BSP
 *                          wipes it) and that it itself still runs.  The AP never comes back.
 */
#include "guest/common/gdt.h"
#include "guest/common/idt.h"
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/common/tsc.h"
#include "guest/hostile/hostile.h"
#include "kernel/control_regs.h"
#include "kernel/x86.h"

#define VEC_DEBUG          1
#define ISR_STUB_SIZE      16           /* guest/common/isr.asm */
#define DR7_L0             (1ull << 0)
#define DR7_RW0_WRITE      (1ull << 16) /* R/W0 = 01b: data writes */
#define DR7_LEN0_8         (2ull << 18) /* LEN0 = 10b: 8 bytes */
#define DR6_B0             (1ull << 0)
#define DR7_WATCH_DR0      (DR7_L0 | DR7_RW0_WRITE | DR7_LEN0_8)

#define LOOP_IST           1
#define LOOP_STACK_SIZE    4096
/* The frame #DB delivery pushes at the IST top (no error code; SDM vol. 3A
 * 6.14.2): SS, RSP, RFLAGS, CS, RIP, 8 bytes each, downwards. */
#define FRAME_SS_SLOT      1
#define FRAME_CS_SLOT      4
#define FRAME_RIP_SLOT     5
#define LOOP_ARM_US        1000000ull
#define LOOP_RUN_US        20000ull

extern const uint8_t isr_stubs[];

struct hostile_cpu *db_loop_cpu;

static uint8_t loop_stack[LOOP_STACK_SIZE] __attribute__((aligned(16)));
static struct idt_gate loop_idt[IDT_VECTORS] __attribute__((aligned(16)));

static void write_dr0(uint64_t v)
{
    __asm__ volatile("mov %0, %%dr0" : : "r"(v));
}

static void write_dr7(uint64_t v)
{
    __asm__ volatile("mov %0, %%dr7" : : "r"(v));
}

/* ---- debug/dr0-after-cpuid ------------------------------------------------- */

void case_debug_dr0_after_cpuid(struct outcome *o)
{
    struct hostile_cpu *cpu = this_cpu();
    struct fault_probe *p = this_probe();
    uint64_t after, tmp;

    write_dr6(DR6_FIXED_ONES);
    write_dr0((uint64_t)&cpu->watched);
    write_dr7(DR7_WATCH_DR0);
    cpuid(0, 0);                       /* an exit between arming and the store */

    probe_begin(p);
    __asm__ volatile("leaq 1f(%%rip), %[after]\n\t" PROBE_ARM "movq %[value], (%[target])"
                     PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp), [after] "=&r"(after)
                     : [target] "r"(&cpu->watched), [value] "r"(1ull)
                     : "memory");
    struct fault f = probe_end(p);
    write_dr7(0);
    uint64_t dr6 = read_dr6();
    write_dr6(DR6_FIXED_ONES);

    if (f.vector == FAULT_NONE)
        not_refused(o, "no #DB: the DR0 breakpoint did not survive the CPUID exit");
    else if (f.vector != VEC_DEBUG)
        not_refused(o, "the store raised %s (vector %d), expected #DB", fault_name(f.vector),
                    f.vector);
    else if (f.rip != after)
        not_refused(o, "#DB reported at RIP 0x%lx, expected 0x%lx (after the store)", f.rip,
                    after);
    else if (!(dr6 & DR6_B0))
        not_refused(o, "#DB with DR6 = 0x%lx: B0 clear", dr6);
}

/* ---- loop/db ----------------------------------------------------------- */

static volatile uint64_t *loop_slot(unsigned slot)
{
    return (volatile uint64_t *)(loop_stack + LOOP_STACK_SIZE) - slot;
}

void db_loop_enter(struct hostile_cpu *cpu)
{
    /* This CPU alone delivers #DB on the loop stack: a private IDT whose #DB
     * gate names IST1, which only this CPU's TSS has. */
    idt_copy(loop_idt);
    idt_gate_set_ist(&loop_idt[VEC_DEBUG], LOOP_IST);
    tss_set_ist(cpu_tss(cpu->index), LOOP_IST, (uint64_t)(loop_stack + LOOP_STACK_SIZE));
    idt_load_table(loop_idt);
    write_dr6(DR6_FIXED_ONES);
    write_dr0((uint64_t)loop_slot(FRAME_SS_SLOT));
    write_dr7(DR7_WATCH_DR0);
    __atomic_store_n(&cpu->db_loop_armed, 1, __ATOMIC_SEQ_CST);
    /* The first #DB: this store, a trap; its delivery writes the slot again. */
    *loop_slot(FRAME_SS_SLOT) = 0;

    /* Reached only if the CPU ran the #DB handler (cpus.c then disabled the
     * breakpoint): no loop on this CPU. */
    write_dr7(0);
    idt_load();
}

void case_loop_db(struct outcome *o)
{
    struct hostile_cpu *ap = ap_helper(0, true);
    uint64_t handler_entry = (uint64_t)(isr_stubs + VEC_DEBUG * ISR_STUB_SIZE);

    if (ap == NULL) {
        skipped(o, "no AP online to run the loop");
        return;
    }
    uint32_t stray_before = __atomic_load_n(&stray_debug_exceptions, __ATOMIC_ACQUIRE);
    for (unsigned slot = 1; slot <= FRAME_RIP_SLOT; slot++)
        *loop_slot(slot) = 0;
    ap_post(ap, AP_CMD_DB_LOOP);

    uint64_t deadline = tsc_deadline_us(LOOP_ARM_US);
    while (!__atomic_load_n(&ap->db_loop_armed, __ATOMIC_ACQUIRE)) {
        if (tsc_expired(deadline)) {
            not_refused(o, "untested: cpu %u did not arm the breakpoint within 1 s", ap->apic_id);
            return;
        }
        cpu_relax();
    }
    tsc_delay_us(LOOP_RUN_US);
    if (__atomic_load_n(&ap->command, __ATOMIC_ACQUIRE) == AP_CMD_NONE) {
        if (__atomic_load_n(&stray_debug_exceptions, __ATOMIC_ACQUIRE) != stray_before)
            skipped(o, "this CPU ran the #DB handler once instead of repeating the #DB: "
                       "the loop cannot be made here");
        else
            not_refused(o, "cpu %u came back from the #DB loop", ap->apic_id);
        return;
    }
    uint64_t rip = *loop_slot(FRAME_RIP_SLOT), cs = *loop_slot(FRAME_CS_SLOT);
    if (rip != handler_entry || cs != GDT_CODE64) {
        not_refused(o, "untested: cpu %u's #DB stack holds RIP 0x%lx CS 0x%lx, not a #DB at "
                       "its handler's entry 0x%lx", ap->apic_id, rip, cs, handler_entry);
        return;
    }
    *loop_slot(FRAME_RIP_SLOT) = 0;
    tsc_delay_us(LOOP_RUN_US);
    rip = *loop_slot(FRAME_RIP_SLOT);
    if (rip != handler_entry) {
        not_refused(o, "untested: cpu %u's #DB frame was not written again (RIP slot 0x%lx): "
                       "not looping", ap->apic_id, rip);
        return;
    }
    /* Still here: this CPU runs while the AP loops. */
    db_loop_cpu = ap;
}
