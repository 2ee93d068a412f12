/*
 * The I/O ports Kestrel intercepts for every guest, and what an access to
 * them does: the one decision both backends (VMX I/O bitmap, SVM IOPM) make
 * for an IN or OUT exit, one element at a time for string forms.
 *   power    PM1a control and reset registers (core/pm_ports.c): Kestrel's
 *            emulated ones, the firmware FADT's and the chipset's own;
 *   reset    the 8042 reset line, port 0x92's fast reset, 0xCF9's RST_CPU
 *            (core/port_guard.c): they end the run as a guest reset;
 *   PCI      CONFIG_ADDRESS/CONFIG_DATA (0xCF8-0xCFF): writes that would move
 *            or disable the chipset's PM block (or Q35's ECAM window) are
 *            refused (core/pci_guard.c);
 *   COM2     with `console = com2` Kestrel's console: the guest finds no UART
 *            there (reads all ones, writes dropped).
 * Everything else reaches the hardware as the guest issued it.
 *
 * Not covered (docs/vmx.md): the PM block of Intel PCHs from the 100 series
 * (PMC ABASE at 0:1f.2), AMD's FCH index/data ports 0xCD6/0xCD7, the TCO
 * watchdog, PCI configuration mechanism #2.
 */
#ifndef KESTREL_CORE_PORT_IO_H
#define KESTREL_CORE_PORT_IO_H

#include <stdbool.h>
#include <stdint.h>
#include "core/pm_ports.h"
#include "core/port_guard.h"
#include "core/pci_guard.h"
#include "core/refusal.h"
#include "kernel/spinlock.h"

struct port_guard_state {
    struct pm_ports pm;
    struct kbc_watch kbc;              /* the 8042 is one per machine */
    struct spinlock reset_lock;
    struct pm_device pm_device;        /* the chipset's PM block, found at boot */
    uint16_t chipset_pm1a_cnt;         /* its PM1a control port, 0 if none decodes */
    struct pci_locked_reg locked[PM_LOCKED_REGS_MAX];
    unsigned locked_count;
    struct spinlock pci_lock;          /* CONFIG_ADDRESS + CONFIG_DATA is not atomic */
    bool hide_com2;
};

enum port_end { PORT_GO_ON, PORT_POWER_OFF, PORT_RESET };

struct port_result {
    enum port_end end;
    const char *how;                   /* PORT_RESET: the status-line word */
};

/* Finds the chipset's PM block and the configuration registers to lock
 * (reading PCI configuration space: before the guest runs), and watches the
 * chipset's PM1a control register. */
void port_guard_setup(struct port_guard_state *g, bool hide_com2);

/* Calls set(ctx, port) for every port to intercept. */
void port_guard_intercepts(const struct port_guard_state *g,
                           void (*set)(void *ctx, uint16_t port), void *ctx);

/* One access of size 1, 2 or 4 to port by the vCPU apic_id; for an IN,
 * *value gets what the guest reads. */
struct port_result port_io(struct port_guard_state *g, struct refusal_log *r, uint32_t apic_id,
                           uint16_t port, unsigned size, bool in, uint32_t *value);

#endif
