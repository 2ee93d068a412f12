; The timed loops of the benchmark guest (main.c).  Each is
;
;   uint64_t loop_<name>(uint64_t iterations)
;
; and returns the TSC ticks of `iterations` runs of its body (iterations
; >= 1).  The bookkeeping is identical in every loop and written out here,
; not left to the compiler: LFENCE; RDTSC before and after the batch (LFENCE
; keeps RDTSC from being executed before the instructions ahead of it
; complete), the counter in R12 (callee-saved, so a body may call C),
; DEC/JNZ.  The bodies differ only in the instruction under test;
; plain-loop's MOV is the baseline every other figure is read against.

bits 64
default rel

%define KESTREL_HC_VERSION   0          ; guest/guest_image.h
%define MSR_FEATURE_CONTROL  0x3a       ; intercepted, emulated by Kestrel
%define PORT_KBC_STATUS      0x64       ; intercepted, read through by Kestrel

extern bench_ipi_round_trip

; RBX is saved too: CPUID writes it.  Three pushes leave RSP 16-aligned
; for a call in the body.
%macro LOOP_BEGIN 0
    push rbx
    push r12
    push r13
    mov r12, rdi
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov r13, rax
.body:
%endmacro

%macro LOOP_END 0
    dec r12
    jnz .body
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    sub rax, r13
    pop r13
    pop r12
    pop rbx
    ret
%endmacro

section .text
global loop_plain
global loop_cpuid
global loop_vmcall
global loop_vmmcall
global loop_rdmsr
global loop_in
global loop_external_interrupt

loop_plain:
    LOOP_BEGIN
    mov eax, 0                  ; no exit
    LOOP_END

loop_cpuid:
    LOOP_BEGIN
    xor eax, eax                ; leaf 0
    xor ecx, ecx
    cpuid                       ; always exits
    LOOP_END

loop_vmcall:
    LOOP_BEGIN
    mov eax, KESTREL_HC_VERSION
    vmcall
    LOOP_END

loop_vmmcall:                   ; the same hypercall on AMD, where VMCALL is #UD
    LOOP_BEGIN
    mov eax, KESTREL_HC_VERSION
    vmmcall
    LOOP_END

loop_rdmsr:
    LOOP_BEGIN
    mov ecx, MSR_FEATURE_CONTROL
    rdmsr
    LOOP_END

loop_in:
    LOOP_BEGIN
    in al, PORT_KBC_STATUS
    LOOP_END

; One self-IPI and its delivery per iteration (ipi.c); interrupts must be on.
loop_external_interrupt:
    LOOP_BEGIN
    call bench_ipi_round_trip
    LOOP_END
