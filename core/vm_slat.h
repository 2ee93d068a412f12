/* The guest's second-level tables (EPT or NPT): built at vm_create from the
 * memory map (core/vm_slat.c). */
#ifndef KESTREL_CORE_VM_SLAT_H
#define KESTREL_CORE_VM_SLAT_H

#include <stdbool.h>
#include "core/vm.h"

/* The identity map of vm->map, with the mediated MMIO pages read-only.
 * False after logging why. */
bool vm_build_slat(struct vm *vm);

#endif
