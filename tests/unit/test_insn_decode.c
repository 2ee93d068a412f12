/*
 * Unit tests for core/insn_decode.c.  The byte sequences come from real
 * `objdump -d` output: gcc 12 and clang 14 at -O2 compiling volatile stores
 * (x86-64, -m32 and -m16), and GNU as for the forms compilers rarely pick
 * (16-bit addressing, SIB without base, RIP/EIP-relative, segment
 * overrides).  Every case is also decoded truncated at every length and from
 * an exactly-sized heap copy, so ASan catches any read past `avail`.
 */
#include "test.h"

#include "core/insn_decode.h"

#include <stdlib.h>

#define MAXLEN 15

/* ---- the cases --------------------------------------------------------------- */

struct store_case {
    const char *what;            /* the disassembly, for failure messages */
    unsigned bits;               /* code size */
    uint8_t len;
    uint8_t bytes[MAXLEN];
    uint8_t size;
    bool from_register;
    uint8_t reg;
    bool high_byte;
    uint64_t immediate;
    bool exchange;
};

#define REG(what_, bits_, size_, reg_, ...)                                              \
    { .what = what_, .bits = bits_, .len = sizeof((uint8_t[]){ __VA_ARGS__ }),          \
      .bytes = { __VA_ARGS__ }, .size = size_, .from_register = true, .reg = reg_ }
#define HIGH(what_, bits_, reg_, ...)                                                    \
    { .what = what_, .bits = bits_, .len = sizeof((uint8_t[]){ __VA_ARGS__ }),          \
      .bytes = { __VA_ARGS__ }, .size = 1, .from_register = true, .reg = reg_,           \
      .high_byte = true }
#define IMM(what_, bits_, size_, imm_, ...)                                              \
    { .what = what_, .bits = bits_, .len = sizeof((uint8_t[]){ __VA_ARGS__ }),          \
      .bytes = { __VA_ARGS__ }, .size = size_, .immediate = imm_ }
#define XCHG(what_, bits_, size_, reg_, ...)                                             \
    { .what = what_, .bits = bits_, .len = sizeof((uint8_t[]){ __VA_ARGS__ }),          \
      .bytes = { __VA_ARGS__ }, .size = size_, .from_register = true, .reg = reg_,       \
      .exchange = true }
#define XCHG_HIGH(what_, bits_, reg_, ...)                                               \
    { .what = what_, .bits = bits_, .len = sizeof((uint8_t[]){ __VA_ARGS__ }),          \
      .bytes = { __VA_ARGS__ }, .size = 1, .from_register = true, .reg = reg_,           \
      .high_byte = true, .exchange = true }

/* What gcc and clang emit for *(volatile uintN_t *)p = v, = 0, = constant,
 * to a global (RIP-relative) and to a constant address (moffs). */
