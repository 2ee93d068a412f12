; The self-test guest image (build/guest/selftest.bin), embedded read-only;
; guest/builtin.c copies it into guest memory.
section .rodata
align 16
global selftest_image
global selftest_image_end
selftest_image:
    incbin SELFTEST_BIN
selftest_image_end:
