/* test_timetable — unit tests for lang/time/tz.c (TZif zones, POSIX footers, gap
 * and fold resolution) and the schedule evaluation of lang/time/timetable.c (ticks,
 * runs, DST transitions, month ends, leap days, presets, every, @once, end).
 * Prints one line per failing check and ends with "N passed, N failed". */
#include "schedule.h"
#include "tz.h"
#include "value.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
    printf("test_timetable.c:%d: ", line);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}
#define CHECK(cond) check_at(__LINE__, (cond), "%s", #cond)

/* ---- helpers ------------------------------------------------------------ */

/* ISO text of an instant, from a small ring so several fit in one printf. */
static const char *iso(int64_t ms)
{
    static char ring[8][40];
    static int next;
    char *b = ring[next++ % 8];
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t y;
    unsigned m, d;
    flux_civil_from_days(days, &y, &m, &d);
    snprintf(b, 40, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d, (unsigned)(rem / 3600000),
             (unsigned)(rem / 60000 % 60), (unsigned)(rem / 1000 % 60));
    return b;
}

/* Milliseconds of an ISO time; without a zone, the wall time taken as UTC. */
static int64_t T(const char *text)
{
    int64_t ms;
    if (flux_time_parse(text, &ms, NULL, NULL)) {
        printf("bad time in test: %s\n", text);
        exit(2);
    }
    return ms;
}

static const flux_tz *zone(const char *name)
{
    char err[256] = "";
    const flux_tz *tz = flux_tz_load(name, err, sizeof err);
    if (!tz) {
        printf("cannot load %s: %s\n", name, err);
        exit(2);
    }
    return tz;
}

static void offset_is_at(int line, const flux_tz *tz, const char *when, int32_t off, const char *abbr)
{
    const char *a = NULL;
    int32_t got = flux_tz_offset(tz, T(when) / 1000, &a);
    check_at(line, got == off && a && strcmp(a, abbr) == 0, "%s at %s: got %d %s, want %d %s", flux_tz_name(tz),
             when, got, a ? a : "(null)", off, abbr);
}
#define OFFSET_IS(tz, when, off, abbr) offset_is_at(__LINE__, tz, when, off, abbr)

static const char *kind_name(flux_tz_kind k)
{
    return k == FLUX_TZ_UNIQUE ? "unique" : k == FLUX_TZ_GAP ? "gap" : "fold";
}

/* local: a wall time without zone; want: the UTC instant. */
static void resolve_is_at(int line, const flux_tz *tz, const char *local, flux_tz_kind kind, const char *want)
{
    int64_t u = 0;
    flux_tz_kind k = flux_tz_resolve(tz, T(local) / 1000, &u);
    check_at(line, k == kind && u * 1000 == T(want), "%s resolve %s: got %s %s, want %s %s", flux_tz_name(tz),
             local, kind_name(k), iso(u * 1000), kind_name(kind), want);
}
#define RESOLVE_IS(tz, local, kind, want) resolve_is_at(__LINE__, tz, local, kind, want)

static flux_timetable timetable(const char *sched, const flux_tz *tz, int64_t start, int64_t end)
{
    flux_timetable tt;
    memset(&tt, 0, sizeof tt);
    flux_sched_error err;
    if (flux_schedule_parse(sched, &tt.sched, &err)) {
        printf("bad schedule in test: %s: %s\n", sched, err.msg);
        exit(2);
    }
    tt.tz = tz;
    tt.start_ms = start;
    tt.end_ms = end;
    return tt;
}

/* The runs from start on must be exactly want: "START END" pairs in UTC (each
 * run fires at its END), then no more when the list ends with "-" (there is
 * an end bound), else just those. */
static void runs_are_at(int line, const char *sched, const flux_tz *tz, const char *start, const char *end,
                        const char *const *want, size_t n)
{
    flux_timetable tt = timetable(sched, tz, T(start), end ? T(end) : INT64_MAX);
    flux_interval iv;
    int rc = flux_timetable_first(&tt, &iv);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(want[i], "-") == 0) {
            check_at(line, rc != 0, "'%s' in %s from %s: run %zu should not exist, got [%s, %s)", sched,
                     flux_tz_name(tz), start, i, iso(iv.start_ms), iso(iv.end_ms));
            return;
        }
        char s[32], e[32];
        if (sscanf(want[i], "%31s %31s", s, e) != 2) {
            printf("bad expectation in test: %s\n", want[i]);
            exit(2);
        }
        if (rc != 0) {
            check_at(line, false, "'%s' in %s from %s: run %zu missing, want [%s, %s)", sched, flux_tz_name(tz),
                     start, i, s, e);
            return;
        }
        check_at(line, iv.start_ms == T(s) && iv.end_ms == T(e) && iv.fire_ms == iv.end_ms,
                 "'%s' in %s from %s: run %zu is [%s, %s) firing %s, want [%s, %s)", sched, flux_tz_name(tz), start,
                 i, iso(iv.start_ms), iso(iv.end_ms), iso(iv.fire_ms), s, e);
        flux_interval prev = iv;
        rc = flux_timetable_next(&tt, &prev, &iv);
    }
}
#define RUNS(sched, tz, start, end, ...)                                                                         \
    do {                                                                                                       \
        static const char *const want_[] = {__VA_ARGS__};                                                      \
        runs_are_at(__LINE__, sched, tz, start, end, want_, sizeof want_ / sizeof want_[0]);                   \
    } while (0)

/* flux_timetable_at: want NULL = no run holds t. */
static void at_is_at(int line, const char *sched, const flux_tz *tz, const char *start, const char *end,
                     const char *t, const char *want_s, const char *want_e)
{
    flux_timetable tt = timetable(sched, tz, T(start), end ? T(end) : INT64_MAX);
    flux_interval iv;
    int rc = flux_timetable_at(&tt, T(t), &iv);
    if (!want_s)
        check_at(line, rc != 0, "'%s' at %s: want no run, got [%s, %s)", sched, t, iso(iv.start_ms),
                 iso(iv.end_ms));
    else
        check_at(line, rc == 0 && iv.start_ms == T(want_s) && iv.end_ms == T(want_e) && iv.fire_ms == iv.end_ms,
                 "'%s' at %s: got %s [%s, %s), want [%s, %s)", sched, t, rc ? "none" : "", iso(iv.start_ms),
                 iso(iv.end_ms), want_s, want_e);
}
#define AT_IS(sched, tz, start, end, t, s, e) at_is_at(__LINE__, sched, tz, start, end, t, s, e)

static void tick_after_is_at(int line, const char *sched, const flux_tz *tz, const char *start, const char *t,
                             const char *want)
{
    flux_timetable tt = timetable(sched, tz, T(start), INT64_MAX);
    int64_t tick = 0;
    int rc = flux_timetable_tick_after(&tt, T(t), &tick);
    if (!want)
        check_at(line, rc != 0, "'%s' tick after %s: want none, got %s", sched, t, iso(tick));
    else
        check_at(line, rc == 0 && tick == T(want), "'%s' tick after %s: got %s, want %s", sched, t,
                 rc ? "none" : iso(tick), want);
}
#define TICK_AFTER(sched, tz, start, t, want) tick_after_is_at(__LINE__, sched, tz, start, t, want)

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- TZif files written by hand ----------------------------------------- */

static char tmpdir[64];

typedef struct tzif_type {
    int32_t off;
    int dst;
    int abbr; /* index into chars */
} tzif_type;

static void put32(FILE *f, int64_t v)
{
    uint32_t u = (uint32_t)v;
    unsigned char b[4] = {(unsigned char)(u >> 24), (unsigned char)(u >> 16), (unsigned char)(u >> 8),
                          (unsigned char)u};
    fwrite(b, 1, 4, f);
}

static void put64(FILE *f, int64_t v)
{
    put32(f, (int64_t)((uint64_t)v >> 32));
    put32(f, v);
}

static void put_block(FILE *f, int tsize, size_t ntrans, const int64_t *trans, const unsigned char *idx,
                      size_t ntypes, const tzif_type *types, const char *chars, size_t nchars)
{
    for (size_t i = 0; i < ntrans; i++)
        tsize == 8 ? put64(f, trans[i]) : put32(f, trans[i]);
    if (ntrans) /* fwrite with a NULL buffer is undefined even for 0 bytes */
        fwrite(idx, 1, ntrans, f);
    for (size_t i = 0; i < ntypes; i++) {
        put32(f, types[i].off);
        fputc(types[i].dst, f);
        fputc(types[i].abbr, f);
    }
    fwrite(chars, 1, nchars, f);
}

static void put_header(FILE *f, char version, size_t ntrans, size_t ntypes, size_t nchars)
{
    fwrite("TZif", 1, 4, f);
    fputc(version, f);
    for (int i = 0; i < 15; i++)
        fputc(0, f);
    put32(f, 0); /* isutcnt */
    put32(f, 0); /* isstdcnt */
    put32(f, 0); /* leapcnt */
    put32(f, (int64_t)ntrans);
    put32(f, (int64_t)ntypes);
    put32(f, (int64_t)nchars);
}

