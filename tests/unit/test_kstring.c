/* Unit tests for lib/kstring.c. */
#include "test.h"

#include "lib/kstring.h"

#include <stdlib.h>

TEST(kstring_strlen)
{
    CHECK_EQ_U64(kstrlen(""), 0);
    CHECK_EQ_U64(kstrlen("a"), 1);
    CHECK_EQ_U64(kstrlen("hello\0world"), 5);
}

TEST(kstring_strnlen_stops_at_max)
{
    /* Exactly three bytes, no terminator: ASan catches any read past them. */
    char *s = malloc(3);

    CHECK(s != NULL);
    memcpy(s, "abc", 3);
    size_t full = kstrnlen(s, 3), part = kstrnlen(s, 2), none = kstrnlen(s, 0);
    free(s);
    CHECK_EQ_U64(full, 3);
    CHECK_EQ_U64(part, 2);
    CHECK_EQ_U64(none, 0);
    CHECK_EQ_U64(kstrnlen("ab", 10), 2);
}

TEST(kstring_strcmp)
{
    CHECK(kstrcmp("", "") == 0);
    CHECK(kstrcmp("abc", "abc") == 0);
    CHECK(kstrcmp("abc", "abd") < 0);
    CHECK(kstrcmp("abd", "abc") > 0);
    CHECK(kstrcmp("ab", "abc") < 0);
    CHECK(kstrcmp("abc", "ab") > 0);
    /* Bytes compare unsigned, like the C library. */
    CHECK(kstrcmp("\x80", "\x7f") > 0);
    CHECK(kstrcmp("\xff", "a") > 0);
}

TEST(kstring_strncmp)
{
    CHECK(kstrncmp("abcdef", "abcxyz", 3) == 0);
    CHECK(kstrncmp("abcdef", "abcxyz", 4) < 0);
    CHECK(kstrncmp("abc", "abd", 0) == 0);
    CHECK(kstrncmp("ab", "ab", 10) == 0);
    CHECK(kstrncmp("ab", "abc", 10) < 0);
    CHECK(kstrncmp("\x80", "\x01", 1) > 0);
}

TEST(kstring_memcmp)
{
    CHECK(kmemcmp("a\0b", "a\0b", 3) == 0);
    CHECK(kmemcmp("a\0b", "a\0c", 3) < 0);
    CHECK(kmemcmp("\xff", "\x00", 1) > 0);
    CHECK(kmemcmp("x", "y", 0) == 0);
}

TEST(kstring_strlcpy)
{
    char buf[8];

    memset(buf, 'X', sizeof(buf));
    CHECK_EQ_U64(kstrlcpy(buf, "hello", sizeof(buf)), 5);
    CHECK_STR(buf, "hello");

    memset(buf, 'X', sizeof(buf));
    CHECK_EQ_U64(kstrlcpy(buf, "truncated!", 4), 10);
    CHECK_STR(buf, "tru");
    CHECK(buf[4] == 'X');

    CHECK_EQ_U64(kstrlcpy(buf, "", sizeof(buf)), 0);
    CHECK_STR(buf, "");

    /* size 0 writes nothing at all. */
    buf[0] = 'Q';
    CHECK_EQ_U64(kstrlcpy(buf, "abc", 0), 3);
    CHECK(buf[0] == 'Q');

    CHECK_EQ_U64(kstrlcpy(buf, "abc", 1), 3);
    CHECK_STR(buf, "");
}

TEST(kstring_classes)
{
    const char *spaces = " \t\n\r\v\f";

    for (const char *p = spaces; *p; p++)
        CHECK(kisspace(*p));
    CHECK(!kisspace('a'));
    CHECK(!kisspace('\0'));
    CHECK(!kisspace('_'));
    for (char c = '0'; c <= '9'; c++)
        CHECK(kisdigit(c));
    CHECK(!kisdigit('a'));
    CHECK(!kisdigit('/'));
    CHECK(!kisdigit(':'));
    CHECK(!kisdigit(' '));
}

TEST(kstring_parse_u64_accepts)
{
    unsigned long long v;

    CHECK(kparse_u64("0", &v));
    CHECK_EQ_U64(v, 0);
    CHECK(kparse_u64("123", &v));
    CHECK_EQ_U64(v, 123);
    CHECK(kparse_u64("007", &v));
    CHECK_EQ_U64(v, 7);
    CHECK(kparse_u64("0x1F", &v));
    CHECK_EQ_U64(v, 0x1f);
    CHECK(kparse_u64("0XaBc", &v));
    CHECK_EQ_U64(v, 0xabc);
    CHECK(kparse_u64("18446744073709551615", &v));
    CHECK_EQ_U64(v, UINT64_MAX);
    CHECK(kparse_u64("0xffffffffffffffff", &v));
    CHECK_EQ_U64(v, UINT64_MAX);
    CHECK(kparse_u64("0x0000000000000000000001", &v));
    CHECK_EQ_U64(v, 1);
}

TEST(kstring_parse_u64_rejects)
{
    static const char *const bad[] = {
        "", "0x", "0X", "x1", "12a", " 1", "1 ", "-1", "+1", "1.5", "0x1g", "0b101",
        "18446744073709551616", "99999999999999999999", "0x10000000000000000",
    };
    unsigned long long v = 42;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (kparse_u64(bad[i], &v)) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "accepted \"%s\"", bad[i]);
            return;
        }
    }
    /* A refused number leaves the output alone. */
    CHECK_EQ_U64(v, 42);
    CHECK(!kparse_u64(NULL, &v));
}

TEST_SUITE(kstring,
    UNIT(kstring_strlen),
    UNIT(kstring_strnlen_stops_at_max),
    UNIT(kstring_strcmp),
    UNIT(kstring_strncmp),
    UNIT(kstring_memcmp),
    UNIT(kstring_strlcpy),
    UNIT(kstring_classes),
    UNIT(kstring_parse_u64_accepts),
    UNIT(kstring_parse_u64_rejects),
);
