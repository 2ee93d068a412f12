; Interrupt and exception entry stubs, one per vector (all 256, so a stray
; vector is reported by number instead of faulting through an empty gate).
; Each stub makes the stack uniform (error code or 0, then the vector
; number), saves every general-purpose register and calls
; trap_entry(struct trap_frame *).  Layout must match kernel/trap.h.

bits 64
default rel

section .text
extern trap_entry

; Vectors for which the CPU pushes an error code (SDM vol. 3A, 6.13).
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%macro ISR_STUB 1
isr_stub_%1:
%if HAS_ERROR(%1) == 0
    push qword 0
%endif
    push qword %1
    jmp isr_common
%endmacro

isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp
    cld
    call trap_entry
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                 ; vector and error code
    iretq

%assign v 0
%rep 256
ISR_STUB v
%assign v v + 1
%endrep

section .rodata
global isr_stub_table
isr_stub_table:
%assign v 0
%rep 256
    dq isr_stub_ %+ v
%assign v v + 1
%endrep
