/* Unit tests for svm/svm_bitmaps.c: the MSRPM and IOPM layouts of AMD APM
 * vol. 2 15.11 and 15.10.1, bit by bit at every range edge. */
#include "test.h"

#include <stdlib.h>

#include "svm/svm_bitmaps.h"
#include "core/msr_policy.h"

/* ---- MSRPM ----------------------------------------------------------------------- */

static bool bit_of(const uint8_t *map, size_t byte, unsigned bit)
{
    return (map[byte] >> bit) & 1u;
}

static bool intercept_all(uint32_t msr, bool write, void *ctx)
{
    (void)msr, (void)write, (void)ctx;
    return true;
}

static bool intercept_none(uint32_t msr, bool write, void *ctx)
{
    (void)msr, (void)write, (void)ctx;
    return false;
}

/* A mixed policy both the build and the check can compute. */
static bool scrambled(uint32_t msr, bool write)
{
    uint32_t h = (msr ^ (write ? 0x9e3779b9u : 0)) * 2654435761u;

    return (h >> 29) & 1u;
}

struct call_log {
    unsigned calls;
    unsigned bad_msr;           /* calls for an MSR outside the ranges */
    uint8_t seen[3][0x2000];    /* per range and MSR: bit 0 read asked, bit 1 write asked */
};

static int range_of(uint32_t msr)
{
    if (msr <= 0x1fff)
        return 0;
    if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
        return 1;
    if (msr >= 0xc0010000u && msr <= 0xc0011fffu)
        return 2;
    return -1;
}

static bool logged_scrambled(uint32_t msr, bool write, void *ctx)
{
    struct call_log *log = ctx;
    int r = range_of(msr);

    log->calls++;
    if (r < 0)
        log->bad_msr++;
    else
        log->seen[r][msr & 0x1fff] |= (uint8_t)(write ? 2 : 1);
    return scrambled(msr, write);
}

/* The byte and bit of each range edge, from APM 15.11's table. */
TEST(svm_bitmaps_msrpm_edges)
{
    static const struct {
        uint32_t msr;
        size_t byte;
        unsigned read_bit;
    } edges[] = {
        { 0x00000000u, 0x0000, 0 }, { 0x00000001u, 0x0000, 2 }, { 0x00000003u, 0x0000, 6 },
        { 0x00000004u, 0x0001, 0 }, { 0x00000010u, 0x0004, 0 }, { 0x000001a0u, 0x0068, 0 },
        { 0x00001ffeu, 0x07ff, 4 }, { 0x00001fffu, 0x07ff, 6 },
        { 0xc0000000u, 0x0800, 0 }, { 0xc0000080u, 0x0820, 0 }, { 0xc0000102u, 0x0840, 4 },
        { 0xc0001fffu, 0x0fff, 6 },
        { 0xc0010000u, 0x1000, 0 }, { 0xc0010114u, 0x1045, 0 }, { 0xc0010117u, 0x1045, 6 },
        { 0xc0011fffu, 0x17ff, 6 },
    };
    uint8_t *map = malloc(SVM_MSRPM_SIZE);

    CHECK(map != NULL);
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        for (unsigned write = 0; write < 2; write++) {
            unsigned bit = edges[i].read_bit + write;

            memset(map, 0, SVM_MSRPM_SIZE);
            if (!svm_msrpm_set(map, edges[i].msr, write, true) ||
                !bit_of(map, edges[i].byte, bit)) {
                unit_fail(unit_ctx_, __FILE__, __LINE__, "msr 0x%x %s: not byte 0x%zx bit %u",
                          edges[i].msr, write ? "write" : "read", edges[i].byte, bit);
                free(map);
                return;
            }
            /* Exactly one bit set in the whole map. */
            unsigned ones = 0;
            for (size_t b = 0; b < SVM_MSRPM_SIZE; b++)
                ones += (unsigned)__builtin_popcount(map[b]);
            if (ones != 1 || !svm_msrpm_exits(map, edges[i].msr, write) ||
                svm_msrpm_exits(map, edges[i].msr, !write)) {
                unit_fail(unit_ctx_, __FILE__, __LINE__, "msr 0x%x: %u bits", edges[i].msr, ones);
                free(map);
                return;
            }
            svm_msrpm_set(map, edges[i].msr, write, false);
            if (svm_msrpm_exits(map, edges[i].msr, write) || bit_of(map, edges[i].byte, bit)) {
                unit_fail(unit_ctx_, __FILE__, __LINE__, "msr 0x%x not cleared", edges[i].msr);
                free(map);
                return;
            }
        }
    }
    free(map);
}

/* MSRs outside the three ranges always exit and cannot be set. */
TEST(svm_bitmaps_msrpm_outside)
{
    static const uint32_t outside[] = {
        0x00002000u, 0x00002001u, 0x40000000u, 0xbfffffffu, 0xc0002000u, 0xc000ffffu,
        0xc0012000u, 0xc0020000u, 0xc0100000u, 0xffffffffu,
    };
    uint8_t *map = malloc(SVM_MSRPM_SIZE);

    CHECK(map != NULL);
    svm_msrpm_build(map, intercept_none, NULL);
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        if (!svm_msrpm_exits(map, outside[i], false) || !svm_msrpm_exits(map, outside[i], true) ||
            svm_msrpm_set(map, outside[i], true, true)) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "msr 0x%x", outside[i]);
            free(map);
            return;
        }
    }
    /* Nothing was written by the refused sets. */
    for (size_t b = 0; b < SVM_MSRPM_SIZE; b++) {
        if (map[b] != 0) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "byte 0x%zx = 0x%x", b, map[b]);
            free(map);
            return;
        }
    }
    /* The last MSR of each range does not exit, the next one does. */
    CHECK(!svm_msrpm_exits(map, 0x1fff, true) && svm_msrpm_exits(map, 0x2000, true));
    CHECK(!svm_msrpm_exits(map, 0xc0000000u, false) && svm_msrpm_exits(map, 0xbfffffffu, false));
    CHECK(!svm_msrpm_exits(map, 0xc0001fffu, true) && svm_msrpm_exits(map, 0xc0002000u, true));
    CHECK(!svm_msrpm_exits(map, 0xc0010000u, false) && svm_msrpm_exits(map, 0xc000ffffu, false));
    CHECK(!svm_msrpm_exits(map, 0xc0011fffu, true) && svm_msrpm_exits(map, 0xc0012000u, true));
    free(map);
}

/* build() asks once per MSR and direction of each range, never outside, and
 * the map then answers exactly as the policy did; reserved bytes are zero
 * even if the page was dirty. */
TEST(svm_bitmaps_msrpm_build)
{
    uint8_t *map = malloc(SVM_MSRPM_SIZE);
    struct call_log *log = calloc(1, sizeof(*log));
    static const uint32_t firsts[3] = { 0x00000000u, 0xc0000000u, 0xc0010000u };

    CHECK(map != NULL && log != NULL);
    memset(map, 0xff, SVM_MSRPM_SIZE);
    svm_msrpm_build(map, logged_scrambled, log);
    CHECK_EQ_U64(log->calls, 3 * 0x2000 * 2);
    CHECK_EQ_U64(log->bad_msr, 0);
    for (unsigned r = 0; r < 3; r++) {
        for (uint32_t i = 0; i < 0x2000; i++) {
            uint32_t msr = firsts[r] + i;

            if (log->seen[r][i] != 3 || svm_msrpm_exits(map, msr, false) != scrambled(msr, false) ||
                svm_msrpm_exits(map, msr, true) != scrambled(msr, true)) {
                unit_fail(unit_ctx_, __FILE__, __LINE__, "msr 0x%x", msr);
                free(map);
                free(log);
                return;
            }
        }
    }
    for (size_t b = 0x1800; b < SVM_MSRPM_SIZE; b++) {
        if (map[b] != 0) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "reserved byte 0x%zx = 0x%x", b, map[b]);
            free(map);
            free(log);
            return;
        }
    }
    /* Everything intercepted: the used bytes all ones, the reserved zero. */
    svm_msrpm_build(map, intercept_all, NULL);
    for (size_t b = 0; b < SVM_MSRPM_SIZE; b++)
        CHECK_EQ_U64(map[b], b < 0x1800 ? 0xff : 0);
    free(map);
    free(log);
}

/* ---- IOPM ------------------------------------------------------------------------ */

