/*
 * Unit tests for core/insn_length.c, the length of an intercepted
 * fixed-opcode instruction (what an SVM exit without next-RIP save skips).
 * The opcodes are written out again here from AMD APM vol. 3 appendix A
 * rather than taken from the decoder, so a wrong byte in its table shows.
 *
 * The bytes are guest memory fetched at the guest's RIP, so every call goes
 * through an exactly-sized heap copy (ASan reports any read at or past
 * len), and every result other than INSN_OK must leave *length 0: a caller
 * that forgot to check the status must not skip anything.
 */
#include "test.h"

#include "core/insn_length.h"

#include <stdlib.h>

#define BUF_MAX        32          /* longer than any input the decoder may look at */
#define LENGTH_POISON  0xa5a5a5a5u /* *length before a call: must be overwritten */

/* ---- the expected opcodes ------------------------------------------------------ */

struct expected_opcode {
    const char *name;
    uint8_t len;
    uint8_t code[3];
};

static const struct expected_opcode expected[INSN_INTERCEPTED_COUNT] = {
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

/* APM vol. 3 1.2: operand size, address size, the six segment overrides,
 * LOCK, REPNE, REP. */
static const uint8_t legacy_prefixes[] = { 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e,
                                           0x36, 0x3e, 0x26, 0x64, 0x65 };
#define LEGACY_COUNT (sizeof(legacy_prefixes) / sizeof(legacy_prefixes[0]))

static const unsigned modes[] = { 16, 32, 64 };
#define MODE_COUNT (sizeof(modes) / sizeof(modes[0]))

/* ---- calling the decoder ---------------------------------------------------------- */

/* The decoder on an exactly-sized heap copy of bytes[0..len), with *length
 * poisoned first; checks that *length is 0 unless INSN_OK.  malloc(0) under
 * ASan is a valid pointer to no bytes, so len 0 is checked the same way. */
static enum insn_status decode_exact(struct unit_ctx *unit_ctx_, const uint8_t *bytes, size_t len,
                                     unsigned bits, enum insn_intercepted which, unsigned *length)
{
    uint8_t *copy = malloc(len);
    enum insn_status st;
    unsigned got = LENGTH_POISON;

    if (copy == NULL && len > 0) {
        unit_fail(unit_ctx_, __FILE__, __LINE__, "malloc(%zu) failed", len);
        return INSN_UNSUPPORTED;
    }
    if (len > 0)
        memcpy(copy, bytes, len);
    st = insn_intercepted_length(copy, len, bits, which, &got);
    free(copy);
    if (st != INSN_OK && got != 0)
        unit_fail(unit_ctx_, __FILE__, __LINE__,
                  "%s (%u-bit, len %zu): status %s left *length = 0x%x, not 0",
                  insn_intercepted_name(which), bits, len, insn_status_name(st), got);
    if (st == INSN_OK && (got == 0 || got > INSN_MAX_LENGTH || got > len))
        unit_fail(unit_ctx_, __FILE__, __LINE__, "%s (%u-bit, len %zu): OK with length %u",
                  insn_intercepted_name(which), bits, len, got);
    *length = got;
    return st;
}

/* Expects `want` (and, for INSN_OK, length want_len) for bytes[0..len). */
static void expect_status(struct unit_ctx *unit_ctx_, int line, const char *what,
                          const uint8_t *bytes, size_t len, unsigned bits,
                          enum insn_intercepted which, enum insn_status want, unsigned want_len)
{
    unsigned length;
    enum insn_status st = decode_exact(unit_ctx_, bytes, len, bits, which, &length);

    CHECK_PASSING();
    if (st != want || (want == INSN_OK && length != want_len))
        unit_fail(unit_ctx_, __FILE__, line,
                  "%s: %s, %u-bit, len %zu: got %s length %u, expected %s length %u", what,
                  insn_intercepted_name(which), bits, len, insn_status_name(st), length,
                  insn_status_name(want), want == INSN_OK ? want_len : 0);
}

#define EXPECT(what, bytes, len, bits, which, want, want_len)                            \
    do {                                                                               \
        expect_status(unit_ctx_, __LINE__, what, bytes, len, bits, which, want, want_len); \
        CHECK_PASSING();                                                               \
    } while (0)

/* A complete instruction: OK with its full length; every shorter fetch
 * (each cut point, 0 included) TRUNCATED; and trailing bytes (whatever
 * follows in guest memory) change nothing. */
static void expect_instruction(struct unit_ctx *unit_ctx_, int line, const char *what,
                               const uint8_t *bytes, size_t len, unsigned bits,
                               enum insn_intercepted which)
{
    uint8_t padded[BUF_MAX];

    expect_status(unit_ctx_, line, what, bytes, len, bits, which, INSN_OK, (unsigned)len);
    CHECK_PASSING();
    for (size_t cut = 0; cut < len; cut++) {
        expect_status(unit_ctx_, line, what, bytes, cut, bits, which, INSN_TRUNCATED, 0);
        CHECK_PASSING();
    }
    for (unsigned fill = 0; fill < 256; fill += 0x11) {
        memset(padded, (int)fill, sizeof(padded));
        memcpy(padded, bytes, len);
        expect_status(unit_ctx_, line, what, padded, sizeof(padded), bits, which, INSN_OK,
                      (unsigned)len);
        CHECK_PASSING();
    }
}

#define EXPECT_INSN(what, bytes, len, bits, which)                                   \
    do {                                                                           \
        expect_instruction(unit_ctx_, __LINE__, what, bytes, len, bits, which);    \
        CHECK_PASSING();                                                           \
    } while (0)

/* prefixes[0..n) then the opcode of which, into buf; returns the length. */
static size_t build(uint8_t *buf, const uint8_t *prefixes, size_t n, enum insn_intercepted which)
{
    const struct expected_opcode *op = &expected[which];

    if (n > 0)                  /* memcpy from NULL is undefined even for 0 bytes */
        memcpy(buf, prefixes, n);
    memcpy(buf + n, op->code, op->len);
    return n + op->len;
}

/* ---- each instruction alone ----------------------------------------------------------- */

TEST(insn_len_every_instruction_bare)
{
    uint8_t buf[BUF_MAX];

    for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
        for (unsigned m = 0; m < MODE_COUNT; m++) {
            size_t len = build(buf, NULL, 0, (enum insn_intercepted)w);

            CHECK_EQ_U64(len, expected[w].len);
            EXPECT_INSN("no prefix", buf, len, modes[m], (enum insn_intercepted)w);
        }
    }
}

/* The one pair the header calls out: F3 0F 09 is WBNOINVD, intercepted as
 * WBINVD, and F2/F3 0F 01 D9 is VMGEXIT, intercepted as VMMCALL; the length
 * is prefix + opcode all the same. */
TEST(insn_len_wbnoinvd_and_vmgexit)
{
    static const uint8_t wbnoinvd[] = { 0xf3, 0x0f, 0x09 };
    static const uint8_t vmgexit_f3[] = { 0xf3, 0x0f, 0x01, 0xd9 };
    static const uint8_t vmgexit_f2[] = { 0xf2, 0x0f, 0x01, 0xd9 };

    for (unsigned m = 0; m < MODE_COUNT; m++) {
        EXPECT_INSN("wbnoinvd", wbnoinvd, sizeof(wbnoinvd), modes[m], INSN_INTERCEPTED_WBINVD);
        EXPECT_INSN("vmgexit (f3)", vmgexit_f3, sizeof(vmgexit_f3), modes[m],
                    INSN_INTERCEPTED_VMMCALL);
        EXPECT_INSN("vmgexit (f2)", vmgexit_f2, sizeof(vmgexit_f2), modes[m],
                    INSN_INTERCEPTED_VMMCALL);
    }
}

/* ---- legacy prefixes -------------------------------------------------------------------- */

/* Each legacy prefix, once and repeated, before each instruction in each
 * mode: counted byte for byte. */
TEST(insn_len_each_legacy_prefix)
{
    uint8_t prefixes[4], buf[BUF_MAX];

    for (unsigned p = 0; p < LEGACY_COUNT; p++) {
        for (size_t n = 1; n <= sizeof(prefixes); n++) {
            memset(prefixes, legacy_prefixes[p], n);
            for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
                for (unsigned m = 0; m < MODE_COUNT; m++) {
                    size_t len = build(buf, prefixes, n, (enum insn_intercepted)w);

                    EXPECT_INSN("one legacy prefix, repeated", buf, len, modes[m],
                                (enum insn_intercepted)w);
                }
            }
        }
    }
}

/* Several different prefixes: every order of four of them (the CPU takes
 * prefixes in any order, APM vol. 3 1.2), and all eleven forwards and
 * backwards. */
TEST(insn_len_prefix_orders)
{
    static const uint8_t four[] = { 0x66, 0xf3, 0x2e, 0x67 };
    static const unsigned perms[24][4] = {
        { 0, 1, 2, 3 }, { 0, 1, 3, 2 }, { 0, 2, 1, 3 }, { 0, 2, 3, 1 }, { 0, 3, 1, 2 },
        { 0, 3, 2, 1 }, { 1, 0, 2, 3 }, { 1, 0, 3, 2 }, { 1, 2, 0, 3 }, { 1, 2, 3, 0 },
        { 1, 3, 0, 2 }, { 1, 3, 2, 0 }, { 2, 0, 1, 3 }, { 2, 0, 3, 1 }, { 2, 1, 0, 3 },
        { 2, 1, 3, 0 }, { 2, 3, 0, 1 }, { 2, 3, 1, 0 }, { 3, 0, 1, 2 }, { 3, 0, 2, 1 },
        { 3, 1, 0, 2 }, { 3, 1, 2, 0 }, { 3, 2, 0, 1 }, { 3, 2, 1, 0 },
    };
    uint8_t prefixes[LEGACY_COUNT], buf[BUF_MAX];

    for (unsigned k = 0; k < 24; k++) {
        for (unsigned i = 0; i < 4; i++)
            prefixes[i] = four[perms[k][i]];
        for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
            for (unsigned m = 0; m < MODE_COUNT; m++) {
                size_t len = build(buf, prefixes, 4, (enum insn_intercepted)w);

                EXPECT_INSN("four prefixes in some order", buf, len, modes[m],
                            (enum insn_intercepted)w);
            }
        }
    }
    for (unsigned backwards = 0; backwards < 2; backwards++) {
        for (unsigned i = 0; i < LEGACY_COUNT; i++)
            prefixes[i] = legacy_prefixes[backwards ? LEGACY_COUNT - 1 - i : i];
        for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
            for (unsigned m = 0; m < MODE_COUNT; m++) {
                size_t len = build(buf, prefixes, LEGACY_COUNT, (enum insn_intercepted)w);

                /* 11 prefixes + a 3-byte opcode = 14: inside the limit. */
                EXPECT_INSN("all eleven legacy prefixes", buf, len, modes[m],
                            (enum insn_intercepted)w);
            }
        }
    }
}

/* ---- REX ------------------------------------------------------------------------------------ */

/* In 64-bit mode each of 40..4F right before the opcode is one byte of the
 * instruction. */
TEST(insn_len_rex_before_opcode)
{
    uint8_t buf[BUF_MAX];

    for (unsigned rex = 0x40; rex <= 0x4f; rex++) {
        uint8_t p = (uint8_t)rex;

        for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
            size_t len = build(buf, &p, 1, (enum insn_intercepted)w);

            EXPECT_INSN("REX before the opcode", buf, len, 64, (enum insn_intercepted)w);
        }
    }
}

/* A REX that a legacy prefix follows is ignored by the CPU (SDM vol. 2A
 * 2.2.1) but still a byte of the instruction; so are several REX. */
