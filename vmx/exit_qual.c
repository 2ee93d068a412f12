/* Decoding of VM-exit information (see exit_qual.h). */
#include "vmx/exit_qual.h"
#include "vmx/vmx_names.h"
#include "lib/fmt.h"
#include "lib/text_out.h"


/* ---- registers ------------------------------------------------------------ */

static const char *const gpr_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

const char *vmx_gpr_name(unsigned index)
{
    return index < 16 ? gpr_names[index] : "?";
}

/* ---- exit reason ---------------------------------------------------------- */

struct vmx_exit_reason exit_reason_decode(uint32_t raw)
{
    struct vmx_exit_reason r = {
        .basic = (uint16_t)(raw & EXIT_REASON_BASIC_MASK),
        .bus_lock = (raw & EXIT_REASON_FLAG_BUS_LOCK) != 0,
        .enclave_mode = (raw & EXIT_REASON_FLAG_ENCLAVE_MODE) != 0,
        .pending_mtf = (raw & EXIT_REASON_FLAG_PENDING_MTF) != 0,
        .from_vmx_root = (raw & EXIT_REASON_FLAG_FROM_VMX_ROOT) != 0,
        .entry_failure = (raw & EXIT_REASON_FLAG_ENTRY_FAILURE) != 0,
    };

    return r;
}

/* ---- control-register access ---------------------------------------------- */

struct cr_access_qual exit_qual_cr_access(uint64_t qual)
{
    struct cr_access_qual q = {
        .cr = (uint8_t)(qual & CR_QUAL_NUMBER_MASK),
        .access = (uint8_t)((qual & CR_QUAL_ACCESS_MASK) >> CR_QUAL_ACCESS_SHIFT),
        .gpr = (uint8_t)((qual & CR_QUAL_GPR_MASK) >> CR_QUAL_GPR_SHIFT),
        .lmsw_memory = (qual & CR_QUAL_LMSW_MEMORY) != 0,
        .lmsw_source = (uint16_t)((qual & CR_QUAL_LMSW_SRC_MASK) >> CR_QUAL_LMSW_SRC_SHIFT),
    };

    return q;
}

int exit_qual_cr_access_format(const struct cr_access_qual *q, char *buf, size_t size)
{
    struct text_out o;

    text_out_init(&o, buf, size);
    switch (q->access) {
    case CR_ACCESS_MOV_TO_CR:
        text_out_printf(&o, "mov to cr%u from %s", q->cr, vmx_gpr_name(q->gpr));
        break;
    case CR_ACCESS_MOV_FROM_CR:
        text_out_printf(&o, "mov from cr%u to %s", q->cr, vmx_gpr_name(q->gpr));
        break;
    case CR_ACCESS_CLTS:
        text_out_printf(&o, "clts");
        break;
    default:
        text_out_printf(&o, "lmsw 0x%04x from %s", q->lmsw_source,
                   q->lmsw_memory ? "memory" : "register");
        break;
    }
    return text_out_len(&o);
}

/* ---- MOV DR --------------------------------------------------------------- */

struct dr_access_qual exit_qual_dr_access(uint64_t qual)
{
    struct dr_access_qual q = {
        .dr = (uint8_t)(qual & DR_QUAL_NUMBER_MASK),
        .from_dr = (qual & DR_QUAL_FROM_DR) != 0,
        .gpr = (uint8_t)((qual & DR_QUAL_GPR_MASK) >> DR_QUAL_GPR_SHIFT),
    };

    return q;
}

int exit_qual_dr_access_format(const struct dr_access_qual *q, char *buf, size_t size)
{
    struct text_out o;

    text_out_init(&o, buf, size);
    if (q->from_dr)
        text_out_printf(&o, "mov from dr%u to %s", q->dr, vmx_gpr_name(q->gpr));
    else
        text_out_printf(&o, "mov to dr%u from %s", q->dr, vmx_gpr_name(q->gpr));
    return text_out_len(&o);
}

/* ---- I/O instruction ------------------------------------------------------ */

