/*
 * The VMCS initialisation list (vmx/vmcs_init_list.c) against the SDM's
 * fields: every field of Intel SDM vol. 3D appendix B "Field Encoding in
 * VMCS" (tables B-1 to B-14, with the FRED, SPEC_CTRL, PASID and IPI
 * virtualisation additions) that software can write is either written by
 * Kestrel's set-up or marked unused with the control that would use it, and
 * Kestrel never sets such a control on any CPU.  The list below is typed in
 * from the SDM, not taken from vmx/vmcs_fields.h, so a field missing there
 * is found here too.
 */
#include "test.h"
#include "vmx/vmcs_init_list.h"
#include "vmx/caps.h"
#include "vmx/vmx_bits.h"

struct sdm_field {
    uint32_t encoding;
    const char *name;
};

/* Appendix B, in its order; the read-only "VM-exit information" fields
 * (type 1: 0x24xx, 0x44xx, 0x64xx) are listed too and must not be in the
 * initialisation list. */
static const struct sdm_field sdm_fields[] = {
    /* B.1.1 16-bit control fields */
    { 0x0000, "virtual-processor identifier" },
    { 0x0002, "posted-interrupt notification vector" },
    { 0x0004, "EPTP index" },
    { 0x0006, "HLAT prefix size" },
    { 0x0008, "last PID-pointer index" },
    /* B.1.2 16-bit guest-state fields */
    { 0x0800, "guest ES selector" }, { 0x0802, "guest CS selector" },
    { 0x0804, "guest SS selector" }, { 0x0806, "guest DS selector" },
    { 0x0808, "guest FS selector" }, { 0x080a, "guest GS selector" },
    { 0x080c, "guest LDTR selector" }, { 0x080e, "guest TR selector" },
    { 0x0810, "guest interrupt status" },
    { 0x0812, "PML index" },
    { 0x0814, "guest UINV" },
    /* B.1.3 16-bit host-state fields */
    { 0x0c00, "host ES selector" }, { 0x0c02, "host CS selector" },
    { 0x0c04, "host SS selector" }, { 0x0c06, "host DS selector" },
    { 0x0c08, "host FS selector" }, { 0x0c0a, "host GS selector" },
    { 0x0c0c, "host TR selector" },
    /* B.2.1 64-bit control fields */
    { 0x2000, "address of I/O bitmap A" }, { 0x2002, "address of I/O bitmap B" },
    { 0x2004, "address of MSR bitmaps" },
    { 0x2006, "VM-exit MSR-store address" }, { 0x2008, "VM-exit MSR-load address" },
    { 0x200a, "VM-entry MSR-load address" },
    { 0x200c, "executive-VMCS pointer" },
    { 0x200e, "PML address" },
    { 0x2010, "TSC offset" },
    { 0x2012, "virtual-APIC address" },
    { 0x2014, "APIC-access address" },
    { 0x2016, "posted-interrupt descriptor address" },
    { 0x2018, "VM-function controls" },
    { 0x201a, "EPT pointer" },
    { 0x201c, "EOI-exit bitmap 0" }, { 0x201e, "EOI-exit bitmap 1" },
    { 0x2020, "EOI-exit bitmap 2" }, { 0x2022, "EOI-exit bitmap 3" },
    { 0x2024, "EPTP-list address" },
    { 0x2026, "VMREAD-bitmap address" }, { 0x2028, "VMWRITE-bitmap address" },
    { 0x202a, "virtualization-exception information address" },
    { 0x202c, "XSS-exiting bitmap" },
    { 0x202e, "ENCLS-exiting bitmap" },
    { 0x2030, "sub-page-permission-table pointer" },
    { 0x2032, "TSC multiplier" },
    { 0x2034, "tertiary processor-based VM-execution controls" },
    { 0x2036, "ENCLV-exiting bitmap" },
    { 0x2038, "low PASID directory address" }, { 0x203a, "high PASID directory address" },
    { 0x203c, "shared EPT pointer" },
    { 0x203e, "PCONFIG-exiting bitmap" },
    { 0x2040, "hypervisor-managed linear-address translation pointer" },
    { 0x2042, "PID-pointer table address" },
    { 0x2044, "secondary VM-exit controls" },
    { 0x204a, "IA32_SPEC_CTRL mask" }, { 0x204c, "IA32_SPEC_CTRL shadow" },
    { 0x2052, "injected-event data" },
    /* B.2.2 64-bit read-only data fields */
    { 0x2400, "guest-physical address" },
    { 0x2404, "original-event data" },
    /* B.2.3 64-bit guest-state fields */
    { 0x2800, "VMCS link pointer" },
    { 0x2802, "guest IA32_DEBUGCTL" }, { 0x2804, "guest IA32_PAT" },
    { 0x2806, "guest IA32_EFER" }, { 0x2808, "guest IA32_PERF_GLOBAL_CTRL" },
    { 0x280a, "guest PDPTE0" }, { 0x280c, "guest PDPTE1" },
    { 0x280e, "guest PDPTE2" }, { 0x2810, "guest PDPTE3" },
    { 0x2812, "guest IA32_BNDCFGS" }, { 0x2814, "guest IA32_RTIT_CTL" },
    { 0x2816, "guest IA32_LBR_CTL" }, { 0x2818, "guest IA32_PKRS" },
    { 0x281a, "guest IA32_FRED_CONFIG" }, { 0x281c, "guest IA32_FRED_RSP1" },
    { 0x281e, "guest IA32_FRED_RSP2" }, { 0x2820, "guest IA32_FRED_RSP3" },
    { 0x2822, "guest IA32_FRED_STKLVLS" }, { 0x2824, "guest IA32_FRED_SSP1" },
    { 0x2826, "guest IA32_FRED_SSP2" }, { 0x2828, "guest IA32_FRED_SSP3" },
    /* B.2.4 64-bit host-state fields */
    { 0x2c00, "host IA32_PAT" }, { 0x2c02, "host IA32_EFER" },
    { 0x2c04, "host IA32_PERF_GLOBAL_CTRL" }, { 0x2c06, "host IA32_PKRS" },
    { 0x2c08, "host IA32_FRED_CONFIG" }, { 0x2c0a, "host IA32_FRED_RSP1" },
    { 0x2c0c, "host IA32_FRED_RSP2" }, { 0x2c0e, "host IA32_FRED_RSP3" },
    { 0x2c10, "host IA32_FRED_STKLVLS" }, { 0x2c12, "host IA32_FRED_SSP1" },
    { 0x2c14, "host IA32_FRED_SSP2" }, { 0x2c16, "host IA32_FRED_SSP3" },
    /* B.3.1 32-bit control fields */
    { 0x4000, "pin-based VM-execution controls" },
    { 0x4002, "primary processor-based VM-execution controls" },
    { 0x4004, "exception bitmap" },
    { 0x4006, "page-fault error-code mask" }, { 0x4008, "page-fault error-code match" },
    { 0x400a, "CR3-target count" },
    { 0x400c, "primary VM-exit controls" },
    { 0x400e, "VM-exit MSR-store count" }, { 0x4010, "VM-exit MSR-load count" },
    { 0x4012, "VM-entry controls" }, { 0x4014, "VM-entry MSR-load count" },
    { 0x4016, "VM-entry interruption-information field" },
    { 0x4018, "VM-entry exception error code" },
    { 0x401a, "VM-entry instruction length" },
    { 0x401c, "TPR threshold" },
    { 0x401e, "secondary processor-based VM-execution controls" },
    { 0x4020, "PLE_Gap" }, { 0x4022, "PLE_Window" },
    { 0x4024, "instruction-timeout control" },
    /* B.3.2 32-bit read-only data fields */
    { 0x4400, "VM-instruction error" }, { 0x4402, "exit reason" },
    { 0x4404, "VM-exit interruption information" },
    { 0x4406, "VM-exit interruption error code" },
    { 0x4408, "IDT-vectoring information field" },
    { 0x440a, "IDT-vectoring error code" },
    { 0x440c, "VM-exit instruction length" },
    { 0x440e, "VM-exit instruction information" },
    /* B.3.3 32-bit guest-state fields */
    { 0x4800, "guest ES limit" }, { 0x4802, "guest CS limit" }, { 0x4804, "guest SS limit" },
    { 0x4806, "guest DS limit" }, { 0x4808, "guest FS limit" }, { 0x480a, "guest GS limit" },
    { 0x480c, "guest LDTR limit" }, { 0x480e, "guest TR limit" },
    { 0x4810, "guest GDTR limit" }, { 0x4812, "guest IDTR limit" },
    { 0x4814, "guest ES access rights" }, { 0x4816, "guest CS access rights" },
    { 0x4818, "guest SS access rights" }, { 0x481a, "guest DS access rights" },
    { 0x481c, "guest FS access rights" }, { 0x481e, "guest GS access rights" },
    { 0x4820, "guest LDTR access rights" }, { 0x4822, "guest TR access rights" },
    { 0x4824, "guest interruptibility state" }, { 0x4826, "guest activity state" },
    { 0x4828, "guest SMBASE" }, { 0x482a, "guest IA32_SYSENTER_CS" },
    { 0x482e, "VMX-preemption timer value" },
    /* B.3.4 32-bit host-state field */
    { 0x4c00, "host IA32_SYSENTER_CS" },
    /* B.4.1 natural-width control fields */
    { 0x6000, "CR0 guest/host mask" }, { 0x6002, "CR4 guest/host mask" },
    { 0x6004, "CR0 read shadow" }, { 0x6006, "CR4 read shadow" },
    { 0x6008, "CR3-target value 0" }, { 0x600a, "CR3-target value 1" },
    { 0x600c, "CR3-target value 2" }, { 0x600e, "CR3-target value 3" },
    /* B.4.2 natural-width read-only data fields */
    { 0x6400, "exit qualification" }, { 0x6402, "I/O RCX" }, { 0x6404, "I/O RSI" },
    { 0x6406, "I/O RDI" }, { 0x6408, "I/O RIP" }, { 0x640a, "guest-linear address" },
    /* B.4.3 natural-width guest-state fields */
    { 0x6800, "guest CR0" }, { 0x6802, "guest CR3" }, { 0x6804, "guest CR4" },
    { 0x6806, "guest ES base" }, { 0x6808, "guest CS base" }, { 0x680a, "guest SS base" },
    { 0x680c, "guest DS base" }, { 0x680e, "guest FS base" }, { 0x6810, "guest GS base" },
    { 0x6812, "guest LDTR base" }, { 0x6814, "guest TR base" },
    { 0x6816, "guest GDTR base" }, { 0x6818, "guest IDTR base" },
    { 0x681a, "guest DR7" }, { 0x681c, "guest RSP" }, { 0x681e, "guest RIP" },
    { 0x6820, "guest RFLAGS" }, { 0x6822, "guest pending debug exceptions" },
    { 0x6824, "guest IA32_SYSENTER_ESP" }, { 0x6826, "guest IA32_SYSENTER_EIP" },
    { 0x6828, "guest IA32_S_CET" }, { 0x682a, "guest SSP" },
    { 0x682c, "guest IA32_INTERRUPT_SSP_TABLE_ADDR" },
    /* B.4.4 natural-width host-state fields */
    { 0x6c00, "host CR0" }, { 0x6c02, "host CR3" }, { 0x6c04, "host CR4" },
    { 0x6c06, "host FS base" }, { 0x6c08, "host GS base" }, { 0x6c0a, "host TR base" },
    { 0x6c0c, "host GDTR base" }, { 0x6c0e, "host IDTR base" },
    { 0x6c10, "host IA32_SYSENTER_ESP" }, { 0x6c12, "host IA32_SYSENTER_EIP" },
    { 0x6c14, "host RSP" }, { 0x6c16, "host RIP" },
    { 0x6c18, "host IA32_S_CET" }, { 0x6c1a, "host SSP" },
    { 0x6c1c, "host IA32_INTERRUPT_SSP_TABLE_ADDR" },
};
#define SDM_FIELD_COUNT (sizeof(sdm_fields) / sizeof(sdm_fields[0]))

