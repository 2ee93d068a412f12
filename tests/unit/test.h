/*
 * A tiny host unit-test framework.
 *
 * Each test file defines tests with TEST(name) and lists them in a table at
 * its end with TEST_SUITE(suite, UNIT(name), ...).  The table is explicit on
 * purpose: no constructors, no linker sections, and a test missing from its
 * table is an unused static function, which -Werror turns into a build
 * failure.
 *
 * CHECK* record the first failure of a test and return from the current
 * function.  Helpers that check things take `struct unit_ctx *unit_ctx_` as
 * their first parameter; after calling one, use CHECK_PASSING() to stop the
 * test if the helper failed.
 */
#ifndef KESTREL_TESTS_UNIT_TEST_H
#define KESTREL_TESTS_UNIT_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct unit_ctx {
    bool failed;
    char where[256];             /* "file:line: what" of the first failure */
};

struct unit_test {
    const char *name;
    void (*fn)(struct unit_ctx *unit_ctx_);
};

struct unit_suite {
    const struct unit_test *tests;
    size_t count;
};

void unit_fail(struct unit_ctx *ctx, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define TEST(name) static void test_##name(struct unit_ctx *unit_ctx_)

#define UNIT(name) { #name, test_##name }

#define TEST_SUITE(suite, ...)                                                  \
    static const struct unit_test suite##_tests_[] = { __VA_ARGS__ };          \
    const struct unit_suite suite##_suite = {                                  \
        suite##_tests_, sizeof(suite##_tests_) / sizeof(suite##_tests_[0])     \
    }

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (!(cond)) {                                                          \
            unit_fail(unit_ctx_, __FILE__, __LINE__, "CHECK(%s)", #cond);       \
            return;                                                             \
        }                                                                       \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                      \
    do {                                                                        \
        uint64_t unit_a_ = (uint64_t)(a), unit_b_ = (uint64_t)(b);              \
        if (unit_a_ != unit_b_) {                                               \
            unit_fail(unit_ctx_, __FILE__, __LINE__,                            \
                      "CHECK_EQ_U64(%s, %s): 0x%" PRIx64 " (%" PRIu64 ") != "   \
                      "0x%" PRIx64 " (%" PRIu64 ")",                            \
                      #a, #b, unit_a_, unit_a_, unit_b_, unit_b_);              \
            return;                                                             \
        }                                                                       \
    } while (0)

#define CHECK_STR(a, b)                                                         \
    do {                                                                        \
        const char *unit_a_ = (a), *unit_b_ = (b);                              \
        if (unit_a_ == NULL || unit_b_ == NULL || strcmp(unit_a_, unit_b_) != 0) { \
            unit_fail(unit_ctx_, __FILE__, __LINE__,                            \
                      "CHECK_STR(%s, %s): \"%s\" != \"%s\"", #a, #b,            \
                      unit_a_ ? unit_a_ : "(null)", unit_b_ ? unit_b_ : "(null)"); \
            return;                                                             \
        }                                                                       \
    } while (0)

/* Stops the current test if a helper it called has already failed. */
#define CHECK_PASSING()                                                         \
    do {                                                                        \
        if (unit_ctx_->failed)                                                  \
            return;                                                             \
    } while (0)

#endif
