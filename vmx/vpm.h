/*
 * Kestrel's hold on the guest's ACPI power management: the PM1a control
 * register and the reset register the guest's FADT names are I/O ports
 * Kestrel intercepts, so a guest's "power off" (SLP_EN with the \_S5 sleep
 * type) and "reset" end the run instead of reaching the machine.
 *
 * Two modes:
 *   emulated  the FADT is Kestrel's own (the firmware has no ACPI): the PM1a
 *             event and control registers exist only here, emulated;
 *   firmware  the FADT is the firmware's: every access reaches the real
 *             registers except a sleep request and the reset value.
 * Sleep states other than S5 are refused in both (Kestrel cannot resume a
 * machine whose VMX state the sleep lost): one warning, the write dropped.
 */
#ifndef KESTREL_VMX_VPM_H
#define KESTREL_VMX_VPM_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct vm;

struct vpm {
    bool     enabled;
    bool     emulated;       /* else the firmware's registers, passed through */
    uint16_t evt_port;       /* emulated only: PM1a_STS (2 bytes), PM1a_EN (2 bytes) */
    uint16_t cnt_port;       /* PM1a_CNT (2 bytes); 0 = not intercepted */
    uint16_t reset_port;     /* 0 = none */
    uint8_t  reset_value;
    bool     s5_known;       /* else every sleep request counts as power-off */
    uint8_t  s5_slp_typ;
    /* state (guarded by the vpm lock in vpm.c) */
    bool     sleep_refused;  /* warned once */
    uint16_t sts, en, cnt;   /* emulated registers */
};

/* Sets the intercepts in the VM's I/O bitmaps. */
void vpm_enable(struct vm *vm, const struct vpm *config);

/* An I/O exit.  Returns true when Kestrel handled the access (then *value
 * holds what an IN reads); false for a port it does not own, which the
 * caller passes to the hardware.  Ends the guest on a power-off or reset
 * request (*ended). */
bool vpm_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value, bool *ended);

#endif
