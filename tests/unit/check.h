/* A minimal assertion kit for the unit tests: each failed check prints what was expected and
 * what came, and the test exits 1 at the end if any failed. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                                                \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
                        check_failures++;                                                          \
                }                                                                                  \
        } while (0)

#define CHECK_INT(got, want)                                                                       \
        do {                                                                                       \
                long long g_ = (long long)(got), w_ = (long long)(want);                           \
                if (g_ != w_) {                                                                    \
                        fprintf(stderr, "%s:%d: %s: got %lld, want %lld\n", __FILE__, __LINE__,    \
                                #got, g_, w_);                                                     \
                        check_failures++;                                                          \
                }                                                                                  \
        } while (0)

#define CHECK_STR(got, want)                                                                       \
        do {                                                                                       \
                const char *g_ = (got), *w_ = (want);                                              \
                if (!g_ || !w_ || strcmp(g_, w_) != 0) {                                           \
                        fprintf(stderr, "%s:%d: %s: got \"%s\", want \"%s\"\n", __FILE__,          \
                                __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");           \
                        check_failures++;                                                          \
                }                                                                                  \
        } while (0)

#define CHECK_DONE()                                                                               \
        do {                                                                                       \
                if (check_failures)                                                                \
                        fprintf(stderr, "%d check(s) failed\n", check_failures);                   \
                else                                                                               \
                        printf("all checks passed\n");                                             \
                return check_failures ? 1 : 0;                                                     \
        } while (0)