TEST(insn_len_rex_among_prefixes)
{
    static const struct {
        const char *what;
        uint8_t len;
        uint8_t prefixes[6];
    } cases[] = {
        { "66 REX.W", 2, { 0x66, 0x48 } },
        { "REX.W 66 (REX ignored, counted)", 2, { 0x48, 0x66 } },
        { "REX.W REX.B", 2, { 0x48, 0x41 } },
        { "REX F3 REX.W", 3, { 0x40, 0xf3, 0x48 } },
        { "REX 2E 36 REX 3E REX.WRXB", 6, { 0x40, 0x2e, 0x36, 0x40, 0x3e, 0x4f } },
        { "64 REX.R 65 67", 4, { 0x64, 0x44, 0x65, 0x67 } },
        { "F0 REX.X", 2, { 0xf0, 0x42 } },
    };
    uint8_t buf[BUF_MAX];

    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
            size_t len = build(buf, cases[c].prefixes, cases[c].len, (enum insn_intercepted)w);

            EXPECT_INSN(cases[c].what, buf, len, 64, (enum insn_intercepted)w);
        }
    }
}

/* Outside 64-bit mode 40..4F are INC/DEC: a different instruction, alone
 * or after legacy prefixes, refused without a guess at its length. */
TEST(insn_len_rex_outside_64bit_mode)
{
    uint8_t buf[BUF_MAX], pre[2];

    for (unsigned m = 0; m < 2; m++) {
        unsigned bits = modes[m];

        for (unsigned rex = 0x40; rex <= 0x4f; rex++) {
            for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
                enum insn_intercepted which = (enum insn_intercepted)w;
                size_t len;

                pre[0] = (uint8_t)rex;
                len = build(buf, pre, 1, which);
                EXPECT("INC/DEC before the opcode", buf, len, bits, which, INSN_UNSUPPORTED, 0);
                /* The INC/DEC byte alone is already a mismatch. */
                EXPECT("INC/DEC alone", buf, 1, bits, which, INSN_UNSUPPORTED, 0);
                pre[0] = 0x66;
                pre[1] = (uint8_t)rex;
                len = build(buf, pre, 2, which);
                EXPECT("66 then INC/DEC", buf, len, bits, which, INSN_UNSUPPORTED, 0);
            }
        }
    }
}

/* ---- the 15-byte limit ------------------------------------------------------------------ */

/* n prefixes (cycling through legacy ones and, in 64-bit mode, REX) then
 * the opcode of which: OK up to 15 bytes, TOO_LONG beyond, also when the
 * buffer holds more bytes than the instruction. */
TEST(insn_len_fifteen_byte_limit)
{
    uint8_t prefixes[BUF_MAX], buf[BUF_MAX + 4];

    for (unsigned m = 0; m < MODE_COUNT; m++) {
        unsigned bits = modes[m];

        for (size_t i = 0; i < sizeof(prefixes); i++)
            prefixes[i] = (bits == 64 && i % 3 == 2) ? (uint8_t)(0x40 + i % 16)
                                                     : legacy_prefixes[i % LEGACY_COUNT];
        for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
            enum insn_intercepted which = (enum insn_intercepted)w;
            size_t fit = INSN_MAX_LENGTH - expected[w].len;

            for (size_t n = 0; n <= fit + 3; n++) {
                size_t len = build(buf, prefixes, n, which);

                if (n <= fit)
                    EXPECT_INSN("prefixes up to the limit", buf, len, bits, which);
                else
                    EXPECT("prefixes past the limit", buf, len, bits, which, INSN_TOO_LONG, 0);
            }
        }
    }
}

/* The cases the brief names, written out: 14 prefixes + a 2-byte opcode is
 * 16 bytes (TOO_LONG), 13 + 2 is exactly 15 (OK); and where the bytes run
 * out before the limit proves anything, TRUNCATED, not a guess. */
TEST(insn_len_fifteen_byte_limit_exact)
{
    uint8_t buf[BUF_MAX];
    uint8_t fourteen[14];
    size_t len;

    memset(fourteen, 0x66, sizeof(fourteen));
    len = build(buf, fourteen, 14, INSN_INTERCEPTED_CPUID);
    CHECK_EQ_U64(len, 16);
    EXPECT("14 prefixes + 0F A2", buf, len, 32, INSN_INTERCEPTED_CPUID, INSN_TOO_LONG, 0);
    /* The 16th byte is never needed: 15 bytes already prove it too long. */
    EXPECT("14 prefixes + 0F, 15 bytes", buf, 15, 32, INSN_INTERCEPTED_CPUID, INSN_TOO_LONG, 0);
    /* 14 bytes: the opcode is not seen yet, so nothing is proven. */
    EXPECT("14 prefixes only", buf, 14, 32, INSN_INTERCEPTED_CPUID, INSN_TRUNCATED, 0);
    /* A wrong 15th byte is a mismatch, whatever the length. */
    buf[14] = 0x90;
    EXPECT("14 prefixes + NOP", buf, 15, 32, INSN_INTERCEPTED_CPUID, INSN_UNSUPPORTED, 0);

    len = build(buf, fourteen, 13, INSN_INTERCEPTED_CPUID);
    CHECK_EQ_U64(len, 15);
    EXPECT_INSN("13 prefixes + 0F A2", buf, len, 32, INSN_INTERCEPTED_CPUID);

    len = build(buf, fourteen, 14, INSN_INTERCEPTED_HLT);
    CHECK_EQ_U64(len, 15);
    EXPECT_INSN("14 prefixes + F4", buf, len, 64, INSN_INTERCEPTED_HLT);

    len = build(buf, fourteen, 12, INSN_INTERCEPTED_VMMCALL);
    CHECK_EQ_U64(len, 15);
    EXPECT_INSN("12 prefixes + 0F 01 D9", buf, len, 64, INSN_INTERCEPTED_VMMCALL);
    len = build(buf, fourteen, 13, INSN_INTERCEPTED_VMMCALL);
    EXPECT("13 prefixes + 0F 01 D9", buf, len, 64, INSN_INTERCEPTED_VMMCALL, INSN_TOO_LONG, 0);

    /* Nothing but prefixes: too long at 15, however much more there is. */
    memset(buf, 0xf3, sizeof(buf));
    EXPECT("15 prefixes", buf, 15, 64, INSN_INTERCEPTED_HLT, INSN_TOO_LONG, 0);
    EXPECT("32 prefixes", buf, sizeof(buf), 64, INSN_INTERCEPTED_HLT, INSN_TOO_LONG, 0);
    memset(buf, 0x48, sizeof(buf));
    EXPECT("32 REX.W", buf, sizeof(buf), 64, INSN_INTERCEPTED_RDTSCP, INSN_TOO_LONG, 0);
}

/* ---- truncation ----------------------------------------------------------------------------- */

/* Every cut point of instructions with prefixes, REX and long opcodes
 * (EXPECT_INSN cuts each at every length; these are the mixed ones). */
TEST(insn_len_truncated_at_every_cut)
{
    static const uint8_t pre64[] = { 0x66, 0x40, 0xf3, 0x2e, 0x48 };
    static const uint8_t pre32[] = { 0xf2, 0x67, 0x65, 0x26 };
    uint8_t buf[BUF_MAX];

    for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
        enum insn_intercepted which = (enum insn_intercepted)w;
        size_t len = build(buf, pre64, sizeof(pre64), which);

        EXPECT_INSN("legacy and REX prefixes", buf, len, 64, which);
        len = build(buf, pre32, sizeof(pre32), which);
        EXPECT_INSN("legacy prefixes", buf, len, 32, which);
        EXPECT_INSN("legacy prefixes", buf, len, 16, which);
    }
}

/* ---- wrong opcodes ---------------------------------------------------------------------------- */

/* Each instruction's bytes asked for as any other instruction: refused,
 * with and without prefixes. */
