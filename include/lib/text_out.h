/*
 * An appending writer with snprintf semantics, for building one line of
 * words piece by piece (the exit decoders of vmx/ and svm/): the text is
 * always NUL-terminated when the buffer has room for anything, and the
 * length counts the whole text, even the part that did not fit, so the
 * caller sees truncation as with snprintf.
 */
#ifndef KESTREL_LIB_TEXT_OUT_H
#define KESTREL_LIB_TEXT_OUT_H

#include <stddef.h>

struct text_out {
    char *buf;
    size_t size;
    size_t len;                 /* length of the whole text so far, even past size */
};

void text_out_init(struct text_out *o, char *buf, size_t size);

__attribute__((format(printf, 2, 3)))
void text_out_printf(struct text_out *o, const char *fmt, ...);

void text_out_str(struct text_out *o, const char *s);

/* The snprintf-style result: the length the whole text has. */
int text_out_len(const struct text_out *o);

#endif
