/* Reading the firmware's ACPI tables (ACPI 6.x, 5.2) for Kestrel's own cross-checks. */
#include <stdint.h>
#include <stdbool.h>
#include "drivers/acpi.h"
#include "kernel/log.h"
#include "lib/acpi_read.h"
#include "mm/paging.h"

static const void *kernel_map(void *ctx, uint64_t phys, uint64_t len)
{
    (void)ctx;
    return paging_phys(phys, len);
}

void acpi_crosscheck_cpus(const struct kestrel_bootinfo *bi)
{
    static struct acpi_root root;        /* large: off the stack */
    struct acpi_view view = { .map = kernel_map, .ctx = 0 };
    const char *why;
    uint32_t ids[BOOTINFO_MAX_CPUS];
    uint32_t len, enabled, matched;

    if (!bi->acpi_rsdp) {
        log_info("acpi: no tables from firmware; CPUs from UEFI MP services only");
        return;
    }
    if (!acpi_root_read(&view, bi->acpi_rsdp, &root, &why)) {
        log_warn("acpi: %s; CPUs from UEFI MP services only", why);
        return;
    }
    uint64_t at = acpi_find(&view, &root, "APIC");
    const uint8_t *madt = at ? acpi_table_at(&view, at, &len) : 0;
    for (uint32_t i = 0; i < bi->cpu_count; i++) {
        ids[i] = bi->cpus[i].apic_id;
    }
    if (!madt || !acpi_madt_cpus(madt, len, ids, bi->cpu_count, &enabled, &matched)) {
        log_warn("acpi: no valid MADT; CPUs from UEFI MP services only");
        return;
    }
    if (enabled != bi->cpu_count || matched != bi->cpu_count) {
        log_warn("acpi: MADT lists %u enabled CPUs, UEFI MP services %u (%u in both)", enabled,
                 bi->cpu_count, matched);
    } else {
        log_info("acpi: MADT agrees: %u cpus", enabled);
    }
}
