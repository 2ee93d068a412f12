/* Unit tests for vmx/caps.c with the capability MSRs Bochs 3.0 reports
 * (../shared/notes/emulators.md §4, measured inside OVMF on corei7_skylake_x). */
#include "test.h"

#include "vmx/caps.h"
#include "vmx/vmx_bits.h"

static struct vmx_cap_msrs bochs_msrs(void)
{
    struct vmx_cap_msrs m = {
        .basic = 0x00d810000000002bull,
        .pin = 0x000000ff00000016ull,        /* TRUE_PINBASED (0x48d) */
        .proc = 0xfff9fffe04006172ull,       /* TRUE_PROCBASED (0x48e) */
        .proc2 = 0x02577fff00000000ull,
        .exit = 0x407fffff00036dfbull,       /* TRUE_EXIT (0x48f) */
        .entry = 0x0000ffff000011fbull,      /* TRUE_ENTRY (0x490) */
        .misc = 0x00000000600401e0ull,
        .cr0_fixed0 = 0x80000021ull, .cr0_fixed1 = 0xffffffffull,
        .cr4_fixed0 = 0x2000ull, .cr4_fixed1 = 0x3727ffull,
        .ept_vpid = 0x00000f0106734141ull,
    };
    return m;
}

TEST(vmx_caps_bochs_is_enough)
{
    struct vmx_cap_msrs m = bochs_msrs();
    struct vmx_caps caps;
    const char *why = NULL;
    CHECK(vmx_caps_evaluate(&m, &caps, &why));
    CHECK_EQ_U64(caps.revision, 0x2b);
    CHECK_EQ_U64(caps.region_size, 4096);
    CHECK(caps.ept_1g_pages);
    CHECK(caps.proc2 & PROC2_ENABLE_EPT);
    CHECK(caps.proc2 & PROC2_UNRESTRICTED_GUEST);
    CHECK(caps.proc2 & PROC2_ENABLE_VPID);
    CHECK(caps.pin & PIN_PREEMPTION_TIMER);
    CHECK(caps.exit & EXIT_ACK_INTR_ON_EXIT);
    /* Debug controls are required; PERF_GLOBAL_CTRL loading where offered
     * (Bochs does), RTIT_CTL clearing not offered by Bochs. */
    CHECK(caps.exit & EXIT_SAVE_DEBUG_CONTROLS);
    CHECK(caps.entry & ENTRY_LOAD_DEBUG_CONTROLS);
    CHECK(caps.exit & EXIT_LOAD_PERF_GLOBAL_CTRL);
    CHECK(caps.entry & ENTRY_LOAD_PERF_GLOBAL_CTRL);
    CHECK_EQ_U64(caps.exit & EXIT_CLEAR_RTIT_CTL, 0);
    /* Bits the CPU forces to one stay one (allowed-0 settings). */
    CHECK_EQ_U64(caps.pin & 0x16, 0x16);
    CHECK_EQ_U64(caps.proc & (uint32_t)m.proc, (uint32_t)m.proc);
    /* Nothing outside the allowed-1 settings. */
    CHECK_EQ_U64(caps.proc2 & ~(uint32_t)(m.proc2 >> 32), 0);
    CHECK_EQ_U64(caps.entry & ENTRY_IA32E_MODE_GUEST, 0);   /* per guest, not global */
}

static void expect_missing(struct unit_ctx *unit_ctx_, struct vmx_cap_msrs m, const char *words)
{
    struct vmx_caps caps;
    const char *why = NULL;
    CHECK(!vmx_caps_evaluate(&m, &caps, &why));
    CHECK_STR(why, words);
}

TEST(vmx_caps_each_missing_feature_is_named)
{
    struct vmx_cap_msrs m;

    m = bochs_msrs(); m.proc2 &= ~((uint64_t)PROC2_ENABLE_EPT << 32);
    expect_missing(unit_ctx_, m, "EPT not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.proc &= ~((uint64_t)PROC_ACTIVATE_SECONDARY << 32);
    expect_missing(unit_ctx_, m, "secondary processor-based controls not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.proc2 &= ~((uint64_t)PROC2_UNRESTRICTED_GUEST << 32);
    expect_missing(unit_ctx_, m, "unrestricted guest not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.proc2 &= ~((uint64_t)PROC2_ENABLE_VPID << 32);
    expect_missing(unit_ctx_, m, "VPID not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.ept_vpid &= ~VMX_EPT_CAP_2M_PAGES;
    expect_missing(unit_ctx_, m, "EPT 2 MiB pages not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.ept_vpid &= ~VMX_EPT_CAP_MEMTYPE_WB;
    expect_missing(unit_ctx_, m, "EPT write-back memory type not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.ept_vpid &= ~VMX_EPT_CAP_PAGE_WALK_4;
    expect_missing(unit_ctx_, m, "EPT 4-level page walk not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.ept_vpid &= ~VMX_EPT_CAP_INVEPT_ALL_CONTEXT;
    expect_missing(unit_ctx_, m, "INVEPT (single- and all-context) not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.ept_vpid &= ~VMX_VPID_CAP_INVVPID_SINGLE_CONTEXT;
    expect_missing(unit_ctx_, m, "INVVPID (single- and all-context) not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.proc &= ~((uint64_t)PROC_USE_MSR_BITMAPS << 32);
    expect_missing(unit_ctx_, m, "MSR bitmaps not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.proc &= ~((uint64_t)PROC_USE_IO_BITMAPS << 32);
    expect_missing(unit_ctx_, m, "I/O bitmaps not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.pin &= ~((uint64_t)PIN_PREEMPTION_TIMER << 32);
    expect_missing(unit_ctx_, m, "VMX preemption timer not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.exit &= ~((uint64_t)EXIT_LOAD_EFER << 32);
    expect_missing(unit_ctx_, m, "saving/loading IA32_EFER not supported"); CHECK_PASSING();
    m = bochs_msrs(); m.exit &= ~((uint64_t)EXIT_SAVE_DEBUG_CONTROLS << 32);
    expect_missing(unit_ctx_, m, "saving/loading debug controls (DR7, IA32_DEBUGCTL) not supported");
    CHECK_PASSING();
    m = bochs_msrs(); m.entry &= ~((uint64_t)ENTRY_LOAD_DEBUG_CONTROLS << 32);
    expect_missing(unit_ctx_, m, "saving/loading debug controls (DR7, IA32_DEBUGCTL) not supported");
}

TEST(vmx_control_value_rules)
{
    uint32_t v = 0;
    /* low half: must be one; high half: may be one */
    CHECK(vmx_control_value(0x000000ff00000016ull, 0x01, 0x100, &v));
    CHECK_EQ_U64(v, 0x17);                 /* optional 0x100 not allowed: dropped */
    CHECK(!vmx_control_value(0x000000ff00000016ull, 0x100, 0, &v));
    CHECK(vmx_control_value(0xffffffff00000000ull, 0, 0xffffffffu, &v));
    CHECK_EQ_U64(v, 0xffffffffu);
}

/* Without wait-for-SIPI (QEMU's named Intel models under older KVM) Kestrel
 * still runs: the guest's APs then start through Kestrel. */
TEST(vmx_caps_without_wait_for_sipi)
{
    struct vmx_cap_msrs m = bochs_msrs();
    struct vmx_caps caps;
    const char *reason = "unset";
    CHECK(vmx_caps_evaluate(&m, &caps, &reason));
    CHECK(caps.wait_for_sipi);
    m.misc &= ~VMX_MISC_ACTIVITY_WAIT_FOR_SIPI;
    CHECK(vmx_caps_evaluate(&m, &caps, &reason));
    CHECK(!caps.wait_for_sipi);
    CHECK_STR(reason, "");
}

TEST_SUITE(vmx_caps,
    UNIT(vmx_caps_without_wait_for_sipi),
    UNIT(vmx_caps_bochs_is_enough),
    UNIT(vmx_caps_each_missing_feature_is_named),
    UNIT(vmx_control_value_rules));
