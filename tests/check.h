/* Minimal assertions for the C tests: report file:line and the expression,
 * keep going, and make main() exit non-zero if anything failed. */
#ifndef DISCON_TEST_CHECK_H
#define DISCON_TEST_CHECK_H

#include <limits.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            check_failures++;                                                        \
        }                                                                            \
    } while (0)

#define CHECK_EQ(a, b)                                                                 \
    do {                                                                               \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
        if (a_ != b_) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s == %s (%llu != %llu)\n", __FILE__, \
                    __LINE__, #a, #b, a_, b_);                                         \
            check_failures++;                                                          \
        }                                                                              \
    } while (0)

#define CHECK_CONTAINS(haystack, needle)                                                \
    do {                                                                                \
        if (!strstr((haystack), (needle))) {                                            \
            fprintf(stderr, "%s:%d: '%s' does not contain '%s'\n", __FILE__, __LINE__, \
                    (haystack), (needle));                                              \
            check_failures++;                                                           \
        }                                                                               \
    } while (0)

/* A module's strerror(): every code in [0, count) has its own one-line
 * message, the same for the negated code (as functions return it), and any
 * other value the one fallback, "unknown error". */
static inline void check_strerror(const char *(*strerror_fn)(int), int count)
{
    const char *unknown = strerror_fn(count);
    CHECK(unknown != NULL && strcmp(unknown, "unknown error") == 0);
    for (int c = 0; c < count; c++) {
        const char *m = strerror_fn(c);
        CHECK(m != NULL && m[0] && !strchr(m, '\n'));
        CHECK(m && strcmp(m, unknown) != 0);
        CHECK(m == strerror_fn(-c));
        for (int d = 0; d < c; d++)
            CHECK(m && strcmp(m, strerror_fn(d)) != 0);
    }
    const int strays[] = {count, -count, 1000, -1000, INT_MAX, INT_MIN};
    for (size_t i = 0; i < sizeof strays / sizeof *strays; i++)
        CHECK(strcmp(strerror_fn(strays[i]), unknown) == 0);
}

#define CHECK_DONE()                                                    \
    do {                                                                \
        if (check_failures)                                             \
            fprintf(stderr, "%d check(s) failed\n", check_failures);    \
        return check_failures ? 1 : 0;                                  \
    } while (0)

#endif
