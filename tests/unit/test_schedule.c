/* test_schedule — unit tests for the time layer (lang/time/): cron, presets, every,
 * durations, ISO-8601 times, zone names. Prints one line per failing check and
 * ends with "N passed, N failed". */
#include "schedule.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int passed, failed;

static void check_at(int line, bool ok, const char *fmt, ...)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    va_list ap;
    va_start(ap, fmt);
    printf("test_schedule.c:%d: ", line);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}
#define CHECK(cond) check_at(__LINE__, (cond), "%s", #cond)

/* bitmask helpers so expectations read like the cron text */
static uint64_t bits(int lo, int hi, int step)
{
    uint64_t m = 0;
    for (int v = lo; v <= hi; v += step)
        m |= (uint64_t)1 << v;
    return m;
}

static const uint32_t ALL_HOURS = 0xffffffu;
static const uint32_t ALL_MDAYS = 0xfffffffeu;
static const uint16_t ALL_MONTHS = 0x1ffeu;
static const uint8_t ALL_WDAYS = 0x7fu;

static flux_schedule sched_ok_at(int line, const char *text)
{
    flux_schedule sc;
    flux_sched_error err;
    memset(&sc, 0, sizeof sc);
    int rc = flux_schedule_parse(text, &sc, &err);
    check_at(line, rc == 0, "schedule \"%s\" rejected: %s", text, rc ? err.msg : "");
    return sc;
}
#define SCHED_OK(text) sched_ok_at(__LINE__, text)

/* help: NULL = not checked, "" = must be empty */
static void err_matches(int line, const char *what, int rc, const flux_sched_error *err, const char *msg,
                        size_t off, size_t len, const char *help)
{
    check_at(line, rc == -1, "%s: expected failure, got %d", what, rc);
    if (rc != -1)
        return;
    check_at(line, strcmp(err->msg, msg) == 0, "%s: message \"%s\", want \"%s\"", what, err->msg, msg);
    check_at(line, err->offset == off && err->len == len, "%s: range %zu+%zu, want %zu+%zu", what, err->offset,
             err->len, off, len);
    if (help)
        check_at(line, strcmp(err->help, help) == 0, "%s: help \"%s\", want \"%s\"", what, err->help, help);
}

static void sched_err_at(int line, const char *text, const char *msg, size_t off, size_t len, const char *help)
{
    flux_schedule sc;
    flux_sched_error err;
    memset(&sc, 0x5a, sizeof sc);
    int rc = flux_schedule_parse(text, &sc, &err);
    err_matches(line, text, rc, &err, msg, off, len, help);
}
#define SCHED_ERR(text, msg, off, len, help) sched_err_at(__LINE__, text, msg, off, len, help)

static void dur_ok_at(int line, const char *text, size_t n, int64_t want)
{
    int64_t ms = -12345;
    flux_sched_error err;
    int rc = flux_duration_parse(text, n, &ms, &err);
    check_at(line, rc == 0 && ms == want, "duration \"%.*s\": rc %d ms %lld, want %lld (%s)", (int)n, text, rc,
             (long long)ms, (long long)want, rc ? err.msg : "");
}
#define DUR_OK(text, want) dur_ok_at(__LINE__, text, strlen(text), want)

static void dur_err_at(int line, const char *text, const char *msg, size_t off, size_t len, const char *help)
{
    int64_t ms;
    flux_sched_error err;
    int rc = flux_duration_parse(text, strlen(text), &ms, &err);
    err_matches(line, text, rc, &err, msg, off, len, help);
}
#define DUR_ERR(text, msg, off, len, help) dur_err_at(__LINE__, text, msg, off, len, help)

static void time_ok_at(int line, const char *text, int64_t want, bool want_zone)
{
    int64_t ms = -12345;
    bool zone = !want_zone;
    flux_sched_error err;
    int rc = flux_time_parse(text, &ms, &zone, &err);
    check_at(line, rc == 0 && ms == want && zone == want_zone, "time \"%s\": rc %d ms %lld zone %d, want %lld %d (%s)",
             text, rc, (long long)ms, zone, (long long)want, want_zone, rc ? err.msg : "");
}
#define TIME_OK(text, want, zone) time_ok_at(__LINE__, text, want, zone)

static void time_err_at(int line, const char *text, const char *msg, size_t off, size_t len, const char *help)
{
    int64_t ms;
    bool zone;
    flux_sched_error err;
    int rc = flux_time_parse(text, &ms, &zone, &err);
    err_matches(line, text, rc, &err, msg, off, len, help);
}
#define TIME_ERR(text, msg, off, len, help) time_err_at(__LINE__, text, msg, off, len, help)

/* ---- cron --------------------------------------------------------------- */

