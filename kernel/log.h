/*
 * Kestrel's log: whole lines, never interleaved between CPUs, to every
 * console (COM1 serial, and the framebuffer where GOP exists).
 *
 * Line formats are a public interface (docs/status-lines.md):
 *   error:   "kestrel: error: <what>"      always printed
 *   warning: "kestrel: warning: <what>"
 *   info:    "kestrel: <what>"
 *   debug:   "kestrel: debug: <what>"
 * Status lines ("kestrel: cpus online N/M") are printed with log_status, which
 * ignores the log level.
 */
#ifndef KESTREL_KERNEL_LOG_H
#define KESTREL_KERNEL_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level {
    LOG_ERROR = 0,
    LOG_WARN,
    LOG_INFO,
    LOG_DEBUG,
};

struct console {
    void (*write)(const char *s, unsigned len);
    void (*flush)(void);             /* optional: wait until output is out */
    void (*reinit)(void);            /* optional: set the device up again after a guest had it */
    bool guest_owned;                /* a running guest owns the device (COM1, the screen) */
    struct console *next;
};

void log_add_console(struct console *c);
/* Waits until every console has sent what it was given (before power-off:
 * an emulator that stops at once would lose the last line). */
void log_flush(void);
void log_set_level(enum log_level level);
/* A guest owns COM1 and the screen while it runs: lines only go to the
 * history for those consoles.  Resuming sets each up again (reinit) and
 * writes out everything logged meanwhile.  A console the guest cannot reach
 * (COM2 with `console = com2`) stays live throughout. */
void log_pause_consoles(void);
void log_resume_consoles(void);
/* Copies the oldest-first history (at most size bytes); returns the count. */
#include <stdint.h>
uint64_t log_read_history(char *buf, uint64_t size);

#define FMT_CHECK(a, b) __attribute__((format(printf, a, b)))
void log_error(const char *fmt, ...) FMT_CHECK(1, 2);
void log_warn(const char *fmt, ...) FMT_CHECK(1, 2);
void log_info(const char *fmt, ...) FMT_CHECK(1, 2);
void log_debug(const char *fmt, ...) FMT_CHECK(1, 2);
/* "kestrel: <what>" regardless of level: for the stable status lines. */
void log_status(const char *fmt, ...) FMT_CHECK(1, 2);
/* Exactly what fmt says, no prefix, no newline added, regardless of level. */
void log_raw(const char *fmt, ...) FMT_CHECK(1, 2);
void log_vline(enum log_level level, const char *fmt, va_list ap);
/* Text a guest asked Kestrel to log (LOG_WRITE): one line
 * "kestrel: guest cpu <apic-id>: <text>", the text escaped (lib/text_escape.h)
 * so it can neither end the line nor start one, kept in the guests' own
 * history ring. */
void log_guest_text(uint32_t apic_id, const char *text, size_t len);

#endif
