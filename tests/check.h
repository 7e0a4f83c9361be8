/* Minimal assertions for the C tests: report file:line and the expression,
 * keep going, and make main() exit non-zero if anything failed. */
#ifndef DISCON_TEST_CHECK_H
#define DISCON_TEST_CHECK_H

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

#define CHECK_DONE()                                                    \
    do {                                                                \
        if (check_failures)                                             \
            fprintf(stderr, "%d check(s) failed\n", check_failures);    \
        return check_failures ? 1 : 0;                                  \
    } while (0)

#endif
