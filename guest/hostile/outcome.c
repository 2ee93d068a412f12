/*
 * Recording a case's outcome, its line, and the verdict (see hostile.h).
 * Lines and counts are kept under the console lock: the vCPUs take turns,
 * but one whose turn timed out may still be printing.
 */
#include <stdarg.h>
#include <stddef.h>

#include "guest/common/serial.h"
#include "guest/hostile/hostile.h"
#include "lib/fmt.h"

#define FAILED_NAMES_SIZE 2048
#define FAILED_NAMES_CUT  "..."

static unsigned counted, refused;
static char failed_names[FAILED_NAMES_SIZE];
static size_t failed_len;

void not_refused(struct outcome *o, const char *fmt, ...)
{
    va_list ap;

    if (o->verdict != VERDICT_REFUSED)
        return;   /* the first failure explains the rest */
    o->verdict = VERDICT_NOT_REFUSED;
    va_start(ap, fmt);
    kvsnprintf(o->detail, sizeof(o->detail), fmt, ap);
    va_end(ap);
}

void skipped(struct outcome *o, const char *why)
{
    if (o->verdict != VERDICT_REFUSED)
        return;
    o->verdict = VERDICT_SKIPPED;
    ksnprintf(o->detail, sizeof(o->detail), "%s", why);
}

bool expect_refusal(struct outcome *o, struct fault f, int32_t vector, const char *what)
{
    char why[sizeof(o->detail)];

    if (fault_mismatch(f, vector, what, why, sizeof(why)) == NULL)
        return true;
    not_refused(o, "%s", why);
    return false;
}

/* Appends ",<prefix><name>" to the failed list; a list that no longer fits
 * ends in "...". */
static void note_failed(const char *prefix, const char *name)
{
    size_t room = sizeof(failed_names) - failed_len;
    int n;

    if (room <= sizeof(FAILED_NAMES_CUT))
        return;
    n = ksnprintf(failed_names + failed_len, room, "%s%s%s", failed_len ? "," : "", prefix, name);
    if (n > 0 && (size_t)n < room - sizeof(FAILED_NAMES_CUT)) {
        failed_len += (size_t)n;
        return;
    }
    ksnprintf(failed_names + failed_len, room, "%s" FAILED_NAMES_CUT, failed_len ? "," : "");
    failed_len = sizeof(failed_names);
}

void outcome_report(const char *prefix, const char *name, const struct outcome *o)
{
    bool taken = console_begin();

    switch (o->verdict) {
    case VERDICT_REFUSED:
        console_printf(GUEST_NAME ": %s%s refused\n", prefix, name);
        counted++;
        refused++;
        break;
    case VERDICT_NOT_REFUSED:
        console_printf(GUEST_NAME ": %s%s NOT REFUSED (%s)\n", prefix, name, o->detail);
        counted++;
        note_failed(prefix, name);
        break;
    case VERDICT_SKIPPED:
        console_printf(GUEST_NAME ": %s%s skipped (%s)\n", prefix, name, o->detail);
        break;
    }
    console_end(taken);
}

void outcome_say_verdict(void)
{
    bool taken = console_begin();

    if (refused == counted)
        console_printf(GUEST_NAME ": PASS %u/%u\n", refused, counted);
    else
        console_printf(GUEST_NAME ": FAIL %u/%u: %s\n", refused, counted, failed_names);
    console_end(taken);
}
