/*
 * I/O instruction exits: the ports Kestrel intercepts (core/port_io.c
 * decides each access), including the string forms INS/OUTS with and
 * without REP, one element at a time through the guest's page tables.
 */
#include "vmx/exit.h"
#include "vmx/exit_guest_mem.h"
#include "vmx/exit_qual.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmcs_fields.h"
#include "core/port_io.h"
#include "core/insn_decode.h"

#define RFLAGS_DF            (1ull << 10)
/* A REP string instruction runs at most this many elements per exit, then
 * is re-executed with the registers it left (as the CPU would, after an
 * interrupt): a long transfer cannot keep a vCPU in root mode. */
#define STRING_IO_BATCH      1024

static uint64_t size_mask(unsigned bytes)
{
    return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

/* Ends the run if the access asked for it; true then. */
static bool ended(struct vcpu *v, struct port_result r)
{
    if (r.end == PORT_GO_ON) {
        return false;
    }
    vm_request_end(v->vm, r.end == PORT_POWER_OFF ? GUEST_POWER_OFF : GUEST_RESET,
                   r.end == PORT_POWER_OFF ? "" : r.how);
    return true;
}

/* A register as the address size sees it, and written back the same way:
 * 64 bits, 32 zero-extended, 16 with the rest kept (SDM vol. 1 3.6). */
static uint64_t reg_read(const struct vcpu *v, enum gpr r, unsigned bits)
{
    return v->regs[r] & size_mask(bits / 8);
}

static void reg_write(struct vcpu *v, enum gpr r, unsigned bits, uint64_t value)
{
    if (bits == 16) {
        v->regs[r] = (v->regs[r] & ~0xffffull) | (value & 0xffff);
    } else {
        v->regs[r] = value & size_mask(bits / 8);
    }
}

static enum exit_action refuse_string_io(struct vcpu *v, const char *why)
{
    refusal_warn(&v->refusals, REFUSAL_IO, v->apic_id,
                 "guest string I/O to an intercepted port refused (#GP): %s", why);
    exit_inject_gp();
    return EXIT_RESUME;
}

static enum exit_action string_io(struct vcpu *v, const struct io_qual *q)
{
    uint8_t bytes[INSN_MAX_LENGTH];
    size_t len;
    struct insn_string_io insn;
    if (exit_fetch_instruction(v, bytes, &len) != GUEST_WALK_OK ||
        insn_decode_string_io(bytes, len, exit_code_bits(), &insn) != INSN_OK ||
        insn.in != q->in || insn.size != q->size) {
        return refuse_string_io(v, "the instruction cannot be read back and decoded");
    }
    enum gpr ptr = insn.in ? GPR_RDI : GPR_RSI;
    unsigned bits = insn.address_bits;
    uint64_t base = exit_segment_base(insn.in ? INSN_SEG_ES : insn.segment);
    int64_t step = (vmcs_readnat(VMCS_GUEST_RFLAGS) & RFLAGS_DF) ? -(int64_t)insn.size
                                                                 : (int64_t)insn.size;
    uint64_t count = insn.rep ? reg_read(v, GPR_RCX, bits) : 1;
    unsigned done = 0;

    while (count > 0 && done < STRING_IO_BATCH) {
        uint64_t at = reg_read(v, ptr, bits);
        uint64_t linear = base + at;
        if (exit_code_bits() != 64) {
            linear &= 0xffffffffull;
        }
        uint32_t value = 0;
        if (!insn.in && !exit_read_linear(v, linear, &value, insn.size)) {
            return refuse_string_io(v, "its memory operand is not guest RAM");
        }
        struct port_result r = port_io(&v->vm->ports, &v->refusals, v->apic_id, q->port,
                                       insn.size, insn.in, &value);
        if (ended(v, r)) {
            return EXIT_LEAVE;
        }
        if (insn.in && !exit_write_linear(v, linear, &value, insn.size)) {
            return refuse_string_io(v, "its memory operand is not guest RAM");
        }
        reg_write(v, ptr, bits, at + (uint64_t)step);
        count--;
        done++;
        if (insn.rep) {
            reg_write(v, GPR_RCX, bits, count);
        }
    }
    if (count == 0) {
        exit_skip_instruction();
    }
    return EXIT_RESUME;
}

enum exit_action handle_io(struct vcpu *v, uint64_t qual)
{
    struct io_qual q = exit_qual_io(qual);
    if (q.size == 0) {
        char words[64];
        exit_qual_io_format(&q, words, sizeof(words));
        return exit_unhandled(v, EXIT_REASON_IO, qual, words);
    }
    if (q.string) {
        return string_io(v, &q);
    }
    uint64_t mask = size_mask(q.size);
    uint32_t value = (uint32_t)(v->regs[GPR_RAX] & mask);
    if (ended(v, port_io(&v->vm->ports, &v->refusals, v->apic_id, q.port, q.size, q.in, &value))) {
        return EXIT_LEAVE;
    }
    if (q.in) {
        v->regs[GPR_RAX] = (v->regs[GPR_RAX] & ~mask) | (value & mask);
    }
    exit_skip_instruction();
    return EXIT_RESUME;
}