TEST(insn_len_other_instruction_unsupported)
{
    static const uint8_t pre[] = { 0x3e, 0x66 };
    uint8_t buf[BUF_MAX];

    for (unsigned have = 0; have < INSN_INTERCEPTED_COUNT; have++) {
        for (unsigned want = 0; want < INSN_INTERCEPTED_COUNT; want++) {
            if (want == have)
                continue;
            for (unsigned m = 0; m < MODE_COUNT; m++) {
                size_t len = build(buf, NULL, 0, (enum insn_intercepted)have);

                EXPECT(expected[have].name, buf, len, modes[m], (enum insn_intercepted)want,
                       INSN_UNSUPPORTED, 0);
                len = build(buf, pre, sizeof(pre), (enum insn_intercepted)have);
                EXPECT(expected[have].name, buf, len, modes[m], (enum insn_intercepted)want,
                       INSN_UNSUPPORTED, 0);
            }
        }
    }
}

static bool is_prefix_in(uint8_t b, unsigned bits)
{
    for (unsigned i = 0; i < LEGACY_COUNT; i++)
        if (legacy_prefixes[i] == b)
            return true;
    return bits == 64 && b >= 0x40 && b <= 0x4f;
}

/* Every wrong byte at every opcode position is refused as soon as it is
 * seen: the buffer ends right after it, so a decoder that reported
 * TRUNCATED (or read on) would be caught. */
TEST(insn_len_every_wrong_opcode_byte)
{
    uint8_t buf[BUF_MAX];

    for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
        const struct expected_opcode *op = &expected[w];

        for (unsigned m = 0; m < MODE_COUNT; m++) {
            unsigned bits = modes[m];

            for (unsigned pos = 0; pos < op->len; pos++) {
                for (unsigned b = 0; b < 256; b++) {
                    if (b == op->code[pos])
                        continue;
                    /* A prefix at the first opcode position is a prefix. */
                    if (pos == 0 && is_prefix_in((uint8_t)b, bits))
                        continue;
                    memcpy(buf, op->code, pos);
                    buf[pos] = (uint8_t)b;
                    EXPECT("a wrong opcode byte", buf, pos + 1, bits, (enum insn_intercepted)w,
                           INSN_UNSUPPORTED, 0);
                }
            }
        }
    }
}

/* VEX (C4, C5), XOP (8F) and EVEX (62) forms: none of these instructions
 * has one, so they are refused, also after legacy prefixes (on the CPU a
 * VEX after 66/F2/F3/REX is #UD; here it is not the instruction either). */
TEST(insn_len_vex_unsupported)
{
    static const struct {
        const char *what;
        uint8_t len;
        uint8_t bytes[6];
    } cases[] = {
        { "C5 F8 A2 (two-byte VEX, map 0F)", 3, { 0xc5, 0xf8, 0xa2 } },
        { "C4 E1 78 A2 (three-byte VEX, map 0F)", 4, { 0xc4, 0xe1, 0x78, 0xa2 } },
        { "C4 E1 78 01 D9", 5, { 0xc4, 0xe1, 0x78, 0x01, 0xd9 } },
        { "C5 alone", 1, { 0xc5 } },
        { "C4 alone", 1, { 0xc4 } },
        { "66 C5 F8 A2", 4, { 0x66, 0xc5, 0xf8, 0xa2 } },
        { "F3 C4 E1 78 09", 5, { 0xf3, 0xc4, 0xe1, 0x78, 0x09 } },
        { "8F E8 78 A2 (XOP)", 4, { 0x8f, 0xe8, 0x78, 0xa2 } },
        { "62 F1 7C 48 A2 (EVEX)", 5, { 0x62, 0xf1, 0x7c, 0x48, 0xa2 } },
    };

    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
            for (unsigned m = 0; m < MODE_COUNT; m++) {
                EXPECT(cases[c].what, cases[c].bytes, cases[c].len, modes[m],
                       (enum insn_intercepted)w, INSN_UNSUPPORTED, 0);
            }
        }
    }
    /* REX then VEX in 64-bit mode (#UD on the CPU). */
    static const uint8_t rex_vex[] = { 0x48, 0xc5, 0xf8, 0xa2 };
    EXPECT("REX.W C5 F8 A2", rex_vex, sizeof(rex_vex), 64, INSN_INTERCEPTED_CPUID,
           INSN_UNSUPPORTED, 0);
}

/* ---- arguments ------------------------------------------------------------------------------------ */

/* A bad code size or instruction is refused before any byte is looked at:
 * with no bytes at all the answer is UNSUPPORTED, not TRUNCATED. */
TEST(insn_len_bad_code_bits_and_which)
{
    static const unsigned bad_bits[] = { 0, 1, 8, 15, 17, 31, 33, 48, 63, 65, 128, 0xffffffffu };
    uint8_t buf[BUF_MAX];

    for (size_t b = 0; b < sizeof(bad_bits) / sizeof(bad_bits[0]); b++) {
        for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
            size_t len = build(buf, NULL, 0, (enum insn_intercepted)w);

            EXPECT("bad code_bits", buf, len, bad_bits[b], (enum insn_intercepted)w,
                   INSN_UNSUPPORTED, 0);
            EXPECT("bad code_bits, no bytes", buf, 0, bad_bits[b], (enum insn_intercepted)w,
                   INSN_UNSUPPORTED, 0);
        }
    }
    static const int bad_which[] = { INSN_INTERCEPTED_COUNT, INSN_INTERCEPTED_COUNT + 1, 255,
                                     -1, 0x7fffffff };
    /* Bytes that are some instruction, so only `which` can be wrong. */
    size_t len = build(buf, NULL, 0, INSN_INTERCEPTED_CPUID);
    for (size_t i = 0; i < sizeof(bad_which) / sizeof(bad_which[0]); i++) {
        for (unsigned m = 0; m < MODE_COUNT; m++) {
            EXPECT("bad which", buf, len, modes[m], (enum insn_intercepted)bad_which[i],
                   INSN_UNSUPPORTED, 0);
            EXPECT("bad which, no bytes", buf, 0, modes[m], (enum insn_intercepted)bad_which[i],
                   INSN_UNSUPPORTED, 0);
        }
    }
}

/* ---- a model and random bytes ---------------------------------------------------------------------- */

/* The contract of insn_length.h written as plainly as possible: count the
 * leading prefixes the bytes show, then compare the opcode. */
static enum insn_status model(const uint8_t *bytes, size_t len, unsigned bits,
                              enum insn_intercepted which, unsigned *length)
{
    const struct expected_opcode *op = &expected[which];
    size_t seen = len < INSN_MAX_LENGTH ? len : INSN_MAX_LENGTH;
    size_t n = 0;

    *length = 0;
    while (n < seen && is_prefix_in(bytes[n], bits))
        n++;
    if (n == INSN_MAX_LENGTH)
        return INSN_TOO_LONG;
    for (size_t i = 0; i < op->len; i++) {
        if (n + i >= INSN_MAX_LENGTH)
            return INSN_TOO_LONG;
        if (n + i >= len)
            return INSN_TRUNCATED;
        if (bytes[n + i] != op->code[i])
            return INSN_UNSUPPORTED;
    }
    *length = (unsigned)(n + op->len);
    return INSN_OK;
}

static uint64_t prng(uint64_t *state)
{
    /* xorshift64*: reproducible, and good enough to mix bytes. */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545f4914f6cdd1dull;
}

/* Random byte strings drawn mostly from prefixes and opcode bytes, every
 * length up to BUF_MAX: the decoder agrees with the model and reads only
 * what it was given (ASan). */
TEST(insn_len_random_against_model)
{
    static const uint8_t likely[] = { 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26,
                                      0x64, 0x65, 0x40, 0x48, 0x4f, 0x41, 0x0f, 0x0f, 0x01,
                                      0x01, 0xa2, 0x32, 0x30, 0x31, 0x33, 0x08, 0x09, 0xf4,
                                      0xf1, 0xc1, 0xc8, 0xc9, 0xd1, 0xd8, 0xd9, 0xda, 0xdb,
                                      0xdc, 0xdd, 0xde, 0xdf, 0xf9, 0xc4, 0xc5 };
    uint64_t state = 0x6b657374726c3134ull;
    unsigned ok = 0;

    for (unsigned round = 0; round < 200000; round++) {
        uint8_t buf[BUF_MAX];
        unsigned bits = modes[round % MODE_COUNT];
        enum insn_intercepted which = (enum insn_intercepted)(prng(&state) % INSN_INTERCEPTED_COUNT);
        size_t len = (size_t)(prng(&state) % (BUF_MAX + 1));
        unsigned got, want_len;
        enum insn_status st, want;

        for (size_t i = 0; i < sizeof(buf); i++) {
            uint64_t r = prng(&state);

            buf[i] = (r & 7) ? likely[(r >> 8) % sizeof(likely)] : (uint8_t)(r >> 16);
        }
        /* Often enough a real instruction: plant the expected opcode after
         * the prefixes that happen to be there. */
        if (prng(&state) % 2) {
            size_t n = 0;

            while (n < sizeof(buf) && is_prefix_in(buf[n], bits))
                n++;
            for (size_t i = 0; i < expected[which].len && n + i < sizeof(buf); i++)
                buf[n + i] = expected[which].code[i];
        }
        st = decode_exact(unit_ctx_, buf, len, bits, which, &got);
        CHECK_PASSING();
        want = model(buf, len, bits, which, &want_len);
        if (st != want || got != want_len) {
            unit_fail(unit_ctx_, __FILE__, __LINE__,
                      "round %u: %s %u-bit len %zu: got %s/%u, model %s/%u", round,
                      insn_intercepted_name(which), bits, len, insn_status_name(st), got,
                      insn_status_name(want), want_len);
            return;
        }
        ok += st == INSN_OK;
    }
    /* The planting must have produced real instructions, or the test
     * proved only refusals. */
    CHECK(ok > 10000);
}

/* ---- names ---------------------------------------------------------------------------------------- */

TEST(insn_len_names)
{
    for (unsigned w = 0; w < INSN_INTERCEPTED_COUNT; w++) {
        const char *name = insn_intercepted_name((enum insn_intercepted)w);

        CHECK_STR(name, expected[w].name);
        for (unsigned v = 0; v < w; v++)
            CHECK(strcmp(name, insn_intercepted_name((enum insn_intercepted)v)) != 0);
    }
    CHECK_STR(insn_intercepted_name(INSN_INTERCEPTED_COUNT), "unknown");
    CHECK_STR(insn_intercepted_name((enum insn_intercepted)(INSN_INTERCEPTED_COUNT + 7)),
              "unknown");
    CHECK_STR(insn_intercepted_name((enum insn_intercepted)-1), "unknown");
}

TEST_SUITE(insn_length,
    UNIT(insn_len_every_instruction_bare),
    UNIT(insn_len_wbnoinvd_and_vmgexit),
    UNIT(insn_len_each_legacy_prefix),
    UNIT(insn_len_prefix_orders),
    UNIT(insn_len_rex_before_opcode),
    UNIT(insn_len_rex_among_prefixes),
    UNIT(insn_len_rex_outside_64bit_mode),
    UNIT(insn_len_fifteen_byte_limit),
    UNIT(insn_len_fifteen_byte_limit_exact),
    UNIT(insn_len_truncated_at_every_cut),
    UNIT(insn_len_other_instruction_unsupported),
    UNIT(insn_len_every_wrong_opcode_byte),
    UNIT(insn_len_vex_unsupported),
    UNIT(insn_len_bad_code_bits_and_which),
    UNIT(insn_len_random_against_model),
    UNIT(insn_len_names),
);
