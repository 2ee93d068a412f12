/*
 * The hostile guest's flow, on the BSP only (the other vCPUs stay in
 * wait-for-SIPI): its own GDT (with ring-3 segments and a TSS) and IDT,
 * the boot info checked, then every case in order, one line each:
 *   hostile: <case> refused
 *   hostile: <case> NOT REFUSED (<what happened>)
 *   hostile: <case> skipped (<why>)          (not counted)
 * and the verdict, "hostile: PASS n/n" or "hostile: FAIL p/n: <names>",
 * before asking Kestrel to power off.  Triple faults are not tried: they
 * end the run by design.
 */
#include "guest/common/boot_info.h"
#include "guest/common/hypercall.h"
#include "guest/common/idt.h"
#include "guest/common/lapic.h"
#include "guest/common/serial.h"
#include "guest/hostile/hostile.h"

struct hostile_case {
    const char *name;
    void (*run)(struct outcome *o);
};

static const struct hostile_case cases[] = {
    { "vmx-instructions/vmxon",   case_vmxon },
    { "vmx-instructions/vmclear", case_vmclear },
    { "vmx-instructions/vmptrld", case_vmptrld },
    { "vmx-instructions/vmread",  case_vmread },
    { "vmx-instructions/vmwrite", case_vmwrite },
    { "vmx-instructions/vmlaunch", case_vmlaunch },
    { "vmx-instructions/vmresume", case_vmresume },
    { "vmx-instructions/vmxoff",  case_vmxoff },
    { "vmx-instructions/invept",  case_invept },
    { "vmx-instructions/invvpid", case_invvpid },
    { "cr4-vmxe",                 case_cr4_vmxe },
    { "feature-control-write",    case_feature_control_write },
    { "vmx-msr-write",            case_vmx_msr_write },
    { "hypervisor-memory-write",  case_hypervisor_memory_write },
    { "firmware-memory-write",    case_firmware_memory_write },
    { "init-to-bsp",              case_init_to_bsp },
    { "unknown-vmcall",           case_unknown_vmcall },
    { "vmcall-cpl3",              case_vmcall_cpl3 },
};

#define CASE_COUNT (sizeof(cases) / sizeof(cases[0]))

static enum verdict verdicts[CASE_COUNT];

static void run_case(unsigned i)
{
    struct outcome o = { .verdict = VERDICT_REFUSED };

    cases[i].run(&o);
    verdicts[i] = o.verdict;
    switch (o.verdict) {
    case VERDICT_REFUSED:
        say("%s refused", cases[i].name);
        break;
    case VERDICT_NOT_REFUSED:
        say("%s NOT REFUSED (%s)", cases[i].name, o.detail);
        break;
    case VERDICT_SKIPPED:
        say("%s skipped (%s)", cases[i].name, o.detail);
        break;
    }
}

static void report(void)
{
    unsigned counted = 0, refused = 0;

    for (unsigned i = 0; i < CASE_COUNT; i++) {
        counted += verdicts[i] != VERDICT_SKIPPED;
        refused += verdicts[i] == VERDICT_REFUSED;
    }
    if (refused == counted) {
        say("PASS %u/%u", refused, counted);
        return;
    }
    bool taken = console_begin();
    const char *sep = "";
    console_printf(GUEST_NAME ": FAIL %u/%u: ", refused, counted);
    for (unsigned i = 0; i < CASE_COUNT; i++) {
        if (verdicts[i] == VERDICT_NOT_REFUSED) {
            console_printf("%s%s", sep, cases[i].name);
            sep = ",";
        }
    }
    console_printf("\n");
    console_end(taken);
}

void guest_main(const struct guest_boot_info *info)
{
    ring3_gdt_load();
    idt_init();
    idt_load();

    boot_info_require(info, "FAIL 0/0: boot-info");
    lapic_init_cpu();
    say("starting on the BSP (APIC ID %u, %s); %u other vCPUs stay in wait-for-SIPI",
        info->bsp_apic_id, info->x2apic ? "x2APIC" : "xAPIC", info->cpu_count - 1);

    for (unsigned i = 0; i < CASE_COUNT; i++)
        run_case(i);
    report();
    guest_power_off();
}
