; AP start-up code.  Assembled as a flat binary, copied by kernel/smp.c into
; the page below 1 MiB that the loader reserved, and run by each AP from its
; SIPI: real mode at CS = page >> 4, IP = 0.  It is position independent: it
; learns its own linear base from CS and patches its GDT pointer and far-jump
; targets itself, so the kernel only fills in the parameter block.
;
; Steps: real mode → 32-bit protected mode (flat, paging off) → PAE, kernel
; CR3, EFER.LME (+NXE) → paging on (long mode) → 64-bit code here → jump to
; the kernel's ap_entry(percpu) on the AP's own stack.

bits 16
org 0

start:
    jmp short real_mode_entry

align 8
; Parameter block: layout matches struct trampoline_params in kernel/smp.c.
params:
p_magic:    dd 0x4b415054           ; "TPAK": lets the kernel check the blob
p_cr3:      dd 0                    ; kernel PML4, below 4 GiB
p_stack:    dq 0                    ; top of this AP's kernel stack
p_entry:    dq 0                    ; ap_entry (higher-half virtual address)
p_percpu:   dq 0                    ; first argument to ap_entry
p_efer:     dd 0                    ; extra EFER bits (NXE when the kernel uses NX)
            dd 0

far32:      dd 0                    ; patched: linear address of pm32
            dw 0x08
align 8
far64:      dd 0                    ; patched: linear address of lm64
            dw 0x18

align 8
gdt:
    dq 0                            ; null
    dq 0x00cf9a000000ffff           ; 0x08: 32-bit code, flat
    dq 0x00cf92000000ffff           ; 0x10: data, flat
    dq 0x00af9a000000ffff           ; 0x18: 64-bit code
gdt_end:
gdtr:
    dw gdt_end - gdt - 1
    dd 0                            ; patched: linear address of gdt

real_mode_entry:
    cli
    cld
    mov ax, cs
    mov ds, ax
    xor ebx, ebx
    mov bx, ax
    shl ebx, 4                      ; ebx = linear base of this page

    lea eax, [ebx + gdt]
    mov [gdtr + 2], eax
    lea eax, [ebx + pm32]
    mov [far32], eax
    lea eax, [ebx + lm64]
    mov [far64], eax

    o32 lgdt [gdtr]
    mov eax, cr0
    or eax, 1                       ; PE
    mov cr0, eax
    jmp dword far [far32]

bits 32
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax

    mov eax, cr4
    or eax, 1 << 5                  ; PAE
    mov cr4, eax
    mov eax, [ebx + p_cr3]
    mov cr3, eax

    mov ecx, 0xc0000080             ; IA32_EFER
    rdmsr
    or eax, 1 << 8                  ; LME
    or eax, [ebx + p_efer]
    wrmsr

    ; INIT leaves caching disabled (CD, NW set): turn it on with paging.
    mov eax, cr0
    and eax, ~((1 << 30) | (1 << 29))
    or eax, (1 << 31) | 1           ; PG, PE
    mov cr0, eax
    jmp far [ebx + far64]

bits 64
lm64:
    mov rsp, [rbx + p_stack]
    mov rdi, [rbx + p_percpu]
    mov rax, [rbx + p_entry]
    xor ebp, ebp
    jmp rax

end:
