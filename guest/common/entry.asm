; Start of the self-test image: the header Kestrel reads (struct
; guest_image_header in guest/guest_image.h), the BSP's entry and stack, and
; the APs' entry from the trampoline.
;
; The header's offsets are linker-script symbols (linker.ld), so the flat
; binary is usable as objcopy writes it.

bits 64
default rel

%define GUEST_IMAGE_MAGIC 0x5453455547545353   ; "SSTGUEST", as guest/guest_image.h
%define BSP_STACK_SIZE    8192

extern selftest_entry_offset
extern selftest_image_size
extern selftest_stack_top_offset
extern selftest_bsp_main
extern selftest_ap_main

section .header progbits alloc noexec nowrite align=8
    dq GUEST_IMAGE_MAGIC
    dq selftest_entry_offset
    dq selftest_image_size
    dq selftest_stack_top_offset

section .text.entry             ; first in .text (linker.ld): a small, stable entry_offset
global selftest_entry
global selftest_ap_entry

; Kestrel enters here on the BSP: 64-bit, CPL 0, interrupts off, RSP = the
; header's stack top (bsp_stack_top), RDI = struct guest_boot_info *.
selftest_entry:
    cld
    xor ebp, ebp                ; ends backtraces
    push rbp                    ; a zero return address: RSP is 8 mod 16, as after a call
    jmp selftest_bsp_main       ; RDI passes through

; The trampoline (kernel/trampoline.asm) jumps here in 64-bit mode with
; RSP = the AP's stack top and RDI = its struct cpu *.
selftest_ap_entry:
    cld
    xor ebp, ebp
    push rbp
    jmp selftest_ap_main

section .bss
align 16
global bsp_stack_bottom
global bsp_stack_top
bsp_stack_bottom:
    resb BSP_STACK_SIZE
bsp_stack_top:
