/*
 * ipi/<mode>-<kind>-to-<whom>: interrupt commands aimed outside the guest,
 * through the xAPIC's ICR (an MMIO store Kestrel decodes: the LAPIC page is
 * read-only in EPT) and the x2APIC's (WRMSR 0x830, intercepted), each
 * refused by Kestrel (the IPI is dropped, the guest goes on):
 *   init, sipi, nmi   INIT (level assert), SIPI (with the AP start-up page's vector, where a
 *                     real attack would put its code), NMI
 *   held-back         a CPU Kestrel runs but keeps out of the guest (cpus = N): the boot info's
 *                     outside_apic_ids; skipped when there is none
 *   absent            an APIC ID no CPU has (0x30)
 *   ipi/smi           SMI to the BSP itself: refused whatever its destination (SMM is the
 *                     firmware's, outside VMX)
 * The guest sees only that the command was taken (the xAPIC's delivery
 * status clears, the x2APIC's WRMSR does not fault) and that it keeps
 * running; what reached where Kestrel reports after the run (its warnings,
 * `kestrel: refused cpu0 ... ipi=<n>`, and NMIs that reached CPUs outside
 * the guest), which the boot test checks.
 *
 * x2APIC: a helper AP (the first) switches its own LAPIC to x2APIC mode
 * for these cases and stays in it for the rest of the run (SDM vol. 3A
 * 11.12.5: xAPIC → x2APIC is one WRMSR of IA32_APIC_BASE adding EXTD; the
 * way back goes through a disabled LAPIC, which Bochs cannot enable again),
 * so the BSP keeps its xAPIC for the other cases.
 */
#include "guest/common/boot_info.h"
#include "guest/common/lapic.h"
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/hostile/hostile.h"
#include "kernel/cpu_features.h"
#include "kernel/msr.h"
#include "kernel/x86.h"

#define ICR_DELIVERY_SMI   (2u << 8)
#define ICR_DELIVERY_NMI   (4u << 8)
#define APIC_ID_ABSENT     0x30u
#define X2APIC_ICR_MSR     (MSR_X2APIC_BASE + (LAPIC_ICR_LOW >> 4))

enum ipi_kind { IPI_INIT, IPI_SIPI, IPI_NMI, IPI_SMI };
enum ipi_target { TO_HELD_BACK, TO_ABSENT };

static uint32_t icr_low(enum ipi_kind kind)
{
    switch (kind) {
    case IPI_INIT: return ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT;
    case IPI_SIPI: return ICR_DELIVERY_STARTUP | (uint32_t)(boot_info->ap_start_page >> 12);
    case IPI_NMI:  return ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT;
    case IPI_SMI:  return ICR_DELIVERY_SMI | ICR_LEVEL_ASSERT;
    }
    return 0;
}

/* The destination, or false (and the outcome skipped) when there is none. */
static bool target_apic_id(struct outcome *o, enum ipi_target target, uint32_t *dest)
{
    switch (target) {
    case TO_HELD_BACK:
        if (boot_info->outside_count == 0) {
            skipped(o, "no CPU is held back (run with kestrel.cfg cpus = N below the CPU count)");
            return false;
        }
        *dest = boot_info->outside_apic_ids[0];
        return true;
    case TO_ABSENT:
        *dest = APIC_ID_ABSENT;
        return true;
    }
    return false;
}

static void send_xapic(struct outcome *o, enum ipi_kind kind, enum ipi_target target)
{
    uint32_t dest;

    if (boot_info->x2apic) {
        skipped(o, "the LAPIC is in x2APIC mode");
        return;
    }
    if (!target_apic_id(o, target, &dest))
        return;
    if (!lapic_send_ipi(dest, icr_low(kind)))
        not_refused(o, "the xAPIC ICR write was never taken (delivery status stayed pending)");
}

#define X2APIC_PART_US 2000000ull

/* On the helper AP: into x2APIC mode (once), then the ICR write, which
 * must not fault (the guest's own ICR takes it; Kestrel drops it). */
static void send_x2apic_here(struct outcome *o, enum ipi_kind kind, enum ipi_target target)
{
    uint32_t dest;
    const char *why;

    if (!target_apic_id(o, target, &dest))
        return;
    /* A CPU without x2APIC (QEMU's TCG and Bochs' ryzen with SVM) has no
     * such ICR to attack: nothing to test.  One that has it must switch. */
    if (!(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_X2APIC)) {
        skipped(o, "the CPU has no x2APIC");
        return;
    }
    if ((why = lapic_enter_x2apic()) != NULL) {
        not_refused(o, "untested: cpu %u cannot switch to x2APIC mode: %s", this_cpu()->apic_id,
                    why);
        return;
    }
    struct fault f = probe_wrmsr(this_probe(), X2APIC_ICR_MSR, (uint64_t)dest << 32 | icr_low(kind));
    if (f.vector != FAULT_NONE)
        not_refused(o, "the x2APIC ICR write raised %s (vector %d) on cpu %u", fault_name(f.vector),
                    f.vector, this_cpu()->apic_id);
}

static void send_x2apic(struct outcome *o, void (*part)(struct outcome *o))
{
    struct hostile_cpu *ap = ap_helper(0, false);

    if (ap == NULL) {
        skipped(o, "no AP online to switch to x2APIC mode");
        return;
    }
    ap_run(ap, part, o, X2APIC_PART_US);
}

#define X2APIC_PART(name, kind, target)                                  \
    static void name##_part(struct outcome *o)                           \
    {                                                                    \
        send_x2apic_here(o, kind, target);                               \
    }                                                                    \
    void case_ipi_##name(struct outcome *o)                              \
    {                                                                    \
        send_x2apic(o, name##_part);                                     \
    }

X2APIC_PART(x2apic_init_to_held_back, IPI_INIT, TO_HELD_BACK)
X2APIC_PART(x2apic_sipi_to_held_back, IPI_SIPI, TO_HELD_BACK)
X2APIC_PART(x2apic_nmi_to_held_back, IPI_NMI, TO_HELD_BACK)
X2APIC_PART(x2apic_init_to_absent, IPI_INIT, TO_ABSENT)
X2APIC_PART(x2apic_sipi_to_absent, IPI_SIPI, TO_ABSENT)
X2APIC_PART(x2apic_nmi_to_absent, IPI_NMI, TO_ABSENT)

void case_ipi_xapic_init_to_held_back(struct outcome *o) { send_xapic(o, IPI_INIT, TO_HELD_BACK); }
void case_ipi_xapic_sipi_to_held_back(struct outcome *o) { send_xapic(o, IPI_SIPI, TO_HELD_BACK); }
void case_ipi_xapic_nmi_to_held_back(struct outcome *o)  { send_xapic(o, IPI_NMI, TO_HELD_BACK); }
void case_ipi_xapic_init_to_absent(struct outcome *o)    { send_xapic(o, IPI_INIT, TO_ABSENT); }
void case_ipi_xapic_sipi_to_absent(struct outcome *o)    { send_xapic(o, IPI_SIPI, TO_ABSENT); }
void case_ipi_xapic_nmi_to_absent(struct outcome *o)     { send_xapic(o, IPI_NMI, TO_ABSENT); }

void case_ipi_smi(struct outcome *o)
{
    if (!lapic_send_ipi(boot_info->bsp_apic_id, icr_low(IPI_SMI)))
        not_refused(o, "the ICR write was never taken (delivery status stayed pending)");
}
