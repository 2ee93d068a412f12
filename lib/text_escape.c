/* Escaping guest text for Kestrel's log (see text_escape.h). */
#include "lib/text_escape.h"

#define PRINTABLE_FIRST 0x20
#define PRINTABLE_LAST  0x7e

static const char hex_digits[] = "0123456789abcdef";

/* The escape for byte c in e (at most 4 bytes); its length. */
static size_t escape_one(unsigned char c, char e[4])
{
    switch (c) {
    case '\n': e[0] = '\\', e[1] = 'n'; return 2;
    case '\r': e[0] = '\\', e[1] = 'r'; return 2;
    case '\\': e[0] = '\\', e[1] = '\\'; return 2;
    default:
        break;
    }
    if (c >= PRINTABLE_FIRST && c <= PRINTABLE_LAST) {
        e[0] = (char)c;
        return 1;
    }
    e[0] = '\\', e[1] = 'x', e[2] = hex_digits[c >> 4], e[3] = hex_digits[c & 0xf];
    return 4;
}

size_t text_escape(const char *in, size_t len, char *out, size_t cap)
{
    size_t n = 0;

    if (cap == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char e[4];
        size_t k = escape_one((unsigned char)in[i], e);
        if (n + k > cap - 1)
            break;
        for (size_t j = 0; j < k; j++)
            out[n++] = e[j];
    }
    out[n] = '\0';
    return n;
}
