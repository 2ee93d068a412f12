/*
 * Printable names for VMX numbers: exit reasons, VM-instruction errors, VMCS
 * fields and interruption types.  Pure tables, no hardware access; the same
 * file builds into the kernel and the host unit tests.
 *
 * Every function returns a static string and never NULL.
 */
#ifndef KESTREL_VMX_VMX_NAMES_H
#define KESTREL_VMX_VMX_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "vmx/vmcs_fields.h"

/* Lowercase identifier of a basic exit reason (bits 15:0 of the exit
 * reason), as printed in status lines: "cpuid", "ept_violation", ...
 * Unused or unknown numbers give "unknown". */
const char *exit_reason_name(uint32_t basic);

/* The SDM's words for a VM-instruction error number ("VMLAUNCH with
 * non-clear VMCS").  The SDM's reserved numbers (14, 21, 27) give
 * "reserved VM-instruction error"; 0 and numbers beyond the table give
 * "unknown VM-instruction error". */
const char *vm_instruction_error_text(uint32_t n);

/* Identifier-style name of an interruption type (bits 10:8 of an
 * interruption-information field): "external_interrupt", "nmi",
 * "hardware_exception", ...  Types above 7 give "unknown". */
const char *interruption_type_name(unsigned type);

/* One VMCS field, as listed in VMCS_FIELD_LIST. */
struct vmcs_field_info {
    uint32_t encoding;          /* full encoding (access type 0) */
    uint8_t width;              /* enum vmcs_width, as the list declares it */
    uint8_t type;               /* enum vmcs_type, as the list declares it */
    const char *name;           /* "GUEST_RIP": the #define without VMCS_ */
    const char *high_name;      /* "GUEST_IA32_EFER_HIGH" for 64-bit fields, else NULL */
};

/* Every known field, in ascending encoding order (a VMCS dump walks it). */
extern const struct vmcs_field_info vmcs_field_table[];
extern const size_t vmcs_field_count;

/* The table entry whose full or high encoding is `encoding`, or NULL. */
const struct vmcs_field_info *vmcs_field_lookup(uint32_t encoding);

/* "GUEST_RIP" for VMCS_GUEST_RIP; "GUEST_IA32_EFER_HIGH" for the high half
 * of a 64-bit field; "unknown" for anything else. */
const char *vmcs_field_name(uint32_t encoding);

#endif
