/*
 * Small string helpers for freestanding code (see include/lib/kstring.h).
 */
#include "lib/kstring.h"

size_t kstrlen(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    return n;
}

size_t kstrnlen(const char *s, size_t max)
{
    size_t n = 0;

    /* Never look at s[max]: the caller may own exactly max bytes. */
    while (n < max && s[n] != '\0')
        n++;
    return n;
}

/* Bytes compare as unsigned char, as the C library's functions do, so
 * sorting agrees with the host's strcmp in the unit tests. */
int kstrcmp(const char *a, const char *b)
{
    const unsigned char *pa = (const unsigned char *)a;
    const unsigned char *pb = (const unsigned char *)b;

    while (*pa != '\0' && *pa == *pb) {
        pa++;
        pb++;
    }
    return (int)*pa - (int)*pb;
}

int kstrncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *pa = (const unsigned char *)a;
    const unsigned char *pb = (const unsigned char *)b;

    for (size_t i = 0; i < n; i++) {
        if (pa[i] != pb[i])
            return (int)pa[i] - (int)pb[i];
        if (pa[i] == '\0')
            break;
    }
    return 0;
}

int kmemcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *pa = a;
    const unsigned char *pb = b;

    for (size_t i = 0; i < n; i++) {
        if (pa[i] != pb[i])
            return (int)pa[i] - (int)pb[i];
    }
    return 0;
}

size_t kstrlcpy(char *dst, const char *src, size_t size)
{
    size_t len = kstrlen(src);

    if (size > 0) {
        size_t copy = len < size - 1 ? len : size - 1;

        __builtin_memcpy(dst, src, copy);
        dst[copy] = '\0';
    }
    return len;
}

bool kisspace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool kisdigit(char c)
{
    return c >= '0' && c <= '9';
}

/* Value of a hex digit, or -1. */
static int hex_digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Accumulates digits of the given base until the NUL; fails on a digit
 * outside the base or on overflow. */
static bool parse_digits(const char *s, unsigned base, unsigned long long *out)
{
    unsigned long long value = 0;

    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        int d = hex_digit_value(*s);

        if (d < 0 || (unsigned)d >= base)
            return false;
        if (value > (~0ull - (unsigned)d) / base)
            return false;
        value = value * base + (unsigned)d;
    }
    *out = value;
    return true;
}

bool kparse_u64(const char *s, unsigned long long *out)
{
    if (s == NULL)
        return false;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return parse_digits(s + 2, 16, out);
    return parse_digits(s, 10, out);
}
