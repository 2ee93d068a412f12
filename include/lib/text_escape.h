/*
 * Text a guest hands Kestrel to print (the LOG_WRITE hypercall), made safe
 * to print inside one of Kestrel's lines: every byte outside printable
 * ASCII is written as an escape, so one call is one line and no guest text
 * can start a line of its own (a forged "kestrel: ..." status line) or
 * drive a terminal (ESC sequences).
 *   newline -> \n    CR -> \r    backslash -> \\
 *   other bytes < 0x20, and 0x7F..0xFF -> \xNN (two lowercase hex digits)
 */
#ifndef KESTREL_LIB_TEXT_ESCAPE_H
#define KESTREL_LIB_TEXT_ESCAPE_H

#include <stddef.h>

/* Escapes len bytes of in into out (cap bytes, NUL-terminated when cap >
 * 0).  An escape that does not fit whole is left out, and so is everything
 * after it.  Returns the length written (without the NUL). */
size_t text_escape(const char *in, size_t len, char *out, size_t cap);

#endif
