/* A guest's ACPI tables and Kestrel's hold on its power management (see guest_acpi.h). */
#include "guest/guest_acpi.h"
#include "guest/guest_alloc.h"
#include "lib/acpi_build.h"
#include "lib/acpi_passthrough.h"
#include "lib/fmt.h"
#include "mm/paging.h"
#include "core/pm_ports.h"
#include "kernel/log.h"
#include "kernel/x86.h"
#include "kernel/msr.h"

#define PAGE            4096ull

/* Where the guest's virtual PM registers sit when Kestrel builds the tables:
 * the PIIX4 layout at the port base firmware commonly gives it; the guest
 * never reaches the real ones. */
#define VPM_EVT_PORT    0xb000
#define VPM_CNT_PORT    0xb004
#define VPM_RESET_PORT  0x0cf9
#define VPM_RESET_VALUE 0x06
#define VPM_S5_TYPE     5
#define SCI_IRQ         9
#define IOAPIC_BASE     0xfec00000ull

/* The MADT parameters both paths share: the VM's vCPUs, and (when the
 * MADT has to be built) the standard PC interrupt wiring. */
static struct acpi_build_params madt_params(const struct vm *vm)
{
    struct acpi_build_params p = {
        .cpu_count = vm->vcpu_count,
        .apic_ids = vm->apic_ids,
        .lapic_base = rdmsr(MSR_IA32_APIC_BASE) & 0xfffff000ull,
        .have_ioapic = true,
        .ioapic_id = 0,
        .ioapic_gsi_base = 0,
        .ioapic_base = IOAPIC_BASE,
        .sci_irq = SCI_IRQ,
    };
    return p;
}

static uint64_t page_round(uint64_t bytes)
{
    return (bytes + PAGE - 1) & ~(PAGE - 1);
}

/* The firmware has no tables (OVMF on Bochs): Kestrel's own, on emulated
 * PM registers. */
static bool build_own(struct vm *vm, struct frame_pool *guest, uint64_t *rsdp, uint64_t *size,
                      const char **why)
{
    struct acpi_build_params p = madt_params(vm);
    p.pm1a_evt_port = VPM_EVT_PORT;
    p.pm1a_cnt_port = VPM_CNT_PORT;
    p.reset_port = VPM_RESET_PORT;
    p.reset_value = VPM_RESET_VALUE;
    p.s5_slp_typ = VPM_S5_TYPE;

    p.base = 0;                                  /* the size does not depend on it */
    uint64_t need = page_round(acpi_build_size(&p));
    uint64_t blob = need ? guest_take(guest, need, PAGE, GUEST_FOUR_GIB) : 0;
    p.base = blob;
    if (!blob || !acpi_build(&p, (uint8_t *)blob, need)) {
        *why = "cannot build the guest's ACPI tables";
        return false;
    }
    pm_ports_emulate(&vm->ports.pm, VPM_EVT_PORT, VPM_CNT_PORT, VPM_S5_TYPE, VPM_RESET_PORT,
                     VPM_RESET_VALUE);
    log_info("guest acpi: built by kestrel (the firmware has none), PM1a control %#x, reset %#x, "
             "S5 type %u", VPM_CNT_PORT, VPM_RESET_PORT, VPM_S5_TYPE);
    *rsdp = blob;
    *size = need;
    return true;
}

/* The firmware's tables, Kestrel's MADT; intercepts on the firmware's own
 * PM1a control and reset registers. */
static bool pass_firmware(struct vm *vm, struct frame_pool *guest, const struct acpi_view *view,
                          const struct acpi_survey *s, uint64_t *rsdp, uint64_t *size,
                          const char **why)
{
    struct acpi_build_params p = madt_params(vm);
    uint64_t need = page_round(acpi_passthrough_max_size(s, &p));
    uint64_t blob = need ? guest_take(guest, need, PAGE, GUEST_FOUR_GIB) : 0;
    struct acpi_passthrough_result r;
    p.base = blob;
    if (!blob || !acpi_passthrough_build(view, s, &p, (uint8_t *)blob, need, &r)) {
        *why = "cannot build the guest's ACPI root table";
        return false;
    }

    const struct acpi_fixed_hw *hw = &s->hw;
    if (hw->pm1a_cnt_kind == ACPI_REG_IO) {
        pm_ports_watch(&vm->ports.pm, (uint16_t)hw->pm1a_cnt, s->s5_found, s->s5_typ_a,
                       "firmware FADT");
    }
    if (hw->reset_kind == ACPI_REG_IO) {
        pm_ports_reset_register(&vm->ports.pm, (uint16_t)hw->reset, hw->reset_value);
    }
    char madt[64], cnt[64], reset[64], s5[48];
    if (r.madt_filtered) {
        ksnprintf(madt, sizeof(madt), "MADT with %u of %u cpus", vm->vcpu_count, r.fw_cpus);
    } else {
        ksnprintf(madt, sizeof(madt), "MADT built for %u cpus (the firmware's lacks some)",
                  vm->vcpu_count);
    }
    if (s->s5_found) {
        ksnprintf(s5, sizeof(s5), "S5 type %u", s->s5_typ_a);
    } else {
        ksnprintf(s5, sizeof(s5), "S5 not found (any sleep request powers off)");
    }
    log_info("guest acpi: firmware tables, %s, PM1a control %s, reset %s, %s", madt,
             acpi_reg_words(hw->pm1a_cnt_kind, hw->pm1a_cnt, cnt, sizeof(cnt)),
             acpi_reg_words(hw->reset_kind, hw->reset, reset, sizeof(reset)), s5);
    if (r.hidden) {
        log_info("guest acpi: DMAR hidden (the IOMMU stays the hypervisor's)");
    }
    if (hw->pm1a_cnt_kind != ACPI_REG_IO) {
        log_warn("guest acpi: %s: the guest's power-off reaches the machine without Kestrel",
                 hw->hw_reduced ? "hardware-reduced ACPI" : "PM1a control is not an I/O port");
    }
    *rsdp = blob;
    *size = need;
    return true;
}

bool guest_acpi_build(struct vm *vm, struct frame_pool *guest, uint64_t *rsdp, uint64_t *size,
                      const char **why)
{
    const struct acpi_firmware *fw = vm->fw_acpi;

    if (fw && fw->usable) {
        struct acpi_view view = { .map = paging_phys_map, .ctx = 0 };
        return pass_firmware(vm, guest, &view, &fw->survey, rsdp, size, why);
    }
    if (fw && fw->rsdp) {
        log_warn("guest acpi: the firmware's tables cannot be used (%s): the guest gets Kestrel's",
                 fw->unusable_why);
    }
    return build_own(vm, guest, rsdp, size, why);
}
