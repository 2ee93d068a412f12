/* Local APIC: xAPIC through MMIO, x2APIC through MSRs (SDM vol. 3A ch. 11). */
#include "drivers/lapic.h"
#include "drivers/timer.h"
#include "kernel/x86.h"
#include "kernel/msr.h"
#include "kernel/cpu_features.h"
#include "kernel/trap.h"
#include "kernel/safe_msr.h"

/* Register offsets in the xAPIC page; x2APIC MSR = 0x800 + offset / 16. */
enum lapic_reg {
    LAPIC_ID = 0x020,
    LAPIC_EOI = 0x0b0,
    LAPIC_SVR = 0x0f0,
    LAPIC_ICR_LOW = 0x300,
    LAPIC_ICR_HIGH = 0x310,
};

#define SVR_APIC_ENABLE      (1u << 8)
#define ICR_DELIVERY_INIT    (5u << 8)
#define ICR_DELIVERY_STARTUP (6u << 8)
#define ICR_DELIVERY_NMI     (4u << 8)
#define ICR_DELIVERY_PENDING (1u << 12)   /* xAPIC only */
#define ICR_LEVEL_ASSERT     (1u << 14)
#define ICR_ALL_BUT_SELF     (3u << 18)

#define ICR_WAIT_US          100000

static bool use_x2apic;
static volatile uint32_t *xapic_mmio;
static bool ready;

/* The mode right now: a guest owns its LAPIC and may switch it (Linux
 * without interrupt remapping leaves x2APIC for xAPIC), so Kestrel's rare
 * accesses once guests run (the NMIs that stop vCPUs) ask the CPU. */
static bool in_x2apic_mode(void)
{
    return (rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC_ENABLE) != 0;
}

static uint32_t lapic_read(enum lapic_reg reg)
{
    if (in_x2apic_mode()) {
        return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
    }
    return xapic_mmio[reg / 4];
}

static void lapic_write(enum lapic_reg reg, uint32_t v)
{
    if (in_x2apic_mode()) {
        wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
    } else {
        xapic_mmio[reg / 4] = v;
    }
}

static void enable_on_this_cpu(void)
{
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    uint64_t want = base | APIC_BASE_GLOBAL_ENABLE | (use_x2apic ? APIC_BASE_X2APIC_ENABLE : 0);
    if (want != base) {
        wrmsr(MSR_IA32_APIC_BASE, want);
    }
    lapic_write(LAPIC_SVR, SVR_APIC_ENABLE | VEC_SPURIOUS);
}

void lapic_init_bsp(uint32_t max_apic_id)
{
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    bool has_x2apic = (cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_X2APIC) != 0;

    /* The mode the firmware chose, so a guest finds the LAPIC as it would
     * natively (a guest without interrupt remapping cannot keep x2APIC);
     * x2APIC only where xAPIC cannot address every CPU (IDs above 254). */
    use_x2apic = (base & APIC_BASE_X2APIC_ENABLE) || (has_x2apic && max_apic_id > 254);
    xapic_mmio = (volatile uint32_t *)(base & APIC_BASE_ADDR_MASK);
    enable_on_this_cpu();
    ready = true;
}

void lapic_init_ap(void)
{
    enable_on_this_cpu();
}

bool lapic_ready(void)
{
    return ready;
}

bool lapic_is_x2apic(void)
{
    return use_x2apic;
}

