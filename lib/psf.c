/* PSF1/PSF2 font parsing: header, glyph table, Unicode table for ASCII. */
#include "lib/psf.h"

#define PSF1_MAGIC0        0x36
#define PSF1_MAGIC1        0x04
#define PSF1_MODE_512      0x01
#define PSF1_MODE_HASTAB   0x02
#define PSF1_MODE_SEQ      0x04
#define PSF1_SEPARATOR     0xffff
#define PSF1_STARTSEQ      0xfffe

#define PSF2_MAGIC         0x864ab572u
#define PSF2_HAS_UNICODE   0x01
#define PSF2_SEPARATOR     0xff
#define PSF2_STARTSEQ      0xfe
#define PSF2_HEADER_SIZE   32

#define MAX_GLYPH_DIM      64

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Without a Unicode table, glyph i is character i (the classic layout). */
static void identity_ascii(struct psf_font *f)
{
    for (unsigned c = 0; c < 128; c++) {
        f->ascii[c] = c < f->glyph_count ? (uint16_t)c : 0;
    }
}

static void note_codepoint(struct psf_font *f, uint32_t cp, uint32_t glyph, bool *seen)
{
    /* First mapping wins: later glyphs may list the same code as a
     * look-alike. */
    if (cp < 128 && !seen[cp]) {
        f->ascii[cp] = (uint16_t)glyph;
        seen[cp] = true;
    }
}

static void psf1_unicode(struct psf_font *f, const uint8_t *p, const uint8_t *end)
{
    bool seen[128] = { false };
    identity_ascii(f);
    for (uint32_t g = 0; g < f->glyph_count && p + 2 <= end; g++) {
        bool in_seq = false;
        while (p + 2 <= end) {
            uint16_t u = (uint16_t)(p[0] | p[1] << 8);
            p += 2;
            if (u == PSF1_SEPARATOR) {
                break;
            }
            if (u == PSF1_STARTSEQ) {
                in_seq = true;   /* combining sequences: not single chars */
            } else if (!in_seq) {
                note_codepoint(f, u, g, seen);
            }
        }
    }
}

/* UTF-8 in PSF2 tables; only single-byte (ASCII) entries matter here, and
 * multi-byte sequences are skipped whole. */
static void psf2_unicode(struct psf_font *f, const uint8_t *p, const uint8_t *end)
{
    bool seen[128] = { false };
    identity_ascii(f);
    for (uint32_t g = 0; g < f->glyph_count && p < end; g++) {
        bool in_seq = false;
        while (p < end) {
            uint8_t b = *p++;
            if (b == PSF2_SEPARATOR) {
                break;
            }
            if (b == PSF2_STARTSEQ) {
                in_seq = true;
            } else if (b < 0x80 && !in_seq) {
                note_codepoint(f, b, g, seen);
            }
        }
    }
}

static bool parse_psf1(const uint8_t *d, size_t size, struct psf_font *f, const char **why)
{
    uint8_t mode = d[2];
    f->height = d[3];
    f->width = 8;
    f->row_bytes = 1;
    f->glyph_bytes = f->height;
    f->glyph_count = (mode & PSF1_MODE_512) ? 512 : 256;
    if (f->height == 0 || f->height > MAX_GLYPH_DIM) {
        *why = "bad glyph height";
        return false;
    }
    size_t table = 4 + (size_t)f->glyph_count * f->glyph_bytes;
    if (table > size) {
        *why = "glyph table extends past end of file";
        return false;
    }
    f->glyphs = d + 4;
    if (mode & (PSF1_MODE_HASTAB | PSF1_MODE_SEQ)) {
        psf1_unicode(f, d + table, d + size);
    } else {
        identity_ascii(f);
    }
    return true;
}

static bool parse_psf2(const uint8_t *d, size_t size, struct psf_font *f, const char **why)
{
    if (size < PSF2_HEADER_SIZE) {
        *why = "truncated header";
        return false;
    }
    uint32_t header_size = le32(d + 8), flags = le32(d + 12);
    f->glyph_count = le32(d + 16);
    f->glyph_bytes = le32(d + 20);
    f->height = le32(d + 24);
    f->width = le32(d + 28);
    if (f->width == 0 || f->width > MAX_GLYPH_DIM || f->height == 0 || f->height > MAX_GLYPH_DIM) {
        *why = "bad glyph size";
        return false;
    }
    f->row_bytes = (f->width + 7) / 8;
    if (f->glyph_bytes != f->row_bytes * f->height || f->glyph_count == 0 ||
        f->glyph_count > 65536) {
        *why = "inconsistent glyph size or count";
        return false;
    }
    if (header_size < PSF2_HEADER_SIZE || header_size > size ||
        (size - header_size) / f->glyph_bytes < f->glyph_count) {
        *why = "glyph table extends past end of file";
        return false;
    }
    f->glyphs = d + header_size;
    const uint8_t *table = f->glyphs + (size_t)f->glyph_count * f->glyph_bytes;
    if (flags & PSF2_HAS_UNICODE) {
        psf2_unicode(f, table, d + size);
    } else {
        identity_ascii(f);
    }
    return true;
}

bool psf_parse(const void *data, size_t size, struct psf_font *font, const char **why)
{
    const uint8_t *d = data;
    if (size >= 4 && d[0] == PSF1_MAGIC0 && d[1] == PSF1_MAGIC1) {
        return parse_psf1(d, size, font, why);
    }
    if (size >= 4 && le32(d) == PSF2_MAGIC) {
        return parse_psf2(d, size, font, why);
    }
    *why = "not a PSF font";
    return false;
}

const uint8_t *psf_glyph(const struct psf_font *font, char c)
{
    unsigned char u = (unsigned char)c;
    if (u >= 128 || (u < 0x20)) {
        u = '?';
    }
    return font->glyphs + (size_t)font->ascii[u] * font->glyph_bytes;
}
