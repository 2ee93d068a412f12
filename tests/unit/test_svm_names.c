/* Unit tests for svm/svm_bits.h, svm/vmcb.h (its layout is checked when it
 * compiles; here the sizes once more) and svm/svm_names.c. */
#include "test.h"

#include "kernel/control_regs.h"
#include "kernel/msr.h"
#include "svm/svm_bits.h"
#include "svm/svm_names.h"
#include "svm/vmcb.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Runs a formatter expression into a roomy buffer and checks both the text
 * and the returned length. */
#define CHECK_FORMATS(expected, call_with_buf)                                  \
    do {                                                                        \
        char buf[512];                                                          \
        size_t size = sizeof(buf);                                              \
        int n_ = (call_with_buf);                                               \
        CHECK_STR(buf, expected);                                               \
        CHECK_EQ_U64(n_, strlen(expected));                                     \
    } while (0)

/* Every named exit code of APM appendix C (table C-1), by its number,
 * independent of the header's names.  The CR/DR/exception/trap ranges are
 * checked by their own tests. */
static const struct {
    uint64_t code;
    const char *name;
} apm_exit_codes[] = {
    { 0x060, "intr" },           { 0x061, "nmi" },           { 0x062, "smi" },
    { 0x063, "init" },           { 0x064, "vintr" },         { 0x065, "cr0_sel_write" },
    { 0x066, "idtr_read" },      { 0x067, "gdtr_read" },     { 0x068, "ldtr_read" },
    { 0x069, "tr_read" },        { 0x06a, "idtr_write" },    { 0x06b, "gdtr_write" },
    { 0x06c, "ldtr_write" },     { 0x06d, "tr_write" },      { 0x06e, "rdtsc" },
    { 0x06f, "rdpmc" },          { 0x070, "pushf" },         { 0x071, "popf" },
    { 0x072, "cpuid" },          { 0x073, "rsm" },           { 0x074, "iret" },
    { 0x075, "swint" },          { 0x076, "invd" },          { 0x077, "pause" },
    { 0x078, "hlt" },            { 0x079, "invlpg" },        { 0x07a, "invlpga" },
    { 0x07b, "ioio" },           { 0x07c, "msr" },           { 0x07d, "task_switch" },
    { 0x07e, "ferr_freeze" },    { 0x07f, "shutdown" },      { 0x080, "vmrun" },
    { 0x081, "vmmcall" },        { 0x082, "vmload" },        { 0x083, "vmsave" },
    { 0x084, "stgi" },           { 0x085, "clgi" },          { 0x086, "skinit" },
    { 0x087, "rdtscp" },         { 0x088, "icebp" },         { 0x089, "wbinvd" },
    { 0x08a, "monitor" },        { 0x08b, "mwait" },         { 0x08c, "mwait_conditional" },
    { 0x08d, "xsetbv" },         { 0x08e, "rdpru" },         { 0x08f, "efer_write_trap" },
    { 0x0a0, "invlpgb" },        { 0x0a1, "invlpgb_illegal" }, { 0x0a2, "invpcid" },
    { 0x0a3, "mcommit" },        { 0x0a4, "tlbsync" },       { 0x0a5, "bus_lock" },
    { 0x0a6, "idle_hlt" },       { 0x400, "npf" },           { 0x401, "avic_incomplete_ipi" },
    { 0x402, "avic_noaccel" },   { 0x403, "vmgexit" },
    { 0xffffffffffffffffull, "invalid" },     { 0xfffffffffffffffeull, "busy" },
    { 0xfffffffffffffffdull, "idle_required" }, { 0xfffffffffffffffcull, "invalid_pmc" },
};

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

/* Whether the APM names the code (appendix C), by ranges and the table. */
static bool apm_defines(uint64_t code)
{
    if (code <= 0x05f || (code >= 0x090 && code <= 0x09f))
        return true;
    for (size_t i = 0; i < ARRAY_LEN(apm_exit_codes); i++) {
        if (apm_exit_codes[i].code == code)
            return true;
    }
    return false;
}

TEST(svm_names_exit_codes)
{
    for (size_t i = 0; i < ARRAY_LEN(apm_exit_codes); i++)
        CHECK_STR(svm_exit_name(apm_exit_codes[i].code), apm_exit_codes[i].name);
    /* Spot checks through the header's names. */
    CHECK_EQ_U64(SVM_EXIT_CPUID, 0x72);
    CHECK_EQ_U64(SVM_EXIT_IOIO, 0x7b);
    CHECK_EQ_U64(SVM_EXIT_MSR, 0x7c);
    CHECK_EQ_U64(SVM_EXIT_SHUTDOWN, 0x7f);
    CHECK_EQ_U64(SVM_EXIT_VMMCALL, 0x81);
    CHECK_EQ_U64(SVM_EXIT_XSETBV, 0x8d);
    CHECK_EQ_U64(SVM_EXIT_NPF, 0x400);
    CHECK_EQ_U64(SVM_EXIT_VMGEXIT, 0x403);
    CHECK_EQ_U64(SVM_EXIT_INVALID, (uint64_t)-1);
    CHECK_EQ_U64(SVM_EXIT_BUSY, (uint64_t)-2);
    CHECK_EQ_U64(SVM_EXIT_EXCP(14), 0x4e);
    CHECK_EQ_U64(SVM_EXIT_CR_WRITE(8), 0x18);
    CHECK_EQ_U64(SVM_EXIT_DR_READ(7), 0x27);
    CHECK_EQ_U64(SVM_EXIT_CR_WRITE_TRAP(4), 0x94);
    CHECK_EQ_U64(SVM_EXIT_EFER_WRITE_TRAP, 0x8f);
}

TEST(svm_names_exit_code_ranges)
{
    char expect[32];

    for (unsigned n = 0; n < 16; n++) {
        snprintf(expect, sizeof(expect), "cr%u_read", n);
        CHECK_STR(svm_exit_name(0x00 + n), expect);
        snprintf(expect, sizeof(expect), "cr%u_write", n);
        CHECK_STR(svm_exit_name(0x10 + n), expect);
        snprintf(expect, sizeof(expect), "dr%u_read", n);
        CHECK_STR(svm_exit_name(0x20 + n), expect);
        snprintf(expect, sizeof(expect), "dr%u_write", n);
        CHECK_STR(svm_exit_name(0x30 + n), expect);
        snprintf(expect, sizeof(expect), "cr%u_write_trap", n);
        CHECK_STR(svm_exit_name(0x90 + n), expect);
    }
    CHECK_STR(svm_exit_name(0x40), "excp_de");
    CHECK_STR(svm_exit_name(0x41), "excp_db");
    CHECK_STR(svm_exit_name(0x42), "excp_nmi");
    CHECK_STR(svm_exit_name(0x46), "excp_ud");
    CHECK_STR(svm_exit_name(0x48), "excp_df");
    CHECK_STR(svm_exit_name(0x49), "excp_9");
    CHECK_STR(svm_exit_name(0x4d), "excp_gp");
    CHECK_STR(svm_exit_name(0x4e), "excp_pf");
    CHECK_STR(svm_exit_name(0x52), "excp_mc");
    CHECK_STR(svm_exit_name(0x55), "excp_cp");
    CHECK_STR(svm_exit_name(0x5d), "excp_vc");
    CHECK_STR(svm_exit_name(0x5f), "excp_31");
}

/* Every code from 0 to 0x1000 and around -1: named exactly when the APM
 * defines it, with a lowercase identifier, never NULL, no two alike. */
TEST(svm_names_exit_code_sweep)
{
    static const char *seen[0x600];
    size_t nseen = 0;

    for (uint64_t code = 0; code < 0x1000 + 16; code++) {
        uint64_t c = code < 0x1000 ? code : (uint64_t)-(int64_t)(code - 0x1000 + 1);
        const char *name = svm_exit_name(c);

        CHECK(name != NULL);
        if (!apm_defines(c)) {
            CHECK_STR(name, "unknown");
            continue;
        }
        if (!is_lower_identifier(name) || strcmp(name, "unknown") == 0) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "code 0x%llx name \"%s\"",
                      (unsigned long long)c, name);
            return;
        }
        for (size_t i = 0; i < nseen; i++) {
            if (strcmp(seen[i], name) == 0) {
                unit_fail(unit_ctx_, __FILE__, __LINE__, "\"%s\" named twice", name);
                return;
            }
        }
        CHECK(nseen < ARRAY_LEN(seen));
        seen[nseen++] = name;
    }
    CHECK_STR(svm_exit_name(0x0a7), "unknown");
    CHECK_STR(svm_exit_name(0x404), "unknown");
    CHECK_STR(svm_exit_name(0xf0000000ull), "unknown");
    CHECK_STR(svm_exit_name(0x100000072ull), "unknown");  /* high half set: not CPUID */
    CHECK_STR(svm_exit_name(0xfffffffffffffffbull), "unknown");
}

/* Bit positions and values checked against the APM's tables. */
TEST(svm_names_bits)
{
    CHECK_EQ_U64(SVM_INTERCEPT1_INTR, 1u << 0);
    CHECK_EQ_U64(SVM_INTERCEPT1_CPUID, 1u << 18);
    CHECK_EQ_U64(SVM_INTERCEPT1_HLT, 1u << 24);
    CHECK_EQ_U64(SVM_INTERCEPT1_IOIO_PROT, 1u << 27);
    CHECK_EQ_U64(SVM_INTERCEPT1_MSR_PROT, 1u << 28);
    CHECK_EQ_U64(SVM_INTERCEPT1_SHUTDOWN, 0x80000000u);
    CHECK_EQ_U64(SVM_INTERCEPT2_VMRUN, 1);
    CHECK_EQ_U64(SVM_INTERCEPT2_VMMCALL, 2);
    CHECK_EQ_U64(SVM_INTERCEPT2_XSETBV, 1u << 13);
    CHECK_EQ_U64(SVM_INTERCEPT2_EFER_WRITE_TRAP, 1u << 15);
    CHECK_EQ_U64(SVM_INTERCEPT2_CR_WRITE_TRAP(0), 1u << 16);
    CHECK_EQ_U64(SVM_INTERCEPT3_INVPCID, 1u << 2);
    CHECK_EQ_U64(SVM_INTERCEPT_CR_WRITE(3), 1u << 19);
    CHECK_EQ_U64(SVM_INTERCEPT_DR_READ(7), 0x80);
    CHECK_EQ_U64(SVM_INTERCEPT_EXCEPTION(14), 0x4000);

    /* The misc vector 1 bits are the exit codes from 0x60 on, in order. */
    CHECK_EQ_U64(SVM_EXIT_INTR + 18, SVM_EXIT_CPUID);
    CHECK_EQ_U64(SVM_EXIT_INTR + 31, SVM_EXIT_SHUTDOWN);
    CHECK_EQ_U64(SVM_EXIT_VMRUN + 13, SVM_EXIT_XSETBV);

    CHECK_EQ_U64(SVM_EVENT_WITH_ERROR(14, SVM_EVENT_TYPE_EXCEPTION, 2), 0x0000000280000b0eull);
    CHECK_EQ_U64(SVM_EVENT(0, SVM_EVENT_TYPE_NMI), 0x80000200ull);
    CHECK_EQ_U64(SVM_EVENT(0x30, SVM_EVENT_TYPE_INTR), 0x80000030ull);
    CHECK_EQ_U64(SVM_EVENT(0x80, SVM_EVENT_TYPE_SOFT_INT), 0x80000480ull);

    CHECK_EQ_U64(SVM_IOIO_SIZE_MASK, 0x70);
    CHECK_EQ_U64(SVM_IOIO_ADDR_MASK, 0x380);
    CHECK_EQ_U64(SVM_IOIO_SEG_MASK, 0x1c00);
    CHECK_EQ_U64(SVM_IOIO_PORT_MASK, 0xffff0000ull);
    CHECK_EQ_U64(SVM_NPF_FINAL_GPA | SVM_NPF_PAGE_WALK, 0x300000000ull);

    CHECK_EQ_U64(SVM_MSR_VM_CR, 0xc0010114u);
    CHECK_EQ_U64(SVM_MSR_VM_HSAVE_PA, 0xc0010117u);
    CHECK_EQ_U64(SVM_VM_CR_LOCK | SVM_VM_CR_SVMDIS, 0x18);
    CHECK_EQ_U64(SVM_EFER_SVME, 0x1000);
    CHECK_EQ_U64(SVM_CPUID_EXT_FEATURES_ECX_SVM, 4);
    CHECK_EQ_U64(SVM_CPUID_EDX_NP | SVM_CPUID_EDX_NRIPS | SVM_CPUID_EDX_DECODE_ASSISTS, 0x89);
    CHECK_EQ_U64(SVM_CPUID_EDX_VGIF, 1u << 16);
    CHECK_EQ_U64(SVM_TLB_CONTROL_FLUSH_ASID, 3);
    CHECK_EQ_U64(SVM_INT_CTL_V_INTR_MASKING, 1u << 24);
    CHECK_EQ_U64(SVM_INT_CTL_V_IGN_TPR | SVM_INT_CTL_V_INTR_PRIO_MASK | SVM_INT_CTL_V_IRQ, 0x1f0100);

    /* A flat 64-bit code segment: descriptor 0x00af9b000000ffff, VMX access
     * rights 0xa09b, SVM attributes 0xa9b. */
    CHECK_EQ_U64(SVM_SEG_ATTR_FROM_VMX_AR(0xa09b), 0xa9b);
    CHECK((0xa9b & SVM_SEG_ATTR_L) && (0xa9b & SVM_SEG_ATTR_P) && (0xa9b & SVM_SEG_ATTR_G));
    CHECK_EQ_U64(SVM_SEG_ATTR_FROM_VMX_AR(0xc093), 0xc93);

    CHECK_EQ_U64(SVM_IOPM_SIZE, 12288);
    CHECK_EQ_U64(SVM_MSRPM_SIZE, 8192);
    CHECK_EQ_U64(sizeof(struct vmcb), 4096);
    CHECK_EQ_U64(sizeof(struct vmcb_control), 0x400);
    CHECK_EQ_U64(offsetof(struct vmcb, save.rip), 0x578);
    CHECK_EQ_U64(offsetof(struct vmcb, control.exit_code), 0x070);
}

/* ---- events ---------------------------------------------------------------------- */

TEST(svm_names_event_decode)
{
    struct svm_event e = svm_event_decode(0x0000000280000b0eull);

    CHECK(e.valid);
    CHECK_EQ_U64(e.vector, 14);
    CHECK_EQ_U64(e.type, SVM_EVENT_TYPE_EXCEPTION);
    CHECK(e.error_code_valid);
    CHECK(!e.reserved_bits);
    CHECK_EQ_U64(e.error_code, 2);

    e = svm_event_decode(0xffffffff7ffff000ull);
    CHECK(!e.valid);
    CHECK(e.reserved_bits);
    CHECK_EQ_U64(e.error_code, 0xffffffffu);
    CHECK_EQ_U64(e.type, 0);
}

