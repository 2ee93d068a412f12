/*
 * The SVM permission maps, built from callbacks so that they do not depend
 * on the policy code (core/msr_policy.c, core/port_guard.c decide; this file
 * only knows the format):
 *
 *  - MSRPM (APM vol. 2 15.11 "MSR Intercepts"): 8 KiB, two bits per MSR,
 *    the read bit then the write bit, for three ranges of 8 Ki MSRs:
 *      0x0000_0000..0x0000_1FFF at byte 0x000,
 *      0xC000_0000..0xC000_1FFF at byte 0x800,
 *      0xC001_0000..0xC001_1FFF at byte 0x1000;
 *    bytes 0x1800..0x1FFF are reserved.  An MSR outside the ranges always
 *    exits (with the MSR intercept enabled).
 *  - IOPM (APM 15.10.1 "I/O Permissions Map"): 12 KiB, one bit per port.
 *    An access of n bytes at port p checks the bits of ports p .. p + n - 1,
 *    without wrapping: the bits 0x10000..0x10002 stand for ports 0..2
 *    reached by an access that starts near 0xFFFF.
 *
 * A set bit means "exit".  Pure code; the maps live in pages the caller
 * allocates (contiguous, 4 KiB aligned, below MAXPHYADDR).
 */
#ifndef KESTREL_SVM_SVM_BITMAPS_H
#define KESTREL_SVM_SVM_BITMAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "svm/svm_bits.h"

/* ---- MSR permission map ------------------------------------------------------ */

/* Fills the whole map: for every MSR of the three ranges, asks intercepts()
 * for the read and for the write; reserved bytes are zeroed. */
void svm_msrpm_build(uint8_t msrpm[SVM_MSRPM_SIZE],
                     bool (*intercepts)(uint32_t msr, bool write, void *ctx), void *ctx);

/* Sets or clears one bit; false (map unchanged) for an MSR outside the
 * ranges, which always exits. */
bool svm_msrpm_set(uint8_t msrpm[SVM_MSRPM_SIZE], uint32_t msr, bool write, bool intercept);

/* Whether RDMSR (write false) / WRMSR of msr exits, as the CPU decides:
 * the map's bit, or true outside the ranges. */
bool svm_msrpm_exits(const uint8_t *msrpm, uint32_t msr, bool write);

/* ---- I/O permission map ---------------------------------------------------------- */

/* Every port passes through (all 12 KiB zeroed). */
void svm_iopm_clear(uint8_t iopm[SVM_IOPM_SIZE]);

/* Makes accesses that touch `port` exit: its bit, and for ports 0..2 also
 * the wrap-around bit an access starting below 0x10000 reads for it. */
void svm_iopm_intercept(uint8_t iopm[SVM_IOPM_SIZE], uint16_t port);

/* Whether an access of `size` bytes (1, 2 or 4) at `port` exits, as the CPU
 * decides: any of the bits port .. port + size - 1 set.  Other sizes are not
 * an access the CPU makes: true. */
bool svm_iopm_exits(const uint8_t *iopm, uint16_t port, unsigned size);

#endif
