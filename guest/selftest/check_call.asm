; Running a check so that an unexpected exception can abandon it.
;
; int check_call(struct check_jmp *jmp, void (*fn)(struct check_run *),
;                struct check_run *run)
;   saves the callee-saved registers and RSP in *jmp, calls fn(run) and
;   returns 0.
; check_abort
;   entered by iretq from events.c (RDI = jmp, RSP = jmp->rsp) when fn took an
;   unexpected exception: restores the registers and returns 1 from the
;   same check_call.  Offsets follow struct check_jmp in selftest.h.

bits 64
default rel

section .text
global check_call
global check_abort

check_call:
    mov [rdi + 0], rbx
    mov [rdi + 8], rbp
    mov [rdi + 16], r12
    mov [rdi + 24], r13
    mov [rdi + 32], r14
    mov [rdi + 40], r15
    mov [rdi + 48], rsp         ; points at our return address
    mov rax, rsi
    mov rdi, rdx
    sub rsp, 8                  ; RSP was 8 mod 16 on entry; 0 mod 16 at the call
    call rax
    add rsp, 8
    xor eax, eax
    ret

check_abort:
    mov rbx, [rdi + 0]
    mov rbp, [rdi + 8]
    mov r12, [rdi + 16]
    mov r13, [rdi + 24]
    mov r14, [rdi + 32]
    mov r15, [rdi + 40]
    mov eax, 1
    ret                         ; RSP = jmp->rsp: back into check_call's caller
