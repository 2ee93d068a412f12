/*
 * Guest page-table walker: linear address -> guest-physical address, in
 * every x86 paging mode (Intel SDM vol. 3A ch. 4 "Paging"; AMD APM vol. 2
 * ch. 5 "Page Translation and Protection").  Pure code shared by both
 * backends (Intel VMX, AMD SVM).
 *
 * Why: when a guest store hits a page Kestrel write-protects (the xAPIC page,
 * the I/O APIC, a PCI ECAM page) the exit gives the guest-physical address
 * but not the value, so Kestrel fetches and decodes the instruction at the
 * guest's RIP; the same fetch serves string I/O (INS/OUTS), whose memory
 * operand is a guest linear address.  Both need the guest's own page tables
 * walked in software.
 *
 * The walk only finds the physical address.  It does no permission checks
 * (U/S, R/W, XD, SMEP, SMAP, protection keys): the CPU already performed the
 * access that exited.  It does check present bits, reserved bits and
 * canonical form, so that a guest that rewrote its tables after the exit (or
 * never had valid ones) gets an error rather than a guess.  It never sets
 * accessed or dirty bits, and it touches guest memory only through the
 * caller's callback.
 */
#ifndef KESTREL_CORE_GUEST_WALK_H
#define KESTREL_CORE_GUEST_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The guest's control registers as the exit saved them.  efer must hold
 * EFER.LMA (bit 10) as the CPU sets it (the VMCS guest IA32_EFER field or the
 * VMCB EFER; with VMX, LMA equals the "IA-32e mode guest" entry control). */
struct guest_paging {
    uint64_t cr0, cr3, cr4, efer;
};

/* Reads len bytes of guest-physical memory into buf; returns false (reading
 * nothing) when the range is not guest RAM Kestrel may read.  The callback is
 * the only way the walker touches memory.  The walker asks for 4 or 8 bytes
 * (one table entry) at a time, and guest_read_linear() for ranges that never
 * cross a 4 KiB boundary. */
typedef bool (*guest_phys_read_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);

enum guest_walk_status {
    GUEST_WALK_OK,
    GUEST_WALK_NOT_PRESENT,     /* an entry on the way has P = 0 */
    GUEST_WALK_RESERVED,        /* a reserved bit is set in an entry (or in CR0/CR4/EFER:
                                   a paging mode the CPU cannot be in) */
    GUEST_WALK_UNREADABLE,      /* the callback refused a table or the data */
    GUEST_WALK_NON_CANONICAL,   /* 4-/5-level paging: the address is not canonical */
};

/* Words for a log line ("not present", ...); never NULL. */
const char *guest_walk_status_name(enum guest_walk_status s);

/*
 * Translates linear to *gpa (0 unless GUEST_WALK_OK).  maxphyaddr is the
 * guest's MAXPHYADDR (CPUID 0x80000008 EAX[7:0]): entry bits at and above it
 * are reserved.  Values outside 36..52 are clamped into that range.  Outside
 * IA-32e mode only bits 31:0 of linear are used (linear addresses wrap at
 * 4 GiB there).  Reads at most one entry per paging level.
 */
enum guest_walk_status guest_walk(const struct guest_paging *p, unsigned maxphyaddr,
                                  uint64_t linear, guest_phys_read_fn read, void *ctx,
                                  uint64_t *gpa);

/*
 * Reads len bytes at a linear address into buf; a range that crosses pages
 * walks each page (the pages need not be physically contiguous).  On failure
 * the bytes of the pages before the failing one have been copied and the rest
 * of buf is untouched; the status is that of the first page that failed.
 */
enum guest_walk_status guest_read_linear(const struct guest_paging *p, unsigned maxphyaddr,
                                         uint64_t linear, void *buf, size_t len,
                                         guest_phys_read_fn read, void *ctx);

#endif
