/*
 * slat/exhaust (hostile_case only, for a machine with at least 46
 * physical-address bits): above RAM Kestrel maps the guest's address space
 * a block at a time at its first touch, from a fixed set of spare table
 * pages (docs/vmx.md, "EPT layout").  The guest touches the first byte of
 * one 512 GiB region after another, each needing a table page of its own,
 * to make Kestrel spend memory without end.  Refused means: the touches
 * succeed for a while (the map covers the space), then every further one
 * raises #GP (the spares are gone, Kestrel's memory is not), the regions
 * mapped before still read, and Kestrel's memory is intact.
 */
#include "guest/common/hypercall.h"
#include "guest/common/paging.h"
#include "guest/common/probe.h"
#include "guest/common/serial.h"
#include "guest/common/trap.h"
#include "guest/hostile/hostile.h"
#include "kernel/x86.h"

#define REGION_SIZE    (1ull << 39)     /* what one table page (a PDPT) maps */
#define FIRST_REGION   2u               /* above 1 TiB: clear of RAM and the boot part */
#define REGIONS        100u             /* more than Kestrel's 64 spare pages */
#define BITS_NEEDED    46u              /* FIRST_REGION + REGIONS regions fit in 64 TiB */

void case_slat_exhaust(struct outcome *o)
{
    unsigned bits = cpuid(0x80000008u, 0).eax & 0xff;
    if (bits < BITS_NEEDED) {
        skipped(o, "fewer than 46 physical-address bits: too few regions to exhaust");
        return;
    }
    uint64_t va[REGIONS], value;
    unsigned mapped = 0, refused = 0;
    for (unsigned i = 0; i < REGIONS; i++) {
        const char *why = paging_map_phys((FIRST_REGION + i) * REGION_SIZE, &va[i]);
        if (why != NULL) {
            not_refused(o, "untested: %s", why);
            return;
        }
        struct fault f = probe_read64(this_probe(), va[i], &value);
        if (f.vector == FAULT_NONE && refused == 0) {
            mapped++;
        } else if (f.vector == FAULT_NONE) {
            not_refused(o, "region %u read after region %u was refused", i, mapped);
            return;
        } else if (!expect_refusal(o, f, VEC_GP, "touch of an unmapped region")) {
            return;
        } else {
            refused++;
        }
    }
    if (refused == 0) {
        not_refused(o, "all %u regions were mapped: no bound on Kestrel's table pages", REGIONS);
        return;
    }
    if (mapped == 0) {
        not_refused(o, "no region was mapped: the space above RAM is not covered");
        return;
    }
    for (unsigned i = 0; i < mapped; i++) {
        struct fault f = probe_read64(this_probe(), va[i], &value);
        if (f.vector != FAULT_NONE) {
            not_refused(o, "region %u, mapped before, now raises %s", i, fault_name(f.vector));
            return;
        }
    }
    uint64_t intact = hc_check_isolation();
    if (intact != 1)
        not_refused(o, "KESTREL_HC_CHECK_ISOLATION returned 0x%lx afterwards, expected 1", intact);
    say("slat/exhaust: %u regions mapped, then %u refused", mapped, refused);
}
