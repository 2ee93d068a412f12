; Ring 3 for the vmcall-cpl3 and ac/cpl3 cases (ring3.c).
;
; void ring3_enter(uint64_t *resume, uint64_t *resume_rsp, void *tss,
;                  uint64_t user_rip, uint64_t user_rsp, uint64_t user_rax)
;   arms a fault probe (guest/common/probe.h) to come back here, points the
;   TSS's RSP0 just below this function's frame, and IRETs to user_rip at
;   CPL 3 with RAX = user_rax.  The ring-3 code never returns by itself: its
;   first fault is delivered on RSP0, and trap.c sends the CPU back to ring 0
;   at .back on the stack saved here.  Returns when that happened.
;
; ring3_code .. ring3_code_end: what runs in ring 3, copied into a user page.
;   At ring3_code: VMCALL must raise #UD at CPL 3; should it return instead,
;   HLT (privileged) raises #GP, so ring 3 is left either way.  At
;   ring3_vmmcall_code the same with VMMCALL, Kestrel's hypercall on AMD
;   (there VMCALL is #UD without reaching Kestrel, which would prove nothing).
;   At ring3_ac_code: RFLAGS.AC set (POPF may change AC at any CPL), then a
;   misaligned 8-byte load, which must raise #AC(0) with CR0.AM set (SDM vol.
;   3A 6.15, "Interrupt 17"); should it complete, HLT raises #GP.

bits 64
default rel

%define GDT_DATA        0x10            ; guest/common/gdt.h
%define USER_DATA_SEL   (0x18 | 3)      ; ring3.c: GDT_USER_DATA, RPL 3
%define USER_CODE_SEL   (0x20 | 3)      ; ring3.c: GDT_USER_CODE64, RPL 3
%define TSS_RSP0        4               ; offset of RSP0 in the 64-bit TSS
%define RFLAGS_USER     0x2             ; bit 1 is always 1; IF clear: nothing interrupts ring 3
%define RFLAGS_AC       (1 << 18)

section .text
global ring3_enter

; RDI = resume, RSI = resume_rsp, RDX = tss, RCX = user_rip, R8 = user_rsp, R9 = user_rax
ring3_enter:
    push rbx                    ; callee-saved registers: trap.c restores the ring-3
    push rbp                    ; values of all GPRs, so they are reloaded from here
    push r12
    push r13
    push r14
    push r15
    mov rax, rsp
    and rax, -16
    mov [rdx + TSS_RSP0], rax   ; the exception frame goes below everything live
    mov [rsi], rsp              ; the stack to resume on ...
    lea rax, [rel .back]
    mov [rdi], rax              ; ... and where: from now on the probe is armed
    push qword USER_DATA_SEL    ; SS
    push r8                     ; RSP
    push qword RFLAGS_USER      ; RFLAGS
    push qword USER_CODE_SEL    ; CS
    push rcx                    ; RIP
    mov rax, r9
    iretq

.back:
    ; Returning to CPL 3 nulled DS and ES (their DPL 0 < CPL 3): reload them.
    mov eax, GDT_DATA
    mov ds, eax
    mov es, eax
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

section .rodata
global ring3_code
global ring3_code_after_vmcall
global ring3_vmmcall_code
global ring3_code_after_vmmcall
global ring3_code_end
global ring3_ac_code
global ring3_ac_access
global ring3_ac_after

ring3_code:
    vmcall
ring3_code_after_vmcall:
    hlt
ring3_vmmcall_code:
    vmmcall
ring3_code_after_vmmcall:
    hlt
ring3_ac_code:
    pushfq
    or qword [rsp], RFLAGS_AC
    popfq
ring3_ac_access:
    mov rax, [rsp - 7]          ; the stack is 16-aligned: 8 bytes at an odd address
ring3_ac_after:
    hlt
ring3_code_end:
