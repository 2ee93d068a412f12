/*
 * Lengths of intercepted fixed-opcode instructions (see insn_length.h).
 * Prefix rules: AMD APM vol. 3 1.2 "Instruction Prefixes" (1.2.7 REX), Intel
 * SDM vol. 2A 2.1.1 and 2.2.1; the 15-byte limit: APM vol. 3 1.1, SDM vol.
 * 2A 2.3.11.  Opcodes: APM vol. 3 appendix A.  Every byte is read through
 * one bounds check (byte_at), so no input reads outside the buffer or loops
 * more than 15 times.
 */
#include "core/insn_length.h"

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
#define REX_HIGH_NIBBLE       0x40      /* 40..4F: REX in 64-bit mode, INC/DEC elsewhere */
#define HIGH_NIBBLE_MASK      0xf0

#define BITS_16               16u
#define BITS_32               32u
#define BITS_64               64u

#define OPCODE_MAX_BYTES      3u
#define MOV_CR_ESCAPE         0x0f
#define MOV_TO_CR_OPCODE      0x22      /* 0F 22 /r: MOV CRn, r64/r32 */
#define REX_R                 0x04
#define REX_B                 0x01

struct opcode {
    const char *name;
    uint8_t bytes;
    uint8_t code[OPCODE_MAX_BYTES];
};

static const struct opcode opcodes[INSN_INTERCEPTED_COUNT] = {
    [INSN_INTERCEPTED_CPUID] = { "cpuid", 2, { 0x0f, 0xa2 } },
    [INSN_INTERCEPTED_RDMSR] = { "rdmsr", 2, { 0x0f, 0x32 } },
    [INSN_INTERCEPTED_WRMSR] = { "wrmsr", 2, { 0x0f, 0x30 } },
    [INSN_INTERCEPTED_RDTSC] = { "rdtsc", 2, { 0x0f, 0x31 } },
    [INSN_INTERCEPTED_RDPMC] = { "rdpmc", 2, { 0x0f, 0x33 } },
    [INSN_INTERCEPTED_INVD] = { "invd", 2, { 0x0f, 0x08 } },
    [INSN_INTERCEPTED_WBINVD] = { "wbinvd", 2, { 0x0f, 0x09 } },
    [INSN_INTERCEPTED_HLT] = { "hlt", 1, { 0xf4 } },
    [INSN_INTERCEPTED_ICEBP] = { "icebp", 1, { 0xf1 } },
    [INSN_INTERCEPTED_VMCALL] = { "vmcall", 3, { 0x0f, 0x01, 0xc1 } },
    [INSN_INTERCEPTED_MONITOR] = { "monitor", 3, { 0x0f, 0x01, 0xc8 } },
    [INSN_INTERCEPTED_MWAIT] = { "mwait", 3, { 0x0f, 0x01, 0xc9 } },
    [INSN_INTERCEPTED_XSETBV] = { "xsetbv", 3, { 0x0f, 0x01, 0xd1 } },
    [INSN_INTERCEPTED_VMRUN] = { "vmrun", 3, { 0x0f, 0x01, 0xd8 } },
    [INSN_INTERCEPTED_VMMCALL] = { "vmmcall", 3, { 0x0f, 0x01, 0xd9 } },
    [INSN_INTERCEPTED_VMLOAD] = { "vmload", 3, { 0x0f, 0x01, 0xda } },
    [INSN_INTERCEPTED_VMSAVE] = { "vmsave", 3, { 0x0f, 0x01, 0xdb } },
    [INSN_INTERCEPTED_STGI] = { "stgi", 3, { 0x0f, 0x01, 0xdc } },
    [INSN_INTERCEPTED_CLGI] = { "clgi", 3, { 0x0f, 0x01, 0xdd } },
    [INSN_INTERCEPTED_SKINIT] = { "skinit", 3, { 0x0f, 0x01, 0xde } },
    [INSN_INTERCEPTED_INVLPGA] = { "invlpga", 3, { 0x0f, 0x01, 0xdf } },
    [INSN_INTERCEPTED_RDTSCP] = { "rdtscp", 3, { 0x0f, 0x01, 0xf9 } },
};

const char *insn_intercepted_name(enum insn_intercepted which)
{
    if ((unsigned)which >= INSN_INTERCEPTED_COUNT)
        return "unknown";
    return opcodes[which].name;
}

/* The byte at pos, or why not: past the 15-byte limit (whatever len is,
 * the CPU would #GP) or past the bytes we have. */
static enum insn_status byte_at(const uint8_t *bytes, size_t len, size_t pos, uint8_t *b)
{
    if (pos >= INSN_MAX_LENGTH)
        return INSN_TOO_LONG;
    if (pos >= len)
        return INSN_TRUNCATED;
    *b = bytes[pos];
    return INSN_OK;
}

