/* Line-buffered, lock-protected logging to all consoles. */
#include <stdbool.h>
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "lib/fmt.h"

#define LINE_BUF 512
/* Everything logged, kept in memory: replayed to a console that joins late
 * (the framebuffer comes up after the first lines), and later readable by a
 * guest through a hypercall.  Oldest text is overwritten when full. */
#define HISTORY_SIZE (16 * 1024)

static char history[HISTORY_SIZE];
static uint64_t history_len;   /* total bytes ever logged */
/* While a guest runs it owns COM1 (and the screen): Kestrel's lines go to
 * the history only, and are written out when the guest stops. */
static bool consoles_paused;
static uint64_t paused_at;

static struct console *consoles;
static enum log_level max_level = LOG_INFO;
static struct spinlock log_lock;

static void history_append(const char *buf, int len)
{
    for (int i = 0; i < len; i++) {
        history[history_len++ % HISTORY_SIZE] = buf[i];
    }
}

/* Writes history[from..] to one console, line by line (called locked). */
static void replay(struct console *c, uint64_t from)
{
    uint64_t oldest = history_len > HISTORY_SIZE ? history_len - HISTORY_SIZE : 0;
    uint64_t start = from > oldest ? from : oldest;
    char line[LINE_BUF];
    unsigned n = 0;
    /* Replay line by line, so the console sees whole lines as usual. */
    for (uint64_t i = start; i < history_len; i++) {
        line[n++] = history[i % HISTORY_SIZE];
        if (line[n - 1] == '\n' || n == sizeof(line)) {
            c->write(line, n);
            n = 0;
        }
    }
    if (n) {
        c->write(line, n);
    }
}

void log_add_console(struct console *c)
{
    uint64_t flags = spin_lock_irqsave(&log_lock);
    replay(c, 0);
    c->next = consoles;
    consoles = c;
    spin_unlock_irqrestore(&log_lock, flags);
}

void log_pause_consoles(void)
{
    uint64_t flags = spin_lock_irqsave(&log_lock);
    consoles_paused = true;
    paused_at = history_len;
    spin_unlock_irqrestore(&log_lock, flags);
}

void log_resume_consoles(void)
{
    uint64_t flags = spin_lock_irqsave(&log_lock);
    if (consoles_paused) {
        consoles_paused = false;
        for (struct console *c = consoles; c; c = c->next) {
            replay(c, paused_at);
        }
    }
    spin_unlock_irqrestore(&log_lock, flags);
}

uint64_t log_read_history(char *buf, uint64_t size)
{
    uint64_t flags = spin_lock_irqsave(&log_lock);
    uint64_t oldest = history_len > HISTORY_SIZE ? history_len - HISTORY_SIZE : 0;
    uint64_t n = 0;
    for (uint64_t i = oldest; i < history_len && n < size; i++) {
        buf[n++] = history[i % HISTORY_SIZE];
    }
    spin_unlock_irqrestore(&log_lock, flags);
    return n;
}

void log_flush(void)
{
    for (struct console *c = consoles; c; c = c->next) {
        if (c->flush) {
            c->flush();
        }
    }
}

void log_set_level(enum log_level level)
{
    max_level = level;
}

static void emit(const char *buf, int len)
{
    if (len > LINE_BUF - 1) {
        len = LINE_BUF - 1;   /* kvsnprintf truncated it */
    }
    /* The lock makes every line whole: a CPU never writes into another's. */
    uint64_t flags = spin_lock_irqsave(&log_lock);
    history_append(buf, len);
    if (!consoles_paused) {
        for (struct console *c = consoles; c; c = c->next) {
            c->write(buf, (unsigned)len);
        }
    }
    spin_unlock_irqrestore(&log_lock, flags);
}

static void vprefixed(const char *prefix, const char *fmt, va_list ap)
{
    char buf[LINE_BUF];
    int n = ksnprintf(buf, sizeof(buf), "%s", prefix);
    if (n < LINE_BUF - 2) {
        n += kvsnprintf(buf + n, sizeof(buf) - (unsigned)n - 1, fmt, ap);
    }
    if (n > LINE_BUF - 2) {
        n = LINE_BUF - 2;
    }
    buf[n++] = '\n';
    buf[n] = 0;
    emit(buf, n);
}

static const char *const prefixes[] = {
    [LOG_ERROR] = "kestrel: error: ",
    [LOG_WARN]  = "kestrel: warning: ",
    [LOG_INFO]  = "kestrel: ",
    [LOG_DEBUG] = "kestrel: debug: ",
};

void log_vline(enum log_level level, const char *fmt, va_list ap)
{
    if (level > max_level && level != LOG_ERROR) {
        return;
    }
    vprefixed(prefixes[level], fmt, ap);
}

#define DEFINE_LOG_FN(name, level)                 \
    void name(const char *fmt, ...)                \
    {                                              \
        va_list ap;                                \
        va_start(ap, fmt);                         \
        log_vline(level, fmt, ap);                 \
        va_end(ap);                                \
    }
DEFINE_LOG_FN(log_error, LOG_ERROR)
DEFINE_LOG_FN(log_warn, LOG_WARN)
DEFINE_LOG_FN(log_info, LOG_INFO)
DEFINE_LOG_FN(log_debug, LOG_DEBUG)

void log_status(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprefixed("kestrel: ", fmt, ap);
    va_end(ap);
}

void log_raw(const char *fmt, ...)
{
    char buf[LINE_BUF];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    emit(buf, n);
}