static const struct store_case compiler_cases[] = {
    /* x86-64 */
    REG("mov %esi,(%rdi)", 64, 4, 6, 0x89, 0x37),
    IMM("movl $0x0,(%rdi)", 64, 4, 0, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x00),
    IMM("movl $0xfee00000,0x100(%rdi)", 64, 4, 0xfee00000,
        0xc7, 0x87, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xe0, 0xfe),
    REG("mov %esi,0x300(%rdi)", 64, 4, 6, 0x89, 0xb7, 0x00, 0x03, 0x00, 0x00),
    REG("mov %edx,(%rdi,%rsi,4)", 64, 4, 2, 0x89, 0x14, 0xb7),
    REG("mov %edx,(%rax)", 64, 4, 2, 0x89, 0x10),
    REG("mov %sil,(%rdi)", 64, 1, 6, 0x40, 0x88, 0x37),
    IMM("movb $0x80,0x5(%rdi)", 64, 1, 0x80, 0xc6, 0x47, 0x05, 0x80),
    REG("mov %si,(%rdi)", 64, 2, 6, 0x66, 0x89, 0x37),
    REG("mov %ax,0x4(%rdi)", 64, 2, 0, 0x66, 0x89, 0x47, 0x04),
    IMM("movw $0xbeef,0x4(%rdi)", 64, 2, 0xbeef, 0x66, 0xc7, 0x47, 0x04, 0xef, 0xbe),
    REG("mov %rsi,(%rdi)", 64, 8, 6, 0x48, 0x89, 0x37),
    IMM("movq $0xffffffff80000000,(%rdi)", 64, 8, 0xffffffff80000000ull,
        0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80),
    IMM("movq $0x0,0x8(%rdi)", 64, 8, 0, 0x48, 0xc7, 0x47, 0x08, 0x00, 0x00, 0x00, 0x00),
    REG("mov %edi,0x0(%rip)", 64, 4, 7, 0x89, 0x3d, 0x00, 0x00, 0x00, 0x00),
    IMM("movb $0x1,0x0(%rip)", 64, 1, 1, 0xc6, 0x05, 0x00, 0x00, 0x00, 0x00, 0x01),
    IMM("movq $0x0,0x0(%rip)", 64, 8, 0,
        0x48, 0xc7, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00),
    REG("mov %di,0x0(%rip)", 64, 2, 7, 0x66, 0x89, 0x3d, 0x00, 0x00, 0x00, 0x00),
    IMM("movb $0x1,(%rax)", 64, 1, 1, 0xc6, 0x00, 0x01),
    IMM("movq $0x0,(%rax)", 64, 8, 0, 0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x00),
    REG("mov %di,(%rax)", 64, 2, 7, 0x66, 0x89, 0x38),
    XCHG("xchg %eax,(%rdi)", 64, 4, 0, 0x87, 0x07),
    XCHG("xchg %esi,(%rdi) (a seq_cst store)", 64, 4, 6, 0x87, 0x37),
    HIGH("mov %ah,(%rdi)", 64, 0, 0x88, 0x27),
    REG("mov %r8d,0x10(%rdi)", 64, 4, 8, 0x44, 0x89, 0x47, 0x10),
    REG("mov %r9d,0x14(%rdi)", 64, 4, 9, 0x44, 0x89, 0x4f, 0x14),
    REG("movabs %eax,0xfee00300", 64, 4, 0, 0xa3, 0x00, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
    REG("movabs %al,0xfec00000", 64, 1, 0, 0xa2, 0x00, 0x00, 0xc0, 0xfe, 0x00, 0x00, 0x00, 0x00),
    REG("mov %edi,(%rcx)", 64, 4, 7, 0x89, 0x39),
    REG("mov %dil,(%rax)", 64, 1, 7, 0x40, 0x88, 0x38),
    /* -m32 */
    REG("mov %edx,(%eax)", 32, 4, 2, 0x89, 0x10),
    IMM("movl $0x0,(%eax)", 32, 4, 0, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x00),
    IMM("movl $0xfee00000,0x100(%eax)", 32, 4, 0xfee00000,
        0xc7, 0x80, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xe0, 0xfe),
    REG("mov %edx,0x300(%eax)", 32, 4, 2, 0x89, 0x90, 0x00, 0x03, 0x00, 0x00),
    REG("mov %dl,(%eax)", 32, 1, 2, 0x88, 0x10),
    IMM("movb $0x80,0x5(%eax)", 32, 1, 0x80, 0xc6, 0x40, 0x05, 0x80),
    REG("mov %dx,(%eax)", 32, 2, 2, 0x66, 0x89, 0x10),
    REG("mov %dx,0x4(%eax)", 32, 2, 2, 0x66, 0x89, 0x50, 0x04),
    REG("mov %ecx,0x4(%eax)", 32, 4, 1, 0x89, 0x48, 0x04),
    IMM("movl $0x80000000,(%eax)", 32, 4, 0x80000000, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80),
    IMM("movl $0xffffffff,0x4(%eax)", 32, 4, 0xffffffff,
        0xc7, 0x40, 0x04, 0xff, 0xff, 0xff, 0xff),
    IMM("movl $0x0,0xfee000b0", 32, 4, 0,
        0xc7, 0x05, 0xb0, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
    REG("mov %eax,0xfee00300", 32, 4, 0, 0xa3, 0x00, 0x03, 0xe0, 0xfe),
    REG("mov %al,0xfec00000", 32, 1, 0, 0xa2, 0x00, 0x00, 0xc0, 0xfe),
    XCHG("xchg %eax,(%edx)", 32, 4, 0, 0x87, 0x02),
    IMM("movb $0x1,(%ecx)", 32, 1, 1, 0xc6, 0x01, 0x01),
    REG("mov %edx,(%ecx)", 32, 4, 2, 0x89, 0x11),
    /* -m16: 32-bit code run in a 16-bit code segment, hence 66 and 67 */
    REG("mov %edx,(%eax)", 16, 4, 2, 0x67, 0x66, 0x89, 0x10),
    IMM("movl $0x0,(%eax)", 16, 4, 0, 0x67, 0x66, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x00),
    IMM("movl $0xfee00000,0x100(%eax)", 16, 4, 0xfee00000,
        0x67, 0x66, 0xc7, 0x80, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xe0, 0xfe),
    REG("mov %edx,0x300(%eax)", 16, 4, 2, 0x67, 0x66, 0x89, 0x90, 0x00, 0x03, 0x00, 0x00),
    REG("mov %dl,(%eax)", 16, 1, 2, 0x67, 0x88, 0x10),
    IMM("movb $0x80,0x5(%eax)", 16, 1, 0x80, 0x67, 0xc6, 0x40, 0x05, 0x80),
    REG("mov %dx,(%eax)", 16, 2, 2, 0x67, 0x89, 0x10),
    REG("mov %dx,0x4(%eax)", 16, 2, 2, 0x67, 0x89, 0x50, 0x04),
    REG("mov %eax,(%edx,%ecx,4)", 16, 4, 0, 0x67, 0x66, 0x89, 0x04, 0x8a),
    REG("mov %al,(%ecx)", 16, 1, 0, 0x67, 0x88, 0x01),
};

/* GNU as, for the remaining ModRM/SIB/prefix forms. */
static const struct store_case assembler_cases[] = {
    /* .code16: 16-bit addressing */
    REG("mov %ax,(%bx,%si)", 16, 2, 0, 0x89, 0x00),
    REG("mov %cx,(%bx,%di)", 16, 2, 1, 0x89, 0x09),
    REG("mov %bx,(%bp,%di)", 16, 2, 3, 0x89, 0x1b),
    REG("mov %sp,(%si)", 16, 2, 4, 0x89, 0x24),
    REG("mov %si,0x1234", 16, 2, 6, 0x89, 0x36, 0x34, 0x12),
    REG("mov %ax,0x12(%bp)", 16, 2, 0, 0x89, 0x46, 0x12),
    REG("mov %ax,0x1234(%bx,%si)", 16, 2, 0, 0x89, 0x80, 0x34, 0x12),
    REG("mov %eax,(%bx)", 16, 4, 0, 0x66, 0x89, 0x07),
    REG("mov %al,(%di)", 16, 1, 0, 0x88, 0x05),
    HIGH("mov %ah,-0x1(%si)", 16, 0, 0x88, 0x64, 0xff),
    IMM("movb $0x7,(%bx)", 16, 1, 7, 0xc6, 0x07, 0x07),
    IMM("movw $0xbeef,0x300(%di)", 16, 2, 0xbeef, 0xc7, 0x85, 0x00, 0x03, 0xef, 0xbe),
    IMM("movl $0xfee00000,(%bx)", 16, 4, 0xfee00000, 0x66, 0xc7, 0x07, 0x00, 0x00, 0xe0, 0xfe),
    REG("mov %ax,0x10(%eax,%ecx,4)", 16, 2, 0, 0x67, 0x89, 0x44, 0x88, 0x10),
    IMM("movw $0x1,%es:(%bx)", 16, 2, 1, 0x26, 0xc7, 0x07, 0x01, 0x00),
    XCHG("xchg %ax,(%bx)", 16, 2, 0, 0x87, 0x07),
    XCHG("xchg %dl,(%si)", 16, 1, 2, 0x86, 0x14),
    REG("mov %ax,0x1234 (A3 moffs16)", 16, 2, 0, 0xa3, 0x34, 0x12),
    /* .code32 */
    REG("mov %ecx,(%esp)", 32, 4, 1, 0x89, 0x0c, 0x24),
    REG("mov %edx,0x8(%ebp)", 32, 4, 2, 0x89, 0x55, 0x08),
    REG("mov %ebx,0x10(,%esi,8)", 32, 4, 3, 0x89, 0x1c, 0xf5, 0x10, 0x00, 0x00, 0x00),
    REG("mov %ax,(%bx,%si)", 32, 2, 0, 0x67, 0x66, 0x89, 0x00),
    HIGH("mov %ah,(%edi)", 32, 0, 0x88, 0x27),
    IMM("movw $0x55aa,0x2(%ecx)", 32, 2, 0x55aa, 0x66, 0xc7, 0x41, 0x02, 0xaa, 0x55),
    IMM("movl $0xfec00010,(%edx)", 32, 4, 0xfec00010, 0xc7, 0x02, 0x10, 0x00, 0xc0, 0xfe),
    IMM("movb $0x1,-0x80(%esi,%edi,2)", 32, 1, 1, 0xc6, 0x44, 0x7e, 0x80, 0x01),
    XCHG("xchg %eax,(%ebx)", 32, 4, 0, 0x87, 0x03),
    REG("mov %eax,0x1122 (addr16 A3)", 32, 4, 0, 0x67, 0xa3, 0x22, 0x11),
    /* .code64 */
    REG("mov %eax,(%rax)", 64, 4, 0, 0x89, 0x00),
    REG("mov %ecx,(%rsp)", 64, 4, 1, 0x89, 0x0c, 0x24),
    REG("mov %edx,0x0(%rbp)", 64, 4, 2, 0x89, 0x55, 0x00),
    REG("mov %ebx,0x7f(%rbp)", 64, 4, 3, 0x89, 0x5d, 0x7f),
    REG("mov %esi,(%r12)", 64, 4, 6, 0x41, 0x89, 0x34, 0x24),
    REG("mov %edi,0x0(%r13)", 64, 4, 7, 0x41, 0x89, 0x7d, 0x00),
    REG("mov %r15d,0x12345678(%r13,%r14,8)", 64, 4, 15,
        0x47, 0x89, 0xbc, 0xf5, 0x78, 0x56, 0x34, 0x12),
    REG("mov %eax,0x10(,%rcx,2)", 64, 4, 0, 0x89, 0x04, 0x4d, 0x10, 0x00, 0x00, 0x00),
    REG("mov %eax,0x11223344", 64, 4, 0, 0x89, 0x04, 0x25, 0x44, 0x33, 0x22, 0x11),
    REG("mov %eax,0x100(%rip)", 64, 4, 0, 0x89, 0x05, 0x00, 0x01, 0x00, 0x00),
    REG("mov %r8,-0x8(%rsp)", 64, 8, 8, 0x4c, 0x89, 0x44, 0x24, 0xf8),
    REG("mov %spl,(%rax)", 64, 1, 4, 0x40, 0x88, 0x20),
    REG("mov %dil,0x1(%rbx,%rdx,1)", 64, 1, 7, 0x40, 0x88, 0x7c, 0x13, 0x01),
    HIGH("mov %bh,(%rcx)", 64, 3, 0x88, 0x39),
    REG("mov %r12b,(%rdx)", 64, 1, 12, 0x44, 0x88, 0x22),
    IMM("movw $0x1234,(%rax)", 64, 2, 0x1234, 0x66, 0xc7, 0x00, 0x34, 0x12),
    IMM("movl $0xffffffff,(%rax)", 64, 4, 0xffffffff, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff),
    IMM("movq $0xffffffffffffffff,(%rax)", 64, 8, 0xffffffffffffffffull,
        0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff),
    IMM("movq $0x7fffffff,0x40(%rsp)", 64, 8, 0x7fffffff,
        0x48, 0xc7, 0x44, 0x24, 0x40, 0xff, 0xff, 0xff, 0x7f),
    IMM("movb $0xff,(%r9)", 64, 1, 0xff, 0x41, 0xc6, 0x01, 0xff),
    XCHG("xchg %r10,(%rdi)", 64, 8, 10, 0x4c, 0x87, 0x17),
    XCHG("xchg %al,(%rsi)", 64, 1, 0, 0x86, 0x06),
    XCHG_HIGH("xchg %bh,(%rsi)", 64, 3, 0x86, 0x3e),
    XCHG("lock xchg %ecx,(%rdx)", 64, 4, 1, 0xf0, 0x87, 0x0a),
    REG("mov %ax,(%eax)", 64, 2, 0, 0x67, 0x66, 0x89, 0x00),
    REG("mov %eax,(%eax,%ebx,4)", 64, 4, 0, 0x67, 0x89, 0x04, 0x98),
    REG("mov %eax,0x20(%eip)", 64, 4, 0, 0x67, 0x89, 0x05, 0x20, 0x00, 0x00, 0x00),
    IMM("movl $0x5,%fs:0x30", 64, 4, 5,
        0x64, 0xc7, 0x04, 0x25, 0x30, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00),
    REG("mov %cx,%gs:(%rdi)", 64, 2, 1, 0x65, 0x66, 0x89, 0x0f),
    REG("addr32 mov %eax,0x44332211", 64, 4, 0, 0x67, 0xa3, 0x11, 0x22, 0x33, 0x44),
    REG("movabs %rax,0x8877665544332211", 64, 8, 0,
        0x48, 0xa3, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88),
    REG("movabs %ax,0x... (66 A3)", 64, 2, 0,
        0x66, 0xa3, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88),
};

/* Prefix orders and REX placement (SDM vol. 2A 2.1.1, 2.2.1). */
static const struct store_case prefix_cases[] = {
    REG("66 then REX.W: REX.W wins", 64, 8, 0, 0x66, 0x48, 0x89, 0x07),
    REG("REX.W then 66: the REX is ignored", 64, 2, 0, 0x48, 0x66, 0x89, 0x07),
    REG("REX.R then ES: ignored, reg 0", 64, 4, 0, 0x44, 0x26, 0x89, 0x07),
    REG("ES then REX.R: reg 8", 64, 4, 8, 0x26, 0x44, 0x89, 0x07),
    REG("REX.R then REX: the last counts, SPL", 64, 1, 4, 0x44, 0x40, 0x88, 0x27),
    REG("REX then REX.R: R12B", 64, 1, 12, 0x40, 0x44, 0x88, 0x27),
    HIGH("REX then 66: ignored, so AH", 64, 0, 0x40, 0x66, 0x88, 0x27),
    REG("REX.W on a byte store: still 1 byte, SPL", 64, 1, 4, 0x48, 0x88, 0x27),
    REG("REX.W REX.W: 8", 64, 8, 0, 0x48, 0x48, 0x89, 0x07),
    REG("REX.W then REX: the REX without W counts", 64, 4, 0, 0x48, 0x40, 0x89, 0x07),
    IMM("REX.W on C6: imm8, 1 byte", 64, 1, 0xff, 0x48, 0xc6, 0x07, 0xff),
    XCHG("cs data16 repz lock xchg", 64, 2, 0, 0x2e, 0x66, 0xf3, 0xf0, 0x87, 0x07),
    XCHG("lock first, then the rest", 64, 4, 1, 0xf0, 0x65, 0x67, 0x87, 0x0f),
    REG("66 66: still 16 bits", 64, 2, 0, 0x66, 0x66, 0x89, 0x07),
    REG("66 66 in 16-bit code: still 32 bits", 16, 4, 0, 0x66, 0x66, 0x89, 0x07),
    REG("67 67: still 16-bit addressing", 32, 4, 0, 0x67, 0x67, 0x89, 0x06, 0x34, 0x12),
    REG("ds ds ds", 32, 4, 0, 0x3e, 0x3e, 0x3e, 0x89, 0x07),
    REG("repnz repz (XACQUIRE/XRELEASE hints)", 32, 4, 0, 0xf2, 0xf3, 0x89, 0x07),
    REG("67 in 16-bit code: 32-bit addressing, SIB", 16, 2, 0, 0x67, 0x89, 0x04, 0x24),
    REG("67 in 32-bit code: 16-bit addressing, disp16", 32, 4, 0, 0x67, 0x89, 0x06, 0x34, 0x12),
    REG("67 in 64-bit code: 32-bit, RIP-relative", 64, 4, 0, 0x67, 0x89, 0x05, 1, 2, 3, 4),
    IMM("16-bit code: C7 takes imm16", 16, 2, 0x1234, 0xc7, 0x07, 0x34, 0x12),
    IMM("16-bit code, 66: C7 takes imm32", 16, 4, 0x12345678,
        0x66, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12),
    IMM("66 REX.W C7: imm32 sign-extended", 64, 8, 0xffffffff80000001ull,
        0x66, 0x48, 0xc7, 0x07, 0x01, 0x00, 0x00, 0x80),
    IMM("C7 imm32 0x80000000 without REX.W: not extended", 64, 4, 0x80000000,
        0xc7, 0x07, 0x00, 0x00, 0x00, 0x80),
    IMM("66 C7 imm16 0x8000: not extended", 64, 2, 0x8000, 0x66, 0xc7, 0x07, 0x00, 0x80),
    REG("REX.B does not change the SIB rule (r12)", 64, 4, 0, 0x41, 0x89, 0x04, 0x24),
    REG("REX.B with base 5, mod 0: disp32 (no base)", 64, 4, 0,
        0x41, 0x89, 0x04, 0x25, 1, 2, 3, 4),
    REG("REX.B with rm 5, mod 0: RIP-relative", 64, 4, 0, 0x41, 0x89, 0x05, 1, 2, 3, 4),
    REG("67 A3 in 16-bit code: moffs32", 16, 2, 0, 0x67, 0xa3, 1, 2, 3, 4),
    REG("66 67 A3 in 64-bit code: moffs32, 16 bits", 64, 2, 0, 0x66, 0x67, 0xa3, 1, 2, 3, 4),
    REG("REX.R on A3: still RAX", 64, 4, 0, 0x44, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8),
};

/* ---- checking one case -------------------------------------------------------- */

#define CASE_CHECK(c, cond)                                                         \
    do {                                                                           \
        if (!(cond)) {                                                             \
            unit_fail(unit_ctx_, __FILE__, __LINE__, "%s (%u-bit): CHECK(%s)",      \
                      (c)->what, (c)->bits, #cond);                                \
            return;                                                                \
        }                                                                          \
    } while (0)

/* Decodes from an exactly-sized heap copy: any read past avail is an ASan
 * error. */
static enum insn_status decode_exact(const uint8_t *bytes, size_t avail, unsigned bits,
                                     struct insn_store *out)
{
    uint8_t *copy = malloc(avail > 0 ? avail : 1);
    enum insn_status st;

    if (copy == NULL)
        return INSN_UNSUPPORTED;
    memcpy(copy, bytes, avail);
    st = insn_decode_store(copy, avail, bits, out);
    free(copy);
    return st;
}

static void check_store_case(struct unit_ctx *unit_ctx_, const struct store_case *c)
{
    struct insn_store s;
    uint8_t padded[32];

    CASE_CHECK(c, decode_exact(c->bytes, c->len, c->bits, &s) == INSN_OK);
    CASE_CHECK(c, s.length == c->len);
    CASE_CHECK(c, s.size == c->size);
    CASE_CHECK(c, s.from_register == c->from_register);
    CASE_CHECK(c, s.reg == c->reg);
    CASE_CHECK(c, s.high_byte == c->high_byte);
    CASE_CHECK(c, s.immediate == c->immediate);
    CASE_CHECK(c, s.exchange == c->exchange);

    /* Trailing bytes (the next instructions) change nothing. */
    for (unsigned fill = 0; fill < 256; fill += 0x33) {
        struct insn_store t;

        memset(padded, (int)fill, sizeof(padded));
        memcpy(padded, c->bytes, c->len);
        CASE_CHECK(c, insn_decode_store(padded, sizeof(padded), c->bits, &t) == INSN_OK);
        CASE_CHECK(c, memcmp(&s, &t, sizeof(s)) == 0);
    }
    /* Every shorter fetch is truncated, and reports nothing. */
    for (size_t avail = 0; avail < c->len; avail++) {
        struct insn_store t;

        memset(&t, 0xa5, sizeof(t));
        CASE_CHECK(c, decode_exact(c->bytes, avail, c->bits, &t) == INSN_TRUNCATED);
        CASE_CHECK(c, t.length == 0 && t.size == 0 && !t.from_register && t.immediate == 0);
    }
}

static void check_cases(struct unit_ctx *unit_ctx_, const struct store_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        check_store_case(unit_ctx_, &cases[i]);
        CHECK_PASSING();
    }
}

TEST(insn_compiler_stores)
{
    check_cases(unit_ctx_, compiler_cases, sizeof(compiler_cases) / sizeof(compiler_cases[0]));
}

TEST(insn_assembler_forms)
{
    check_cases(unit_ctx_, assembler_cases,
                sizeof(assembler_cases) / sizeof(assembler_cases[0]));
}

TEST(insn_prefix_orders_and_rex_placement)
{
    check_cases(unit_ctx_, prefix_cases, sizeof(prefix_cases) / sizeof(prefix_cases[0]));
}

/* ---- ModRM and SIB, every value --------------------------------------------------
 * Expected lengths from the SDM's tables 2-1 (16-bit), 2-2 (32-bit) and 2-3
 * (SIB), written out as tables rather than computed like the decoder does. */

/* Extra bytes after a 32/64-bit ModRM by [mod][rm] (SIB counted separately). */
static const uint8_t disp32_by_mod_rm[3][8] = {
    { 0, 0, 0, 0, 0, 4, 0, 0 },
    { 1, 1, 1, 1, 1, 1, 1, 1 },
    { 4, 4, 4, 4, 4, 4, 4, 4 },
};
/* Extra bytes after a 16-bit ModRM by [mod][rm]. */
static const uint8_t disp16_by_mod_rm[3][8] = {
    { 0, 0, 0, 0, 0, 0, 2, 0 },
    { 1, 1, 1, 1, 1, 1, 1, 1 },
    { 2, 2, 2, 2, 2, 2, 2, 2 },
};

static size_t expected_operand_bytes(uint8_t modrm, uint8_t sib, unsigned addr_bits)
{
    unsigned mod = modrm >> 6, rm = modrm & 7;

    if (addr_bits == 16)
        return disp16_by_mod_rm[mod][rm];
    if (rm != 4)
        return disp32_by_mod_rm[mod][rm];
    /* SIB: with mod 0 and base 5 there is no base register but a disp32. */
    return 1 + (mod == 0 ? ((sib & 7) == 5 ? 4 : 0) : disp32_by_mod_rm[mod][rm]);
}

TEST(insn_every_modrm_and_sib)
{
    static const struct { unsigned bits; bool p67; unsigned addr_bits; } modes[] = {
        { 16, false, 16 }, { 16, true, 32 }, { 32, false, 32 }, { 32, true, 16 },
        { 64, false, 64 }, { 64, true, 32 },
    };

    for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        for (unsigned modrm = 0; modrm < 256; modrm++) {
            for (unsigned sib = 0; sib < 256; sib++) {
                uint8_t buf[16] = { 0 };
                size_t pre = modes[m].p67 ? 1 : 0, want;
                struct insn_store s;
                enum insn_status st;

                buf[0] = 0x67;
                buf[pre] = 0x89;
                buf[pre + 1] = (uint8_t)modrm;
                buf[pre + 2] = (uint8_t)sib;
                memset(buf + pre + 3, 0x5a, sizeof(buf) - pre - 3);
                st = insn_decode_store(buf, sizeof(buf), modes[m].bits, &s);
                if ((modrm >> 6) == 3) {
                    CHECK_EQ_U64(st, INSN_NOT_MEMORY);
                    continue;
                }
                want = pre + 2 + expected_operand_bytes((uint8_t)modrm, (uint8_t)sib,
                                                        modes[m].addr_bits);
                CHECK_EQ_U64(st, INSN_OK);
                CHECK_EQ_U64(s.length, want);
                CHECK_EQ_U64(s.reg, (modrm >> 3) & 7);
                /* Without a SIB byte the sib value must not matter. */
                if (modes[m].addr_bits == 16 || (modrm & 7) != 4)
                    break;
            }
            CHECK_PASSING();
        }
    }
}

/* C6 and C7 lengths for every memory ModRM with every operand size. */
TEST(insn_every_modrm_with_immediates)
{
    static const struct { unsigned bits; uint8_t prefix; unsigned imm; unsigned size; } forms[] = {
        { 64, 0x00, 4, 4 }, { 64, 0x66, 2, 2 }, { 64, 0x48, 4, 8 },
        { 32, 0x00, 4, 4 }, { 32, 0x66, 2, 2 }, { 16, 0x00, 2, 2 }, { 16, 0x66, 4, 4 },
    };

    for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
        for (unsigned modrm = 0; modrm < 192; modrm++) {
            uint8_t buf[16];
            size_t pre = forms[f].prefix != 0 ? 1 : 0;
            unsigned addr_bits = forms[f].bits == 16 ? 16 : 32;
            struct insn_store s;

            if ((modrm >> 3) & 7)
                continue;
            memset(buf, 0x81, sizeof(buf));         /* immediates with the sign bit set */
            buf[0] = forms[f].prefix;
            buf[pre] = 0xc7;
            buf[pre + 1] = (uint8_t)modrm;
            if (addr_bits != 16 && (modrm & 7) == 4)
                buf[pre + 2] = 0x24;                /* a SIB with a base */
            CHECK_EQ_U64(insn_decode_store(buf, sizeof(buf), forms[f].bits, &s), INSN_OK);
            CHECK_EQ_U64(s.length, pre + 2 + expected_operand_bytes((uint8_t)modrm, 0x24,
                                                                    addr_bits) + forms[f].imm);
            CHECK_EQ_U64(s.size, forms[f].size);
            CHECK_EQ_U64(s.immediate, forms[f].size == 8 ? 0xffffffff81818181ull
                                    : forms[f].size == 4 ? 0x81818181ull : 0x8181ull);
            buf[pre] = 0xc6;
            CHECK_EQ_U64(insn_decode_store(buf, sizeof(buf), forms[f].bits, &s), INSN_OK);
            CHECK_EQ_U64(s.length, pre + 2 + expected_operand_bytes((uint8_t)modrm, 0x24,
                                                                    addr_bits) + 1);
            CHECK_EQ_U64(s.size, 1);
            CHECK_EQ_U64(s.immediate, 0x81);
        }
    }
}

