; The self-test's AP entry: the trampoline (kernel/trampoline.asm) jumps
; here in 64-bit mode with RSP = the AP's stack top and RDI = its struct
; cpu * (smp.c).  Same pattern as the BSP's guest_entry (guest/common/entry.asm).

bits 64
default rel

extern selftest_ap_main

section .text
global selftest_ap_entry

selftest_ap_entry:
    cld
    xor ebp, ebp                ; ends backtraces
    push rbp                    ; a zero return address: RSP is 8 mod 16, as after a call
    jmp selftest_ap_main
