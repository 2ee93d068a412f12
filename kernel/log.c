/* Line-buffered, lock-protected logging to all consoles. */
#include <stdbool.h>
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/panic.h"
#include "kernel/x86.h"
#include "lib/fmt.h"
#include "lib/text_escape.h"

#define LINE_BUF 512
/*
 * Everything logged is kept in memory, in two rings of whole entries: the
 * history is replayed to a console that joins late (the framebuffer comes up
 * after the first lines) and to the guest-owned consoles when a guest
 * stops, and a guest can read it through a hypercall.  Kestrel's own lines
 * and the text guests log (LOG_WRITE) live in separate rings, so a guest
 * that floods its ring cannot push Kestrel's warnings out of the history;
 * each entry carries a sequence number, so the two replay in the order
 * they were logged.  The oldest entries of a full ring are dropped.
 */
#define KESTREL_RING_SIZE (16 * 1024)
#define GUEST_RING_SIZE   (8 * 1024)

struct entry_header {
    uint64_t seq;
    uint16_t len;
} __attribute__((packed));

struct line_ring {
    char    *buf;
    uint32_t size;
    uint64_t head;            /* bytes ever written */
    uint64_t tail;            /* where the oldest entry kept starts */
};

static char kestrel_buf[KESTREL_RING_SIZE], guest_buf[GUEST_RING_SIZE];
static struct line_ring kestrel_ring = { kestrel_buf, KESTREL_RING_SIZE, 0, 0 };
static struct line_ring guest_ring = { guest_buf, GUEST_RING_SIZE, 0, 0 };
static uint64_t next_seq;

/* While a guest runs it owns COM1 (and the screen): Kestrel's lines go to
 * the history only for those consoles, and are written out when the guest
 * stops.  A console the guest cannot reach (COM2) stays live. */
static bool consoles_paused;
static uint64_t paused_at_seq;

static struct console *consoles;
static enum log_level max_level = LOG_INFO;
static struct spinlock log_lock;

/* ---- the rings (called locked) ---------------------------------------- */

static void ring_copy_in(struct line_ring *r, uint64_t at, const void *src, uint32_t len)
{
    const char *s = src;
    for (uint32_t i = 0; i < len; i++) {
        r->buf[(at + i) % r->size] = s[i];
    }
}

static void ring_copy_out(const struct line_ring *r, uint64_t at, void *dst, uint32_t len)
{
    char *d = dst;
    for (uint32_t i = 0; i < len; i++) {
        d[i] = r->buf[(at + i) % r->size];
    }
}

static struct entry_header ring_header(const struct line_ring *r, uint64_t at)
{
    struct entry_header h;
    ring_copy_out(r, at, &h, sizeof(h));
    return h;
}

static void ring_append(struct line_ring *r, uint64_t seq, const char *text, uint32_t len)
{
    if (len > r->size - sizeof(struct entry_header)) {
        len = r->size - (uint32_t)sizeof(struct entry_header);
    }
    uint64_t need = sizeof(struct entry_header) + len;
    while (r->head + need - r->tail > r->size) {
        r->tail += sizeof(struct entry_header) + ring_header(r, r->tail).len;
    }
    struct entry_header h = { seq, (uint16_t)len };
    ring_copy_in(r, r->head, &h, sizeof(h));
    ring_copy_in(r, r->head + sizeof(h), text, len);
    r->head += need;
}

/* Walks both rings in sequence order from sequence number `from`, handing
 * each entry's text to fn in pieces of at most LINE_BUF bytes. */
typedef void (*entry_fn)(const char *text, uint32_t len, void *ctx);

static void rings_walk(uint64_t from, entry_fn fn, void *ctx)
{
    struct line_ring *rings[2] = { &kestrel_ring, &guest_ring };
    uint64_t at[2] = { kestrel_ring.tail, guest_ring.tail };
    char piece[LINE_BUF];

    for (;;) {
        int pick = -1;
        struct entry_header best = { 0, 0 };
        for (int i = 0; i < 2; i++) {
            if (at[i] >= rings[i]->head) {
                continue;
            }
            struct entry_header h = ring_header(rings[i], at[i]);
            if (pick < 0 || h.seq < best.seq) {
                pick = i, best = h;
            }
        }
        if (pick < 0) {
            return;
        }
        uint64_t text = at[pick] + sizeof(struct entry_header);
        at[pick] = text + best.len;
        if (best.seq < from) {
            continue;
        }
        for (uint32_t done = 0; done < best.len;) {
            uint32_t n = best.len - done > LINE_BUF ? LINE_BUF : best.len - done;
            ring_copy_out(rings[pick], text + done, piece, n);
            fn(piece, n, ctx);
            done += n;
        }
    }
}

static void write_to_console(const char *text, uint32_t len, void *ctx)
{
    ((struct console *)ctx)->write(text, len);
}

static bool console_live(const struct console *c)
{
    return !consoles_paused || !c->guest_owned;
}

/* One entry into a ring and to every live console (called locked). */
static void record(struct line_ring *ring, const char *text, uint32_t len)
{
    ring_append(ring, next_seq++, text, len);
    for (struct console *c = consoles; c; c = c->next) {
        if (console_live(c)) {
            c->write(text, len);
        }
    }
}

/* ---- consoles ----------------------------------------------------------- */

void log_add_console(struct console *c)
{
    uint64_t flags = spin_lock_irqsave(&log_lock);
    rings_walk(0, write_to_console, c);
    c->next = consoles;
    consoles = c;
    spin_unlock_irqrestore(&log_lock, flags);
}

void log_pause_consoles(void)
{
    uint64_t flags = spin_lock_irqsave(&log_lock);
    consoles_paused = true;
    paused_at_seq = next_seq;
    spin_unlock_irqrestore(&log_lock, flags);
}

void log_resume_consoles(void)
{
    uint64_t flags = spin_lock_irqsave(&log_lock);
    if (consoles_paused) {
        consoles_paused = false;
        for (struct console *c = consoles; c; c = c->next) {
            if (!c->guest_owned) {
                continue;       /* it saw everything live */
            }
            /* The guest may have left the device in any state (a UART
             * with DLAB or loopback set, another baud rate). */
            if (c->reinit) {
                c->reinit();
            }
            rings_walk(paused_at_seq, write_to_console, c);
        }
    }
    spin_unlock_irqrestore(&log_lock, flags);
}

struct copy_ctx {
    char *buf;
    uint64_t size, n;
};

static void copy_out(const char *text, uint32_t len, void *ctx)
{
    struct copy_ctx *c = ctx;
    for (uint32_t i = 0; i < len && c->n < c->size; i++) {
        c->buf[c->n++] = text[i];
    }
}

uint64_t log_read_history(char *buf, uint64_t size)
{
    struct copy_ctx c = { buf, size, 0 };
    uint64_t flags = spin_lock_irqsave(&log_lock);
    rings_walk(0, copy_out, &c);
    spin_unlock_irqrestore(&log_lock, flags);
    return c.n;
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

/* ---- lines ------------------------------------------------------------- */

static void emit(struct line_ring *ring, const char *buf, int len)
{
    if (len > LINE_BUF - 1) {
        len = LINE_BUF - 1;   /* kvsnprintf truncated it */
    }
    if (len <= 0) {
        return;
    }
    /* While another CPU reports a panic, nothing else is said: this CPU
     * stops here, as the panic's NMI would stop it a moment later. */
    if (panic_elsewhere()) {
        cpu_stop();
    }
    /* The lock makes every line whole: a CPU never writes into another's. */
    uint64_t flags = spin_lock_irqsave(&log_lock);
    record(ring, buf, (uint32_t)len);
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
    emit(&kestrel_ring, buf, n);
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
    emit(&kestrel_ring, buf, n);
}

void log_guest_text(uint32_t apic_id, const char *text, size_t len)
{
    char line[LINE_BUF];
    int n = ksnprintf(line, sizeof(line), "kestrel: guest cpu %u: ", apic_id);
    n += (int)text_escape(text, len, line + n, sizeof(line) - (unsigned)n - 1);
    line[n++] = '\n';
    emit(&guest_ring, line, n);
}
