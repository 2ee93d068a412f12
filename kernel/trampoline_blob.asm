; Embeds the assembled AP trampoline (build/kernel/trampoline.bin) in the
; kernel's read-only data; kernel/smp.c copies it below 1 MiB.
section .rodata
global trampoline_blob
global trampoline_blob_end
trampoline_blob:
    incbin TRAMPOLINE_BIN
trampoline_blob_end:
