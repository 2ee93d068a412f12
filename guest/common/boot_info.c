/*
 * Checking the boot info before anything relies on it (see boot_info.h).
 */
#include <stdbool.h>
#include <stddef.h>

#include "guest/common/boot_info.h"
#include "guest/common/hypercall.h"
#include "guest/common/serial.h"

const struct guest_boot_info *boot_info;

extern const uint8_t __image_start[];   /* linker.ld */

static const char *problem(const struct guest_boot_info *info)
{
    bool bsp_listed = false;

    if ((uint64_t)__image_start != GUEST_IMAGE_LINK_BASE)
        return "the image is not linked at GUEST_IMAGE_LINK_BASE";
    if (info == NULL || info->magic != GUEST_BOOT_INFO_MAGIC)
        return "bad magic";
    if (info->cpu_count == 0 || info->cpu_count > GUEST_MAX_CPUS)
        return "cpu_count out of range";
    if (info->tsc_hz == 0)
        return "tsc_hz is 0";
    if (!info->x2apic && info->lapic_base == 0)
        return "xAPIC mode without lapic_base";
    for (uint32_t i = 0; i < info->cpu_count; i++)
        bsp_listed |= info->apic_ids[i] == info->bsp_apic_id;
    return bsp_listed ? NULL : "bsp_apic_id is not in apic_ids";
}

const char *boot_info_accept(const struct guest_boot_info *info)
{
    const char *why;

    /* Every guest comes here first, on the BSP before any AP runs, and the
     * refusal below powers off through a hypercall. */
    hypercall_init();
    why = problem(info);

    if (why == NULL)
        boot_info = info;
    return why;
}

void boot_info_require(const struct guest_boot_info *info, const char *fail_line)
{
    const char *problem = boot_info_accept(info);
    if (problem == NULL) {
        return;
    }
    say("boot info at 0x%lx unusable: %s", (uint64_t)info, problem);
    if (fail_line != NULL) {
        say("%s", fail_line);
    }
    guest_power_off();
}
