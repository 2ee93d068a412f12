/*
 * Local APIC access for a built-in guest (see lapic.h), in the mode the
 * boot info gives: only after boot_info_accept().
 */
#include "guest/common/boot_info.h"
#include "guest/common/cpu.h"
#include "guest/common/lapic.h"
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/common/tsc.h"
#include "kernel/cpu_features.h"
#include "kernel/msr.h"
#include "kernel/x86.h"

#define X2APIC_ICR    (MSR_X2APIC_BASE + (LAPIC_ICR_LOW >> 4))  /* one 64-bit MSR */
#define ICR_ACCEPT_US 100000

/* CPUs (by cpu_index) that switched to x2APIC mode themselves. */
static bool switched_to_x2apic[GUEST_MAX_CPUS];

static bool x2apic(void)
{
    int cpu = cpu_index();

    return boot_info->x2apic != 0 ||
           (cpu != CPU_UNKNOWN && cpu < GUEST_MAX_CPUS && switched_to_x2apic[cpu]);
}

const char *lapic_enter_x2apic(void)
{
    int cpu = cpu_index();

    if (x2apic())
        return NULL;
    if (cpu == CPU_UNKNOWN || cpu >= GUEST_MAX_CPUS)
        return "this CPU is not on a known stack";
    if (!(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_X2APIC))
        return "CPUID.1:ECX.x2APIC is clear";
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    struct fault f = probe_wrmsr(this_probe(), MSR_IA32_APIC_BASE, base | APIC_BASE_X2APIC_ENABLE);
    if (f.vector != FAULT_NONE)
        return "WRMSR IA32_APIC_BASE adding x2APIC enable raised an exception";
    switched_to_x2apic[cpu] = true;
    return NULL;
}

static volatile uint32_t *xapic_reg(uint32_t reg)
{
    return (volatile uint32_t *)(uintptr_t)(boot_info->lapic_base + reg);
}

uint32_t lapic_read(uint32_t reg)
{
    if (x2apic())
        return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
    return *xapic_reg(reg);
}

void lapic_write(uint32_t reg, uint32_t value)
{
    if (x2apic())
        wrmsr(MSR_X2APIC_BASE + (reg >> 4), value);
    else
        *xapic_reg(reg) = value;
}

void lapic_init_cpu(void)
{
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
    uint32_t id = lapic_read(LAPIC_ID);

    /* x2APIC: the whole register is the ID; xAPIC: bits 31:24. */
    return x2apic() ? id : id >> 24;
}

bool lapic_send_ipi(uint32_t dest, uint32_t icr_low)
{
    if (x2apic()) {
        /* One write sends it; x2APIC has no delivery-status bit. */
        wrmsr(X2APIC_ICR, ((uint64_t)dest << 32) | icr_low);
        return true;
    }
    /* The write to the low half sends, so the destination goes first. */
    lapic_write(LAPIC_ICR_HIGH, dest << 24);
    lapic_write(LAPIC_ICR_LOW, icr_low);
    uint64_t deadline = tsc_deadline_us(ICR_ACCEPT_US);
    while (lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING) {
        if (tsc_expired(deadline))
            return false;
        cpu_relax();
    }
    return true;
}
