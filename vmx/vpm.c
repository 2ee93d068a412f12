/* The guest's PM1a control and reset registers (ACPI 6.x, 4.8.3 and 4.8.4.6); see vpm.h. */
#include "vmx/vpm.h"
#include "vmx/vcpu.h"
#include "kernel/spinlock.h"
#include "kernel/log.h"

#define PM1_CNT_SCI_EN      (1u << 0)
#define PM1_CNT_SLP_TYP(v)  (((v) >> 10) & 7u)
#define PM1_CNT_SLP_EN      (1u << 13)

/* Guards the emulated registers (every vCPU may touch them). */
static struct spinlock vpm_lock;

static void set_bitmap(struct vm *vm, uint16_t port, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        uint32_t p = port + i;
        uint8_t *bitmap = p < 0x8000 ? vm->io_bitmap_a : vm->io_bitmap_b;
        p &= 0x7fff;
        bitmap[p / 8] |= (uint8_t)(1u << (p % 8));
    }
}

void vpm_enable(struct vm *vm, const struct vpm *config)
{
    vm->vpm = *config;
    vm->vpm.enabled = true;
    /* Kestrel's FADT has no SMI command port, so ACPI is always on:
     * SCI_EN reads 1. */
    vm->vpm.cnt = PM1_CNT_SCI_EN;
    if (config->emulated) {
        set_bitmap(vm, config->evt_port, 4);
    }
    if (config->cnt_port) {
        set_bitmap(vm, config->cnt_port, 2);
    }
    if (config->reset_port) {
        set_bitmap(vm, config->reset_port, 1);
    }
}

/* Reads/writes a 16-bit register through a 1-, 2- or 4-byte access at
 * byte offset `at` within it (a 4-byte access to the event block covers
 * both of its registers: handled by the caller splitting it). */
static uint32_t reg_read(uint16_t reg, unsigned at, unsigned size)
{
    uint32_t v = (uint32_t)reg >> (8 * at);
    return size >= 2 ? v & 0xffff : v & 0xff;
}

static uint16_t reg_merge(uint16_t reg, unsigned at, unsigned size, uint32_t value)
{
    uint16_t mask = size >= 2 ? 0xffff : (uint16_t)(0xff << (8 * at));
    return (uint16_t)((reg & ~mask) | ((value << (8 * at)) & mask));
}

/* A write of `size` bytes at byte `at` of the 16-bit PM1 control register,
 * as the register bits it sets (bytes it does not cover read as 0). */
static uint16_t cnt_bits(unsigned at, unsigned size, uint32_t value)
{
    uint32_t bits = value << (8 * at);
    return (uint16_t)(size >= 2 || at == 1 ? bits : bits & 0xff);
}

/* A write that sets SLP_EN: the guest asks to enter sleep state SLP_TYP.
 * \_S5 (or any state, when the firmware's \_S5 could not be found) ends the
 * run; the others are refused.  Returns true when the run ends. */
static bool sleep_request(struct vcpu *v, struct vpm *pm, uint16_t bits)
{
    unsigned typ = PM1_CNT_SLP_TYP(bits);
    if (!pm->s5_known || typ == pm->s5_slp_typ) {
        vm_request_end(v->vm, GUEST_POWER_OFF, "acpi-s5");
        return true;
    }
    if (!__atomic_exchange_n(&pm->sleep_refused, true, __ATOMIC_RELAXED)) {
        log_warn("guest asked for ACPI sleep (SLP_TYP %u); only power-off (S5, SLP_TYP %u) is "
                 "supported: request dropped", typ, pm->s5_slp_typ);
    }
    return false;
}

/* The firmware's registers: everything passes through (return false) but a
 * sleep request and the reset value. */
static bool firmware_io(struct vcpu *v, struct vpm *pm, uint16_t port, unsigned size, bool in,
                        uint32_t value, bool *ended)
{
    if (in) {
        return false;
    }
    if (pm->reset_port && port == pm->reset_port && size == 1) {
        if ((uint8_t)value == pm->reset_value) {
            vm_request_end(v->vm, GUEST_RESET, "acpi-reset");
            *ended = true;
            return true;
        }
        return false;
    }
    if (pm->cnt_port && port >= pm->cnt_port && port < pm->cnt_port + 2) {
        uint16_t bits = cnt_bits(port - pm->cnt_port, size, value);
        if (bits & PM1_CNT_SLP_EN) {
            *ended = sleep_request(v, pm, bits);
            return true;
        }
    }
    return false;
}

/* Kestrel's own registers, emulated. */
static bool emulated_io(struct vcpu *v, struct vpm *pm, uint16_t port, unsigned size, bool in,
                        uint32_t *value, bool *ended)
{
    bool evt = port >= pm->evt_port && port < pm->evt_port + 4;
    bool cnt = port >= pm->cnt_port && port < pm->cnt_port + 2;
    bool reset = pm->reset_port && port == pm->reset_port;
    if (!evt && !cnt && !reset) {
        return false;
    }
    if (reset) {
        if (in) {
            *value = 0;
        } else if ((uint8_t)*value == pm->reset_value) {
            vm_request_end(v->vm, GUEST_RESET, "acpi-reset");
            *ended = true;
        }
        return true;
    }
    uint16_t sleep = 0;                  /* a write with SLP_EN: the register value */
    uint64_t flags = spin_lock_irqsave(&vpm_lock);
    if (evt) {
        unsigned off = port - pm->evt_port;
        if (size == 4 && off == 0) {
            /* PM1a_STS and PM1a_EN at once. */
            if (in) {
                *value = pm->sts | ((uint32_t)pm->en << 16);
            } else {
                pm->sts &= (uint16_t)~(*value & 0xffff);   /* status bits: write 1 to clear */
                pm->en = (uint16_t)(*value >> 16);
            }
        } else if (off < 2) {
            if (in) {
                *value = reg_read(pm->sts, off, size);
            } else {
                pm->sts &= (uint16_t)~reg_merge(0, off, size, *value);
            }
        } else {
            if (in) {
                *value = reg_read(pm->en, off - 2, size);
            } else {
                pm->en = reg_merge(pm->en, off - 2, size, *value);
            }
        }
    } else {
        unsigned off = port - pm->cnt_port;
        if (in) {
            *value = reg_read(pm->cnt, off, size);
        } else {
            uint16_t next = reg_merge(pm->cnt, off, size, *value);
            if (next & PM1_CNT_SLP_EN) {
                sleep = next;
            }
            /* SLP_EN is write-only (reads 0); SCI_EN stays set. */
            pm->cnt = (uint16_t)((next & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN);
        }
    }
    spin_unlock_irqrestore(&vpm_lock, flags);
    /* Outside the lock: ending the run sends NMIs to the other vCPUs. */
    if (sleep) {
        *ended = sleep_request(v, pm, sleep);
    }
    return true;
}

bool vpm_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value, bool *ended)
{
    struct vpm *pm = &v->vm->vpm;
    *ended = false;
    if (!pm->enabled) {
        return false;
    }
    if (pm->emulated) {
        return emulated_io(v, pm, port, size, in, value, ended);
    }
    return firmware_io(v, pm, port, size, in, *value, ended);
}
