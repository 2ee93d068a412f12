/* The guest's second-level tables (EPT or NPT) over its whole physical
 * address space (core/vm_slat.c, mm/slat_reach.h). */
#ifndef KESTREL_CORE_VM_SLAT_H
#define KESTREL_CORE_VM_SLAT_H

#include <stdbool.h>
#include <stdint.h>
#include "core/vm.h"

/* On-demand table pages, taken from Kestrel's memory at boot: enough for
 * 64 first-touched 512 GiB regions with 1 GiB leaves, or 1 GiB blocks
 * without.  A guest that wants more is refused the access, as for memory
 * outside the map. */
#define VM_SLAT_DEMAND_PAGES 64

/* The boot part of the identity map of vm->map (RAM, below 4 GiB, the
 * framebuffer, the mediated MMIO pages, which are made read-only) and the
 * spare pages for the rest; one informational line says how far it
 * reaches.  False after logging why. */
bool vm_build_slat(struct vm *vm, uint64_t framebuffer_base, uint64_t framebuffer_size);

/* A second-level violation at gpa on a not-present page: when gpa lies in
 * the part mapped on first touch, maps its block (or finds that another
 * vCPU just did) and returns true: the access is retried.  False for
 * anything else (hidden memory, beyond the reach, no pages left). */
bool vm_slat_fill(struct vm *vm, uint64_t gpa);

#endif
