/*
 * Signals and calls that must not hurt Kestrel (machine-wide, on the BSP).
 *   init-to-bsp     an INIT IPI to the boot CPU's own APIC ID.  On hardware it would reset
 *                   the BSP: a guest reset through the back door.  Kestrel ignores INIT on
 *                   the boot vCPU (and logs a warning once); the case passes if the guest
 *                   simply keeps running 10 ms later.
 *   unknown-vmcall  VMCALL with an unassigned function number (0x4b455354, "TSEK") returns
 *                   ~0 (KESTREL_HC_RESULT_UNKNOWN) and nothing else happens.
 */
#include "guest/common/boot_info.h"
#include "guest/common/hypercall.h"
#include "guest/common/lapic.h"
#include "guest/common/tsc.h"
#include "guest/hostile/hostile.h"

#define INIT_SETTLE_US      10000
#define HC_UNASSIGNED       0x4b455354ull

void case_init_to_bsp(struct outcome *o)
{
    /* lapic_send_ipi: x2APIC ICR (MSR 0x830, destination in bits 63:32)
     * or the xAPIC ICR high/low pair. */
    if (!lapic_send_ipi(boot_info->bsp_apic_id, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT)) {
        not_refused(o, "untested: the LAPIC did not accept the INIT IPI");
        return;
    }
    tsc_delay_us(INIT_SETTLE_US);
    /* Still here: refused. */
}

void case_unknown_vmcall(struct outcome *o)
{
    uint64_t result = kestrel_hypercall(HC_UNASSIGNED, 0, 0, 0);

    if (result != KESTREL_HC_RESULT_UNKNOWN)
        not_refused(o, "VMCALL 0x%llx returned 0x%lx, expected ~0", HC_UNASSIGNED, result);
}