static void test_cron(void)
{
    flux_schedule sc = SCHED_OK("0 * * * *");
    CHECK(sc.kind == FLUX_SCHED_CRON);
    CHECK(sc.minutes == 1);
    CHECK(sc.hours == ALL_HOURS);
    CHECK(sc.mdays == ALL_MDAYS);
    CHECK(sc.months == ALL_MONTHS);
    CHECK(sc.wdays == ALL_WDAYS);
    CHECK(sc.mday_star && sc.wday_star);

    sc = SCHED_OK("*/15 9-17 * JAN-MAR MON-FRI");
    CHECK(sc.minutes == bits(0, 59, 15));
    CHECK(sc.hours == bits(9, 17, 1));
    CHECK(sc.mdays == ALL_MDAYS);
    CHECK(sc.months == bits(1, 3, 1));
    CHECK(sc.wdays == bits(1, 5, 1));
    CHECK(sc.mday_star && !sc.wday_star);

    sc = SCHED_OK("*/15 9-17 * jan-Mar mon-fri");
    CHECK(sc.months == bits(1, 3, 1) && sc.wdays == bits(1, 5, 1));

    /* lists mixing every item form */
    sc = SCHED_OK("1,5-7,10/20 * * * *");
    CHECK(sc.minutes == ((1u << 1) | bits(5, 7, 1) | bits(10, 59, 20)));
    sc = SCHED_OK("10-30/10 0-23/6 1-31/10 */3 *");
    CHECK(sc.minutes == bits(10, 30, 10));
    CHECK(sc.hours == bits(0, 23, 6));
    CHECK(sc.mdays == bits(1, 31, 10));
    CHECK(sc.months == bits(1, 12, 3));
    CHECK(!sc.mday_star);
    sc = SCHED_OK("59 23 31 12 6");
    CHECK(sc.minutes == (uint64_t)1 << 59 && sc.hours == 1u << 23 && sc.mdays == 1u << 31);
    CHECK(sc.months == 1u << 12 && sc.wdays == 1u << 6);
    CHECK(!sc.mday_star && !sc.wday_star);
    sc = SCHED_OK("007 08 09 010 01");
    CHECK(sc.minutes == 1u << 7 && sc.hours == 1u << 8 && sc.mdays == 1u << 9 && sc.months == 1u << 10);

    /* whitespace: surrounding whitespace and runs of blanks between fields */
    sc = SCHED_OK("  \t0  0\t\t1 *   * \n");
    CHECK(sc.minutes == 1 && sc.hours == 1 && sc.mdays == 1u << 1);

    /* day-of-week: 7 and 0 are Sunday, names, wrap to Sunday */
    CHECK(SCHED_OK("0 0 * * 7").wdays == 1);
    CHECK(SCHED_OK("0 0 * * 0").wdays == 1);
    CHECK(SCHED_OK("0 0 * * SUN").wdays == 1);
    CHECK(SCHED_OK("0 0 * * sat").wdays == 1u << 6);
    CHECK(SCHED_OK("0 0 * * 5-7").wdays == (bits(5, 6, 1) | 1));
    CHECK(SCHED_OK("0 0 * * FRI-SUN").wdays == (bits(5, 6, 1) | 1));
    CHECK(SCHED_OK("0 0 * * 0-7").wdays == ALL_WDAYS);
    CHECK(SCHED_OK("0 0 * * 1,3,5").wdays == ((1u << 1) | (1u << 3) | (1u << 5)));
    sc = SCHED_OK("0 0 * * */2");
    CHECK(sc.wdays == bits(0, 6, 2));
    CHECK(sc.wday_star); /* starts with '*': unrestricted for the OR rule, as in cron */
    /* a/n runs to the end of the documented 0-7 range, and 7 is Sunday */
    CHECK(SCHED_OK("0 0 * * 1/2").wdays == (bits(1, 5, 2) | 1));
    CHECK(SCHED_OK("0 0 * * 3/2").wdays == ((1u << 3) | (1u << 5) | 1));
    CHECK(SCHED_OK("0 0 * * WED/2").wdays == ((1u << 3) | (1u << 5) | 1));
    CHECK(SCHED_OK("0 0 * * 6/1").wdays == ((1u << 6) | 1));
    CHECK(SCHED_OK("0 0 * * 7/3").wdays == 1);
    CHECK(SCHED_OK("0 0 * * 0/7").wdays == 1);
    CHECK(SCHED_OK("0 0 * * 0/2").wdays == bits(0, 6, 2));
    CHECK(SCHED_OK("0 0 * * */3").wdays == ((1u << 0) | (1u << 3) | (1u << 6)));
    CHECK(SCHED_OK("0 0 * * 2/3,1").wdays == ((1u << 1) | (1u << 2) | (1u << 5)));
    CHECK(SCHED_OK("0 0 * * 1-7/2").wdays == (bits(1, 5, 2) | 1));

    /* months by name, all twelve */
    static const char *const mn[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    for (int i = 0; i < 12; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "0 0 1 %s *", mn[i]);
        check_at(__LINE__, SCHED_OK(buf).months == 1u << (i + 1), "month %s", mn[i]);
    }
    CHECK(SCHED_OK("0 0 1 jan,Jul,DEC *").months == ((1u << 1) | (1u << 7) | (1u << 12)));

    /* Feb 29 exists in leap years; the day-of-week OR rule can always fire */
    SCHED_OK("0 0 29 2 *");
    SCHED_OK("0 0 30 2 MON");
    SCHED_OK("0 0 31 1-2 *");

    /* out is optional, and untouched on failure */
    flux_sched_error err;
    CHECK(flux_schedule_parse("0 * * * *", NULL, &err) == 0);
    CHECK(flux_schedule_parse("bad", NULL, NULL) == -1);
    flux_schedule keep;
    memset(&keep, 0x33, sizeof keep);
    flux_schedule copy = keep;
    CHECK(flux_schedule_parse("61 * * * *", &keep, &err) == -1);
    CHECK(memcmp(&keep, &copy, sizeof keep) == 0);
}

