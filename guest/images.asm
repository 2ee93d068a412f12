; The built-in guest images (build/guest/<name>.bin), embedded read-only;
; guest/builtin.c lists them by payload name and copies the chosen one into
; guest memory.
section .rodata

align 16
global selftest_image
global selftest_image_end
selftest_image:
    incbin SELFTEST_BIN
selftest_image_end:

align 16
global hostile_image
global hostile_image_end
hostile_image:
    incbin HOSTILE_BIN
hostile_image_end:

align 16
global bench_image
global bench_image_end
bench_image:
    incbin BENCH_BIN
bench_image_end:
