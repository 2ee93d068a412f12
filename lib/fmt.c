/*
 * Kestrel's printf (see include/lib/fmt.h).
 *
 * One formatter, kvformat(), drives a per-character callback so the same code
 * serves the serial console, the framebuffer and fixed-size buffers.  Every
 * argument is fetched with the exact type its length modifier names: va_arg
 * with the wrong type is undefined behaviour, not just a wrong digit.
 */
#include "lib/fmt.h"
#include "lib/kstring.h"

#include <stdbool.h>
#include <stdint.h>

struct sink {
    fmt_emit_fn emit;
    void       *ctx;
    size_t      count;           /* size_t so a long run cannot overflow int */
};

enum length {
    LEN_DEFAULT,
    LEN_CHAR,                    /* hh */
    LEN_SHORT,                   /* h */
    LEN_LONG,                    /* l */
    LEN_LLONG,                   /* ll */
    LEN_SIZE,                    /* z */
    LEN_PTRDIFF,                 /* t */
    LEN_INTMAX,                  /* j */
};

struct spec {
    bool        left;            /* '-' */
    bool        zero;            /* '0' */
    bool        plus;            /* '+' */
    bool        space;           /* ' ' */
    bool        alt;             /* '#' */
    unsigned    width;           /* 0 when absent */
    int         precision;       /* -1 when absent */
    enum length length;
};

/* A parsed number never grows past this, so "%99999999999d" cannot overflow
 * the width arithmetic; it still asks for a silly amount of padding. */
#define FMT_NUMBER_LIMIT 100000000u

static void put_char(struct sink *out, char c)
{
    out->emit(c, out->ctx);
    out->count++;
}

static void put_repeated(struct sink *out, char c, size_t n)
{
    while (n-- > 0)
        put_char(out, c);
}

static void put_string(struct sink *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_char(out, s[i]);
}

static size_t padding_for(const struct spec *sp, size_t length)
{
    return sp->width > length ? sp->width - length : 0;
}

/* ---- parsing the conversion specification ---------------------------- */

static const char *parse_flags(const char *p, struct spec *sp)
{
    for (;; p++) {
        switch (*p) {
        case '-': sp->left = true; break;
        case '0': sp->zero = true; break;
        case '+': sp->plus = true; break;
        case ' ': sp->space = true; break;
        case '#': sp->alt = true; break;
        default: return p;
        }
    }
}

static const char *parse_number(const char *p, unsigned *value)
{
    unsigned n = 0;

    for (; kisdigit(*p); p++) {
        if (n < FMT_NUMBER_LIMIT)
            n = n * 10 + (unsigned)(*p - '0');
    }
    *value = n;
    return p;
}

static const char *parse_width(const char *p, struct spec *sp, va_list *ap)
{
    if (*p != '*')
        return parse_number(p, &sp->width);

    int w = va_arg(*ap, int);

    /* C's rule: a negative '*' width is the '-' flag plus its magnitude. */
    if (w < 0) {
        sp->left = true;
        sp->width = 0u - (unsigned)w;
    } else {
        sp->width = (unsigned)w;
    }
    return p + 1;
}

static const char *parse_precision(const char *p, struct spec *sp, va_list *ap)
{
    if (*p != '.')
        return p;
    p++;
    if (*p == '*') {
        int prec = va_arg(*ap, int);

        /* A negative '*' precision counts as if none had been given. */
        sp->precision = prec < 0 ? -1 : prec;
        return p + 1;
    }

    unsigned prec;

    p = parse_number(p, &prec);
    sp->precision = (int)prec;
    return p;
}

static const char *parse_length(const char *p, struct spec *sp)
{
    switch (*p) {
    case 'h':
        if (p[1] == 'h') {
            sp->length = LEN_CHAR;
            return p + 2;
        }
        sp->length = LEN_SHORT;
        return p + 1;
    case 'l':
        if (p[1] == 'l') {
            sp->length = LEN_LLONG;
            return p + 2;
        }
        sp->length = LEN_LONG;
        return p + 1;
    case 'z': sp->length = LEN_SIZE; return p + 1;
    case 't': sp->length = LEN_PTRDIFF; return p + 1;
    case 'j': sp->length = LEN_INTMAX; return p + 1;
    default: return p;
    }
}

/* ---- fetching arguments ----------------------------------------------- */

/* Returns the magnitude and sets *negative, so INT64_MIN needs no special
 * case: its magnitude 2^63 is representable as uint64_t. */
static uint64_t fetch_signed(va_list *ap, enum length len, bool *negative)
{
    int64_t v;

    switch (len) {
    case LEN_CHAR:    v = (signed char)va_arg(*ap, int); break;
    case LEN_SHORT:   v = (short)va_arg(*ap, int); break;
    case LEN_LONG:    v = va_arg(*ap, long); break;
    case LEN_LLONG:   v = va_arg(*ap, long long); break;
    case LEN_SIZE:    v = va_arg(*ap, ptrdiff_t); break; /* signed size_t */
    case LEN_PTRDIFF: v = va_arg(*ap, ptrdiff_t); break;
    case LEN_INTMAX:  v = va_arg(*ap, intmax_t); break;
    default:          v = va_arg(*ap, int); break;
    }
    *negative = v < 0;
    return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

static uint64_t fetch_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR:    return (unsigned char)va_arg(*ap, unsigned);
    case LEN_SHORT:   return (unsigned short)va_arg(*ap, unsigned);
    case LEN_LONG:    return va_arg(*ap, unsigned long);
    case LEN_LLONG:   return va_arg(*ap, unsigned long long);
    case LEN_SIZE:    return va_arg(*ap, size_t);
    case LEN_PTRDIFF: return (size_t)va_arg(*ap, ptrdiff_t);
    case LEN_INTMAX:  return va_arg(*ap, uintmax_t);
    default:          return va_arg(*ap, unsigned);
    }
}

/* ---- emitting conversions --------------------------------------------- */

struct number {
    uint64_t    magnitude;
    unsigned    base;            /* 8, 10 or 16 */
    bool        upper;           /* %X */
    char        sign;            /* '-', '+', ' ' or 0 */
    const char *prefix;          /* "0x", "0X" or "" */
};

/* Writes the digits least significant first; returns how many. */
static size_t to_digits(uint64_t v, unsigned base, bool upper, char *buf)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t n = 0;

    do {
        buf[n++] = digits[v % base];
        v /= base;
    } while (v != 0);
    return n;
}

static void put_number(struct sink *out, const struct spec *sp, const struct number *num)
{
    char digits[24];             /* 2^64 in octal is 22 digits */
    size_t ndigits = to_digits(num->magnitude, num->base, num->upper, digits);
    size_t zeros = 0;

    /* "%.0d" of zero prints no digits at all. */
    if (sp->precision == 0 && num->magnitude == 0)
        ndigits = 0;
    if (sp->precision > 0 && (size_t)sp->precision > ndigits)
        zeros = (size_t)sp->precision - ndigits;
    /* '#' with %o guarantees a leading zero, without doubling one. */
    if (sp->alt && num->base == 8 && zeros == 0 &&
        (ndigits == 0 || digits[ndigits - 1] != '0'))
        zeros = 1;

    size_t sign_len = num->sign != 0 ? 1 : 0;
    size_t prefix_len = kstrlen(num->prefix);
    size_t length = sign_len + prefix_len + zeros + ndigits;

    /* '0' pads between the sign/prefix and the digits, but an explicit
     * precision or '-' turns it off (C99 7.19.6.1). */
    if (sp->zero && !sp->left && sp->precision < 0) {
        size_t fill = padding_for(sp, length);

        zeros += fill;
        length += fill;
    }

    size_t pad = padding_for(sp, length);

    if (!sp->left)
        put_repeated(out, ' ', pad);
    if (num->sign != 0)
        put_char(out, num->sign);
    put_string(out, num->prefix, prefix_len);
    put_repeated(out, '0', zeros);
    while (ndigits > 0)
        put_char(out, digits[--ndigits]);
    if (sp->left)
        put_repeated(out, ' ', pad);
}

static void put_padded(struct sink *out, const struct spec *sp, const char *s, size_t n)
{
    size_t pad = padding_for(sp, n);

    if (!sp->left)
        put_repeated(out, ' ', pad);
    put_string(out, s, n);
    if (sp->left)
        put_repeated(out, ' ', pad);
}

static void convert_signed(struct sink *out, const struct spec *sp, va_list *ap)
{
    bool negative;
    struct number num = { .base = 10, .prefix = "" };

    num.magnitude = fetch_signed(ap, sp->length, &negative);
    if (negative)
        num.sign = '-';
    else if (sp->plus)
        num.sign = '+';
    else if (sp->space)
        num.sign = ' ';
    put_number(out, sp, &num);
}

static void convert_unsigned(struct sink *out, const struct spec *sp, char conv, va_list *ap)
{
    struct number num = { .base = 10, .prefix = "" };

    num.magnitude = fetch_unsigned(ap, sp->length);
    if (conv == 'o') {
        num.base = 8;
    } else if (conv == 'x' || conv == 'X') {
        num.base = 16;
        num.upper = conv == 'X';
        /* C prints no "0x" for zero under '#': keep the familiar behaviour. */
        if (sp->alt && num.magnitude != 0)
            num.prefix = conv == 'X' ? "0X" : "0x";
    }
    put_number(out, sp, &num);
}

/* Always the full 16 digits: addresses line up in logs and a truncated
 * upper half can never be mistaken for a small pointer. */
static void convert_pointer(struct sink *out, const struct spec *sp, va_list *ap)
{
    struct spec ptr_spec = { .left = sp->left, .width = sp->width, .precision = 16 };
    struct number num = { .base = 16, .prefix = "0x" };

    num.magnitude = (uintptr_t)va_arg(*ap, void *);
    put_number(out, &ptr_spec, &num);
}

static void convert_string(struct sink *out, const struct spec *sp, va_list *ap)
{
    const char *s = va_arg(*ap, const char *);

    if (s == NULL)
        s = "(null)";
    /* With a precision the string need not be terminated: read no further. */
    size_t n = sp->precision >= 0 ? kstrnlen(s, (size_t)sp->precision) : kstrlen(s);

    put_padded(out, sp, s, n);
}

static void convert_char(struct sink *out, const struct spec *sp, va_list *ap)
{
    char c = (char)va_arg(*ap, int);

    put_padded(out, sp, &c, 1);
}

/* Handles one conversion starting at the '%'; returns where the text
 * continues.  Unknown or unfinished conversions are echoed as written. */
static const char *convert(struct sink *out, const char *percent, va_list *ap)
{
    struct spec sp = { .precision = -1, .length = LEN_DEFAULT };
    const char *p = percent + 1;

    p = parse_flags(p, &sp);
    p = parse_width(p, &sp, ap);
    p = parse_precision(p, &sp, ap);
    p = parse_length(p, &sp);

    switch (*p) {
    case 'd':
    case 'i':
        convert_signed(out, &sp, ap);
        break;
    case 'u':
    case 'o':
    case 'x':
    case 'X':
        convert_unsigned(out, &sp, *p, ap);
        break;
    case 'p':
        convert_pointer(out, &sp, ap);
        break;
    case 's':
        convert_string(out, &sp, ap);
        break;
    case 'c':
        convert_char(out, &sp, ap);
        break;
    case '%':
        put_char(out, '%');
        break;
    case '\0':
        put_string(out, percent, (size_t)(p - percent));
        return p;
    default:
        put_string(out, percent, (size_t)(p - percent) + 1);
        break;
    }
    return p + 1;
}

int kvformat(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap)
{
    struct sink out = { .emit = emit, .ctx = ctx, .count = 0 };
    va_list args;

    if (fmt == NULL)
        return 0;
    /* A copy we can hand around by pointer: va_list may be an array type. */
    va_copy(args, ap);
    while (*fmt != '\0') {
        if (*fmt == '%')
            fmt = convert(&out, fmt, &args);
        else
            put_char(&out, *fmt++);
    }
    va_end(args);
    return out.count > (size_t)__INT_MAX__ ? __INT_MAX__ : (int)out.count;
}

struct buffer_sink {
    char  *buf;
    size_t size;
    size_t pos;
};

static void emit_to_buffer(char c, void *ctx)
{
    struct buffer_sink *b = ctx;

    /* Keep the last byte for the terminator; count the rest regardless. */
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buffer_sink b = { .buf = buf, .size = size, .pos = 0 };
    int n = kvformat(emit_to_buffer, &b, fmt, ap);

    if (size > 0)
        buf[b.pos < size - 1 ? b.pos : size - 1] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