/* ---- what is refused ------------------------------------------------------------- */

TEST(insn_register_operands_are_not_memory)
{
    static const uint8_t opcodes[] = { 0x88, 0x89, 0x86, 0x87, 0xc6, 0xc7 };

    for (unsigned bits = 16; bits <= 64; bits *= 2) {
        for (size_t o = 0; o < sizeof(opcodes); o++) {
            for (unsigned modrm = 0xc0; modrm < 0x100; modrm++) {
                uint8_t buf[8] = { opcodes[o], (uint8_t)modrm, 1, 2, 3, 4, 5, 6 };
                bool imm_form = opcodes[o] >= 0xc6;
                struct insn_store s;
                enum insn_status st = insn_decode_store(buf, sizeof(buf), bits, &s);

                if (imm_form && ((modrm >> 3) & 7) != 0)
                    CHECK_EQ_U64(st, INSN_UNSUPPORTED);
                else
                    CHECK_EQ_U64(st, INSN_NOT_MEMORY);
                CHECK_EQ_U64(s.length, 0);
            }
        }
    }
}

TEST(insn_c6_c7_other_groups_unsupported)
{
    for (unsigned bits = 16; bits <= 64; bits *= 2) {
        for (unsigned reg = 1; reg < 8; reg++) {
            for (unsigned mod = 0; mod < 4; mod++) {
                uint8_t c6[8] = { 0xc6, (uint8_t)(mod << 6 | reg << 3), 0, 0, 0, 0, 0, 0 };
                uint8_t c7[8] = { 0xc7, (uint8_t)(mod << 6 | reg << 3), 0, 0, 0, 0, 0, 0 };
                struct insn_store s;

                CHECK_EQ_U64(insn_decode_store(c6, sizeof(c6), bits, &s), INSN_UNSUPPORTED);
                CHECK_EQ_U64(insn_decode_store(c7, sizeof(c7), bits, &s), INSN_UNSUPPORTED);
            }
        }
    }
    /* XABORT imm8 and XBEGIN rel32 live there. */
    {
        const uint8_t xabort[] = { 0xc6, 0xf8, 0x01 }, xbegin[] = { 0xc7, 0xf8, 0, 0, 0, 0 };
        struct insn_store s;

        CHECK_EQ_U64(insn_decode_store(xabort, sizeof(xabort), 64, &s), INSN_UNSUPPORTED);
        CHECK_EQ_U64(insn_decode_store(xbegin, sizeof(xbegin), 64, &s), INSN_UNSUPPORTED);
    }
}

TEST(insn_lock_only_on_xchg)
{
    static const struct { uint8_t bytes[8]; size_t len; enum insn_status want; } cases[] = {
        { { 0xf0, 0x89, 0x07 }, 3, INSN_UNSUPPORTED },
        { { 0xf0, 0x88, 0x07 }, 3, INSN_UNSUPPORTED },
        { { 0xf0, 0xc7, 0x07, 1, 2, 3, 4 }, 7, INSN_UNSUPPORTED },
        { { 0xf0, 0xc6, 0x07, 1 }, 4, INSN_UNSUPPORTED },
        { { 0xf0, 0xa3, 1, 2, 3, 4, 5, 6 }, 8, INSN_UNSUPPORTED },
        { { 0x66, 0xf0, 0x2e, 0x89, 0x07 }, 5, INSN_UNSUPPORTED },
        { { 0xf0, 0x87, 0x07 }, 3, INSN_OK },
        { { 0xf0, 0x86, 0x07 }, 3, INSN_OK },
        { { 0x66, 0xf0, 0x87, 0x07 }, 4, INSN_OK },
        /* Register XCHG with LOCK #UDs too; either way it is not a store. */
        { { 0xf0, 0x87, 0xc0 }, 3, INSN_NOT_MEMORY },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct insn_store s;

        CHECK_EQ_U64(insn_decode_store(cases[i].bytes, cases[i].len, 32, &s), cases[i].want);
    }
}

