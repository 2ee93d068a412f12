/*
 * The IDT (one, shared by all CPUs: gates are identical everywhere, the
 * per-CPU part is the TSS that the IST indices select) and the C side of
 * every interrupt and exception.
 */
#include "kernel/trap.h"
#include "kernel/x86.h"
#include "kernel/percpu.h"
#include "kernel/panic.h"
#include "kernel/log.h"
#include "drivers/lapic.h"
#include "kernel/safe_msr.h"
#include "lib/fmt.h"

struct __attribute__((packed)) idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t  ist;
    uint8_t  type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};

#define GATE_INTERRUPT 0x8e   /* P, DPL0, 64-bit interrupt gate (IF cleared) */

extern const uint64_t isr_stub_table[256];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_fn irq_handlers[256];

static const char *const exception_names[32] = {
    [VEC_DIVIDE_ERROR] = "#DE divide error", [VEC_DEBUG] = "#DB debug",
    [VEC_NMI] = "NMI", [VEC_BREAKPOINT] = "#BP breakpoint", [VEC_OVERFLOW] = "#OF overflow",
    [VEC_BOUND] = "#BR bound range", [VEC_INVALID_OPCODE] = "#UD invalid opcode",
    [VEC_DEVICE_NA] = "#NM device not available", [VEC_DOUBLE_FAULT] = "#DF double fault",
    [VEC_INVALID_TSS] = "#TS invalid TSS", [VEC_SEGMENT_NP] = "#NP segment not present",
    [VEC_STACK_FAULT] = "#SS stack fault", [VEC_GENERAL_PROTECTION] = "#GP general protection",
    [VEC_PAGE_FAULT] = "#PF page fault", [VEC_X87_FP] = "#MF x87 error",
    [VEC_ALIGNMENT_CHECK] = "#AC alignment check", [VEC_MACHINE_CHECK] = "#MC machine check",
    [VEC_SIMD_FP] = "#XM SIMD error", [VEC_VIRTUALIZATION] = "#VE virtualization",
    [VEC_CONTROL_PROTECTION] = "#CP control protection",
};

static void set_gate(unsigned vec, uint64_t handler, uint8_t ist)
{
    idt[vec] = (struct idt_gate){
        .offset_low = handler & 0xffff,
        .selector = GDT_KERNEL_CODE,
        .ist = ist,
        .type_attr = GATE_INTERRUPT,
        .offset_mid = (handler >> 16) & 0xffff,
        .offset_high = handler >> 32,
    };
}

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++) {
        set_gate(v, isr_stub_table[v], 0);
    }
    set_gate(VEC_NMI, isr_stub_table[VEC_NMI], IST_NMI);
    set_gate(VEC_DOUBLE_FAULT, isr_stub_table[VEC_DOUBLE_FAULT], IST_DOUBLE_FAULT);
    set_gate(VEC_MACHINE_CHECK, isr_stub_table[VEC_MACHINE_CHECK], IST_MACHINE_CHECK);
}

void idt_load(void)
{
    struct descriptor_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };
    load_idt(&idtr);
}

void irq_register(uint8_t vector, irq_handler_fn fn)
{
    irq_handlers[vector] = fn;
}

static bool plausible_frame(uint64_t rbp, uint64_t lo, uint64_t hi)
{
    return rbp >= lo && rbp + 16 <= hi && (rbp & 7) == 0;
}

/* Frame-pointer walk (the kernel is built with -fno-omit-frame-pointer),
 * bounded by the current CPU's stack so a corrupt chain cannot fault. */
