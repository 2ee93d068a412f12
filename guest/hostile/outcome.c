/*
 * Recording a case's outcome (see hostile.h).
 */
#include <stdarg.h>
#include <stddef.h>

#include "guest/hostile/hostile.h"
#include "lib/fmt.h"

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
