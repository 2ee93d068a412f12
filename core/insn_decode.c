/*
 * The store and string-I/O decoder (see insn_decode.h).  Prefix, ModRM and
 * SIB rules are from the Intel SDM vol. 2A ch. 2 (2.1 legacy prefixes,
 * 2.1.5 and tables 2-1..2-3 ModRM/SIB, 2.2.1 REX), operand and address sizes
 * from vol. 1 3.6 (tables 3-3 and 3-4).  Every byte is taken through one
 * bounds check (take()), which is the only place the input is indexed and
 * which stops at avail and at the 15-byte limit; so no input can make the
 * decoder read outside the buffer or loop more than 15 times.
 */
#include "core/insn_decode.h"
#include "lib/le.h"

/* ---- prefixes (SDM vol. 2A 2.1.1, 2.2.1) ----------------------------------- */

#define PREFIX_OPERAND_SIZE   0x66
#define PREFIX_ADDRESS_SIZE   0x67
#define PREFIX_SEG_ES         0x26
#define PREFIX_SEG_CS         0x2e
#define PREFIX_SEG_SS         0x36
#define PREFIX_SEG_DS         0x3e
#define PREFIX_SEG_FS         0x64
#define PREFIX_SEG_GS         0x65
#define PREFIX_LOCK           0xf0
#define PREFIX_REPNE          0xf2
#define PREFIX_REP            0xf3

#define REX_HIGH_NIBBLE       0x40      /* 40..4F in 64-bit mode */
#define HIGH_NIBBLE_MASK      0xf0
#define REX_W                 0x08      /* 64-bit operand size */
#define REX_R                 0x04      /* extends ModRM.reg */
#define REG_EXTENDED          8u        /* what REX.R adds to ModRM.reg */
#define BYTE_REG_HIGH_FIRST   4u        /* ModRM.reg 4..7 without REX: AH, CH, DH, BH */

#define NO_SEGMENT            (-1)

/* ---- opcodes ---------------------------------------------------------------- */

#define OP_XCHG_RM8_R8        0x86
#define OP_XCHG_RM_R          0x87
#define OP_MOV_RM8_R8         0x88
#define OP_MOV_RM_R           0x89
#define OP_MOV_RM8_IMM8       0xc6      /* /0 */
#define OP_MOV_RM_IMM         0xc7      /* /0 */
#define OP_MOV_MOFFS8_AL      0xa2
#define OP_MOV_MOFFS_AX       0xa3
#define REG_ACCUMULATOR       0u        /* AL/AX/EAX/RAX: the source of A2/A3 */
#define OP_INSB               0x6c
#define OP_INS                0x6d
#define OP_OUTSB              0x6e
#define OP_OUTS               0x6f
#define OP_STRING_IO_BYTE     0x01      /* clear in the byte forms 6C and 6E */
#define MOV_IMM_REG_FIELD     0u        /* C6 /0, C7 /0: the only MOV in those groups */

/* ---- ModRM and SIB (SDM vol. 2A 2.1.5, tables 2-1 to 2-3) --------------------- */

#define MODRM_MOD_SHIFT       6
#define MODRM_REG_SHIFT       3
#define MODRM_FIELD_MASK      0x7u
#define MOD_NO_DISP           0u
#define MOD_DISP8             1u
#define MOD_DISP_FULL         2u        /* disp16 or disp32 by address size */
#define MOD_REGISTER          3u
#define RM_SIB                4u        /* 32/64-bit addressing: a SIB byte follows */
#define RM_DISP32_ONLY        5u        /* mod 0: disp32 (RIP-relative in 64-bit mode) */
#define RM16_DISP16_ONLY      6u        /* 16-bit addressing, mod 0: disp16 */
#define SIB_BASE_NONE         5u        /* mod 0: no base, disp32 */
#define DISP8_BYTES           1u
#define DISP16_BYTES          2u
#define DISP32_BYTES          4u

/* ---- sizes -------------------------------------------------------------------- */

#define BITS_16               16u
#define BITS_32               32u
#define BITS_64               64u
#define BITS_PER_BYTE         8u
#define SIZE_BYTE             1u
#define SIZE_WORD             2u
#define SIZE_DWORD            4u
#define SIZE_QWORD            8u
#define IMM32_SIGN            0x80000000ull
#define IMM32_SIGN_EXTENSION  0xffffffff00000000ull

/* ---- taking bytes ----------------------------------------------------------- */

struct cursor {
    const uint8_t *bytes;
    size_t avail;
    size_t pos;                 /* bytes taken so far: the length */
};

/* The next n bytes, or why not: past the 15-byte limit (whatever avail is,
 * the CPU would #GP) or past the bytes we have. */
static enum insn_status take(struct cursor *c, size_t n, const uint8_t **p)
{
    if (c->pos + n > INSN_MAX_LENGTH)
        return INSN_TOO_LONG;
    if (c->pos + n > c->avail)
        return INSN_TRUNCATED;
    *p = c->bytes + c->pos;
    c->pos += n;
    return INSN_OK;
}

static bool code_bits_valid(unsigned code_bits)
{
    return code_bits == BITS_16 || code_bits == BITS_32 || code_bits == BITS_64;
}

/* ---- prefixes ---------------------------------------------------------------- */

struct prefixes {
    bool    operand_size;       /* 66 */
    bool    address_size;       /* 67 */
    bool    lock;               /* F0 */
    bool    rep;                /* F2 or F3 */
    int     segment;            /* enum insn_segment of the override, or NO_SEGMENT */
    uint8_t rex;                /* the REX byte right before the opcode, or 0 */
};

/* Records a legacy prefix; false if b is not one.  Repeats are harmless and
 * of several segment overrides the last one counts.  In 64-bit mode the ES,
 * CS, SS and DS overrides are ignored (AMD APM vol. 3 1.2.4; the SDM treats
 * those segments' bases as 0 there, vol. 3A 3.2.4), so only FS and GS
 * override; the prefix still counts towards the length. */
static bool legacy_prefix(uint8_t b, unsigned code_bits, struct prefixes *px)
{
    bool null_segment_ignored = code_bits == BITS_64;

    switch (b) {
    case PREFIX_OPERAND_SIZE:
        px->operand_size = true;
        return true;
    case PREFIX_ADDRESS_SIZE:
        px->address_size = true;
        return true;
    case PREFIX_LOCK:
        px->lock = true;
        return true;
    case PREFIX_REPNE:
    case PREFIX_REP:
        px->rep = true;
        return true;
    case PREFIX_SEG_ES:
        if (!null_segment_ignored)
            px->segment = INSN_SEG_ES;
        return true;
    case PREFIX_SEG_CS:
        if (!null_segment_ignored)
            px->segment = INSN_SEG_CS;
        return true;
    case PREFIX_SEG_SS:
        if (!null_segment_ignored)
            px->segment = INSN_SEG_SS;
        return true;
    case PREFIX_SEG_DS:
        if (!null_segment_ignored)
            px->segment = INSN_SEG_DS;
        return true;
    case PREFIX_SEG_FS:
        px->segment = INSN_SEG_FS;
        return true;
    case PREFIX_SEG_GS:
        px->segment = INSN_SEG_GS;
        return true;
    default:
        return false;
    }
}

/*
 * Takes the prefixes and the opcode byte.  A REX prefix (64-bit mode only;
 * elsewhere 40..4F are INC/DEC) counts only immediately before the opcode:
 * a REX followed by a legacy prefix or by another REX is ignored, as the CPU
 * does (SDM vol. 2A 2.2.1 "Other placements are ignored").
 */
static enum insn_status take_prefixes(struct cursor *c, unsigned code_bits, struct prefixes *px,
                                      uint8_t *opcode)
{
    *px = (struct prefixes){ .segment = NO_SEGMENT };
    for (;;) {                  /* at most 15 passes: take() stops at the limit */
        const uint8_t *b;
        enum insn_status status = take(c, 1, &b);

        if (status != INSN_OK)
            return status;
        if (legacy_prefix(*b, code_bits, px)) {
            px->rex = 0;
        } else if (code_bits == BITS_64 && (*b & HIGH_NIBBLE_MASK) == REX_HIGH_NIBBLE) {
            px->rex = *b;
        } else {
            *opcode = *b;
            return INSN_OK;
        }
    }
}

/* ---- sizes (SDM vol. 1 3.6, tables 3-3 and 3-4) -------------------------------- */

