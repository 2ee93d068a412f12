; VM entry and the VM-exit path (SDM vol. 3C ch. 26-27).
;
; vmx_enter(struct vcpu *vcpu [rdi], int launched [esi]) saves the host's
; callee-saved registers, makes the current RSP the VMCS host RSP, loads the
; guest's general-purpose registers from vcpu->regs and executes VMLAUNCH or
; VMRESUME.  It returns only when VM entry fails (1: VMfailInvalid,
; 2: VMfailValid) or when the exit dispatcher asks to leave the guest (3).
;
; A VM exit lands in vmx_exit_stub with RSP = host RSP, where [rsp] is the
; vcpu pointer.  The stub stores the guest registers, calls
; vmx_exit_dispatch(vcpu) and, on 0, reloads them and VMRESUMEs without
; going back through C: the hot path is these few instructions plus the
; handler.  struct vcpu starts with struct guest_regs (vmx/vcpu.h): 16 slots
; in the SDM's register-number order (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
; R8-R15, core/guest_regs.inc); the RSP slot is unused (the VMCS holds the
; guest RSP).

bits 64
default rel

%define VMCS_HOST_RSP 0x6c14
%define VMCS_HOST_RIP 0x6c16

%include "core/guest_regs.inc"

%define ENTER_FAIL_INVALID 1
%define ENTER_FAIL_VALID   2
%define ENTER_LEFT_GUEST   3

section .text
global vmx_enter
global vmx_exit_stub
extern vmx_exit_dispatch

%macro LOAD_GUEST_GPRS 0            ; rdi = vcpu; rdi itself last
    mov rax, [rdi + R_RAX]
    LOAD_GUEST_GPRS_BUT_RAX_RDI
    mov rdi, [rdi + R_RDI]
%endmacro

vmx_enter:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    push rdi                        ; [rsp] = vcpu, found again on every exit
    mov rax, VMCS_HOST_RSP
    vmwrite rax, rsp
    jbe .entry_failed               ; CF or ZF: the vmwrite itself failed
    lea rdx, [vmx_exit_stub]
    mov rax, VMCS_HOST_RIP
    vmwrite rax, rdx
    jbe .entry_failed
    test esi, esi
    LOAD_GUEST_GPRS                 ; mov does not touch the flags
    jnz .resume
    vmlaunch
    jmp .entry_failed
.resume:
    vmresume
.entry_failed:                      ; flags from the failed instruction
    mov eax, ENTER_FAIL_VALID
    mov edx, ENTER_FAIL_INVALID
    cmovc eax, edx
.leave:
    pop rdi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

vmx_exit_stub:
    push rdi                        ; guest rdi; [rsp+8] = vcpu
    mov rdi, [rsp + 8]
    mov [rdi + R_RAX], rax
    STORE_GUEST_GPRS_BUT_RAX_RDI
    pop rax
    mov [rdi + R_RDI], rax          ; rsp is back at the host RSP (16-aligned)
    call vmx_exit_dispatch          ; rdi = vcpu; returns 0 = resume
    test eax, eax
    jnz .leave_guest
    mov rdi, [rsp]
    LOAD_GUEST_GPRS
    vmresume
    jmp vmx_enter.entry_failed      ; VMRESUME failed: report like a failed entry
.leave_guest:
    mov eax, ENTER_LEFT_GUEST
    jmp vmx_enter.leave
