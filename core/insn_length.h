/*
 * The length of an intercepted instruction, for skipping it without next-RIP
 * save: an SVM backend on a CPU without NRIPS (QEMU TCG has none; AMD APM
 * vol. 2 15.7.1 "State Saved on Exit": next_rip is written only with NRIPS)
 * learns the exit reason but not where the next instruction starts.  The
 * intercepted instructions are all fixed opcodes without operands, so the
 * length is the prefixes plus the opcode bytes; Kestrel fetches the bytes at
 * the guest's RIP and checks them here.  (IN/OUT need none of this: the
 * IOIO intercept always gives the next rIP in EXITINFO2, APM 15.10.2.)
 *
 * The bytes are guest-controlled and may have been rewritten between the
 * exit and the fetch: anything but the expected opcode is refused, never
 * guessed at.  Prefixes are those of AMD APM vol. 3 1.2 "Instruction
 * Prefixes" (Intel SDM vol. 2A 2.1.1, 2.2.1): the legacy ones are accepted
 * (they do not change these instructions' length or, except for F2/F3 on
 * WBINVD and VMMCALL, which instruction it is: F3 0F 09 is WBNOINVD and
 * F2/F3 0F 01 D9 is VMGEXIT, intercepted as WBINVD and as VMMCALL in a
 * non-SEV-ES guest, so the length is what matters, and it is the same).
 */
#ifndef KESTREL_CORE_INSN_LENGTH_H
#define KESTREL_CORE_INSN_LENGTH_H

#include <stddef.h>

#include "core/insn_decode.h"

/* The instructions an SVM (or VMX) exit may need to skip. */
enum insn_intercepted {
    INSN_INTERCEPTED_CPUID,         /* 0F A2 */
    INSN_INTERCEPTED_RDMSR,         /* 0F 32 */
    INSN_INTERCEPTED_WRMSR,         /* 0F 30 */
    INSN_INTERCEPTED_RDTSC,         /* 0F 31 */
    INSN_INTERCEPTED_RDPMC,         /* 0F 33 */
    INSN_INTERCEPTED_INVD,          /* 0F 08 */
    INSN_INTERCEPTED_WBINVD,        /* 0F 09 (F3 0F 09: WBNOINVD) */
    INSN_INTERCEPTED_HLT,           /* F4 */
    INSN_INTERCEPTED_ICEBP,         /* F1: INT1 */
    INSN_INTERCEPTED_VMCALL,        /* 0F 01 C1 (Intel) */
    INSN_INTERCEPTED_MONITOR,       /* 0F 01 C8 */
    INSN_INTERCEPTED_MWAIT,         /* 0F 01 C9 */
    INSN_INTERCEPTED_XSETBV,        /* 0F 01 D1 */
    INSN_INTERCEPTED_VMRUN,         /* 0F 01 D8 */
    INSN_INTERCEPTED_VMMCALL,       /* 0F 01 D9 (AMD) */
    INSN_INTERCEPTED_VMLOAD,        /* 0F 01 DA */
    INSN_INTERCEPTED_VMSAVE,        /* 0F 01 DB */
    INSN_INTERCEPTED_STGI,          /* 0F 01 DC */
    INSN_INTERCEPTED_CLGI,          /* 0F 01 DD */
    INSN_INTERCEPTED_SKINIT,        /* 0F 01 DE */
    INSN_INTERCEPTED_INVLPGA,       /* 0F 01 DF */
    INSN_INTERCEPTED_RDTSCP,        /* 0F 01 F9 */
    INSN_INTERCEPTED_COUNT
};

/* Lowercase mnemonic ("cpuid", "vmmcall", ...); "unknown" out of range. */
const char *insn_intercepted_name(enum insn_intercepted which);

/*
 * The length of the instruction `which` at bytes[0..len): legacy prefixes
 * (66, 67, F0, F2, F3, 2E, 36, 3E, 26, 64, 65, any number, any order) and, in
 * 64-bit mode only, REX (40..4F), then exactly the opcode bytes.
 *
 * REX: the CPU uses a REX only right before the opcode and ignores one that
 * a legacy prefix follows (SDM vol. 2A 2.2.1), but the byte is still part of
 * the instruction; so here a REX anywhere among the prefixes is skipped and
 * counted, as the CPU does.  Outside 64-bit mode 40..4F are INC/DEC, a
 * different instruction: mismatch.  (F0 on these instructions raises #UD
 * before any intercept; it is skipped all the same, the length stays right.)
 *
 * code_bits: 16, 32 or 64 (CS.L = 1).  Results:
 *   INSN_OK           *length = prefixes + opcode, at most 15;
 *   INSN_TRUNCATED    the bytes end before the opcode does;
 *   INSN_TOO_LONG     the prefixes and opcode exceed 15 bytes (the CPU raises
 *                     #GP), reported as soon as the bytes seen prove it;
 *   INSN_UNSUPPORTED  not the instruction `which` (a different opcode, VEX,
 *                     INC/DEC outside 64-bit mode), or a bad code_bits/which.
 * *length is 0 unless INSN_OK.  Reads no byte at or past len or the 15-byte
 * limit.
 */
enum insn_status insn_intercepted_length(const uint8_t *bytes, size_t len, unsigned code_bits,
                                         enum insn_intercepted which, unsigned *length);

/*
 * MOV to a control register (0F 22 /r), for a CR-write intercept without
 * decode assists: the prefixes as above, then the opcode and ModRM.  *cr is
 * the control register (REX.R, or AMD's LOCK form, adds 8), *gpr the
 * source register (enum gpr numbering, REX.B adds 8), *length the whole
 * instruction.  Anything else: INSN_UNSUPPORTED (or TRUNCATED/TOO_LONG).
 */
enum insn_status insn_mov_to_cr(const uint8_t *bytes, size_t len, unsigned code_bits,
                                unsigned *cr, unsigned *gpr, unsigned *length);

#endif
