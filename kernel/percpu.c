/* Per-CPU areas: GDT with a 64-bit TSS and IST stacks, GS base. */
#include "kernel/percpu.h"
#include "kernel/x86.h"
#include "kernel/msr.h"
#include "kernel/trap.h"
#include "kernel/panic.h"
#include "mm/pmm.h"

struct percpu *percpu_table[KESTREL_MAX_CPUS];
unsigned percpu_count;

/* Flat 64-bit code and data descriptors (base and limit ignored in long
 * mode, but VM entry checks the host's selectors, so keep them canonical). */
#define GDT_CODE64 0x00af9a000000ffffull   /* P, DPL0, code, read, L=1, G */
#define GDT_DATA64 0x00cf92000000ffffull   /* P, DPL0, data, write, D/B, G */

static void *alloc_stack(size_t bytes)
{
    uint64_t base = pmm_alloc_pages(bytes / PAGE_SIZE);
    if (!base) {
        panic("out of memory for per-CPU stacks");
    }
    return (void *)(base + bytes);  /* stacks grow down */
}

static void setup_tss_descriptor(struct percpu *cpu)
{
    uint64_t base = (uint64_t)&cpu->tss;
    uint64_t limit = sizeof(cpu->tss) - 1;

    /* Low 8 bytes: limit, base 0..23, type 9 (available 64-bit TSS), P. */
    cpu->gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
                            ((limit & 0xf0000) << 32) | ((base & 0xff000000ull) << 32);
    /* High 8 bytes: base 32..63. */
    cpu->gdt[GDT_TSS / 8 + 1] = base >> 32;
}

static void percpu_init_one(unsigned index, const struct bootinfo_cpu *bc)
{
    uint64_t page = pmm_alloc_pages((sizeof(struct percpu) + PAGE_SIZE - 1) / PAGE_SIZE);
    if (!page) {
        panic("out of memory for per-CPU data");
    }
    struct percpu *cpu = (struct percpu *)page;
    cpu->self = cpu;
    cpu->index = index;
    cpu->apic_id = bc->apic_id;
    cpu->is_bsp = (bc->flags & BOOTINFO_CPU_BSP) != 0;
    cpu->state = CPU_OFFLINE;
    cpu->stack_top = (uint64_t)alloc_stack(KERNEL_STACK_SIZE);
    for (int i = 1; i <= IST_COUNT; i++) {
        cpu->ist_top[i] = (uint64_t)alloc_stack(IST_STACK_SIZE);
        cpu->tss.ist[i - 1] = cpu->ist_top[i];
    }
    cpu->tss.rsp[0] = cpu->stack_top;
    /* No I/O permission bitmap: base beyond the limit. */
    cpu->tss.iomap_base = sizeof(cpu->tss);

    cpu->gdt[0] = 0;
    cpu->gdt[GDT_KERNEL_CODE / 8] = GDT_CODE64;
    cpu->gdt[GDT_KERNEL_DATA / 8] = GDT_DATA64;
    setup_tss_descriptor(cpu);
    percpu_table[index] = cpu;
}

void percpu_init_all(const struct kestrel_bootinfo *bi)
{
    for (unsigned i = 0; i < bi->cpu_count; i++) {
        percpu_init_one(i, &bi->cpus[i]);
    }
    percpu_count = bi->cpu_count;
}

void percpu_load(struct percpu *cpu)
{
    struct descriptor_ptr gdtr = { sizeof(cpu->gdt) - 1, (uint64_t)cpu->gdt };

    load_gdt(&gdtr);
    /* Reload CS with a far return, then the data segments. */
    __asm__ volatile(
        "pushq %0\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w1, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "xorl %%eax, %%eax\n\t"
        "movw %%ax, %%fs\n\t"
        "movw %%ax, %%gs\n\t"
        : : "i"((uint64_t)GDT_KERNEL_CODE), "i"(GDT_KERNEL_DATA) : "rax", "memory");
    load_tr(GDT_TSS);
    /* Loading GS with a null selector cleared the base: set it after. */
    wrmsr(MSR_IA32_GS_BASE, (uint64_t)cpu);
    idt_load();
}
