/*
 * VMX capabilities (SDM vol. 3D appendix A) and the controls Kestrel uses.
 * Each required feature has its own words, so "vmx: <reason>" tells a user
 * exactly what their CPU (or emulator) lacks.
 */
#include "vmx/caps.h"
#include "vmx/vmx_bits.h"

/* What Kestrel cannot run without, and why. */
#define PIN_REQUIRED   (PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS | \
                        PIN_PREEMPTION_TIMER)
#define PROC_REQUIRED  (PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_ACTIVATE_SECONDARY)
#define PROC2_REQUIRED (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_UNRESTRICTED_GUEST)
/* Instructions a guest would otherwise get #UD for on a CPU that has them. */
#define PROC2_OPTIONAL (PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID | PROC2_ENABLE_XSAVES)
/* Debug controls: without saving DR7 and IA32_DEBUGCTL on exit (which
 * clears both) and loading them on entry, the guest's breakpoints and branch
 * recording would be lost on every exit. */
#define EXIT_REQUIRED  (EXIT_HOST_ADDR_SPACE_SIZE | EXIT_ACK_INTR_ON_EXIT | EXIT_SAVE_EFER | \
                        EXIT_LOAD_EFER | EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_DEBUG_CONTROLS)
#define ENTRY_REQUIRED (ENTRY_LOAD_EFER | ENTRY_LOAD_PAT | ENTRY_LOAD_DEBUG_CONTROLS)
/* Where the CPU offers them: nothing counts in root mode (the PMU is hidden
 * from the guest, but the firmware may have left counters running), and
 * Intel PT never traces Kestrel. */
#define EXIT_OPTIONAL  (EXIT_LOAD_PERF_GLOBAL_CTRL | EXIT_CLEAR_RTIT_CTL)
#define ENTRY_OPTIONAL (ENTRY_LOAD_PERF_GLOBAL_CTRL)

bool vmx_control_value(uint64_t cap_msr, uint32_t required, uint32_t optional, uint32_t *value)
{
    uint32_t must_be_one = (uint32_t)cap_msr;
    uint32_t may_be_one = (uint32_t)(cap_msr >> 32);

    if ((required & may_be_one) != required) {
        return false;
    }
    *value = must_be_one | required | (optional & may_be_one);
    return true;
}

struct feature_check {
    bool ok;
    const char *missing;
};

static bool first_missing(const struct feature_check *checks, unsigned n, const char **reason)
{
    for (unsigned i = 0; i < n; i++) {
        if (!checks[i].ok) {
            *reason = checks[i].missing;
            return false;
        }
    }
    return true;
}