struct io_qual exit_qual_io(uint64_t qual)
{
    /* Size encodings 0, 1, 3 mean 1, 2, 4 bytes; the rest are not used. */
    static const uint8_t sizes[8] = { 1, 2, 0, 4, 0, 0, 0, 0 };
    struct io_qual q = {
        .size = sizes[qual & IO_QUAL_SIZE_MASK],
        .in = (qual & IO_QUAL_IN) != 0,
        .string = (qual & IO_QUAL_STRING) != 0,
        .rep = (qual & IO_QUAL_REP) != 0,
        .immediate = (qual & IO_QUAL_IMMEDIATE) != 0,
        .port = (uint16_t)((qual & IO_QUAL_PORT_MASK) >> IO_QUAL_PORT_SHIFT),
    };

    return q;
}

int exit_qual_io_format(const struct io_qual *q, char *buf, size_t size)
{
    struct text_out o;
    char suffix = q->size == 1 ? 'b' : q->size == 2 ? 'w' : q->size == 4 ? 'l' : '?';

    text_out_init(&o, buf, size);
    text_out_printf(&o, "%s%s%s%c port 0x%x (%s)", q->rep ? "rep " : "", q->in ? "in" : "out",
               q->string ? "s" : "", suffix, q->port, q->immediate ? "imm" : "dx");
    return text_out_len(&o);
}

/* ---- EPT violation -------------------------------------------------------- */

struct ept_violation_qual exit_qual_ept_violation(uint64_t qual)
{
    struct ept_violation_qual q = {
        .read = (qual & EPT_QUAL_READ) != 0,
        .write = (qual & EPT_QUAL_WRITE) != 0,
        .fetch = (qual & EPT_QUAL_FETCH) != 0,
        .allowed_read = (qual & EPT_QUAL_ALLOWED_READ) != 0,
        .allowed_write = (qual & EPT_QUAL_ALLOWED_WRITE) != 0,
        .allowed_exec = (qual & EPT_QUAL_ALLOWED_EXEC) != 0,
        .allowed_user_exec = (qual & EPT_QUAL_ALLOWED_USER_EXEC) != 0,
        .linear_valid = (qual & EPT_QUAL_LINEAR_VALID) != 0,
        /* Bit 8 is defined only when bit 7 is set. */
        .translation = (qual & EPT_QUAL_LINEAR_VALID) && (qual & EPT_QUAL_TRANSLATION),
        .user_linear = (qual & EPT_QUAL_USER_LINEAR) != 0,
        .writable_linear = (qual & EPT_QUAL_WRITABLE_LINEAR) != 0,
        .nx_linear = (qual & EPT_QUAL_NX_LINEAR) != 0,
        .nmi_unblocking = (qual & EPT_QUAL_NMI_UNBLOCKING) != 0,
        .shadow_stack = (qual & EPT_QUAL_SHADOW_STACK) != 0,
        .supervisor_shadow_stack = (qual & EPT_QUAL_SUPERVISOR_SHADOW_STACK) != 0,
        .guest_paging_verify = (qual & EPT_QUAL_GUEST_PAGING_VERIFY) != 0,
        .asynchronous = (qual & EPT_QUAL_ASYNCHRONOUS) != 0,
    };

    return q;
}

int exit_qual_ept_violation_format(const struct ept_violation_qual *q, uint64_t gpa,
                                   uint64_t linear, char *buf, size_t size)
{
    struct text_out o;
    const char *sep = "";

    text_out_init(&o, buf, size);
    /* More than one kind can be set (e.g. a read-modify-write). */
    if (q->read) {
        text_out_printf(&o, "read");
        sep = "+";
    }
    if (q->write) {
        text_out_printf(&o, "%swrite", sep);
        sep = "+";
    }
    if (q->fetch) {
        text_out_printf(&o, "%sfetch", sep);
        sep = "+";
    }
    if (*sep == '\0')
        text_out_printf(&o, "access");

    text_out_printf(&o, " at gpa 0x%llx", (unsigned long long)gpa);
    if (q->linear_valid)
        text_out_printf(&o, " (linear 0x%llx valid%s)", (unsigned long long)linear,
                   q->translation ? "" : ", page walk");
    else
        text_out_printf(&o, " (no linear address)");

    text_out_printf(&o, ", entry allowed %c%c%c%s", q->allowed_read ? 'r' : '-',
               q->allowed_write ? 'w' : '-', q->allowed_exec ? 'x' : '-',
               q->allowed_user_exec ? "u" : "");
    if (q->nmi_unblocking)
        text_out_printf(&o, ", nmi unblocked");
    return text_out_len(&o);
}

/* ---- interruption information --------------------------------------------- */

struct intr_info intr_info_decode(uint32_t info)
{
    struct intr_info i = {
        .vector = (uint8_t)(info & INTR_INFO_VECTOR_MASK),
        .type = (uint8_t)((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT),
        .error_code_valid = (info & INTR_INFO_ERROR_CODE_VALID) != 0,
        .nmi_unblocking = (info & INTR_INFO_NMI_UNBLOCKING) != 0,
        .valid = (info & INTR_INFO_VALID) != 0,
    };

    return i;
}

/* Mnemonics of the architectural exception vectors Intel defines. */
static const char *exception_mnemonic(unsigned vector)
{
    static const char *const names[32] = {
        [0] = "#DE",  [1] = "#DB",  [3] = "#BP",  [4] = "#OF",  [5] = "#BR",
        [6] = "#UD",  [7] = "#NM",  [8] = "#DF",  [10] = "#TS", [11] = "#NP",
        [12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF", [17] = "#AC",
        [18] = "#MC", [19] = "#XM", [20] = "#VE", [21] = "#CP",
    };

    return vector < 32 ? names[vector] : NULL;
}

int intr_info_format(const struct intr_info *i, uint32_t error_code, char *buf, size_t size)
{
    struct text_out o;

    text_out_init(&o, buf, size);
    if (!i->valid) {
        text_out_printf(&o, "none");
        return text_out_len(&o);
    }
    text_out_printf(&o, "%s vector %u", interruption_type_name(i->type), i->vector);
    if (i->type == INTR_TYPE_HARDWARE_EXCEPTION || i->type == INTR_TYPE_SOFTWARE_EXCEPTION ||
        i->type == INTR_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION) {
        const char *m = exception_mnemonic(i->vector);

        if (m != NULL)
            text_out_printf(&o, " (%s)", m);
    }
    if (i->error_code_valid)
        text_out_printf(&o, ", error code 0x%x", (unsigned)error_code);
    if (i->nmi_unblocking)
        text_out_printf(&o, ", nmi unblocked");
    return text_out_len(&o);
}

/* ---- VM-entry failures ---------------------------------------------------- */

int vm_entry_failure_format(uint32_t exit_reason, uint64_t qual, char *buf, size_t size)
{
    struct vmx_exit_reason r = exit_reason_decode(exit_reason);
    struct text_out o;

    text_out_init(&o, buf, size);
    if (!r.entry_failure) {
        text_out_printf(&o, "not a VM-entry failure");
        return text_out_len(&o);
    }
    switch (r.basic) {
    case EXIT_REASON_ENTRY_INVALID_GUEST_STATE:
        text_out_printf(&o, "invalid guest state");
        switch (qual) {
        case ENTRY_FAILURE_QUAL_DEFAULT:
            break;
        case ENTRY_FAILURE_QUAL_PDPTE:
            text_out_printf(&o, " (loading PDPTEs failed)");
            break;
        case ENTRY_FAILURE_QUAL_NMI_STI:
            text_out_printf(&o, " (NMI injection while blocked by STI)");
            break;
        case ENTRY_FAILURE_QUAL_LINK_POINTER:
            text_out_printf(&o, " (invalid VMCS link pointer)");
            break;
        default:
            text_out_printf(&o, " (qualification %llu)", (unsigned long long)qual);
            break;
        }
        break;
    case EXIT_REASON_ENTRY_MSR_LOADING:
        /* The qualification counts MSR-load entries from 1. */
        text_out_printf(&o, "MSR loading failed at entry %llu", (unsigned long long)qual);
        break;
    case EXIT_REASON_ENTRY_MACHINE_CHECK:
        text_out_printf(&o, "machine-check event");
        break;
    default:
        text_out_printf(&o, "VM-entry failure with exit reason %u (%s)", (unsigned)r.basic,
                   exit_reason_name(r.basic));
        break;
    }
    return text_out_len(&o);
}
