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
; register-number order: core/guest_regs.inc).

bits 64
default rel

%include "core/guest_regs.inc"

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
    LOAD_GUEST_GPRS_BUT_RAX_RDI
    mov rdi, [rdi + R_RDI]
    vmload
    vmrun
    vmsave                      ; RAX is the host's again: the guest VMCB
    push rdi                        ; guest rdi; [rsp+8] = vcpu
    mov rdi, [rsp + 8]
    STORE_GUEST_GPRS_BUT_RAX_RDI
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