/* 66 toggles the default (16 bits in 16-bit code, else 32); in 64-bit mode
 * REX.W selects 64 bits and takes precedence over 66. */
static unsigned operand_bytes(unsigned code_bits, const struct prefixes *px)
{
    bool default_16 = code_bits == BITS_16;

    if (code_bits == BITS_64 && (px->rex & REX_W))
        return SIZE_QWORD;
    return default_16 != px->operand_size ? SIZE_WORD : SIZE_DWORD;
}

/* 67 toggles 64 -> 32, 32 -> 16 and 16 -> 32 (16-bit addressing does not
 * exist in 64-bit mode). */
static unsigned address_bits(unsigned code_bits, const struct prefixes *px)
{
    if (!px->address_size)
        return code_bits;
    return code_bits == BITS_32 ? BITS_16 : BITS_32;
}

/* ---- the memory operand -------------------------------------------------------- */

static unsigned modrm_mod(uint8_t modrm) { return (unsigned)modrm >> MODRM_MOD_SHIFT; }
static unsigned modrm_reg(uint8_t modrm) { return (modrm >> MODRM_REG_SHIFT) & MODRM_FIELD_MASK; }
static unsigned modrm_rm(uint8_t modrm) { return modrm & MODRM_FIELD_MASK; }
static unsigned sib_base(uint8_t sib) { return sib & MODRM_FIELD_MASK; }

/* Displacement bytes of a 16-bit memory operand (table 2-1). */
static size_t disp_bytes_16(unsigned mod, unsigned rm)
{
    if (mod == MOD_DISP8)
        return DISP8_BYTES;
    if (mod == MOD_DISP_FULL)
        return DISP16_BYTES;
    return rm == RM16_DISP16_ONLY ? DISP16_BYTES : 0;
}

/*
 * Takes the SIB and displacement bytes that follow a memory ModRM.  Only the
 * length matters: the exit reports the address.  The 3-bit rm and SIB base
 * fields decide the special cases whatever REX.B says (R12 as rm needs a SIB,
 * R13 as base with mod 0 means disp32, table 2-5).  RIP-relative addressing
 * (64-bit mode, mod 0, rm 5) is the same disp32 as absolute disp32 in 32-bit
 * code.
 */
static enum insn_status take_memory_operand(struct cursor *c, uint8_t modrm, unsigned addr_bits)
{
    unsigned mod = modrm_mod(modrm), rm = modrm_rm(modrm);
    const uint8_t *p;
    size_t disp;

    if (addr_bits == BITS_16) {
        disp = disp_bytes_16(mod, rm);
    } else if (mod == MOD_DISP8) {
        disp = DISP8_BYTES;
    } else if (mod == MOD_DISP_FULL) {
        disp = DISP32_BYTES;
    } else {
        disp = rm == RM_DISP32_ONLY ? DISP32_BYTES : 0;
    }
    if (addr_bits != BITS_16 && rm == RM_SIB) {
        enum insn_status status = take(c, 1, &p);

        if (status != INSN_OK)
            return status;
        if (mod == MOD_NO_DISP && sib_base(*p) == SIB_BASE_NONE)
            disp = DISP32_BYTES;
    }
    return disp > 0 ? take(c, disp, &p) : INSN_OK;
}

/* ---- stores -------------------------------------------------------------------- */

/* The forms: MOV r/m, r (88, 89), MOV r/m, imm (C6 /0, C7 /0), XCHG r/m, r
 * (86, 87) and MOV moffs, AL/eAX (A2, A3) (SDM vol. 2B MOV, XCHG). */

struct store_form {
    uint8_t opcode;
    bool    byte_op;            /* 8-bit operand whatever the prefixes */
    bool    immediate;          /* MOV r/m, imm: ModRM.reg must be 0 */
    bool    exchange;           /* XCHG */
    bool    moffs;              /* MOV moffs, AL/eAX: no ModRM, an absolute address */
};

static const struct store_form store_forms[] = {
    { .opcode = OP_XCHG_RM8_R8, .byte_op = true, .exchange = true },
    { .opcode = OP_XCHG_RM_R, .exchange = true },
    { .opcode = OP_MOV_RM8_R8, .byte_op = true },
    { .opcode = OP_MOV_RM_R },
    { .opcode = OP_MOV_RM8_IMM8, .byte_op = true, .immediate = true },
    { .opcode = OP_MOV_RM_IMM, .immediate = true },
    { .opcode = OP_MOV_MOFFS8_AL, .byte_op = true, .moffs = true },
    { .opcode = OP_MOV_MOFFS_AX, .moffs = true },
};

static const struct store_form *store_form_of(uint8_t opcode)
{
    for (size_t i = 0; i < sizeof(store_forms) / sizeof(store_forms[0]); i++) {
        if (store_forms[i].opcode == opcode)
            return &store_forms[i];
    }
    return NULL;
}

/* The immediate: imm8, imm16 or imm32; with REX.W, C7 takes an imm32 and
 * sign-extends it to 64 bits (SDM vol. 2B MOV: "C7 /0 id ... REX.W + C7 /0
 * id: Move imm32 sign extended to 64-bits to r/m64"). */
static enum insn_status take_immediate(struct cursor *c, unsigned size, uint64_t *value)
{
    size_t bytes = size == SIZE_QWORD ? SIZE_DWORD : size;
    const uint8_t *p;
    enum insn_status status = take(c, bytes, &p);

    if (status != INSN_OK)
        return status;
    if (bytes == SIZE_BYTE)
        *value = p[0];
    else if (bytes == SIZE_WORD)
        *value = get16(p);
    else
        *value = get32(p);
    if (size == SIZE_QWORD && (*value & IMM32_SIGN))
        *value |= IMM32_SIGN_EXTENSION;
    return INSN_OK;
}

/* The source register in the SDM's numbering.  Without any REX prefix the
 * 8-bit registers 4..7 are AH, CH, DH, BH (bits 15:8 of registers 0..3);
 * with one (even 40) they are SPL, BPL, SIL, DIL (table 3-1 of vol. 2A). */
static void source_register(uint8_t modrm, const struct prefixes *px, bool byte_op,
                            struct insn_store *out)
{
    unsigned reg = modrm_reg(modrm);

    if (byte_op && px->rex == 0 && reg >= BYTE_REG_HIGH_FIRST) {
        out->reg = (uint8_t)(reg - BYTE_REG_HIGH_FIRST);
        out->high_byte = true;
        return;
    }
    out->reg = (uint8_t)(reg + ((px->rex & REX_R) ? REG_EXTENDED : 0));
}

/*
 * A2/A3: MOV moffs, AL/AX/EAX/RAX.  The "memory offset" is an absolute
 * address as wide as the address size: 2, 4 or 8 bytes (8 by default in
 * 64-bit mode, 4 with 67) (SDM vol. 2B MOV, note on moffs).  Compilers emit it
 * for a store of eAX to a constant address, `*(volatile uint32_t *)0xfee00300
 * = v` for instance.
 */
static enum insn_status decode_moffs(struct cursor *c, unsigned code_bits,
                                     const struct prefixes *px, const struct store_form *form,
                                     struct insn_store *out)
{
    const uint8_t *p;
    enum insn_status status = take(c, address_bits(code_bits, px) / BITS_PER_BYTE, &p);

    if (status != INSN_OK)
        return status;
    out->length = (uint8_t)c->pos;
    out->size = (uint8_t)(form->byte_op ? SIZE_BYTE : operand_bytes(code_bits, px));
    out->from_register = true;
    out->reg = REG_ACCUMULATOR;
    return INSN_OK;
}

enum insn_status insn_decode_store(const uint8_t *bytes, size_t avail, unsigned code_bits,
                                   struct insn_store *out)
{
    struct cursor c = { .bytes = bytes, .avail = avail, .pos = 0 };
    struct prefixes px;
    struct insn_store s = { .size = 0 };
    const struct store_form *form;
    const uint8_t *modrm;
    uint8_t opcode;
    enum insn_status status;