static bool read_only(uint32_t enc)
{
    return ((enc >> 10) & 3u) == 1u;
}

static const struct sdm_field *sdm_field(uint32_t enc)
{
    for (unsigned i = 0; i < SDM_FIELD_COUNT; i++) {
        if (sdm_fields[i].encoding == enc) {
            return &sdm_fields[i];
        }
    }
    return NULL;
}

static unsigned rows_of(uint32_t enc)
{
    unsigned n = 0;
    for (unsigned i = 0; i < vmcs_init_row_count; i++) {
        n += vmcs_init_rows[i].field == enc;
    }
    return n;
}

/* The controls Kestrel would pick on a CPU that offers every control bit
 * (allowed-1 all ones; must-be-one only the SDM's default1 bits): the most
 * any real CPU can make it set. */
static void controls_with_everything_offered(struct unit_ctx *unit_ctx_,
                                            struct vmcs_gate_controls *out)
{
    struct vmx_cap_msrs m = {
        .basic = 0x00d810000000002bull,
        .pin = 0xffffffff00000000ull | PIN_DEFAULT1,
        .proc = 0xffffffff00000000ull | PROC_DEFAULT1,
        .proc2 = 0xffffffff00000000ull,
        .exit = 0xffffffff00000000ull | EXIT_DEFAULT1,
        .entry = 0xffffffff00000000ull | ENTRY_DEFAULT1,
        .misc = 0x00000000600401e0ull,
        .cr0_fixed0 = 0x80000021ull, .cr0_fixed1 = 0xffffffffull,
        .cr4_fixed0 = 0x2000ull, .cr4_fixed1 = 0x3727ffull,
        .ept_vpid = 0x00000f0106734141ull,
    };
    struct vmx_caps caps;
    const char *why = NULL;
    struct vmcs_gate_controls c = { 0 };
    CHECK(vmx_caps_evaluate(&m, &caps, &why));
    c.pin = caps.pin;
    c.proc = caps.proc;
    c.proc2 = caps.proc2;
    c.exit = caps.exit;
    c.entry = caps.entry | ENTRY_IA32E_MODE_GUEST;
    /* Tertiary and secondary exit controls: never activated, so whatever
     * they might hold is not used; all ones shows the activation bit is
     * what keeps them out. */
    c.proc3 = ~0ull;
    c.exit2 = ~0ull;
    *out = c;
}

TEST(vmcs_init_every_sdm_field_has_one_row)
{
    for (unsigned i = 0; i < SDM_FIELD_COUNT; i++) {
        unsigned n = rows_of(sdm_fields[i].encoding);
        if (read_only(sdm_fields[i].encoding)) {
            if (n != 0) {
                unit_fail(unit_ctx_, __FILE__, __LINE__, "read-only field %#x (%s) in the list",
                          sdm_fields[i].encoding, sdm_fields[i].name);
                return;
            }
        } else if (n != 1) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "SDM field %#x (%s): %u rows, want 1",
                      sdm_fields[i].encoding, sdm_fields[i].name, n);
            return;
        }
    }
}

TEST(vmcs_init_every_row_is_an_sdm_field)
{
    for (unsigned i = 0; i < vmcs_init_row_count; i++) {
        const struct vmcs_init_row *r = &vmcs_init_rows[i];
        if (!sdm_field(r->field) || read_only(r->field) || (r->field & 1u)) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "row %u: field %#x is not a writable SDM field",
                      i, r->field);
            return;
        }
    }
}

/* What "unused" rests on holds on every CPU: Kestrel never sets the
 * control that would use the field, its count is a field Kestrel writes,
 * and only SMM/SEAM fields are unused for SMM/SEAM reasons. */
TEST(vmcs_init_unused_fields_stay_unused)
{
    struct vmcs_gate_controls c;
    controls_with_everything_offered(unit_ctx_, &c);
    CHECK_PASSING();
    for (unsigned i = 0; i < vmcs_init_row_count; i++) {
        const struct vmcs_init_row *r = &vmcs_init_rows[i];
        if (r->writer != VMCS_NOT_WRITTEN) {
            continue;
        }
        CHECK(r->gate != VMCS_GATE_ALWAYS);
        CHECK(r->gate_name && r->gate_name[0]);
        if (vmcs_row_used(r, &c)) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "field %#x (%s) is unused only without %s, "
                      "which Kestrel would set", r->field, sdm_field(r->field)->name, r->gate_name);
            return;
        }
        if (r->gate == VMCS_GATE_COUNT) {
            int count = vmcs_init_row_index((uint32_t)r->gate_bit);
            CHECK(count >= 0);
            CHECK_EQ_U64(vmcs_init_rows[count].writer, VMCS_BY_CONTROLS);
            CHECK_EQ_U64(vmcs_init_rows[count].gate, VMCS_GATE_ALWAYS);
        } else if (r->gate == VMCS_GATE_SMM_MONITOR) {
            CHECK(r->field == 0x200c || r->field == 0x4828);   /* executive VMCS, SMBASE */
        } else if (r->gate == VMCS_GATE_SEAM) {
            CHECK_EQ_U64(r->field, 0x203c);                     /* shared EPT pointer */
        } else {
            CHECK(r->gate_bit && (r->gate_bit & (r->gate_bit - 1)) == 0);
        }
    }
}

/* A field written "when" a control is set names one control bit; the
 * fields every entry and exit use are written whatever the controls. */
TEST(vmcs_init_written_rows_have_sane_gates)
{
    unsigned each_entry = 0;
    for (unsigned i = 0; i < vmcs_init_row_count; i++) {
        const struct vmcs_init_row *r = &vmcs_init_rows[i];
        if (r->writer == VMCS_NOT_WRITTEN) {
            continue;
        }
        if (r->writer == VMCS_BY_EACH_ENTRY) {
            CHECK(r->field == 0x6c14 || r->field == 0x6c16);   /* host RSP, RIP */
            each_entry++;
        }
        CHECK(r->gate != VMCS_GATE_COUNT && r->gate != VMCS_GATE_SMM_MONITOR &&
              r->gate != VMCS_GATE_SEAM);
        if (r->gate != VMCS_GATE_ALWAYS) {
            CHECK(r->gate_bit && (r->gate_bit & (r->gate_bit - 1)) == 0);
        }
        /* Guest-state fields are the guest start's or the controls'
         * (link pointer, preemption timer, PERF_GLOBAL_CTRL); host-state
         * fields the host set-up's (or the controls', PERF_GLOBAL_CTRL). */
        unsigned type = (r->field >> 10) & 3u;
        if (r->writer == VMCS_BY_HOST_STATE) {
            CHECK_EQ_U64(type, 3);
        }
        if (r->writer == VMCS_BY_GUEST_START) {
            CHECK(type == 2 || type == 0);
        }
    }
    CHECK_EQ_U64(each_entry, 2);
}

/* The fields the issue names: PF error-code mask and match, the
 * XSS-exiting bitmap when XSAVES is enabled, the guest PDPTEs. */
TEST(vmcs_init_named_fields)
{
    int mask = vmcs_init_row_index(0x4006), match = vmcs_init_row_index(0x4008);
    CHECK(mask >= 0 && match >= 0);
    CHECK_EQ_U64(vmcs_init_rows[mask].writer, VMCS_BY_CONTROLS);
    CHECK_EQ_U64(vmcs_init_rows[match].gate, VMCS_GATE_ALWAYS);
    int xss = vmcs_init_row_index(0x202c);
    CHECK(xss >= 0);
    CHECK_EQ_U64(vmcs_init_rows[xss].gate, VMCS_GATE_PROC2);
    CHECK_EQ_U64(vmcs_init_rows[xss].gate_bit, PROC2_ENABLE_XSAVES);
    CHECK(vmcs_init_rows[xss].writer != VMCS_NOT_WRITTEN);
    for (uint32_t enc = 0x280a; enc <= 0x2810; enc += 2) {
        int i = vmcs_init_row_index(enc);
        CHECK(i >= 0);
        CHECK_EQ_U64(vmcs_init_rows[i].writer, VMCS_BY_GUEST_START);
    }
}