TEST(insn_other_instructions_unsupported)
{
    static const struct { uint8_t bytes[8]; size_t len; } cases[] = {
        { { 0x8b, 0x07 }, 2 },                         /* mov (%rdi),%eax: a load */
        { { 0x0f, 0x11, 0x07 }, 3 },                   /* movups %xmm0,(%rdi) */
        { { 0x0f, 0xc3, 0x07 }, 3 },                   /* movnti %eax,(%rdi) */
        { { 0x0f, 0x29, 0x07 }, 3 },                   /* movaps */
        { { 0xc5, 0xf8, 0x11, 0x07 }, 4 },             /* vmovups (VEX) */
        { { 0xc4, 0xe1, 0x78, 0x11, 0x07 }, 5 },       /* vmovups (3-byte VEX) */
        { { 0x62, 0xf1, 0x7c, 0x48, 0x11, 0x07 }, 6 }, /* vmovups zmm (EVEX) */
        { { 0x01, 0x07 }, 2 },                         /* add %eax,(%rdi) */
        { { 0x83, 0x0f, 0x01 }, 3 },                   /* orl $1,(%rdi) */
        { { 0xff, 0x07 }, 2 },                         /* incl (%rdi) */
        { { 0xa1, 1, 2, 3, 4 }, 5 },                   /* mov moffs,%eax: a load */
        { { 0xa0, 1, 2, 3, 4 }, 5 },
        { { 0xab }, 1 },                               /* stos */
        { { 0xf3, 0xa5 }, 2 },                         /* rep movs */
        { { 0x8f, 0x07 }, 2 },                         /* pop (%rdi) */
        { { 0x90 }, 1 },
        { { 0x6c }, 1 },                               /* insb: not a store for this decoder */
        { { 0xd6 }, 1 },
        { { 0xf1 }, 1 },
    };

    for (unsigned bits = 16; bits <= 64; bits *= 2) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            struct insn_store s;

            CHECK_EQ_U64(insn_decode_store(cases[i].bytes, cases[i].len, bits, &s),
                         INSN_UNSUPPORTED);
        }
    }
}

TEST(insn_rex_bytes_outside_64bit_mode)
{
    /* 40..4F are INC/DEC in 16- and 32-bit code. */
    for (unsigned b = 0x40; b <= 0x4f; b++) {
        const uint8_t buf[] = { (uint8_t)b, 0x89, 0x07 };
        struct insn_store s;

        CHECK_EQ_U64(insn_decode_store(buf, sizeof(buf), 32, &s), INSN_UNSUPPORTED);
        CHECK_EQ_U64(insn_decode_store(buf, sizeof(buf), 16, &s), INSN_UNSUPPORTED);
        CHECK_EQ_U64(insn_decode_store(buf, sizeof(buf), 64, &s), INSN_OK);
        CHECK_EQ_U64(s.length, 3);
    }
}

TEST(insn_bad_code_bits)
{
    static const unsigned bad[] = { 0, 1, 8, 15, 17, 31, 33, 63, 65, 128, ~0u };
    const uint8_t buf[] = { 0x89, 0x07 };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct insn_store s;
        struct insn_string_io io;
        const uint8_t ins[] = { 0x6c };

        memset(&s, 0xff, sizeof(s));
        CHECK_EQ_U64(insn_decode_store(buf, sizeof(buf), bad[i], &s), INSN_UNSUPPORTED);
        CHECK_EQ_U64(s.length, 0);
        CHECK(!s.from_register);
        CHECK_EQ_U64(insn_decode_string_io(ins, sizeof(ins), bad[i], &io), INSN_UNSUPPORTED);
        CHECK_EQ_U64(io.length, 0);
    }
}

