; Entry stubs for all 256 vectors of a built-in guest's IDT (idt.c).
; Stub v sits at isr_stubs + 16 * v, so the IDT needs no address table.
; Each stub gives the stack one shape (error code or 0, then the vector)
; and joins isr_common, which saves every general-purpose register as
; struct trap_frame (trap.h) and calls trap_dispatch(frame).  trap.c may
; change the saved RIP, CS, RSP, SS, RFLAGS and RDI: iretq then resumes
; elsewhere (or at another privilege level).

bits 64
default rel

%define ISR_STUB_SIZE 16

; Vectors for which the CPU pushes an error code (SDM vol. 3A 6.13):
; #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX.
%define PUSHES_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

section .text
extern trap_dispatch
global isr_stubs

align ISR_STUB_SIZE
isr_stubs:
%assign v 0
%rep 256
    align ISR_STUB_SIZE, int3
%if PUSHES_ERROR(v) == 0
    push qword 0
%endif
    push qword v
    jmp isr_common
%assign v v + 1
%endrep
    ; Fails to assemble (negative count) if a stub outgrew its 16 bytes.
    times 256 * ISR_STUB_SIZE - ($ - isr_stubs) int3

; Interrupt gates with no IST: in 64-bit mode the CPU aligns RSP to 16
; (the current stack, or TSS.RSP0 from ring 3) before pushing SS, RSP,
; RFLAGS, CS, RIP (40 bytes); with the error code,
; the vector and 15 registers that is 176 bytes, so RSP is 16-aligned at
; the call, as the System V ABI wants.
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
    call trap_dispatch
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
