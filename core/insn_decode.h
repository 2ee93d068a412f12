/*
 * A deliberately small x86 instruction decoder: the stores a kernel uses to
 * write MMIO registers, and the string I/O instructions INS/OUTS.  Pure code
 * shared by both backends (Intel VMX, AMD SVM without decode assists).
 *
 * Why: a guest store to a page Kestrel write-protects (the xAPIC page, the
 * I/O APIC, a PCI ECAM page) exits with the guest-physical address but not
 * the value or the size, so Kestrel fetches the instruction at the guest's
 * RIP, decodes it here and performs the (checked) write itself; for string
 * I/O to an intercepted port it needs the memory operand's segment, address
 * size and REP.
 *
 * Encodings are from the Intel SDM vol. 2A ch. 2 "Instruction Format" and
 * the instruction pages for MOV, XCHG, INS and OUTS (AMD APM vol. 3 ch. 1 has
 * the same rules).  Anything outside the listed forms is refused, never
 * guessed at: a hostile guest controls every byte, and may rewrite the
 * instruction between the exit and the fetch.
 */
#ifndef KESTREL_CORE_INSN_DECODE_H
#define KESTREL_CORE_INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No instruction is longer, prefixes included (SDM vol. 2A 2.3.11): fetch
 * this many bytes (fewer where the next page is not readable). */
#define INSN_MAX_LENGTH 15u

/* Segment registers in the SDM's encoding order (vol. 3A 3.4.2 and the
 * segment field of VMX/SVM I/O exit information). */
enum insn_segment {
    INSN_SEG_ES = 0,
    INSN_SEG_CS = 1,
    INSN_SEG_SS = 2,
    INSN_SEG_DS = 3,
    INSN_SEG_FS = 4,
    INSN_SEG_GS = 5,
};

/*
 * A decoded store: MOV r/m, r (88, 89), MOV r/m, imm (C6 /0, C7 /0),
 * XCHG r/m, r (86, 87), always with a memory operand, or MOV moffs, AL/eAX
 * (A2, A3: what compilers emit for a store of eAX to a constant address).
 * The memory address itself is not decoded: the exit reports it.
 */
struct insn_store {
    uint8_t  length;         /* instruction bytes, prefixes included */
    uint8_t  size;           /* bytes written: 1, 2, 4 or 8 */
    bool     from_register;  /* else from `immediate` */
    uint8_t  reg;            /* source register, SDM order: 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP,
                                5 RBP, 6 RSI, 7 RDI, 8..15 R8..R15 */
    bool     high_byte;      /* AH, CH, DH, BH: bits 15:8 of register reg (0..3) */
    uint64_t immediate;      /* sign-extended to `size` as the CPU does (imm32 to 64 bits with
                                REX.W); bits above `size` are 0 */
    bool     exchange;       /* XCHG: the register also receives the old memory value */
};

enum insn_status {
    INSN_OK,
    INSN_TRUNCATED,          /* needs more bytes than avail */
    INSN_UNSUPPORTED,        /* not one of the listed instructions (or a form that #UDs) */
    INSN_TOO_LONG,           /* over 15 bytes: the CPU raises #GP.  Reported as soon as the
                                bytes seen prove it, even with fewer than 15 available */
    INSN_NOT_MEMORY,         /* ModRM names a register, not memory */
};

/* Words for a log line ("truncated", ...); never NULL. */
const char *insn_status_name(enum insn_status s);

/*
 * Decodes the store at bytes[0..avail).  code_bits: 16 (real mode, 16-bit
 * protected mode), 32, or 64 (IA-32e 64-bit mode, CS.L = 1); any other value
 * is INSN_UNSUPPORTED.  *out is zeroed, and filled on INSN_OK only.
 * Reads no byte at or past avail, nor past the 15-byte limit.
 */
enum insn_status insn_decode_store(const uint8_t *bytes, size_t avail, unsigned code_bits,
                                   struct insn_store *out);

/* A decoded INS (6C, 6D) or OUTS (6E, 6F). */
struct insn_string_io {
    uint8_t length;
    bool    rep;             /* F3 (or F2: the CPU repeats INS/OUTS for either) */
    bool    in;              /* INS (else OUTS) */
    uint8_t size;            /* 1, 2 or 4 */
    uint8_t address_bits;    /* 16, 32 or 64: RSI/RDI and RCX are used at this width */
    uint8_t segment;         /* enum insn_segment.  OUTS: DS or the override; INS: always ES */
};

/* Decodes INS/OUTS at bytes[0..avail); code_bits and *out as for
 * insn_decode_store(). */
enum insn_status insn_decode_string_io(const uint8_t *bytes, size_t avail, unsigned code_bits,
                                       struct insn_string_io *out);

#endif
