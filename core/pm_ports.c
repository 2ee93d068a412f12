/* The guest's PM1a control and reset registers (ACPI 6.x 4.8.3, 4.8.4.6);
 * see pm_ports.h. */
#include "core/pm_ports.h"
#include "core/port_guard.h"
#include "kernel/x86.h"

#define PM1_EVT_WIDTH 4                  /* PM1a_STS, PM1a_EN */
#define PM1_STS_OFFSET 0
#define PM1_EN_OFFSET  2

void pm_ports_emulate(struct pm_ports *pm, uint16_t evt_port, uint16_t cnt_port, uint8_t s5_typ,
                      uint16_t reset_port, uint8_t reset_value)
{
    pm->emulated = true;
    pm->evt_port = evt_port;
    pm->cnt_port = cnt_port;
    pm->s5_slp_typ = s5_typ;
    /* Kestrel's FADT has no SMI command port, so ACPI is always on:
     * SCI_EN reads 1. */
    pm->sts = pm->en = 0;
    pm->cnt = PM1_CNT_SCI_EN;
    pm->reset_port = reset_port;
    pm->reset_value = reset_value;
    pm->reset_emulated = true;
}

static bool in_range(uint16_t port, uint16_t first, unsigned count)
{
    return (uint16_t)(port - first) < count;
}

/* Does the access [port, port + size) touch [first, first + count)? */
static bool overlaps(uint16_t port, unsigned size, uint16_t first, unsigned count)
{
    for (unsigned i = 0; i < size; i++) {
        if (in_range((uint16_t)(port + i), first, count)) {
            return true;
        }
    }
    return false;
}

static bool emulated_byte(const struct pm_ports *pm, uint16_t p)
{
    return pm->emulated && (in_range(p, pm->evt_port, PM1_EVT_WIDTH) ||
                            in_range(p, pm->cnt_port, PM1_CNT_WIDTH) ||
                            (pm->reset_emulated && pm->reset_port && p == pm->reset_port));
}

void pm_ports_watch(struct pm_ports *pm, uint16_t cnt_port, bool s5_known, uint8_t s5_slp_typ,
                    const char *source)
{
    if (cnt_port == 0 || (emulated_byte(pm, cnt_port) && emulated_byte(pm, cnt_port + 1))) {
        return;     /* Kestrel's emulation answers there already */
    }
    for (unsigned i = 0; i < PM_WATCHED_MAX; i++) {
        if (pm->watched[i].cnt_port == cnt_port) {
            /* The later description wins: the firmware FADT's (its \_S5)
             * comes after the chipset's. */
            pm->watched[i] = (struct pm1_watch){ cnt_port, s5_known, s5_slp_typ, source };
            return;
        }
    }
    for (unsigned i = 0; i < PM_WATCHED_MAX; i++) {
        if (pm->watched[i].cnt_port == 0) {
            pm->watched[i] = (struct pm1_watch){ cnt_port, s5_known, s5_slp_typ, source };
            return;
        }
    }
}

void pm_ports_reset_register(struct pm_ports *pm, uint16_t port, uint8_t value)
{
    pm->reset_port = port;
    pm->reset_value = value;
    pm->reset_emulated = false;
}

void pm_ports_intercepts(const struct pm_ports *pm, void (*set)(void *ctx, uint16_t port),
                         void *ctx)
{
    if (pm->emulated) {
        for (unsigned i = 0; i < PM1_EVT_WIDTH; i++) {
            set(ctx, (uint16_t)(pm->evt_port + i));
        }
        for (unsigned i = 0; i < PM1_CNT_WIDTH; i++) {
            set(ctx, (uint16_t)(pm->cnt_port + i));
        }
    }
    for (unsigned w = 0; w < PM_WATCHED_MAX; w++) {
        if (pm->watched[w].cnt_port) {
            for (unsigned i = 0; i < PM1_CNT_WIDTH; i++) {
                set(ctx, (uint16_t)(pm->watched[w].cnt_port + i));
            }
        }
    }
    if (pm->reset_port) {
        set(ctx, pm->reset_port);
    }
}

/* A sleep request: \_S5 (or any state, when the \_S5 type is not known)
 * ends the run; the others are refused. */
static enum pm_outcome sleep_request(struct refusal_log *r, uint32_t apic_id, unsigned typ,
                                     bool s5_known, unsigned s5_typ, const char *source,
                                     uint16_t cnt_port)
{
    if (!s5_known || typ == s5_typ) {
        return PM_POWER_OFF;
    }
    refusal_warn(r, REFUSAL_SLEEP, apic_id,
                 "guest asked for ACPI sleep (SLP_TYP %u at the %s PM1a control %#x); only "
                 "power-off (S5, SLP_TYP %u) is supported: request dropped", typ, source,
                 cnt_port, s5_typ);
    return PM_DONE;
}

/* One emulated byte written (called locked). */
static void emulated_write_byte(struct pm_ports *pm, uint16_t p, uint8_t byte)
{
    if (in_range(p, pm->evt_port + PM1_STS_OFFSET, 2)) {
        /* status bits: write 1 to clear */
        pm->sts &= (uint16_t)~((uint16_t)byte << (8 * (p - pm->evt_port - PM1_STS_OFFSET)));
    } else if (in_range(p, pm->evt_port + PM1_EN_OFFSET, 2)) {
        unsigned shift = 8 * (p - pm->evt_port - PM1_EN_OFFSET);
        pm->en = (uint16_t)((pm->en & ~(0xffu << shift)) | ((unsigned)byte << shift));
    } else if (in_range(p, pm->cnt_port, PM1_CNT_WIDTH)) {
        unsigned shift = 8 * (p - pm->cnt_port);
        uint16_t next = (uint16_t)((pm->cnt & ~(0xffu << shift)) | ((unsigned)byte << shift));
        /* SLP_EN is write-only (reads 0); SCI_EN stays set. */
        pm->cnt = (uint16_t)((next & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN);
    }
    /* the emulated reset register: any other value does nothing */
}

static uint8_t emulated_read_byte(const struct pm_ports *pm, uint16_t p)
{
    if (in_range(p, pm->evt_port + PM1_STS_OFFSET, 2)) {
        return (uint8_t)(pm->sts >> (8 * (p - pm->evt_port - PM1_STS_OFFSET)));
    }
    if (in_range(p, pm->evt_port + PM1_EN_OFFSET, 2)) {
        return (uint8_t)(pm->en >> (8 * (p - pm->evt_port - PM1_EN_OFFSET)));
    }
    if (in_range(p, pm->cnt_port, PM1_CNT_WIDTH)) {
        return (uint8_t)(pm->cnt >> (8 * (p - pm->cnt_port)));
    }
    return 0;
}

/* An access that touches the emulated registers: byte by byte, each byte
 * to its owner (the emulation or the hardware port next to it). */
static enum pm_outcome emulated_io(struct pm_ports *pm, struct refusal_log *r, uint32_t apic_id,
                                   uint16_t port, unsigned size, bool in, uint32_t *value)
{
    if (!in) {
        struct pm1_cnt_write w = pm1_cnt_decode(port, size, *value, pm->cnt_port);
        unsigned typ;
        if (pm1_sleep_request(&w, &typ)) {
            return sleep_request(r, apic_id, typ, true, pm->s5_slp_typ, "emulated",
                                 pm->cnt_port);
        }
    }
    uint32_t result = 0;
    uint64_t flags = spin_lock_irqsave(&pm->lock);
    for (unsigned i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        uint8_t byte = (uint8_t)(*value >> (8 * i));
        if (emulated_byte(pm, p)) {
            if (in) {
                result |= (uint32_t)emulated_read_byte(pm, p) << (8 * i);
            } else {
                emulated_write_byte(pm, p, byte);
            }
        } else if (in) {
            result |= (uint32_t)inb(p) << (8 * i);
        } else {
            outb(p, byte);
        }
    }
    spin_unlock_irqrestore(&pm->lock, flags);
    if (in) {
        *value = result;
    }
    return PM_DONE;
}

bool pm_reset_requested(const struct pm_ports *pm, uint16_t port, unsigned size, uint32_t value)
{
    uint8_t byte;
    return pm->reset_port && io_byte_written(port, size, value, pm->reset_port, &byte) &&
           byte == pm->reset_value;
}

enum pm_outcome pm_ports_io(struct pm_ports *pm, struct refusal_log *r, uint32_t apic_id,
                            uint16_t port, unsigned size, bool in, uint32_t *value)
{
    if (pm->emulated && (overlaps(port, size, pm->evt_port, PM1_EVT_WIDTH) ||
                         overlaps(port, size, pm->cnt_port, PM1_CNT_WIDTH) ||
                         (pm->reset_port && overlaps(port, size, pm->reset_port, 1)))) {
        return emulated_io(pm, r, apic_id, port, size, in, value);
    }
    if (in) {
        return PM_NOT_MINE;
    }
    for (unsigned i = 0; i < PM_WATCHED_MAX; i++) {
        const struct pm1_watch *w = &pm->watched[i];
        if (!w->cnt_port) {
            continue;
        }
        struct pm1_cnt_write d = pm1_cnt_decode(port, size, *value, w->cnt_port);
        unsigned typ;
        if (pm1_sleep_request(&d, &typ)) {
            return sleep_request(r, apic_id, typ, w->s5_known, w->s5_slp_typ, w->source,
                                 w->cnt_port);
        }
    }
    return PM_NOT_MINE;
}
