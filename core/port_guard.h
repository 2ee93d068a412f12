/*
 * The I/O-port writes that would power off or reset the whole machine under
 * Kestrel: the ACPI PM1 control register's sleep request, the 8042 keyboard
 * controller's reset line, System Control Port A's fast reset and the
 * chipset's Reset Control Register at 0xCF9.
 *
 * Pure: both backends intercept the ports (VMX I/O bitmap, SVM IOPM) and
 * call these with the access as the exit reports it.  An OUT is 1, 2 or 4
 * bytes at any start (even unaligned, covering a watched register only in
 * part); string and REP forms arrive one element at a time.  So every
 * decision is "which bytes of which register does this access write": byte
 * i of the value goes to port + i (little-endian; Intel SDM vol. 1 ch.
 * "Input/Output", "I/O Address Space").  The port arithmetic wraps at 0xFFFF
 * as the SDM's VMX rule describes it (an access that "wraps around" the
 * space "accesses ports FFFFH and 0000H", vol. 3C "Instructions That Cause
 * VM Exits Conditionally").
 *
 * An access size other than 1, 2 or 4 writes nothing: no such OUT exists.
 * Reads (IN) never reset and never change the 8042 state: do not pass them.
 */
#ifndef KESTREL_CORE_PORT_GUARD_H
#define KESTREL_CORE_PORT_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The byte an OUT of `size` bytes (1, 2, 4) of `value` at `port` writes to
 * port `target`, in *byte (which may be NULL); false if it does not cover
 * `target`. */
bool io_byte_written(uint16_t port, unsigned size, uint32_t value, uint16_t target,
                     uint8_t *byte);

/* ---- ACPI PM1 control ------------------------------------------------------
 * PM1_CNT (ACPI 6.x 4.8.3.2.1, table "PM1 Control Registers Fixed Hardware
 * Feature Control Bits"): 16 bits at the FADT's PM1a_CNT_BLK port. */

#define PM1_CNT_WIDTH           2
#define PM1_CNT_SCI_EN          (1u << 0)
#define PM1_CNT_BM_RLD          (1u << 1)
#define PM1_CNT_GBL_RLS         (1u << 2)
#define PM1_CNT_SLP_TYP_SHIFT   10
#define PM1_CNT_SLP_TYP_MASK    (7u << 10)              /* bits 12:10 */
#define PM1_CNT_SLP_EN          (1u << 13)

/* Which bits of PM1_CNT an access writes (mask), and to what (bits; zero
 * outside mask).  covers is false, and mask zero, when it writes neither
 * byte. */
struct pm1_cnt_write {
    bool covers;
    uint16_t mask;
    uint16_t bits;
};

struct pm1_cnt_write pm1_cnt_decode(uint16_t port, unsigned size, uint32_t value,
                                    uint16_t cnt_port);

/* True when the write sets SLP_EN (the guest asks the chipset to enter a
 * sleep state, S5 being power-off); *slp_typ (may be NULL) = the SLP_TYP it
 * writes, 0 when false.  SLP_EN and SLP_TYP are in the same byte, so an
 * access that writes one writes the other. */
bool pm1_sleep_request(const struct pm1_cnt_write *w, unsigned *slp_typ);

/* ---- the PC's reset paths -------------------------------------------------- */

#define KBC_DATA_PORT           0x60    /* 8042 data (and output-port byte after 0xD1) */
#define KBC_COMMAND_PORT        0x64    /* 8042 command */
#define SYSTEM_CONTROL_PORT_A   0x92    /* PS/2 "fast reset" and fast A20 */
#define RESET_CONTROL_PORT      0xcf9   /* PIIX/ICH Reset Control Register */

#define RESET_CONTROL_RST_CPU   (1u << 2)
#define RESET_CONTROL_SYS_RST   (1u << 1)
#define PORT_A_FAST_RESET       (1u << 0)
#define PORT_A_FAST_A20         (1u << 1)

enum reset_path { RESET_PATH_NONE, RESET_PATH_KBC, RESET_PATH_PORT92, RESET_PATH_CF9 };

/* Status-line word: "kbc-reset", "port92-reset", "cf9-reset"; "none" for
 * RESET_PATH_NONE and "?" for anything else. */
const char *reset_path_name(enum reset_path p);

/* What Kestrel tracks of the 8042: 0xD1 ("write output port") was the last
 * command, so the next byte written to 0x60 is the output port.  Starts
 * zeroed (nothing pending); one per machine, not per vCPU. */
struct kbc_watch {
    bool output_port_next;
};

/* One OUT (any size and start) to the watched ports.  Walks the bytes in
 * order (port, port + 1, ...), updating the 8042 state, and returns the
 * first reset path a byte triggers (RESET_PATH_NONE: the write is safe to
 * perform).  On a reset the walk stops there: the write is refused and the
 * guest loses its run.  kbc may be NULL (as if nothing were pending). */
enum reset_path reset_write(struct kbc_watch *kbc, uint16_t port, unsigned size,
                            uint32_t value);

/* The ports reset_write watches, for building the I/O bitmaps: an array of
 * *count (count may be NULL) ports.  One bit per port suffices: an access
 * exits if any byte it covers has its bit set (SDM vol. 3C "Instructions That
 * Cause VM Exits Conditionally", "use I/O bitmaps"; AMD APM vol. 2 15.10.1
 * "I/O Permissions Map"). */
const uint16_t *reset_watched_ports(size_t *count);

#endif
