/*
 * PC Screen Font (PSF1 and PSF2) parsing for the framebuffer console.  The
 * font itself comes from Debian's console-setup-linux package at build time
 * (scripts/fetch-font.sh); this code only reads it, and checks every offset
 * against the file size first.
 */
#ifndef KESTREL_LIB_PSF_H
#define KESTREL_LIB_PSF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct psf_font {
    const uint8_t *glyphs;
    uint32_t glyph_count;
    uint32_t glyph_bytes;
    uint32_t width;               /* pixels */
    uint32_t height;              /* pixels */
    uint32_t row_bytes;           /* (width + 7) / 8 */
    uint16_t ascii[128];          /* glyph index for each ASCII code */
};

/* Returns true and fills *font, or false with *why set. */
bool psf_parse(const void *data, size_t size, struct psf_font *font, const char **why);

/* The glyph for ASCII c ('?' for anything the font cannot show). */
const uint8_t *psf_glyph(const struct psf_font *font, char c);

#endif
