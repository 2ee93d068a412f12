/* Unit tests for lib/psf.c: fonts built in the test, and hostile ones. */
#include "test.h"

#include "lib/psf.h"

#include <stdlib.h>

/* A PSF1 font of 256 8x4 glyphs whose Unicode table maps 'A' to glyph 200. */
static size_t make_psf1(uint8_t *buf, bool with_table)
{
    size_t n = 0;
    buf[n++] = 0x36;
    buf[n++] = 0x04;
    buf[n++] = with_table ? 0x02 : 0x00;
    buf[n++] = 4;
    for (int g = 0; g < 256; g++) {
        for (int row = 0; row < 4; row++) {
            buf[n++] = (uint8_t)g;   /* glyph g's rows all hold g */
        }
    }
    if (with_table) {
        for (int g = 0; g < 256; g++) {
            uint16_t cp = g == 200 ? 'A' : (g == 'A' ? 0x391 : (uint16_t)g);
            buf[n++] = cp & 0xff;
            buf[n++] = cp >> 8;
            buf[n++] = 0xff;
            buf[n++] = 0xff;
        }
    }
    return n;
}

TEST(psf1_unicode_table_maps_ascii)
{
    static uint8_t buf[4 + 256 * 4 + 256 * 4];
    struct psf_font f;
    const char *why = NULL;
    size_t n = make_psf1(buf, true);
    CHECK(psf_parse(buf, n, &f, &why));
    CHECK_EQ_U64(f.width, 8);
    CHECK_EQ_U64(f.height, 4);
    CHECK_EQ_U64(psf_glyph(&f, 'A')[0], 200);
    CHECK_EQ_U64(psf_glyph(&f, 'z')[0], 'z');
    CHECK_EQ_U64(psf_glyph(&f, '\x01')[0], '?');   /* control chars show as '?' */
}

TEST(psf1_without_table_is_identity)
{
    static uint8_t buf[4 + 256 * 4];
    struct psf_font f;
    const char *why = NULL;
    CHECK(psf_parse(buf, make_psf1(buf, false), &f, &why));
    CHECK_EQ_U64(psf_glyph(&f, 'A')[0], 'A');
}

TEST(psf2_parses_and_maps)
{
    static uint8_t buf[32 + 128 * 2 * 10 + 128 * 2];
    uint32_t hdr[8] = { 0x864ab572u, 0, 32, 1, 128, 2 * 10, 10, 12 };
    struct psf_font f;
    const char *why = NULL;
    memcpy(buf, hdr, sizeof(hdr));
    for (int g = 0; g < 128; g++) {
        buf[32 + g * 20] = (uint8_t)g;
    }
    size_t n = 32 + 128 * 20;
    for (int g = 0; g < 128; g++) {
        buf[n++] = (uint8_t)(g == 5 ? 'Q' : (g == 'Q' ? 0x7f : g));
        buf[n++] = 0xff;
    }
    CHECK(psf_parse(buf, n, &f, &why));
    CHECK_EQ_U64(f.width, 12);
    CHECK_EQ_U64(f.row_bytes, 2);
    CHECK_EQ_U64(psf_glyph(&f, 'Q')[0], 5);
}

TEST(psf_hostile_inputs_are_refused)
{
    static uint8_t buf[4 + 256 * 4];
    struct psf_font f;
    const char *why = NULL;
    size_t n = make_psf1(buf, false);
    /* Truncated at every length: refused, never read past the end (ASan). */
    for (size_t len = 0; len < n; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, buf, len);
        CHECK(!psf_parse(copy, len, &f, &why));
        free(copy);
    }
    buf[3] = 0;
    CHECK(!psf_parse(buf, n, &f, &why));
    CHECK_STR(why, "bad glyph height");

    uint8_t psf2[32] = { 0x72, 0xb5, 0x4a, 0x86 };
    uint32_t *h = (uint32_t *)psf2;
    h[2] = 32; h[4] = 0xffffffffu; h[5] = 16; h[6] = 16; h[7] = 8;
    CHECK(!psf_parse(psf2, sizeof(psf2), &f, &why));
    h[4] = 1000;
    CHECK(!psf_parse(psf2, sizeof(psf2), &f, &why));
    CHECK_STR(why, "glyph table extends past end of file");
    CHECK(!psf_parse("hello", 5, &f, &why));
    CHECK_STR(why, "not a PSF font");
}

TEST_SUITE(psf,
    UNIT(psf1_unicode_table_maps_ascii),
    UNIT(psf1_without_table_is_identity),
    UNIT(psf2_parses_and_maps),
    UNIT(psf_hostile_inputs_are_refused));