TEST(insn_output_zeroed_on_failure)
{
    const uint8_t load[] = { 0x8b, 0x07 }, truncated[] = { 0xc7, 0x07, 0x01 };
    struct insn_store s;

    memset(&s, 0xff, sizeof(s));
    CHECK_EQ_U64(insn_decode_store(load, sizeof(load), 64, &s), INSN_UNSUPPORTED);
    CHECK(s.length == 0 && s.size == 0 && !s.from_register && s.reg == 0 && !s.high_byte &&
          s.immediate == 0 && !s.exchange);
    memset(&s, 0xff, sizeof(s));
    CHECK_EQ_U64(insn_decode_store(truncated, sizeof(truncated), 64, &s), INSN_TRUNCATED);
    CHECK(s.length == 0 && s.size == 0 && s.immediate == 0);
}

/* ---- the 15-byte limit ------------------------------------------------------------ */

static size_t with_prefixes(uint8_t *buf, size_t n, uint8_t prefix, const uint8_t *insn,
                            size_t len)
{
    memset(buf, prefix, n);
    memcpy(buf + n, insn, len);
    return n + len;
}

TEST(insn_fifteen_byte_limit)
{
    const uint8_t mov[] = { 0x89, 0x07 };
    const uint8_t movl[] = { 0xc7, 0x87, 1, 2, 3, 4, 5, 6, 7, 8 };   /* 10 bytes */
    uint8_t buf[40];
    struct insn_store s;
    size_t n;

    /* 13 prefixes + 2 = 15: allowed. */
    n = with_prefixes(buf, 13, 0x3e, mov, sizeof(mov));
    CHECK_EQ_U64(insn_decode_store(buf, n, 64, &s), INSN_OK);
    CHECK_EQ_U64(s.length, 15);
    /* 14 prefixes + 2 = 16: #GP, whether we have 15, 16 or more bytes. */
    n = with_prefixes(buf, 14, 0x3e, mov, sizeof(mov));
    CHECK_EQ_U64(insn_decode_store(buf, n, 64, &s), INSN_TOO_LONG);
    CHECK_EQ_U64(insn_decode_store(buf, 15, 64, &s), INSN_TOO_LONG);
    CHECK_EQ_U64(insn_decode_store(buf, sizeof(buf), 64, &s), INSN_TOO_LONG);
    /* ... but with fewer bytes we cannot tell yet. */
    CHECK_EQ_U64(insn_decode_store(buf, 14, 64, &s), INSN_TRUNCATED);
    /* Prefixes alone, 15 and more. */
    memset(buf, 0x66, sizeof(buf));
    CHECK_EQ_U64(insn_decode_store(buf, sizeof(buf), 32, &s), INSN_TOO_LONG);
    CHECK_EQ_U64(insn_decode_store(buf, 15, 32, &s), INSN_TOO_LONG);
    CHECK_EQ_U64(insn_decode_store(buf, 10, 32, &s), INSN_TRUNCATED);
    /* A long form: 5 prefixes + 10 = 15 fine, 6 + 10 too long even with avail 15. */
    n = with_prefixes(buf, 5, 0x26, movl, sizeof(movl));
    CHECK_EQ_U64(insn_decode_store(buf, n, 32, &s), INSN_OK);
    CHECK_EQ_U64(s.length, 15);
    n = with_prefixes(buf, 6, 0x26, movl, sizeof(movl));
    CHECK_EQ_U64(insn_decode_store(buf, n, 32, &s), INSN_TOO_LONG);
    CHECK_EQ_U64(insn_decode_store(buf, 15, 32, &s), INSN_TOO_LONG);
    /* Too long is known as soon as the bytes seen prove it: with the
     * displacement (12 bytes) the imm32 would end at 16. */
    CHECK_EQ_U64(insn_decode_store(buf, 12, 32, &s), INSN_TOO_LONG);
    CHECK_EQ_U64(insn_decode_store(buf, 11, 32, &s), INSN_TRUNCATED);
    /* REX prefixes count too; the last one is the REX. */
    n = with_prefixes(buf, 13, 0x48, mov, sizeof(mov));
    CHECK_EQ_U64(insn_decode_store(buf, n, 64, &s), INSN_OK);
    CHECK_EQ_U64(s.length, 15);
    CHECK_EQ_U64(s.size, 8);
    n = with_prefixes(buf, 14, 0x48, mov, sizeof(mov));
    CHECK_EQ_U64(insn_decode_store(buf, n, 64, &s), INSN_TOO_LONG);
}

/* ---- sweeps ------------------------------------------------------------------------- */

static bool is_legacy_prefix(uint8_t b)
{
    static const uint8_t prefixes[] = { 0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65,
                                        0xf0, 0xf2, 0xf3 };

    for (size_t i = 0; i < sizeof(prefixes); i++) {
        if (prefixes[i] == b)
            return true;
    }
    return false;
}

static bool is_prefix(uint8_t b, unsigned bits)
{
    return is_legacy_prefix(b) || (bits == 64 && (b & 0xf0) == 0x40);
}

/* An independent statement of what may decode as a store: after the
 * prefixes, one of the listed opcodes; with a ModRM, a memory operand and
 * (C6, C7) reg field 0; LOCK only with XCHG. */
static void check_store_plausible(struct unit_ctx *unit_ctx_, const uint8_t *buf, size_t avail,
                                  unsigned bits, const struct insn_store *s)
{
    size_t i = 0;
    bool lock = false;
    uint8_t op;

    while (i < avail && is_prefix(buf[i], bits)) {
        lock |= buf[i] == 0xf0;
        i++;
    }
    CHECK(i < avail);
    op = buf[i];
    CHECK(op == 0x88 || op == 0x89 || op == 0x86 || op == 0x87 || op == 0xc6 || op == 0xc7 ||
          op == 0xa2 || op == 0xa3);
    CHECK(!lock || op == 0x86 || op == 0x87);
    if (op != 0xa2 && op != 0xa3) {
        CHECK(i + 1 < avail);
        CHECK((buf[i + 1] >> 6) != 3);
        if (op == 0xc6 || op == 0xc7)
            CHECK(((buf[i + 1] >> 3) & 7) == 0);
    }
    CHECK(s->length > i && s->length <= avail && s->length <= MAXLEN);
    CHECK(s->size == 1 || s->size == 2 || s->size == 4 || (s->size == 8 && bits == 64));
    CHECK(s->size != 1 || (op == 0x88 || op == 0x86 || op == 0xc6 || op == 0xa2));
    CHECK(s->reg < 16);
    CHECK(!s->high_byte || (s->reg < 4 && s->size == 1));
    CHECK(s->from_register == (op != 0xc6 && op != 0xc7));
    CHECK(s->exchange == (op == 0x86 || op == 0x87));
    CHECK(s->size == 8 || s->immediate < (1ull << (8 * s->size)));
}

/* Every one- and two-byte opcode, followed by a plausible tail, in each
 * mode: never a crash, never a read past avail, and OK only for a listed
 * store, whose length is then exactly enough. */
