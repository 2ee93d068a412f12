/* Unit tests for lib/text_escape.c. */
#include "test.h"

#include "lib/text_escape.h"

static const char *esc(const char *in, size_t len, size_t cap)
{
    static char out[256];
    text_escape(in, len, out, cap);
    return out;
}

TEST(escape_plain_text_unchanged)
{
    CHECK_STR(esc("hello, world 42 ~!", 18, 64), "hello, world 42 ~!");
    CHECK_STR(esc("", 0, 64), "");
}

TEST(escape_forged_status_line)
{
    const char forged[] = "ok\nkestrel: guest reset: triple-fault\r\nkestrel: vmx root on 9/9 cpus";
    const char *out = esc(forged, sizeof(forged) - 1, 256);

    CHECK_STR(out, "ok\\nkestrel: guest reset: triple-fault\\r\\nkestrel: vmx root on 9/9 cpus");
    CHECK(strchr(out, '\n') == NULL && strchr(out, '\r') == NULL);
}

TEST(escape_control_and_high_bytes)
{
    const char in[] = { '\\', 0x1b, '[', '2', 'J', 0x00, 0x07, 0x7f, (char)0x80, (char)0xff, 't' };
    CHECK_STR(esc(in, sizeof(in), 64), "\\\\\\x1b[2J\\x00\\x07\\x7f\\x80\\xfft");
}

TEST(escape_every_byte_is_printable_after)
{
    char in[256], out[1100];
    for (int i = 0; i < 256; i++)
        in[i] = (char)i;
    size_t n = text_escape(in, sizeof(in), out, sizeof(out));
    CHECK_EQ_U64(n, strlen(out));
    for (size_t i = 0; i < n; i++)
        CHECK(out[i] >= 0x20 && out[i] <= 0x7e);
    /* 94 printable (no backslash), the backslash 2, \n and \r 2 each, the 159 others 4 each */
    CHECK_EQ_U64(n, 94 + 2 + 2 + 2 + 4 * 159);
}

TEST(escape_truncates_at_whole_escapes)
{
    char out[8];
    /* "ab" + \x01 (4) = 6 fits in 7 + NUL; the next escape does not. */
    CHECK_EQ_U64(text_escape("ab\x01\x02", 4, out, sizeof(out)), 6);
    CHECK_STR(out, "ab\\x01");
    CHECK_EQ_U64(text_escape("abcdefghij", 10, out, sizeof(out)), 7);
    CHECK_STR(out, "abcdefg");
    CHECK_EQ_U64(text_escape("\n", 1, out, 2), 0);     /* "\n" needs 2 + NUL */
    CHECK_STR(out, "");
    CHECK_EQ_U64(text_escape("x", 1, out, 0), 0);      /* nothing written at all */
}

TEST_SUITE(text_escape, UNIT(escape_plain_text_unchanged), UNIT(escape_forged_status_line),
           UNIT(escape_control_and_high_bytes), UNIT(escape_every_byte_is_printable_after),
           UNIT(escape_truncates_at_whole_escapes));
