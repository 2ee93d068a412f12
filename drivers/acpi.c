/* The firmware's ACPI tables (ACPI 6.x, 5.2), read once at boot (see drivers/acpi.h). */
#include "drivers/acpi.h"
#include "kernel/log.h"
#include "lib/acpi_read.h"
#include "lib/fmt.h"
#include "mm/paging.h"

/* Written once by acpi_survey_firmware on the BSP before any AP or guest
 * runs, read-only afterwards; large (the root's entries): off the stack. */
static struct acpi_firmware firmware;
static struct acpi_interrupt_hw interrupt_hw;

const struct acpi_firmware *acpi_firmware(void)
{
    return &firmware;
}

const struct acpi_interrupt_hw *acpi_interrupt_hw(void)
{
    return &interrupt_hw;
}

/* What Kestrel will intercept when it gives the guest these tables. */
static void report_power(const struct acpi_survey *s)
{
    char cnt[64], reset[64], s5[16];
    ksnprintf(s5, sizeof(s5), s->s5_found ? "type %u" : "not found", s->s5_typ_a);
    log_info("acpi: firmware PM1a control %s, reset %s (value %#x), S5 %s",
             acpi_reg_words(s->hw.pm1a_cnt_kind, s->hw.pm1a_cnt, cnt, sizeof(cnt)),
             acpi_reg_words(s->hw.reset_kind, s->hw.reset, reset, sizeof(reset)), s->hw.reset_value,
             s5);
}

static void crosscheck_cpus(const struct kestrel_bootinfo *bi, const struct acpi_view *view)
{
    uint32_t ids[BOOTINFO_MAX_CPUS];
    uint32_t len, enabled, matched;
    uint64_t at = acpi_find(view, &firmware.survey.root, "APIC");
    const uint8_t *madt = at ? acpi_table_at(view, at, &len) : 0;

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

/* The I/O APICs (MADT) and ECAM (MCFG) from a valid root table. */
static void read_interrupt_hw(const struct acpi_view *view)
{
    const struct acpi_root *root = &firmware.survey.root;
    uint32_t len;
    uint64_t at = acpi_find(view, root, "APIC");
    const uint8_t *madt = at ? acpi_table_at(view, at, &len) : 0;
    unsigned n = 0;

    if (madt && acpi_madt_ioapics(madt, len, interrupt_hw.ioapics, ACPI_IOAPICS_MAX, &n)) {
        interrupt_hw.ioapic_count = n > ACPI_IOAPICS_MAX ? ACPI_IOAPICS_MAX : n;
        if (n > ACPI_IOAPICS_MAX) {
            log_warn("acpi: %u I/O APICs, only the first %u are guarded", n, ACPI_IOAPICS_MAX);
        }
    }
    at = acpi_find(view, root, "MCFG");
    const uint8_t *mcfg = at ? acpi_table_at(view, at, &len) : 0;
    interrupt_hw.ecam = mcfg && acpi_mcfg_segment0(mcfg, len, &interrupt_hw.ecam_base,
                                                   &interrupt_hw.ecam_start_bus,
                                                   &interrupt_hw.ecam_end_bus);
}

void acpi_survey_firmware(const struct kestrel_bootinfo *bi)
{
    struct acpi_view view = { .map = paging_phys_map, .ctx = 0 };
    const char *why;

    firmware = (struct acpi_firmware){ .rsdp = bi->acpi_rsdp };
    interrupt_hw = (struct acpi_interrupt_hw){ 0 };
    if (bi->acpi_rsdp && acpi_root_read(&view, bi->acpi_rsdp, &firmware.survey.root, &why)) {
        firmware.root_ok = true;
        firmware.usable = acpi_survey_root(&view, &firmware.survey.root, &firmware.survey, &why);
        if (firmware.usable) {
            report_power(&firmware.survey);
        } else {
            firmware.unusable_why = why;
            log_warn("acpi: %s", why);
        }
        crosscheck_cpus(bi, &view);
        read_interrupt_hw(&view);
        return;
    }
    if (!bi->acpi_rsdp) {
        log_info("acpi: no tables from firmware; CPUs from UEFI MP services only");
    } else {
        firmware.unusable_why = why;
        log_warn("acpi: %s; CPUs from UEFI MP services only", why);
    }
    /* No tables (OVMF on Bochs): the PC's one I/O APIC where the MP spec
     * puts it, as Kestrel's own MADT says. */
    interrupt_hw.ioapics[0] = ACPI_DEFAULT_IOAPIC_BASE;
    interrupt_hw.ioapic_count = 1;
}
