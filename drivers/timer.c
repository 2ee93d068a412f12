/*
 * TSC frequency.  CPUID leaf 0x15 (TSC/crystal ratio and crystal frequency)
 * is exact where the CPU fills it in.  Otherwise the TSC is measured against
 * PIT channel 2, which PC-compatible platforms and every emulator have.
 * Leaf 0x16 (the nominal base frequency, "for information only" per the
 * SDM) is the last resort: emulators report a marketing number there that
 * has nothing to do with how fast their TSC really runs (Bochs: 3500 MHz
 * for a TSC that counts instructions).
 */
#include "drivers/timer.h"
#include "kernel/x86.h"
#include "kernel/cpu_features.h"
#include "kernel/log.h"

#define PIT_HZ            1193182ull
#define PIT_CH2_DATA      0x42
#define PIT_COMMAND       0x43
#define PIT_GATE_PORT     0x61      /* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 out */
#define PIT_CMD_CH2_MODE0 0xb0      /* channel 2, lobyte/hibyte, mode 0, binary */
#define CALIBRATE_MS      10
#define CALIBRATE_ROUNDS  3
/* Fallback when nothing answers: better a wrong delay than a division by 0. */
#define ASSUMED_TSC_HZ    2000000000ull

static uint64_t tsc_hz;
static const char *source = "uncalibrated";

static uint64_t from_cpuid_crystal(void)
{
    if (cpuid(0, 0).eax >= CPUID_LEAF_TSC_CRYSTAL) {
        struct cpuid_regs r = cpuid(CPUID_LEAF_TSC_CRYSTAL, 0);
        if (r.eax && r.ebx && r.ecx) {
            source = "cpuid 0x15";
            return (uint64_t)r.ecx * r.ebx / r.eax;
        }
    }
    return 0;
}

static uint64_t from_cpuid_nominal(void)
{
    if (cpuid(0, 0).eax >= CPUID_LEAF_FREQUENCY) {
        struct cpuid_regs r = cpuid(CPUID_LEAF_FREQUENCY, 0);
        if (r.eax & 0xffff) {
            source = "cpuid 0x16";
            return (uint64_t)(r.eax & 0xffff) * 1000000ull;
        }
    }
    return 0;
}

/* One PIT one-shot of CALIBRATE_MS; returns TSC ticks, 0 if the PIT's
 * output never rose (no PIT). */
static uint64_t pit_measure_once(void)
{
    uint16_t count = (uint16_t)(PIT_HZ * CALIBRATE_MS / 1000);
    uint8_t gate = inb(PIT_GATE_PORT);

    outb(PIT_GATE_PORT, (gate & ~0x02) & ~0x01);   /* speaker off, gate low */
    outb(PIT_COMMAND, PIT_CMD_CH2_MODE0);
    outb(PIT_CH2_DATA, count & 0xff);
    outb(PIT_CH2_DATA, count >> 8);
    outb(PIT_GATE_PORT, (gate & ~0x02) | 0x01);    /* gate high: start counting */

    uint64_t start = rdtsc();
    for (uint64_t spins = 0; !(inb(PIT_GATE_PORT) & 0x20); spins++) {
        if (spins > (1ull << 26)) {
            return 0;
        }
    }
    uint64_t ticks = rdtsc() - start;
    outb(PIT_GATE_PORT, gate);
    return ticks;
}

static uint64_t from_pit(void)
{
    uint64_t best = 0;
    /* The shortest measurement had the least interference (an SMI, an
     * emulator's host scheduling). */
    for (int i = 0; i < CALIBRATE_ROUNDS; i++) {
        uint64_t t = pit_measure_once();
        if (t && (!best || t < best)) {
            best = t;
        }
    }
    if (!best) {
        return 0;
    }
    source = "pit";
    return best * 1000 / CALIBRATE_MS;
}

void timer_init(void)
{
    tsc_hz = from_cpuid_crystal();
    if (!tsc_hz) {
        tsc_hz = from_pit();
    }
    if (!tsc_hz) {
        tsc_hz = from_cpuid_nominal();
    }
    if (!tsc_hz) {
        tsc_hz = ASSUMED_TSC_HZ;
        source = "assumed";
        log_warn("cannot determine the TSC frequency (no CPUID leaf, no PIT); assuming 2 GHz");
    }
}

uint64_t timer_tsc_hz(void)
{
    return tsc_hz;
}

const char *timer_source(void)
{
    return source;
}

uint64_t timer_deadline_us(uint64_t us)
{
    uint64_t hz = tsc_hz ? tsc_hz : ASSUMED_TSC_HZ;
    return rdtsc() + us * (hz / 1000000ull);
}

bool timer_expired(uint64_t deadline)
{
    return (int64_t)(rdtsc() - deadline) >= 0;
}

void udelay(uint64_t us)
{
    uint64_t deadline = timer_deadline_us(us);
    while (!timer_expired(deadline)) {
        cpu_relax();
    }
}
