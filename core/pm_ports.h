/*
 * Kestrel's hold on the guest's ACPI power management: the PM1a control
 * registers and the reset register a guest could power off or reset the
 * machine through, as I/O ports Kestrel intercepts.  A sleep request with
 * the \_S5 sleep type, or the reset value, ends the run instead of reaching
 * the machine; other sleep states are refused (Kestrel cannot resume a
 * machine whose VMX state the sleep lost): one warning per vCPU, the write
 * dropped.  Everything else reaches the hardware.
 *
 * Three kinds of PM1a control register:
 *   emulated  Kestrel built the guest's ACPI tables (the firmware has none):
 *             the PM1a event and control registers of its FADT exist only
 *             here;
 *   watched   the firmware FADT's register, and the chipset's own one (PIIX4
 *             PMBA, ICH PMBASE: where it really is, whatever a FADT says),
 *             passed through but for a sleep request.
 * Every access that overlaps one (any size, any start) is decoded byte by
 * byte as the chipset sees it (core/port_guard.c).
 */
#ifndef KESTREL_CORE_PM_PORTS_H
#define KESTREL_CORE_PM_PORTS_H

#include <stdbool.h>
#include <stdint.h>
#include "core/refusal.h"
#include "kernel/spinlock.h"

#define PM_WATCHED_MAX 2

struct pm1_watch {
    uint16_t cnt_port;             /* 0 = unused slot */
    bool     s5_known;             /* else every sleep request counts as power-off */
    uint8_t  s5_slp_typ;
    const char *source;            /* "firmware FADT", "chipset" */
};

struct pm_ports {
    /* emulated registers (Kestrel's own FADT) */
    bool     emulated;
    uint16_t evt_port;             /* PM1a_STS (2 bytes), PM1a_EN (2 bytes) */
    uint16_t cnt_port;             /* PM1a_CNT (2 bytes) */
    uint8_t  s5_slp_typ;
    uint16_t sts, en, cnt;
    /* watched registers */
    struct pm1_watch watched[PM_WATCHED_MAX];
    /* the FADT's reset register (emulated or the firmware's) */
    uint16_t reset_port;           /* 0 = none */
    uint8_t  reset_value;
    bool     reset_emulated;
    struct spinlock lock;          /* every vCPU may touch the emulated registers */
};

/* How an access ended. */
enum pm_outcome { PM_NOT_MINE, PM_DONE, PM_POWER_OFF };

/* Kestrel's own FADT: emulated PM1a event/control registers and reset
 * register (value reset_value at reset_port resets). */
void pm_ports_emulate(struct pm_ports *pm, uint16_t evt_port, uint16_t cnt_port, uint8_t s5_typ,
                      uint16_t reset_port, uint8_t reset_value);

/* A real PM1a control register to watch (the chipset's, then the firmware
 * FADT's); a port already watched takes the later description. */
void pm_ports_watch(struct pm_ports *pm, uint16_t cnt_port, bool s5_known, uint8_t s5_slp_typ,
                    const char *source);

/* The firmware FADT's reset register, passed through but for the reset value. */
void pm_ports_reset_register(struct pm_ports *pm, uint16_t port, uint8_t value);

/* Calls set(ctx, port) for every port to intercept. */
void pm_ports_intercepts(const struct pm_ports *pm, void (*set)(void *ctx, uint16_t port),
                         void *ctx);

/* Does the OUT write the FADT reset register's reset value? */
bool pm_reset_requested(const struct pm_ports *pm, uint16_t port, unsigned size, uint32_t value);

/* One access (size 1, 2 or 4) to port, after pm_reset_requested.  PM_NOT_MINE: no register of these
 * overlaps it.  For an IN, *value gets what the guest reads (bytes the
 * emulated registers do not cover read from the hardware). */
enum pm_outcome pm_ports_io(struct pm_ports *pm, struct refusal_log *r, uint32_t apic_id,
                            uint16_t port, unsigned size, bool in, uint32_t *value);

#endif
