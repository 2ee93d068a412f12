/*
 * What this CPU's VMX can do, read once from the capability MSRs (on the
 * BSP; every AP is checked against it), and the control values Kestrel
 * runs with.  vmx_caps_evaluate is pure: unit-tested with the MSR values of
 * Bochs 3.0 and with values that lack each required feature.
 */
#ifndef KESTREL_VMX_CAPS_H
#define KESTREL_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

/* Raw MSR values.  pin/proc/exit/entry hold the TRUE_* MSRs when
 * IA32_VMX_BASIC says they exist, the plain ones otherwise. */
struct vmx_cap_msrs {
    uint64_t basic, pin, proc, proc2, exit, entry, misc;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    uint64_t ept_vpid;
};

struct vmx_caps {
    struct vmx_cap_msrs msr;
    uint32_t revision;              /* VMCS revision identifier */
    uint32_t region_size;           /* bytes of a VMXON region / VMCS */
    /* Control values for every VMCS (the entry control IA-32e mode guest is
     * added per guest). */
    uint32_t pin, proc, proc2, exit, entry;
    bool     ept_1g_pages;
    bool     ept_5level;            /* a 5-level EPT walk is offered */
    bool     ept_ad_flags;
    /* The wait-for-SIPI activity state (IA32_VMX_MISC bit 8): guest APs can
     * wait for their SIPI in the CPU.  Without it (QEMU's named Intel models
     * under KVM before Linux 5.11) they wait in Kestrel (docs/vmx.md). */
    bool     wait_for_sipi;
    unsigned preemption_timer_shift; /* timer ticks every 2^shift TSC ticks */
};

/* Fills *caps, or returns false with *reason naming the first missing
 * feature Kestrel needs ("EPT not supported", "unrestricted guest not
 * supported", ...). */
bool vmx_caps_evaluate(const struct vmx_cap_msrs *m, struct vmx_caps *caps, const char **reason);

/* A control value: every bit the CPU forces to 1 (allowed-0 settings in the
 * MSR's low half), plus `required` (all must be allowed, else false), plus
 * whatever of `optional` is allowed (allowed-1 settings in the high half). */
bool vmx_control_value(uint64_t cap_msr, uint32_t required, uint32_t optional, uint32_t *value);

#endif