static bool legacy_prefix(uint8_t b)
{
    switch (b) {
    case PREFIX_OPERAND_SIZE:
    case PREFIX_ADDRESS_SIZE:
    case PREFIX_SEG_ES:
    case PREFIX_SEG_CS:
    case PREFIX_SEG_SS:
    case PREFIX_SEG_DS:
    case PREFIX_SEG_FS:
    case PREFIX_SEG_GS:
    case PREFIX_LOCK:
    case PREFIX_REPNE:
    case PREFIX_REP:
        return true;
    default:
        return false;
    }
}

static bool is_prefix(uint8_t b, unsigned code_bits)
{
    return legacy_prefix(b) || (code_bits == BITS_64 && (b & HIGH_NIBBLE_MASK) == REX_HIGH_NIBBLE);
}

static bool code_bits_valid(unsigned code_bits)
{
    return code_bits == BITS_16 || code_bits == BITS_32 || code_bits == BITS_64;
}

/* What the prefixes say, for the decoders that care. */
struct prefixes {
    uint8_t rex;          /* the REX right before the opcode, or 0 (SDM vol. 2A 2.2.1) */
    bool lock;
};

/* Steps *pos over the prefixes (at most 15 passes: byte_at stops at the
 * limit) and leaves the first opcode byte in *b. */
static enum insn_status skip_prefixes(const uint8_t *bytes, size_t len, unsigned code_bits,
                                      size_t *pos, uint8_t *b, struct prefixes *seen)
{
    *seen = (struct prefixes){ 0, false };
    for (;;) {
        enum insn_status status = byte_at(bytes, len, *pos, b);
        if (status != INSN_OK)
            return status;
        if (!is_prefix(*b, code_bits))
            return INSN_OK;
        /* A REX counts only right before the opcode: a legacy prefix after it cancels it. */
        seen->rex = legacy_prefix(*b) ? 0 : *b;
        seen->lock |= *b == PREFIX_LOCK;
        (*pos)++;
    }
}

enum insn_status insn_intercepted_length(const uint8_t *bytes, size_t len, unsigned code_bits,
                                         enum insn_intercepted which, unsigned *length)
{
    const struct opcode *op;
    struct prefixes seen;
    size_t pos = 0;
    uint8_t b = 0;
    enum insn_status status;

    *length = 0;
    if (!code_bits_valid(code_bits) || (unsigned)which >= INSN_INTERCEPTED_COUNT)
        return INSN_UNSUPPORTED;
    op = &opcodes[which];
    status = skip_prefixes(bytes, len, code_bits, &pos, &b, &seen);
    if (status != INSN_OK)
        return status;
    /* The opcode, byte by byte: a mismatch is refused as soon as it is seen,
     * before length or truncation matter. */
    for (unsigned i = 0; i < op->bytes; i++) {
        if (i > 0) {
            status = byte_at(bytes, len, pos, &b);
            if (status != INSN_OK)
                return status;
        }
        if (b != op->code[i])
            return INSN_UNSUPPORTED;
        pos++;
    }
    *length = (unsigned)pos;
    return INSN_OK;
}

enum insn_status insn_mov_to_cr(const uint8_t *bytes, size_t len, unsigned code_bits,
                                unsigned *cr, unsigned *gpr, unsigned *length)
{
    struct prefixes seen;
    size_t pos = 0;
    uint8_t b = 0, modrm = 0;
    enum insn_status status;

    *length = 0;
    if (!code_bits_valid(code_bits))
        return INSN_UNSUPPORTED;
    status = skip_prefixes(bytes, len, code_bits, &pos, &b, &seen);
    if (status != INSN_OK)
        return status;
    if (b != MOV_CR_ESCAPE)
        return INSN_UNSUPPORTED;
    status = byte_at(bytes, len, pos + 1, &b);
    if (status != INSN_OK)
        return status;
    if (b != MOV_TO_CR_OPCODE)
        return INSN_UNSUPPORTED;
    status = byte_at(bytes, len, pos + 2, &modrm);
    if (status != INSN_OK)
        return status;
    /* The mod bits are ignored: the operand is always a register. */
    /* AMD's LOCK MOV CR0 is MOV CR8 (APM vol. 3, "MOV CRn"). */
    *cr = ((modrm >> 3) & 7u) | (((seen.rex & REX_R) || seen.lock) ? 8u : 0u);
    *gpr = (modrm & 7u) | ((seen.rex & REX_B) ? 8u : 0u);
    *length = (unsigned)pos + 3;
    return INSN_OK;
}
