/*
 * A built-in guest: its image from kestrel.elf (guest/builtin.c) and the
 * boot-info page a boot loader would give it, filled here because only the
 * kernel knows the CPUs, timer and chipset it describes.
 */
#include "kernel/builtin_payload.h"
#include "kernel/x86.h"
#include "kernel/percpu.h"
#include "drivers/lapic.h"
#include "drivers/timer.h"
#include "guest/builtin.h"

/* The guest's view of the machine, for a built-in guest. */
static void fill_boot_info(const struct kestrel_bootinfo *bi, const struct kestrel_config *cfg,
                           const struct vm *vm, struct guest_boot_info *info)
{
    __builtin_memset(info, 0, sizeof(*info));
    for (unsigned i = 0; i < vm->vcpu_count; i++) {
        info->apic_ids[i] = vm->apic_ids[i];
    }
    info->bsp_apic_id = vm->apic_ids[0];
    info->cpu_count = vm->vcpu_count;
    info->x2apic = lapic_is_x2apic();
    info->lapic_base = rdmsr(0x1b) & ~0xfffull;
    /* Kestrel's own AP page is free again now that its APs run: the guest
     * may use it for its own AP start-up code. */
    info->ap_start_page = bi->trampoline_phys;
    info->hypervisor_probe = vm->canary;
    info->tsc_hz = timer_tsc_hz();
    for (size_t i = 0; i < vm->map_count; i++) {
        if (vm->map[i].kind == MEM_RUNTIME_DATA || vm->map[i].kind == MEM_RUNTIME_CODE) {
            info->firmware_probe = vm->map[i].base;
            break;
        }
    }
    __builtin_memcpy(info->hostile_case, cfg->hostile_case, sizeof(info->hostile_case));
    info->hostile_case[sizeof(info->hostile_case) - 1] = 0;
    for (unsigned i = 0; i < percpu_count; i++) {
        if (!vm->vcpus[i] && info->outside_count < sizeof(info->outside_apic_ids) / 4) {
            info->outside_apic_ids[info->outside_count++] = percpu_table[i]->apic_id;
        }
    }
    info->ioapic_base = vm->ioapic.count ? vm->ioapic.chips[0].base : 0;
    const struct port_guard_state *ports = &vm->ports;
    info->pm1a_cnt_port = ports->chipset_pm1a_cnt;
    for (unsigned i = 0; i < PM_WATCHED_MAX; i++) {
        if (ports->pm.watched[i].cnt_port && ports->pm.watched[i].cnt_port == ports->chipset_pm1a_cnt) {
            info->pm1a_s5_typ = ports->pm.watched[i].s5_slp_typ;
        }
    }
    info->pm_chipset = ports->pm_device.kind == PM_CHIPSET_PIIX4 ? GUEST_PM_CHIPSET_PIIX4
                     : ports->pm_device.kind == PM_CHIPSET_ICH ? GUEST_PM_CHIPSET_ICH
                                                              : GUEST_PM_CHIPSET_NONE;
    info->pm_bus = ports->pm_device.bus;
    info->pm_dev = ports->pm_device.dev;
    info->pm_fn = ports->pm_device.fn;
}

bool builtin_payload_load(const struct kestrel_bootinfo *bi, const struct kestrel_config *cfg,
                          struct vm *vm, struct frame_pool *guest, struct guest_entry *entry,
                          struct load_failure *fail)
{
    struct guest_boot_info info;
    const struct builtin_image *img = builtin_find(config_payload_name(cfg->payload));

    fail->about = LOAD_ABOUT_BUILTIN_IMAGE;
    if (!img) {
        fail->why = "no such image in kestrel.elf";
        return false;
    }
    fill_boot_info(bi, cfg, vm, &info);
    return builtin_load(img, guest, &info, entry, &fail->why);
}
