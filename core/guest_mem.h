/*
 * The guest's memory as an exit handler may touch it: through the guest's
 * own page tables (core/guest_walk.c) to guest-physical addresses, and only
 * where those are guest RAM (vm_guest_range_ok: never Kestrel's memory, never
 * MMIO).  For the instruction fetch of decoded exits (MMIO stores, string
 * I/O, SVM's instruction skip without next-RIP save) and the memory
 * operands of INS/OUTS.  The guest's registers come from the backend
 * (struct guest_view, read once per decoded exit).
 */
#ifndef KESTREL_CORE_GUEST_MEM_H
#define KESTREL_CORE_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/vm.h"
#include "core/backend.h"
#include "core/guest_walk.h"
#include "core/insn_decode.h"

/* Fetches the instruction at CS:RIP (up to INSN_MAX_LENGTH bytes, fewer when
 * the next page cannot be read); *len = bytes fetched. */
enum guest_walk_status guest_fetch_instruction(struct vcpu *v, const struct guest_view *view,
                                               uint8_t bytes[INSN_MAX_LENGTH], size_t *len);

/* len bytes at a linear address, read or written through the guest's page
 * tables; false when a page is not mapped or not guest RAM.  A write checks
 * every byte's page first and then writes all or nothing (at most 8 bytes:
 * an INS element). */
bool guest_read_linear_checked(struct vcpu *v, const struct guest_view *view, uint64_t linear,
                               void *buf, size_t len);
bool guest_write_linear_checked(struct vcpu *v, const struct guest_view *view, uint64_t linear,
                                const void *buf, size_t len);

/* The CPU's MAXPHYADDR (CPUID 0x80000008), read once. */
unsigned guest_mem_maxphyaddr(void);

#endif
