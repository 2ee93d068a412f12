/*
 * xcr0/<rule>: XSETBV values the SDM forbids (vol. 1 13.3, "Enabling the
 * XSAVE feature set and XSAVE-enabled features"; vol. 2B XSETBV), one case
 * per rule, each raising #GP(0) with XCR0 unchanged:
 *   x87-clear           bit 0 (x87) clear
 *   avx-without-sse     AVX (bit 2) without SSE (bit 1)
 *   mpx-one-of-two      BNDREGS (3) without BNDCSR (4)
 *   avx512-partial      opmask (5) without ZMM_Hi256 and Hi16_ZMM (6, 7)
 *   avx512-without-avx  all of AVX-512 (5-7) without AVX
 *   amx-one-of-two      XTILECFG (17) without XTILEDATA (18)
 *   unsupported-bit     a bit CPUID.(EAX=0DH,ECX=0) does not report
 *   ecx-nonzero         XSETBV to XCR1 (ECX = 1): only XCR0 exists for it
 * XSETBV always exits; Kestrel judges the value (core/xcr0.c) with the bits
 * it reports to the guest.  A rule is tried only where it is the one rule
 * the value breaks: its components must be reported (else the value would
 * be refused as unsupported, proving nothing about the rule), otherwise the
 * case is skipped with the reason.  Each case first writes the current
 * value back, which must succeed: a Kestrel that refused every XSETBV
 * would pass the cases for nothing.  CR4.OSXSAVE is the guest's to set.
 */
#include "guest/common/probe.h"
#include "guest/common/trap.h"
#include "guest/hostile/hostile.h"
#include "kernel/control_regs.h"
#include "kernel/cpu_features.h"
#include "kernel/x86.h"

#define CPUID_1_ECX_XSAVE  (1u << 26)
#define CPUID_LEAF_XSAVE   0xdu
#define XCR_XCR0           0u
#define XCR_XCR1           1u
#define XCR0_LAST_BIT      62         /* bit 63 is reserved for extending XCR0 */
/* Bits the pairing rules cover: not usable as the "unsupported" one. */
#define XCR0_RULE_BITS     (XCR0_MPX | XCR0_AVX512 | XCR0_AMX)

static struct fault probe_xsetbv(struct fault_probe *p, uint32_t xcr, uint64_t value)
{
    uint64_t tmp;

    probe_begin(p);
    __asm__ volatile(PROBE_ARM "xsetbv" PROBE_DONE
                     : PROBE_OUTPUTS(p, tmp)
                     : "c"(xcr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "memory");
    return probe_end(p);
}

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;

    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(XCR_XCR0));
    return ((uint64_t)hi << 32) | lo;
}

/* XSAVE enabled (CR4.OSXSAVE) and the control write done: false, with the
 * outcome set, when the cases cannot be tried.  *supported: the XCR0 bits
 * Kestrel reports; *current: XCR0 now. */
static bool xsave_ready(struct outcome *o, uint64_t *supported, uint64_t *current)
{
    if (!(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_XSAVE)) {
        skipped(o, "CPUID.1:ECX.XSAVE is clear: no XSETBV");
        return false;
    }
    uint64_t cr4 = read_cr4();
    if (!(cr4 & CR4_OSXSAVE))
        write_cr4(cr4 | CR4_OSXSAVE);
    struct cpuid_regs leaf = cpuid(CPUID_LEAF_XSAVE, 0);
    *supported = ((uint64_t)leaf.edx << 32) | leaf.eax;
    *current = xgetbv0();
    struct fault f = probe_xsetbv(this_probe(), XCR_XCR0, *current);
    if (f.vector != FAULT_NONE) {
        not_refused(o, "untested: XSETBV of the current XCR0 0x%lx raised %s (vector %d)",
                    *current, fault_name(f.vector), f.vector);
        return false;
    }
    return true;
}

/* XSETBV(xcr, value) must raise #GP(0) and leave XCR0 as it was. */
static void expect_xsetbv_refused(struct outcome *o, uint32_t xcr, uint64_t value,
                                  uint64_t current)
{
    struct fault f = probe_xsetbv(this_probe(), xcr, value);
    uint64_t after = xgetbv0();

    if (after != current) {
        probe_xsetbv(this_probe(), XCR_XCR0, current);   /* accepted: put it back */
        not_refused(o, "XCR0 reads 0x%lx after XSETBV xcr%u = 0x%lx, was 0x%lx", after, xcr,
                    value, current);
        return;
    }
    expect_refusal(o, f, VEC_GP, "XSETBV");
}

static bool has_all(uint64_t supported, uint64_t bits)
{
    return (supported & bits) == bits;
}

void case_xcr0_x87_clear(struct outcome *o)
{
    uint64_t supported, current;

    if (xsave_ready(o, &supported, &current))
        expect_xsetbv_refused(o, XCR_XCR0, current & ~XCR0_X87, current);
}

void case_xcr0_avx_without_sse(struct outcome *o)
{
    uint64_t supported, current;

    if (!xsave_ready(o, &supported, &current))
        return;
    if (!has_all(supported, XCR0_AVX)) {
        skipped(o, "AVX state is not reported: the rule cannot be isolated");
        return;
    }
    expect_xsetbv_refused(o, XCR_XCR0, XCR0_X87 | XCR0_AVX, current);
}

void case_xcr0_mpx_one_of_two(struct outcome *o)
{
    uint64_t supported, current;

    if (!xsave_ready(o, &supported, &current))
        return;
    if (!has_all(supported, XCR0_MPX)) {
        skipped(o, "MPX state is not reported (Kestrel hides MPX): the rule cannot be isolated");
        return;
    }
    expect_xsetbv_refused(o, XCR_XCR0, (current & ~XCR0_MPX) | XCR0_BNDREGS, current);
}

void case_xcr0_avx512_partial(struct outcome *o)
{
    uint64_t supported, current;
    const uint64_t base = XCR0_X87 | XCR0_SSE | XCR0_AVX;

    if (!xsave_ready(o, &supported, &current))
        return;
    if (!has_all(supported, base | XCR0_AVX512)) {
        skipped(o, "AVX-512 state is not reported: the rule cannot be isolated");
        return;
    }
    expect_xsetbv_refused(o, XCR_XCR0, base | XCR0_OPMASK, current);
}

void case_xcr0_avx512_without_avx(struct outcome *o)
{
    uint64_t supported, current;
    const uint64_t base = XCR0_X87 | XCR0_SSE;

    if (!xsave_ready(o, &supported, &current))
        return;
    if (!has_all(supported, base | XCR0_AVX | XCR0_AVX512)) {
        skipped(o, "AVX-512 state is not reported: the rule cannot be isolated");
        return;
    }
    expect_xsetbv_refused(o, XCR_XCR0, base | XCR0_AVX512, current);
}

void case_xcr0_amx_one_of_two(struct outcome *o)
{
    uint64_t supported, current;

    if (!xsave_ready(o, &supported, &current))
        return;
    if (!has_all(supported, XCR0_AMX)) {
        skipped(o, "AMX state is not reported: the rule cannot be isolated");
        return;
    }
    expect_xsetbv_refused(o, XCR_XCR0, (current & ~XCR0_AMX) | XCR0_XTILECFG, current);
}

void case_xcr0_unsupported_bit(struct outcome *o)
{
    uint64_t supported, current;

    if (!xsave_ready(o, &supported, &current))
        return;
    for (unsigned bit = 1; bit <= XCR0_LAST_BIT; bit++) {
        uint64_t b = 1ull << bit;
        if (!(supported & b) && !(b & XCR0_RULE_BITS)) {
            expect_xsetbv_refused(o, XCR_XCR0, current | b, current);
            return;
        }
    }
    skipped(o, "CPUID.(0DH,0) reports every XCR0 bit");
}

void case_xcr0_ecx_nonzero(struct outcome *o)
{
    uint64_t supported, current;

    if (xsave_ready(o, &supported, &current))
        expect_xsetbv_refused(o, XCR_XCR1, current, current);
}
