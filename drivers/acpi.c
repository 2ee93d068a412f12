/* Reading the firmware's ACPI tables (ACPI 6.x, 5.2) for Kestrel's own cross-checks. */
#include <stdint.h>
#include <stdbool.h>
#include "drivers/acpi.h"
#include "kernel/log.h"
#include "lib/acpi_passthrough.h"
#include "lib/acpi_read.h"
#include "lib/fmt.h"
#include "mm/paging.h"

/* What Kestrel will intercept when it gives the guest these tables: the
 * firmware's PM1a control and reset registers and its \_S5 type (a line on
 * every machine with ACPI, so a QEMU boot without VMX checks it too). */
static void report_power(const struct acpi_view *view, uint64_t rsdp)
{
    static struct acpi_survey s;         /* large: off the stack */
    const char *why;
    if (!acpi_survey(view, rsdp, &s, &why)) {
        log_warn("acpi: %s", why);
        return;
    }
    char cnt[64], reset[64], s5[16];
    ksnprintf(s5, sizeof(s5), s.s5_found ? "type %u" : "not found", s.s5_typ_a);
    log_info("acpi: firmware PM1a control %s, reset %s (value %#x), S5 %s",
             acpi_reg_words(s.hw.pm1a_cnt_kind, s.hw.pm1a_cnt, cnt, sizeof(cnt)),
             acpi_reg_words(s.hw.reset_kind, s.hw.reset, reset, sizeof(reset)), s.hw.reset_value, s5);
}

void acpi_crosscheck_cpus(const struct kestrel_bootinfo *bi)
{
    static struct acpi_root root;        /* large: off the stack */
    struct acpi_view view = { .map = paging_phys_map, .ctx = 0 };
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
    report_power(&view, bi->acpi_rsdp);
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

void acpi_interrupt_hw(const struct kestrel_bootinfo *bi, struct acpi_interrupt_hw *hw)
{
    static struct acpi_root root;        /* large: off the stack */
    struct acpi_view view = { .map = paging_phys_map, .ctx = 0 };
    const char *why;
    uint32_t len;

    *hw = (struct acpi_interrupt_hw){ 0 };
    if (!bi->acpi_rsdp || !acpi_root_read(&view, bi->acpi_rsdp, &root, &why)) {
        /* No tables (OVMF on Bochs): the PC's one I/O APIC where the MP spec
         * puts it, as Kestrel's own MADT says. */
        hw->ioapics[0] = ACPI_DEFAULT_IOAPIC_BASE;
        hw->ioapic_count = 1;
        return;
    }
    uint64_t at = acpi_find(&view, &root, "APIC");
    const uint8_t *madt = at ? acpi_table_at(&view, at, &len) : 0;
    unsigned n = 0;
    if (madt && acpi_madt_ioapics(madt, len, hw->ioapics, ACPI_IOAPICS_MAX, &n)) {
        hw->ioapic_count = n > ACPI_IOAPICS_MAX ? ACPI_IOAPICS_MAX : n;
        if (n > ACPI_IOAPICS_MAX) {
            log_warn("acpi: %u I/O APICs, only the first %u are guarded", n, ACPI_IOAPICS_MAX);
        }
    }
    at = acpi_find(&view, &root, "MCFG");
    const uint8_t *mcfg = at ? acpi_table_at(&view, at, &len) : 0;
    hw->ecam = mcfg && acpi_mcfg_segment0(mcfg, len, &hw->ecam_base, &hw->ecam_start_bus,
                                          &hw->ecam_end_bus);
}
