; Kernel entry from the UEFI loader.
; The loader has exited boot services, disabled interrupts, switched to its
; page tables (identity map + this image in the higher half) and calls
; kernel_start(bootinfo) with the System V ABI: RDI = boot-info pointer.
; We move to our own stack at once: the loader's stack is firmware memory
; that the kernel's allocator may hand out.

bits 64
default rel

section .text.entry
global kernel_start
extern kmain

kernel_start:
    cli
    cld
    lea rsp, [bsp_stack_top]
    xor ebp, ebp                ; terminates backtraces
    call kmain                  ; RDI still holds the boot-info
.halt:
    cli
    hlt
    jmp .halt

section .bss
align 16
global bsp_stack_bottom
bsp_stack_bottom:
    resb 32768
global bsp_stack_top
bsp_stack_top:
