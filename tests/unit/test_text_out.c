/* Unit tests for lib/text_out.c: appending, truncation counted like snprintf. */
#include "test.h"

#include "lib/text_out.h"

TEST(text_out_appends)
{
    char buf[32];
    struct text_out o;
    text_out_init(&o, buf, sizeof(buf));
    text_out_str(&o, "port ");
    text_out_printf(&o, "0x%x, %u bytes", 0x3f8, 1u);
    CHECK_STR(buf, "port 0x3f8, 1 bytes");
    CHECK_EQ_U64(text_out_len(&o), 19);
}

TEST(text_out_truncates_and_counts)
{
    char buf[8];
    struct text_out o;
    text_out_init(&o, buf, sizeof(buf));
    text_out_str(&o, "abcdef");
    text_out_str(&o, "ghij");          /* only "g" fits, then the NUL */
    text_out_str(&o, "klm");           /* nothing fits: counted only */
    CHECK_STR(buf, "abcdefg");
    CHECK_EQ_U64(text_out_len(&o), 13);
    /* A zero-size buffer is never written. */
    char untouched = 'x';
    text_out_init(&o, &untouched, 0);
    text_out_str(&o, "abc");
    CHECK(untouched == 'x');
    CHECK_EQ_U64(text_out_len(&o), 3);
}

TEST_SUITE(text_out,
    UNIT(text_out_appends),
    UNIT(text_out_truncates_and_counts),
);
