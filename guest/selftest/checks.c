/*
 * The self-test's checks, run on every CPU in this order.  Each one tests
 * one thing the hypervisor promises the guest (docs/vmx.md) and says, on
 * failure, what it saw instead.
 */
#include "guest/common/hypercall.h"
#include "guest/common/idt.h"
#include "guest/common/lapic.h"
#include "guest/common/probe.h"
#include "guest/common/serial.h"
#include "guest/common/trap.h"
#include "guest/common/tsc.h"
#include "guest/selftest/selftest.h"
#include "kernel/cpu_features.h"
#include "kernel/msr.h"
#include "kernel/x86.h"
#include "lib/fmt.h"

#include <stdarg.h>

#define CR4_VMXE (1ull << 13)

/* Kestrel's CPUID leaves: "KestrelVisor" in EBX, ECX, EDX (memory order,
 * as "GenuineIntel"); EAX = the highest leaf, at least the info leaf. */
#define CPUID_LEAF_HYPERVISOR      0x40000000u
#define CPUID_LEAF_HYPERVISOR_INFO 0x40000001u
#define FOURCC(a, b, c, d) \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

#define HYPERCALL_ABI_VERSION 1

/* A scratch-register value pair with every bit toggled once. */
static const uint8_t scratch_values[] = { 0x5a, 0xa5 };

/* The timer's input clock is not known (the bus or crystal clock, 25 MHz
 * to 1 GHz); this count fires within 2 ms at 25 MHz and is still several
 * microseconds at 1 GHz, well inside the 200 ms wait. */
#define TIMER_INITIAL_COUNT 50000u
#define TIMER_WAIT_US       200000

void check_fail(struct check_run *run, const char *fmt, ...)
{
    va_list ap;

    if (run->failed)
        return;   /* the first failure explains the rest */
    run->failed = true;
    va_start(ap, fmt);
    kvsnprintf(run->detail, sizeof(run->detail), fmt, ap);
    va_end(ap);
}

/* Common verdict for "this instruction must raise vector": the exception,
 * at the instruction itself (a fault, nothing emulated), and for #GP with
 * error code 0 (guest/common/fault.c words it). */
static bool expect_fault(struct check_run *run, struct fault f, int32_t vector, const char *what)
{
    char why[sizeof(run->detail)];

    if (fault_mismatch(f, vector, what, why, sizeof(why)) == NULL)
        return true;
    check_fail(run, "%s", why);
    return false;
}

/* ---- 1-3: CPUID ---------------------------------------------------------- */

static void check_hypervisor_bit(struct check_run *run)
{
    uint32_t ecx = cpuid(CPUID_LEAF_FEATURES, 0).ecx;

    if (!(ecx & CPUID_1_ECX_HYPERVISOR))
        check_fail(run, "CPUID.1:ECX = 0x%08x, bit 31 clear", ecx);
}

static void check_no_vmx(struct check_run *run)
{
    uint32_t ecx = cpuid(CPUID_LEAF_FEATURES, 0).ecx;

    if (ecx & CPUID_1_ECX_VMX)
        check_fail(run, "CPUID.1:ECX = 0x%08x, VMX (bit 5) set", ecx);
}

static void copy_printable(char *dst, uint32_t reg)
{
    for (unsigned i = 0; i < 4; i++) {
        char c = (char)(reg >> (8 * i));
        dst[i] = c >= 0x20 && c < 0x7f ? c : '.';
    }
}

static void check_signature(struct check_run *run)
{
    struct cpuid_regs r = cpuid(CPUID_LEAF_HYPERVISOR, 0);
    bool match = r.ebx == FOURCC('K', 'e', 's', 't') && r.ecx == FOURCC('r', 'e', 'l', 'V') &&
                 r.edx == FOURCC('i', 's', 'o', 'r');

    if (!match) {
        char seen[13];
        copy_printable(seen, r.ebx);
        copy_printable(seen + 4, r.ecx);
        copy_printable(seen + 8, r.edx);
        seen[12] = '\0';
        check_fail(run, "leaf 0x40000000 says \"%s\", expected \"KestrelVisor\"", seen);
    } else if (r.eax < CPUID_LEAF_HYPERVISOR_INFO) {
        check_fail(run, "leaf 0x40000000 EAX = 0x%08x, expected >= 0x40000001", r.eax);
    }
}

/* ---- 4-7: VMX stays invisible ---------------------------------------------- */

static void check_vmxon_ud(struct check_run *run)
{
    /* Any operand: in VMX non-root operation VMXON exits before it looks
     * at the region, and the hypervisor answers with #UD. */
    uint64_t region_pa = 0;

    expect_fault(run, probe_vmxon(this_probe(), &region_pa), VEC_UD, "VMXON");
}

static void check_cr4_vmxe(struct check_run *run)
{
    uint64_t cr4 = read_cr4();
    struct fault f = probe_write_cr4(this_probe(), cr4 | CR4_VMXE);
    uint64_t after = read_cr4();

    if (f.vector == FAULT_NONE)
        write_cr4(after & ~CR4_VMXE);   /* accepted: undo, as far as the guest can */
    if (!expect_fault(run, f, VEC_GP, "MOV CR4 with VMXE"))
        return;
    if (after & CR4_VMXE)
        check_fail(run, "CR4 reads 0x%lx after the #GP: VMXE set", after);
}

static void check_feature_control(struct check_run *run)
{
    uint64_t value;
    struct fault f = probe_rdmsr(this_probe(), MSR_IA32_FEATURE_CONTROL, &value);
    uint64_t vmx_enables = FEATURE_CONTROL_VMX_INSIDE_SMX | FEATURE_CONTROL_VMX_OUTSIDE_SMX;

    if (f.vector != FAULT_NONE)
        check_fail(run, "RDMSR 0x3a raised %s (vector %d)", fault_name(f.vector), f.vector);
    else if (!(value & FEATURE_CONTROL_LOCKED) || (value & vmx_enables))
        check_fail(run, "IA32_FEATURE_CONTROL = 0x%lx, expected locked with VMX off", value);
}

static void check_vmx_msr_gp(struct check_run *run)
{
    uint64_t value;
    struct fault f = probe_rdmsr(this_probe(), MSR_IA32_VMX_BASIC, &value);

    if (f.vector == FAULT_NONE)
        check_fail(run, "RDMSR IA32_VMX_BASIC returned 0x%lx, expected #GP", value);
    else
        expect_fault(run, f, VEC_GP, "RDMSR IA32_VMX_BASIC");
}

/* ---- 8-9: devices the guest owns ----------------------------------------- */

static void check_com1_io(struct check_run *run)
{
    /* Under the console lock: every CPU runs this check, and another CPU's
     * value in the one scratch register would look like a failure. */
    bool taken = console_begin();
    uint8_t saved = inb(COM1_BASE + UART_SCR);

    for (unsigned i = 0; i < sizeof(scratch_values); i++) {
        outb(COM1_BASE + UART_SCR, scratch_values[i]);
        uint8_t back = inb(COM1_BASE + UART_SCR);
        if (back != scratch_values[i]) {
            check_fail(run, "COM1 scratch register: wrote 0x%02x, read 0x%02x", scratch_values[i],
                       back);
            break;
        }
    }
    outb(COM1_BASE + UART_SCR, saved);
    console_end(taken);
}

static void check_lapic_timer(struct check_run *run)
{
    struct cpu *cpu = run->cpu;
    uint64_t before = __atomic_load_n(&cpu->timer_irqs, __ATOMIC_RELAXED);
    bool fired = false;

    lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
    lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_DIVIDE_BY_1);
    lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_ONE_SHOT | VEC_LAPIC_TIMER);
    lapic_write(LAPIC_TIMER_INITIAL, TIMER_INITIAL_COUNT);   /* starts counting */

    uint64_t deadline = tsc_deadline_us(TIMER_WAIT_US);
    irq_enable();
    while (!fired && !tsc_expired(deadline)) {
        cpu_relax();
        fired = __atomic_load_n(&cpu->timer_irqs, __ATOMIC_RELAXED) != before;
    }
    irq_disable();

    uint32_t current = lapic_read(LAPIC_TIMER_CURRENT);
    lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
    lapic_write(LAPIC_TIMER_INITIAL, 0);
    if (!fired)
        check_fail(run, "no vector 0x%x within %u ms (current count %u of %u)", VEC_LAPIC_TIMER,
                   TIMER_WAIT_US / 1000, current, TIMER_INITIAL_COUNT);
}

/* ---- 10-12: the guest's own IDT, isolation, hypercalls ------------------- */

static void check_own_idt(struct check_run *run)
{
    uint64_t base;
    uint16_t limit;

    if (!idt_is_loaded(&base, &limit)) {
        check_fail(run, "SIDT reports base 0x%lx limit 0x%x, not the guest's IDT", base, limit);
        return;
    }
    /* Reaching the probe's record at all means the guest's #UD handler ran. */
    expect_fault(run, probe_ud2(this_probe()), VEC_UD, "UD2");
}

static void check_isolation(struct check_run *run)
{
    uint64_t value;

    if (probe_va == 0) {
        check_fail(run, "%s", probe_unusable_why);
        return;
    }
    struct fault f = probe_read64(this_probe(), probe_va, &value);
    if (f.vector == FAULT_NONE) {
        check_fail(run, "read 0x%lx from hidden memory at 0x%lx", value,
                   boot_info->hypervisor_probe);
        return;
    }
    if (!expect_fault(run, f, VEC_GP, "read of hidden memory"))
        return;
    uint64_t intact = hc_check_isolation();
    if (intact != 1)
        check_fail(run, "KESTREL_HC_CHECK_ISOLATION returned 0x%lx, expected 1", intact);
}

/* The top of the physical address space holds nothing here, but a 64-bit
 * BAR could lie there: it must be mapped (above RAM Kestrel maps a block at
 * its first touch; all vCPUs touch the same block at about the same time). */
static void check_high_mmio(struct check_run *run)
{
    uint64_t value;

    if (high_unusable_why != NULL) {
        check_fail(run, "%s", high_unusable_why);
        return;
    }
    uint64_t va = high_va + 8 * (uint64_t)run->cpu->apic_id;
    struct fault f = probe_read64(this_probe(), va, &value);
    if (f.vector != FAULT_NONE)
        check_fail(run, "read of gpa 0x%lx raised %s (error 0x%lx)", high_pa + (va - high_va),
                   fault_name(f.vector), f.error);
}

static void check_vmcall_version(struct check_run *run)
{
    uint64_t version = hc_version();

    if (version != HYPERCALL_ABI_VERSION)
        check_fail(run, "KESTREL_HC_VERSION returned 0x%lx, expected %d", version,
                   HYPERCALL_ABI_VERSION);
}

/* ---- the table and the runner ---------------------------------------------- */

struct check {
    const char *name;
    void (*run)(struct check_run *run);
};

static const struct check checks[] = {
    { "hypervisor-bit",  check_hypervisor_bit },
    { "no-vmx",          check_no_vmx },
    { "signature",       check_signature },
    { "vmxon-ud",        check_vmxon_ud },
    { "cr4-vmxe",        check_cr4_vmxe },
    { "feature-control", check_feature_control },
    { "vmx-msr-gp",      check_vmx_msr_gp },
    { "com1-io",         check_com1_io },
    { "lapic-timer",     check_lapic_timer },
    { "own-idt",         check_own_idt },
    { "isolation",       check_isolation },
    { "high-mmio",       check_high_mmio },
    { "vmcall-version",  check_vmcall_version },
};

#define CHECK_COUNT (sizeof(checks) / sizeof(checks[0]))
_Static_assert(CHECK_COUNT <= 32, "struct cpu.failed_mask has 32 bits");

unsigned check_count(void)
{
    return CHECK_COUNT;
}

const char *check_name(unsigned i)
{
    return checks[i].name;
}

void checks_run_all(struct cpu *cpu)
{
    for (unsigned i = 0; i < CHECK_COUNT; i++) {
        struct check_run run = { .cpu = cpu, .name = checks[i].name };

        cpu->running = &run;
        check_call(&cpu->jmp, checks[i].run, &run);   /* abandoned ones are already failed */
        cpu->running = NULL;
        irq_disable();

        cpu->checks_run++;
        if (run.failed) {
            cpu->failed_mask |= 1u << i;
            say("cpu %u %s FAIL (%s)", cpu->apic_id, run.name, run.detail);
        } else {
            cpu->checks_passed++;
            say("cpu %u %s ok", cpu->apic_id, run.name);
        }
    }
}
