; One trip into an SVM guest and back (AMD APM vol. 2 15.5 "VMRUN",
; 15.6 "#VMEXIT", 15.5.2 "VMSAVE and VMLOAD").
;
; svm_enter_guest(struct vcpu *vcpu [rdi], uint64_t vmcb_pa [rsi],
;                 uint64_t host_state_pa [rdx]) runs with GIF clear (the
; caller executes CLGI before and STGI after), so no NMI or interrupt can
; land between the VMLOADs, while FS, GS and TR are the guest's.
;
;   VMLOAD guest   FS, GS, TR, LDTR, KernelGSBase, STAR.., SYSENTER: the guest's
;   VMRUN          (VMRUN keeps the host's RAX, RSP, RIP, segments, CRs, EFER
;                  in the host save area; #VMEXIT restores them)
;   VMSAVE guest   the same set back into the guest's VMCB
;   VMLOAD host    Kestrel's per-CPU GS base, its TSS (IST stacks) and MSRs
;
; The guest's RAX and RSP live in the VMCB (the caller copies RAX between
; it and vcpu->regs); the other general-purpose registers are loaded from
; and stored to vcpu->regs (struct vcpu starts with them, in the SDM's
; register-number order, as for vmx/vmx_entry.asm).

bits 64
default rel

%define R_RAX  0*8
%define R_RCX  1*8
%define R_RDX  2*8
%define R_RBX  3*8
%define R_RBP  5*8
%define R_RSI  6*8
%define R_RDI  7*8
%define R_R8   8*8
%define R_R9   9*8
%define R_R10 10*8
%define R_R11 11*8
%define R_R12 12*8
%define R_R13 13*8
%define R_R14 14*8
%define R_R15 15*8

section .text
global svm_enter_guest

svm_enter_guest:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    push rdx                        ; [rsp+8] = host state page
    push rdi                        ; [rsp]   = vcpu
    mov rax, rsi                    ; VMLOAD/VMRUN/VMSAVE take the VMCB in RAX
    mov rcx, [rdi + R_RCX]
    mov rdx, [rdi + R_RDX]
    mov rbx, [rdi + R_RBX]
    mov rbp, [rdi + R_RBP]
    mov rsi, [rdi + R_RSI]
    mov r8,  [rdi + R_R8]
    mov r9,  [rdi + R_R9]
    mov r10, [rdi + R_R10]
    mov r11, [rdi + R_R11]
    mov r12, [rdi + R_R12]
    mov r13, [rdi + R_R13]
    mov r14, [rdi + R_R14]
    mov r15, [rdi + R_R15]
    mov rdi, [rdi + R_RDI]
    vmload
    vmrun
    vmsave                      ; RAX is the host's again: the guest VMCB
    push rdi                        ; guest rdi; [rsp+8] = vcpu
    mov rdi, [rsp + 8]
    mov [rdi + R_RCX], rcx
    mov [rdi + R_RDX], rdx
    mov [rdi + R_RBX], rbx
    mov [rdi + R_RBP], rbp
    mov [rdi + R_RSI], rsi
    mov [rdi + R_R8],  r8
    mov [rdi + R_R9],  r9
    mov [rdi + R_R10], r10
    mov [rdi + R_R11], r11
    mov [rdi + R_R12], r12
    mov [rdi + R_R13], r13
    mov [rdi + R_R14], r14
    mov [rdi + R_R15], r15
    pop rax
    mov [rdi + R_RDI], rax
    pop rdi                         ; the vcpu pointer, no longer needed
    pop rax                         ; the host state page
    vmload
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
