/* Booting a multiboot (v1 or v2) kernel as the guest. */
#ifndef KESTREL_GUEST_MULTIBOOT_LOADER_H
#define KESTREL_GUEST_MULTIBOOT_LOADER_H

#include <stdbool.h>
#include "bootinfo.h"
#include "lib/config.h"
#include "mm/frames.h"
#include "core/vm.h"
#include "guest/load_failure.h"

/* Loads the kernel (its segments at their physical addresses, which must
 * be free guest RAM) and modules named in kestrel.cfg into guest RAM,
 * builds ACPI tables and the multiboot information structure, and fills
 * *entry: 32-bit protected mode, EAX = the boot loader magic, EBX = the
 * information structure.  False with *fail (why, and which kestrel.cfg
 * line it is about) on a bad image or too little memory. */
bool multiboot_load(const struct kestrel_bootinfo *bi, const struct kestrel_config *cfg,
                    struct vm *vm, struct frame_pool *guest, struct guest_entry *entry,
                    struct load_failure *fail);

#endif
