/*
 * The boot info Kestrel hands a built-in guest (struct guest_boot_info in
 * guest/guest_image.h): checked once, then read by every part of the
 * runtime through boot_info.
 */
#ifndef KESTREL_GUEST_COMMON_BOOT_INFO_H
#define KESTREL_GUEST_COMMON_BOOT_INFO_H

#include "guest/guest_image.h"

/* NULL until boot_info_accept() took a valid one. */
extern const struct guest_boot_info *boot_info;

/* Each guest's start: entry.asm jumps here on the BSP with the boot info
 * Kestrel left in RDI. */
__attribute__((noreturn)) void guest_main(const struct guest_boot_info *info);

/* NULL and boot_info = info, or what is wrong with info (boot_info stays
 * NULL).  Also refuses an image not linked where Kestrel maps it. */
const char *boot_info_accept(const struct guest_boot_info *info);

/* boot_info_accept(), or, when info is unusable, says why (then fail_line,
 * unless NULL, as the guest's result line) and powers off. */
void boot_info_require(const struct guest_boot_info *info, const char *fail_line);

#endif
