/*
 * CPU enumeration.  EFI_MP_SERVICES_PROTOCOL is the primary source: it works
 * where ACPI does not exist (OVMF on Bochs publishes no ACPI tables).  The
 * kernel cross-checks against the MADT when there is one.
 */
#include "loader.h"
#include "mp_services.h"
#include "cpuid.h"

static EFI_GUID mp_services_guid = EFI_MP_SERVICES_PROTOCOL_GUID;

static uint32_t bsp_apic_id(void)
{
    return loader_cpuid(1).ebx >> 24;   /* initial xAPIC ID; MP services gives the full ID */
}

static void bsp_only(struct kestrel_bootinfo *bi, const char *why)
{
    loader_print("kestrel: warning: no MP services (%s): starting the boot CPU only\n", why);
    bi->cpu_count = 1;
    bi->cpu_source = 2;
    bi->cpus[0].apic_id = bsp_apic_id();
    bi->cpus[0].flags = BOOTINFO_CPU_BSP | BOOTINFO_CPU_ENABLED | BOOTINFO_CPU_HEALTHY;
}

void cpus_collect(struct kestrel_bootinfo *bi)
{
    EFI_MP_SERVICES_PROTOCOL *mp;
    UINTN total, enabled;

    if (uefi_call_wrapper(BS->LocateProtocol, 3, &mp_services_guid, NULL, (void **)&mp) != EFI_SUCCESS) {
        bsp_only(bi, "protocol not found");
        return;
    }
    if (mp->GetNumberOfProcessors(mp, &total, &enabled) != EFI_SUCCESS || total == 0) {
        bsp_only(bi, "GetNumberOfProcessors failed");
        return;
    }
    if (total > BOOTINFO_MAX_CPUS) {
        loader_print("kestrel: warning: firmware reports %lu CPUs, Kestrel supports %u\n",
                     (unsigned long)total, BOOTINFO_MAX_CPUS);
        total = BOOTINFO_MAX_CPUS;
    }
    bi->cpu_source = 1;
    bi->cpu_count = 0;
    for (UINTN i = 0; i < total; i++) {
        EFI_PROCESSOR_INFORMATION info;
        __builtin_memset(&info, 0, sizeof(info));
        if (mp->GetProcessorInfo(mp, i, &info) != EFI_SUCCESS) {
            loader_print("kestrel: warning: GetProcessorInfo(%lu) failed; CPU skipped\n",
                         (unsigned long)i);
            continue;
        }
        struct bootinfo_cpu *c = &bi->cpus[bi->cpu_count++];
        c->apic_id = (uint32_t)info.ProcessorId;
        c->flags = 0;
        if (info.StatusFlag & PROCESSOR_AS_BSP_BIT)        c->flags |= BOOTINFO_CPU_BSP;
        if (info.StatusFlag & PROCESSOR_ENABLED_BIT)       c->flags |= BOOTINFO_CPU_ENABLED;
        if (info.StatusFlag & PROCESSOR_HEALTH_STATUS_BIT) c->flags |= BOOTINFO_CPU_HEALTHY;
    }
    if (bi->cpu_count == 0) {
        bsp_only(bi, "no processor information");
    }
}
