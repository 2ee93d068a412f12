/*
 * Decoding of VM-exit information: the exit reason field, exit
 * qualifications (SDM vol. 3C, "Exit Qualification for VM Exits"), and
 * interruption-information fields.  Pure code: decoders take the raw field
 * values (read by the caller with VMREAD) and return plain structs;
 * formatters write one readable phrase into a caller buffer.
 *
 * Formatters have snprintf semantics (lib/fmt.h ksnprintf): the output is
 * always NUL-terminated when size > 0, and the return value is the length
 * the whole phrase would have had.
 */
#ifndef KESTREL_VMX_EXIT_QUAL_H
#define KESTREL_VMX_EXIT_QUAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/vmx_bits.h"

/* Lowercase name of a general-purpose register in the SDM's encoding order
 * (0 rax, 1 rcx, 2 rdx, 3 rbx, 4 rsp, 5 rbp, 6 rsi, 7 rdi, 8..15 r8..r15);
 * "?" above 15. */
const char *vmx_gpr_name(unsigned index);

/* ---- exit reason ---------------------------------------------------------- */

struct vmx_exit_reason {
    uint16_t basic;             /* bits 15:0, enum exit_reason */
    bool bus_lock;              /* bit 26 */
    bool enclave_mode;          /* bit 27 */
    bool pending_mtf;           /* bit 28 */
    bool from_vmx_root;         /* bit 29 */
    bool entry_failure;         /* bit 31 */
};

struct vmx_exit_reason exit_reason_decode(uint32_t raw);

/* ---- control-register access (exit reason 28) ----------------------------- */

#define CR_QUAL_NUMBER_MASK     0xfull          /* bits 3:0 */
#define CR_QUAL_ACCESS_SHIFT    4               /* bits 5:4 */
#define CR_QUAL_ACCESS_MASK     (3ull << 4)
#define CR_QUAL_LMSW_MEMORY     (1ull << 6)
#define CR_QUAL_GPR_SHIFT       8               /* bits 11:8 */
#define CR_QUAL_GPR_MASK        (0xfull << 8)
#define CR_QUAL_LMSW_SRC_SHIFT  16              /* bits 31:16 */
#define CR_QUAL_LMSW_SRC_MASK   (0xffffull << 16)

enum cr_access_type {
    CR_ACCESS_MOV_TO_CR = 0,
    CR_ACCESS_MOV_FROM_CR = 1,
    CR_ACCESS_CLTS = 2,
    CR_ACCESS_LMSW = 3,
};

struct cr_access_qual {
    uint8_t cr;                 /* 0, 3, 4 or 8; 0 for CLTS and LMSW */
    uint8_t access;             /* enum cr_access_type */
    uint8_t gpr;                /* MOV CR: the register, 0..15 (vmx_gpr_name) */
    bool lmsw_memory;           /* LMSW: operand in memory (else a register) */
    uint16_t lmsw_source;       /* LMSW: the source data */
};

struct cr_access_qual exit_qual_cr_access(uint64_t qual);
/* "mov to cr3 from rax", "mov from cr8 to r12", "clts",
 * "lmsw 0x0001 from register" */
int exit_qual_cr_access_format(const struct cr_access_qual *q, char *buf, size_t size);

/* ---- MOV DR (exit reason 29) ---------------------------------------------- */

#define DR_QUAL_NUMBER_MASK     7ull            /* bits 2:0 */
#define DR_QUAL_FROM_DR         (1ull << 4)     /* direction: 1 = MOV from DR */
#define DR_QUAL_GPR_SHIFT       8               /* bits 11:8 */
#define DR_QUAL_GPR_MASK        (0xfull << 8)

struct dr_access_qual {
    uint8_t dr;                 /* 0..7 */
    bool from_dr;               /* MOV from DR (read); else MOV to DR */
    uint8_t gpr;                /* 0..15 */
};

struct dr_access_qual exit_qual_dr_access(uint64_t qual);
/* "mov to dr7 from rax", "mov from dr6 to rcx" */
int exit_qual_dr_access_format(const struct dr_access_qual *q, char *buf, size_t size);

/* ---- I/O instruction (exit reason 30) ------------------------------------- */

#define IO_QUAL_SIZE_MASK       7ull            /* bits 2:0: 0 1-byte, 1 2-byte, 3 4-byte */
#define IO_QUAL_IN              (1ull << 3)     /* direction: 1 = IN */
#define IO_QUAL_STRING          (1ull << 4)
#define IO_QUAL_REP             (1ull << 5)
#define IO_QUAL_IMMEDIATE       (1ull << 6)     /* operand encoding: 1 = immediate, 0 = DX */
#define IO_QUAL_PORT_SHIFT      16              /* bits 31:16 */
#define IO_QUAL_PORT_MASK       (0xffffull << 16)

