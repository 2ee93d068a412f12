/* Refusal counting and the end-of-run summary line (see refusal.h). */
#include "core/refusal.h"
#include "kernel/log.h"
#include "lib/fmt.h"

#include <stdarg.h>

#define REFUSAL_NAME_(id, name) [id] = name,
static const char *const kind_names[REFUSAL_KIND_COUNT] = { REFUSAL_KINDS(REFUSAL_NAME_) };
#undef REFUSAL_NAME_

const char *refusal_kind_name(enum refusal_kind k)
{
    return (unsigned)k < REFUSAL_KIND_COUNT ? kind_names[k] : "unknown";
}

void refusal_warn(struct refusal_log *r, enum refusal_kind k, uint32_t apic_id, const char *fmt,
                  ...)
{
    if (!refusal_note(r, k))
        return;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    log_warn("cpu %u: %s (reported once)", apic_id, what);
}

void refusal_log_line(const struct refusal_log *r, uint32_t apic_id)
{
    uint64_t total = 0;
    for (unsigned k = 0; k < REFUSAL_KIND_COUNT; k++)
        total += r->counts[k];
    if (total == 0)
        return;
    char line[320];
    int n = ksnprintf(line, sizeof(line), "refused cpu%u total=%llu", apic_id,
                      (unsigned long long)total);
    for (unsigned k = 0; k < REFUSAL_KIND_COUNT && n < (int)sizeof(line); k++) {
        if (r->counts[k])
            n += ksnprintf(line + n, sizeof(line) - (unsigned)n, " %s=%u", kind_names[k],
                           r->counts[k]);
    }
    log_info("%s", line);
}
