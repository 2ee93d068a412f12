/* Fatal errors: one message, then every CPU stops. */
#ifndef KESTREL_KERNEL_PANIC_H
#define KESTREL_KERNEL_PANIC_H

#include <stdbool.h>

/* Prints "kestrel: error: <msg>" and stops all CPUs.  If another CPU is
 * already panicking, this CPU just stops quietly (one message, not a storm). */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* For the exception path: claims the right to report.  Returns false if
 * another CPU already reports a panic (the caller should stop silently). */
bool panic_begin(void);
/* Stops the other CPUs (NMI) and this one. */
__attribute__((noreturn)) void panic_end(void);

/* True once any CPU has begun a panic (the NMI handler checks it). */
bool panic_in_progress(void);

/* True when another CPU reports a panic: this one's lines would cut into
 * the report or follow `kestrel: stopped` (kernel/log.c stops it instead). */
bool panic_elsewhere(void);

#endif
