/*
 * Memory the guest must not write (machine-wide, on the BSP).
 *   hypervisor-memory-write  an 8-byte write of 0 to boot_info->hypervisor_probe (inside
 *                            Kestrel's memory, unmapped in EPT) → #GP(0), and Kestrel's canary
 *                            there is intact afterwards (KESTREL_HC_CHECK_ISOLATION = 1)
 *   firmware-memory-write    a page of UEFI runtime memory (read-only in EPT): reading is
 *                            allowed; writing the value back inverted → #GP(0), and a re-read
 *                            shows the old value.  Skipped when the firmware has no runtime memory.
 * Both addresses are mapped in the guest's own page tables (a window above
 * 4 GiB if needed): EPT is what must refuse the write.
 */
#include "guest/common/boot_info.h"
#include "guest/common/hypercall.h"
#include "guest/common/paging.h"
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/hostile/hostile.h"

void case_hypervisor_memory_write(struct outcome *o)
{
    uint64_t pa = boot_info->hypervisor_probe, va;
    const char *why;

    if (pa == 0) {
        not_refused(o, "untested: the boot info gives no hypervisor_probe address");
        return;
    }
    if ((why = paging_map_phys(pa, &va)) != NULL) {
        not_refused(o, "untested: %s", why);
        return;
    }
    expect_refusal(o, probe_write64(this_probe(), va, 0), VEC_GP, "write to Kestrel's memory");
    uint64_t intact = hc_check_isolation();
    if (intact != 1)
        not_refused(o, "KESTREL_HC_CHECK_ISOLATION returned 0x%lx afterwards, expected 1", intact);
}

void case_firmware_memory_write(struct outcome *o)
{
    uint64_t pa = boot_info->firmware_probe, va, before, after;
    const char *why;

    if (pa == 0) {
        skipped(o, "no runtime memory");
        return;
    }
    if ((why = paging_map_phys(pa, &va)) != NULL) {
        not_refused(o, "untested: %s", why);
        return;
    }
    struct fault f = probe_read64(this_probe(), va, &before);
    if (f.vector != FAULT_NONE) {
        not_refused(o, "untested: reading runtime memory at 0x%lx raised %s (vector %d)", pa,
                    fault_name(f.vector), f.vector);
        return;
    }
    struct fault w = probe_write64(this_probe(), va, ~before);
    f = probe_read64(this_probe(), va, &after);
    if (w.vector == FAULT_NONE)
        probe_write64(this_probe(), va, before);   /* accepted: give the firmware its data back */
    if (!expect_refusal(o, w, VEC_GP, "write to runtime memory"))
        return;
    if (f.vector != FAULT_NONE)
        not_refused(o, "re-reading runtime memory raised %s (vector %d)", fault_name(f.vector),
                    f.vector);
    else if (after != before)
        not_refused(o, "runtime memory at 0x%lx reads 0x%lx after the #GP, was 0x%lx", pa, after,
                    before);
}
