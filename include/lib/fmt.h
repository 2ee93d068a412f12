/*
 * Kestrel's own printf, shared by loader, kernel and host tests.
 *
 * Supports: %d %i %u %x %X %o %c %s %p %% with flags '-', '0', '+', ' ', '#',
 * width and precision (numbers or '*'), and length modifiers hh h l ll z t j.
 * No floating point (the kernel has no FPU state to spare).  Unknown
 * conversions are printed verbatim so a typo is visible, never a crash.
 * A NULL %s prints "(null)".
 */
#ifndef KESTREL_LIB_FMT_H
#define KESTREL_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Called once per output character. */
typedef void (*fmt_emit_fn)(char c, void *ctx);

/* Formats to emit(); returns the number of characters produced. */
int kvformat(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap);

/* snprintf semantics: always NUL-terminates when size > 0, returns the
 * length the full output would have had. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
