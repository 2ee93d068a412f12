/*
 * Sorting the small arrays of the parsers (ELF segments, memory-map
 * regions): one insertion sort, instantiated per element type.  Stable, no
 * recursion and no scratch memory, and linear on input that is already
 * sorted (a firmware memory map usually is); the arrays hold tens of
 * entries at most, so its O(n^2) worst case does not matter.
 */
#ifndef KESTREL_LIB_SORT_H
#define KESTREL_LIB_SORT_H

#include <stddef.h>

/* Defines `static void fn(type *a, size_t n)`, sorting a[0..n) by the
 * member `key`, ascending. */
#define DEFINE_INSERTION_SORT(fn, type, key)                                    \
    static void fn(type *a, size_t n)                                           \
    {                                                                           \
        for (size_t i = 1; i < n; i++) {                                        \
            type v = a[i];                                                      \
            size_t j = i;                                                       \
            while (j > 0 && a[j - 1].key > v.key) {                             \
                a[j] = a[j - 1];                                                \
                j--;                                                            \
            }                                                                   \
            a[j] = v;                                                           \
        }                                                                       \
    }

#endif
