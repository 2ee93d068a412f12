/*
 * Every VMCS field software can write, and how Kestrel initialises it:
 * which part of the set-up writes it, or which control makes it unused
 * (SDM vol. 3D appendix B lists the fields; vol. 3C ch. 25 says when each
 * is used).  Pure: tests/unit/test_vmcs_init.c checks this list against the
 * SDM's fields, and vmx/vmcs_init.c checks at run time that the set-up
 * wrote exactly the fields the list says for the controls in use
 * (vmcs_init_first_wrong), so neither can drift from the other.
 *
 * A field the CPU does not have must not be written (VMWRITE fails), so a
 * row written "when its gate's control is 1" is written only then; a row
 * that is never written names the control Kestrel never sets that would
 * make it used (docs/vmx.md "VMCS initialisation").
 */
#ifndef KESTREL_VMX_VMCS_INIT_LIST_H
#define KESTREL_VMX_VMCS_INIT_LIST_H

#include <stdbool.h>
#include <stdint.h>

/* Who writes the field. */
enum vmcs_writer {
    VMCS_BY_CONTROLS,      /* vmcs_create: the execution, exit and entry controls */
    VMCS_BY_HOST_STATE,    /* vmcs_create: the host-state area */
    VMCS_BY_GUEST_START,   /* each guest start state: 64-bit / 32-bit entry, INIT */
    VMCS_BY_EACH_ENTRY,    /* vmx_entry.asm, before every VM entry */
    VMCS_NOT_WRITTEN,      /* unused: its gate is never met */
};

/* The condition under which the CPU uses a field. */
enum vmcs_gate {
    VMCS_GATE_ALWAYS,      /* used on every entry or exit */
    VMCS_GATE_PIN,         /* a pin-based control bit */
    VMCS_GATE_PROC,        /* a primary processor-based control bit */
    VMCS_GATE_PROC2,       /* a secondary processor-based control bit */
    VMCS_GATE_PROC3,       /* a tertiary processor-based control bit */
    VMCS_GATE_EXIT,        /* a primary VM-exit control bit */
    VMCS_GATE_EXIT2,       /* a secondary VM-exit control bit */
    VMCS_GATE_ENTRY,       /* a VM-entry control bit */
    VMCS_GATE_COUNT,       /* only the first <count field> entries are used; the count is 0 */
    VMCS_GATE_SMM_MONITOR, /* only with the dual-monitor treatment of SMM, never activated */
    VMCS_GATE_SEAM,        /* only in SEAM VMX operation (the TDX module) */
};

struct vmcs_init_row {
    uint32_t field;            /* the encoding (vmx/vmcs_fields.h) */
    enum vmcs_writer writer;
    enum vmcs_gate gate;
    uint64_t gate_bit;         /* the control bit; VMCS_GATE_COUNT: the count field */
    const char *gate_name;     /* the control (or count) in the SDM's words */
};

extern const struct vmcs_init_row vmcs_init_rows[];
extern const unsigned vmcs_init_row_count;

/* The controls a VMCS runs with, as the gates read them (tertiary and
 * secondary exit controls: 0 unless activated). */
struct vmcs_gate_controls {
    uint32_t pin, proc, proc2, exit, entry;
    uint64_t proc3, exit2;
};

/* Whether the CPU uses the row's field with these controls.  A count gate
 * counts as unused: its count field is written 0. */
bool vmcs_row_used(const struct vmcs_init_row *row, const struct vmcs_gate_controls *c);

/* The row of a field, or -1. */
int vmcs_init_row_index(uint32_t field);

/* Bits by row index: what the set-up wrote. */
#define VMCS_INIT_WRITTEN_BYTES 40
struct vmcs_init_written {
    uint8_t bits[VMCS_INIT_WRITTEN_BYTES];
    uint32_t unlisted;        /* a field written that the list does not have; 0: none */
};

void vmcs_init_mark(struct vmcs_init_written *w, uint32_t field);

/* After the set-up (controls, host state, a guest start): the first row
 * that is used but was not written (*missing true), or written though
 * unused (*missing false); NULL when the set-up matches the list (w->unlisted
 * is the caller's to look at).  VMCS_BY_EACH_ENTRY rows are not looked at. */
const struct vmcs_init_row *vmcs_init_first_wrong(const struct vmcs_init_written *w,
                                                  const struct vmcs_gate_controls *c,
                                                  bool *missing);

#endif