TEST(insn_sweep_one_and_two_bytes)
{
    static const uint8_t tail[] = { 0x07, 0x44, 0x33, 0x22, 0x11, 0x80, 0x90, 0x90,
                                    0x90, 0x90, 0x90, 0x90, 0x90, 0x90 };
    unsigned ok = 0;

    for (unsigned bits = 16; bits <= 64; bits *= 2) {
        for (unsigned b0 = 0; b0 < 256; b0++) {
            for (unsigned b1 = 0; b1 < 256; b1++) {
                uint8_t buf[2 + sizeof(tail)];
                struct insn_store s, t;
                enum insn_status st;

                buf[0] = (uint8_t)b0;
                buf[1] = (uint8_t)b1;
                memcpy(buf + 2, tail, sizeof(tail));
                st = decode_exact(buf, sizeof(buf), bits, &s);
                CHECK(st <= INSN_NOT_MEMORY);
                /* With only one or two bytes: no over-read, OK only if complete. */
                CHECK(decode_exact(buf, 1, bits, &t) != INSN_OK || t.length == 1);
                CHECK(decode_exact(buf, 2, bits, &t) != INSN_OK || t.length <= 2);
                if (st != INSN_OK)
                    continue;
                ok++;
                check_store_plausible(unit_ctx_, buf, sizeof(buf), bits, &s);
                CHECK_PASSING();
                CHECK_EQ_U64(decode_exact(buf, s.length, bits, &t), INSN_OK);
                CHECK(memcmp(&s, &t, sizeof(s)) == 0);
                CHECK_EQ_U64(decode_exact(buf, s.length - 1u, bits, &t), INSN_TRUNCATED);
            }
        }
    }
    CHECK(ok > 1000);
}

static uint64_t prng(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545f4914f6cdd1dull;
}

/* Random 15-byte fetches, biased towards prefixes and the store opcodes. */
TEST(insn_random_fuzz)
{
    static const uint8_t likely[] = { 0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0,
                                      0xf2, 0xf3, 0x40, 0x48, 0x41, 0x44, 0x4f, 0x88, 0x89,
                                      0x86, 0x87, 0xc6, 0xc7, 0xa2, 0xa3, 0x6c, 0x6d, 0x6e,
                                      0x6f };
    uint64_t state = 0x1234567887654321ull;

    for (unsigned round = 0; round < 200000; round++) {
        uint8_t buf[MAXLEN];
        unsigned bits = 16u << (round % 3);
        size_t avail = (size_t)(prng(&state) % (MAXLEN + 1));
        struct insn_store s;
        struct insn_string_io io;
        enum insn_status st;

        for (size_t i = 0; i < sizeof(buf); i++) {
            uint64_t r = prng(&state);

            buf[i] = (r & 3) ? likely[(r >> 8) % sizeof(likely)] : (uint8_t)(r >> 16);
        }
        st = decode_exact(buf, avail, bits, &s);
        CHECK(st <= INSN_NOT_MEMORY);
        if (st == INSN_OK) {
            check_store_plausible(unit_ctx_, buf, avail, bits, &s);
            CHECK_PASSING();
        }
        st = insn_decode_string_io(buf, avail, bits, &io);
        CHECK(st <= INSN_NOT_MEMORY);
        CHECK(st != INSN_NOT_MEMORY);
        if (st == INSN_OK)
            CHECK(io.length >= 1 && io.length <= avail);
    }
}

/* ---- string I/O ---------------------------------------------------------------------- */

struct sio_case {
    const char *what;
    unsigned bits;
    uint8_t len;
    uint8_t bytes[MAXLEN];
    bool rep, in;
    uint8_t size, address_bits, segment;
};

#define SIO(what_, bits_, rep_, in_, size_, abits_, seg_, ...)                            \
    { .what = what_, .bits = bits_, .len = sizeof((uint8_t[]){ __VA_ARGS__ }),          \
      .bytes = { __VA_ARGS__ }, .rep = rep_, .in = in_, .size = size_,                   \
      .address_bits = abits_, .segment = seg_ }

enum { ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5 };

static const struct sio_case sio_cases[] = {
    /* GNU as output */
    SIO("rep insb (%dx),%es:(%rdi)", 64, true, true, 1, 64, ES, 0xf3, 0x6c),
    SIO("rep insw (%dx),%es:(%rdi)", 64, true, true, 2, 64, ES, 0x66, 0xf3, 0x6d),
    SIO("rep insl (%dx),%es:(%rdi)", 64, true, true, 4, 64, ES, 0xf3, 0x6d),
    SIO("rep outsb %ds:(%rsi),(%dx)", 64, true, false, 1, 64, DS, 0xf3, 0x6e),
    SIO("rep outsw %ds:(%rsi),(%dx)", 64, true, false, 2, 64, DS, 0x66, 0xf3, 0x6f),
    SIO("outsl %fs:(%rsi),(%dx)", 64, false, false, 4, 64, FS, 0x64, 0x6f),
    SIO("addr32 rep outsw", 64, true, false, 2, 32, DS, 0x67, 0x66, 0xf3, 0x6f),
    SIO("rep insl (32-bit)", 32, true, true, 4, 32, ES, 0xf3, 0x6d),
    SIO("rep outsw %gs:(%esi)", 32, true, false, 2, 32, GS, 0x65, 0x66, 0xf3, 0x6f),
    SIO("rep insw (16-bit)", 16, true, true, 2, 16, ES, 0xf3, 0x6d),
    SIO("rep insl (16-bit)", 16, true, true, 4, 16, ES, 0x66, 0xf3, 0x6d),
    /* operand size: REX.W never makes 64 bits */
    SIO("REX.W insd: 4", 64, false, true, 4, 64, ES, 0x48, 0x6d),
    SIO("66 REX.W insd: REX.W wins, not promoted: 4", 64, false, true, 4, 64, ES,
        0x66, 0x48, 0x6d),
    SIO("REX.W 66 insw: the REX is ignored", 64, false, true, 2, 64, ES, 0x48, 0x66, 0x6d),
    SIO("66 on insb: still 1", 32, false, true, 1, 32, ES, 0x66, 0x6c),
    SIO("66 66 outsw", 32, false, false, 2, 32, DS, 0x66, 0x66, 0x6f),
    /* address size */
    SIO("67 in 32-bit: 16", 32, false, true, 1, 16, ES, 0x67, 0x6c),
    SIO("67 in 16-bit: 32", 16, false, true, 1, 32, ES, 0x67, 0x6c),
    SIO("67 67 in 64-bit: 32", 64, false, true, 1, 32, ES, 0x67, 0x67, 0x6c),
    /* repeat prefixes */
    SIO("repnz insb repeats too", 32, true, true, 1, 32, ES, 0xf2, 0x6c),
    SIO("repnz repz", 32, true, false, 1, 32, DS, 0xf2, 0xf3, 0x6e),
    /* segment overrides: OUTS takes them, INS never */
    SIO("es outsb", 32, false, false, 1, 32, ES, 0x26, 0x6e),
    SIO("cs outsb", 32, false, false, 1, 32, CS, 0x2e, 0x6e),
    SIO("ss outsb", 32, false, false, 1, 32, SS, 0x36, 0x6e),
    SIO("ds outsb", 32, false, false, 1, 32, DS, 0x3e, 0x6e),
    SIO("fs outsb", 16, false, false, 1, 16, FS, 0x64, 0x6e),
    SIO("gs outsb", 16, false, false, 1, 16, GS, 0x65, 0x6e),
    SIO("es fs outsb: the last override", 32, false, false, 1, 32, FS, 0x26, 0x64, 0x6e),
    SIO("fs es outsb: the last override", 32, false, false, 1, 32, ES, 0x64, 0x26, 0x6e),
    SIO("gs insb: still ES", 32, false, true, 1, 32, ES, 0x65, 0x6c),
    SIO("cs insw: still ES", 16, false, true, 2, 16, ES, 0x2e, 0x6d),
    SIO("64-bit: es outsb is DS (ignored override)", 64, false, false, 1, 64, DS, 0x26, 0x6e),
    SIO("64-bit: cs outsb is DS", 64, false, false, 1, 64, DS, 0x2e, 0x6e),
    SIO("64-bit: ss outsb is DS", 64, false, false, 1, 64, DS, 0x36, 0x6e),
    SIO("64-bit: gs outsb", 64, false, false, 1, 64, GS, 0x65, 0x6e),
    SIO("64-bit: fs es outsb keeps FS", 64, false, false, 1, 64, FS, 0x64, 0x26, 0x6e),
    SIO("64-bit: es gs outsb", 64, false, false, 1, 64, GS, 0x26, 0x65, 0x6e),
    SIO("64-bit: REX between prefixes", 64, true, false, 4, 64, FS, 0xf3, 0x41, 0x64, 0x6f),
};

