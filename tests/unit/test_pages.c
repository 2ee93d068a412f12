/* Host-page allocator shared by the page-table and EPT tests. */
#include "test_pages.h"

#include <stdlib.h>
#include <string.h>

uint64_t test_alloc_page(void *ctx)
{
    struct test_alloc *a = ctx;

    if (a->used >= a->budget)
        return 0;
    if (a->used == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        void **pages = realloc(a->pages, cap * sizeof(*pages));
        if (pages == NULL)
            return 0;
        a->pages = pages;
        a->cap = cap;
    }
    void *p = aligned_alloc(4096, 4096);
    if (p == NULL)
        return 0;
    memset(p, 0xcc, 4096);
    a->pages[a->used++] = p;
    return (uint64_t)(uintptr_t)p;
}

void test_alloc_release(struct test_alloc *a)
{
    for (size_t i = 0; i < a->used; i++)
        free(a->pages[i]);
    free(a->pages);
    a->pages = NULL;
    a->used = a->cap = 0;
}