/* The run-time check vmx/vmcs_init.c makes. */
static struct vmcs_init_written as_the_list_says(const struct vmcs_gate_controls *c)
{
    struct vmcs_init_written w = { { 0 }, 0 };
    for (unsigned i = 0; i < vmcs_init_row_count; i++) {
        const struct vmcs_init_row *r = &vmcs_init_rows[i];
        if (r->writer != VMCS_NOT_WRITTEN && r->writer != VMCS_BY_EACH_ENTRY && vmcs_row_used(r, c)) {
            vmcs_init_mark(&w, r->field);
        }
    }
    return w;
}

TEST(vmcs_init_run_time_check)
{
    bool missing = false;
    struct vmcs_gate_controls c;
    controls_with_everything_offered(unit_ctx_, &c);
    CHECK_PASSING();
    struct vmcs_init_written w = as_the_list_says(&c);
    CHECK(vmcs_init_first_wrong(&w, &c, &missing) == NULL);
    CHECK_EQ_U64(w.unlisted, 0);

    /* One field left out is named. */
    struct vmcs_init_written gap = w;
    int pf = vmcs_init_row_index(0x4006);
    gap.bits[pf / 8] &= (uint8_t)~(1u << (pf % 8));
    const struct vmcs_init_row *r = vmcs_init_first_wrong(&gap, &c, &missing);
    CHECK(r && r->field == 0x4006 && missing);

    /* A field written while its control is off (it may not exist). */
    struct vmcs_gate_controls no_xsaves = c;
    no_xsaves.proc2 &= ~PROC2_ENABLE_XSAVES;
    r = vmcs_init_first_wrong(&w, &no_xsaves, &missing);
    CHECK(r && r->field == 0x202c && !missing);
    struct vmcs_init_written w2 = as_the_list_says(&no_xsaves);
    CHECK(vmcs_init_first_wrong(&w2, &no_xsaves, &missing) == NULL);

    /* An unused field written, and one the list does not know. */
    struct vmcs_init_written extra = w;
    vmcs_init_mark(&extra, 0x200e);                 /* PML address */
    r = vmcs_init_first_wrong(&extra, &c, &missing);
    CHECK(r && r->field == 0x200e && !missing);
    vmcs_init_mark(&extra, 0x2400);                 /* read-only: not in the list */
    CHECK_EQ_U64(extra.unlisted, 0x2400);
    /* Host RSP/RIP are vmx_enter's, never looked at here. */
    vmcs_init_mark(&w, 0x6c14);
    CHECK(vmcs_init_first_wrong(&w, &c, &missing) == NULL);
}

/* Bochs 3.0 (no XSAVES, PERF_GLOBAL_CTRL offered): the set-up is checked
 * against the same list with its controls. */
TEST(vmcs_init_gates_follow_the_controls)
{
    struct vmcs_gate_controls c = { .pin = PIN_PREEMPTION_TIMER,
                                    .proc = PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS,
                                    .proc2 = PROC2_ENABLE_EPT, .exit = 0, .entry = 0 };
    int ept = vmcs_init_row_index(0x201a);
    CHECK(ept >= 0);
    CHECK(!vmcs_row_used(&vmcs_init_rows[ept], &c));     /* secondary controls not activated */
    c.proc |= PROC_ACTIVATE_SECONDARY;
    CHECK(vmcs_row_used(&vmcs_init_rows[ept], &c));
    int timer = vmcs_init_row_index(0x482e);
    CHECK(vmcs_row_used(&vmcs_init_rows[timer], &c));
    int perf = vmcs_init_row_index(0x2808);
    CHECK(!vmcs_row_used(&vmcs_init_rows[perf], &c));
    c.entry |= ENTRY_LOAD_PERF_GLOBAL_CTRL;
    CHECK(vmcs_row_used(&vmcs_init_rows[perf], &c));
}

TEST_SUITE(vmcs_init,
    UNIT(vmcs_init_every_sdm_field_has_one_row),
    UNIT(vmcs_init_every_row_is_an_sdm_field),
    UNIT(vmcs_init_unused_fields_stay_unused),
    UNIT(vmcs_init_written_rows_have_sane_gates),
    UNIT(vmcs_init_named_fields),
    UNIT(vmcs_init_run_time_check),
    UNIT(vmcs_init_gates_follow_the_controls),
);
