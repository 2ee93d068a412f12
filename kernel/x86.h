/*
 * The one place where x86 instructions are wrapped: CPUID, MSRs, control
 * registers, port I/O, TSC, descriptor tables.  Everything else in Kestrel
 * goes through these.
 */
#ifndef KESTREL_KERNEL_X86_H
#define KESTREL_KERNEL_X86_H

#include <stdint.h>
#include <stdbool.h>

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

/* CPUID into 64-bit variables: the instruction writes the 32-bit registers,
 * which zero-extends them, so a caller storing the results into 64-bit guest
 * register slots needs no extra moves (the CPUID exit's fast path). */
static inline void cpuid64(uint32_t leaf, uint32_t subleaf, uint64_t *a, uint64_t *b, uint64_t *c,
                           uint64_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(subleaf));
}

/* MAXPHYADDR: CPUID 0x80000008 EAX[7:0] (0 where the leaf is missing). */
static inline unsigned cpu_phys_addr_bits(void)
{
    if (cpuid(0x80000000u, 0).eax < 0x80000008u) {
        return 0;
    }
    return cpuid(0x80000008u, 0).eax & 0xff;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "memory");
}

#define DEFINE_CR_ACCESS(n)                                                    \
    static inline uint64_t read_cr##n(void)                                    \
    {                                                                          \
        uint64_t v;                                                            \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                      \
        return v;                                                              \
    }                                                                          \
    static inline void write_cr##n(uint64_t v)                                 \
    {                                                                          \
        __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");             \
    }
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(2)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)
#undef DEFINE_CR_ACCESS

/* Debug status: Kestrel uses no debug registers, so in root mode DR0-DR3
 * and DR6 hold the guest's values (VMX switches only DR7). */
static inline uint64_t read_dr6(void)
{
    uint64_t v;
    __asm__ volatile("mov %%dr6, %0" : "=r"(v));
    return v;
}

static inline void write_dr6(uint64_t v)
{
    __asm__ volatile("mov %0, %%dr6" : : "r"(v));
}

static inline void outb(uint16_t port, uint8_t v)  { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)  { uint8_t v;  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)  { __asm__ volatile("pause" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void irq_enable(void)  { __asm__ volatile("sti" ::: "memory"); }
static inline void cpu_halt(void)    { __asm__ volatile("hlt" ::: "memory"); }

/* MONITOR the cache line of addr, then MWAIT (C1, no interrupt break):
 * the CPU sleeps until that line is written, or an NMI (or other break
 * event) arrives; a write between the two makes MWAIT return at once.
 * Only where CPUID.1:ECX.MONITOR says so (CPUID_1_ECX_MONITOR). */
static inline void cpu_monitor(const volatile void *addr)
{
    __asm__ volatile("monitor" : : "a"(addr), "c"(0), "d"(0) : "memory");
}
static inline void cpu_mwait(void)
{
    __asm__ volatile("mwait" : : "a"(0), "c"(0) : "memory");
}

static inline uint64_t read_rflags(void)
{
    uint64_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}

struct __attribute__((packed)) descriptor_ptr {
    uint16_t limit;
    uint64_t base;
};

static inline void store_gdt(struct descriptor_ptr *p) { __asm__ volatile("sgdt %0" : "=m"(*p)); }
static inline void store_idt(struct descriptor_ptr *p) { __asm__ volatile("sidt %0" : "=m"(*p)); }
static inline void load_gdt(const struct descriptor_ptr *p) { __asm__ volatile("lgdt %0" : : "m"(*p)); }
static inline void load_idt(const struct descriptor_ptr *p) { __asm__ volatile("lidt %0" : : "m"(*p)); }
static inline void load_tr(uint16_t sel) { __asm__ volatile("ltr %0" : : "r"(sel)); }

/* Writes back and invalidates every cache line (the guest's INVD is run as
 * this: plain INVD would drop Kestrel's own dirty lines too). */
static inline void wbinvd(void) { __asm__ volatile("wbinvd" ::: "memory"); }

static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

/* Stops this CPU for good: interrupts off, halt forever (an NMI that wakes
 * it just halts again). */
static inline __attribute__((noreturn)) void cpu_stop(void)
{
    for (;;) {
        irq_disable();
        cpu_halt();
    }
}

#endif