static void test_cron_errors(void)
{
    SCHED_ERR("", "empty schedule", 0, 0, NULL);
    SCHED_ERR(" \t ", "empty schedule", 0, 3, NULL);
    flux_sched_error err;
    CHECK(flux_schedule_parse(NULL, NULL, &err) == -1 && strcmp(err.msg, "empty schedule") == 0);

    SCHED_ERR("0 0 * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 6", 10, 1,
              "remove the extra fields; seconds and years are not supported");
    SCHED_ERR(" 0 0 * * * 1 2", "expected 5 fields (minute hour day-of-month month day-of-week), found 7", 11, 3,
              NULL);
    SCHED_ERR("  0 0 * * ", "expected 5 fields (minute hour day-of-month month day-of-week), found 4", 2, 7,
              "e.g. '30 2 * * *' runs at 02:30 every day");
    SCHED_ERR("daily", "expected 5 fields (minute hour day-of-month month day-of-week), found 1", 0, 5,
              "did you mean '@daily'?");
    SCHED_ERR("every15m", "expected 5 fields (minute hour day-of-month month day-of-week), found 1", 0, 8,
              "put a space after 'every', e.g. 'every 15m'");

    /* out of range, one per field, with the offending token underlined */
    SCHED_ERR("61 * * * *", "minute field: 61 is out of range 0-59", 0, 2, "");
    SCHED_ERR(" 0 24 * * *", "hour field: 24 is out of range 0-23", 3, 2, "");
    SCHED_ERR("0 0 0 * *", "day-of-month field: 0 is out of range 1-31", 4, 1, "");
    SCHED_ERR("0 0 32 * *", "day-of-month field: 32 is out of range 1-31", 4, 2, "");
    SCHED_ERR("0 0 * 13 *", "month field: 13 is out of range 1-12", 6, 2, "");
    SCHED_ERR("0 0 * 0 *", "month field: 0 is out of range 1-12", 6, 1, "");
    SCHED_ERR("0 0 * * 8", "day-of-week field: 8 is out of range 0-7", 8, 1, "");
    SCHED_ERR("0 1-25 * * *", "hour field: 25 is out of range 0-23", 4, 2, "");
    SCHED_ERR("1,2,99 * * * *", "minute field: 99 is out of range 0-59", 4, 2, "");
    SCHED_ERR("99999999999 * * * *", "minute field: 99999999999 is out of range 0-59", 0, 11, "");

    /* steps */
    SCHED_ERR("*/0 * * * *", "minute field: step 0 is out of range 1-59", 2, 1,
              "a step of 0 never advances; '*/1' (or '*') means every minute");
    SCHED_ERR("0 0-10/0 * * *", "hour field: step 0 is out of range 1-23", 7, 1, NULL);
    SCHED_ERR("0 0 * */12 *", "month field: step 12 is out of range 1-11", 8, 2, "");
    SCHED_ERR("*/ * * * *", "minute field: missing step after '/'", 1, 1, "");
    SCHED_ERR("*/x * * * *", "minute field: step must be a number, found 'x'", 2, 1, "");
    SCHED_ERR("0 0 * * MON/8", "day-of-week field: step 8 is out of range 1-7", 12, 1, "");
    CHECK(SCHED_OK("0 0 * * MON/2").wdays == (bits(1, 5, 2) | 1)); /* MON WED FRI SUN */

    /* reversed ranges */
    SCHED_ERR("30-10 * * * *", "minute field: range 30-10 is reversed", 0, 5,
              "ranges do not wrap around; write '10-30' or split it as '30-59,0-10'");
    SCHED_ERR("0 0 * * FRI-MON", "day-of-week field: range FRI-MON is reversed", 8, 7,
              "ranges do not wrap around; write '1-5' or split it as '5-6,0-1'");
    SCHED_ERR("0 0 * DEC-JAN *", "month field: range DEC-JAN is reversed", 6, 7,
              "ranges do not wrap around; write '1-12' or split it as '12,1'");
    SCHED_ERR("59-0 * * * *", "minute field: range 59-0 is reversed", 0, 4,
              "ranges do not wrap around; write '0-59' or split it as '59,0'");
    CHECK(SCHED_OK("0 0 * * 7-1").wdays == bits(0, 1, 1));
    CHECK(SCHED_OK("0 0 * * SAT-SUN").wdays == ((1u << 6) | 1));

    /* names */
    SCHED_ERR("0 0 * JNA *", "month field: unknown month 'JNA'", 6, 3, "did you mean 'JAN'?");
    SCHED_ERR("0 0 * jna *", "month field: unknown month 'jna'", 6, 3, "did you mean 'JAN'?");
    SCHED_ERR("0 0 * * MOM", "day-of-week field: unknown day 'MOM'", 8, 3, "did you mean 'MON'?");
    SCHED_ERR("0 0 * * MONDAY", "day-of-week field: unknown day 'MONDAY'", 8, 6, "use the three-letter name 'MON'");
    SCHED_ERR("0 0 * January *", "month field: unknown month 'January'", 6, 7, "use the three-letter name 'JAN'");
    SCHED_ERR("0 0 * MON *", "month field: unknown month 'MON'", 6, 3,
              "'MON' is a day of the week; days go in the fifth field");
    SCHED_ERR("0 0 * * JUL", "day-of-week field: unknown day 'JUL'", 8, 3, "'JUL' is a month; months go in the fourth field");
    SCHED_ERR("0 0 * XYZQ *", "month field: unknown month 'XYZQ'", 6, 4, "months are JAN-DEC or 1-12");
    SCHED_ERR("0 0 * * XYZ", "day-of-week field: unknown day 'XYZ'", 8, 3,
              "days are SUN-SAT or 0-7 (0 and 7 are Sunday)");
    SCHED_ERR("0 noon * * *", "hour field: 'noon' is not a number", 2, 4,
              "names are allowed only in the month (JAN-DEC) and day-of-week (SUN-SAT) fields");
    SCHED_ERR("0 0 JAN * *", "day-of-month field: 'JAN' is not a number", 4, 3,
              "'JAN' is a month; months go in the fourth field");

    /* malformed items */
    SCHED_ERR("1,,2 * * * *", "minute field: empty item in list", 2, 1, "");
    SCHED_ERR("1, * * * *", "minute field: empty item in list", 1, 1, "");
    SCHED_ERR(",1 * * * *", "minute field: empty item in list", 0, 1, "");
    SCHED_ERR("0 5- * * *", "hour field: missing end of range after '-'", 3, 1, "");
    SCHED_ERR("-5 * * * *", "minute field: missing value before '-'", 0, 1, "");
    SCHED_ERR("0 0 ? * *", "day-of-month field: unexpected character '?'", 4, 1, "'?' is not supported; use '*'");
    SCHED_ERR("0 0 1 * 1?", "day-of-week field: unexpected character '?'", 9, 1, "'?' is not supported; use '*'");
    SCHED_ERR("*5 * * * *", "minute field: unexpected character '5'", 1, 1, "");
    SCHED_ERR("0 0 1\n1 * *", "day-of-month field: unexpected character byte 0x0a", 5, 1, "");
    SCHED_ERR("0 0 1#2 * *", "day-of-month field: unexpected character '#'", 5, 1, "");

    /* syntactically fine, never fires */
    SCHED_ERR("0 0 30 2 *", "day-of-month field: February has no day 30, so the schedule never runs", 4, 2, "");
    SCHED_ERR("0 0 30,31 FEB *", "day-of-month field: February has no day 30, so the schedule never runs", 4, 5, "");
    SCHED_ERR("0 0 31 4,6 *",
              "day-of-month field: none of these days exists in the selected months, so the schedule never runs", 4,
              2, "");
}

/* ---- presets and every -------------------------------------------------- */

static void test_presets(void)
{
    flux_schedule sc = SCHED_OK("@once");
    CHECK(sc.kind == FLUX_SCHED_ONCE);

    sc = SCHED_OK("@hourly");
    CHECK(sc.kind == FLUX_SCHED_CRON && sc.minutes == 1 && sc.hours == ALL_HOURS && sc.mdays == ALL_MDAYS);
    CHECK(sc.months == ALL_MONTHS && sc.wdays == ALL_WDAYS && sc.mday_star && sc.wday_star);

    const char *dailies[] = {"@daily", "@midnight", " @DAILY "};
    for (int i = 0; i < 3; i++) {
        sc = SCHED_OK(dailies[i]);
        check_at(__LINE__, sc.kind == FLUX_SCHED_CRON && sc.minutes == 1 && sc.hours == 1 && sc.mdays == ALL_MDAYS &&
                               sc.months == ALL_MONTHS && sc.wdays == ALL_WDAYS && sc.mday_star && sc.wday_star,
                 "preset %s", dailies[i]);
    }
    sc = SCHED_OK("@weekly");
    CHECK(sc.minutes == 1 && sc.hours == 1 && sc.mdays == ALL_MDAYS && sc.wdays == 1);
    CHECK(sc.mday_star && !sc.wday_star);
    sc = SCHED_OK("@monthly");
    CHECK(sc.minutes == 1 && sc.hours == 1 && sc.mdays == 1u << 1 && sc.months == ALL_MONTHS);
    CHECK(!sc.mday_star && sc.wday_star);
    const char *yearly[] = {"@yearly", "@annually"};
    for (int i = 0; i < 2; i++) {
        sc = SCHED_OK(yearly[i]);
        check_at(__LINE__, sc.minutes == 1 && sc.hours == 1 && sc.mdays == 1u << 1 && sc.months == 1u << 1 &&
                               !sc.mday_star && sc.wday_star,
                 "preset %s", yearly[i]);
    }

    SCHED_ERR("@dayly", "unknown preset '@dayly'", 0, 6, "did you mean '@daily'?");
    SCHED_ERR("  @hourley", "unknown preset '@hourley'", 2, 8, "did you mean '@hourly'?");
    SCHED_ERR("@WEEKLYY", "unknown preset '@WEEKLYY'", 0, 8, "did you mean '@weekly'?");
    SCHED_ERR("@reboot", "unknown preset '@reboot'", 0, 7,
              "presets: @once @hourly @daily @midnight @weekly @monthly @yearly @annually");
    SCHED_ERR("@", "unknown preset '@'", 0, 1, NULL);
    SCHED_ERR("@daily 0 0", "unexpected text after '@daily'", 7, 3,
              "a preset stands alone; for other times write a 5-field cron expression");

    sc = SCHED_OK("every 15m");
    CHECK(sc.kind == FLUX_SCHED_EVERY && sc.every_ms == 15 * 60000);
    CHECK(SCHED_OK("every 1h30m").every_ms == 90 * 60000);
    CHECK(SCHED_OK("  Every\t500ms ").every_ms == 500);
    CHECK(SCHED_OK("every 1w").every_ms == 7LL * 24 * 3600 * 1000);

    SCHED_ERR("every", "missing duration after 'every'", 0, 5, "e.g. 'every 15m' or 'every 1h30m'");
    SCHED_ERR("every 0m", "the interval of 'every' must be greater than zero", 6, 2, "");
    SCHED_ERR("every 0s0ms", "the interval of 'every' must be greater than zero", 6, 5, "");
    SCHED_ERR("every 15x", "unknown unit 'x' in duration", 8, 1, "units: ms s m h d w");
    SCHED_ERR("  every 15", "missing unit after '15'", 8, 2, "units: ms s m h d w");
    SCHED_ERR("every -5m", "a duration cannot be negative", 6, 1, "");
    SCHED_ERR("every 1h 30m", "unexpected '30m' after the duration", 9, 3,
              "write the duration without spaces, e.g. '1h30m'");
    SCHED_ERR("every 1h and more", "unexpected 'and more' after the duration", 9, 8,
              "'every' takes a single duration, e.g. 'every 15m'");
}

/* ---- durations ---------------------------------------------------------- */

static void test_durations(void)
{
    DUR_OK("500ms", 500);
    DUR_OK("30s", 30000);
    DUR_OK("5m", 300000);
    DUR_OK("1h", 3600000);
    DUR_OK("2d", 2 * 86400000LL);
    DUR_OK("1w", 604800000LL);
    DUR_OK("1h30m", 5400000);
    DUR_OK("1w2d3h4m5s6ms", 604800000LL + 2 * 86400000LL + 3 * 3600000LL + 4 * 60000 + 5000 + 6);
    DUR_OK("0s", 0);
    DUR_OK("0ms", 0);
    DUR_OK("90m", 5400000);
    DUR_OK("15250284452w", 15250284452LL * 604800000LL);
    DUR_OK("15250284452w3d", 15250284452LL * 604800000LL + 3 * 86400000LL);
    dur_ok_at(__LINE__, "15mXYZ", 3, 900000); /* only len bytes are read */
    int64_t ms;
    CHECK(flux_duration_parse("1s", 2, NULL, NULL) == 0);
    CHECK(flux_duration_parse("1x", 2, &ms, NULL) == -1);

    DUR_ERR("", "empty duration", 0, 0, "write a number and a unit, e.g. '30s', '5m' or '1h30m'");
    flux_sched_error err;
    CHECK(flux_duration_parse(NULL, 0, &ms, &err) == -1 && strcmp(err.msg, "empty duration") == 0);
    DUR_ERR("15", "missing unit after '15'", 0, 2, "units: ms s m h d w");
    DUR_ERR("1h30", "missing unit after '30'", 2, 2, "units: ms s m h d w");
    DUR_ERR("15x", "unknown unit 'x' in duration", 2, 1, "units: ms s m h d w");
    DUR_ERR("5min", "unknown unit 'min' in duration", 1, 3, "write 'm' (units: ms s m h d w)");
    DUR_ERR("2hours", "unknown unit 'hours' in duration", 1, 5, "write 'h' (units: ms s m h d w)");
    DUR_ERR("5H", "unknown unit 'H' in duration", 1, 1, "units are lowercase: write 'h' (units: ms s m h d w)");
    DUR_ERR("5MS", "unknown unit 'MS' in duration", 1, 2, "units are lowercase: write 'ms' (units: ms s m h d w)");
    DUR_ERR("-5m", "a duration cannot be negative", 0, 1, "");
    DUR_ERR("1h-5m", "a duration cannot be negative", 2, 1, "");
    DUR_ERR("h", "expected a number before 'h'", 0, 1, NULL);
    DUR_ERR("1.5h", "fractional durations are not supported", 0, 4,
            "combine units instead, e.g. '1h30m' rather than '1.5h'");
    DUR_ERR("1h 30m", "unexpected character ' ' in duration", 2, 1, "");
    DUR_ERR("1h_", "unexpected character '_' in duration", 2, 1, "");
    DUR_ERR("30m1h", "unit 'h' comes after 'm' in duration", 4, 1, "write each unit once, largest first, e.g. '1h30m'");
    DUR_ERR("1h1h", "unit 'h' appears twice in duration", 3, 1, NULL);
    DUR_ERR("1s500", "missing unit after '500'", 2, 3, NULL);
    /* overflow: in the number itself, in number x unit, and in the sum */
    DUR_ERR("99999999999999999999ms", "duration '99999999999999999999ms' is too large", 0, 22, "");
    DUR_ERR("15250284453w", "duration '15250284453w' is too large", 0, 12, "");
    DUR_ERR("15250284452w4d", "duration '15250284452w4d' is too large", 12, 2, "");
}