static void check_sio_case(struct unit_ctx *unit_ctx_, const struct sio_case *c)
{
    struct insn_string_io io;
    uint8_t *copy = malloc(c->len);

    CASE_CHECK(c, copy != NULL);
    memcpy(copy, c->bytes, c->len);
    memset(&io, 0xff, sizeof(io));
    if (insn_decode_string_io(copy, c->len, c->bits, &io) != INSN_OK) {
        free(copy);
        CASE_CHECK(c, false);
    }
    for (size_t avail = 0; avail < c->len; avail++) {
        struct insn_string_io t;

        if (insn_decode_string_io(copy, avail, c->bits, &t) != INSN_TRUNCATED) {
            free(copy);
            CASE_CHECK(c, false);
        }
    }
    free(copy);
    CASE_CHECK(c, io.length == c->len);
    CASE_CHECK(c, io.rep == c->rep);
    CASE_CHECK(c, io.in == c->in);
    CASE_CHECK(c, io.size == c->size);
    CASE_CHECK(c, io.address_bits == c->address_bits);
    CASE_CHECK(c, io.segment == c->segment);
}

TEST(sio_cases)
{
    for (size_t i = 0; i < sizeof(sio_cases) / sizeof(sio_cases[0]); i++) {
        check_sio_case(unit_ctx_, &sio_cases[i]);
        CHECK_PASSING();
    }
}

TEST(sio_refused)
{
    static const struct { uint8_t bytes[4]; size_t len; unsigned bits; enum insn_status want; }
        cases[] = {
        { { 0xf0, 0x6c }, 2, 32, INSN_UNSUPPORTED },           /* LOCK: #UD */
        { { 0xf3, 0xf0, 0x6f }, 3, 64, INSN_UNSUPPORTED },
        { { 0x48, 0x6c }, 2, 32, INSN_UNSUPPORTED },           /* DEC eAX in 32-bit code */
        { { 0x41, 0x6c }, 2, 16, INSN_UNSUPPORTED },
        { { 0xf3, 0xa4 }, 2, 32, INSN_UNSUPPORTED },           /* rep movsb */
        { { 0xec }, 1, 32, INSN_UNSUPPORTED },                 /* in (%dx),%al: not string */
        { { 0xee }, 1, 32, INSN_UNSUPPORTED },
        { { 0xe4, 0x60 }, 2, 32, INSN_UNSUPPORTED },
        { { 0x0f, 0x6e, 0xc0 }, 3, 64, INSN_UNSUPPORTED },     /* movd, not outs */
        { { 0 }, 0, 64, INSN_TRUNCATED },
        { { 0xf3 }, 1, 64, INSN_TRUNCATED },
        { { 0x66, 0x67, 0x26 }, 3, 32, INSN_TRUNCATED },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct insn_string_io io;

        memset(&io, 0xff, sizeof(io));
        CHECK_EQ_U64(insn_decode_string_io(cases[i].bytes, cases[i].len, cases[i].bits, &io),
                     cases[i].want);
        CHECK(io.length == 0 && !io.rep && !io.in && io.size == 0 && io.address_bits == 0 &&
              io.segment == 0);
    }
}

TEST(sio_fifteen_byte_limit)
{
    uint8_t buf[20];
    struct insn_string_io io;

    memset(buf, 0xf3, sizeof(buf));
    buf[14] = 0x6c;
    CHECK_EQ_U64(insn_decode_string_io(buf, 15, 32, &io), INSN_OK);
    CHECK_EQ_U64(io.length, 15);
    memset(buf, 0xf3, sizeof(buf));
    buf[15] = 0x6c;
    CHECK_EQ_U64(insn_decode_string_io(buf, 16, 32, &io), INSN_TOO_LONG);
    CHECK_EQ_U64(insn_decode_string_io(buf, 15, 32, &io), INSN_TOO_LONG);
    CHECK_EQ_U64(insn_decode_string_io(buf, 14, 32, &io), INSN_TRUNCATED);
}

TEST(sio_sweep_one_and_two_bytes)
{
    unsigned ok = 0;

    for (unsigned bits = 16; bits <= 64; bits *= 2) {
        for (unsigned b0 = 0; b0 < 256; b0++) {
            for (unsigned b1 = 0; b1 < 256; b1++) {
                uint8_t *buf = malloc(2);
                struct insn_string_io io;
                enum insn_status st1, st2;
                uint8_t op;

                CHECK(buf != NULL);
                buf[0] = (uint8_t)b0;
                buf[1] = (uint8_t)b1;
                st1 = insn_decode_string_io(buf, 1, bits, &io);
                CHECK(st1 != INSN_OK || (b0 >= 0x6c && b0 <= 0x6f && io.length == 1));
                st2 = insn_decode_string_io(buf, 2, bits, &io);
                free(buf);
                CHECK(st2 <= INSN_NOT_MEMORY && st2 != INSN_NOT_MEMORY && st2 != INSN_TOO_LONG);
                if (st2 != INSN_OK)
                    continue;
                ok++;
                op = io.length == 1 ? (uint8_t)b0 : (uint8_t)b1;
                CHECK(op >= 0x6c && op <= 0x6f);
                CHECK(io.length == 1 || (is_prefix((uint8_t)b0, bits) && b0 != 0xf0));
                CHECK(io.in == (op <= 0x6d));
                CHECK(io.size == 1 || io.size == 2 || io.size == 4);
                CHECK((io.size == 1) == ((op & 1) == 0));
                CHECK(io.address_bits == 16 || io.address_bits == 32 || io.address_bits == 64);
                CHECK(io.address_bits != 16 || bits != 64);
                CHECK(io.segment <= GS);
                CHECK(!io.in || io.segment == ES);
            }
        }
    }
    CHECK(ok > 100);
}

/* ---- names --------------------------------------------------------------------------- */

TEST(insn_status_names)
{
    const char *names[5];

    for (unsigned s = INSN_OK; s <= INSN_NOT_MEMORY; s++) {
        names[s] = insn_status_name((enum insn_status)s);
        CHECK(names[s] != NULL && names[s][0] != '\0');
        for (unsigned t = 0; t < s; t++)
            CHECK(strcmp(names[s], names[t]) != 0);
    }
    CHECK_STR(insn_status_name(INSN_OK), "ok");
    CHECK_STR(insn_status_name(INSN_TRUNCATED), "truncated");
    CHECK_STR(insn_status_name((enum insn_status)77), "unknown decode status");
}

TEST_SUITE(insn_decode,
    UNIT(insn_compiler_stores),
    UNIT(insn_assembler_forms),
    UNIT(insn_prefix_orders_and_rex_placement),
    UNIT(insn_every_modrm_and_sib),
    UNIT(insn_every_modrm_with_immediates),
    UNIT(insn_register_operands_are_not_memory),
    UNIT(insn_c6_c7_other_groups_unsupported),
    UNIT(insn_lock_only_on_xchg),
    UNIT(insn_other_instructions_unsupported),
    UNIT(insn_rex_bytes_outside_64bit_mode),
    UNIT(insn_bad_code_bits),
    UNIT(insn_output_zeroed_on_failure),
    UNIT(insn_fifteen_byte_limit),
    UNIT(insn_sweep_one_and_two_bytes),
    UNIT(insn_random_fuzz),
    UNIT(sio_cases),
    UNIT(sio_refused),
    UNIT(sio_fifteen_byte_limit),
    UNIT(sio_sweep_one_and_two_bytes),
    UNIT(insn_status_names),
);
