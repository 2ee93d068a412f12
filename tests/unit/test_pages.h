/*
 * Host pages standing in for physical memory in the page-table and EPT
 * tests: their addresses are directly usable as pointers, which is what
 * lib/pagetable.c and mm/ept.c assume of table pages.
 */
#ifndef KESTREL_TESTS_UNIT_TEST_PAGES_H
#define KESTREL_TESTS_UNIT_TEST_PAGES_H

#include <stddef.h>
#include <stdint.h>

struct test_alloc {
    void  **pages;
    size_t  used, cap;
    size_t  budget;              /* allocations allowed before returning 0 */
};

/* An allocator callback: a 4 KiB-aligned page filled with garbage (the
 * libraries must not trust a page to be clean), or 0 past the budget. */
uint64_t test_alloc_page(void *ctx);

/* Frees every page handed out and the bookkeeping; the budget stays. */
void test_alloc_release(struct test_alloc *a);

#endif
