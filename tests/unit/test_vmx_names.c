/* Unit tests for vmx/vmcs_fields.h, vmx/vmx_bits.h and vmx/vmx_names.c. */
#include "test.h"

#include "vmx/vmcs_fields.h"
#include "vmx/vmx_bits.h"
#include "vmx/vmx_names.h"

/* The width macro is an integer constant expression (typed VMCS accessors
 * rely on it in _Static_assert). */
_Static_assert(VMCS_FIELD_WIDTH(VMCS_GUEST_RIP) == VMCS_WIDTH_NATURAL, "natural");
_Static_assert(VMCS_FIELD_WIDTH(VMCS_CTRL_EPT_POINTER) == VMCS_WIDTH_64, "64-bit");
_Static_assert(VMCS_FIELD_WIDTH(VMCS_RO_EXIT_REASON) == VMCS_WIDTH_32, "32-bit");
_Static_assert(VMCS_FIELD_WIDTH(VMCS_GUEST_CS_SELECTOR) == VMCS_WIDTH_16, "16-bit");
_Static_assert(VMCS_FIELD_IS_HIGH(VMCS_FIELD_HIGH(VMCS_GUEST_IA32_EFER)), "high");

/* Every basic exit reason the SDM (vol. 3D Appendix C) defines, by its
 * number, independent of the enum. */
static const struct {
    uint32_t number;
    const char *name;
} sdm_exit_reasons[] = {
    { 0, "exception_nmi" },        { 1, "external_interrupt" },
    { 2, "triple_fault" },         { 3, "init" },
    { 4, "sipi" },                 { 5, "io_smi" },
    { 6, "other_smi" },            { 7, "interrupt_window" },
    { 8, "nmi_window" },           { 9, "task_switch" },
    { 10, "cpuid" },               { 11, "getsec" },
    { 12, "hlt" },                 { 13, "invd" },
    { 14, "invlpg" },              { 15, "rdpmc" },
    { 16, "rdtsc" },               { 17, "rsm" },
    { 18, "vmcall" },              { 19, "vmclear" },
    { 20, "vmlaunch" },            { 21, "vmptrld" },
    { 22, "vmptrst" },             { 23, "vmread" },
    { 24, "vmresume" },            { 25, "vmwrite" },
    { 26, "vmxoff" },              { 27, "vmxon" },
    { 28, "cr_access" },           { 29, "dr_access" },
    { 30, "io" },                  { 31, "rdmsr" },
    { 32, "wrmsr" },               { 33, "entry_invalid_guest_state" },
    { 34, "entry_msr_loading" },   { 36, "mwait" },
    { 37, "monitor_trap_flag" },   { 39, "monitor" },
    { 40, "pause" },               { 41, "entry_machine_check" },
    { 43, "tpr_below_threshold" }, { 44, "apic_access" },
    { 45, "virtualized_eoi" },     { 46, "gdtr_idtr" },
    { 47, "ldtr_tr" },             { 48, "ept_violation" },
    { 49, "ept_misconfig" },       { 50, "invept" },
    { 51, "rdtscp" },              { 52, "preemption_timer" },
    { 53, "invvpid" },             { 54, "wbinvd" },
    { 55, "xsetbv" },              { 56, "apic_write" },
    { 57, "rdrand" },              { 58, "invpcid" },
    { 59, "vmfunc" },              { 60, "encls" },
    { 61, "rdseed" },              { 62, "pml_full" },
    { 63, "xsaves" },              { 64, "xrstors" },
    { 65, "pconfig" },             { 66, "spp_event" },
    { 67, "umwait" },              { 68, "tpause" },
    { 69, "loadiwkey" },           { 70, "enclv" },
    { 72, "enqcmd_pasid_failure" },{ 73, "enqcmds_pasid_failure" },
    { 74, "bus_lock" },            { 75, "instruction_timeout" },
    { 76, "seamcall" },            { 77, "tdcall" },
    { 78, "rdmsrlist" },           { 79, "wrmsrlist" },
    { 80, "urdmsr" },              { 81, "uwrmsr" },
    { 84, "rdmsr_imm" },           { 85, "wrmsrns_imm" },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool sdm_defines_exit_reason(uint32_t n)
{
    for (size_t i = 0; i < ARRAY_LEN(sdm_exit_reasons); i++) {
        if (sdm_exit_reasons[i].number == n)
            return true;
    }
    return false;
}

static bool is_lower_identifier(const char *s)
{
    if (*s < 'a' || *s > 'z')
        return false;
    for (; *s != '\0'; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    }
    return true;
}

TEST(vmx_names_exit_reason_numbers)
{
    for (size_t i = 0; i < ARRAY_LEN(sdm_exit_reasons); i++)
        CHECK_STR(exit_reason_name(sdm_exit_reasons[i].number), sdm_exit_reasons[i].name);
    /* Spot checks through the enum. */
    CHECK_EQ_U64(EXIT_REASON_CPUID, 10);
    CHECK_EQ_U64(EXIT_REASON_EPT_VIOLATION, 48);
    CHECK_EQ_U64(EXIT_REASON_XRSTORS, 64);
    CHECK_EQ_U64(EXIT_REASON_INSTRUCTION_TIMEOUT, 75);
    CHECK(EXIT_REASON_COUNT >= 76);
    CHECK_EQ_U64(EXIT_REASON_COUNT, 86);
}

TEST(vmx_names_exit_reason_every_defined_named)
{
    for (uint32_t n = 0; n < EXIT_REASON_COUNT; n++) {
        const char *name = exit_reason_name(n);

        if (sdm_defines_exit_reason(n)) {
            if (strcmp(name, "unknown") == 0) {
                unit_fail(unit_ctx_, __FILE__, __LINE__, "exit reason %u has no name", n);
                return;
            }
        } else {
            CHECK_STR(name, "unknown");
        }
    }
}

TEST(vmx_names_exit_reason_unique_identifiers)
{
    for (uint32_t a = 0; a < EXIT_REASON_COUNT; a++) {
        const char *na = exit_reason_name(a);

        if (!sdm_defines_exit_reason(a))
            continue;
        if (!is_lower_identifier(na)) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "exit reason %u name \"%s\"", a, na);
            return;
        }
        for (uint32_t b = a + 1; b < EXIT_REASON_COUNT; b++) {
            if (sdm_defines_exit_reason(b) && strcmp(na, exit_reason_name(b)) == 0) {
                unit_fail(unit_ctx_, __FILE__, __LINE__, "exit reasons %u and %u share \"%s\"",
                          a, b, na);
                return;
            }
        }
    }
}

TEST(vmx_names_exit_reason_unknown)
{
    CHECK_STR(exit_reason_name(35), "unknown");
    CHECK_STR(exit_reason_name(38), "unknown");
    CHECK_STR(exit_reason_name(42), "unknown");
    CHECK_STR(exit_reason_name(71), "unknown");
    CHECK_STR(exit_reason_name(EXIT_REASON_COUNT), "unknown");
    CHECK_STR(exit_reason_name(0xffff), "unknown");
    CHECK_STR(exit_reason_name(0xffffffffu), "unknown");
}

TEST(vmx_names_instruction_errors)
{
    CHECK_STR(vm_instruction_error_text(1), "VMCALL executed in VMX root operation");
    CHECK_STR(vm_instruction_error_text(4), "VMLAUNCH with non-clear VMCS");
    CHECK_STR(vm_instruction_error_text(5), "VMRESUME with non-launched VMCS");
    CHECK_STR(vm_instruction_error_text(7), "VM entry with invalid control field(s)");
    CHECK_STR(vm_instruction_error_text(8), "VM entry with invalid host-state field(s)");
    CHECK_STR(vm_instruction_error_text(11), "VMPTRLD with incorrect VMCS revision identifier");
    CHECK_STR(vm_instruction_error_text(12), "VMREAD/VMWRITE from/to unsupported VMCS component");
    CHECK_STR(vm_instruction_error_text(13), "VMWRITE to read-only VMCS component");
    CHECK_STR(vm_instruction_error_text(26), "VM entry with events blocked by MOV SS");
    CHECK_STR(vm_instruction_error_text(28), "invalid operand to INVEPT/INVVPID");
    CHECK_STR(vm_instruction_error_text(14), "reserved VM-instruction error");
    CHECK_STR(vm_instruction_error_text(21), "reserved VM-instruction error");
    CHECK_STR(vm_instruction_error_text(27), "reserved VM-instruction error");
    CHECK_STR(vm_instruction_error_text(0), "unknown VM-instruction error");
    CHECK_STR(vm_instruction_error_text(29), "unknown VM-instruction error");
    CHECK_STR(vm_instruction_error_text(0xffffffffu), "unknown VM-instruction error");

    /* Every defined number 1..28 has its own text. */
    for (uint32_t a = 1; a <= 28; a++) {
        const char *ta = vm_instruction_error_text(a);

        if (a == 14 || a == 21 || a == 27)
            continue;
        CHECK(ta != NULL && strstr(ta, "unknown") == NULL && strstr(ta, "reserved") == NULL);
        for (uint32_t b = a + 1; b <= 28; b++)
            CHECK(strcmp(ta, vm_instruction_error_text(b)) != 0);
    }
}

TEST(vmx_names_interruption_types)
{
    CHECK_STR(interruption_type_name(INTR_TYPE_EXTERNAL_INTERRUPT), "external_interrupt");
    CHECK_STR(interruption_type_name(1), "reserved");
    CHECK_STR(interruption_type_name(2), "nmi");
    CHECK_STR(interruption_type_name(3), "hardware_exception");
    CHECK_STR(interruption_type_name(4), "software_interrupt");
    CHECK_STR(interruption_type_name(5), "privileged_software_exception");
    CHECK_STR(interruption_type_name(6), "software_exception");
    CHECK_STR(interruption_type_name(7), "other_event");
    CHECK_STR(interruption_type_name(8), "unknown");
}

/* Encodings checked against the SDM's Appendix B tables. */
TEST(vmx_names_field_encodings)
{
    CHECK_EQ_U64(VMCS_CTRL_VPID, 0x0000);
    CHECK_EQ_U64(VMCS_CTRL_POSTED_INTR_NOTIFY_VECTOR, 0x0002);
    CHECK_EQ_U64(VMCS_GUEST_ES_SELECTOR, 0x0800);
    CHECK_EQ_U64(VMCS_GUEST_TR_SELECTOR, 0x080e);
    CHECK_EQ_U64(VMCS_GUEST_PML_INDEX, 0x0812);
    CHECK_EQ_U64(VMCS_HOST_TR_SELECTOR, 0x0c0c);
    CHECK_EQ_U64(VMCS_CTRL_IO_BITMAP_A, 0x2000);
    CHECK_EQ_U64(VMCS_CTRL_IO_BITMAP_B, 0x2002);
    CHECK_EQ_U64(VMCS_CTRL_MSR_BITMAP, 0x2004);
    CHECK_EQ_U64(VMCS_CTRL_TSC_OFFSET, 0x2010);
    CHECK_EQ_U64(VMCS_CTRL_VIRTUAL_APIC_PAGE, 0x2012);
    CHECK_EQ_U64(VMCS_CTRL_EPT_POINTER, 0x201a);
    CHECK_EQ_U64(VMCS_CTRL_EOI_EXIT_BITMAP3, 0x2022);
    CHECK_EQ_U64(VMCS_CTRL_XSS_EXIT_BITMAP, 0x202c);
    CHECK_EQ_U64(VMCS_CTRL_TSC_MULTIPLIER, 0x2032);
    CHECK_EQ_U64(VMCS_RO_GUEST_PHYSICAL_ADDRESS, 0x2400);
    CHECK_EQ_U64(VMCS_GUEST_VMCS_LINK_POINTER, 0x2800);
    CHECK_EQ_U64(VMCS_GUEST_IA32_EFER, 0x2806);
    CHECK_EQ_U64(VMCS_GUEST_PDPTE0, 0x280a);
    CHECK_EQ_U64(VMCS_GUEST_IA32_BNDCFGS, 0x2812);
    CHECK_EQ_U64(VMCS_HOST_IA32_EFER, 0x2c02);
    CHECK_EQ_U64(VMCS_CTRL_PIN_BASED, 0x4000);
    CHECK_EQ_U64(VMCS_CTRL_PROC_BASED, 0x4002);
    CHECK_EQ_U64(VMCS_CTRL_EXIT, 0x400c);
    CHECK_EQ_U64(VMCS_CTRL_ENTRY, 0x4012);
    CHECK_EQ_U64(VMCS_CTRL_ENTRY_INTR_INFO, 0x4016);
    CHECK_EQ_U64(VMCS_CTRL_PROC_BASED2, 0x401e);
    CHECK_EQ_U64(VMCS_RO_VM_INSTRUCTION_ERROR, 0x4400);
    CHECK_EQ_U64(VMCS_RO_EXIT_REASON, 0x4402);
    CHECK_EQ_U64(VMCS_RO_EXIT_INSTRUCTION_INFO, 0x440e);
    CHECK_EQ_U64(VMCS_GUEST_CS_ACCESS_RIGHTS, 0x4816);
    CHECK_EQ_U64(VMCS_GUEST_INTERRUPTIBILITY, 0x4824);
    CHECK_EQ_U64(VMCS_GUEST_ACTIVITY_STATE, 0x4826);
    CHECK_EQ_U64(VMCS_GUEST_VMX_PREEMPTION_TIMER_VALUE, 0x482e);
    CHECK_EQ_U64(VMCS_HOST_IA32_SYSENTER_CS, 0x4c00);
    CHECK_EQ_U64(VMCS_CTRL_CR0_GUEST_HOST_MASK, 0x6000);
    CHECK_EQ_U64(VMCS_CTRL_CR4_READ_SHADOW, 0x6006);
    CHECK_EQ_U64(VMCS_RO_EXIT_QUALIFICATION, 0x6400);
    CHECK_EQ_U64(VMCS_RO_GUEST_LINEAR_ADDRESS, 0x640a);
    CHECK_EQ_U64(VMCS_GUEST_CR0, 0x6800);
    CHECK_EQ_U64(VMCS_GUEST_GDTR_BASE, 0x6816);
    CHECK_EQ_U64(VMCS_GUEST_RSP, 0x681c);
    CHECK_EQ_U64(VMCS_GUEST_RIP, 0x681e);
    CHECK_EQ_U64(VMCS_GUEST_RFLAGS, 0x6820);
    CHECK_EQ_U64(VMCS_GUEST_IA32_SYSENTER_EIP, 0x6826);
    CHECK_EQ_U64(VMCS_HOST_CR3, 0x6c02);
    CHECK_EQ_U64(VMCS_HOST_TR_BASE, 0x6c0a);
    CHECK_EQ_U64(VMCS_HOST_RSP, 0x6c14);
    CHECK_EQ_U64(VMCS_HOST_RIP, 0x6c16);
}