/* Per-bit checks first, so the message names the feature, not the MSR. */
static bool check_features(const struct vmx_cap_msrs *m, const char **reason)
{
    uint32_t pin1 = (uint32_t)(m->pin >> 32), proc1 = (uint32_t)(m->proc >> 32);
    uint32_t proc2_1 = (uint32_t)(m->proc2 >> 32), exit1 = (uint32_t)(m->exit >> 32);
    uint32_t entry1 = (uint32_t)(m->entry >> 32);
    bool secondary = (proc1 & PROC_ACTIVATE_SECONDARY) != 0;
    const struct feature_check checks[] = {
        { VMX_BASIC_REGION_SIZE(m->basic) <= 4096, "VMCS region larger than 4 KiB" },
        { VMX_BASIC_MEMTYPE(m->basic) == VMX_MEMTYPE_WB, "VMCS memory type is not write-back" },
        { secondary, "secondary processor-based controls not supported" },
        { secondary && (proc2_1 & PROC2_ENABLE_EPT), "EPT not supported" },
        { (m->ept_vpid & VMX_EPT_CAP_PAGE_WALK_4) != 0, "EPT 4-level page walk not supported" },
        { (m->ept_vpid & VMX_EPT_CAP_MEMTYPE_WB) != 0, "EPT write-back memory type not supported" },
        { (m->ept_vpid & VMX_EPT_CAP_2M_PAGES) != 0, "EPT 2 MiB pages not supported" },
        { (m->ept_vpid & VMX_EPT_CAP_INVEPT) && (m->ept_vpid & VMX_EPT_CAP_INVEPT_SINGLE_CONTEXT) &&
              (m->ept_vpid & VMX_EPT_CAP_INVEPT_ALL_CONTEXT),
          "INVEPT (single- and all-context) not supported" },
        { secondary && (proc2_1 & PROC2_UNRESTRICTED_GUEST), "unrestricted guest not supported" },
        { secondary && (proc2_1 & PROC2_ENABLE_VPID), "VPID not supported" },
        { (m->ept_vpid & VMX_VPID_CAP_INVVPID) && (m->ept_vpid & VMX_VPID_CAP_INVVPID_SINGLE_CONTEXT) &&
              (m->ept_vpid & VMX_VPID_CAP_INVVPID_ALL_CONTEXT),
          "INVVPID (single- and all-context) not supported" },
        { (m->misc & VMX_MISC_ACTIVITY_HLT) != 0, "HLT activity state not supported" },
        { (proc1 & PROC_USE_MSR_BITMAPS) != 0, "MSR bitmaps not supported" },
        { (proc1 & PROC_USE_IO_BITMAPS) != 0, "I/O bitmaps not supported" },
        { (pin1 & PIN_PREEMPTION_TIMER) != 0, "VMX preemption timer not supported" },
        { (pin1 & PIN_VIRTUAL_NMIS) != 0, "virtual NMIs not supported" },
        { (proc1 & PROC_NMI_WINDOW) != 0, "NMI-window exiting not supported" },
        { (exit1 & EXIT_ACK_INTR_ON_EXIT) != 0, "acknowledge interrupt on exit not supported" },
        { (exit1 & (EXIT_SAVE_EFER | EXIT_LOAD_EFER)) == (EXIT_SAVE_EFER | EXIT_LOAD_EFER) &&
              (entry1 & ENTRY_LOAD_EFER), "saving/loading IA32_EFER not supported" },
        { (exit1 & (EXIT_SAVE_PAT | EXIT_LOAD_PAT)) == (EXIT_SAVE_PAT | EXIT_LOAD_PAT) &&
              (entry1 & ENTRY_LOAD_PAT), "saving/loading IA32_PAT not supported" },
        { (entry1 & ENTRY_IA32E_MODE_GUEST) != 0, "64-bit guests not supported" },
        { (exit1 & EXIT_SAVE_DEBUG_CONTROLS) && (entry1 & ENTRY_LOAD_DEBUG_CONTROLS),
          "saving/loading debug controls (DR7, IA32_DEBUGCTL) not supported" },
    };
    return first_missing(checks, sizeof(checks) / sizeof(checks[0]), reason);
}

bool vmx_caps_evaluate(const struct vmx_cap_msrs *m, struct vmx_caps *caps, const char **reason)
{
    if (!check_features(m, reason)) {
        return false;
    }
    caps->msr = *m;
    caps->revision = VMX_BASIC_REVISION(m->basic);
    caps->region_size = VMX_BASIC_REGION_SIZE(m->basic);
    caps->ept_1g_pages = (m->ept_vpid & VMX_EPT_CAP_1G_PAGES) != 0;
    caps->ept_5level = (m->ept_vpid & VMX_EPT_CAP_PAGE_WALK_5) != 0;
    caps->ept_ad_flags = (m->ept_vpid & VMX_EPT_CAP_AD_FLAGS) != 0;
    caps->wait_for_sipi = (m->misc & VMX_MISC_ACTIVITY_WAIT_FOR_SIPI) != 0;
    caps->preemption_timer_shift = VMX_MISC_PREEMPTION_TIMER_RATE(m->misc);

    /* The feature checks above guarantee these succeed; the calls still
     * check, so a future edit to the required sets cannot go unnoticed. */
    if (!vmx_control_value(m->pin, PIN_REQUIRED, 0, &caps->pin) ||
        !vmx_control_value(m->proc, PROC_REQUIRED, 0, &caps->proc) ||
        !vmx_control_value(m->proc2, PROC2_REQUIRED, PROC2_OPTIONAL, &caps->proc2) ||
        !vmx_control_value(m->exit, EXIT_REQUIRED, EXIT_OPTIONAL, &caps->exit) ||
        !vmx_control_value(m->entry, ENTRY_REQUIRED, ENTRY_OPTIONAL, &caps->entry)) {
        *reason = "a required VMX control is not supported";
        return false;
    }
    *reason = "";
    return true;
}