TEST(svm_names_event_format)
{
    struct svm_event e;

    e = svm_event_decode(0);
    CHECK_FORMATS("none", svm_event_format(&e, buf, size));
    e = svm_event_decode(0x0000000200000b0eull);   /* valid bit clear: nothing pending */
    CHECK_FORMATS("none", svm_event_format(&e, buf, size));
    e = svm_event_decode(SVM_EVENT(2, SVM_EVENT_TYPE_NMI));
    CHECK_FORMATS("NMI", svm_event_format(&e, buf, size));
    e = svm_event_decode(SVM_EVENT(0x55, SVM_EVENT_TYPE_NMI));    /* vector ignored */
    CHECK_FORMATS("NMI", svm_event_format(&e, buf, size));
    e = svm_event_decode(SVM_EVENT_WITH_ERROR(14, SVM_EVENT_TYPE_EXCEPTION, 2));
    CHECK_FORMATS("exception 14 (#PF) error 0x2", svm_event_format(&e, buf, size));
    e = svm_event_decode(SVM_EVENT(6, SVM_EVENT_TYPE_EXCEPTION));
    CHECK_FORMATS("exception 6 (#UD)", svm_event_format(&e, buf, size));
    e = svm_event_decode(SVM_EVENT_WITH_ERROR(13, SVM_EVENT_TYPE_EXCEPTION, 0xfffffff8u));
    CHECK_FORMATS("exception 13 (#GP) error 0xfffffff8", svm_event_format(&e, buf, size));
    e = svm_event_decode(SVM_EVENT(22, SVM_EVENT_TYPE_EXCEPTION));
    CHECK_FORMATS("exception 22", svm_event_format(&e, buf, size));
    e = svm_event_decode(SVM_EVENT(0xff, SVM_EVENT_TYPE_EXCEPTION));
    CHECK_FORMATS("exception 255", svm_event_format(&e, buf, size));
    e = svm_event_decode(SVM_EVENT(0x30, SVM_EVENT_TYPE_INTR));
    CHECK_FORMATS("external interrupt 0x30", svm_event_format(&e, buf, size));
    e = svm_event_decode(SVM_EVENT(0x80, SVM_EVENT_TYPE_SOFT_INT));
    CHECK_FORMATS("software interrupt 0x80", svm_event_format(&e, buf, size));
    e = svm_event_decode(SVM_EVENT(0x10, 5));
    CHECK_FORMATS("reserved type 5 vector 0x10", svm_event_format(&e, buf, size));
    e = svm_event_decode(SVM_EVENT(0x10, 1) | (1ull << 20));
    CHECK_FORMATS("reserved type 1 vector 0x10, reserved bits set", svm_event_format(&e, buf, size));
    CHECK_STR(svm_exception_mnemonic(2), "NMI");
    CHECK_STR(svm_exception_mnemonic(29), "#VC");
    CHECK(svm_exception_mnemonic(15) == NULL);
    CHECK(svm_exception_mnemonic(32) == NULL);
    CHECK(svm_exception_mnemonic(~0u) == NULL);
}

/* snprintf semantics: a short buffer holds a NUL-terminated prefix, the
 * return value is the full length; size 0 writes nothing. */
TEST(svm_names_format_truncation)
{
    struct svm_event e = svm_event_decode(SVM_EVENT_WITH_ERROR(14, SVM_EVENT_TYPE_EXCEPTION, 2));
    const char *full = "exception 14 (#PF) error 0x2";
    char small[8];
    char untouched = 'x';

    memset(small, 'z', sizeof(small));
    CHECK_EQ_U64(svm_event_format(&e, small, sizeof(small)), strlen(full));
    CHECK_STR(small, "excepti");
    CHECK_EQ_U64(svm_event_format(&e, &untouched, 0), strlen(full));
    CHECK_EQ_U64(untouched, 'x');
    for (size_t n = 1; n <= strlen(full) + 1; n++) {
        char buf[64];

        memset(buf, 'z', sizeof(buf));
        CHECK_EQ_U64(svm_event_format(&e, buf, n), strlen(full));
        CHECK_EQ_U64(strlen(buf), n - 1);
        CHECK(strncmp(buf, full, n - 1) == 0);
    }
}

/* Every EVENTINJ type and vector, with and without EV and reserved bits:
 * something printable, of the length returned. */
TEST(svm_names_event_sweep)
{
    char buf[96];

    for (uint64_t type = 0; type < 8; type++) {
        for (uint64_t vector = 0; vector < 256; vector++) {
            for (unsigned extra = 0; extra < 4; extra++) {
                uint64_t raw = SVM_EVENT_VALID | (type << SVM_EVENT_TYPE_SHIFT) | vector;
                struct svm_event e;
                int n;

                if (extra & 1)
                    raw |= SVM_EVENT_EV | (0xdeadbeefull << 32);
                if (extra & 2)
                    raw |= SVM_EVENT_RESERVED_MASK;
                e = svm_event_decode(raw);
                n = svm_event_format(&e, buf, sizeof(buf));
                CHECK(n > 0 && (size_t)n < sizeof(buf));
                CHECK_EQ_U64(strlen(buf), n);
                CHECK(strcmp(buf, "none") != 0);
                CHECK(((extra & 1) != 0) == (strstr(buf, " error 0xdeadbeef") != NULL));
            }
        }
    }
}

/* ---- IOIO ------------------------------------------------------------------------ */

