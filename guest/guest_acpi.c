/* A guest's ACPI tables and virtual PM registers (see guest_acpi.h). */
#include "guest/guest_acpi.h"
#include "guest/guest_alloc.h"
#include "lib/acpi_build.h"
#include "vmx/vpm.h"
#include "kernel/x86.h"
#include "kernel/msr.h"

#define PAGE            4096ull
#define ACPI_BLOB_MAX   (16 * PAGE)

/* Where the guest's virtual PM registers sit: the PIIX4 layout at the port
 * base firmware commonly gives it; the guest never reaches the real ones. */
#define VPM_EVT_PORT    0xb000
#define VPM_CNT_PORT    0xb004
#define VPM_RESET_PORT  0x0cf9
#define VPM_RESET_VALUE 0x06
#define VPM_S5_TYPE     5
#define SCI_IRQ         9
#define IOAPIC_BASE     0xfec00000ull

bool guest_acpi_build(struct vm *vm, struct frame_pool *guest, uint64_t *rsdp, uint64_t *size,
                      const char **why)
{
    struct acpi_build_params p = {
        .cpu_count = vm->vcpu_count,
        .apic_ids = vm->apic_ids,
        .lapic_base = rdmsr(MSR_IA32_APIC_BASE) & 0xfffff000ull,
        .have_ioapic = true,
        .ioapic_id = 0,
        .ioapic_gsi_base = 0,
        .ioapic_base = IOAPIC_BASE,
        .pm1a_evt_port = VPM_EVT_PORT,
        .pm1a_cnt_port = VPM_CNT_PORT,
        .reset_port = VPM_RESET_PORT,
        .reset_value = VPM_RESET_VALUE,
        .s5_slp_typ = VPM_S5_TYPE,
        .sci_irq = SCI_IRQ,
    };
    uint64_t blob = guest_take(guest, ACPI_BLOB_MAX, PAGE, GUEST_FOUR_GIB);
    p.base = blob;
    size_t used = blob ? acpi_build(&p, (uint8_t *)blob, ACPI_BLOB_MAX) : 0;
    if (!used) {
        *why = "cannot build the guest's ACPI tables";
        return false;
    }
    struct vpm pm = { .evt_port = VPM_EVT_PORT, .cnt_port = VPM_CNT_PORT,
                      .reset_port = VPM_RESET_PORT, .reset_value = VPM_RESET_VALUE,
                      .s5_slp_typ = VPM_S5_TYPE };
    vpm_enable(vm, &pm);
    *rsdp = blob;
    *size = (used + PAGE - 1) & ~(PAGE - 1);
    return true;
}
