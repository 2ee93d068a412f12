/*
 * SVM numbers and exit information in words: exit-code names, EVENTINJ /
 * EXITINTINFO, the IOIO and nested-page-fault EXITINFO1, and why VMRUN
 * refused a VMCB.  The SVM counterpart of vmx/vmx_names.h and
 * vmx/exit_qual.h: pure code (no hardware access), built into the kernel and
 * into the host unit tests.
 *
 * Decoders take the raw VMCB values and return plain structs; a hostile
 * guest controls every EXITINFO bit, so every value decodes to something
 * printable.  Formatters have snprintf semantics (lib/fmt.h ksnprintf): the
 * output is NUL-terminated when size > 0, and the return value is the length
 * the whole phrase would have had.  Name functions return static strings,
 * never NULL.
 */
#ifndef KESTREL_SVM_SVM_NAMES_H
#define KESTREL_SVM_SVM_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svm/svm_bits.h"
#include "svm/vmcb.h"

/* Lowercase identifier of an exit code (APM appendix C), as printed in
 * status lines: "cpuid", "msr", "ioio", "npf", "vmmcall", "shutdown",
 * "cr0_write", "dr7_read", "excp_db", "cr4_write_trap", "invalid", ...
 * Codes the APM leaves unused give "unknown". */
const char *svm_exit_name(uint64_t code);

/* ---- EVENTINJ / EXITINTINFO (APM 15.20, 15.7.2) ----------------------------- */

struct svm_event {
    bool     valid;                 /* bit 31 */
    uint8_t  vector;                /* bits 7:0 */
    uint8_t  type;                  /* bits 10:8: enum svm_event_type, or 1/5/6/7 (reserved) */
    bool     error_code_valid;      /* bit 11 (EV) */
    bool     reserved_bits;         /* some of bits 30:12 set */
    uint32_t error_code;            /* bits 63:32 */
};

struct svm_event svm_event_decode(uint64_t raw);
/* "none" when not valid; otherwise "external interrupt 0x30", "NMI",
 * "exception 14 (#PF) error 0x2", "exception 6 (#UD)", "software interrupt
 * 0x80", "reserved type 5 vector 0x10".  An error code prints whenever EV is
 * set; set reserved bits append ", reserved bits set". */
int svm_event_format(const struct svm_event *e, char *buf, size_t size);

/* "#PF" for 14, "NMI" for 2 ...; NULL for reserved vectors and above 31. */
const char *svm_exception_mnemonic(unsigned vector);

/* ---- IOIO EXITINFO1 (APM 15.10.2) ------------------------------------------ */

struct svm_ioio {
    uint16_t port;                  /* bits 31:16 */
    uint8_t  size;                  /* 1, 2 or 4; 0 unless exactly one of SZ8/SZ16/SZ32 is set */
    bool     in;                    /* IN/INS; else OUT/OUTS */
    bool     string;                /* INS/OUTS */
    bool     rep;
    uint8_t  address_bits;          /* 16, 32 or 64; 0 unless exactly one of A16/A32/A64 is set */
    uint8_t  segment;               /* bits 12:10: 0 ES .. 5 GS (core/insn_decode.h order); 6, 7 reserved */
};

struct svm_ioio svm_ioio_decode(uint64_t exit_info1);
/* The instruction as a mnemonic: "outb port 0x3f8", "inl port 0xcfc",
 * "rep insw port 0x1f0 (a32, es)": string forms add the address size and
 * segment.  Unknown sizes print as '?' ("in? port ..."), an unknown address
 * size as "a?", a reserved segment as "seg6". */
int svm_ioio_format(const struct svm_ioio *io, char *buf, size_t size);

/* ---- nested page fault EXITINFO1 (APM 15.25.6) -------------------------------- */

struct svm_npf {
    bool present;                   /* P: a protection violation (else not present) */
    bool write;                     /* RW */
    bool user;                      /* US */
    bool reserved;                  /* RSV: a reserved bit set in a nested entry */
    bool fetch;                     /* ID */
    bool protection_key;            /* PK */
    bool shadow_stack;              /* SS */
    bool final_gpa;                 /* bit 32: translating the final guest-physical address */
    bool page_walk;                 /* bit 33: translating a guest page-table entry's address */
};

struct svm_npf svm_npf_decode(uint64_t exit_info1);
/* gpa is EXITINFO2: "write to a not-present page at gpa 0x1000 (during a
 * guest page walk)", "fetch from a protected page at gpa 0xfee00000, user
 * (final translation)", "read of a not-present page at gpa 0x0, reserved bit
 * set".  Flags (user, reserved bit set, protection key, shadow stack) follow
 * the address, the walk stage ends the phrase in parentheses. */
int svm_npf_format(const struct svm_npf *f, uint64_t gpa, char *buf, size_t size);

/* ---- VMRUN failures ------------------------------------------------------------ */

/* For exit code VMEXIT_INVALID, a short text listing the consistency checks
 * of APM 15.5.1 that Kestrel could violate; for VMEXIT_BUSY,
 * VMEXIT_IDLE_REQUIRED and VMEXIT_INVALID_PMC their meaning; for any other
 * code "not a VMRUN failure". */
const char *svm_vmrun_failure_words(uint64_t exit_code);

/*
 * Checks the VMCB against the rules of APM 15.5.1 "Canonicalization and
 * Consistency Checks" (those Kestrel could break; see svm_names.c) and
 * returns the first one violated, in words ("CR0.CD is clear and CR0.NW is
 * set"), or NULL when none is.  maxphyaddr: CPUID 0x80000008 EAX[7:0]; 0 or
 * anything above 52 is taken as 52, the architectural maximum.
 */
const char *svm_vmcb_problem(const struct vmcb *vmcb, unsigned maxphyaddr);

/* The whole line for a failed VMRUN: "VMEXIT_INVALID: <svm_vmcb_problem>",
 * or "VMEXIT_INVALID: no checked rule violated (<the rules>)", or the words
 * for the other failure codes; "not a VMRUN failure" otherwise. */
int svm_vmrun_failure_format(const struct vmcb *vmcb, unsigned maxphyaddr, char *buf,
                             size_t size);

#endif
