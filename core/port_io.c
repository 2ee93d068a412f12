/* The intercepted I/O ports (see port_io.h). */
#include "core/port_io.h"
#include "drivers/pci.h"
#include "drivers/serial.h"
#include "kernel/x86.h"
#include "kernel/log.h"

#define PCI_DEVICES      32
#define PCI_FUNCTIONS    8
#define PCI_ID_NONE      0xffffffffu
#define PCI_OFFSET_ID    0x00
#define PCI_OFFSET_CLASS 0x08
#define PCI_OFFSET_HEADER 0x0c
#define PCI_HEADER_MULTIFUNCTION (1u << 23)
#define PORT_ALL_ONES    0xffffffffu
#define CHIPSET_S5_PIIX4 0          /* PIIX4 PMCNTRL SUS_TYP 000b: soft off */
#define CHIPSET_S5_ICH   7          /* ICH PM1_CNT SLP_TYP 111b: S5, soft off */

/* ---- set-up --------------------------------------------------------------- */

static bool find_pm_device(struct pm_device *d, bool *q35)
{
    *q35 = false;
    *d = (struct pm_device){ PM_CHIPSET_NONE, 0, 0, 0 };
    for (uint8_t dev = 0; dev < PCI_DEVICES; dev++) {
        for (uint8_t fn = 0; fn < PCI_FUNCTIONS; fn++) {
            uint32_t id = pci_config_read32(0, dev, fn, PCI_OFFSET_ID);
            if (id == PCI_ID_NONE) {
                if (fn == 0) {
                    break;
                }
                continue;
            }
            uint32_t cls = pci_config_read32(0, dev, fn, PCI_OFFSET_CLASS);
            if (dev == 0 && fn == 0 && pci_is_q35_host_bridge(id, cls)) {
                *q35 = true;
            }
            enum pm_chipset kind = pm_chipset_of(id, cls);
            if (kind != PM_CHIPSET_NONE && d->kind == PM_CHIPSET_NONE) {
                *d = (struct pm_device){ kind, 0, dev, fn };
            }
            if (fn == 0 && !(pci_config_read32(0, dev, 0, PCI_OFFSET_HEADER) &
                             PCI_HEADER_MULTIFUNCTION)) {
                break;
            }
        }
    }
    return d->kind != PM_CHIPSET_NONE;
}

void port_guard_setup(struct port_guard_state *g, bool hide_com2)
{
    bool q35;
    g->hide_com2 = hide_com2;
    if (find_pm_device(&g->pm_device, &q35)) {
        const struct pm_device *d = &g->pm_device;
        uint32_t base = pci_config_read32(d->bus, d->dev, d->fn, 0x40);
        uint32_t enable = pci_config_read32(d->bus, d->dev, d->fn, pm_enable_offset(d->kind));
        g->chipset_pm1a_cnt = pm1a_cnt_port_of(d->kind, base, enable);
        pm_ports_watch(&g->pm, g->chipset_pm1a_cnt, true,
                       d->kind == PM_CHIPSET_PIIX4 ? CHIPSET_S5_PIIX4 : CHIPSET_S5_ICH, "chipset");
    }
    size_t n = pm_locked_regs(&g->pm_device, q35, g->locked, PM_LOCKED_REGS_MAX);
    g->locked_count = n > PM_LOCKED_REGS_MAX ? PM_LOCKED_REGS_MAX : (unsigned)n;
    if (g->pm_device.kind != PM_CHIPSET_NONE) {
        log_info("chipset: %s PM block at %02x:%02x.%x, PM1a control %#x%s",
                 pm_chipset_name(g->pm_device.kind), g->pm_device.bus, g->pm_device.dev,
                 g->pm_device.fn, g->chipset_pm1a_cnt, q35 ? ", Q35 PCIEXBAR locked" : "");
    } else {
        log_info("chipset: no known ACPI PM block (only the FADT's PM1a control is watched)");
    }
}

void port_guard_intercepts(const struct port_guard_state *g,
                           void (*set)(void *ctx, uint16_t port), void *ctx)
{
    size_t n;
    const uint16_t *reset = reset_watched_ports(&n);
    for (size_t i = 0; i < n; i++) {
        set(ctx, reset[i]);
    }
    for (uint16_t p = PCI_CONFIG_ADDRESS; p < PCI_CONFIG_DATA + PCI_CONFIG_DATA_PORTS; p++) {
        set(ctx, p);
    }
    pm_ports_intercepts(&g->pm, set, ctx);
    if (g->hide_com2) {
        for (uint16_t p = COM2_PORT; p < COM2_PORT + UART_PORTS; p++) {
            set(ctx, p);
        }
    }
}

/* ---- the accesses ------------------------------------------------------- */

static uint32_t hw_in(uint16_t port, unsigned size)
{
    return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

static void hw_out(uint16_t port, unsigned size, uint32_t value)
{
    if (size == 1) {
        outb(port, (uint8_t)value);
    } else if (size == 2) {
        outw(port, (uint16_t)value);
    } else {
        outl(port, value);
    }
}

static bool is_com2(uint16_t p)
{
    return (uint16_t)(p - COM2_PORT) < UART_PORTS;
}

/* Byte by byte: hidden COM2 ports read all ones and ignore writes, the
 * others reach the hardware. */
static void com2_io(uint16_t port, unsigned size, bool in, uint32_t *value)
{
    uint32_t result = 0;
    for (unsigned i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        if (is_com2(p)) {
            result |= 0xffu << (8 * i);
        } else if (in) {
            result |= (uint32_t)inb(p) << (8 * i);
        } else {
            outb(p, (uint8_t)(*value >> (8 * i)));
        }
    }
    if (in) {
        *value = result;
    }
}

static bool touches_com2(uint16_t port, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        if (is_com2((uint16_t)(port + i))) {
            return true;
        }
    }
    return false;
}

static bool is_config_data(uint16_t port)
{
    return (uint16_t)(port - PCI_CONFIG_DATA) < PCI_CONFIG_DATA_PORTS;
}

/* CONFIG_DATA, with the pci lock held: a write to a locked register that
 * would change it is dropped. */
static void config_data_io(struct port_guard_state *g, struct refusal_log *r, uint32_t apic_id,
                           uint16_t port, unsigned size, bool in, uint32_t *value)
{
    if (in) {
        *value = hw_in(port, size);
        return;
    }
    uint32_t config_address = inl(PCI_CONFIG_ADDRESS);
    struct pci_addr a;
    if (pci_cf8_target(config_address, port, false, &a)) {
        uint32_t current = inl(PCI_CONFIG_DATA);   /* CONFIG_ADDRESS selects the dword */
        const char *what = pci_config_write_problem(g->locked, g->locked_count, a, size,
                                                    *value, current);
        if (what) {
            refusal_warn(r, REFUSAL_PCI_CONFIG, apic_id,
                         "guest PCI configuration write refused: %02x:%02x.%x offset %#x = %#x "
                         "(%u bytes) would change %s", a.bus, a.dev, a.fn, a.offset, *value,
                         size, what);
            return;
        }
    }
    hw_out(port, size, *value);
}

struct port_result port_io(struct port_guard_state *g, struct refusal_log *r, uint32_t apic_id,
                           uint16_t port, unsigned size, bool in, uint32_t *value)
{
    struct port_result go_on = { PORT_GO_ON, 0 };

    /* CONFIG_ADDRESS: only a whole dword at 0xCF8 is one (PCI 3.0
     * 3.2.2.3.2); it covers 0xCF9 without being the reset register. */
    if (port == PCI_CONFIG_ADDRESS && size == 4) {
        uint64_t flags = spin_lock_irqsave(&g->pci_lock);
        if (in) {
            *value = inl(port);
        } else {
            outl(port, *value);
        }
        spin_unlock_irqrestore(&g->pci_lock, flags);
        return go_on;
    }
    if (!in) {
        if (pm_reset_requested(&g->pm, port, size, *value)) {
            return (struct port_result){ PORT_RESET, "acpi-reset" };
        }
        uint64_t flags = spin_lock_irqsave(&g->reset_lock);
        enum reset_path how = reset_write(&g->kbc, port, size, *value);
        spin_unlock_irqrestore(&g->reset_lock, flags);
        if (how != RESET_PATH_NONE) {
            return (struct port_result){ PORT_RESET, reset_path_name(how) };
        }
    }
    switch (pm_ports_io(&g->pm, r, apic_id, port, size, in, value)) {
    case PM_POWER_OFF:
        return (struct port_result){ PORT_POWER_OFF, "acpi-s5" };
    case PM_DONE:
        return go_on;
    case PM_NOT_MINE:
        break;
    }
    if (is_config_data(port)) {
        uint64_t flags = spin_lock_irqsave(&g->pci_lock);
        config_data_io(g, r, apic_id, port, size, in, value);
        spin_unlock_irqrestore(&g->pci_lock, flags);
        return go_on;
    }
    if (g->hide_com2 && touches_com2(port, size)) {
        com2_io(port, size, in, value);
        return go_on;
    }
    if (in) {
        *value = hw_in(port, size);
    } else {
        hw_out(port, size, *value);
    }
    return go_on;
}
