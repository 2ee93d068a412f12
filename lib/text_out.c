/* The appending writer (see text_out.h). */
#include "lib/text_out.h"
#include "lib/fmt.h"

#include <stdarg.h>

void text_out_init(struct text_out *o, char *buf, size_t size)
{
    o->buf = buf;
    o->size = size;
    o->len = 0;
    if (size > 0)
        buf[0] = '\0';
}

void text_out_printf(struct text_out *o, const char *fmt, ...)
{
    size_t room = o->len < o->size ? o->size - o->len : 0;
    va_list ap;

    va_start(ap, fmt);
    /* Once the buffer is full, keep counting without writing. */
    int n = kvsnprintf(room > 0 ? o->buf + o->len : o->buf, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

void text_out_str(struct text_out *o, const char *s)
{
    text_out_printf(o, "%s", s);
}

int text_out_len(const struct text_out *o)
{
    return (int)o->len;
}