TEST(vmx_names_field_format_macros)
{
    CHECK_EQ_U64(VMCS_FIELD_WIDTH(VMCS_GUEST_RIP), VMCS_WIDTH_NATURAL);
    CHECK_EQ_U64(VMCS_FIELD_TYPE(VMCS_GUEST_RIP), VMCS_TYPE_GUEST);
    CHECK_EQ_U64(VMCS_FIELD_TYPE(VMCS_RO_EXIT_REASON), VMCS_TYPE_READ_ONLY);
    CHECK_EQ_U64(VMCS_FIELD_TYPE(VMCS_HOST_RIP), VMCS_TYPE_HOST);
    CHECK_EQ_U64(VMCS_FIELD_TYPE(VMCS_CTRL_PIN_BASED), VMCS_TYPE_CONTROL);
    CHECK_EQ_U64(VMCS_FIELD_INDEX(VMCS_GUEST_RIP), 0x0f);
    CHECK_EQ_U64(VMCS_FIELD_INDEX(VMCS_CTRL_EPT_POINTER), 0x0d);
    CHECK_EQ_U64(VMCS_FIELD_HIGH(VMCS_CTRL_TSC_OFFSET), 0x2011);
    CHECK(!VMCS_FIELD_IS_HIGH(VMCS_CTRL_TSC_OFFSET));
}

