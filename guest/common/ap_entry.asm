; Every built-in guest's AP entry: the trampoline (kernel/trampoline.asm)
; jumps here in 64-bit mode with RSP = the AP's stack top and RDI = the
; argument smp_start_ap() was given (smp.c); this calls the guest's AP main
; through smp_ap_main.  Same pattern as the BSP's guest_entry (entry.asm).

bits 64
default rel

extern smp_ap_main

section .text
global smp_ap_entry

smp_ap_entry:
    cld
    xor ebp, ebp                ; ends backtraces
    push rbp                    ; a zero return address: RSP is 8 mod 16, as after a call
    jmp [rel smp_ap_main]       ; RDI passes through