static uint8_t *fresh_iopm(void)
{
    uint8_t *iopm = malloc(SVM_IOPM_SIZE);

    if (iopm != NULL) {
        memset(iopm, 0xa5, SVM_IOPM_SIZE);
        svm_iopm_clear(iopm);
    }
    return iopm;
}

TEST(svm_bitmaps_iopm_layout)
{
    uint8_t *iopm = fresh_iopm();

    CHECK(iopm != NULL);
    for (size_t b = 0; b < SVM_IOPM_SIZE; b++)
        CHECK_EQ_U64(iopm[b], 0);
    svm_iopm_intercept(iopm, 0x3f8);            /* byte 0x7f, bit 0 */
    svm_iopm_intercept(iopm, 0x61);             /* byte 0x0c, bit 1 */
    svm_iopm_intercept(iopm, 0xffff);           /* byte 0x1fff, bit 7 */
    svm_iopm_intercept(iopm, 0x0001);           /* byte 0, bit 1, and the wrap bit 0x10001 */
    CHECK_EQ_U64(iopm[0x7f], 0x01);
    CHECK_EQ_U64(iopm[0x0c], 0x02);
    CHECK_EQ_U64(iopm[0x1fff], 0x80);
    CHECK_EQ_U64(iopm[0x0000], 0x02);
    CHECK_EQ_U64(iopm[0x2000], 0x02);
    unsigned ones = 0;
    for (size_t b = 0; b < SVM_IOPM_SIZE; b++)
        ones += (unsigned)__builtin_popcount(iopm[b]);
    CHECK_EQ_U64(ones, 5);
    free(iopm);
}

TEST(svm_bitmaps_iopm_sizes)
{
    uint8_t *iopm = fresh_iopm();

    CHECK(iopm != NULL);
    svm_iopm_intercept(iopm, 0x3f8);
    CHECK(svm_iopm_exits(iopm, 0x3f8, 1));
    CHECK(svm_iopm_exits(iopm, 0x3f8, 2));
    CHECK(svm_iopm_exits(iopm, 0x3f8, 4));
    CHECK(!svm_iopm_exits(iopm, 0x3f7, 1));
    CHECK(svm_iopm_exits(iopm, 0x3f7, 2));      /* 0x3f7..0x3f8 spans the set bit */
    CHECK(svm_iopm_exits(iopm, 0x3f5, 4));      /* 0x3f5..0x3f8 */
    CHECK(!svm_iopm_exits(iopm, 0x3f4, 4));     /* 0x3f4..0x3f7 */
    CHECK(!svm_iopm_exits(iopm, 0x3f9, 4));
    CHECK(!svm_iopm_exits(iopm, 0x3f6, 2));
    /* Sizes the CPU never uses: exit. */
    CHECK(svm_iopm_exits(iopm, 0x80, 0));
    CHECK(svm_iopm_exits(iopm, 0x80, 3));
    CHECK(svm_iopm_exits(iopm, 0x80, 8));
    CHECK(svm_iopm_exits(iopm, 0x80, ~0u));
    free(iopm);
}

TEST(svm_bitmaps_iopm_wrap)
{
    uint8_t *iopm = fresh_iopm();

    CHECK(iopm != NULL);
    /* Nothing intercepted: port 0xFFFF with size 4 passes. */
    CHECK(!svm_iopm_exits(iopm, 0xffff, 4));
    /* Port 2 intercepted: an access at 0xFFFF of 4 bytes reaches it. */
    svm_iopm_intercept(iopm, 0x0002);
    CHECK(svm_iopm_exits(iopm, 0xffff, 4));
    CHECK(!svm_iopm_exits(iopm, 0xffff, 2));    /* 0xFFFF, 0x0000 */
    CHECK(!svm_iopm_exits(iopm, 0xfffe, 2));
    CHECK(svm_iopm_exits(iopm, 0xfffe, 4) == false);  /* 0xFFFE..0x0001 */
    CHECK(svm_iopm_exits(iopm, 0x0002, 1));
    free(iopm);

    iopm = fresh_iopm();
    CHECK(iopm != NULL);
    svm_iopm_intercept(iopm, 0xffff);
    CHECK(svm_iopm_exits(iopm, 0xffff, 1));
    CHECK(svm_iopm_exits(iopm, 0xffff, 4));
    CHECK(svm_iopm_exits(iopm, 0xfffe, 2));
    CHECK(svm_iopm_exits(iopm, 0xfffc, 4));
    CHECK(!svm_iopm_exits(iopm, 0xfffb, 4));
    CHECK(!svm_iopm_exits(iopm, 0x0000, 4));
    free(iopm);
}

/* For a single intercepted port at a few places (the wrap edges included),
 * every port and size exits exactly when the access, wrapping at 0x10000,
 * touches it. */
TEST(svm_bitmaps_iopm_sweep)
{
    static const uint16_t targets[] = { 0, 1, 2, 3, 0x3f8, 0xcf8, 0xfffc, 0xfffd, 0xfffe, 0xffff };
    static const unsigned sizes[] = { 1, 2, 4 };

    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        uint8_t *iopm = fresh_iopm();

        CHECK(iopm != NULL);
        svm_iopm_intercept(iopm, targets[t]);
        for (uint32_t port = 0; port <= 0xffff; port++) {
            for (size_t s = 0; s < 3; s++) {
                bool touches = false;

                for (unsigned k = 0; k < sizes[s]; k++)
                    touches |= ((port + k) & 0xffff) == targets[t];
                if (svm_iopm_exits(iopm, (uint16_t)port, sizes[s]) != touches) {
                    unit_fail(unit_ctx_, __FILE__, __LINE__, "target 0x%x port 0x%x size %u",
                              targets[t], port, sizes[s]);
                    free(iopm);
                    return;
                }
            }
        }
        free(iopm);
    }
}

static bool policy_exits(uint32_t msr, bool write, void *ctx)
{
    (void)ctx;
    return msr_policy_exits(msr, write, MSR_BACKEND_SVM);
}

/* The SVM map built from the policy rows: what the rows make native stays
 * native, EFER (the VMCB's copy) and every unlisted MSR exit, in all three
 * ranges. */
TEST(svm_bitmaps_msrpm_from_policy)
{
    static uint8_t map[SVM_MSRPM_SIZE];
    svm_msrpm_build(map, policy_exits, NULL);
    CHECK(svm_msrpm_exits(map, 0xc0000080u, false));        /* EFER */
    CHECK(svm_msrpm_exits(map, 0xc0000080u, true));
    CHECK(!svm_msrpm_exits(map, 0xc0000100u, false));       /* FS_BASE: VMLOAD/VMSAVE */
    CHECK(!svm_msrpm_exits(map, 0xc0000102u, true));        /* KERNEL_GS_BASE */
    CHECK(!svm_msrpm_exits(map, 0x277, true));              /* PAT: G_PAT */
    CHECK(svm_msrpm_exits(map, 0x1d9, true));               /* DEBUGCTL: the VMCB's copy */
    CHECK(svm_msrpm_exits(map, 0x830, true));               /* x2APIC ICR: mediated */
    CHECK(!svm_msrpm_exits(map, 0xc0010010u, false));       /* SYSCFG readable */
    CHECK(svm_msrpm_exits(map, 0xc0010010u, true));
    CHECK(svm_msrpm_exits(map, 0xc0010114u, false));        /* VM_CR emulated */
    CHECK(svm_msrpm_exits(map, 0xc0010117u, true));         /* VM_HSAVE_PA refused */
    CHECK(svm_msrpm_exits(map, 0xc0011fffu, false));        /* unlisted */
    CHECK(svm_msrpm_exits(map, 0x3a, false));
    for (uint32_t msr = 0; msr < 0x2000; msr++) {
        if (svm_msrpm_exits(map, msr, false) != msr_policy_exits(msr, false, MSR_BACKEND_SVM) ||
            svm_msrpm_exits(map, msr, true) != msr_policy_exits(msr, true, MSR_BACKEND_SVM)) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "MSR 0x%x: map and policy differ", msr);
            return;
        }
    }
}

TEST_SUITE(svm_bitmaps,
           UNIT(svm_bitmaps_msrpm_from_policy),
           UNIT(svm_bitmaps_msrpm_edges),
           UNIT(svm_bitmaps_msrpm_outside),
           UNIT(svm_bitmaps_msrpm_build),
           UNIT(svm_bitmaps_iopm_layout),
           UNIT(svm_bitmaps_iopm_sizes),
           UNIT(svm_bitmaps_iopm_wrap),
           UNIT(svm_bitmaps_iopm_sweep));
