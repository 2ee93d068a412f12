/*
 * Small helpers every parser of untrusted images shares (ELF, boot-info,
 * bzImage, multiboot): the "refuse with a reason" convention and the
 * overflow-safe checks its callers make again and again.
 */
#ifndef KESTREL_LIB_PARSE_CHECKS_H
#define KESTREL_LIB_PARSE_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The parsers' failure: -1, with *why (when why is not NULL) the reason. */
static inline int reject(const char **why, const char *reason)
{
    if (why != NULL)
        *why = reason;
    return -1;
}

static inline bool is_power_of_two(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* Whether [base, base + len) ends at or below limit, without overflow. */
static inline bool range_within(uint64_t base, uint64_t len, uint64_t limit)
{
    return base <= limit && len <= limit - base;
}

#endif
