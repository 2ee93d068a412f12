/*
 * I/O exits: the ports Kestrel intercepts (core/port_io.c decides each
 * access), including the string forms INS/OUTS with and without REP, one
 * element at a time through the guest's page tables.  The backend decoded
 * the port, size and direction; the string forms are decoded again from
 * the instruction bytes (address size, segment, REP), and must agree.
 */
#include "core/exit_handlers.h"
#include "core/guest_mem.h"
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
    vcpu_inject_gp(v);
    return EXIT_RESUME;
}

/* The segment base an operand uses: 0 for ES, CS, SS, DS in 64-bit mode. */
static uint64_t segment_base(struct vcpu *v, const struct guest_view *view, unsigned seg)
{
    if (view->code_bits == 64 && seg != INSN_SEG_FS && seg != INSN_SEG_GS) {
        return 0;
    }
    return v->vm->ops->segment_base(v, seg);
}

static enum exit_action string_io(struct vcpu *v, const struct io_access *io)
{
    struct guest_view view;
    uint8_t bytes[INSN_MAX_LENGTH];
    size_t len;
    struct insn_string_io insn;

    v->vm->ops->read_view(v, &view);
    if (guest_fetch_instruction(v, &view, bytes, &len) != GUEST_WALK_OK ||
        insn_decode_string_io(bytes, len, view.code_bits, &insn) != INSN_OK ||
        insn.in != io->in || insn.size != io->size) {
        return refuse_string_io(v, "the instruction cannot be read back and decoded");
    }
    enum gpr ptr = insn.in ? GPR_RDI : GPR_RSI;
    unsigned bits = insn.address_bits;
    uint64_t base = segment_base(v, &view, insn.in ? INSN_SEG_ES : insn.segment);
    int64_t step = (view.rflags & RFLAGS_DF) ? -(int64_t)insn.size : (int64_t)insn.size;
    uint64_t count = insn.rep ? reg_read(v, GPR_RCX, bits) : 1;
    unsigned done = 0;

    while (count > 0 && done < STRING_IO_BATCH) {
        uint64_t at = reg_read(v, ptr, bits);
        uint64_t linear = base + at;
        if (view.code_bits != 64) {
            linear &= 0xffffffffull;
        }
        uint32_t value = 0;
        if (!insn.in && !guest_read_linear_checked(v, &view, linear, &value, insn.size)) {
            return refuse_string_io(v, "its memory operand is not guest RAM");
        }
        struct port_result r = port_io(&v->vm->ports, &v->refusals, v->apic_id, io->port,
                                       insn.size, insn.in, &value);
        if (ended(v, r)) {
            return EXIT_LEAVE;
        }
        if (insn.in && !guest_write_linear_checked(v, &view, linear, &value, insn.size)) {
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
        vcpu_skip_instruction(v);
    }
    return EXIT_RESUME;
}

enum exit_action core_exit_io(struct vcpu *v, const struct io_access *io)
{
    if (io->string) {
        return string_io(v, io);
    }
    uint64_t mask = size_mask(io->size);
    uint32_t value = (uint32_t)(v->regs[GPR_RAX] & mask);
    if (ended(v, port_io(&v->vm->ports, &v->refusals, v->apic_id, io->port, io->size, io->in,
                         &value))) {
        return EXIT_LEAVE;
    }
    if (io->in) {
        v->regs[GPR_RAX] = (v->regs[GPR_RAX] & ~mask) | (value & mask);
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