struct io_qual {
    uint8_t size;               /* 1, 2 or 4 bytes; 0 for the reserved size encoding */
    bool in;                    /* IN/INS; else OUT/OUTS */
    bool string;                /* INS/OUTS */
    bool rep;                   /* REP prefix */
    bool immediate;             /* port from an immediate; else from DX */
    uint16_t port;
};

struct io_qual exit_qual_io(uint64_t qual);
/* The instruction as a mnemonic: "outb port 0x3f8 (dx)",
 * "rep insw port 0x1f0 (dx)", "inl port 0x71 (imm)"; a reserved size
 * prints as '?' ("in? port ..."). */
int exit_qual_io_format(const struct io_qual *q, char *buf, size_t size);

/* ---- EPT violation (exit reason 48) --------------------------------------- */

#define EPT_QUAL_READ           (1ull << 0)     /* the access was a data read */
#define EPT_QUAL_WRITE          (1ull << 1)     /* a data write */
#define EPT_QUAL_FETCH          (1ull << 2)     /* an instruction fetch */
#define EPT_QUAL_ALLOWED_READ   (1ull << 3)     /* the EPT entries allowed reads */
#define EPT_QUAL_ALLOWED_WRITE  (1ull << 4)
#define EPT_QUAL_ALLOWED_EXEC   (1ull << 5)     /* supervisor-mode execute with MBEC */
#define EPT_QUAL_ALLOWED_USER_EXEC (1ull << 6)  /* with MBEC only */
#define EPT_QUAL_LINEAR_VALID   (1ull << 7)     /* VMCS_RO_GUEST_LINEAR_ADDRESS is valid */
#define EPT_QUAL_TRANSLATION    (1ull << 8)     /* access to the translation (else to a paging-structure entry) */
#define EPT_QUAL_USER_LINEAR    (1ull << 9)     /* advanced info: U/S of the linear address */
#define EPT_QUAL_WRITABLE_LINEAR (1ull << 10)   /* advanced info: R/W of the linear address */
#define EPT_QUAL_NX_LINEAR      (1ull << 11)    /* advanced info: XD of the linear address */
#define EPT_QUAL_NMI_UNBLOCKING (1ull << 12)    /* NMI unblocking due to IRET */
#define EPT_QUAL_SHADOW_STACK   (1ull << 13)    /* shadow-stack access */
#define EPT_QUAL_SUPERVISOR_SHADOW_STACK (1ull << 14)
#define EPT_QUAL_GUEST_PAGING_VERIFY (1ull << 15)
#define EPT_QUAL_ASYNCHRONOUS   (1ull << 16)    /* asynchronous to instruction execution */

struct ept_violation_qual {
    bool read, write, fetch;                    /* what the access was */
    bool allowed_read, allowed_write, allowed_exec, allowed_user_exec;
    bool linear_valid;                          /* guest-linear address valid */
    bool translation;                           /* linear_valid only: the access was to the
                                                 * translated address, not a page walk */
    bool user_linear, writable_linear, nx_linear;
    bool nmi_unblocking;
    bool shadow_stack, supervisor_shadow_stack;
    bool guest_paging_verify, asynchronous;
};

struct ept_violation_qual exit_qual_ept_violation(uint64_t qual);
/* gpa is VMCS_RO_GUEST_PHYSICAL_ADDRESS, linear VMCS_RO_GUEST_LINEAR_ADDRESS
 * (printed only when valid): "write at gpa 0x1000 (linear 0xffff8000 valid),
 * entry allowed r-x".  A page-walk access adds ", page walk" inside the
 * parentheses; a set user-execute bit prints as a fourth letter 'u'; NMI
 * unblocking appends ", nmi unblocked". */
int exit_qual_ept_violation_format(const struct ept_violation_qual *q, uint64_t gpa,
                                   uint64_t linear, char *buf, size_t size);

/* ---- interruption information ----------------------------------------------
 * VM-exit interruption information, IDT-vectoring information, VM-entry
 * interruption information. */

struct intr_info {
    uint8_t vector;
    uint8_t type;               /* enum intr_type */
    bool error_code_valid;
    bool nmi_unblocking;
    bool valid;
};

struct intr_info intr_info_decode(uint32_t info);
/* "none" when not valid; otherwise e.g.
 * "hardware_exception vector 14 (#PF), error code 0x2",
 * "external_interrupt vector 32", "nmi vector 2, nmi unblocked".
 * error_code (the matching error-code field) prints only when valid. */
int intr_info_format(const struct intr_info *i, uint32_t error_code, char *buf, size_t size);

/* ---- VM-entry failures (exit reasons 33, 34, 41 with bit 31 set) ----------
 * Writes what went wrong: "invalid guest state" (with the qualification's
 * detail in parentheses when it gives one), "MSR loading failed at entry N"
 * (N counts from 1), "machine-check event"; "not a VM-entry failure" when
 * bit 31 of exit_reason is clear. */
int vm_entry_failure_format(uint32_t exit_reason, uint64_t qual, char *buf, size_t size);

#endif
