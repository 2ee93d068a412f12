/* Unit tests for core/xcr0.c: every rule of XSETBV's #GP(0) conditions. */
#include "test.h"

#include "core/xcr0.h"

/* A CPU with x87, SSE, AVX, MPX, AVX-512, PKRU and AMX. */
#define ALL_SUPPORTED (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_MPX | XCR0_AVX512 | XCR0_PKRU | \
                       XCR0_AMX)

static bool ok(uint64_t value, uint64_t supported)
{
    return xcr0_problem(value, supported) == NULL;
}

TEST(xcr0_valid_values)
{
    CHECK(ok(XCR0_X87, ALL_SUPPORTED));
    CHECK(ok(XCR0_X87 | XCR0_SSE, ALL_SUPPORTED));
    CHECK(ok(XCR0_X87 | XCR0_SSE | XCR0_AVX, ALL_SUPPORTED));
    CHECK(ok(XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512, ALL_SUPPORTED));
    CHECK(ok(XCR0_X87 | XCR0_MPX, ALL_SUPPORTED));
    CHECK(ok(XCR0_X87 | XCR0_PKRU, ALL_SUPPORTED));
    CHECK(ok(XCR0_X87 | XCR0_AMX, ALL_SUPPORTED));
    CHECK(ok(ALL_SUPPORTED, ALL_SUPPORTED));
}

TEST(xcr0_x87_must_be_set)
{
    CHECK_STR(xcr0_problem(0, ALL_SUPPORTED), "XCR0 bit 0 (x87) must be set");
    CHECK_STR(xcr0_problem(XCR0_SSE, ALL_SUPPORTED), "XCR0 bit 0 (x87) must be set");
    CHECK(!ok(ALL_SUPPORTED & ~XCR0_X87, ALL_SUPPORTED));
}

TEST(xcr0_avx_needs_sse)
{
    CHECK_STR(xcr0_problem(XCR0_X87 | XCR0_AVX, ALL_SUPPORTED),
              "AVX state (bit 2) needs SSE state (bit 1)");
}

TEST(xcr0_mpx_together)
{
    CHECK(!ok(XCR0_X87 | XCR0_BNDREGS, ALL_SUPPORTED));
    CHECK(!ok(XCR0_X87 | XCR0_BNDCSR, ALL_SUPPORTED));
}

TEST(xcr0_avx512_all_or_none_and_with_avx)
{
    /* Every partial AVX-512 combination (the one the hostile guest found). */
    for (uint64_t sub = 1; sub < 7; sub++) {
        uint64_t bits = sub << 5;
        CHECK(!ok(XCR0_X87 | XCR0_SSE | XCR0_AVX | bits, ALL_SUPPORTED));
    }
    CHECK_STR(xcr0_problem(XCR0_X87 | XCR0_SSE | XCR0_AVX512, ALL_SUPPORTED),
              "AVX-512 state (bits 5-7) needs AVX state (bit 2)");
    CHECK(!ok(XCR0_X87 | XCR0_AVX512, ALL_SUPPORTED));
}

TEST(xcr0_amx_together)
{
    CHECK(!ok(XCR0_X87 | XCR0_XTILECFG, ALL_SUPPORTED));
    CHECK(!ok(XCR0_X87 | XCR0_XTILEDATA, ALL_SUPPORTED));
}

TEST(xcr0_only_supported_bits)
{
    /* Supervisor-only components (PT 8, CET 11-12, ...) and reserved bits
     * are never reported in CPUID.(0DH,0):EDX:EAX. */
    for (unsigned bit = 0; bit < 64; bit++) {
        uint64_t v = XCR0_X87 | (1ull << bit);
        bool supported = (ALL_SUPPORTED >> bit) & 1;
        if (!supported)
            CHECK_STR(xcr0_problem(v, ALL_SUPPORTED),
                      "XCR0 sets a state component CPUID.(0DH,0) does not report");
    }
    /* What the guest is shown counts: MPX hidden makes MPX state invalid. */
    CHECK(!ok(XCR0_X87 | XCR0_MPX, ALL_SUPPORTED & ~XCR0_MPX));
    CHECK(!ok(XCR0_X87 | XCR0_SSE, XCR0_X87));
}

TEST(xcr0_sweep_matches_rules)
{
    /* Every value of the low 19 bits against an independent statement of
     * the rules. */
    for (uint64_t v = 0; v < (1u << 19); v++) {
        bool want = (v & XCR0_X87) && !(v & ~ALL_SUPPORTED) &&
                    (!(v & XCR0_AVX) || (v & XCR0_SSE)) &&
                    ((v & XCR0_MPX) == 0 || (v & XCR0_MPX) == XCR0_MPX) &&
                    ((v & XCR0_AVX512) == 0 ||
                     ((v & XCR0_AVX512) == XCR0_AVX512 && (v & XCR0_AVX))) &&
                    ((v & XCR0_AMX) == 0 || (v & XCR0_AMX) == XCR0_AMX);
        if (ok(v, ALL_SUPPORTED) != want) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "XCR0 %#llx: got %d", (unsigned long long)v,
                      !want);
            return;
        }
    }
}

TEST_SUITE(xcr0, UNIT(xcr0_valid_values), UNIT(xcr0_x87_must_be_set), UNIT(xcr0_avx_needs_sse),
           UNIT(xcr0_mpx_together), UNIT(xcr0_avx512_all_or_none_and_with_avx),
           UNIT(xcr0_amx_together), UNIT(xcr0_only_supported_bits), UNIT(xcr0_sweep_matches_rules));
