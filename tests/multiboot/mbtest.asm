; Kestrel's multiboot test kernel: checks what the loader handed it and
; reports on COM1, then powers the run off with Kestrel's hypercall.
;
;   nasm -f bin -DMB_VERSION=1 -o mbtest1.bin mbtest.asm   (Multiboot 1)
;   nasm -f bin -DMB_VERSION=2 -o mbtest2.bin mbtest.asm   (Multiboot2)
;
; Both are flat images loaded at 1 MiB through the header's address fields
; (MB1 flag 16 / MB2 tags 2 and 3), with a 16 KiB bss after the file image.
; Entered as GRUB would: 32-bit protected mode, paging off, flat segments,
; interrupts off, EAX = bootloader magic, EBX = info structure (physical).
;
; Expected boot: command line beginning "mbtest", exactly one module whose
; bytes begin "KMOD" and whose string begins "kmod-args" (build.sh writes
; kmod.bin), and, for v2, an ACPI 2.0+ RSDP (tag 15).
;
; Output, one line per check then a summary ("\r\n" line ends):
;   multiboot: <name> ok | multiboot: <name> FAIL
;   multiboot: PASS n/n  | multiboot: FAIL p/n
; v1 checks: magic meminfo mmap cmdline module
; v2 checks: magic cmdline meminfo mmap acpi module

%ifndef MB_VERSION
%fatal "assemble with -DMB_VERSION=1 or -DMB_VERSION=2"
%elif MB_VERSION != 1 && MB_VERSION != 2
%fatal "MB_VERSION must be 1 or 2"
%endif

bits 32
org 0x100000

LOAD_ADDR       equ 0x100000
BSS_SIZE        equ 16384

COM1            equ 0x3f8
COM1_LSR        equ COM1 + 5
LSR_THR_EMPTY   equ 1 << 5

KESTREL_HC_POWER_OFF equ 4

MB1_HEADER_MAGIC     equ 0x1BADB002
MB1_BOOTLOADER_MAGIC equ 0x2BADB002
MB1_F_MEMORY_INFO    equ 1 << 1
MB1_F_ADDRESS_FIELDS equ 1 << 16
MB1_FLAGS            equ MB1_F_MEMORY_INFO | MB1_F_ADDRESS_FIELDS

; struct multiboot_info
MB1_I_FLAGS          equ 0
MB1_I_MEM_UPPER      equ 8
MB1_I_CMDLINE        equ 16
MB1_I_MODS_COUNT     equ 20
MB1_I_MODS_ADDR      equ 24
MB1_I_MMAP_LENGTH    equ 44
MB1_I_MMAP_ADDR      equ 48
MB1_INFO_MEMORY      equ 1 << 0
MB1_INFO_CMDLINE     equ 1 << 2
MB1_INFO_MODS        equ 1 << 3
MB1_INFO_MMAP        equ 1 << 6

MB2_HEADER_MAGIC     equ 0xE85250D6
MB2_BOOTLOADER_MAGIC equ 0x36D76289
MB2_ARCH_I386        equ 0

MB2_TAG_END          equ 0
MB2_TAG_CMDLINE      equ 1
MB2_TAG_MODULE       equ 3
MB2_TAG_BASIC_MEMINFO equ 4
MB2_TAG_MMAP         equ 6
MB2_TAG_ACPI_NEW     equ 15

MEM_TYPE_RAM         equ 1
KMOD_MAGIC           equ 'KMOD'     ; as a little-endian dword: bytes K, M, O, D

section .text

image_start:

; ---- the header (first thing in the file) ----------------------------------

%if MB_VERSION == 1

align 4, db 0
mb1_header:
    dd MB1_HEADER_MAGIC
    dd MB1_FLAGS
    dd (-(MB1_HEADER_MAGIC + MB1_FLAGS)) & 0xFFFFFFFF
    dd mb1_header               ; header_addr
    dd image_start              ; load_addr
    dd load_end                 ; load_end_addr
    dd bss_end                  ; bss_end_addr
    dd start                    ; entry_addr

%else

align 8, db 0
mb2_header:
    dd MB2_HEADER_MAGIC
    dd MB2_ARCH_I386
    dd mb2_header_end - mb2_header
    dd (-(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))) & 0xFFFFFFFF

align 8, db 0
.info_request:                  ; type 1: cmdline, basic meminfo, mmap, ACPI new RSDP
    dw 1, 0
    dd .info_request_end - .info_request
    dd MB2_TAG_CMDLINE, MB2_TAG_BASIC_MEMINFO, MB2_TAG_MMAP, MB2_TAG_ACPI_NEW
.info_request_end:

align 8, db 0
.address:                       ; type 2
    dw 2, 0
    dd .address_end - .address
    dd mb2_header               ; header_addr
    dd image_start              ; load_addr
    dd load_end                 ; load_end_addr
    dd bss_end                  ; bss_end_addr
.address_end:

align 8, db 0
.entry:                         ; type 3
    dw 3, 0
    dd .entry_end - .entry
    dd start                    ; entry_addr
.entry_end:

align 8, db 0
.end:                           ; type 0
    dw 0, 0
    dd 8
mb2_header_end:

%endif

; ---- entry -------------------------------------------------------------------

align 16, db 0
start:
    cli
    cld
    mov esp, stack_top          ; no stack is promised: use our own
    mov edx, eax
    mov edi, bss_vars           ; the counters start at 0 (whatever the loader did)
    mov ecx, (bss_vars_end - bss_vars) / 4
    xor eax, eax
    rep stosd
    mov [boot_magic], edx
    mov [boot_info], ebx

%if MB_VERSION == 1
    call checks_v1
%else
    call checks_v2
%endif

    ; Summary: PASS n/n or FAIL p/n.
    mov esi, msg_prefix
    call puts
    mov eax, [passed]
    cmp eax, [total]
    jne .failed
    mov esi, msg_pass
    jmp .summary
.failed:
    mov esi, msg_fail_word
.summary:
    call puts
    mov eax, [passed]
    call put_dec
    mov al, '/'
    call putc
    mov eax, [total]
    call put_dec
    mov esi, msg_crlf
    call puts

    ; End the run (KESTREL_HC_POWER_OFF); it does not return under Kestrel.
    ; The hypercall is VMCALL on Intel, VMMCALL on AMD (VMCALL is #UD there):
    ; CPUID leaf 0's EBX tells them apart ("Auth"enticAMD, "Hygo"nGenuine).
    xor eax, eax
    cpuid
    mov esi, ebx
    mov eax, KESTREL_HC_POWER_OFF
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    cmp esi, 0x68747541
    je .amd
    cmp esi, 0x6f677948
    je .amd
    vmcall
    jmp .hang
.amd:
    vmmcall
.hang:
    cli
    hlt
    jmp .hang

; ---- Multiboot 1 checks ------------------------------------------------------

%if MB_VERSION == 1

checks_v1:
    ; magic
    xor eax, eax
    cmp dword [boot_magic], MB1_BOOTLOADER_MAGIC
    sete al
    mov [magic_ok], eax
    mov esi, name_magic
    call report

    ; With a wrong magic EBX means nothing: do not follow it.
    cmp dword [magic_ok], 0
    je .no_info
    mov ebx, [boot_info]
    mov edx, [ebx + MB1_I_FLAGS]

    ; meminfo: flags bit 0, mem_upper > 1024 KiB
    xor eax, eax
    test edx, MB1_INFO_MEMORY
    jz .meminfo_done
    cmp dword [ebx + MB1_I_MEM_UPPER], 1024
    seta al
.meminfo_done:
    mov esi, name_meminfo
    call report

    ; mmap: flags bit 6, mmap_length > 0, first entry's size == 20, a RAM entry
    xor eax, eax
    test edx, MB1_INFO_MMAP
    jz .mmap_done
    mov ecx, [ebx + MB1_I_MMAP_LENGTH]      ; bytes left
    mov esi, [ebx + MB1_I_MMAP_ADDR]        ; entry: u32 size, u64 base, u64 len, u32 type
    cmp ecx, 24
    jb .mmap_done
    cmp dword [esi], 20
    jne .mmap_done
.mmap_entry:
    cmp ecx, 24
    jb .mmap_done
    cmp dword [esi + 20], MEM_TYPE_RAM
    je .mmap_found
    mov edi, [esi]
    add edi, 4                              ; next entry: size + 4 bytes on
    cmp edi, 24
    jb .mmap_done                           ; malformed (or wrapped) size
    cmp edi, ecx
    jae .mmap_done
    sub ecx, edi
    add esi, edi
    jmp .mmap_entry
.mmap_found:
    mov eax, 1
.mmap_done:
    mov esi, name_mmap
    call report

    ; cmdline: flags bit 2, begins with "mbtest"
    xor eax, eax
    test edx, MB1_INFO_CMDLINE
    jz .cmdline_done
    mov esi, [ebx + MB1_I_CMDLINE]
    mov edi, str_cmdline
    mov ecx, str_cmdline_len
    call prefix_eq
.cmdline_done:
    mov esi, name_cmdline
    call report

    ; module: flags bit 3, mods_count == 1, bytes "KMOD", string "kmod-args"
    xor eax, eax
    test edx, MB1_INFO_MODS
    jz .module_done
    cmp dword [ebx + MB1_I_MODS_COUNT], 1
    jne .module_done
    mov edi, [ebx + MB1_I_MODS_ADDR]        ; mod_start, mod_end, string, reserved
    mov esi, [edi + 8]
    mov eax, [edi + 4]
    mov edi, [edi]
    call module_ok
.module_done:
    mov esi, name_module
    call report
    ret

.no_info:
    mov esi, names_v1_after_magic
    jmp report_rest_failed

%endif

; ---- Multiboot2 checks ---------------------------------------------------------

%if MB_VERSION == 2

checks_v2:
    ; magic
    xor eax, eax
    cmp dword [boot_magic], MB2_BOOTLOADER_MAGIC
    sete al
    mov [magic_ok], eax
    mov esi, name_magic
    call report

    cmp dword [magic_ok], 0
    je .no_info

    ; Walk the tags: u32 total_size, u32 reserved, then tags (u32 type,
    ; u32 size), each starting 8-aligned, until type 0.  Never past
    ; total_size.
    mov ebx, [boot_info]
    mov ebp, [ebx]
    cmp ebp, 8
    jb .walk_done
    add ebp, ebx                            ; end of the structure
    jc .walk_done
    lea esi, [ebx + 8]
.tag:
    mov eax, ebp
    sub eax, esi
    cmp eax, 8
    jb .walk_done                           ; no room for a tag header
    mov ecx, [esi + 4]                      ; size
    cmp ecx, 8
    jb .walk_done
    cmp ecx, eax
    ja .walk_done                           ; runs past total_size
    mov eax, [esi]                          ; type
    cmp eax, MB2_TAG_END
    je .walk_done
    push esi
    push ecx
    push ebp
    call tag_v2                             ; esi = tag, ecx = size, eax = type
    pop ebp
    pop ecx
    pop esi
    add ecx, 7
    and ecx, ~7
    add esi, ecx
    jc .walk_done
    jmp .tag
.walk_done:

    mov eax, [seen_cmdline]
    mov esi, name_cmdline
    call report
    mov eax, [seen_meminfo]
    mov esi, name_meminfo
    call report
    mov eax, [seen_mmap]
    mov esi, name_mmap
    call report
    mov eax, [seen_acpi]
    mov esi, name_acpi
    call report
    ; module: exactly one module tag, and that one matches
    xor eax, eax
    cmp dword [module_tags], 1
    jne .module_report
    mov eax, [seen_module]
.module_report:
    mov esi, name_module
    call report
    ret

.no_info:
    mov esi, names_v2_after_magic
    jmp report_rest_failed

; One information tag: esi = tag, ecx = its size (>= 8, inside total_size),
; eax = its type.  Sets the seen_* words.  Clobbers everything but esp.
tag_v2:
    cmp eax, MB2_TAG_CMDLINE
    je .cmdline
    cmp eax, MB2_TAG_MODULE
    je .module
    cmp eax, MB2_TAG_BASIC_MEMINFO
    je .meminfo
    cmp eax, MB2_TAG_MMAP
    je .mmap
    cmp eax, MB2_TAG_ACPI_NEW
    je .acpi
    ret

.cmdline:                                   ; u32 type, u32 size, string
    cmp ecx, 8 + str_cmdline_len
    jb .ret
    add esi, 8
    mov edi, str_cmdline
    mov ecx, str_cmdline_len
    call prefix_eq
    mov [seen_cmdline], eax
    ret

.module:                                    ; u32 mod_start, u32 mod_end, string
    inc dword [module_tags]
    cmp ecx, 16 + str_kmod_args_len
    jb .ret
    mov edi, [esi + 8]
    mov eax, [esi + 12]
    add esi, 16
    call module_ok
    mov [seen_module], eax
    ret

.meminfo:                                   ; u32 mem_lower, u32 mem_upper (KiB)
    cmp ecx, 16
    jb .ret
    xor eax, eax
    cmp dword [esi + 12], 1024
    seta al
    mov [seen_meminfo], eax
    ret

.mmap:                                      ; u32 entry_size, u32 entry_version, entries
    cmp ecx, 16
    jb .ret
    cmp dword [esi + 8], 24
    jne .ret
    lea edi, [esi + 16]                     ; entry: u64 base, u64 len, u32 type, u32 reserved
    sub ecx, 16                             ; bytes of entries
.mmap_entry:
    cmp ecx, 24
    jb .ret
    cmp dword [edi + 16], MEM_TYPE_RAM
    je .mmap_found
    add edi, 24
    sub ecx, 24
    jmp .mmap_entry
.mmap_found:
    mov dword [seen_mmap], 1
    ret

.acpi:                                      ; a copy of the RSDP (36 bytes)
    cmp ecx, 8 + str_rsdp_sig_len
    jb .ret
    add esi, 8
    mov edi, str_rsdp_sig
    mov ecx, str_rsdp_sig_len
    call prefix_eq
    mov [seen_acpi], eax
.ret:
    ret

%endif

; ---- helpers -------------------------------------------------------------------

; A module passes if it is at least 4 bytes long, its bytes begin "KMOD" and
; its string begins "kmod-args".  edi = mod_start, eax = mod_end (exclusive),
; esi = string.  Returns eax = 1 or 0.  Clobbers ecx, esi, edi.
module_ok:
    cmp eax, edi
    jb .bad
    sub eax, edi
    cmp eax, 4
    jb .bad
    cmp dword [edi], KMOD_MAGIC
    jne .bad
    mov edi, str_kmod_args
    mov ecx, str_kmod_args_len
    jmp prefix_eq                           ; its result is ours
.bad:
    xor eax, eax
    ret

; Whether the ecx (> 0) bytes at esi equal those at edi.  Returns eax = 1
; or 0.  Clobbers ecx, esi, edi.
prefix_eq:
    xor eax, eax
    repe cmpsb
    jne .done
    inc eax
.done:
    ret

; Prints "multiboot: <name> ok" or "... FAIL" and counts it.  esi = name,
; eax = nonzero for ok.  Preserves ebx, edx, ebp.
report:
    push eax
    push esi
    mov esi, msg_prefix
    call puts
    pop esi
    call puts
    pop eax
    inc dword [total]
    test eax, eax
    jz .fail
    inc dword [passed]
    mov esi, msg_ok
    jmp puts
.fail:
    mov esi, msg_fail
    jmp puts

; Reports every name in the NUL-separated list at esi (ended by an empty
; name) as failed.
report_rest_failed:
.next:
    cmp byte [esi], 0
    je .done
    push esi
    xor eax, eax
    call report
    pop esi
.skip:
    lodsb
    test al, al
    jnz .skip
    jmp .next
.done:
    ret

; Writes the NUL-terminated string at esi to COM1.  Preserves all but esi, eax.
puts:
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

; Writes al to COM1 once the transmitter holding register is empty.
; Preserves every register.
putc:
    push edx
    push eax
    mov dx, COM1_LSR
.wait:
    in al, dx
    test al, LSR_THR_EMPTY
    jz .wait
    pop eax
    mov dx, COM1
    out dx, al
    pop edx
    ret

; Writes eax in decimal.  Clobbers eax, ecx, edx.
put_dec:
    push ebx
    mov ebx, 10
    xor ecx, ecx
.divide:
    xor edx, edx
    div ebx
    push edx
    inc ecx
    test eax, eax
    jnz .divide
.print:
    pop eax
    add al, '0'
    call putc
    loop .print
    pop ebx
    ret

; ---- data -------------------------------------------------------------------------

msg_prefix      db "multiboot: ", 0
msg_ok          db " ok", 13, 10, 0
msg_fail        db " FAIL", 13, 10, 0
msg_pass        db "PASS ", 0
msg_fail_word   db "FAIL ", 0
msg_crlf        db 13, 10, 0

name_magic      db "magic", 0
name_meminfo    db "meminfo", 0
name_mmap       db "mmap", 0
name_cmdline    db "cmdline", 0
name_acpi       db "acpi", 0
name_module     db "module", 0

; The checks after magic, in report order, for a run whose magic is wrong.
names_v1_after_magic db "meminfo", 0, "mmap", 0, "cmdline", 0, "module", 0, 0
names_v2_after_magic db "cmdline", 0, "meminfo", 0, "mmap", 0, "acpi", 0, "module", 0, 0

str_cmdline     db "mbtest"
str_cmdline_len equ $ - str_cmdline
str_kmod_args   db "kmod-args"
str_kmod_args_len equ $ - str_kmod_args
str_rsdp_sig    db "RSD PTR "
str_rsdp_sig_len equ $ - str_rsdp_sig

load_end:                       ; end of the file image (load_end_addr)

; ---- bss: not in the file; the loader zero-fills up to bss_end -------------------

section .bss nobits align=16

bss_vars:
boot_magic      resd 1
boot_info       resd 1
magic_ok        resd 1
passed          resd 1
total           resd 1
seen_cmdline    resd 1
seen_meminfo    resd 1
seen_mmap       resd 1
seen_acpi       resd 1
seen_module     resd 1
module_tags     resd 1
bss_vars_end:

                resb (16 - ($ - $$) % 16) % 16   ; 16-align the stack
stack_bottom    resb BSS_SIZE - ($ - $$)
stack_top:
bss_end:                        ; bss_end_addr