/* The table agrees with the format of each encoding. */
TEST(vmx_names_field_table_consistent)
{
    CHECK_EQ_U64(vmcs_field_count, 199);
    for (size_t i = 0; i < vmcs_field_count; i++) {
        const struct vmcs_field_info *f = &vmcs_field_table[i];
        const char *prefix = f->type == VMCS_TYPE_CONTROL   ? "CTRL_"
                             : f->type == VMCS_TYPE_READ_ONLY ? "RO_"
                             : f->type == VMCS_TYPE_GUEST     ? "GUEST_"
                                                              : "HOST_";

        if (VMCS_FIELD_WIDTH(f->encoding) != f->width ||
            VMCS_FIELD_TYPE(f->encoding) != f->type || VMCS_FIELD_IS_HIGH(f->encoding) ||
            (f->encoding & VMCS_FIELD_RESERVED_MASK) != 0 ||
            strncmp(f->name, prefix, strlen(prefix)) != 0) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "%s (0x%04x): width %u type %u", f->name,
                      f->encoding, f->width, f->type);
            return;
        }
        if (i > 0 && vmcs_field_table[i - 1].encoding >= f->encoding) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "%s (0x%04x) out of order", f->name,
                      f->encoding);
            return;
        }
        CHECK((f->width == VMCS_WIDTH_64) == (f->high_name != NULL));
    }
}

TEST(vmx_names_field_names_round_trip)
{
    char high[96];

    for (size_t i = 0; i < vmcs_field_count; i++) {
        const struct vmcs_field_info *f = &vmcs_field_table[i];

        CHECK(vmcs_field_lookup(f->encoding) == f);
        CHECK_STR(vmcs_field_name(f->encoding), f->name);
        if (f->width == VMCS_WIDTH_64) {
            snprintf(high, sizeof(high), "%s_HIGH", f->name);
            CHECK(vmcs_field_lookup(VMCS_FIELD_HIGH(f->encoding)) == f);
            CHECK_STR(vmcs_field_name(VMCS_FIELD_HIGH(f->encoding)), high);
        } else {
            CHECK(vmcs_field_lookup(VMCS_FIELD_HIGH(f->encoding)) == NULL);
            CHECK_STR(vmcs_field_name(VMCS_FIELD_HIGH(f->encoding)), "unknown");
        }
        for (size_t j = i + 1; j < vmcs_field_count; j++)
            CHECK(strcmp(f->name, vmcs_field_table[j].name) != 0);
    }
}

TEST(vmx_names_field_names)
{
    CHECK_STR(vmcs_field_name(0x681e), "GUEST_RIP");
    CHECK_STR(vmcs_field_name(VMCS_RO_EXIT_REASON), "RO_EXIT_REASON");
    CHECK_STR(vmcs_field_name(VMCS_CTRL_PROC_BASED2), "CTRL_PROC_BASED2");
    CHECK_STR(vmcs_field_name(0x2807), "GUEST_IA32_EFER_HIGH");
    CHECK_STR(vmcs_field_name(0x6c1e), "unknown");
    CHECK_STR(vmcs_field_name(0x2046), "unknown");
    CHECK_STR(vmcs_field_name(0x482c), "unknown");
    CHECK_STR(vmcs_field_name(0x10000 | VMCS_GUEST_RIP), "unknown");
    CHECK_STR(vmcs_field_name(0xffffffffu), "unknown");
    CHECK(vmcs_field_lookup(0x0001) == NULL);
}

/* Control bits and field layouts, checked against the SDM's numbers. */
TEST(vmx_names_bits)
{
    CHECK_EQ_U64(PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS |
                     PIN_PREEMPTION_TIMER | PIN_POSTED_INTERRUPTS, 0xe9);
    CHECK_EQ_U64(PROC_HLT_EXITING, 0x80);
    CHECK_EQ_U64(PROC_USE_IO_BITMAPS, 0x02000000);
    CHECK_EQ_U64(PROC_USE_MSR_BITMAPS, 0x10000000);
    CHECK_EQ_U64(PROC_ACTIVATE_SECONDARY, 0x80000000u);
    CHECK_EQ_U64(PROC2_ENABLE_EPT, 0x2);
    CHECK_EQ_U64(PROC2_ENABLE_VPID, 0x20);
    CHECK_EQ_U64(PROC2_UNRESTRICTED_GUEST, 0x80);
    CHECK_EQ_U64(PROC2_ENABLE_XSAVES, 0x100000);
    CHECK_EQ_U64(EXIT_HOST_ADDR_SPACE_SIZE, 0x200);
    CHECK_EQ_U64(EXIT_ACK_INTR_ON_EXIT, 0x8000);
    CHECK_EQ_U64(EXIT_LOAD_EFER, 0x200000);
    CHECK_EQ_U64(ENTRY_IA32E_MODE_GUEST, 0x200);
    CHECK_EQ_U64(ENTRY_LOAD_EFER, 0x8000);
    CHECK_EQ_U64(INTR_INFO(14, INTR_TYPE_HARDWARE_EXCEPTION) | INTR_INFO_ERROR_CODE_VALID,
                 0x80000b0e);
    CHECK_EQ_U64(VMX_EPTP_MEMTYPE_WB | VMX_EPTP_WALK_LENGTH(4) | VMX_EPTP_AD_ENABLE, 0x5e);
    CHECK_EQ_U64(VMX_EPT_RWX | VMX_EPT_MEMTYPE(VMX_MEMTYPE_WB) | VMX_EPT_LARGE_PAGE, 0xb7);
    CHECK_EQ_U64(VMX_EPTP_SUPERVISOR_SHADOW_STACK, 0x80);
    CHECK_EQ_U64(VMX_EPT_CAP_PAGE_WALK_4 | VMX_EPT_CAP_MEMTYPE_WB | VMX_EPT_CAP_2M_PAGES |
                     VMX_EPT_CAP_1G_PAGES | VMX_EPT_CAP_INVEPT | VMX_EPT_CAP_AD_FLAGS,
                 0x334040);
    CHECK_EQ_U64(VMX_VPID_CAP_INVVPID | VMX_VPID_CAP_INVVPID_SINGLE_CONTEXT, 0x20100000000ull);
    CHECK_EQ_U64(INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS, 3);
    CHECK_EQ_U64(INVEPT_ALL_CONTEXT, 2);

    uint64_t basic = 0x00da040000000004ull;   /* a typical IA32_VMX_BASIC */
    CHECK_EQ_U64(VMX_BASIC_REVISION(basic), 4);
    CHECK_EQ_U64(VMX_BASIC_REGION_SIZE(basic), 0x400);
    CHECK_EQ_U64(VMX_BASIC_MEMTYPE(basic), VMX_MEMTYPE_WB);
    CHECK(basic & VMX_BASIC_TRUE_CONTROLS);
    CHECK(basic & VMX_BASIC_INS_OUTS_INFO);

    uint64_t misc = 0x000000007004c1e7ull;    /* rate 7, HLT/shutdown/SIPI, 4 CR3 targets */
    CHECK_EQ_U64(VMX_MISC_PREEMPTION_TIMER_RATE(misc), 7);
    CHECK_EQ_U64(VMX_MISC_CR3_TARGET_COUNT(misc), 4);
    CHECK_EQ_U64(VMX_MISC_MAX_MSR_LIST(misc), 512);
    CHECK(misc & VMX_MISC_ACTIVITY_HLT);
    CHECK(misc & VMX_MISC_ACTIVITY_WAIT_FOR_SIPI);
}

TEST_SUITE(vmx_names,
           UNIT(vmx_names_exit_reason_numbers),
           UNIT(vmx_names_exit_reason_every_defined_named),
           UNIT(vmx_names_exit_reason_unique_identifiers),
           UNIT(vmx_names_exit_reason_unknown),
           UNIT(vmx_names_instruction_errors),
           UNIT(vmx_names_interruption_types),
           UNIT(vmx_names_field_encodings),
           UNIT(vmx_names_field_format_macros),
           UNIT(vmx_names_field_table_consistent),
           UNIT(vmx_names_field_names_round_trip),
           UNIT(vmx_names_field_names),
           UNIT(vmx_names_bits));
