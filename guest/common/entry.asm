; Start of every built-in guest image: the header Kestrel reads (struct
; guest_image_header in guest/guest_image.h), the BSP's entry and stack.
;
; The header's offsets are linker-script symbols (linker.ld), so the flat
; binary is usable as objcopy writes it.  Each guest provides
; guest_main(const struct guest_boot_info *), which never returns.

bits 64
default rel

%define GUEST_IMAGE_MAGIC 0x5453455547545353   ; "SSTGUEST", as guest/guest_image.h
%define BSP_STACK_SIZE    8192

extern guest_entry_offset
extern guest_image_size
extern guest_stack_top_offset
extern guest_main

section .header progbits alloc noexec nowrite align=8
    dq GUEST_IMAGE_MAGIC
    dq guest_entry_offset
    dq guest_image_size
    dq guest_stack_top_offset

section .text.entry             ; first in .text (linker.ld): a small, stable entry_offset
global guest_entry

; Kestrel enters here on the BSP: 64-bit, CPL 0, interrupts off, RSP = the
; header's stack top (bsp_stack_top), RDI = struct guest_boot_info *.
guest_entry:
    cld
    xor ebp, ebp                ; ends backtraces
    push rbp                    ; a zero return address: RSP is 8 mod 16, as after a call
    jmp guest_main              ; RDI passes through

; The BSP's stack; guest/common/cpu.c also tells CPUs apart by it.
section .bss
align 16
global bsp_stack_bottom
global bsp_stack_top
bsp_stack_bottom:
    resb BSP_STACK_SIZE
bsp_stack_top:
