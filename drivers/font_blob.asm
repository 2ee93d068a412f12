; The framebuffer console's font file (PSF), embedded read-only; parsed by
; lib/psf.c at start-up.
section .rodata
global font_psf
global font_psf_end
font_psf:
    incbin FONT_PSF
font_psf_end:
