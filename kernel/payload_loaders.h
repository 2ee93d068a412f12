/*
 * The kernel's half of the payload kinds: one load function per kind,
 * keyed by the enum of lib/payload_kinds.h (whose rows say what each kind
 * takes from kestrel.cfg, checked before anything here runs).
 */
#ifndef KESTREL_KERNEL_PAYLOAD_LOADERS_H
#define KESTREL_KERNEL_PAYLOAD_LOADERS_H

#include <stdbool.h>
#include "bootinfo.h"
#include "lib/config.h"
#include "mm/frames.h"
#include "core/vm.h"
#include "guest/load_failure.h"

/* Puts the payload into guest memory and fills the boot vCPU's entry state;
 * on failure fills *fail (which kestrel.cfg line, and why). */
typedef bool payload_load_fn(const struct kestrel_bootinfo *bi, const struct kestrel_config *cfg,
                             struct vm *vm, struct frame_pool *guest, struct guest_entry *entry,
                             struct load_failure *fail);

/* The load function of kind p, or NULL for a kind this kernel cannot run. */
payload_load_fn *payload_loader(enum cfg_payload p);

#endif