uint32_t lapic_id(void)
{
    uint32_t id = lapic_read(LAPIC_ID);
    return in_x2apic_mode() ? id : id >> 24;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

/* xAPIC: the ICR takes a new command only once the last one left
 * (delivery status idle); false if it never does. */
static bool xapic_icr_idle(void)
{
    if (!(xapic_mmio[LAPIC_ICR_LOW / 4] & ICR_DELIVERY_PENDING)) {
        return true;
    }
    uint64_t deadline = timer_deadline_us(ICR_WAIT_US);
    while (xapic_mmio[LAPIC_ICR_LOW / 4] & ICR_DELIVERY_PENDING) {
        if (timer_expired(deadline)) {
            return false;
        }
        cpu_relax();
    }
    return true;
}

/* Sends one IPI in the mode the CPU is in; wait_sent: also wait until the
 * xAPIC accepted it (Kestrel's own start-up IPIs, timed against the SDM's
 * delays).  A mediated guest IPI waits only for the ICR to be free: the
 * guest polls delivery status itself, as it would natively. */
static bool send_ipi_how(uint32_t dest, uint32_t icr_low, bool wait_sent)
{
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    /* A guest may have switched its (this CPU's) LAPIC off: nothing can be
     * sent, and waiting for delivery would only stall. */
    if (!(base & APIC_BASE_GLOBAL_ENABLE)) {
        return false;
    }
    if (base & APIC_BASE_X2APIC_ENABLE) {
        /* One 64-bit write: destination in the high half.  x2APIC has no
         * delivery-status bit; the write itself is the send. */
        wrmsr(MSR_X2APIC_BASE + (LAPIC_ICR_LOW >> 4), ((uint64_t)dest << 32) | icr_low);
        return true;
    }
    if (!xapic_icr_idle()) {
        return false;
    }
    xapic_mmio[LAPIC_ICR_HIGH / 4] = dest << 24;
    xapic_mmio[LAPIC_ICR_LOW / 4] = icr_low;
    return !wait_sent || xapic_icr_idle();
}

static bool send_ipi(uint32_t dest, uint32_t icr_low)
{
    return send_ipi_how(dest, icr_low, true);
}

bool lapic_send_init(uint32_t apic_id)
{
    return send_ipi(apic_id, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
}

bool lapic_send_sipi(uint32_t apic_id, uint8_t vector_page)
{
    return send_ipi(apic_id, ICR_DELIVERY_STARTUP | ICR_LEVEL_ASSERT | vector_page);
}

bool lapic_send_nmi_all_but_self(void)
{
    return send_ipi(0, ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT | ICR_ALL_BUT_SELF);
}

bool lapic_send_ipi_raw(uint32_t dest, uint32_t icr_low)
{
    return send_ipi_how(dest, icr_low, false);
}

bool lapic_in_x2apic_mode(void)
{
    return in_x2apic_mode();
}

void lapic_xapic_write(uint32_t offset, uint32_t value)
{
    xapic_mmio[offset / 4] = value;
}

uint32_t lapic_xapic_read(uint32_t offset)
{
    return xapic_mmio[offset / 4];
}

/* Registers an INIT resets (SDM vol. 3A 11.4.7.1, 11.4.7.3), by xAPIC
 * offset. */
#define REG_TPR          0x080
#define REG_LDR          0x0d0
#define REG_DFR          0x0e0
#define REG_ISR0         0x100
#define REG_ESR          0x280
#define REG_TIMER_INIT   0x380
#define REG_TIMER_DIVIDE 0x3e0
#define ISR_REGS         8
#define LVT_MASKED       (1u << 16)
#define SVR_RESET        0xffu       /* spurious vector 0xff, software-disabled */
#define VECTORS          256

/* A write the register may refuse: an x2APIC MSR the CPU does not have
 * (#GP) is skipped, as the xAPIC page ignores such writes. */
static void reset_write(uint32_t offset, uint32_t value, bool x2apic)
{
    if (x2apic) {
        (void)wrmsr_safe(MSR_X2APIC_BASE + (offset >> 4), value);
    } else {
        xapic_mmio[offset / 4] = value;
    }
}

static bool isr_empty(void)
{
    for (uint32_t i = 0; i < ISR_REGS; i++) {
        if (lapic_read((enum lapic_reg)(REG_ISR0 + i * 0x10))) {
            return false;
        }
    }
    return true;
}

void lapic_reset_as_init(void)
{
    static const uint32_t lvts[] = { 0x320, 0x330, 0x340, 0x350, 0x360, 0x370 };
    if (!(rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_GLOBAL_ENABLE)) {
        return;      /* the guest turned it off: nothing to reset, and no way in */
    }
    bool x2apic = in_x2apic_mode();
    /* In service: each EOI retires the highest vector, as the guest's own
     * would (level-triggered ones reach the I/O APIC, which a real INIT
     * would leave waiting). */
    for (unsigned i = 0; i < VECTORS && !isr_empty(); i++) {
        lapic_write(LAPIC_EOI, 0);
    }
    /* Masked first: an LVT cannot be written while the APIC is disabled. */
    for (unsigned i = 0; i < sizeof(lvts) / sizeof(lvts[0]); i++) {
        reset_write(lvts[i], LVT_MASKED, x2apic);
    }
    reset_write(REG_TIMER_INIT, 0, x2apic);
    reset_write(REG_TIMER_DIVIDE, 0, x2apic);
    reset_write(REG_TPR, 0, x2apic);
    if (!x2apic) {
        /* x2APIC derives the LDR from the ID and has no DFR. */
        reset_write(REG_LDR, 0, false);
        reset_write(REG_DFR, 0xffffffffu, false);
    }
    reset_write(REG_ESR, 0, x2apic);
    reset_write(REG_ESR, 0, x2apic);     /* back to back: the error bits clear */
    reset_write(LAPIC_SVR, SVR_RESET, x2apic);
}
