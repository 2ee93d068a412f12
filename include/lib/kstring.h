/*
 * Small string helpers for freestanding code.  Prefixed so they never clash
 * with a host libc in the unit tests; memcpy/memset come from
 * __builtin_memcpy/__builtin_memset (provided by GNU-EFI in the loader,
 * kernel/string.c in the kernel, libc on the host).
 */
#ifndef KESTREL_LIB_KSTRING_H
#define KESTREL_LIB_KSTRING_H

#include <stddef.h>
#include <stdbool.h>

size_t kstrlen(const char *s);
size_t kstrnlen(const char *s, size_t max);
int    kstrcmp(const char *a, const char *b);
int    kstrncmp(const char *a, const char *b, size_t n);
int    kmemcmp(const void *a, const void *b, size_t n);
/* Copies at most size-1 chars and always NUL-terminates (size > 0).
 * Returns kstrlen(src) so truncation is detectable (like strlcpy). */
size_t kstrlcpy(char *dst, const char *src, size_t size);
bool   kisspace(char c);
bool   kisdigit(char c);
/* Parses an unsigned decimal or 0x-hex number that fills the whole string.
 * Returns false on empty input, junk, or overflow. */
bool   kparse_u64(const char *s, unsigned long long *out);

#endif
