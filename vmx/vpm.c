/* Virtual PM1a and reset registers (ACPI 6.x, 4.8.3 and 4.8.4.6). */
#include "vmx/vpm.h"
#include "vmx/vcpu.h"
#include "kernel/spinlock.h"

#define PM1_CNT_SCI_EN      (1u << 0)
#define PM1_CNT_SLP_TYP(v)  (((v) >> 10) & 7u)
#define PM1_CNT_SLP_EN      (1u << 13)

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
    /* ACPI is always on (the FADT has no SMI command port): SCI_EN reads 1. */
    vm->vpm.cnt = PM1_CNT_SCI_EN;
    set_bitmap(vm, config->evt_port, 4);
    set_bitmap(vm, config->cnt_port, 2);
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

bool vpm_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value, bool *ended)
{
    struct vpm *pm = &v->vm->vpm;
    *ended = false;
    if (!pm->enabled) {
        return false;
    }
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
            if ((next & PM1_CNT_SLP_EN) && PM1_CNT_SLP_TYP(next) == pm->s5_slp_typ) {
                spin_unlock_irqrestore(&vpm_lock, flags);
                vm_request_end(v->vm, GUEST_POWER_OFF, "acpi-s5");
                *ended = true;
                return true;
            }
            /* SLP_EN is write-only (reads 0); SCI_EN stays set. */
            pm->cnt = (uint16_t)((next & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN);
        }
    }
    spin_unlock_irqrestore(&vpm_lock, flags);
    return true;
}
