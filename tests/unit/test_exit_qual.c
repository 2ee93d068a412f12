/* Unit tests for vmx/exit_qual.c. */
#include "test.h"

#include "vmx/exit_qual.h"

/* Runs a formatter expression into a roomy buffer and checks both the text
 * and the returned length. */
#define CHECK_FORMATS(expected, call_with_buf)                                  \
    do {                                                                        \
        char buf[256];                                                          \
        size_t size = sizeof(buf);                                              \
        int n_ = (call_with_buf);                                               \
        CHECK_STR(buf, expected);                                               \
        CHECK_EQ_U64(n_, strlen(expected));                                     \
    } while (0)

TEST(exit_qual_gpr_names)
{
    CHECK_STR(vmx_gpr_name(0), "rax");
    CHECK_STR(vmx_gpr_name(1), "rcx");
    CHECK_STR(vmx_gpr_name(2), "rdx");
    CHECK_STR(vmx_gpr_name(3), "rbx");
    CHECK_STR(vmx_gpr_name(4), "rsp");
    CHECK_STR(vmx_gpr_name(5), "rbp");
    CHECK_STR(vmx_gpr_name(6), "rsi");
    CHECK_STR(vmx_gpr_name(7), "rdi");
    CHECK_STR(vmx_gpr_name(8), "r8");
    CHECK_STR(vmx_gpr_name(15), "r15");
    CHECK_STR(vmx_gpr_name(16), "?");
}

TEST(exit_qual_exit_reason_split)
{
    struct vmx_exit_reason r = exit_reason_decode(0x80000021u);

    CHECK_EQ_U64(r.basic, EXIT_REASON_ENTRY_INVALID_GUEST_STATE);
    CHECK(r.entry_failure);
    CHECK(!r.pending_mtf && !r.from_vmx_root && !r.enclave_mode && !r.bus_lock);

    r = exit_reason_decode(EXIT_REASON_CPUID);
    CHECK_EQ_U64(r.basic, 10);
    CHECK(!r.entry_failure);

    r = exit_reason_decode(0x1000001eu);           /* I/O exit with a pending MTF exit */
    CHECK_EQ_U64(r.basic, EXIT_REASON_IO);
    CHECK(r.pending_mtf && !r.entry_failure);

    r = exit_reason_decode(0x2c000000u | EXIT_REASON_EPT_VIOLATION);
    CHECK_EQ_U64(r.basic, 48);
    CHECK(r.bus_lock && r.enclave_mode && r.from_vmx_root && !r.pending_mtf);
}

TEST(exit_qual_cr_access)
{
    /* mov cr3, rax */
    struct cr_access_qual q = exit_qual_cr_access(0x3);
    CHECK_EQ_U64(q.cr, 3);
    CHECK_EQ_U64(q.access, CR_ACCESS_MOV_TO_CR);
    CHECK_EQ_U64(q.gpr, 0);
    CHECK_FORMATS("mov to cr3 from rax", exit_qual_cr_access_format(&q, buf, size));

    /* mov rbx, cr3 */
    q = exit_qual_cr_access(0x313);
    CHECK_EQ_U64(q.cr, 3);
    CHECK_EQ_U64(q.access, CR_ACCESS_MOV_FROM_CR);
    CHECK_EQ_U64(q.gpr, 3);
    CHECK_FORMATS("mov from cr3 to rbx", exit_qual_cr_access_format(&q, buf, size));

    /* mov cr8, r12 and mov cr4, rsp */
    q = exit_qual_cr_access(0xc08);
    CHECK_EQ_U64(q.cr, 8);
    CHECK_EQ_U64(q.gpr, 12);
    CHECK_FORMATS("mov to cr8 from r12", exit_qual_cr_access_format(&q, buf, size));
    q = exit_qual_cr_access(0x404);
    CHECK_FORMATS("mov to cr4 from rsp", exit_qual_cr_access_format(&q, buf, size));

    /* clts */
    q = exit_qual_cr_access(0x20);
    CHECK_EQ_U64(q.access, CR_ACCESS_CLTS);
    CHECK_EQ_U64(q.cr, 0);
    CHECK_FORMATS("clts", exit_qual_cr_access_format(&q, buf, size));

    /* lmsw ax with source 0x0001, and lmsw [mem] with 0x8001 */
    q = exit_qual_cr_access(0x10030);
    CHECK_EQ_U64(q.access, CR_ACCESS_LMSW);
    CHECK(!q.lmsw_memory);
    CHECK_EQ_U64(q.lmsw_source, 1);
    CHECK_FORMATS("lmsw 0x0001 from register", exit_qual_cr_access_format(&q, buf, size));
    q = exit_qual_cr_access(0x80010070ull);
    CHECK(q.lmsw_memory);
    CHECK_EQ_U64(q.lmsw_source, 0x8001);
    CHECK_FORMATS("lmsw 0x8001 from memory", exit_qual_cr_access_format(&q, buf, size));

    /* Reserved high bits are ignored. */
    q = exit_qual_cr_access(0xffffffff00000313ull);
    CHECK_EQ_U64(q.cr, 3);
    CHECK_EQ_U64(q.gpr, 3);
}

TEST(exit_qual_dr_access)
{
    struct dr_access_qual q = exit_qual_dr_access(0x7);

    CHECK_EQ_U64(q.dr, 7);
    CHECK(!q.from_dr);
    CHECK_EQ_U64(q.gpr, 0);
    CHECK_FORMATS("mov to dr7 from rax", exit_qual_dr_access_format(&q, buf, size));

    q = exit_qual_dr_access(0x116);
    CHECK_EQ_U64(q.dr, 6);
    CHECK(q.from_dr);
    CHECK_EQ_U64(q.gpr, 1);
    CHECK_FORMATS("mov from dr6 to rcx", exit_qual_dr_access_format(&q, buf, size));

    q = exit_qual_dr_access(0xf00);
    CHECK_FORMATS("mov to dr0 from r15", exit_qual_dr_access_format(&q, buf, size));
}

TEST(exit_qual_io)
{
    /* out dx, al to COM1 */
    struct io_qual q = exit_qual_io(0x03f80000);
    CHECK_EQ_U64(q.size, 1);
    CHECK(!q.in && !q.string && !q.rep && !q.immediate);
    CHECK_EQ_U64(q.port, 0x3f8);
    CHECK_FORMATS("outb port 0x3f8 (dx)", exit_qual_io_format(&q, buf, size));

    /* in eax, dx from PCI config data */
    q = exit_qual_io(0x0cfc000b);
    CHECK_EQ_U64(q.size, 4);
    CHECK(q.in);
    CHECK_EQ_U64(q.port, 0xcfc);
    CHECK_FORMATS("inl port 0xcfc (dx)", exit_qual_io_format(&q, buf, size));

    /* rep insw from the IDE data port */
    q = exit_qual_io(0x01f00039);
    CHECK_EQ_U64(q.size, 2);
    CHECK(q.in && q.string && q.rep && !q.immediate);
    CHECK_FORMATS("rep insw port 0x1f0 (dx)", exit_qual_io_format(&q, buf, size));

    /* out 0x80, al (immediate) and outsb */
    q = exit_qual_io(0x00800040);
    CHECK(q.immediate);
    CHECK_EQ_U64(q.port, 0x80);
    CHECK_FORMATS("outb port 0x80 (imm)", exit_qual_io_format(&q, buf, size));
    q = exit_qual_io(0xffff0010);
    CHECK_FORMATS("outsb port 0xffff (dx)", exit_qual_io_format(&q, buf, size));

    /* Size encoding 2 is not used by the SDM. */
    q = exit_qual_io(0x00600002 | 0x8);
    CHECK_EQ_U64(q.size, 0);
    CHECK_FORMATS("in? port 0x60 (dx)", exit_qual_io_format(&q, buf, size));
}

TEST(exit_qual_ept_violation)
{
    /* A write to a read/execute page, through a linear address. */
    struct ept_violation_qual q = exit_qual_ept_violation(0x1aa);
    CHECK(!q.read && q.write && !q.fetch);
    CHECK(q.allowed_read && !q.allowed_write && q.allowed_exec && !q.allowed_user_exec);
    CHECK(q.linear_valid && q.translation);
    CHECK(!q.nmi_unblocking);
    CHECK_FORMATS("write at gpa 0x1000 (linear 0xffff8000 valid), entry allowed r-x",
                  exit_qual_ept_violation_format(&q, 0x1000, 0xffff8000, buf, size));

    /* A fetch from an unmapped page, no linear address. */
    q = exit_qual_ept_violation(0x4);
    CHECK(q.fetch && !q.linear_valid && !q.translation);
    CHECK_FORMATS("fetch at gpa 0xfee00000 (no linear address), entry allowed ---",
                  exit_qual_ept_violation_format(&q, 0xfee00000, 0x1234, buf, size));

    /* A guest page walk setting an accessed flag on a read-only page, after
     * an IRET unblocked NMIs. */
    q = exit_qual_ept_violation(0x108b);
    CHECK(q.read && q.write && q.allowed_read && q.linear_valid && !q.translation);
    CHECK(q.nmi_unblocking);
    CHECK_FORMATS("read+write at gpa 0x7000 (linear 0x401000 valid, page walk), "
                  "entry allowed r--, nmi unblocked",
                  exit_qual_ept_violation_format(&q, 0x7000, 0x401000, buf, size));

    /* Bit 8 means nothing without bit 7; mode-based execute adds 'u'. */
    q = exit_qual_ept_violation(0x17c);
    CHECK(!q.linear_valid && !q.translation);
    CHECK(q.allowed_user_exec);
    CHECK_FORMATS("fetch at gpa 0x0 (no linear address), entry allowed rwxu",
                  exit_qual_ept_violation_format(&q, 0, 0, buf, size));

    /* Advanced information and the later bits. */
    q = exit_qual_ept_violation(0x1ee00);
    CHECK(q.user_linear && q.writable_linear && q.nx_linear);
    CHECK(q.shadow_stack && q.supervisor_shadow_stack && q.guest_paging_verify && q.asynchronous);
    CHECK_FORMATS("access at gpa 0x0 (no linear address), entry allowed ---",
                  exit_qual_ept_violation_format(&q, 0, 0, buf, size));
}

TEST(exit_qual_intr_info)
{
    /* #PF with an error code */
    struct intr_info i = intr_info_decode(0x80000b0e);
    CHECK_EQ_U64(i.vector, 14);
    CHECK_EQ_U64(i.type, INTR_TYPE_HARDWARE_EXCEPTION);
    CHECK(i.error_code_valid && i.valid && !i.nmi_unblocking);
    CHECK_FORMATS("hardware_exception vector 14 (#PF), error code 0x2",
                  intr_info_format(&i, 2, buf, size));

    i = intr_info_decode(0x80000020);
    CHECK_EQ_U64(i.type, INTR_TYPE_EXTERNAL_INTERRUPT);
    CHECK(!i.error_code_valid);
    CHECK_FORMATS("external_interrupt vector 32", intr_info_format(&i, 0xdead, buf, size));

    i = intr_info_decode(0x80001202);
    CHECK_EQ_U64(i.type, INTR_TYPE_NMI);
    CHECK(i.nmi_unblocking);
    CHECK_FORMATS("nmi vector 2, nmi unblocked", intr_info_format(&i, 0, buf, size));

    i = intr_info_decode(0x80000603);               /* int3 */
    CHECK_FORMATS("software_exception vector 3 (#BP)", intr_info_format(&i, 0, buf, size));
    i = intr_info_decode(0x80000480);               /* int 0x80 */
    CHECK_FORMATS("software_interrupt vector 128", intr_info_format(&i, 0, buf, size));
    i = intr_info_decode(0x80000b0d);               /* #GP(0x18) */
    CHECK_FORMATS("hardware_exception vector 13 (#GP), error code 0x18",
                  intr_info_format(&i, 0x18, buf, size));
    i = intr_info_decode(0x80000316);               /* vector 22 has no mnemonic */
    CHECK_FORMATS("hardware_exception vector 22", intr_info_format(&i, 0, buf, size));

    i = intr_info_decode(0x00000b0e);
    CHECK(!i.valid);
    CHECK_FORMATS("none", intr_info_format(&i, 0, buf, size));
}

TEST(exit_qual_entry_failure)
{
    CHECK_FORMATS("invalid guest state", vm_entry_failure_format(0x80000021u, 0, buf, size));
    CHECK_FORMATS("invalid guest state (loading PDPTEs failed)",
                  vm_entry_failure_format(0x80000021u, 2, buf, size));
    CHECK_FORMATS("invalid guest state (NMI injection while blocked by STI)",
                  vm_entry_failure_format(0x80000021u, 3, buf, size));
    CHECK_FORMATS("invalid guest state (invalid VMCS link pointer)",
                  vm_entry_failure_format(0x80000021u, 4, buf, size));
    CHECK_FORMATS("invalid guest state (qualification 9)",
                  vm_entry_failure_format(0x80000021u, 9, buf, size));
    CHECK_FORMATS("MSR loading failed at entry 3",
                  vm_entry_failure_format(0x80000022u, 3, buf, size));
    CHECK_FORMATS("machine-check event", vm_entry_failure_format(0x80000029u, 0, buf, size));
    CHECK_FORMATS("VM-entry failure with exit reason 48 (ept_violation)",
                  vm_entry_failure_format(0x80000030u, 0, buf, size));
    CHECK_FORMATS("not a VM-entry failure", vm_entry_failure_format(0x21, 0, buf, size));
}

/* Every size from 0 up: a prefix of the full text, always terminated, and
 * the full length returned. */
TEST(exit_qual_truncation)
{
    struct ept_violation_qual q = exit_qual_ept_violation(0x108b);
    char full[256];
    int len = exit_qual_ept_violation_format(&q, 0x7000, 0x401000, full, sizeof(full));

    CHECK(len > 0 && (size_t)len < sizeof(full));
    CHECK_EQ_U64(exit_qual_ept_violation_format(&q, 0x7000, 0x401000, NULL, 0), len);
    for (size_t size = 1; size <= (size_t)len + 1; size++) {
        char buf[256];

        memset(buf, 'Z', sizeof(buf));
        CHECK_EQ_U64(exit_qual_ept_violation_format(&q, 0x7000, 0x401000, buf, size), len);
        CHECK_EQ_U64(strlen(buf), size - 1 < (size_t)len ? size - 1 : (size_t)len);
        CHECK(strncmp(buf, full, strlen(buf)) == 0);
        CHECK(buf[size] == 'Z');
    }
}

TEST_SUITE(exit_qual,
           UNIT(exit_qual_gpr_names),
           UNIT(exit_qual_exit_reason_split),
           UNIT(exit_qual_cr_access),
           UNIT(exit_qual_dr_access),
           UNIT(exit_qual_io),
           UNIT(exit_qual_ept_violation),
           UNIT(exit_qual_intr_info),
           UNIT(exit_qual_entry_failure),
           UNIT(exit_qual_truncation));
