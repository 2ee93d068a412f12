/* Validation of a boot-info structure by the kernel before it trusts it. */
#ifndef KESTREL_LIB_BOOTINFO_CHECK_H
#define KESTREL_LIB_BOOTINFO_CHECK_H

#include "bootinfo.h"

/* Returns 0, or -1 with *why set: wrong magic, unsupported version, size
 * smaller than this kernel's structure, counts beyond their arrays, no CPUs,
 * a memory map with a bad descriptor size, ranges that overflow. */
int bootinfo_validate(const struct kestrel_bootinfo *bi, const char **why);

#endif
