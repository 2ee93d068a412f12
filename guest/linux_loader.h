/* Booting a Linux bzImage (+ initrd) as the guest, per the x86 boot protocol. */
#ifndef KESTREL_GUEST_LINUX_LOADER_H
#define KESTREL_GUEST_LINUX_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include "bootinfo.h"
#include "lib/config.h"
#include "mm/frames.h"
#include "core/vm.h"
#include "guest/load_failure.h"

/* Loads the kernel and initrd named in kestrel.cfg (already read by the
 * loader into the boot-info files) into guest RAM taken from `guest`,
 * builds boot_params, the command line, the ACPI tables (RSDP, XSDT, FADT
 * with PM1a/reset on ports Kestrel intercepts, FACS, DSDT with \_S5, a MADT
 * of the guest's vCPUs), the e820 map and the 64-bit entry state.  Enables
 * the virtual PM registers in vm.  False with *fail (why, and which
 * kestrel.cfg line it is about) on a bad image or too little memory. */
bool linux_load(const struct kestrel_bootinfo *bi, const struct kestrel_config *cfg,
                struct vm *vm, struct frame_pool *guest, struct guest_entry *entry,
                struct load_failure *fail);

#endif