static void print_backtrace(uint64_t rbp)
{
    struct percpu *cpu = this_cpu();
    extern char bsp_stack_bottom[], bsp_stack_top[];
    uint64_t lo, hi;

    if (cpu && !cpu->is_bsp) {
        hi = cpu->stack_top;
        lo = hi - KERNEL_STACK_SIZE;
    } else {
        lo = (uint64_t)bsp_stack_bottom;
        hi = (uint64_t)bsp_stack_top;
    }
    /* One line, formatted whole and logged at once, so another CPU's line
     * cannot land in the middle of it. */
    char line[400];
    int n = ksnprintf(line, sizeof(line), "  backtrace (addr2line -e build/kestrel.elf):");
    for (int depth = 0; depth < 16 && plausible_frame(rbp, lo, hi) && n < (int)sizeof(line); depth++) {
        const uint64_t *frame = (const uint64_t *)rbp;
        n += ksnprintf(line + n, sizeof(line) - (unsigned)n, " %#llx", (unsigned long long)frame[1]);
        rbp = frame[0];
    }
    log_raw("%s\n", line);
}

static void report_exception(const struct trap_frame *f)
{
    struct percpu *cpu = this_cpu();
    const char *name = f->vector < 32 && exception_names[f->vector] ? exception_names[f->vector]
                                                                    : "reserved exception";

    log_error("cpu %u: exception %s (vector %llu) error %#llx at rip %#llx",
              cpu ? cpu->apic_id : 0, name, (unsigned long long)f->vector,
              (unsigned long long)f->error, (unsigned long long)f->rip);
    log_raw("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", (unsigned long long)f->rax,
            (unsigned long long)f->rbx, (unsigned long long)f->rcx, (unsigned long long)f->rdx);
    log_raw("  rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n", (unsigned long long)f->rsi,
            (unsigned long long)f->rdi, (unsigned long long)f->rbp, (unsigned long long)f->rsp);
    log_raw("  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n", (unsigned long long)f->r8,
            (unsigned long long)f->r9, (unsigned long long)f->r10, (unsigned long long)f->r11);
    log_raw("  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n", (unsigned long long)f->r12,
            (unsigned long long)f->r13, (unsigned long long)f->r14, (unsigned long long)f->r15);
    log_raw("  cs %04llx ss %04llx rflags %08llx cr0 %08llx cr2 %016llx cr3 %016llx cr4 %08llx\n",
            (unsigned long long)f->cs, (unsigned long long)f->ss, (unsigned long long)f->rflags,
            (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
            (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
    print_backtrace(f->rbp);
}

static volatile bool nmis_expected;

void trap_expect_nmis(void)
{
    nmis_expected = true;
}

void trap_entry(struct trap_frame *f)
{
    if (f->vector == VEC_NMI) {
        /* NMIs are how a panicking CPU stops the others, how a guest's end
         * reaches the other vCPUs (those in root mode just go on), and the
         * guest's own NMIs that land while their CPU handles an exit.  No
         * lock and no log line here: the CPU may be inside either. */
        struct percpu *cpu = this_cpu();
        if (panic_in_progress()) {
            cpu_stop();
        }
        void (*hook)(void *) = cpu->nmi_hook;
        if (hook) {
            hook(cpu->nmi_ctx);
        } else if (!nmis_expected) {
            __atomic_fetch_add(&cpu->stray_nmis, 1, __ATOMIC_RELAXED);
        }
        return;
    }
    if (f->vector < VEC_FIRST_EXTERNAL) {
        uint64_t fixup = f->vector == VEC_GENERAL_PROTECTION ? ex_table_fixup(f->rip) : 0;
        if (fixup) {
            f->rip = fixup;   /* rdmsr_safe/wrmsr_safe: the MSR does not exist */
            return;
        }
        if (!panic_begin()) {
            cpu_stop();
        }
        report_exception(f);
        panic_end();
    }
    if (f->vector == VEC_SPURIOUS) {
        return;   /* spurious interrupts take no EOI */
    }
    if (irq_handlers[f->vector]) {
        irq_handlers[f->vector](f);
    } else {
        log_warn("cpu %u: unexpected interrupt vector %llu", this_cpu()->apic_id,
                 (unsigned long long)f->vector);
    }
    lapic_eoi();
}
