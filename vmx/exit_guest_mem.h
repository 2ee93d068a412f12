/*
 * The guest's memory as an exit handler may touch it: through the guest's
 * own page tables (core/guest_walk.c) to guest-physical addresses, and only
 * where those are guest RAM (vm_guest_range_ok: never Kestrel's memory, never
 * MMIO).  For the instruction fetch of decoded exits (MMIO stores, string
 * I/O) and the memory operands of INS/OUTS.
 */
#ifndef KESTREL_VMX_EXIT_GUEST_MEM_H
#define KESTREL_VMX_EXIT_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmx/vcpu.h"
#include "core/guest_walk.h"
#include "core/insn_decode.h"

/* The paging state of the guest's current VMCS. */
struct guest_paging exit_guest_paging(void);

/* 16, 32 or 64: the code size CS gives (real mode and 16-bit segments 16). */
unsigned exit_code_bits(void);

/* Fetches the instruction at CS:RIP (up to INSN_MAX_LENGTH bytes, fewer when
 * the next page cannot be read); *len = bytes fetched. */
enum guest_walk_status exit_fetch_instruction(struct vcpu *v, uint8_t bytes[INSN_MAX_LENGTH],
                                              size_t *len);

/* len bytes at a linear address, read or written through the guest's page
 * tables; false when a page is not mapped or not guest RAM. */
bool exit_read_linear(struct vcpu *v, uint64_t linear, void *buf, size_t len);
bool exit_write_linear(struct vcpu *v, uint64_t linear, const void *buf, size_t len);

/* The base of segment seg (enum insn_segment) as the guest has it now:
 * 0 for ES, CS, SS, DS in 64-bit mode. */
uint64_t exit_segment_base(unsigned seg);

#endif
