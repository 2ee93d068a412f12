/* Unit tests for mm/frames.c (the physical page pool), checked against a
 * page-by-page reference model. */
#include "test.h"

#include "mm/frames.h"

#include <stdlib.h>

#define P FRAME_SIZE
#define MODEL_PAGES 256

struct model {
    bool free[MODEL_PAGES];   /* page i = address i * P */
};

static void model_set(struct model *m, uint64_t base, uint64_t size, bool value)
{
    for (uint64_t a = base; a < base + size && a / P < MODEL_PAGES; a += P) {
        m->free[a / P] = value;
    }
}

/* The pool must list exactly the model's free pages, as maximal ranges. */
static void check_matches(struct unit_ctx *unit_ctx_, const struct frame_pool *p, const struct model *m)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < p->count; i++) {
        CHECK(p->r[i].base < p->r[i].end);
        if (i > 0) {
            CHECK(p->r[i - 1].end < p->r[i].base);   /* sorted, never adjacent */
        }
        for (uint64_t a = p->r[i].base; a < p->r[i].end; a += P) {
            CHECK(m->free[a / P]);
        }
        total += p->r[i].end - p->r[i].base;
    }
    uint64_t model_total = 0;
    for (unsigned i = 0; i < MODEL_PAGES; i++) {
        model_total += m->free[i] ? P : 0;
    }
    CHECK_EQ_U64(total, model_total);
    CHECK_EQ_U64(p->free_bytes, model_total);
}

TEST(frames_add_merges_neighbours)
{
    static struct frame_pool p;
    struct model m = { { false } };
    frames_init(&p);
    CHECK(frames_add(&p, 10 * P, 2 * P));
    CHECK(frames_add(&p, 14 * P, 2 * P));
    CHECK(frames_add(&p, 12 * P, 2 * P));   /* bridges both */
    model_set(&m, 10 * P, 6 * P, true);
    check_matches(unit_ctx_, &p, &m);
    CHECK_PASSING();
    CHECK_EQ_U64(p.count, 1);
}

TEST(frames_add_shrinks_to_whole_pages_and_skips_page_zero)
{
    static struct frame_pool p;
    frames_init(&p);
    CHECK(frames_add(&p, 0, 3 * P));              /* page 0 never enters */
    CHECK(frames_add(&p, 5 * P + 1, 2 * P));      /* only page 6 is whole */
    CHECK(frames_add(&p, 9 * P, P - 1));          /* no whole page */
    CHECK_EQ_U64(p.count, 2);
    CHECK_EQ_U64(p.r[0].base, P);
    CHECK_EQ_U64(p.r[0].end, 3 * P);
    CHECK_EQ_U64(p.r[1].base, 6 * P);
    CHECK_EQ_U64(p.r[1].end, 7 * P);
}

TEST(frames_add_refuses_double_free)
{
    static struct frame_pool p;
    frames_init(&p);
    CHECK(frames_add(&p, 10 * P, 4 * P));
    CHECK(!frames_add(&p, 12 * P, 4 * P));
    CHECK(!frames_add(&p, 8 * P, 3 * P));
    CHECK(!frames_add(&p, 11 * P, P));
    CHECK_EQ_U64(p.free_bytes, 4 * P);
}

TEST(frames_remove_splits_and_trims)
{
    static struct frame_pool p;
    struct model m = { { false } };
    frames_init(&p);
    CHECK(frames_add(&p, 10 * P, 20 * P));
    model_set(&m, 10 * P, 20 * P, true);
    CHECK(frames_remove(&p, 15 * P + 7, 2 * P));  /* grows outward: pages 15..17 */
    model_set(&m, 15 * P, 3 * P, false);
    CHECK(frames_remove(&p, 5 * P, 7 * P));       /* trims the front */
    model_set(&m, 5 * P, 7 * P, false);
    CHECK(frames_remove(&p, 28 * P, 10 * P));     /* trims the back */
    model_set(&m, 28 * P, 10 * P, false);
    check_matches(unit_ctx_, &p, &m);
}

TEST(frames_alloc_takes_highest_fit_below_limit)
{
    static struct frame_pool p;
    frames_init(&p);
    CHECK(frames_add(&p, 16 * P, 16 * P));
    CHECK(frames_add(&p, 64 * P, 16 * P));
    CHECK_EQ_U64(frames_alloc(&p, 2, P, 0), 78 * P);
    CHECK_EQ_U64(frames_alloc(&p, 2, P, 40 * P), 30 * P);
    CHECK_EQ_U64(frames_alloc(&p, 100, P, 0), 0);
    CHECK_EQ_U64(frames_alloc(&p, 1, P, 16 * P), 0);   /* nothing ends below 16 pages */
}

TEST(frames_alloc_aligns)
{
    static struct frame_pool p;
    frames_init(&p);
    CHECK(frames_add(&p, 3 * P, 61 * P));                 /* pages 3..63 */
    uint64_t a = frames_alloc(&p, 4, 16 * P, 0);
    CHECK_EQ_U64(a, 48 * P);                             /* 48..51: splits the range */
    CHECK_EQ_U64(p.count, 2);
    CHECK_EQ_U64(frames_alloc(&p, 1, 3 * P, 0), 0);      /* not a power of two */
    CHECK_EQ_U64(frames_alloc(&p, 0, P, 0), 0);
}

TEST(frames_random_against_model)
{
    static struct frame_pool p;
    struct model m = { { false } };
    frames_init(&p);
    srand(7);
    for (int step = 0; step < 4000; step++) {
        uint64_t base = (uint64_t)(1 + rand() % (MODEL_PAGES - 20)) * P;
        uint64_t pages = (uint64_t)(1 + rand() % 16);
        int op = rand() % 3;
        if (op == 0) {
            bool overlaps = false;
            for (uint64_t i = 0; i < pages; i++) {
                overlaps |= m.free[base / P + i];
            }
            CHECK(frames_add(&p, base, pages * P) == !overlaps);
            if (!overlaps) {
                model_set(&m, base, pages * P, true);
            }
        } else if (op == 1) {
            CHECK(frames_remove(&p, base, pages * P));
            model_set(&m, base, pages * P, false);
        } else {
            uint64_t got = frames_alloc(&p, pages, P, 0);
            if (got) {
                for (uint64_t i = 0; i < pages; i++) {
                    CHECK(m.free[got / P + i]);
                }
                model_set(&m, got, pages * P, false);
            }
        }
        check_matches(unit_ctx_, &p, &m);
        CHECK_PASSING();
    }
}

TEST_SUITE(frames,
    UNIT(frames_add_merges_neighbours),
    UNIT(frames_add_shrinks_to_whole_pages_and_skips_page_zero),
    UNIT(frames_add_refuses_double_free),
    UNIT(frames_remove_splits_and_trims),
    UNIT(frames_alloc_takes_highest_fit_below_limit),
    UNIT(frames_alloc_aligns),
    UNIT(frames_random_against_model));