TEST(svm_names_ioio)
{
    /* out dx, al to COM1: port 0x3f8, 8-bit, 16-bit address size. */
    struct svm_ioio io = svm_ioio_decode(0x03f80000ull | SVM_IOIO_SZ8 | SVM_IOIO_A16);

    CHECK_EQ_U64(io.port, 0x3f8);
    CHECK_EQ_U64(io.size, 1);
    CHECK(!io.in && !io.string && !io.rep);
    CHECK_EQ_U64(io.address_bits, 16);
    CHECK_FORMATS("outb port 0x3f8", svm_ioio_format(&io, buf, size));

    io = svm_ioio_decode(0x0cfc0000ull | SVM_IOIO_TYPE_IN | SVM_IOIO_SZ32 | SVM_IOIO_A64);
    CHECK_EQ_U64(io.size, 4);
    CHECK(io.in);
    CHECK_EQ_U64(io.address_bits, 64);
    CHECK_FORMATS("inl port 0xcfc", svm_ioio_format(&io, buf, size));

    /* rep insw from the IDE data port, 32-bit addresses, ES. */
    io = svm_ioio_decode(0x01f00000ull | SVM_IOIO_TYPE_IN | SVM_IOIO_STR | SVM_IOIO_REP |
                         SVM_IOIO_SZ16 | SVM_IOIO_A32);
    CHECK(io.in && io.string && io.rep);
    CHECK_EQ_U64(io.segment, 0);
    CHECK_FORMATS("rep insw port 0x1f0 (a32, es)", svm_ioio_format(&io, buf, size));

    /* outsb with a GS override (segment 5), 64-bit addresses. */
    io = svm_ioio_decode(0x00800000ull | SVM_IOIO_STR | SVM_IOIO_SZ8 | SVM_IOIO_A64 |
                         (5ull << SVM_IOIO_SEG_SHIFT));
    CHECK_EQ_U64(io.segment, 5);
    CHECK_FORMATS("outsb port 0x80 (a64, gs)", svm_ioio_format(&io, buf, size));

    /* Hostile: two size bits, no address bits, reserved segment. */
    io = svm_ioio_decode(0xffff0000ull | SVM_IOIO_STR | SVM_IOIO_SZ8 | SVM_IOIO_SZ16 |
                         (7ull << SVM_IOIO_SEG_SHIFT));
    CHECK_EQ_U64(io.size, 0);
    CHECK_EQ_U64(io.address_bits, 0);
    CHECK_FORMATS("outs? port 0xffff (a?, seg7)", svm_ioio_format(&io, buf, size));
    io = svm_ioio_decode(0);
    CHECK_FORMATS("out? port 0x0", svm_ioio_format(&io, buf, size));
    /* Bits above 31 and bit 1 are ignored. */
    io = svm_ioio_decode(0xffffffff00000002ull | 0x00600000ull | SVM_IOIO_SZ16);
    CHECK_FORMATS("outw port 0x60", svm_ioio_format(&io, buf, size));
}

TEST(svm_names_ioio_sweep)
{
    char buf[64];

    /* Every combination of bits 12:0 at one port. */
    for (uint64_t low = 0; low < 0x2000; low++) {
        struct svm_ioio io = svm_ioio_decode(0x12340000ull | low);
        unsigned size_bits = (unsigned)((low >> 4) & 7), addr_bits = (unsigned)((low >> 7) & 7);
        int n = svm_ioio_format(&io, buf, sizeof(buf));

        CHECK(n > 0 && (size_t)n < sizeof(buf));
        CHECK_EQ_U64(io.port, 0x1234);
        CHECK_EQ_U64(io.size, size_bits == 1 ? 1 : size_bits == 2 ? 2 : size_bits == 4 ? 4 : 0);
        CHECK_EQ_U64(io.address_bits, addr_bits == 1   ? 16
                                      : addr_bits == 2 ? 32
                                      : addr_bits == 4 ? 64
                                                       : 0);
        CHECK(strstr(buf, " port 0x1234") != NULL);
    }
}

/* ---- NPF ------------------------------------------------------------------------- */

TEST(svm_names_npf)
{
    struct svm_npf f = svm_npf_decode(SVM_NPF_RW | SVM_NPF_US | SVM_NPF_PAGE_WALK);

    CHECK(!f.present && f.write && f.user && f.page_walk && !f.final_gpa && !f.fetch);
    CHECK_FORMATS("write to a not-present page at gpa 0x1000, user (during a guest page walk)",
                  svm_npf_format(&f, 0x1000, buf, size));

    f = svm_npf_decode(SVM_NPF_RW | SVM_NPF_PAGE_WALK);
    CHECK_FORMATS("write to a not-present page at gpa 0x2000 (during a guest page walk)",
                  svm_npf_format(&f, 0x2000, buf, size));
    f = svm_npf_decode(SVM_NPF_P | SVM_NPF_RW | SVM_NPF_US | SVM_NPF_FINAL_GPA);
    CHECK(f.present && f.final_gpa);
    CHECK_FORMATS("write to a protected page at gpa 0xfee00000, user (final translation)",
                  svm_npf_format(&f, 0xfee00000, buf, size));
    f = svm_npf_decode(SVM_NPF_P | SVM_NPF_ID | SVM_NPF_US | SVM_NPF_FINAL_GPA);
    CHECK_FORMATS("fetch from a protected page at gpa 0xa0000, user (final translation)",
                  svm_npf_format(&f, 0xa0000, buf, size));
    f = svm_npf_decode(SVM_NPF_RSV | SVM_NPF_P | SVM_NPF_FINAL_GPA);
    CHECK_FORMATS("read of a protected page at gpa 0xfffffffff000, reserved bit set (final translation)",
                  svm_npf_format(&f, 0xfffffffff000ull, buf, size));
    f = svm_npf_decode(SVM_NPF_PK | SVM_NPF_SS);
    CHECK_FORMATS("read of a not-present page at gpa 0x0, protection key, shadow stack",
                  svm_npf_format(&f, 0, buf, size));
    /* Hostile: every bit. */
    f = svm_npf_decode(~0ull);
    CHECK_FORMATS("fetch from a protected page at gpa 0xffffffffffffffff, user, reserved bit set, "
                  "protection key, shadow stack (final translation, during a guest page walk)",
                  svm_npf_format(&f, ~0ull, buf, size));
}

/* ---- VMRUN failures --------------------------------------------------------------- */

TEST(svm_names_vmrun_failure_words)
{
    const char *w = svm_vmrun_failure_words(SVM_EXIT_INVALID);

    CHECK(strstr(w, "VMEXIT_INVALID") != NULL);
    CHECK(strstr(w, "EFER.SVME clear") != NULL);
    CHECK(strstr(w, "CR0.CD clear with CR0.NW set") != NULL);
    CHECK(strstr(w, "VMRUN intercept clear") != NULL);
    CHECK(strstr(w, "ASID 0") != NULL);
    CHECK(strstr(w, "illegal event injection") != NULL);
    CHECK(strstr(svm_vmrun_failure_words(SVM_EXIT_BUSY), "BUSY bit") != NULL);
    CHECK(strstr(svm_vmrun_failure_words(SVM_EXIT_IDLE_REQUIRED), "sibling") != NULL);
    CHECK(strstr(svm_vmrun_failure_words(SVM_EXIT_INVALID_PMC), "PMC") != NULL);
    CHECK_STR(svm_vmrun_failure_words(SVM_EXIT_CPUID), "not a VMRUN failure");
    CHECK_STR(svm_vmrun_failure_words(0xfffffffffffffffbull), "not a VMRUN failure");
}

#define MAXPHYADDR 48u

/* A VMCB that passes every rule: a 64-bit guest as Kestrel would start it. */
static void good_vmcb(struct vmcb *v)
{
    memset(v, 0, sizeof(*v));
    v->save.efer = EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE | SVM_EFER_SVME;
    v->save.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    v->save.cr3 = 0x0000000012345000ull;
    v->save.cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
    v->save.dr6 = DR6_FIXED_ONES;
    v->save.dr7 = 0x400;
    v->save.cs.attrib = 0xa9b;          /* L, P, S, code; D clear */
    v->control.intercept_misc2 = SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL;
    v->control.msrpm_base_pa = 0x100000;
    v->control.iopm_base_pa = 0x200000;
    v->control.guest_asid = 1;
    v->control.exit_code = SVM_EXIT_INVALID;
}

static void expect_problem(struct unit_ctx *unit_ctx_, const struct vmcb *v, const char *words)
{
    const char *p = svm_vmcb_problem(v, MAXPHYADDR);

    CHECK(p != NULL);
    CHECK_STR(p, words);
}

TEST(svm_names_vmcb_good)
{
    static struct vmcb v;

    good_vmcb(&v);
    CHECK(svm_vmcb_problem(&v, MAXPHYADDR) == NULL);
    /* Real mode at reset: no long-mode rules apply, no paging. */
    v.save.efer = SVM_EFER_SVME;
    v.save.cr0 = CR0_ET | CR0_CD | CR0_NW;      /* CD and NW both set is legal */
    v.save.cr4 = 0;
    v.save.cr3 = 0xffffffff00000000ull;         /* CR3 is not checked outside long mode */
    v.save.cs.attrib = 0x093 | SVM_SEG_ATTR_L | SVM_SEG_ATTR_DB;  /* ditto CS.L/D */
    CHECK(svm_vmcb_problem(&v, MAXPHYADDR) == NULL);
    /* Paged real mode (PG without PE, no LME) is allowed by VMRUN. */
    v.save.cr0 = CR0_PG | CR0_ET;
    CHECK(svm_vmcb_problem(&v, MAXPHYADDR) == NULL);
    /* Every event type VMRUN accepts. */
    good_vmcb(&v);
    v.control.event_inj = SVM_EVENT(0x30, SVM_EVENT_TYPE_INTR);
    CHECK(svm_vmcb_problem(&v, MAXPHYADDR) == NULL);
    v.control.event_inj = SVM_EVENT(0, SVM_EVENT_TYPE_NMI);
    CHECK(svm_vmcb_problem(&v, MAXPHYADDR) == NULL);
    v.control.event_inj = SVM_EVENT_WITH_ERROR(14, SVM_EVENT_TYPE_EXCEPTION, 2);
    CHECK(svm_vmcb_problem(&v, MAXPHYADDR) == NULL);
    v.control.event_inj = SVM_EVENT(31, SVM_EVENT_TYPE_EXCEPTION);
    CHECK(svm_vmcb_problem(&v, MAXPHYADDR) == NULL);
    v.control.event_inj = SVM_EVENT(0x80, SVM_EVENT_TYPE_SOFT_INT);
    CHECK(svm_vmcb_problem(&v, MAXPHYADDR) == NULL);
    v.control.event_inj = SVM_EVENT(2, 5) & ~SVM_EVENT_VALID;     /* not valid: ignored */
    CHECK(svm_vmcb_problem(&v, MAXPHYADDR) == NULL);
}

/* Each rule of APM 15.5.1 alone, in the order they are checked. */
TEST(svm_names_vmcb_rules)
{
    static struct vmcb v;

    good_vmcb(&v); v.save.efer &= ~SVM_EFER_SVME;
    expect_problem(unit_ctx_, &v, "EFER.SVME is clear"); CHECK_PASSING();
    good_vmcb(&v); v.save.cr0 |= CR0_NW;
    expect_problem(unit_ctx_, &v, "CR0.CD is clear and CR0.NW is set"); CHECK_PASSING();
    good_vmcb(&v); v.save.cr0 |= 1ull << 32;
    expect_problem(unit_ctx_, &v, "CR0[63:32] is not zero"); CHECK_PASSING();
    good_vmcb(&v); v.save.cr0 |= 1ull << 63;
    expect_problem(unit_ctx_, &v, "CR0[63:32] is not zero"); CHECK_PASSING();
    good_vmcb(&v); v.save.cr3 = 1ull << MAXPHYADDR;
    expect_problem(unit_ctx_, &v, "CR3 has a bit set at or above MAXPHYADDR"); CHECK_PASSING();
    good_vmcb(&v); v.save.cr3 = 1ull << 63;
    expect_problem(unit_ctx_, &v, "CR3 has a bit set at or above MAXPHYADDR"); CHECK_PASSING();
    good_vmcb(&v); v.save.cr4 |= CR4_VMXE;      /* Intel's VMXE: reserved on AMD */
    expect_problem(unit_ctx_, &v, "CR4 has a reserved bit set"); CHECK_PASSING();
    good_vmcb(&v); v.save.cr4 |= 1ull << 15;
    expect_problem(unit_ctx_, &v, "CR4 has a reserved bit set"); CHECK_PASSING();
    good_vmcb(&v); v.save.cr4 |= 1ull << 40;
    expect_problem(unit_ctx_, &v, "CR4 has a reserved bit set"); CHECK_PASSING();
    good_vmcb(&v); v.save.dr6 |= 1ull << 32;
    expect_problem(unit_ctx_, &v, "DR6[63:32] is not zero"); CHECK_PASSING();
    good_vmcb(&v); v.save.dr7 |= 1ull << 63;
    expect_problem(unit_ctx_, &v, "DR7[63:32] is not zero"); CHECK_PASSING();
    good_vmcb(&v); v.save.efer |= 1ull << 9;
    expect_problem(unit_ctx_, &v, "EFER has a reserved bit set"); CHECK_PASSING();
    good_vmcb(&v); v.save.efer |= 1ull << 32;
    expect_problem(unit_ctx_, &v, "EFER has a reserved bit set"); CHECK_PASSING();
    good_vmcb(&v); v.save.cr4 &= ~CR4_PAE;
    expect_problem(unit_ctx_, &v, "EFER.LME and CR0.PG are set but CR4.PAE is clear"); CHECK_PASSING();
    good_vmcb(&v); v.save.cr0 &= ~CR0_PE;
    expect_problem(unit_ctx_, &v, "EFER.LME and CR0.PG are set but CR0.PE is clear"); CHECK_PASSING();
    good_vmcb(&v); v.save.cs.attrib |= SVM_SEG_ATTR_DB;
    expect_problem(unit_ctx_, &v, "EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D are all set"); CHECK_PASSING();
    good_vmcb(&v); v.control.intercept_misc2 &= ~SVM_INTERCEPT2_VMRUN;
    expect_problem(unit_ctx_, &v, "the VMRUN intercept is clear"); CHECK_PASSING();
    good_vmcb(&v); v.control.msrpm_base_pa = 1ull << MAXPHYADDR;
    expect_problem(unit_ctx_, &v, "the MSR permission map reaches the maximum physical address");
    CHECK_PASSING();
    good_vmcb(&v); v.control.iopm_base_pa = (1ull << MAXPHYADDR) - 0x2000;   /* 3rd page beyond */
    expect_problem(unit_ctx_, &v, "the I/O permission map reaches the maximum physical address");
    CHECK_PASSING();
    good_vmcb(&v); v.control.event_inj = SVM_EVENT(0x20, 1);
    expect_problem(unit_ctx_, &v, "EVENTINJ has a reserved event type"); CHECK_PASSING();
    good_vmcb(&v); v.control.event_inj = SVM_EVENT(0x20, 7);
    expect_problem(unit_ctx_, &v, "EVENTINJ has a reserved event type"); CHECK_PASSING();
    good_vmcb(&v); v.control.event_inj = SVM_EVENT(2, SVM_EVENT_TYPE_EXCEPTION);
    expect_problem(unit_ctx_, &v, "EVENTINJ injects exception vector 2 (NMI must use type NMI)");
    CHECK_PASSING();
    good_vmcb(&v); v.control.event_inj = SVM_EVENT(32, SVM_EVENT_TYPE_EXCEPTION);
    expect_problem(unit_ctx_, &v, "EVENTINJ injects an exception with a vector above 31"); CHECK_PASSING();
    good_vmcb(&v); v.control.guest_asid = 0;
    expect_problem(unit_ctx_, &v, "the guest ASID is 0 (the host's)"); CHECK_PASSING();

    /* Two violations: the first in the APM's order is reported. */
    good_vmcb(&v); v.control.guest_asid = 0; v.save.efer &= ~SVM_EFER_SVME;
    expect_problem(unit_ctx_, &v, "EFER.SVME is clear"); CHECK_PASSING();
}

/* The permission maps must end below 2^MAXPHYADDR: the last byte decides,
 * bits 11:0 of the base are ignored, and no base overflows the check. */
TEST(svm_names_vmcb_map_limits)
{
    static struct vmcb v;
    uint64_t top = 1ull << MAXPHYADDR;

    good_vmcb(&v);
    v.control.msrpm_base_pa = top - SVM_MSRPM_SIZE;          /* last byte top - 1 */
    v.control.iopm_base_pa = top - SVM_IOPM_SIZE;
    CHECK(svm_vmcb_problem(&v, MAXPHYADDR) == NULL);
    v.control.msrpm_base_pa = top - SVM_MSRPM_SIZE + 0xfff;  /* ignored low bits */
    v.control.iopm_base_pa = top - SVM_IOPM_SIZE + 0xfff;
    CHECK(svm_vmcb_problem(&v, MAXPHYADDR) == NULL);
    v.control.msrpm_base_pa = top - SVM_MSRPM_SIZE + 0x1000;
    expect_problem(unit_ctx_, &v, "the MSR permission map reaches the maximum physical address");
    CHECK_PASSING();
    good_vmcb(&v); v.control.iopm_base_pa = ~0ull;
    expect_problem(unit_ctx_, &v, "the I/O permission map reaches the maximum physical address");
    CHECK_PASSING();
    good_vmcb(&v); v.control.msrpm_base_pa = ~0ull - 0x1000;
    expect_problem(unit_ctx_, &v, "the MSR permission map reaches the maximum physical address");
    CHECK_PASSING();

    /* MAXPHYADDR 52 (and 0 or > 52, taken as 52). */
    good_vmcb(&v);
    v.control.msrpm_base_pa = (1ull << 52) - SVM_MSRPM_SIZE;
    v.save.cr3 = (1ull << 52) - 0x1000;
    CHECK(svm_vmcb_problem(&v, 52) == NULL);
    CHECK(svm_vmcb_problem(&v, 0) == NULL);
    CHECK(svm_vmcb_problem(&v, 64) == NULL);
    CHECK(svm_vmcb_problem(&v, 1000) == NULL);
    CHECK(svm_vmcb_problem(&v, MAXPHYADDR) != NULL);
    v.save.cr3 = 1ull << 52;
    CHECK_STR(svm_vmcb_problem(&v, 0), "CR3 has a bit set at or above MAXPHYADDR");
}

TEST(svm_names_vmrun_failure_format)
{
    static struct vmcb v;

    good_vmcb(&v);
    v.save.cr0 |= CR0_NW;
    CHECK_FORMATS("VMEXIT_INVALID: CR0.CD is clear and CR0.NW is set",
                  svm_vmrun_failure_format(&v, MAXPHYADDR, buf, size));
    good_vmcb(&v);
    {
        char buf[512];
        int n = svm_vmrun_failure_format(&v, MAXPHYADDR, buf, sizeof(buf));

        CHECK(n > 0 && (size_t)n < sizeof(buf));
        CHECK(strncmp(buf, "VMEXIT_INVALID: no checked rule violated (APM 15.5.1: ", 54) == 0);
    }
    v.control.exit_code = SVM_EXIT_BUSY;
    CHECK_FORMATS("VMRUN refused the VMCB (VMEXIT_BUSY): the BUSY bit is set in the VMSA",
                  svm_vmrun_failure_format(&v, MAXPHYADDR, buf, size));
    v.control.exit_code = SVM_EXIT_HLT;
    CHECK_FORMATS("not a VMRUN failure", svm_vmrun_failure_format(&v, MAXPHYADDR, buf, size));
}

/* A hostile or garbage VMCB: every byte pattern gives a rule or NULL, never
 * a crash. */
TEST(svm_names_vmcb_garbage)
{
    static struct vmcb v;
    uint32_t seed = 12345;

    for (unsigned round = 0; round < 200; round++) {
        uint8_t *p = (uint8_t *)&v;

        for (size_t i = 0; i < sizeof(v); i++) {
            seed = seed * 1103515245u + 12345u;
            p[i] = (uint8_t)(seed >> 16);
        }
        const char *problem = svm_vmcb_problem(&v, round % 60);
        char buf[64];
        int n = svm_vmrun_failure_format(&v, round % 60, buf, sizeof(buf));

        CHECK(problem == NULL || strlen(problem) > 0);
        CHECK(n > 0);
        CHECK(strlen(buf) < sizeof(buf));
    }
}

TEST_SUITE(svm_names,
           UNIT(svm_names_exit_codes),
           UNIT(svm_names_exit_code_ranges),
           UNIT(svm_names_exit_code_sweep),
           UNIT(svm_names_bits),
           UNIT(svm_names_event_decode),
           UNIT(svm_names_event_format),
           UNIT(svm_names_format_truncation),
           UNIT(svm_names_event_sweep),
           UNIT(svm_names_ioio),
           UNIT(svm_names_ioio_sweep),
           UNIT(svm_names_npf),
           UNIT(svm_names_vmrun_failure_words),
           UNIT(svm_names_vmcb_good),
           UNIT(svm_names_vmcb_rules),
           UNIT(svm_names_vmcb_map_limits),
           UNIT(svm_names_vmrun_failure_format),
           UNIT(svm_names_vmcb_garbage));
