/*
 * Kestrel's virtual ACPI power-management registers (PM1a event and control
 * blocks, the reset register): the guest's ACPI tables (built by guest/)
 * point at these I/O ports, and Kestrel intercepts them, so a guest's
 * "power off" (SLP_EN with the \_S5 sleep type) and "reset" reach Kestrel
 * instead of the machine.
 */
#ifndef KESTREL_VMX_VPM_H
#define KESTREL_VMX_VPM_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct vm;

struct vpm {
    bool     enabled;
    uint16_t evt_port;       /* PM1a_STS (2 bytes), PM1a_EN (2 bytes) */
    uint16_t cnt_port;       /* PM1a_CNT (2 bytes) */
    uint16_t reset_port;     /* 0 = none */
    uint8_t  reset_value;
    uint8_t  s5_slp_typ;
    /* register contents (guarded by the vpm lock in vpm.c) */
    uint16_t sts, en, cnt;
};

/* Sets the intercepts in the VM's I/O bitmaps. */
void vpm_enable(struct vm *vm, const struct vpm *config);

/* An access to one of the ports.  Returns true when it was a vpm port
 * (then *value holds what an IN reads); false for any other port.  Ends
 * the guest on a power-off or reset request (*ended). */
bool vpm_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value, bool *ended);

#endif