    __builtin_memset(out, 0, sizeof(*out));
    if (!code_bits_valid(code_bits))
        return INSN_UNSUPPORTED;
    status = take_prefixes(&c, code_bits, &px, &opcode);
    if (status != INSN_OK)
        return status;
    form = store_form_of(opcode);
    if (form == NULL)
        return INSN_UNSUPPORTED;
    /* LOCK is allowed only on read-modify-write instructions such as XCHG;
     * on MOV the CPU raises #UD (SDM vol. 2A LOCK), so a LOCK MOV never got
     * as far as the store that exited. */
    if (px.lock && !form->exchange)
        return INSN_UNSUPPORTED;
    if (form->moffs)
        return decode_moffs(&c, code_bits, &px, form, out);
    status = take(&c, 1, &modrm);
    if (status != INSN_OK)
        return status;
    /* C6 /1..7 and C7 /1..7 are other instructions (XABORT, XBEGIN) or #UD. */
    if (form->immediate && modrm_reg(*modrm) != MOV_IMM_REG_FIELD)
        return INSN_UNSUPPORTED;
    if (modrm_mod(*modrm) == MOD_REGISTER)
        return INSN_NOT_MEMORY;
    status = take_memory_operand(&c, *modrm, address_bits(code_bits, &px));
    if (status != INSN_OK)
        return status;
    s.size = (uint8_t)(form->byte_op ? SIZE_BYTE : operand_bytes(code_bits, &px));
    s.exchange = form->exchange;
    if (form->immediate) {
        status = take_immediate(&c, s.size, &s.immediate);
        if (status != INSN_OK)
            return status;
    } else {
        s.from_register = true;
        source_register(*modrm, &px, form->byte_op, &s);
    }
    s.length = (uint8_t)c.pos;
    *out = s;
    return INSN_OK;
}

/* ---- string I/O ------------------------------------------------------------------ */

/* INS/OUTS move 16 or 32 bits: 66 toggles as usual, but in 64-bit mode the
 * operand size "is not promoted" (SDM vol. 2A INS, OUTS).  REX.W still takes
 * precedence over 66 (vol. 1 3.6.1), which leaves the 32-bit default. */
static unsigned string_io_bytes(unsigned code_bits, const struct prefixes *px)
{
    unsigned bytes = operand_bytes(code_bits, px);

    return bytes == SIZE_QWORD ? SIZE_DWORD : bytes;
}

enum insn_status insn_decode_string_io(const uint8_t *bytes, size_t avail, unsigned code_bits,
                                       struct insn_string_io *out)
{
    struct cursor c = { .bytes = bytes, .avail = avail, .pos = 0 };
    struct prefixes px;
    struct insn_string_io s = { .length = 0 };
    uint8_t opcode;
    enum insn_status status;

    __builtin_memset(out, 0, sizeof(*out));
    if (!code_bits_valid(code_bits))
        return INSN_UNSUPPORTED;
    status = take_prefixes(&c, code_bits, &px, &opcode);
    if (status != INSN_OK)
        return status;
    if (opcode != OP_INSB && opcode != OP_INS && opcode != OP_OUTSB && opcode != OP_OUTS)
        return INSN_UNSUPPORTED;
    /* LOCK on INS/OUTS raises #UD (SDM vol. 2A LOCK). */
    if (px.lock)
        return INSN_UNSUPPORTED;
    s.length = (uint8_t)c.pos;
    s.rep = px.rep;
    s.in = opcode == OP_INSB || opcode == OP_INS;
    s.size = (uint8_t)((opcode & OP_STRING_IO_BYTE) ? string_io_bytes(code_bits, &px) : SIZE_BYTE);
    s.address_bits = (uint8_t)address_bits(code_bits, &px);
    /* INS writes ES:[rDI], which cannot be overridden; OUTS reads DS:[rSI]
     * or the override's segment (SDM vol. 2A INS, OUTS). */
    if (s.in)
        s.segment = INSN_SEG_ES;
    else
        s.segment = (uint8_t)(px.segment != NO_SEGMENT ? px.segment : INSN_SEG_DS);
    *out = s;
    return INSN_OK;
}

/* ---- names ----------------------------------------------------------------------- */

const char *insn_status_name(enum insn_status s)
{
    switch (s) {
    case INSN_OK:
        return "ok";
    case INSN_TRUNCATED:
        return "truncated";
    case INSN_UNSUPPORTED:
        return "unsupported instruction";
    case INSN_TOO_LONG:
        return "longer than 15 bytes";
    case INSN_NOT_MEMORY:
        return "register operand, not memory";
    }
    return "unknown decode status";
}
