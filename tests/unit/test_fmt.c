/* Unit tests for lib/fmt.c. */
#include "test.h"

#include "lib/fmt.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>

/* Formats with ksnprintf and checks both the text and the returned length. */
#define CHECK_FMT(expected, ...)                                                \
    do {                                                                        \
        char fmt_buf_[512];                                                     \
        int fmt_n_ = ksnprintf(fmt_buf_, sizeof(fmt_buf_), __VA_ARGS__);        \
        CHECK_STR(fmt_buf_, expected);                                          \
        CHECK_EQ_U64(fmt_n_, strlen(expected));                                 \
    } while (0)

/* No format attribute: lets tests pass formats the compiler would reject
 * (unknown conversions, redundant flags, NULL strings) or build at run time. */
static int format_unchecked(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* CHECK_FMT for formats the compiler's printf checker warns about. */
#define CHECK_FMT_UNCHECKED(expected, ...)                                      \
    do {                                                                        \
        char fmt_buf_[512];                                                     \
        int fmt_n_ = format_unchecked(fmt_buf_, sizeof(fmt_buf_), __VA_ARGS__); \
        CHECK_STR(fmt_buf_, expected);                                          \
        CHECK_EQ_U64(fmt_n_, strlen(expected));                                 \
    } while (0)

TEST(fmt_plain_text)
{
    CHECK_FMT("", "%s", "");
    CHECK_FMT("hello, world", "hello, world");
    CHECK_FMT("100%", "100%%");
    CHECK_FMT("%%", "%%%%");
}

TEST(fmt_signed_decimal)
{
    CHECK_FMT("0", "%d", 0);
    CHECK_FMT("42", "%d", 42);
    CHECK_FMT("-42", "%i", -42);
    CHECK_FMT("2147483647", "%d", INT_MAX);
    CHECK_FMT("-2147483648", "%d", INT_MIN);
    CHECK_FMT("-9223372036854775808", "%lld", (long long)INT64_MIN);
    CHECK_FMT("-9223372036854775808", "%ld", LONG_MIN);
    CHECK_FMT("-9223372036854775808", "%jd", INTMAX_MIN);
    CHECK_FMT("9223372036854775807", "%lld", LLONG_MAX);
    CHECK_FMT("[-9223372036854775808]", "[%5lld]", (long long)INT64_MIN);
}

TEST(fmt_unsigned_extremes)
{
    CHECK_FMT("18446744073709551615", "%llu", ULLONG_MAX);
    CHECK_FMT("ffffffffffffffff", "%llx", ULLONG_MAX);
    CHECK_FMT("FFFFFFFFFFFFFFFF", "%llX", ULLONG_MAX);
    CHECK_FMT("1777777777777777777777", "%llo", ULLONG_MAX);
    CHECK_FMT("01777777777777777777777", "%#llo", ULLONG_MAX);
    CHECK_FMT("0xffffffffffffffff", "%#llx", ULLONG_MAX);
    CHECK_FMT("18446744073709551615", "%zu", SIZE_MAX);
    CHECK_FMT("18446744073709551615", "%ju", UINTMAX_MAX);
    CHECK_FMT("4294967295", "%u", UINT_MAX);
    CHECK_FMT("0", "%u", 0u);
}

TEST(fmt_length_modifiers)
{
    /* hh and h: the int argument is cut down to char or short, as in C. */
    CHECK_FMT_UNCHECKED("44", "%hhd", 300);
    CHECK_FMT_UNCHECKED("-1", "%hhd", 255);
    CHECK_FMT_UNCHECKED("0", "%hhu", 256);
    CHECK_FMT_UNCHECKED("ff", "%hhx", -1);
    CHECK_FMT_UNCHECKED("4464", "%hd", 70000);
    CHECK_FMT_UNCHECKED("-1", "%hd", 65535);
    CHECK_FMT_UNCHECKED("65535", "%hu", -1);
    CHECK_FMT_UNCHECKED("ffff", "%hx", -1);
    CHECK_FMT("ffffffff", "%x", -1);
    CHECK_FMT("-1", "%ld", -1L);
    CHECK_FMT("ffffffffffffffff", "%lx", -1L);
    CHECK_FMT("-5", "%zd", (ptrdiff_t)-5);
    CHECK_FMT("-7", "%td", (ptrdiff_t)-7);
    CHECK_FMT("ffffffffffffffff", "%tx", (ptrdiff_t)-1);
    CHECK_FMT("-9", "%jd", (intmax_t)-9);
    CHECK_FMT("12345678901", "%lli", 12345678901LL);
}

TEST(fmt_hex_and_octal)
{
    CHECK_FMT("ff", "%x", 255u);
    CHECK_FMT("FF", "%X", 255u);
    CHECK_FMT("0xff", "%#x", 255u);
    CHECK_FMT("0XFF", "%#X", 255u);
    CHECK_FMT("0", "%#x", 0u);
    CHECK_FMT("0", "%#X", 0u);
    CHECK_FMT("0", "%x", 0u);
    CHECK_FMT("17", "%o", 15u);
    CHECK_FMT("017", "%#o", 15u);
    CHECK_FMT("0", "%#o", 0u);
    CHECK_FMT("deadbeef", "%x", 0xdeadbeefu);
}

TEST(fmt_flags)
{
    CHECK_FMT("+5", "%+d", 5);
    CHECK_FMT("-5", "%+d", -5);
    CHECK_FMT("+0", "%+d", 0);
    CHECK_FMT(" 5", "% d", 5);
    CHECK_FMT("-5", "% d", -5);
    CHECK_FMT_UNCHECKED("+5", "%+ d", 5);
    CHECK_FMT_UNCHECKED("+5", "% +d", 5);
    CHECK_FMT("[   42]", "[%5d]", 42);
    CHECK_FMT("[42   ]", "[%-5d]", 42);
    CHECK_FMT("[00042]", "[%05d]", 42);
    CHECK_FMT("[-0042]", "[%05d]", -42);
    CHECK_FMT("[+0042]", "[%+05d]", 42);
    CHECK_FMT("[ 0042]", "[% 05d]", 42);
    CHECK_FMT_UNCHECKED("[-42  ]", "[%-05d]", -42);
    CHECK_FMT("[0x000000ff]", "[%#010x]", 255u);
    CHECK_FMT("[0X000000FF]", "[%#010X]", 255u);
    CHECK_FMT("[0000000000]", "[%#010x]", 0u);
    CHECK_FMT("[0xff      ]", "[%-#10x]", 255u);
    CHECK_FMT("[42]", "[%1d]", 42);
    CHECK_FMT_UNCHECKED("[5]", "[%+u]", 5u);
    CHECK_FMT_UNCHECKED("[5]", "[% u]", 5u);
}

TEST(fmt_precision)
{
    CHECK_FMT("007", "%.3d", 7);
    CHECK_FMT("-007", "%.3d", -7);
    CHECK_FMT("", "%.0d", 0);
    CHECK_FMT("", "%.d", 0);
    CHECK_FMT("[     ]", "[%5.0d]", 0);
    CHECK_FMT("[+]", "[%+.0d]", 0);
    CHECK_FMT("00042", "%.5x", 0x42u);
    CHECK_FMT("[    -005]", "[%8.3d]", -5);
    CHECK_FMT_UNCHECKED("[     007]", "[%08.3d]", 7);
    CHECK_FMT("[007     ]", "[%-8.3d]", 7);
    CHECK_FMT("010", "%#.3o", 8u);
    CHECK_FMT("0", "%#.0o", 0u);
    CHECK_FMT("0x0042", "%#.4x", 0x42u);
    CHECK_FMT("12345", "%.2d", 12345);
    CHECK_FMT("000000000000000000000000000001", "%.30d", 1);
}

TEST(fmt_star_width_and_precision)
{
    CHECK_FMT("[   42]", "[%*d]", 5, 42);
    CHECK_FMT("[42   ]", "[%*d]", -5, 42);
    CHECK_FMT("[42   ]", "[%-*d]", 5, 42);
    CHECK_FMT("[42   ]", "[%-*d]", -5, 42);
    CHECK_FMT("[007]", "[%.*d]", 3, 7);
    CHECK_FMT("[7]", "[%.*d]", -1, 7);
    CHECK_FMT("[  abc]", "[%*.*s]", 5, 3, "abcdef");
    CHECK_FMT("[ab   ]", "[%*.*s]", -5, 2, "abcdef");
    CHECK_FMT("[abcdef]", "[%.*s]", -3, "abcdef");
    CHECK_FMT("[  00042]", "[%*.*d]", 7, 5, 42);
    /* '*' arguments are consumed in order with the value. */
    CHECK_FMT("1    |2", "%-*d|%d", 5, 1, 2);
}

TEST(fmt_strings)
{
    CHECK_FMT("abc", "%s", "abc");
    CHECK_FMT("abc", "%.3s", "abcdef");
    CHECK_FMT("", "%.0s", "abcdef");
    CHECK_FMT("[       abc]", "[%10s]", "abc");
    CHECK_FMT("[abc       ]", "[%-10s]", "abc");
    CHECK_FMT("[abcdef]", "[%3s]", "abcdef");
    CHECK_FMT_UNCHECKED("(null)", "%s", (char *)NULL);
    CHECK_FMT_UNCHECKED("(n", "%.2s", (char *)NULL);
    CHECK_FMT_UNCHECKED("[  (null)]", "[%8s]", (char *)NULL);
}

TEST(fmt_string_precision_reads_no_further)
{
    /* Not NUL-terminated: with a precision, printf must stop reading. */
    char *s = malloc(3);
    char buf[16];

    CHECK(s != NULL);
    memcpy(s, "xyz", 3);
    int n = ksnprintf(buf, sizeof(buf), "%.3s|%.*s", s, 2, s);
    free(s);
    CHECK_STR(buf, "xyz|xy");
    CHECK_EQ_U64(n, 6);
}

TEST(fmt_chars)
{
    CHECK_FMT("A", "%c", 'A');
    CHECK_FMT("[  A]", "[%3c]", 'A');
    CHECK_FMT("[A  ]", "[%-3c]", 'A');
    CHECK_FMT("\xff", "%c", 0xff);

    char buf[8];
    memset(buf, 'X', sizeof(buf));
    int n = ksnprintf(buf, sizeof(buf), "a%cb", 0);
    CHECK_EQ_U64(n, 3);
    CHECK(buf[0] == 'a' && buf[1] == '\0' && buf[2] == 'b' && buf[3] == '\0');
}

TEST(fmt_pointers)
{
    CHECK_FMT("0x0000000000001234", "%p", (void *)0x1234);
    CHECK_FMT("0x0000000000000000", "%p", (void *)NULL);
    CHECK_FMT("0xffffffff80000000", "%p", (void *)0xffffffff80000000ull);
    CHECK_FMT("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
    CHECK_FMT("[  0x00000000000000ab]", "[%20p]", (void *)0xab);
    CHECK_FMT("[0x00000000000000ab  ]", "[%-20p]", (void *)0xab);
    CHECK_FMT("[0x00000000000000ab]", "[%5p]", (void *)0xab);
}

TEST(fmt_unknown_conversions_echoed)
{
    char buf[64];

    CHECK_EQ_U64(format_unchecked(buf, sizeof(buf), "%q"), 2);
    CHECK_STR(buf, "%q");
    format_unchecked(buf, sizeof(buf), "a%-5qb");
    CHECK_STR(buf, "a%-5qb");
    format_unchecked(buf, sizeof(buf), "%n%d", 7);
    CHECK_STR(buf, "%n7");
    format_unchecked(buf, sizeof(buf), "%f");
    CHECK_STR(buf, "%f");
    format_unchecked(buf, sizeof(buf), "%lq");
    CHECK_STR(buf, "%lq");
    /* Unfinished specifications at the end of the format. */
    CHECK_EQ_U64(format_unchecked(buf, sizeof(buf), "abc%"), 4);
    CHECK_STR(buf, "abc%");
    format_unchecked(buf, sizeof(buf), "x%-05");
    CHECK_STR(buf, "x%-05");
    format_unchecked(buf, sizeof(buf), "%ll");
    CHECK_STR(buf, "%ll");
    format_unchecked(buf, sizeof(buf), "%.");
    CHECK_STR(buf, "%.");
}

TEST(fmt_truncation)
{
    char buf[16];

    memset(buf, 'X', sizeof(buf));
    CHECK_EQ_U64(ksnprintf(buf, 5, "hello world"), 11);
    CHECK_STR(buf, "hell");
    CHECK(buf[5] == 'X');

    memset(buf, 'X', sizeof(buf));
    CHECK_EQ_U64(ksnprintf(buf, 1, "%d", 12345), 5);
    CHECK(buf[0] == '\0' && buf[1] == 'X');

    /* size 0: nothing written, buffer may be NULL, length still reported. */
    CHECK_EQ_U64(ksnprintf(NULL, 0, "%s=%d", "abc", -12), 7);

    memset(buf, 'X', sizeof(buf));
    CHECK_EQ_U64(ksnprintf(buf, 6, "12345"), 5);
    CHECK_STR(buf, "12345");
    CHECK_EQ_U64(ksnprintf(buf, 5, "12345"), 5);
    CHECK_STR(buf, "1234");

    /* Padding far beyond the buffer is counted, not written. */
    memset(buf, 'X', sizeof(buf));
    CHECK_EQ_U64(ksnprintf(buf, 8, "%*d", 2000, 1), 2000);
    CHECK_STR(buf, "       ");
    CHECK(buf[8] == 'X');
}

struct counting_sink {
    size_t calls;
    char   text[64];
};

static void count_emit(char c, void *ctx)
{
    struct counting_sink *s = ctx;

    if (s->calls < sizeof(s->text) - 1)
        s->text[s->calls] = c;
    s->calls++;
}

static int format_to_sink(struct counting_sink *sink, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = kvformat(count_emit, sink, fmt, ap);
    va_end(ap);
    return n;
}

TEST(fmt_kvformat_callback)
{
    struct counting_sink sink = { 0 };

    int n = format_to_sink(&sink, "%s:%5d:%x", "id", -3, 0xabu);
    CHECK_EQ_U64(n, 11);
    CHECK_EQ_U64(sink.calls, 11);
    CHECK_STR(sink.text, "id:   -3:ab");

    struct counting_sink empty = { 0 };
    CHECK_EQ_U64(format_to_sink(&empty, NULL), 0);
    CHECK_EQ_U64(empty.calls, 0);
}

/* A helper so the same va_list shape is checked through kvsnprintf too. */
static int vformat(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

TEST(fmt_kvsnprintf)
{
    char buf[32];

    CHECK_EQ_U64(vformat(buf, sizeof(buf), "%s-%llu", "x", 18446744073709551615ull), 22);
    CHECK_STR(buf, "x-18446744073709551615");
}

/*
 * Every combination of flags, width and precision for the integer
 * conversions, compared with the host C library, which implements the same
 * (standard) semantics.  '#' is skipped for conversions where C leaves it
 * undefined.
 */
static void compare_with_libc(struct unit_ctx *unit_ctx_, const char *fmt, long long value)
{
    char ours[256], libc[256];
    int n_ours = format_unchecked(ours, sizeof(ours), fmt, value);
    int n_libc = snprintf(libc, sizeof(libc), fmt, value);

    if (n_ours != n_libc || strcmp(ours, libc) != 0)
        unit_fail(unit_ctx_, __FILE__, __LINE__, "format \"%s\" value %lld: \"%s\" vs libc \"%s\"",
                  fmt, value, ours, libc);
}

TEST(fmt_matches_libc_integers)
{
    static const char *const flag_sets[] = {
        "", "-", "0", "+", " ", "#", "-0", "-+", "0+", "0 ", "-#", "0#", "+#", "-0+ #",
    };
    static const char *const widths[] = { "", "1", "5", "25" };
    static const char *const precisions[] = { "", ".", ".0", ".1", ".5", ".30" };
    static const char convs[] = "diuxXo";
    static const long long values[] = {
        0, 1, -1, 42, -42, 255, INT_MAX, INT_MIN, LLONG_MAX, LLONG_MIN, 0x1234abcdLL,
    };
    char fmt[32];

    for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++)
    for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
    for (size_t p = 0; p < sizeof(precisions) / sizeof(precisions[0]); p++)
    for (size_t c = 0; convs[c] != '\0'; c++) {
        bool is_signed = convs[c] == 'd' || convs[c] == 'i';

        if ((is_signed || convs[c] == 'u') && strchr(flag_sets[f], '#'))
            continue;
        snprintf(fmt, sizeof(fmt), "[%%%s%s%sll%c]", flag_sets[f], widths[w],
                 precisions[p], convs[c]);
        for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
            compare_with_libc(unit_ctx_, fmt, values[v]);
            CHECK_PASSING();
        }
    }
}

TEST(fmt_matches_libc_strings)
{
    static const char *const widths[] = { "", "-", "3", "-3", "12", "-12" };
    static const char *const precisions[] = { "", ".", ".0", ".2", ".20" };
    static const char *const strings[] = { "", "a", "hello", "a longer string" };
    char fmt[32], ours[64], libc[64];

    for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
    for (size_t p = 0; p < sizeof(precisions) / sizeof(precisions[0]); p++)
    for (size_t s = 0; s < sizeof(strings) / sizeof(strings[0]); s++) {
        snprintf(fmt, sizeof(fmt), "[%%%s%ss]", widths[w], precisions[p]);
        int n_ours = format_unchecked(ours, sizeof(ours), fmt, strings[s]);
        int n_libc = snprintf(libc, sizeof(libc), fmt, strings[s]);
        if (n_ours != n_libc || strcmp(ours, libc) != 0) {
            unit_fail(unit_ctx_, __FILE__, __LINE__, "format \"%s\": \"%s\" vs libc \"%s\"",
                      fmt, ours, libc);
            return;
        }
    }
}

TEST_SUITE(fmt,
    UNIT(fmt_plain_text),
    UNIT(fmt_signed_decimal),
    UNIT(fmt_unsigned_extremes),
    UNIT(fmt_length_modifiers),
    UNIT(fmt_hex_and_octal),
    UNIT(fmt_flags),
    UNIT(fmt_precision),
    UNIT(fmt_star_width_and_precision),
    UNIT(fmt_strings),
    UNIT(fmt_string_precision_reads_no_further),
    UNIT(fmt_chars),
    UNIT(fmt_pointers),
    UNIT(fmt_unknown_conversions_echoed),
    UNIT(fmt_truncation),
    UNIT(fmt_kvformat_callback),
    UNIT(fmt_kvsnprintf),
    UNIT(fmt_matches_libc_integers),
    UNIT(fmt_matches_libc_strings),
);