/* ---- ISO-8601 ----------------------------------------------------------- */

static void test_times(void)
{
    /* expected values from an independent implementation (Python datetime) */
    TIME_OK("2026-11-01T00:00:00Z", 1793491200000LL, true);
    TIME_OK("2026-11-01t00:00:00z", 1793491200000LL, true);
    TIME_OK("2026-11-01T00:00:00+01:00", 1793487600000LL, true);
    TIME_OK("2026-11-01 00:00:00+0100", 1793487600000LL, true);
    TIME_OK("2026-11-01T00:00:00-00:00", 1793491200000LL, true);
    TIME_OK("2026-11-01T00:00", 1793491200000LL, false);
    TIME_OK("2026-11-01", 1793491200000LL, false);
    TIME_OK("2000-02-29T12:34:56.789Z", 951827696789LL, true);
    TIME_OK("2000-02-29T12:34:56,789Z", 951827696789LL, true);
    TIME_OK("2000-02-29T12:34:56.7891234Z", 951827696789LL, true);
    TIME_OK("2000-02-29T12:34:56.7Z", 951827696700LL, true);
    TIME_OK("1970-01-01T00:00:00Z", 0, true);
    TIME_OK("1969-12-31T23:59:59Z", -1000, true);
    TIME_OK("0001-01-01T00:00:00Z", -62135596800000LL, true);
    TIME_OK("0000-01-01", -62167219200000LL, false);
    TIME_OK("9999-12-31T23:59:59Z", 253402300799000LL, true);
    TIME_OK("2024-02-29T23:59-05:30", 1709270940000LL, true);
    TIME_OK("1900-03-01", -2203891200000LL, false);
    TIME_OK("2100-03-01", 4107542400000LL, false);
    TIME_OK("2024-02-29", 1709164800000LL, false);
    TIME_OK("2026-12-31T23:59:59", 1798761599000LL, false);
    CHECK(flux_time_parse("2026-11-01", NULL, NULL, NULL) == 0);

    const char *fmt_help = "write times as 'YYYY-MM-DDTHH:MM:SSZ', e.g. '2026-11-01T00:00:00Z'";
    TIME_ERR("", "empty time", 0, 0, fmt_help);
    TIME_ERR("2026-13-01", "month 13 is out of range 1-12", 5, 2, "");
    TIME_ERR("2026-00-10", "month 0 is out of range 1-12", 5, 2, "");
    TIME_ERR("2027-02-30", "day 30 does not exist in February 2027", 8, 2, "");
    TIME_ERR("2027-02-29T10:00Z", "day 29 does not exist in February 2027", 8, 2, "2027 is not a leap year");
    TIME_ERR("1900-02-29", "day 29 does not exist in February 1900", 8, 2, "1900 is not a leap year");
    TIME_ERR("2026-04-31", "day 31 does not exist in April 2026", 8, 2, "");
    TIME_ERR("2026-01-32", "day 32 is out of range 1-31", 8, 2, "");
    TIME_ERR("2026-01-00", "day 0 is out of range 1-31", 8, 2, "");
    TIME_ERR("2026-11-01T24:00:00Z", "hour 24 is out of range 0-23", 11, 2, "write 00:00 of the next day");
    TIME_ERR("2026-11-01T12:60Z", "minute 60 is out of range 0-59", 14, 2, "");
    TIME_ERR("2026-11-01T12:00:60Z", "second 60 is out of range 0-59", 17, 2, "leap seconds are not supported");
    TIME_ERR("2026-11-01T12:00:61Z", "second 61 is out of range 0-59", 17, 2, "");
    TIME_ERR("2026-1-01", "expected a 2-digit month", 5, 1, fmt_help);
    TIME_ERR("2026-011-01", "expected a 2-digit month", 5, 3, fmt_help);
    TIME_ERR("26-11-01", "expected a 4-digit year", 0, 2, fmt_help);
    TIME_ERR("+2026-11-01", "expected a 4-digit year", 0, 1, fmt_help);
    TIME_ERR("2026/11/01", "expected '-' after the year", 4, 1, fmt_help);
    TIME_ERR("2026-11", "expected '-' after the month", 7, 0, fmt_help);
    TIME_ERR("2026-11-1", "expected a 2-digit day", 8, 1, fmt_help);
    TIME_ERR("2026-11-01X", "expected 'T' or a space after the date, found 'X'", 10, 1, fmt_help);
    TIME_ERR("2026-11-01Z", "expected 'T' or a space after the date, found 'Z'", 10, 1, NULL);
    TIME_ERR("2026-11-01  00:00", "expected a 2-digit hour", 11, 1, NULL);
    TIME_ERR("2026-11-01T", "expected a 2-digit hour", 11, 0, NULL);
    TIME_ERR("2026-11-01T00", "expected ':' after the hour", 13, 0, NULL);
    TIME_ERR("2026-11-01T00:0", "expected a 2-digit minute", 14, 1, NULL);
    TIME_ERR("2026-11-01T00:00:", "expected a 2-digit second", 17, 0, NULL);
    TIME_ERR("2026-11-01T00:00:00.", "expected digits after '.'", 19, 1, "");
    TIME_ERR("2026-11-01T00:00:00.Z", "expected digits after '.'", 19, 1, "");
    TIME_ERR("2026-11-01T00:00:00+01", "expected 2-digit offset minutes", 22, 0,
             "write offsets as '+01:00', '-0500' or 'Z'");
    TIME_ERR("2026-11-01T00:00:00+1:00", "expected a 2-digit offset hour", 20, 1, NULL);
    TIME_ERR("2026-11-01T00:00:00+25:00", "offset hour 25 is out of range 0-23", 20, 2, "");
    TIME_ERR("2026-11-01T00:00:00+01:75", "offset minute 75 is out of range 0-59", 23, 2, "");
    TIME_ERR("2026-11-01T00:00:00+01:00:00", "unexpected ':' after the zone offset", 25, 3, "");
    TIME_ERR("2026-11-01T00:00:00Zjunk", "unexpected 'j' after the zone offset", 20, 4, "");
    TIME_ERR("2026-11-01T00:00:00 ", "unexpected ' ' after the time", 19, 1,
             "a time may end with 'Z' or an offset such as '+01:00'");
    TIME_ERR("2026-11-01T00:00 UTC", "unexpected ' ' after the time", 16, 4, NULL);
}

/* ---- zones -------------------------------------------------------------- */

static char tmpdir[64];

static void write_file(const char *rel, const char *content)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "w");
    if (!f) {
        printf("cannot create %s\n", path);
        exit(2);
    }
    fputs(content, f);
    fclose(f);
}

static void make_dir(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    mkdir(path, 0700);
}

static const char *sub(const char *rel)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    return path;
}

#define TZIF "TZif2\0\0\0\0"

/* The zone list is cached for the life of the process, so each zoneinfo
 * layout is tried in a fresh child with its own cache. */
static void in_child(void (*fn)(void))
{
    fflush(stdout);
    int fds[2];
    if (pipe(fds) != 0) {
        failed++;
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        passed = failed = 0;
        fn();
        int counts[2] = {passed, failed};
        if (write(fds[1], counts, sizeof counts) != (ssize_t)sizeof counts)
            _exit(3);
        fflush(stdout);
        exit(0); /* exit, not _exit: LeakSanitizer checks the child too */
    }
    close(fds[1]);
    int counts[2] = {0, 0}, status = 0;
    ssize_t got = read(fds[0], counts, sizeof counts);
    close(fds[0]);
    waitpid(pid, &status, 0);
    passed += counts[0];
    failed += counts[1];
    check_at(__LINE__, pid > 0 && got == (ssize_t)sizeof counts && WIFEXITED(status) && WEXITSTATUS(status) == 0,
             "child test process failed (status %d)", status);
}

static void suggest_is(int line, const char *name, const char *want)
{
    const char *got = flux_tz_suggest(name);
    bool ok = want ? got && strcmp(got, want) == 0 : got == NULL;
    check_at(line, ok, "flux_tz_suggest(\"%s\") = %s, want %s", name, got ? got : "NULL", want ? want : "NULL");
}
#define SUGGEST(name, want) suggest_is(__LINE__, name, want)

static void child_tzdata_zi(void)
{
    setenv("TZDIR", sub("zi"), 1);
    SUGGEST("europe/paris", "Europe/Paris");
    SUGGEST("Europe/Pari", "Europe/Paris");
    SUGGEST("America/New_Yrok", "America/New_York");
    SUGGEST("paris", "Europe/Paris");       /* bare city */
    SUGGEST("new_york", "America/New_York");
    SUGGEST("US/Easter", "US/Eastern");     /* link names count */
    SUGGEST("utc", "UTC");
    SUGGEST("Asia/Tokio", NULL);            /* listed, but no TZif file */
    SUGGEST("Mars/Olympus_Mons", NULL);
    SUGGEST("Europe/Paris", NULL);          /* nothing to correct */
    SUGGEST("", NULL);
    SUGGEST(NULL, NULL);
    /* the list is cached, but a suggestion must still exist under the
     * current TZDIR */
    setenv("TZDIR", sub("tab"), 1);
    SUGGEST("europe/paris", "Europe/Paris");
    SUGGEST("us/eastern", NULL);
}

static void child_tab(void)
{
    setenv("TZDIR", sub("tab"), 1);
    SUGGEST("europe/paris", "Europe/Paris");  /* from zone.tab */
    SUGGEST("america/new_york", "America/New_York"); /* from zone1970.tab */
    SUGGEST("America/New_Yrok", "America/New_York");
    SUGGEST("utc", "UTC");
    SUGGEST("US/Easter", NULL);
}

static void test_zones(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/flux-tz-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        printf("cannot create a temporary directory\n");
        failed++;
        return;
    }
    /* layout 1: tzdata.zi */
    make_dir("zi");
    make_dir("zi/Europe");
    make_dir("zi/America");
    make_dir("zi/US");
    make_dir("zi/Bad");
    make_dir("zi/posix");
    write_file("zi/Europe/Paris", TZIF);
    write_file("zi/America/New_York", TZIF);
    write_file("zi/US/Eastern", TZIF);
    write_file("zi/UTC", TZIF);
    write_file("zi/Etc+1", TZIF);
    write_file("zi/localtime", TZIF);
    write_file("zi/posix/UTC", TZIF);
    write_file("zi/Bad/Zone", "NOPE, not a zone file");
    write_file("zi/Bad/Tiny", "TZ");
    write_file("zi/tzdata.zi", "# version 2099z\n"
                               "R E 1981 ma - Mar lasu 1u 1 S\n"
                               "Z Europe/Paris 0:9:21 - LMT 1891 Mar 16\n"
                               "1 E CE%sT\n"
                               "Z America/New_York -4:56:2 - LMT 1883 N 18 17u\n"
                               "Z Asia/Tokyo 9:18:59 - LMT 1887 D 31 15u\n"
                               "L America/New_York US/Eastern\n"
                               "L Etc/UTC UTC\n");
    write_file("outside", TZIF);

    /* layout 2: only the .tab files */
    make_dir("tab");
    make_dir("tab/Europe");
    make_dir("tab/America");
    write_file("tab/Europe/Paris", TZIF);
    write_file("tab/America/New_York", TZIF);
    write_file("tab/UTC", TZIF);
    write_file("tab/zone1970.tab", "# comment\nUS\t+404251-0740023\tAmerica/New_York\tEastern (most areas)\n");
    write_file("tab/zone.tab", "# comment\nFR\t+4852+00220\tEurope/Paris\n");

    /* suggestion children first: they must start from an empty cache */
    in_child(child_tzdata_zi);
    in_child(child_tab);

    setenv("TZDIR", sub("zi"), 1);
    CHECK(flux_tz_exists("Europe/Paris"));
    CHECK(flux_tz_exists("America/New_York"));
    CHECK(flux_tz_exists("UTC"));
    CHECK(flux_tz_exists("Etc+1"));
    CHECK(!flux_tz_exists("Asia/Tokyo"));       /* no file */
    CHECK(!flux_tz_exists("europe/paris"));     /* names are case-sensitive */
    CHECK(!flux_tz_exists("Bad/Zone"));         /* no TZif magic */
    CHECK(!flux_tz_exists("Bad/Tiny"));
    CHECK(!flux_tz_exists("Europe"));           /* a directory */
    CHECK(!flux_tz_exists("tzdata.zi"));
    CHECK(!flux_tz_exists("localtime"));
    CHECK(!flux_tz_exists("posix/UTC"));
    CHECK(!flux_tz_exists("../zi/UTC"));
    CHECK(!flux_tz_exists("Europe/../UTC"));
    CHECK(!flux_tz_exists("./UTC"));
    CHECK(!flux_tz_exists(sub("zi/UTC")));      /* absolute path to a real TZif file */
    CHECK(!flux_tz_exists("/UTC"));
    CHECK(!flux_tz_exists("Europe//Paris"));
    CHECK(!flux_tz_exists("Europe/Paris/"));
    CHECK(!flux_tz_exists("Europe/Paris "));
    CHECK(!flux_tz_exists("Europe\\Paris"));
    CHECK(!flux_tz_exists(""));
    CHECK(!flux_tz_exists(NULL));
    setenv("TZDIR", sub("tab"), 1);
    CHECK(flux_tz_exists("Europe/Paris"));
    CHECK(!flux_tz_exists("US/Eastern"));
    setenv("TZDIR", "", 1); /* empty means unset */
    bool system_zones = flux_tz_exists("UTC");
    unsetenv("TZDIR");
    CHECK(flux_tz_exists("UTC") == system_zones);

    static const char *const files[] = {
        "zi/Europe/Paris", "zi/America/New_York", "zi/US/Eastern", "zi/UTC", "zi/Etc+1", "zi/localtime",
        "zi/posix/UTC", "zi/Bad/Zone", "zi/Bad/Tiny", "zi/tzdata.zi", "outside", "tab/Europe/Paris",
        "tab/America/New_York", "tab/UTC", "tab/zone1970.tab", "tab/zone.tab", "zi/Europe", "zi/America",
        "zi/US", "zi/Bad", "zi/posix", "zi", "tab/Europe", "tab/America", "tab",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        remove(sub(files[i]));
    rmdir(tmpdir);

    /* the system zoneinfo, when this machine has one */
    if (system_zones && flux_tz_exists("Europe/Paris")) {
        CHECK(flux_tz_exists("America/New_York"));
        CHECK(!flux_tz_exists("Europe/Pari"));
        SUGGEST("europe/paris", "Europe/Paris");
        SUGGEST("Europe/Pari", "Europe/Paris");
        SUGGEST("America/New_Yrok", "America/New_York");
        SUGGEST("asia/tokio", "Asia/Tokyo");
        SUGGEST("Utc", "UTC");
        SUGGEST("Nowhere/At_All_Really", NULL);
    }
}

int main(void)
{
    test_cron();
    test_cron_errors();
    test_presets();
    test_durations();
    test_times();
    test_zones();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
