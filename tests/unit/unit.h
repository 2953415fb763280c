/* unit — what every unit test program shares: the counts of checks passed
 * and failed, a failure printed with its place, and the closing line that
 * ctest and build.sh read ("N passed, N failed"). A test program is one .c
 * file that includes this once. */
#ifndef FLUX_TEST_UNIT_H
#define FLUX_TEST_UNIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;
/* what a program checks several times over, named after the place of each
 * failure ("[mysql]"): the store tests run their checks on SQLite and MySQL */
static const char *unit_suite;

static inline bool unit_vcheck(const char *where, int line, bool ok, const char *fmt, va_list ap)
{
    if (ok) {
        passed++;
        return true;
    }
    failed++;
    if (where) {
        const char *base = strrchr(where, '/');
        printf("%s:%d: ", base ? base + 1 : where, line);
        if (unit_suite && *unit_suite)
            printf("[%s] ", unit_suite);
    } else {
        fputs("FAIL: ", stdout);
    }
    vprintf(fmt, ap);
    putchar('\n');
    return false;
}

/* check(ok, fmt, ...): a failure prints "FAIL: message" */
static inline bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline bool check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool r = unit_vcheck(NULL, 0, ok, fmt, ap);
    va_end(ap);
    return r;
}

/* check_at(line, ok, fmt, ...): a failure prints "test_x.c:LINE: message" */
static inline bool unit_check_at(const char *file, int line, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline bool unit_check_at(const char *file, int line, bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool r = unit_vcheck(file, line, ok, fmt, ap);
    va_end(ap);
    return r;
}
#define check_at(line, ok, ...) unit_check_at(__FILE__, (line), (ok), __VA_ARGS__)

#endif