/* Writes $tmpdir/Flux/<name>. version 0 writes a version-1 file (no footer). */
static void write_tzif(const char *name, char version, size_t ntrans, const int64_t *trans,
                       const unsigned char *idx, size_t ntypes, const tzif_type *types, const char *chars,
                       size_t nchars, const char *footer)
{
    char path[256];
    snprintf(path, sizeof path, "%s/Flux/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        printf("cannot write %s\n", path);
        exit(2);
    }
    put_header(f, version, ntrans, ntypes, nchars);
    put_block(f, 4, ntrans, trans, idx, ntypes, types, chars, nchars);
    if (version != 0) {
        put_header(f, version, ntrans, ntypes, nchars);
        put_block(f, 8, ntrans, trans, idx, ntypes, types, chars, nchars);
        fprintf(f, "\n%s\n", footer ? footer : "");
    }
    fclose(f);
}

/* A "slim" zone: one type, no transitions, the footer says everything. */
static void write_slim(const char *name, int32_t off, const char *abbr, const char *footer)
{
    tzif_type ty = {off, 0, 0};
    write_tzif(name, '2', 0, NULL, NULL, 1, &ty, abbr, strlen(abbr) + 1, footer);
}

static void write_raw(const char *name, const void *data, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/Flux/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        printf("cannot write %s\n", path);
        exit(2);
    }
    fwrite(data, 1, len, f);
    fclose(f);
}

static void remove_tmpdir(void)
{
    static const char *const names[] = {"SlimParis", "SlimNY",  "SlimLordHowe", "Julian", "ZeroBased",
                                        "Quoted",    "AllYear", "V1",           "Mixed",  "V3",
                                        "Truncated", "BadFoot", "BadIndex",     "NoFooter"};
    char path[256];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/Flux/%s", tmpdir, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/Flux", tmpdir);
    rmdir(path);
    rmdir(tmpdir);
}

/* ---- zones -------------------------------------------------------------- */

static void test_load(void)
{
    char err[256];
    const flux_tz *a = zone("Europe/Paris"), *b = zone("Europe/Paris");
    CHECK(a == b);
    CHECK(strcmp(flux_tz_name(a), "Europe/Paris") == 0);
    err[0] = '\0';
    CHECK(flux_tz_load("Europe/Nowhere", err, sizeof err) == NULL);
    CHECK(strstr(err, "Europe/Nowhere") != NULL);
    CHECK(flux_tz_load("../zoneinfo/UTC", err, sizeof err) == NULL);
    CHECK(flux_tz_load("/usr/share/zoneinfo/UTC", err, sizeof err) == NULL);
    CHECK(flux_tz_load("posix/Europe/Paris", err, sizeof err) == NULL);
    CHECK(flux_tz_load("Europe", err, sizeof err) == NULL); /* a directory */
    CHECK(flux_tz_load("", NULL, 0) == NULL);
}

static void test_offsets(void)
{
    const flux_tz *paris = zone("Europe/Paris"), *ny = zone("America/New_York"), *utc = zone("UTC"),
                  *kolkata = zone("Asia/Kolkata"), *lh = zone("Australia/Lord_Howe");

    OFFSET_IS(paris, "2027-01-15T12:00:00Z", 3600, "CET");
    OFFSET_IS(paris, "2027-03-28T00:59:59Z", 3600, "CET");
    OFFSET_IS(paris, "2027-03-28T01:00:00Z", 7200, "CEST");
    OFFSET_IS(paris, "2027-10-31T00:59:59Z", 7200, "CEST");
    OFFSET_IS(paris, "2027-10-31T01:00:00Z", 3600, "CET");
    OFFSET_IS(paris, "1900-01-01T00:00:00Z", 561, "PMT");
    OFFSET_IS(paris, "1850-01-01T00:00:00Z", 561, "LMT"); /* before the first transition: type 0 */
    /* far future: past the table, the footer rule */
    OFFSET_IS(paris, "2090-03-26T00:59:59Z", 3600, "CET");
    OFFSET_IS(paris, "2090-03-26T01:00:00Z", 7200, "CEST");
    OFFSET_IS(paris, "2090-07-01T00:00:00Z", 7200, "CEST");
    OFFSET_IS(paris, "2090-10-29T00:59:59Z", 7200, "CEST");
    OFFSET_IS(paris, "2090-10-29T01:00:00Z", 3600, "CET");
    OFFSET_IS(paris, "9999-12-31T23:59:59Z", 3600, "CET");

    OFFSET_IS(ny, "2027-03-14T06:59:59Z", -18000, "EST");
    OFFSET_IS(ny, "2027-03-14T07:00:00Z", -14400, "EDT");
    OFFSET_IS(ny, "2027-11-07T05:59:59Z", -14400, "EDT");
    OFFSET_IS(ny, "2027-11-07T06:00:00Z", -18000, "EST");
    OFFSET_IS(ny, "2090-03-12T06:59:59Z", -18000, "EST");
    OFFSET_IS(ny, "2090-03-12T07:00:00Z", -14400, "EDT");
    OFFSET_IS(ny, "2090-11-05T05:59:59Z", -14400, "EDT");
    OFFSET_IS(ny, "2090-11-05T06:00:00Z", -18000, "EST");

    OFFSET_IS(utc, "2027-03-28T01:00:00Z", 0, "UTC");
    OFFSET_IS(utc, "1900-01-01T00:00:00Z", 0, "UTC");
    OFFSET_IS(utc, "2090-07-01T00:00:00Z", 0, "UTC");

    OFFSET_IS(kolkata, "2027-06-01T00:00:00Z", 19800, "IST");
    OFFSET_IS(kolkata, "2090-12-01T00:00:00Z", 19800, "IST");
    OFFSET_IS(kolkata, "1942-09-01T00:00:00Z", 23400, "+0630");

    /* southern hemisphere, DST of 30 minutes */
    OFFSET_IS(lh, "2027-04-03T14:59:59Z", 39600, "+11");
    OFFSET_IS(lh, "2027-04-03T15:00:00Z", 37800, "+1030");
    OFFSET_IS(lh, "2027-10-02T15:29:59Z", 37800, "+1030");
    OFFSET_IS(lh, "2027-10-02T15:30:00Z", 39600, "+11");
    OFFSET_IS(lh, "2090-04-01T14:59:59Z", 39600, "+11");
    OFFSET_IS(lh, "2090-04-01T15:00:00Z", 37800, "+1030");
    OFFSET_IS(lh, "2090-09-30T15:29:59Z", 37800, "+1030");
    OFFSET_IS(lh, "2090-09-30T15:30:00Z", 39600, "+11");
    OFFSET_IS(lh, "2090-12-31T12:00:00Z", 39600, "+11");
}

static void test_resolve(void)
{
    const flux_tz *paris = zone("Europe/Paris"), *ny = zone("America/New_York"), *utc = zone("UTC"),
                  *kolkata = zone("Asia/Kolkata"), *lh = zone("Australia/Lord_Howe");

    /* spans of one offset, walked in order: each starts where the last ended */
    int64_t from = 0, to = 0, from2 = 0, to2 = 0;
    CHECK(flux_tz_period(ny, T("2027-11-07T05:59:59Z") / 1000, &from, &to) == -4 * 3600 &&
          from * 1000 == T("2027-03-14T07:00:00Z") && to * 1000 == T("2027-11-07T06:00:00Z"));
    CHECK(flux_tz_period(ny, to, &from2, &to2) == -5 * 3600 && from2 == to && to2 * 1000 == T("2028-03-12T07:00:00Z"));
    CHECK(flux_tz_period(paris, T("2090-07-01T00:00:00Z") / 1000, &from, &to) == 7200 && /* the footer */
          from * 1000 == T("2090-03-26T01:00:00Z") && to * 1000 == T("2090-10-29T01:00:00Z"));
    CHECK(flux_tz_period(kolkata, T("2027-07-01T00:00:00Z") / 1000, &from, &to) == 19800 && to == INT64_MAX);
    CHECK(flux_tz_period(NULL, 0, &from, &to) == 0 && from == INT64_MIN && to == INT64_MAX);

    RESOLVE_IS(paris, "2027-03-28T01:59:59", FLUX_TZ_UNIQUE, "2027-03-28T00:59:59Z");
    RESOLVE_IS(paris, "2027-03-28T02:00:00", FLUX_TZ_GAP, "2027-03-28T01:00:00Z");
    RESOLVE_IS(paris, "2027-03-28T02:30:00", FLUX_TZ_GAP, "2027-03-28T01:00:00Z");
    RESOLVE_IS(paris, "2027-03-28T02:59:59", FLUX_TZ_GAP, "2027-03-28T01:00:00Z");
    RESOLVE_IS(paris, "2027-03-28T03:00:00", FLUX_TZ_UNIQUE, "2027-03-28T01:00:00Z");
    RESOLVE_IS(paris, "2027-10-31T01:59:59", FLUX_TZ_UNIQUE, "2027-10-30T23:59:59Z");
    RESOLVE_IS(paris, "2027-10-31T02:00:00", FLUX_TZ_FOLD, "2027-10-31T00:00:00Z");
    RESOLVE_IS(paris, "2027-10-31T02:30:00", FLUX_TZ_FOLD, "2027-10-31T00:30:00Z");
    RESOLVE_IS(paris, "2027-10-31T02:59:59", FLUX_TZ_FOLD, "2027-10-31T00:59:59Z");
    RESOLVE_IS(paris, "2027-10-31T03:00:00", FLUX_TZ_UNIQUE, "2027-10-31T02:00:00Z");
    RESOLVE_IS(paris, "2027-07-14T12:00:00", FLUX_TZ_UNIQUE, "2027-07-14T10:00:00Z");
    RESOLVE_IS(paris, "2090-03-26T02:30:00", FLUX_TZ_GAP, "2090-03-26T01:00:00Z");
    RESOLVE_IS(paris, "2090-10-29T02:30:00", FLUX_TZ_FOLD, "2090-10-29T00:30:00Z");
    RESOLVE_IS(paris, "2090-10-29T03:00:00", FLUX_TZ_UNIQUE, "2090-10-29T02:00:00Z");

    RESOLVE_IS(ny, "2027-03-14T02:30:00", FLUX_TZ_GAP, "2027-03-14T07:00:00Z");
    RESOLVE_IS(ny, "2027-03-14T03:00:00", FLUX_TZ_UNIQUE, "2027-03-14T07:00:00Z");
    RESOLVE_IS(ny, "2027-03-14T01:59:00", FLUX_TZ_UNIQUE, "2027-03-14T06:59:00Z");
    RESOLVE_IS(ny, "2027-11-07T01:00:00", FLUX_TZ_FOLD, "2027-11-07T05:00:00Z");
    RESOLVE_IS(ny, "2027-11-07T01:30:00", FLUX_TZ_FOLD, "2027-11-07T05:30:00Z");
    RESOLVE_IS(ny, "2027-11-07T02:00:00", FLUX_TZ_UNIQUE, "2027-11-07T07:00:00Z");
    RESOLVE_IS(ny, "2027-11-07T00:59:00", FLUX_TZ_UNIQUE, "2027-11-07T04:59:00Z");

    RESOLVE_IS(utc, "2027-03-28T02:30:00", FLUX_TZ_UNIQUE, "2027-03-28T02:30:00Z");
    RESOLVE_IS(kolkata, "2027-03-28T02:30:00", FLUX_TZ_UNIQUE, "2027-03-27T21:00:00Z");

    /* Lord Howe: the gap and the fold are 30 minutes */
    RESOLVE_IS(lh, "2027-10-03T02:00:00", FLUX_TZ_GAP, "2027-10-02T15:30:00Z");
    RESOLVE_IS(lh, "2027-10-03T02:15:00", FLUX_TZ_GAP, "2027-10-02T15:30:00Z");
    RESOLVE_IS(lh, "2027-10-03T02:30:00", FLUX_TZ_UNIQUE, "2027-10-02T15:30:00Z");
    RESOLVE_IS(lh, "2027-04-04T01:30:00", FLUX_TZ_FOLD, "2027-04-03T14:30:00Z");
    RESOLVE_IS(lh, "2027-04-04T01:45:00", FLUX_TZ_FOLD, "2027-04-03T14:45:00Z");
    RESOLVE_IS(lh, "2027-04-04T02:00:00", FLUX_TZ_UNIQUE, "2027-04-03T15:30:00Z");
    RESOLVE_IS(lh, "2090-10-01T02:10:00", FLUX_TZ_GAP, "2090-09-30T15:30:00Z");
    RESOLVE_IS(lh, "2090-04-02T01:40:00", FLUX_TZ_FOLD, "2090-04-01T14:40:00Z");

    int64_t u = 0;
    CHECK(flux_tz_resolve(paris, T("2027-03-28T02:30:00") / 1000, NULL) == FLUX_TZ_GAP);
    CHECK(flux_tz_resolve(NULL, 1234, &u) == FLUX_TZ_UNIQUE && u == 1234); /* no zone: UTC */
}

/* Every instant of a year through the table and through a footer that should
 * say the same: a slim file must behave exactly like the fat one. */
static void same_offsets(int line, const flux_tz *a, const flux_tz *b, const char *from, const char *to)
{
    int bad = 0;
    for (int64_t t = T(from) / 1000; t < T(to) / 1000 && bad < 3; t += 1800) {
        const char *aa, *ba;
        int32_t ao = flux_tz_offset(a, t, &aa), bo = flux_tz_offset(b, t, &ba);
        int64_t au, bu;
        flux_tz_kind ak = flux_tz_resolve(a, t, &au), bk = flux_tz_resolve(b, t, &bu);
        if (ao != bo || strcmp(aa, ba) != 0 || ak != bk || au != bu) {
            bad++;
            check_at(line, false, "%s and %s differ at %s: %d %s vs %d %s, resolve %s %s vs %s %s", flux_tz_name(a),
                     flux_tz_name(b), iso(t * 1000), ao, aa, bo, ba, kind_name(ak), iso(au * 1000), kind_name(bk),
                     iso(bu * 1000));
        }
    }
    if (!bad)
        passed++;
}

static void test_footers(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/flux-tz-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        printf("mkdtemp failed\n");
        exit(2);
    }
    atexit(remove_tmpdir); /* also when a helper exits early */
    char dir[128];
    snprintf(dir, sizeof dir, "%s/Flux", tmpdir);
    mkdir(dir, 0700);
    /* load the real zones before TZDIR moves: the cache is by name */
    const flux_tz *paris = zone("Europe/Paris"), *ny = zone("America/New_York"), *lh = zone("Australia/Lord_Howe");
    setenv("TZDIR", tmpdir, 1);

    write_slim("SlimParis", 3600, "CET", "CET-1CEST,M3.5.0,M10.5.0/3");
    write_slim("SlimNY", -18000, "EST", "EST5EDT,M3.2.0,M11.1.0");
    write_slim("SlimLordHowe", 37800, "+1030", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
    const flux_tz *sp = zone("Flux/SlimParis"), *sn = zone("Flux/SlimNY"), *sl = zone("Flux/SlimLordHowe");
    same_offsets(__LINE__, paris, sp, "2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z");
    same_offsets(__LINE__, paris, sp, "2089-12-01T00:00:00Z", "2091-01-01T00:00:00Z");
    same_offsets(__LINE__, ny, sn, "2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z");
    same_offsets(__LINE__, lh, sl, "2026-06-01T00:00:00Z", "2028-06-01T00:00:00Z");
    RESOLVE_IS(sp, "2027-03-28T02:30:00", FLUX_TZ_GAP, "2027-03-28T01:00:00Z");
    RESOLVE_IS(sp, "2027-10-31T02:30:00", FLUX_TZ_FOLD, "2027-10-31T00:30:00Z");
    RESOLVE_IS(sl, "2027-10-03T02:15:00", FLUX_TZ_GAP, "2027-10-02T15:30:00Z");
    /* a slim zone schedules like the fat one */
    RUNS("0 2 * * *", sp, "2027-03-27T00:00:00Z", NULL, "2027-03-27T01:00:00Z 2027-03-28T01:00:00Z",
         "2027-03-28T01:00:00Z 2027-03-29T00:00:00Z");

    /* Jn: 1-based, Feb 29 never counted, so J60 is March 1 even in 2028 */
    write_slim("Julian", -10800, "AAA", "AAA3BBB,J60/2,J300/2");
    const flux_tz *jn = zone("Flux/Julian");
    OFFSET_IS(jn, "2028-03-01T04:59:59Z", -10800, "AAA");
    OFFSET_IS(jn, "2028-03-01T05:00:00Z", -7200, "BBB");
    OFFSET_IS(jn, "2027-03-01T05:00:00Z", -7200, "BBB");
    OFFSET_IS(jn, "2028-10-27T03:59:59Z", -7200, "BBB");
    OFFSET_IS(jn, "2028-10-27T04:00:00Z", -10800, "AAA");

    /* n: 0-based, Feb 29 counted: day 59 is Feb 29 in 2028, March 1 in 2027 */
    write_slim("ZeroBased", -10800, "AAA", "AAA3BBB,59/2,299/2");
    const flux_tz *zb = zone("Flux/ZeroBased");
    OFFSET_IS(zb, "2028-02-29T04:59:59Z", -10800, "AAA");
    OFFSET_IS(zb, "2028-02-29T05:00:00Z", -7200, "BBB");
    OFFSET_IS(zb, "2027-03-01T04:59:59Z", -10800, "AAA");
    OFFSET_IS(zb, "2027-03-01T05:00:00Z", -7200, "BBB");
    OFFSET_IS(zb, "2028-10-26T03:59:59Z", -7200, "BBB");
    OFFSET_IS(zb, "2028-10-26T04:00:00Z", -10800, "AAA");
    OFFSET_IS(zb, "2027-10-27T04:00:00Z", -10800, "AAA");

    /* quoted abbreviation, no DST */
    write_slim("Quoted", 10800, "+03", "<+03>-3");
    const flux_tz *q = zone("Flux/Quoted");
    OFFSET_IS(q, "2027-06-01T00:00:00Z", 10800, "+03");
    OFFSET_IS(q, "1900-06-01T00:00:00Z", 10800, "+03");
    RESOLVE_IS(q, "2027-03-28T02:30:00", FLUX_TZ_UNIQUE, "2027-03-27T23:30:00Z");

    /* DST all year: the end of one year's DST meets the next one's start */
    write_slim("AllYear", -14400, "EDT", "EST5EDT,0/0,J365/25");
    const flux_tz *ay = zone("Flux/AllYear");
    OFFSET_IS(ay, "2030-01-01T00:00:00Z", -14400, "EDT");
    OFFSET_IS(ay, "2030-06-01T00:00:00Z", -14400, "EDT");
    OFFSET_IS(ay, "2030-12-31T23:59:59Z", -14400, "EDT");
    OFFSET_IS(ay, "2031-01-01T04:59:59Z", -14400, "EDT");
    OFFSET_IS(ay, "2031-01-01T05:00:00Z", -14400, "EDT");
    RESOLVE_IS(ay, "2031-01-01T00:30:00", FLUX_TZ_UNIQUE, "2031-01-01T04:30:00Z");

    /* version 1: 32-bit data only, no footer; type 0 before the first transition */
    {
        tzif_type types[2] = {{0, 0, 0}, {3600, 1, 4}};
        int64_t trans[2] = {1000000000, 1100000000};
        unsigned char idx[2] = {1, 0};
        write_tzif("V1", 0, 2, trans, idx, 2, types, "ZRO\0ONE", 8, NULL);
        const flux_tz *v1 = zone("Flux/V1");
        OFFSET_IS(v1, "2001-01-01T00:00:00Z", 0, "ZRO");
        OFFSET_IS(v1, "2001-09-09T01:46:40Z", 3600, "ONE");
        OFFSET_IS(v1, "2004-11-09T11:33:19Z", 3600, "ONE");
        OFFSET_IS(v1, "2004-11-09T11:33:20Z", 0, "ZRO");
        OFFSET_IS(v1, "2090-01-01T00:00:00Z", 0, "ZRO");
        /* the transition back at 1100000000 repeats an hour */
        RESOLVE_IS(v1, "2004-11-09T12:00:00", FLUX_TZ_FOLD, "2004-11-09T11:00:00Z");
        RESOLVE_IS(v1, "2001-09-09T02:00:00", FLUX_TZ_GAP, "2001-09-09T01:46:40Z");
    }

    /* a table for 2026, the footer after it; version 3 */
    {
        tzif_type types[2] = {{3600, 0, 0}, {7200, 1, 4}};
        int64_t trans[2] = {T("2026-03-29T01:00:00Z") / 1000, T("2026-10-25T01:00:00Z") / 1000};
        unsigned char idx[2] = {1, 0};
        write_tzif("Mixed", '2', 2, trans, idx, 2, types, "CET\0CEST", 9, "CET-1CEST,M3.5.0,M10.5.0/3");
        write_tzif("V3", '3', 2, trans, idx, 2, types, "CET\0CEST", 9, "CET-1CEST,M3.5.0,M10.5.0/3");
        const flux_tz *mx = zone("Flux/Mixed"), *v3 = zone("Flux/V3");
        same_offsets(__LINE__, paris, mx, "2026-01-01T00:00:00Z", "2029-01-01T00:00:00Z");
        same_offsets(__LINE__, paris, v3, "2026-01-01T00:00:00Z", "2029-01-01T00:00:00Z");
        /* a v2 file without a footer: the last type holds on */
        write_tzif("NoFooter", '2', 2, trans, idx, 2, types, "CET\0CEST", 9, "");
        const flux_tz *nf = zone("Flux/NoFooter");
        OFFSET_IS(nf, "2027-07-01T00:00:00Z", 3600, "CET");
    }

    /* malformed files are refused with a reason */
    {
        char err[256] = "";
        write_raw("Truncated", "TZif2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1\0\0\0\4",
                  44);
        CHECK(flux_tz_load("Flux/Truncated", err, sizeof err) == NULL);
        CHECK(strstr(err, "malformed") != NULL);
        write_slim("BadFoot", 3600, "CET", "CET-1CEST,M13.5.0,M10.5.0/3");
        err[0] = '\0';
        CHECK(flux_tz_load("Flux/BadFoot", err, sizeof err) == NULL);
        CHECK(strstr(err, "footer") != NULL);
        tzif_type ty = {0, 0, 0};
        int64_t trans[1] = {1000};
        unsigned char idx[1] = {3};
        write_tzif("BadIndex", '2', 1, trans, idx, 1, &ty, "UTC", 4, "UTC0");
        CHECK(flux_tz_load("Flux/BadIndex", NULL, 0) == NULL);
    }

    unsetenv("TZDIR");
}

/* ---- schedules across DST ----------------------------------------------- */

static void test_dst_paris(void)
{
    const flux_tz *p = zone("Europe/Paris");
    /* spring forward 2027-03-28: 02:00 CET -> 03:00 CEST at 01:00Z */
    RUNS("0 * * * *", p, "2027-03-27T23:00:00Z", NULL, /* 00:00 local */
         "2027-03-27T23:00:00Z 2027-03-28T00:00:00Z",  /* 00:00 - 01:00 */
         "2027-03-28T00:00:00Z 2027-03-28T01:00:00Z",  /* 01:00 - 03:00 (02:00 does not exist) */
         "2027-03-28T01:00:00Z 2027-03-28T02:00:00Z",  /* 03:00 - 04:00 */
         "2027-03-28T02:00:00Z 2027-03-28T03:00:00Z");
    RUNS("30 2 * * *", p, "2027-03-26T00:00:00Z", NULL,
         "2027-03-26T01:30:00Z 2027-03-27T01:30:00Z",
         "2027-03-27T01:30:00Z 2027-03-28T01:00:00Z",  /* 02:30 is in the gap: at 03:00 CEST */
         "2027-03-28T01:00:00Z 2027-03-29T00:30:00Z",
         "2027-03-29T00:30:00Z 2027-03-30T00:30:00Z");
    /* the acceptance case: one run that day, firing at 03:00 local */
    RUNS("0 2 * * *", p, "2027-03-27T00:00:00Z", NULL,
         "2027-03-27T01:00:00Z 2027-03-28T01:00:00Z",
         "2027-03-28T01:00:00Z 2027-03-29T00:00:00Z");
    RUNS("*/15 * * * *", p, "2027-03-28T00:30:00Z", NULL,  /* 01:30 local */
         "2027-03-28T00:30:00Z 2027-03-28T00:45:00Z",
         "2027-03-28T00:45:00Z 2027-03-28T01:00:00Z",      /* 01:45 - 03:00 */
         "2027-03-28T01:00:00Z 2027-03-28T01:15:00Z",      /* 02:00..02:45 and 03:00 are one tick */
         "2027-03-28T01:15:00Z 2027-03-28T01:30:00Z");

    /* fall back 2027-10-31: 03:00 CEST -> 02:00 CET at 01:00Z; 02:xx happens twice.
     * A schedule that runs every hour runs in both passes: equal intervals */
    RUNS("0 * * * *", p, "2027-10-30T22:00:00Z", NULL,
         "2027-10-30T22:00:00Z 2027-10-30T23:00:00Z",
         "2027-10-30T23:00:00Z 2027-10-31T00:00:00Z",
         "2027-10-31T00:00:00Z 2027-10-31T01:00:00Z",  /* 02:00 CEST - 02:00 CET */
         "2027-10-31T01:00:00Z 2027-10-31T02:00:00Z",  /* 02:00 CET - 03:00 CET */
         "2027-10-31T02:00:00Z 2027-10-31T03:00:00Z");
    RUNS("30 2 * * *", p, "2027-10-29T00:00:00Z", NULL,
         "2027-10-29T00:30:00Z 2027-10-30T00:30:00Z",
         "2027-10-30T00:30:00Z 2027-10-31T00:30:00Z",  /* the first 02:30 */
         "2027-10-31T00:30:00Z 2027-11-01T01:30:00Z",
         "2027-11-01T01:30:00Z 2027-11-02T01:30:00Z");
    RUNS("*/15 * * * *", p, "2027-10-30T23:45:00Z", NULL,
         "2027-10-30T23:45:00Z 2027-10-31T00:00:00Z",
         "2027-10-31T00:00:00Z 2027-10-31T00:15:00Z",
         "2027-10-31T00:15:00Z 2027-10-31T00:30:00Z",
         "2027-10-31T00:30:00Z 2027-10-31T00:45:00Z",
         "2027-10-31T00:45:00Z 2027-10-31T01:00:00Z",  /* 02:45 CEST - 02:00 CET */
         "2027-10-31T01:00:00Z 2027-10-31T01:15:00Z",  /* the second 02:00-02:45 ticks too */
         "2027-10-31T01:15:00Z 2027-10-31T01:30:00Z",
         "2027-10-31T01:30:00Z 2027-10-31T01:45:00Z",
         "2027-10-31T01:45:00Z 2027-10-31T02:00:00Z",
         "2027-10-31T02:00:00Z 2027-10-31T02:15:00Z");
    RUNS("0 2 * * *", p, "2027-10-30T00:00:00Z", NULL,
         "2027-10-30T00:00:00Z 2027-10-31T00:00:00Z",
         "2027-10-31T00:00:00Z 2027-11-01T01:00:00Z");
    /* the same through the footer, in 2090 */
    RUNS("0 2 * * *", p, "2090-03-25T00:00:00Z", NULL,
         "2090-03-25T01:00:00Z 2090-03-26T01:00:00Z",
         "2090-03-26T01:00:00Z 2090-03-27T00:00:00Z");
    RUNS("0 * * * *", p, "2090-10-28T23:00:00Z", NULL,
         "2090-10-28T23:00:00Z 2090-10-29T00:00:00Z",
         "2090-10-29T00:00:00Z 2090-10-29T01:00:00Z",
         "2090-10-29T01:00:00Z 2090-10-29T02:00:00Z",
         "2090-10-29T02:00:00Z 2090-10-29T03:00:00Z");
}

static void test_dst_new_york(void)
{
    const flux_tz *ny = zone("America/New_York");
    /* spring forward 2027-03-14: 02:00 EST -> 03:00 EDT at 07:00Z */
    RUNS("0 * * * *", ny, "2027-03-14T05:00:00Z", NULL,
         "2027-03-14T05:00:00Z 2027-03-14T06:00:00Z",
         "2027-03-14T06:00:00Z 2027-03-14T07:00:00Z",  /* 01:00 EST - 03:00 EDT */
         "2027-03-14T07:00:00Z 2027-03-14T08:00:00Z");
    RUNS("30 2 * * *", ny, "2027-03-12T12:00:00Z", NULL,
         "2027-03-13T07:30:00Z 2027-03-14T07:00:00Z",
         "2027-03-14T07:00:00Z 2027-03-15T06:30:00Z",
         "2027-03-15T06:30:00Z 2027-03-16T06:30:00Z");
    RUNS("*/15 * * * *", ny, "2027-03-14T06:30:00Z", NULL,
         "2027-03-14T06:30:00Z 2027-03-14T06:45:00Z",
         "2027-03-14T06:45:00Z 2027-03-14T07:00:00Z",
         "2027-03-14T07:00:00Z 2027-03-14T07:15:00Z",
         "2027-03-14T07:15:00Z 2027-03-14T07:30:00Z");
    /* fall back 2027-11-07: 02:00 EDT -> 01:00 EST at 06:00Z; 01:xx happens twice */
    RUNS("0 * * * *", ny, "2027-11-07T03:00:00Z", NULL,
         "2027-11-07T03:00:00Z 2027-11-07T04:00:00Z",
         "2027-11-07T04:00:00Z 2027-11-07T05:00:00Z",
         "2027-11-07T05:00:00Z 2027-11-07T06:00:00Z",  /* 01:00 EDT - 01:00 EST */
         "2027-11-07T06:00:00Z 2027-11-07T07:00:00Z",  /* 01:00 EST - 02:00 EST */
         "2027-11-07T07:00:00Z 2027-11-07T08:00:00Z");
    RUNS("30 * * * *", ny, "2027-11-07T04:30:00Z", NULL,
         "2027-11-07T04:30:00Z 2027-11-07T05:30:00Z",  /* 00:30 EDT - 01:30 EDT */
         "2027-11-07T05:30:00Z 2027-11-07T06:30:00Z",  /* 01:30 EDT - 01:30 EST */
         "2027-11-07T06:30:00Z 2027-11-07T07:30:00Z");
    RUNS("@hourly", ny, "2027-11-07T05:00:00Z", NULL,
         "2027-11-07T05:00:00Z 2027-11-07T06:00:00Z",
         "2027-11-07T06:00:00Z 2027-11-07T07:00:00Z");
    RUNS("15 0-23 * * *", ny, "2027-11-07T05:15:00Z", NULL, /* every hour, written as a range */
         "2027-11-07T05:15:00Z 2027-11-07T06:15:00Z",
         "2027-11-07T06:15:00Z 2027-11-07T07:15:00Z");
    /* a fixed hour keeps the rule: a repeated wall time runs once, at its first pass */
    RUNS("0 */2 * * *", ny, "2027-11-07T03:00:00Z", NULL,
         "2027-11-07T04:00:00Z 2027-11-07T07:00:00Z",  /* 00:00 EDT - 02:00 EST, three hours */
         "2027-11-07T07:00:00Z 2027-11-07T09:00:00Z");
    RUNS("0,30 1 * * *", ny, "2027-11-07T04:00:00Z", NULL,
         "2027-11-07T05:00:00Z 2027-11-07T05:30:00Z",  /* the first 01:00 and 01:30 */
         "2027-11-07T05:30:00Z 2027-11-08T06:00:00Z");
    RUNS("30 2 * * *", ny, "2027-11-05T12:00:00Z", NULL,
         "2027-11-06T06:30:00Z 2027-11-07T07:30:00Z",  /* 25 hours */
         "2027-11-07T07:30:00Z 2027-11-08T07:30:00Z");
    RUNS("30 1 * * *", ny, "2027-11-06T00:00:00Z", NULL,
         "2027-11-06T05:30:00Z 2027-11-07T05:30:00Z",  /* the first 01:30 */
         "2027-11-07T05:30:00Z 2027-11-08T06:30:00Z");
    RUNS("*/15 * * * *", ny, "2027-11-07T04:45:00Z", NULL,
         "2027-11-07T04:45:00Z 2027-11-07T05:00:00Z",
         "2027-11-07T05:00:00Z 2027-11-07T05:15:00Z",
         "2027-11-07T05:15:00Z 2027-11-07T05:30:00Z",
         "2027-11-07T05:30:00Z 2027-11-07T05:45:00Z",
         "2027-11-07T05:45:00Z 2027-11-07T06:00:00Z",  /* 01:45 EDT - 01:00 EST */
         "2027-11-07T06:00:00Z 2027-11-07T06:15:00Z",
         "2027-11-07T06:15:00Z 2027-11-07T06:30:00Z",
         "2027-11-07T06:30:00Z 2027-11-07T06:45:00Z",
         "2027-11-07T06:45:00Z 2027-11-07T07:00:00Z",
         "2027-11-07T07:00:00Z 2027-11-07T07:15:00Z");
    /* a wall time in the spring gap is taken at the offset before it, an hour
     * later: 02:30 EST does not exist and is 03:30 EDT, so no half-hour run */
    RUNS("30 * * * *", ny, "2027-03-14T05:30:00Z", NULL,
         "2027-03-14T05:30:00Z 2027-03-14T06:30:00Z",
         "2027-03-14T06:30:00Z 2027-03-14T07:30:00Z",  /* 01:30 EST - 03:30 EDT */
         "2027-03-14T07:30:00Z 2027-03-14T08:30:00Z");
    RUNS("20,40 * * * *", ny, "2027-03-14T06:40:00Z", NULL,
         "2027-03-14T06:40:00Z 2027-03-14T07:20:00Z",  /* 01:40 EST - 03:20 EDT */
         "2027-03-14T07:20:00Z 2027-03-14T07:40:00Z");

    /* a time in the second pass of the fold belongs to a run of the second pass */
    AT_IS("0 * * * *", ny, "2027-11-01T00:00:00Z", NULL, "2027-11-07T06:10:00Z", "2027-11-07T06:00:00Z",
          "2027-11-07T07:00:00Z");
    AT_IS("0 * * * *", ny, "2027-11-01T00:00:00Z", NULL, "2027-11-07T05:59:59Z", "2027-11-07T05:00:00Z",
          "2027-11-07T06:00:00Z");
    AT_IS("*/15 * * * *", ny, "2027-11-01T00:00:00Z", NULL, "2027-11-07T06:59:59Z", "2027-11-07T06:45:00Z",
          "2027-11-07T07:00:00Z");
    AT_IS("30 1 * * *", ny, "2027-11-01T00:00:00Z", NULL, "2027-11-07T06:40:00Z", "2027-11-07T05:30:00Z",
          "2027-11-08T06:30:00Z");
    TICK_AFTER("*/15 * * * *", ny, "2027-11-01T00:00:00Z", "2027-11-07T06:10:00Z", "2027-11-07T06:15:00Z");
    TICK_AFTER("*/15 * * * *", ny, "2027-11-01T00:00:00Z", "2027-11-07T05:45:00Z", "2027-11-07T06:00:00Z");
    TICK_AFTER("0 * * * *", ny, "2027-11-01T00:00:00Z", "2027-11-07T05:59:59Z", "2027-11-07T06:00:00Z");
    TICK_AFTER("30 1 * * *", ny, "2027-11-01T00:00:00Z", "2027-11-07T05:30:00Z", "2027-11-08T06:30:00Z");
    /* from inside the fold's second pass, a fixed hour waits for the next day */
    TICK_AFTER("45 1 * * *", ny, "2027-11-01T00:00:00Z", "2027-11-07T06:30:00Z", "2027-11-08T06:45:00Z");
    /* from inside the gap hour of spring */
    TICK_AFTER("0 * * * *", ny, "2027-03-01T00:00:00Z", "2027-03-14T06:59:59Z", "2027-03-14T07:00:00Z");
    TICK_AFTER("0 * * * *", ny, "2027-03-01T00:00:00Z", "2027-03-14T07:00:00Z", "2027-03-14T08:00:00Z");
}

static void test_dst_other(void)
{
    const flux_tz *lh = zone("Australia/Lord_Howe"), *kolkata = zone("Asia/Kolkata");
    /* Lord Howe 2027-10-03: 02:00 -> 02:30; 02:00 and 02:15 collapse onto 02:30 */
    RUNS("*/15 * * * *", lh, "2027-10-02T15:00:00Z", NULL,
         "2027-10-02T15:00:00Z 2027-10-02T15:15:00Z",  /* 01:30 - 01:45 */
         "2027-10-02T15:15:00Z 2027-10-02T15:30:00Z",
         "2027-10-02T15:30:00Z 2027-10-02T15:45:00Z",  /* 02:30 - 02:45 */
         "2027-10-02T15:45:00Z 2027-10-02T16:00:00Z");
    /* and 2027-04-04: 02:00 -> 01:30; 01:30 and 01:45 repeat, and run twice */
    RUNS("*/15 * * * *", lh, "2027-04-03T14:15:00Z", NULL,
         "2027-04-03T14:15:00Z 2027-04-03T14:30:00Z",
         "2027-04-03T14:30:00Z 2027-04-03T14:45:00Z",
         "2027-04-03T14:45:00Z 2027-04-03T15:00:00Z",  /* 01:45 (+11) - 01:30 (+10:30) */
         "2027-04-03T15:00:00Z 2027-04-03T15:15:00Z",
         "2027-04-03T15:15:00Z 2027-04-03T15:30:00Z",  /* 01:45 (+10:30) - 02:00 (+10:30) */
         "2027-04-03T15:30:00Z 2027-04-03T15:45:00Z");
    /* on the hour: the half-hour gap moves 02:00 to 02:30 */
    RUNS("0 * * * *", lh, "2027-10-02T14:30:00Z", NULL,
         "2027-10-02T14:30:00Z 2027-10-02T15:30:00Z",  /* 01:00 (+10:30) - 02:30 (+11) */
         "2027-10-02T15:30:00Z 2027-10-02T16:00:00Z",  /* 02:30 - 03:00 */
         "2027-10-02T16:00:00Z 2027-10-02T17:00:00Z");
    /* half-hour offset, no DST */
    RUNS("0 0 * * *", kolkata, "2027-01-01T00:00:00Z", NULL,
         "2027-01-01T18:30:00Z 2027-01-02T18:30:00Z");
}

/* Schedules that run every hour keep equal intervals all year, through both
 * changes of offset, in zones that move by one hour: each interval is the
 * schedule's step of absolute time, the spring day has 23 hours of runs and
 * the fall day 25. The local days are counted from local midnight to the
 * next. */
static void test_equal_intervals(void)
{
    static const struct {
        const char *zone, *spring, *spring_next, *fall, *fall_next;
    } zs[] = {
        {"America/New_York", "2027-03-14T05:00:00Z", "2027-03-15T04:00:00Z", "2027-11-07T04:00:00Z",
         "2027-11-08T05:00:00Z"},
        {"Europe/Berlin", "2027-03-27T23:00:00Z", "2027-03-28T22:00:00Z", "2027-10-30T22:00:00Z",
         "2027-10-31T23:00:00Z"},
    };
    static const struct {
        const char *sched;
        int64_t step_ms;
    } ss[] = {{"@hourly", 3600000}, {"0 * * * *", 3600000}, {"*/15 * * * *", 900000}, {"30 * * * *", 3600000},
              {"5,35 */1 * * *", 1800000}, {"* * * * *", 60000}};
    for (size_t z = 0; z < sizeof zs / sizeof *zs; z++)
        for (size_t k = 0; k < sizeof ss / sizeof *ss; k++) {
            flux_timetable tt = timetable(ss[k].sched, zone(zs[z].zone), T("2027-01-01T00:00:00Z"), INT64_MAX);
            flux_interval iv, prev;
            int unequal = 0, spring = 0, fall = 0;
            if (flux_timetable_first(&tt, &iv))
                unequal++;
            while (!unequal && iv.start_ms < T("2028-01-01T00:00:00Z")) {
                if (iv.end_ms - iv.start_ms != ss[k].step_ms)
                    unequal++;
                spring += iv.start_ms >= T(zs[z].spring) && iv.start_ms < T(zs[z].spring_next);
                fall += iv.start_ms >= T(zs[z].fall) && iv.start_ms < T(zs[z].fall_next);
                prev = iv;
                if (flux_timetable_next(&tt, &prev, &iv))
                    unequal++;
            }
            int per_hour = (int)(3600000 / ss[k].step_ms);
            check_at(__LINE__, unequal == 0, "'%s' in %s: an interval is not %lld ms: [%s, %s)", ss[k].sched,
                     zs[z].zone, (long long)ss[k].step_ms, iso(prev.start_ms), iso(prev.end_ms));
            check_at(__LINE__, spring == 23 * per_hour && fall == 25 * per_hour,
                     "'%s' in %s: %d runs on the spring day (want %d), %d on the fall day (want %d)", ss[k].sched,
                     zs[z].zone, spring, 23 * per_hour, fall, 25 * per_hour);
        }
    /* a fixed hour: the repeated 01:30 runs once, and the fall day has one run */
    flux_timetable tt = timetable("30 1 * * *", zone("America/New_York"), T("2027-11-01T00:00:00Z"), INT64_MAX);
    flux_interval iv;
    int n = 0;
    for (int rc = flux_timetable_first(&tt, &iv); rc == 0 && iv.start_ms < T("2027-11-08T05:00:00Z");
         rc = flux_timetable_next(&tt, &iv, &iv))
        n += iv.start_ms >= T("2027-11-07T04:00:00Z");
    check_at(__LINE__, n == 1, "'30 1 * * *' on the fall day in New York: %d runs, want 1", n);
}

/* ---- calendar ------------------------------------------------------------ */

static void test_calendar(void)
{
    const flux_tz *utc = zone("UTC"), *paris = zone("Europe/Paris");

    /* the 31st: only months that have one */
    RUNS("0 0 31 * *", utc, "2027-01-01T00:00:00Z", NULL,
         "2027-01-31T00:00:00Z 2027-03-31T00:00:00Z",
         "2027-03-31T00:00:00Z 2027-05-31T00:00:00Z",
         "2027-05-31T00:00:00Z 2027-07-31T00:00:00Z",
         "2027-07-31T00:00:00Z 2027-08-31T00:00:00Z",
         "2027-08-31T00:00:00Z 2027-10-31T00:00:00Z",
         "2027-10-31T00:00:00Z 2027-12-31T00:00:00Z",
         "2027-12-31T00:00:00Z 2028-01-31T00:00:00Z");
    RUNS("0 0 30 * *", utc, "2028-01-01T00:00:00Z", NULL, /* no February */
         "2028-01-30T00:00:00Z 2028-03-30T00:00:00Z");
    /* leap days */
    RUNS("0 0 29 2 *", utc, "2027-01-01T00:00:00Z", NULL,
         "2028-02-29T00:00:00Z 2032-02-29T00:00:00Z",
         "2032-02-29T00:00:00Z 2036-02-29T00:00:00Z");
    TICK_AFTER("0 0 29 2 *", utc, "2027-01-01T00:00:00Z", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z");
    TICK_AFTER("0 0 29 2 *", utc, "2027-01-01T00:00:00Z", "2399-03-01T00:00:00Z", "2400-02-29T00:00:00Z");
    RUNS("0 12 28-29 2 *", paris, "2027-01-01T00:00:00Z", NULL,
         "2027-02-28T11:00:00Z 2028-02-28T11:00:00Z",
         "2028-02-28T11:00:00Z 2028-02-29T11:00:00Z",
         "2028-02-29T11:00:00Z 2029-02-28T11:00:00Z");
    /* presets, in Paris local time */
    RUNS("@monthly", paris, "2027-01-15T00:00:00Z", NULL,
         "2027-01-31T23:00:00Z 2027-02-28T23:00:00Z",
         "2027-02-28T23:00:00Z 2027-03-31T22:00:00Z",  /* March 31st 00:00 CEST */
         "2027-03-31T22:00:00Z 2027-04-30T22:00:00Z");
    RUNS("@weekly", utc, "2027-01-01T00:00:00Z", NULL, /* Friday; Sundays follow */
         "2027-01-03T00:00:00Z 2027-01-10T00:00:00Z",
         "2027-01-10T00:00:00Z 2027-01-17T00:00:00Z");
    RUNS("@yearly", utc, "2027-06-01T00:00:00Z", NULL,
         "2028-01-01T00:00:00Z 2029-01-01T00:00:00Z");
    RUNS("@daily", paris, "2027-03-27T00:00:00Z", NULL,
         "2027-03-27T23:00:00Z 2027-03-28T22:00:00Z",  /* a 23-hour day */
         "2027-03-28T22:00:00Z 2027-03-29T22:00:00Z");
    RUNS("@hourly", utc, "2027-01-01T00:30:00Z", NULL,
         "2027-01-01T01:00:00Z 2027-01-01T02:00:00Z");
    /* cron's OR rule: the 13th, or any Friday */
    RUNS("0 0 13 * FRI", utc, "2027-08-01T00:00:00Z", NULL,
         "2027-08-06T00:00:00Z 2027-08-13T00:00:00Z",
         "2027-08-13T00:00:00Z 2027-08-20T00:00:00Z",  /* Friday the 13th: once */
         "2027-08-20T00:00:00Z 2027-08-27T00:00:00Z",
         "2027-08-27T00:00:00Z 2027-09-03T00:00:00Z",
         "2027-09-03T00:00:00Z 2027-09-10T00:00:00Z",
         "2027-09-10T00:00:00Z 2027-09-13T00:00:00Z",
         "2027-09-13T00:00:00Z 2027-09-17T00:00:00Z");
    /* a day field starting with '*' makes it an AND: odd days that are Mondays */
    RUNS("0 0 */2 * MON", utc, "2027-03-01T00:00:00Z", NULL,
         "2027-03-01T00:00:00Z 2027-03-15T00:00:00Z",
         "2027-03-15T00:00:00Z 2027-03-29T00:00:00Z",
         "2027-03-29T00:00:00Z 2027-04-05T00:00:00Z");
    RUNS("15,45 9-10 * JAN,JUL MON-FRI", utc, "2027-06-30T00:00:00Z", NULL,
         "2027-07-01T09:15:00Z 2027-07-01T09:45:00Z",
         "2027-07-01T09:45:00Z 2027-07-01T10:15:00Z",
         "2027-07-01T10:15:00Z 2027-07-01T10:45:00Z",
         "2027-07-01T10:45:00Z 2027-07-02T09:15:00Z",
         "2027-07-02T09:15:00Z 2027-07-02T09:45:00Z");
    RUNS("0 0 1 1 *", utc, "2027-12-31T00:00:00Z", NULL, "2028-01-01T00:00:00Z 2029-01-01T00:00:00Z");
    /* a start on a tick is the first run's start; one second later is not */
    RUNS("0 * * * *", utc, "2027-05-01T10:00:00Z", NULL, "2027-05-01T10:00:00Z 2027-05-01T11:00:00Z");
    RUNS("0 * * * *", utc, "2027-05-01T10:00:01Z", NULL, "2027-05-01T11:00:00Z 2027-05-01T12:00:00Z");
    /* a start inside the spring gap: the gap's tick is the transition, at or after it */
    RUNS("30 2 * * *", paris, "2027-03-28T01:00:00Z", NULL, "2027-03-28T01:00:00Z 2027-03-29T00:30:00Z");
    /* the end of time */
    TICK_AFTER("0 0 * * *", utc, "2027-01-01T00:00:00Z", "9999-12-31T00:00:00Z", NULL);
    TICK_AFTER("0 0 * * *", utc, "2027-01-01T00:00:00Z", "9999-12-30T12:00:00Z", "9999-12-31T00:00:00Z");
    TICK_AFTER("every 1d", utc, "2027-01-01T00:00:00Z", "9999-12-31T00:00:00Z", NULL);
    TICK_AFTER("0 * * * *", utc, "2027-01-01T00:00:00Z", "9999-12-31T23:00:00Z", NULL);
    TICK_AFTER("0 * * * *", paris, "2027-01-01T00:00:00Z", "9999-12-31T21:30:00Z", "9999-12-31T22:00:00Z");
    TICK_AFTER("0 * * * *", paris, "2027-01-01T00:00:00Z", "9999-12-31T22:00:00Z", NULL);
}

static void test_every_once_end(void)
{
    const flux_tz *utc = zone("UTC"), *paris = zone("Europe/Paris");

    /* every: aligned to start, absolute time */
    RUNS("every 15m", utc, "2027-05-01T10:07:00Z", NULL,
         "2027-05-01T10:07:00Z 2027-05-01T10:22:00Z",
         "2027-05-01T10:22:00Z 2027-05-01T10:37:00Z",
         "2027-05-01T10:37:00Z 2027-05-01T10:52:00Z");
    RUNS("every 1d", paris, "2027-03-26T23:00:00Z", NULL, /* midnight CET, then 01:00 CEST */
         "2027-03-26T23:00:00Z 2027-03-27T23:00:00Z",
         "2027-03-27T23:00:00Z 2027-03-28T23:00:00Z",
         "2027-03-28T23:00:00Z 2027-03-29T23:00:00Z");
    RUNS("every 1d", paris, "2027-10-30T22:00:00Z", NULL,
         "2027-10-30T22:00:00Z 2027-10-31T22:00:00Z");
    RUNS("every 1h30m", utc, "2027-05-01T23:00:00Z", NULL,
         "2027-05-01T23:00:00Z 2027-05-02T00:30:00Z",
         "2027-05-02T00:30:00Z 2027-05-02T02:00:00Z");
    TICK_AFTER("every 15m", utc, "2027-05-01T10:07:00Z", "2027-05-01T10:07:00Z", "2027-05-01T10:22:00Z");
    TICK_AFTER("every 15m", utc, "2027-05-01T10:07:00Z", "2027-05-01T10:21:59Z", "2027-05-01T10:22:00Z");
    TICK_AFTER("every 15m", utc, "2027-05-01T10:07:00Z", "2027-05-01T09:55:00Z", "2027-05-01T10:07:00Z");
    TICK_AFTER("every 15m", utc, "2027-05-01T10:07:00Z", "2027-05-01T09:40:00Z", "2027-05-01T09:52:00Z");

    /* @once: one run of zero length at start */
    RUNS("@once", paris, "2027-05-01T10:07:00Z", NULL, "2027-05-01T10:07:00Z 2027-05-01T10:07:00Z", "-");
    RUNS("@once", paris, "2027-05-01T10:07:00Z", "2027-05-01T10:07:00Z",
         "2027-05-01T10:07:00Z 2027-05-01T10:07:00Z", "-");
    RUNS("@once", paris, "2027-05-01T10:07:00Z", "2027-05-01T10:06:59Z", "-");
    TICK_AFTER("@once", utc, "2027-05-01T10:07:00Z", "2027-05-01T10:06:59Z", "2027-05-01T10:07:00Z");
    TICK_AFTER("@once", utc, "2027-05-01T10:07:00Z", "2027-05-01T10:07:00Z", NULL);
    AT_IS("@once", utc, "2027-05-01T10:07:00Z", NULL, "2027-05-01T10:07:00Z", "2027-05-01T10:07:00Z",
          "2027-05-01T10:07:00Z");
    AT_IS("@once", utc, "2027-05-01T10:07:00Z", NULL, "2027-05-01T10:08:00Z", NULL, NULL);

    /* end: no run whose interval ends after it; a run ending exactly at it exists */
    RUNS("0 * * * *", utc, "2027-05-01T10:00:00Z", "2027-05-01T12:00:00Z",
         "2027-05-01T10:00:00Z 2027-05-01T11:00:00Z",
         "2027-05-01T11:00:00Z 2027-05-01T12:00:00Z", "-");
    RUNS("0 * * * *", utc, "2027-05-01T10:00:00Z", "2027-05-01T11:59:59Z",
         "2027-05-01T10:00:00Z 2027-05-01T11:00:00Z", "-");
    RUNS("0 * * * *", utc, "2027-05-01T10:00:00Z", "2027-05-01T10:30:00Z", "-");
    RUNS("every 15m", utc, "2027-05-01T10:07:00Z", "2027-05-01T10:40:00Z",
         "2027-05-01T10:07:00Z 2027-05-01T10:22:00Z",
         "2027-05-01T10:22:00Z 2027-05-01T10:37:00Z", "-");
    RUNS("@daily", paris, "2027-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "-");

    /* at: inside an interval, on a tick, before the first run, past the end */
    AT_IS("0 * * * *", utc, "2027-05-01T10:00:00Z", NULL, "2027-05-01T13:20:00Z", "2027-05-01T13:00:00Z",
          "2027-05-01T14:00:00Z");
    AT_IS("0 * * * *", utc, "2027-05-01T10:00:00Z", NULL, "2027-05-01T13:00:00Z", "2027-05-01T13:00:00Z",
          "2027-05-01T14:00:00Z");
    AT_IS("0 * * * *", utc, "2027-05-01T10:00:00Z", NULL, "2027-05-01T12:59:59Z", "2027-05-01T12:00:00Z",
          "2027-05-01T13:00:00Z");
    AT_IS("0 * * * *", utc, "2027-05-01T10:30:00Z", NULL, "2027-05-01T10:45:00Z", NULL, NULL);
    AT_IS("0 * * * *", utc, "2027-05-01T10:00:00Z", NULL, "2027-05-01T09:59:59Z", NULL, NULL);
    AT_IS("0 * * * *", utc, "2027-05-01T10:00:00Z", "2027-05-01T12:00:00Z", "2027-05-01T11:30:00Z",
          "2027-05-01T11:00:00Z", "2027-05-01T12:00:00Z");
    AT_IS("0 * * * *", utc, "2027-05-01T10:00:00Z", "2027-05-01T12:00:00Z", "2027-05-01T12:00:00Z", NULL, NULL);
    AT_IS("0 2 * * *", paris, "2027-01-01T00:00:00Z", NULL, "2027-03-28T00:59:59Z", "2027-03-27T01:00:00Z",
          "2027-03-28T01:00:00Z");
    AT_IS("0 2 * * *", paris, "2027-01-01T00:00:00Z", NULL, "2027-03-28T01:00:00Z", "2027-03-28T01:00:00Z",
          "2027-03-29T00:00:00Z");
    AT_IS("0 0 29 2 *", utc, "2000-01-01T00:00:00Z", NULL, "2027-06-01T00:00:00Z", "2024-02-29T00:00:00Z",
          "2028-02-29T00:00:00Z");
    AT_IS("@yearly", paris, "1990-01-01T00:00:00Z", NULL, "2027-06-01T00:00:00Z", "2026-12-31T23:00:00Z",
          "2027-12-31T23:00:00Z");
    AT_IS("every 15m", utc, "2027-05-01T10:07:00Z", NULL, "2027-05-01T11:00:00Z", "2027-05-01T10:52:00Z",
          "2027-05-01T11:07:00Z");
    AT_IS("every 15m", utc, "2027-05-01T10:07:00Z", NULL, "2027-05-01T10:07:00Z", "2027-05-01T10:07:00Z",
          "2027-05-01T10:22:00Z");
    AT_IS("every 15m", utc, "2027-05-01T10:07:00Z", NULL, "2027-05-01T10:06:59Z", NULL, NULL);

    /* no zone means UTC */
    RUNS("0 2 * * *", NULL, "2027-03-28T00:00:00Z", NULL, "2027-03-28T02:00:00Z 2027-03-29T02:00:00Z");
}

/* Inputs at the edges of int64 and hand-built schedules: answers, not crashes. */
static void test_edges(void)
{
    const flux_tz *paris = zone("Europe/Paris");
    flux_timetable tt = timetable("0 * * * *", paris, T("2027-01-01T00:00:00Z"), INT64_MAX);
    flux_interval iv;
    int64_t tick = 0, u = 0;
    CHECK(flux_timetable_tick_after(&tt, INT64_MIN, &tick) == 0 && tick < T("0001-01-01T00:00:00Z"));
    CHECK(flux_timetable_tick_after(&tt, INT64_MAX, &tick) != 0);
    CHECK(flux_timetable_at(&tt, INT64_MAX, &iv) != 0);
    CHECK(flux_timetable_at(&tt, INT64_MIN, &iv) != 0);
    CHECK(flux_timetable_tick_after(NULL, 0, &tick) != 0);
    CHECK(flux_timetable_first(NULL, &iv) != 0);
    /* a "previous" run from before start: the next one is the first */
    flux_interval bogus = {0, 0, 0};
    CHECK(flux_timetable_next(&tt, &bogus, &iv) == 0 && iv.start_ms == T("2027-01-01T00:00:00Z"));
    /* out may be prev */
    CHECK(flux_timetable_next(&tt, &iv, &iv) == 0 && iv.start_ms == T("2027-01-01T01:00:00Z") &&
          iv.end_ms == T("2027-01-01T02:00:00Z"));
    /* a start between whole seconds: the 10:00:00 tick is before it */
    tt.start_ms = T("2027-01-01T10:00:00Z") + 500;
    CHECK(flux_timetable_first(&tt, &iv) == 0 && iv.start_ms == T("2027-01-01T11:00:00Z"));

    flux_timetable ev = timetable("every 1h", paris, INT64_MIN, INT64_MAX);
    CHECK(flux_timetable_first(&ev, &iv) != 0);
    ev.start_ms = T("2027-01-01T00:00:00Z");
    CHECK(flux_timetable_tick_after(&ev, INT64_MIN, &tick) == 0 && tick <= T("0000-01-01T01:00:00Z"));
    CHECK(flux_timetable_tick_after(&ev, INT64_MAX, &tick) != 0);
    CHECK(flux_timetable_at(&ev, INT64_MAX, &iv) != 0);
    ev.sched.every_ms = INT64_MAX; /* hand-built: one huge step never overflows */
    CHECK(flux_timetable_tick_after(&ev, T("2027-06-01T00:00:00Z"), &tick) != 0);
    CHECK(flux_timetable_first(&ev, &iv) != 0);

    /* a hand-built schedule that can never fire gives up at once */
    flux_timetable never = tt;
    never.sched.minutes = 0;
    CHECK(flux_timetable_tick_after(&never, 0, &tick) != 0);
    never = tt;
    never.sched.months = 0;
    CHECK(flux_timetable_first(&never, &iv) != 0);

    const char *a = NULL;
    (void)flux_tz_offset(paris, INT64_MIN, &a);
    CHECK(a != NULL);
    int32_t far = flux_tz_offset(paris, INT64_MAX, &a); /* the rule, frozen at some far date */
    CHECK((far == 3600 && strcmp(a, "CET") == 0) || (far == 7200 && strcmp(a, "CEST") == 0));
    CHECK(flux_tz_resolve(paris, INT64_MIN, &u) == FLUX_TZ_UNIQUE && u == INT64_MIN);
    CHECK(flux_tz_resolve(paris, INT64_MAX, &u) == FLUX_TZ_UNIQUE && u == INT64_MAX - far);
    CHECK(flux_tz_offset(NULL, 0, &a) == 0 && strcmp(a, "UTC") == 0);
}

/* Consecutive runs tile time, for a year of several schedules in several zones:
 * each run starts where the last ended, and at() finds each run again. */
static void test_tiling(void)
{
    static const char *const zones[] = {"Europe/Paris", "America/New_York", "Australia/Lord_Howe"};
    static const char *const scheds[] = {"0 * * * *", "30 2 * * *", "*/15 * * * *", "0,30 1-3 * * *"};
    for (size_t z = 0; z < 3; z++)
        for (size_t s = 0; s < 4; s++) {
            flux_timetable tt = timetable(scheds[s], zone(zones[z]), T("2027-01-01T00:00:00Z"), INT64_MAX);
            flux_interval iv, prev, back;
            int bad = 0, n = 0;
            if (flux_timetable_first(&tt, &iv))
                bad++;
            while (!bad && iv.start_ms < T("2028-01-01T00:00:00Z")) {
                if (iv.end_ms <= iv.start_ms)
                    bad++;
                if ((n++ % 7) == 0 &&
                    (flux_timetable_at(&tt, iv.start_ms + (iv.end_ms - iv.start_ms) / 2, &back) ||
                     back.start_ms != iv.start_ms || back.end_ms != iv.end_ms))
                    bad++;
                prev = iv;
                if (flux_timetable_next(&tt, &prev, &iv) || iv.start_ms != prev.end_ms)
                    bad++;
            }
            check_at(__LINE__, bad == 0, "'%s' in %s: runs do not tile 2027 (at run %d, %s)", scheds[s], zones[z],
                     n, iso(iv.start_ms));
        }
}

/* ---- speed ---------------------------------------------------------------- */

static void test_speed(void)
{
    /* a dry-run of a year of an hourly pipeline enumerates 8,760 runs */
    flux_timetable tt = timetable("0 * * * *", zone("Europe/Paris"), T("2027-01-01T00:00:00Z"), INT64_MAX);
    flux_interval iv, prev;
    double t0 = now_ms();
    int n = 0;
    flux_timetable_first(&tt, &iv);
    while (iv.start_ms < T("2028-01-01T00:00:00Z")) {
        n++;
        prev = iv;
        if (flux_timetable_next(&tt, &prev, &iv))
            break;
    }
    double dt = now_ms() - t0, hourly = dt;
    /* one run per hour of absolute time: the spring day has 23, the fall day 25 */
    check_at(__LINE__, n == 8760, "hourly runs in 2027 in Paris: %d", n);
    /* the goal is well under 10 ms; the bound leaves room for sanitizers */
    check_at(__LINE__, dt < 100, "8,759 hourly runs took %.1f ms", dt);

    tt = timetable("0 0 29 2 *", zone("UTC"), T("2101-03-01T00:00:00Z"), INT64_MAX);
    t0 = now_ms();
    int64_t tick = 0;
    for (int i = 0; i < 100; i++)
        flux_timetable_tick_after(&tt, T("2101-03-01T00:00:00Z"), &tick);
    dt = now_ms() - t0;
    CHECK(tick == T("2104-02-29T00:00:00Z"));
    check_at(__LINE__, dt < 50, "100 leap-day searches took %.1f ms", dt);
    if (getenv("FLUX_TEST_VERBOSE"))
        printf("hourly year: %.2f ms, 100 leap-day searches: %.2f ms\n", hourly, dt);
}

int main(void)
{
    test_load();
    test_offsets();
    test_resolve();
    test_footers();
    test_dst_paris();
    test_dst_new_york();
    test_dst_other();
    test_equal_intervals();
    test_calendar();
    test_every_once_end();
    test_edges();
    test_tiling();
    test_speed();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
