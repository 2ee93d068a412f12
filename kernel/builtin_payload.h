/* Loading a built-in guest (selftest, hostile, bench) with the boot-info
 * page that tells it about the machine. */
#ifndef KESTREL_KERNEL_BUILTIN_PAYLOAD_H
#define KESTREL_KERNEL_BUILTIN_PAYLOAD_H

#include "kernel/payload_loaders.h"

/* A payload_load_fn: the image named like the configured payload kind.
 * Failures are about the image (LOAD_ABOUT_BUILTIN_IMAGE), never a line. */
payload_load_fn builtin_payload_load;

#endif
