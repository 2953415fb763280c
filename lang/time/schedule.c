/* schedule — parses cron schedules, durations and ISO-8601 times, checks
 * IANA zone names against the system zoneinfo, and evaluates schedules into
 * runs (timetables). Errors carry a byte range of the input so the compiler
 * can underline the exact field. */
#include "schedule.h"
#include "suggest.h"
#include "tz.h"
#include "value.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __GNUC__
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* Tokens are echoed into 160-byte messages; a clip keeps the sentence readable. */
#define CLIP(n) ((int)((n) > 40 ? 40 : (n)))

/* ---- small helpers ------------------------------------------------------ */

/* ASCII-only on purpose: schedule text must mean the same under every locale. */
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_sep(char c) { return c == ' ' || c == '\t'; }
static bool is_space(char c) { return is_sep(c) || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
static char to_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }
static char to_upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c; }

static bool eq_nocase(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (to_lower(a[i]) != to_lower(b[i]))
            return false;
    return true;
}

/* Copies a token into buf with a case mapping, so it can be fed to the
 * (case-sensitive, NUL-terminated) suggester. False when it does not fit. */
static bool copy_mapped(char *buf, size_t cap, const char *s, size_t n, char (*map)(char))
{
    if (n >= cap)
        return false;
    for (size_t i = 0; i < n; i++)
        buf[i] = map(s[i]);
    buf[n] = '\0';
    return true;
}

/* A control byte inside quotes would garble the terminal, so show it as hex. */
static const char *char_repr(char c, char buf[12])
{
    unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f)
        snprintf(buf, 12, "'%c'", c);
    else
        snprintf(buf, 12, "byte 0x%02x", u);
    return buf;
}

static int fail(flux_sched_error *err, size_t off, size_t len, const char *fmt, ...) PRINTF_LIKE(4, 5);
static int fail(flux_sched_error *err, size_t off, size_t len, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->help[0] = '\0';
    err->offset = off;
    err->len = len;
    return -1;
}

static void hint(flux_sched_error *err, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void hint(flux_sched_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->help, sizeof err->help, fmt, ap);
    va_end(ap);
}

/* ---- durations ---------------------------------------------------------- */

/* Largest first: a duration must list its units in this order, each once. */
static const struct {
    const char *name;
    int64_t ms;
} units[] = {
    {"w", 7 * 24 * 3600 * 1000LL}, {"d", 24 * 3600 * 1000LL}, {"h", 3600 * 1000LL},
    {"m", 60 * 1000LL},            {"s", 1000LL},             {"ms", 1LL},
};
#define NUNITS (sizeof units / sizeof units[0])
#define UNIT_LIST "units: ms s m h d w"

/* Spelled-out units people reach for; mapping them gives a concrete fix. */
static const struct {
    const char *word;
    const char *unit;
} unit_words[] = {
    {"msec", "ms"},   {"msecs", "ms"}, {"millis", "ms"},  {"millisecond", "ms"}, {"milliseconds", "ms"},
    {"sec", "s"},     {"secs", "s"},   {"second", "s"},   {"seconds", "s"},      {"min", "m"},
    {"mins", "m"},    {"minute", "m"}, {"minutes", "m"},  {"hr", "h"},           {"hrs", "h"},
    {"hour", "h"},    {"hours", "h"},  {"day", "d"},      {"days", "d"},         {"wk", "w"},
    {"week", "w"},    {"weeks", "w"},
};

static void unit_hint(flux_sched_error *err, const char *word, size_t n)
{
    for (size_t i = 0; i < NUNITS; i++)
        if (eq_nocase(word, n, units[i].name)) {
            hint(err, "units are lowercase: write '%s' (" UNIT_LIST ")", units[i].name);
            return;
        }
    for (size_t i = 0; i < sizeof unit_words / sizeof unit_words[0]; i++)
        if (eq_nocase(word, n, unit_words[i].word)) {
            hint(err, "write '%s' (" UNIT_LIST ")", unit_words[i].unit);
            return;
        }
    hint(err, UNIT_LIST);
}

int flux_duration_parse(const char *text, size_t len, int64_t *ms, flux_sched_error *err)
{
    char cb[12];
    if (!text || len == 0) {
        fail(err, 0, 0, "empty duration");
        hint(err, "write a number and a unit, e.g. '30s', '5m' or '1h30m'");
        return -1;
    }
    int64_t total = 0;
    int last = -1;
    size_t p = 0;
    while (p < len) {
        size_t ns = p;
        if (text[p] == '-') {
            fail(err, p, 1, "a duration cannot be negative");
            return -1;
        }
        if (!is_digit(text[p])) {
            if (is_alpha(text[p])) {
                size_t q = p;
                while (q < len && is_alpha(text[q]))
                    q++;
                fail(err, p, q - p, "expected a number before '%.*s'", CLIP(q - p), text + p);
                hint(err, "write a number and a unit, e.g. '30s', '5m' or '1h30m'");
            } else {
                fail(err, p, 1, "unexpected character %s in duration", char_repr(text[p], cb));
            }
            return -1;
        }
        int64_t n = 0;
        bool big = false;
        while (p < len && is_digit(text[p])) {
            int d = text[p] - '0';
            if (big || n > (INT64_MAX - d) / 10)
                big = true;
            else
                n = n * 10 + d;
            p++;
        }
        if (p + 1 < len && (text[p] == '.' || text[p] == ',') && is_digit(text[p + 1])) {
            size_t q = p + 1;
            while (q < len && is_digit(text[q]))
                q++;
            while (q < len && is_alpha(text[q]))
                q++;
            fail(err, ns, q - ns, "fractional durations are not supported");
            hint(err, "combine units instead, e.g. '1h30m' rather than '1.5h'");
            return -1;
        }
        size_t us = p;
        while (p < len && is_alpha(text[p]))
            p++;
        if (us == p) {
            if (p == len) {
                fail(err, ns, p - ns, "missing unit after '%.*s'", CLIP(p - ns), text + ns);
                hint(err, UNIT_LIST);
            } else {
                fail(err, p, 1, "unexpected character %s in duration", char_repr(text[p], cb));
            }
            return -1;
        }
        int idx = -1;
        for (size_t i = 0; i < NUNITS; i++)
            if (p - us == strlen(units[i].name) && memcmp(text + us, units[i].name, p - us) == 0)
                idx = (int)i;
        if (idx < 0) {
            fail(err, us, p - us, "unknown unit '%.*s' in duration", CLIP(p - us), text + us);
            unit_hint(err, text + us, p - us);
            return -1;
        }
        if (idx <= last) {
            if (idx == last)
                fail(err, us, p - us, "unit '%s' appears twice in duration", units[idx].name);
            else
                fail(err, us, p - us, "unit '%s' comes after '%s' in duration", units[idx].name,
                     units[last].name);
            hint(err, "write each unit once, largest first, e.g. '1h30m'");
            return -1;
        }
        if (big || n > INT64_MAX / units[idx].ms || n * units[idx].ms > INT64_MAX - total) {
            fail(err, ns, p - ns, "duration '%.*s' is too large", CLIP(len), text);
            return -1;
        }
        total += n * units[idx].ms;
        last = idx;
    }
    if (ms)
        *ms = total;
    return 0;
}

/* ---- cron --------------------------------------------------------------- */

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const month_long[] = {"January", "February", "March",     "April",   "May",      "June",
                                         "July",    "August",   "September", "October", "November", "December"};
static const char *const day_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

typedef struct field_spec {
    const char *name;          /* "minute", as in "minute field: ..." */
    int min, max;              /* accepted in the input */
    int star_max;              /* where '*' and 'a/n' stop: 6 for day-of-week, since 7 only aliases Sunday */
    const char *const *names;  /* three-letter names, or NULL */
    int nnames, name_base;     /* value of names[0] */
    const char *noun;          /* "month" in "unknown month 'JNA'" */
    const char *names_help;
} field_spec;

enum { F_MINUTE, F_HOUR, F_MDAY, F_MONTH, F_WDAY, NFIELDS };

static const field_spec fields[NFIELDS] = {
    {"minute", 0, 59, 59, NULL, 0, 0, NULL, NULL},
    {"hour", 0, 23, 23, NULL, 0, 0, NULL, NULL},
    {"day-of-month", 1, 31, 31, NULL, 0, 0, NULL, NULL},
    {"month", 1, 12, 12, month_names, 12, 1, "month", "months are JAN-DEC or 1-12"},
    {"day-of-week", 0, 7, 6, day_names, 7, 0, "day", "days are SUN-SAT or 0-7 (0 and 7 are Sunday)"},
};

static const char *const presets[] = {"@once",   "@hourly",  "@daily",  "@midnight",
                                      "@weekly", "@monthly", "@yearly", "@annually"};
#define NPRESETS (sizeof presets / sizeof presets[0])
#define PRESET_LIST "@once @hourly @daily @midnight @weekly @monthly @yearly @annually"

typedef struct span {
    size_t s, e;
} span;

static int name_index(const char *const *names, int n, const char *tok, size_t len)
{
    for (int i = 0; i < n; i++)
        if (eq_nocase(tok, len, names[i]))
            return i;
    return -1;
}

/* A name that belongs to the other named field is a field-order mistake, and
 * "MONDAY" is a spelling the three-letter names do not cover; both deserve a
 * better answer than "unknown". */
static bool name_help(flux_sched_error *err, const char *tok, size_t len, const field_spec *f)
{
    if (name_index(month_names, 12, tok, len) >= 0 && f->names != month_names) {
        hint(err, "'%.*s' is a month; months go in the fourth field", CLIP(len), tok);
        return true;
    }
    if (name_index(day_names, 7, tok, len) >= 0 && f->names != day_names) {
        hint(err, "'%.*s' is a day of the week; days go in the fifth field", CLIP(len), tok);
        return true;
    }
    if (f->names && len > 3) {
        int i = name_index(f->names, f->nnames, tok, 3);
        if (i >= 0) {
            hint(err, "use the three-letter name '%s'", f->names[i]);
            return true;
        }
    }
    return false;
}

static int read_value(const char *text, size_t *pp, size_t e, const field_spec *f, int *v,
                      flux_sched_error *err)
{
    char cb[12];
    size_t p = *pp, s = p;
    if (is_digit(text[p])) {
        long n = 0;
        bool big = false;
        while (p < e && is_digit(text[p])) {
            if (n < 100000)
                n = n * 10 + (text[p] - '0');
            else
                big = true;
            p++;
        }
        if (big || n < f->min || n > f->max)
            return fail(err, s, p - s, "%s field: %.*s is out of range %d-%d", f->name, CLIP(p - s), text + s,
                        f->min, f->max);
        *v = (int)n;
        *pp = p;
        return 0;
    }
    if (is_alpha(text[p])) {
        while (p < e && is_alpha(text[p]))
            p++;
        const char *tok = text + s;
        size_t len = p - s;
        if (!f->names) {
            fail(err, s, len, "%s field: '%.*s' is not a number", f->name, CLIP(len), tok);
            if (!name_help(err, tok, len, f))
                hint(err, "names are allowed only in the month (JAN-DEC) and day-of-week (SUN-SAT) fields");
            return -1;
        }
        int i = name_index(f->names, f->nnames, tok, len);
        if (i >= 0) {
            *v = f->name_base + i;
            *pp = p;
            return 0;
        }
        fail(err, s, len, "%s field: unknown %s '%.*s'", f->name, f->noun, CLIP(len), tok);
        char up[16];
        const char *best = copy_mapped(up, sizeof up, tok, len, to_upper)
                               ? flux_suggest(up, (const char *const *)f->names, (size_t)f->nnames)
                               : NULL;
        if (best)
            hint(err, "did you mean '%s'?", best);
        else if (!name_help(err, tok, len, f))
            hint(err, "%s", f->names_help);
        return -1;
    }
    if (text[p] == '/' || text[p] == '-')
        return fail(err, p, 1, "%s field: missing value before '%c'", f->name, text[p]);
    fail(err, p, 1, "%s field: unexpected character %s", f->name, char_repr(text[p], cb));
    if (text[p] == '?')
        hint(err, "'?' is not supported; use '*'");
    return -1;
}

static const char *range_text(char buf[16], int lo, int hi)
{
    if (lo == hi)
        snprintf(buf, 16, "%d", lo);
    else
        snprintf(buf, 16, "%d-%d", lo, hi);
    return buf;
}

/* One comma-separated field; bit v of *mask is set for every value v it allows. */
static int parse_field(const char *text, size_t s, size_t e, const field_spec *f, uint64_t *mask, bool *star,
                       flux_sched_error *err)
{
    char cb[12];
    bool is_wday = f->names == day_names;
    *mask = 0;
    /* cron's rule: a day field "is '*'" when it starts with '*', so "*\/2" still
     * counts as unrestricted for the day-of-month/day-of-week OR rule */
    *star = text[s] == '*';
    size_t p = s;
    for (;;) {
        if (p == e || text[p] == ',') {
            size_t at = p < e ? p : p - 1; /* p - 1 is the dangling comma */
            fail(err, at, 1, "%s field: empty item in list", f->name);
            return -1;
        }
        size_t is = p;
        int lo, hi, step = 1;
        bool whole = false; /* '*' or a range: a step walks it rather than running to the end */
        if (text[p] == '*') {
            lo = f->min;
            hi = f->star_max;
            whole = true;
            p++;
        } else {
            if (read_value(text, &p, e, f, &lo, err))
                return -1;
            hi = lo;
            if (p < e && text[p] == '-') {
                p++;
                if (p == e || text[p] == ',' || text[p] == '/')
                    return fail(err, p - 1, 1, "%s field: missing end of range after '-'", f->name);
                if (read_value(text, &p, e, f, &hi, err))
                    return -1;
                /* SUN is 0, yet "FRI-SUN" plainly means through the end of the
                 * week, and "7-1" Sunday to Monday */
                if (is_wday && hi == 0 && lo > 0)
                    hi = 7;
                if (is_wday && lo == 7 && hi < 7)
                    lo = 0;
                if (lo > hi) {
                    char a[16], b[16];
                    fail(err, is, p - is, "%s field: range %.*s is reversed", f->name, CLIP(p - is), text + is);
                    hint(err, "ranges do not wrap around; write '%d-%d' or split it as '%s,%s'", hi, lo,
                         range_text(a, lo, f->star_max), range_text(b, f->min, hi));
                    return -1;
                }
                whole = true;
            }
        }
        if (p < e && text[p] == '/') {
            size_t ss = ++p;
            long n = 0;
            bool big = false;
            while (p < e && is_digit(text[p])) {
                if (n < 100000)
                    n = n * 10 + (text[p] - '0');
                else
                    big = true;
                p++;
            }
            if (p == ss) {
                if (p < e && text[p] != ',')
                    return fail(err, p, 1, "%s field: step must be a number, found %s", f->name,
                                char_repr(text[p], cb));
                return fail(err, ss - 1, 1, "%s field: missing step after '/'", f->name);
            }
            int span_max = f->max - f->min;
            if (big || n < 1 || n > span_max) {
                fail(err, ss, p - ss, "%s field: step %.*s is out of range 1-%d", f->name, CLIP(p - ss), text + ss,
                     span_max);
                if (n == 0 && !big)
                    hint(err, "a step of 0 never advances; '*/1' (or '*') means every %s", f->name);
                return -1;
            }
            step = (int)n;
            if (!whole && lo <= f->star_max)
                hi = f->star_max;
        }
        if (p < e && text[p] != ',') {
            fail(err, p, 1, "%s field: unexpected character %s", f->name, char_repr(text[p], cb));
            if (text[p] == '?')
                hint(err, "'?' is not supported; use '*'");
            return -1;
        }
        for (int v = lo; v <= hi; v += step)
            *mask |= (uint64_t)1 << (is_wday && v == 7 ? 0 : v);
        if (p == e)
            return 0;
        p++;
    }
}

static int month_days(int year, int month)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : len[month - 1];
}

/* "0 0 30 2 *" is valid syntax that never fires; for a scheduler that is a bug
 * worth stopping at compile time. */
static int check_reachable(const flux_schedule *sc, span mday, flux_sched_error *err)
{
    if (sc->mday_star || !sc->wday_star)
        return 0; /* either every day, or the day-of-week alternative can fire */
    int nmonths = 0, only = 0, first_day = 0;
    for (int m = 1; m <= 12; m++) {
        if (!(sc->months >> m & 1))
            continue;
        nmonths++;
        only = m;
        for (int d = 1; d <= 31; d++) {
            if (!(sc->mdays >> d & 1))
                continue;
            if (!first_day)
                first_day = d;
            if (d <= month_days(2000, m)) /* 2000 is a leap year: Feb 29 does happen */
                return 0;
        }
    }
    if (nmonths == 1)
        return fail(err, mday.s, mday.e - mday.s, "day-of-month field: %s has no day %d, so the schedule never runs",
                    month_long[only - 1], first_day);
    return fail(err, mday.s, mday.e - mday.s,
                "day-of-month field: none of these days exists in the selected months, so the schedule never runs");
}

static void set_cron(flux_schedule *sc, uint64_t mi, uint32_t h, uint32_t md, uint16_t mo, uint8_t wd, bool mstar,
                     bool wstar)
{
    sc->kind = FLUX_SCHED_CRON;
    sc->minutes = mi;
    sc->hours = h;
    sc->mdays = md;
    sc->months = mo;
    sc->wdays = wd;
    sc->mday_star = mstar;
    sc->wday_star = wstar;
}

static int parse_preset(const char *text, const span *tok, size_t ntok, size_t end, flux_schedule *sc,
                        flux_sched_error *err)
{
    const char *word = text + tok[0].s;
    size_t len = tok[0].e - tok[0].s;
    int idx = -1;
    for (size_t i = 0; i < NPRESETS; i++)
        if (eq_nocase(word, len, presets[i]))
            idx = (int)i;
    if (idx < 0) {
        fail(err, tok[0].s, len, "unknown preset '%.*s'", CLIP(len), word);
        char low[32];
        const char *best = copy_mapped(low, sizeof low, word, len, to_lower) ? flux_suggest(low, presets, NPRESETS)
                                                                              : NULL;
        if (best)
            hint(err, "did you mean '%s'?", best);
        else
            hint(err, "presets: " PRESET_LIST);
        return -1;
    }
    if (ntok > 1) {
        fail(err, tok[1].s, end - tok[1].s, "unexpected text after '%s'", presets[idx]);
        hint(err, "a preset stands alone; for other times write a 5-field cron expression");
        return -1;
    }
    const uint32_t all_hours = (1u << 24) - 1, all_mdays = ((1u << 31) - 1) << 1;
    const uint16_t all_months = (uint16_t)(((1u << 12) - 1) << 1);
    const uint8_t all_wdays = (1u << 7) - 1;
    switch (idx) {
    case 0: sc->kind = FLUX_SCHED_ONCE; break;
    case 1: set_cron(sc, 1, all_hours, all_mdays, all_months, all_wdays, true, true); break;
    case 2:
    case 3: set_cron(sc, 1, 1, all_mdays, all_months, all_wdays, true, true); break;
    case 4: set_cron(sc, 1, 1, all_mdays, all_months, 1, true, false); break;
    case 5: set_cron(sc, 1, 1, 1u << 1, all_months, all_wdays, false, true); break;
    default: set_cron(sc, 1, 1, 1u << 1, 1u << 1, all_wdays, false, true); break;
    }
    return 0;
}

static int parse_every(const char *text, const span *tok, size_t ntok, size_t end, flux_schedule *sc,
                       flux_sched_error *err)
{
    if (ntok == 1) {
        fail(err, tok[0].s, tok[0].e - tok[0].s, "missing duration after 'every'");
        hint(err, "e.g. 'every 15m' or 'every 1h30m'");
        return -1;
    }
    if (ntok > 2) {
        fail(err, tok[2].s, end - tok[2].s, "unexpected '%.*s' after the duration", CLIP(end - tok[2].s),
             text + tok[2].s);
        if (is_digit(text[tok[2].s]))
            hint(err, "write the duration without spaces, e.g. '1h30m'");
        else
            hint(err, "'every' takes a single duration, e.g. 'every 15m'");
        return -1;
    }
    int64_t ms;
    size_t len = tok[1].e - tok[1].s;
    if (flux_duration_parse(text + tok[1].s, len, &ms, err)) {
        if (err)
            err->offset += tok[1].s;
        return -1;
    }
    if (ms <= 0)
        return fail(err, tok[1].s, len, "the interval of 'every' must be greater than zero");
    sc->kind = FLUX_SCHED_EVERY;
    sc->every_ms = ms;
    return 0;
}

static int field_count_error(const char *text, const span *tok, size_t ntok, size_t b, size_t e,
                             flux_sched_error *err)
{
    if (ntok > NFIELDS) {
        fail(err, tok[NFIELDS].s, e - tok[NFIELDS].s,
             "expected 5 fields (minute hour day-of-month month day-of-week), found %zu", ntok);
        hint(err, "remove the extra fields; seconds and years are not supported");
        return -1;
    }
    fail(err, b, e - b, "expected 5 fields (minute hour day-of-month month day-of-week), found %zu", ntok);
    const char *word = text + tok[0].s;
    size_t len = tok[0].e - tok[0].s;
    /* "daily" and "every15m" are near misses of the other two forms */
    char at[32];
    if (ntok == 1 && len + 1 < sizeof at && is_alpha(word[0])) {
        at[0] = '@';
        copy_mapped(at + 1, sizeof at - 1, word, len, to_lower);
        const char *best = flux_suggest(at, presets, NPRESETS);
        /* flux_suggest never offers the word itself, and "@daily" is exactly that */
        for (size_t i = 0; i < NPRESETS; i++)
            if (strcmp(at, presets[i]) == 0)
                best = presets[i];
        if (best) {
            hint(err, "did you mean '%s'?", best);
            return -1;
        }
    }
    if (len > 5 && eq_nocase(word, 5, "every") && is_digit(word[5])) {
        hint(err, "put a space after 'every', e.g. 'every %.*s'", CLIP(len - 5), word + 5);
        return -1;
    }
    hint(err, "e.g. '30 2 * * *' runs at 02:30 every day");
    return -1;
}

int flux_schedule_parse(const char *text, flux_schedule *out, flux_sched_error *err)
{
    flux_schedule sc;
    memset(&sc, 0, sizeof sc);
    if (!text)
        text = "";
    size_t n = strlen(text), b = 0, e = n;
    while (b < e && is_space(text[b]))
        b++;
    while (e > b && is_space(text[e - 1]))
        e--;
    if (b == e) {
        fail(err, 0, n, "empty schedule");
        hint(err, "write a cron expression such as '0 * * * *', a preset such as '@daily', or 'every 15m'");
        return -1;
    }
    /* one slot past the five fields, so "too many" can point at the first extra */
    span tok[NFIELDS + 1];
    size_t ntok = 0;
    for (size_t p = b; p < e;) {
        while (p < e && is_sep(text[p]))
            p++;
        size_t s = p;
        while (p < e && !is_sep(text[p]))
            p++;
        if (ntok <= NFIELDS)
            tok[ntok] = (span){s, p};
        ntok++;
    }

    int rc;
    if (text[b] == '@') {
        rc = parse_preset(text, tok, ntok, e, &sc, err);
    } else if (eq_nocase(text + tok[0].s, tok[0].e - tok[0].s, "every")) {
        rc = parse_every(text, tok, ntok, e, &sc, err);
    } else if (ntok != NFIELDS) {
        rc = field_count_error(text, tok, ntok, b, e, err);
    } else {
        uint64_t mask[NFIELDS];
        bool star[NFIELDS];
        rc = 0;
        for (int i = 0; i < NFIELDS && rc == 0; i++)
            rc = parse_field(text, tok[i].s, tok[i].e, &fields[i], &mask[i], &star[i], err);
        if (rc == 0) {
            set_cron(&sc, mask[F_MINUTE], (uint32_t)mask[F_HOUR], (uint32_t)mask[F_MDAY], (uint16_t)mask[F_MONTH],
                     (uint8_t)mask[F_WDAY], star[F_MDAY], star[F_WDAY]);
            rc = check_reachable(&sc, tok[F_MDAY], err);
        }
    }
    if (rc == 0 && out)
        *out = sc;
    return rc;
}

/* ---- ISO-8601 times ----------------------------------------------------- */

static bool fixed_digits(const char *t, size_t p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(t[p + (size_t)i]))
            return false; /* also stops at the NUL, so no read past the end */
        x = x * 10 + (t[p + (size_t)i] - '0');
    }
    *v = x;
    return true;
}

/* Width of what sits where a number was expected, so the caret covers it. */
static size_t bad_len(const char *t, size_t p)
{
    size_t q = p;
    while (is_digit(t[q]))
        q++;
    return q > p ? q - p : t[p] ? 1 : 0;
}

static int expect_digits(const char *t, size_t *p, int n, int *v, const char *what, flux_sched_error *err)
{
    if (!fixed_digits(t, *p, n, v) || is_digit(t[*p + (size_t)n])) {
        fail(err, *p, bad_len(t, *p), "expected a %d-digit %s", n, what);
        hint(err, "write times as 'YYYY-MM-DDTHH:MM:SSZ', e.g. '2026-11-01T00:00:00Z'");
        return -1;
    }
    *p += (size_t)n;
    return 0;
}

static int expect_char(const char *t, size_t *p, char c, const char *after, flux_sched_error *err)
{
    if (t[*p] != c) {
        fail(err, *p, t[*p] ? 1 : 0, "expected '%c' after the %s", c, after);
        hint(err, "write times as 'YYYY-MM-DDTHH:MM:SSZ', e.g. '2026-11-01T00:00:00Z'");
        return -1;
    }
    (*p)++;
    return 0;
}

int flux_time_parse(const char *text, int64_t *epoch_ms, bool *has_zone, flux_sched_error *err)
{
    char cb[12];
    if (!text || !*text) {
        fail(err, 0, 0, "empty time");
        hint(err, "write times as 'YYYY-MM-DDTHH:MM:SSZ', e.g. '2026-11-01T00:00:00Z'");
        return -1;
    }
    size_t p = 0, at;
    int year, month, day, hour = 0, minute = 0, second = 0, millis = 0;
    int64_t offset_min = 0;
    bool zone = false;

    if (expect_digits(text, &p, 4, &year, "year", err) || expect_char(text, &p, '-', "year", err))
        return -1;
    at = p;
    if (expect_digits(text, &p, 2, &month, "month", err))
        return -1;
    if (month < 1 || month > 12)
        return fail(err, at, 2, "month %d is out of range 1-12", month);
    if (expect_char(text, &p, '-', "month", err))
        return -1;
    at = p;
    if (expect_digits(text, &p, 2, &day, "day", err))
        return -1;
    if (day < 1 || day > 31)
        return fail(err, at, 2, "day %d is out of range 1-31", day);
    if (day > month_days(year, month)) {
        fail(err, at, 2, "day %d does not exist in %s %04d", day, month_long[month - 1], year);
        if (month == 2 && day == 29)
            hint(err, "%04d is not a leap year", year);
        return -1;
    }

    if (text[p]) {
        if (text[p] != 'T' && text[p] != 't' && text[p] != ' ') {
            fail(err, p, 1, "expected 'T' or a space after the date, found %s", char_repr(text[p], cb));
            hint(err, "write times as 'YYYY-MM-DDTHH:MM:SSZ', e.g. '2026-11-01T00:00:00Z'");
            return -1;
        }
        p++;
        at = p;
        if (expect_digits(text, &p, 2, &hour, "hour", err))
            return -1;
        if (hour > 23) {
            fail(err, at, 2, "hour %d is out of range 0-23", hour);
            if (hour == 24)
                hint(err, "write 00:00 of the next day");
            return -1;
        }
        if (expect_char(text, &p, ':', "hour", err))
            return -1;
        at = p;
        if (expect_digits(text, &p, 2, &minute, "minute", err))
            return -1;
        if (minute > 59)
            return fail(err, at, 2, "minute %d is out of range 0-59", minute);
        if (text[p] == ':') {
            p++;
            at = p;
            if (expect_digits(text, &p, 2, &second, "second", err))
                return -1;
            if (second > 59) {
                fail(err, at, 2, "second %d is out of range 0-59", second);
                if (second == 60)
                    hint(err, "leap seconds are not supported");
                return -1;
            }
            if (text[p] == '.' || text[p] == ',') {
                size_t fs = ++p;
                int scale = 100;
                while (is_digit(text[p])) {
                    millis += (text[p] - '0') * scale; /* digits past milliseconds are dropped */
                    scale /= 10;
                    p++;
                }
                if (p == fs)
                    return fail(err, fs - 1, 1, "expected digits after '%c'", text[fs - 1]);
            }
        }
        if (text[p] == 'Z' || text[p] == 'z') {
            zone = true;
            p++;
        } else if (text[p] == '+' || text[p] == '-') {
            int sign = text[p] == '-' ? -1 : 1, oh, om;
            p++;
            at = p;
            if (!fixed_digits(text, p, 2, &oh)) {
                fail(err, at, bad_len(text, at), "expected a 2-digit offset hour");
                hint(err, "write offsets as '+01:00', '-0500' or 'Z'");
                return -1;
            }
            if (oh > 23)
                return fail(err, at, 2, "offset hour %d is out of range 0-23", oh);
            p += 2;
            if (text[p] == ':')
                p++;
            at = p;
            if (!fixed_digits(text, p, 2, &om)) {
                fail(err, at, text[p] ? bad_len(text, at) : 0, "expected 2-digit offset minutes");
                hint(err, "write offsets as '+01:00', '-0500' or 'Z'");
                return -1;
            }
            if (om > 59)
                return fail(err, at, 2, "offset minute %d is out of range 0-59", om);
            p += 2;
            zone = true;
            offset_min = sign * (oh * 60 + om);
        }
        if (text[p]) {
            fail(err, p, strlen(text + p), "unexpected %s after the %s", char_repr(text[p], cb),
                 zone ? "zone offset" : "time");
            if (!zone)
                hint(err, "a time may end with 'Z' or an offset such as '+01:00'");
            return -1;
        }
    }

    int64_t days = flux_days_from_civil(year, (unsigned)month, (unsigned)day);
    int64_t secs = ((days * 24 + hour) * 60 + minute) * 60 + second - offset_min * 60;
    if (epoch_ms)
        *epoch_ms = secs * 1000 + millis;
    if (has_zone)
        *has_zone = zone;
    return 0;
}

/* ---- time zones --------------------------------------------------------- */

static const char *zoneinfo_dir(void)
{
    const char *d = getenv("TZDIR");
    return d && *d ? d : "/usr/share/zoneinfo";
}

/* The character set alone already excludes "..", but the path check stays
 * explicit: this string becomes a filesystem path. */
static bool valid_zone_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 255 || name[0] == '/' || name[n - 1] == '/')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!(is_alpha(c) || is_digit(c) || c == '_' || c == '+' || c == '-' || c == '/'))
            return false;
        if (c == '/' && name[i + 1] == '/')
            return false;
        bool comp_start = i == 0 || name[i - 1] == '/';
        if (comp_start && c == '.' && name[i + 1] == '.' && (name[i + 2] == '/' || name[i + 2] == '\0'))
            return false;
    }
    /* TZif files in zoneinfo that are not IANA zone names: the host's own zone
     * and the alternate posix/ and right/ (leap-second) trees */
    if (strcmp(name, "localtime") == 0 || strcmp(name, "posixrules") == 0 || strncmp(name, "posix/", 6) == 0 ||
        strncmp(name, "right/", 6) == 0)
        return false;
    return true;
}

bool flux_tz_exists(const char *name)
{
    if (!valid_zone_name(name))
        return false;
    const char *dir = zoneinfo_dir();
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= sizeof path)
        return false;
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char magic[4];
    size_t got = fread(magic, 1, sizeof magic, f); /* a directory reads 0 bytes here */
    fclose(f);
    return got == sizeof magic && memcmp(magic, "TZif", 4) == 0;
}

typedef struct zone_entry {
    char *name;
    char *lower;        /* matching is case-insensitive */
    const char *city;   /* into lower: after the last '/', for bare inputs like "paris" */
    bool link;          /* a backward-compatible alias: loses ties to a real zone */
    bool missing;       /* listed, but no TZif file: never suggested */
} zone_entry;

/* Built once on the first flux_tz_suggest and kept until exit. Not thread-safe:
 * the compiler calls it from one thread; the TZDIR seen on that first call
 * decides the list. */
static zone_entry *zones;
static size_t nzones, zones_cap;
static bool zones_loaded;

static void free_zones(void)
{
    for (size_t i = 0; i < nzones; i++) {
        free(zones[i].name);
        free(zones[i].lower);
    }
    free(zones);
    zones = NULL;
    nzones = zones_cap = 0;
}

static void add_zone(const char *name, size_t len, bool link)
{
    if (len == 0 || len > 255)
        return;
    if (nzones == zones_cap) {
        size_t cap = zones_cap ? zones_cap * 2 : 512;
        zone_entry *z = realloc(zones, cap * sizeof *z);
        if (!z)
            return;
        zones = z;
        zones_cap = cap;
    }
    zone_entry *z = &zones[nzones];
    z->name = malloc(len + 1);
    z->lower = malloc(len + 1);
    if (!z->name || !z->lower) {
        free(z->name);
        free(z->lower);
        return;
    }
    memcpy(z->name, name, len);
    z->name[len] = '\0';
    if (!valid_zone_name(z->name)) {
        free(z->name);
        free(z->lower);
        return;
    }
    copy_mapped(z->lower, len + 1, name, len, to_lower);
    const char *slash = strrchr(z->lower, '/');
    z->city = slash ? slash + 1 : z->lower;
    z->link = link;
    z->missing = false;
    nzones++;
}

/* Returns the n-th (0-based) run of non-blank characters in line. */
static bool nth_word(const char *line, int n, const char **w, size_t *len)
{
    const char *p = line;
    for (int i = 0;; i++) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '\n' || *p == '\r')
            return false;
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            p++;
        if (i == n) {
            *w = s;
            *len = (size_t)(p - s);
            return true;
        }
    }
}

static bool load_tzdata_zi(const char *dir)
{
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/tzdata.zi", dir);
    if (w < 0 || (size_t)w >= sizeof path)
        return false;
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char *line = NULL;
    size_t cap = 0;
    const char *word;
    size_t len;
    while (getline(&line, &cap, f) != -1) {
        if (line[0] == 'Z' && line[1] == ' ' && nth_word(line, 1, &word, &len))
            add_zone(word, len, false);
        else if (line[0] == 'L' && line[1] == ' ' && nth_word(line, 2, &word, &len))
            add_zone(word, len, true);
    }
    free(line);
    fclose(f);
    return true;
}

/* zone1970.tab and zone.tab: "codes<TAB>coordinates<TAB>TZ[<TAB>comment]". */
static void load_tab(const char *dir, const char *file)
{
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (w < 0 || (size_t)w >= sizeof path)
        return;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) != -1) {
        if (line[0] == '#')
            continue;
        char *p = strchr(line, '\t');
        p = p ? strchr(p + 1, '\t') : NULL;
        if (!p)
            continue;
        p++;
        size_t len = strcspn(p, "\t\r\n");
        add_zone(p, len, false);
    }
    free(line);
    fclose(f);
}

static int cmp_zone(const void *a, const void *b)
{
    return strcmp(((const zone_entry *)a)->name, ((const zone_entry *)b)->name);
}

static void load_zones(void)
{
    if (zones_loaded)
        return;
    zones_loaded = true;
    atexit(free_zones);
    const char *dir = zoneinfo_dir();
    if (!load_tzdata_zi(dir)) {
        /* the tables list only canonical zones, and neither lists UTC */
        load_tab(dir, "zone1970.tab");
        load_tab(dir, "zone.tab");
        add_zone("UTC", 3, true);
    }
    if (nzones == 0)
        return;
    /* sorted and de-duplicated, so ties resolve the same on every system */
    qsort(zones, nzones, sizeof *zones, cmp_zone);
    size_t k = 0;
    for (size_t i = 0; i < nzones; i++) {
        if (k > 0 && strcmp(zones[k - 1].name, zones[i].name) == 0) {
            zones[k - 1].link = zones[k - 1].link && zones[i].link;
            free(zones[i].name);
            free(zones[i].lower);
            continue;
        }
        zones[k++] = zones[i];
    }
    nzones = k;
}

/* Distance under a limit, skipping the quadratic work when lengths alone rule it out. */
static size_t bounded_distance(const char *a, size_t alen, const char *b, size_t limit)
{
    size_t blen = strlen(b);
    size_t gap = alen > blen ? alen - blen : blen - alen;
    if (gap > limit)
        return (size_t)-1;
    return flux_edit_distance(a, b);
}

const char *flux_tz_suggest(const char *name)
{
    if (!name || !*name)
        return NULL;
    load_zones();
    size_t len = strlen(name);
    if (len > 255)
        return NULL;
    char lower[256];
    copy_mapped(lower, sizeof lower, name, len, to_lower);
    /* a third of the length, as flux_suggest: zone names are long, so that
     * already forgives a couple of typos without reaching for a stranger */
    size_t limit = len / 3 > 1 ? len / 3 : 1;
    /* "paris" or "new_york" alone: also compare against the last component */
    bool bare = strchr(name, '/') == NULL;

    for (;;) {
        /* ranked by distance, then a whole-name match over a city match
         * ("utc" is "UTC" before "Etc/UTC"), then a zone over a link */
        zone_entry *best = NULL;
        size_t best_rank = (size_t)-1;
        for (size_t i = 0; i < nzones; i++) {
            zone_entry *z = &zones[i];
            if (z->missing || strcmp(z->name, name) == 0)
                continue;
            size_t d = bounded_distance(lower, len, z->lower, limit), rank;
            if (d <= limit) {
                rank = d * 4;
            } else if (bare && z->city != z->lower &&
                       (d = bounded_distance(lower, len, z->city, limit)) <= limit) {
                rank = d * 4 + 2;
            } else {
                continue;
            }
            rank += z->link;
            if (rank < best_rank) {
                best = z;
                best_rank = rank;
            }
        }
        if (!best)
            return NULL;
        if (flux_tz_exists(best->name))
            return best->name;
        best->missing = true;
    }
}

/* ---- evaluation ----------------------------------------------------------- */

/* Times are years 0000-9999 (flux_time_parse): ticks stop at the end of 9999,
 * and nothing is searched for before year 0, which also keeps the arithmetic
 * below far from overflow. */
#define YEAR0_MS ((int64_t)-62167219200000)    /* 0000-01-01T00:00:00Z */
#define YEAR10000_MS ((int64_t)253402300800000) /* 10000-01-01T00:00:00Z */
#define MAX_YEAR 9999

static int64_t floor_div64(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Lowest set bit of mask in [from, width), or -1. */
static int next_bit(uint64_t mask, int from, int width)
{
    for (int i = from < 0 ? 0 : from; i < width; i++)
        if (mask >> i & 1)
            return i;
    return -1;
}

static bool day_matches(const flux_schedule *s, int64_t day, unsigned mday)
{
    int wday = (int)(((day + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    bool dom = s->mdays >> mday & 1, dow = s->wdays >> wday & 1;
    /* cron's rule: when both day fields are restricted either one may match;
     * when one is '*' (or starts with it) the other alone decides */
    return s->mday_star || s->wday_star ? dom && dow : dom || dow;
}

/* A hand-built schedule with an empty field would otherwise be searched up to
 * year 9999 before giving up. */
static bool cron_can_fire(const flux_schedule *s)
{
    if (next_bit(s->minutes, 0, 60) < 0 || next_bit(s->hours, 0, 24) < 0 || next_bit(s->months, 1, 13) < 0)
        return false;
    bool dom = next_bit(s->mdays, 1, 32) >= 0, dow = next_bit(s->wdays, 0, 7) >= 0;
    return s->mday_star || s->wday_star ? dom && dow : dom || dow;
}

/* The smallest matching wall minute >= w (wall seconds: local time taken as
 * UTC). Whole months, days and hours that cannot match are skipped at once,
 * so sparse schedules ("0 0 29 2 *") cost a few steps per year, not a scan of
 * every minute. False past year 9999. */
static bool cron_next_wall(const flux_schedule *s, int64_t w, int64_t *out)
{
    w = floor_div64(w + 59, 60) * 60;
    int64_t day = floor_div64(w, 86400);
    int mod = (int)((w - day * 86400) / 60); /* minute of the day */
    int first_minute = next_bit(s->minutes, 0, 60);
    for (;;) {
        int64_t y;
        unsigned m, d;
        flux_civil_from_days(day, &y, &m, &d);
        if (y > MAX_YEAR)
            return false;
        if (!(s->months >> m & 1)) {
            int nm = next_bit(s->months, (int)m + 1, 13);
            if (nm < 0) {
                y++;
                nm = next_bit(s->months, 1, 13);
            }
            day = flux_days_from_civil(y, (unsigned)nm, 1);
            mod = 0;
            continue;
        }
        if (day_matches(s, day, d)) {
            int h = mod / 60;
            if (s->hours >> h & 1) {
                int mi = next_bit(s->minutes, mod % 60, 60);
                if (mi >= 0) {
                    *out = day * 86400 + h * 3600 + mi * 60;
                    return true;
                }
            }
            int h2 = next_bit(s->hours, h + 1, 24);
            if (h2 >= 0) {
                *out = day * 86400 + h2 * 3600 + first_minute * 60;
                return true;
            }
        }
        day++;
        mod = 0;
    }
}

/* Cron ticks are the instants of the matching wall minutes. Resolution is
 * monotonic in wall time (a gap collapses onto its transition, a fold keeps
 * its first occurrence), so every wall minute before wall(t) resolves to t or
 * earlier and the search can start there; the candidates it must still skip
 * are those whose instant is not after t: several gap minutes share one
 * instant, and after a fold the repeated minutes resolve to the first pass. */
static int cron_tick_after(const flux_timetable *tt, int64_t t_ms, int64_t *tick_ms)
{
    const flux_schedule *s = &tt->sched;
    if (!cron_can_fire(s))
        return -1;
    if (t_ms < YEAR0_MS)
        t_ms = YEAR0_MS;
    int64_t t_s = floor_div64(t_ms, 1000);
    int64_t w = floor_div64(t_s + flux_tz_offset(tt->tz, t_s, NULL), 60) * 60;
    for (;;) {
        if (!cron_next_wall(s, w, &w))
            return -1;
        int64_t u;
        flux_tz_resolve(tt->tz, w, &u);
        /* whole seconds: u * 1000 > t_ms exactly when u > floor(t_ms / 1000) */
        if (u > t_s) {
            *tick_ms = u * 1000;
            return 0;
        }
        w += 60;
    }
}

/* `every D`: start + k*D for every integer k (the grid is anchored at start
 * and extends both ways, as cron ticks exist before start too). */
static int every_tick_after(const flux_timetable *tt, int64_t t_ms, int64_t *tick_ms)
{
    int64_t d = tt->sched.every_ms, start = tt->start_ms;
    if (d <= 0 || start < YEAR0_MS || start >= YEAR10000_MS || t_ms >= YEAR10000_MS)
        return -1;
    if (t_ms < YEAR0_MS)
        t_ms = YEAR0_MS;
    int64_t r = (t_ms - start) % d; /* both within the year range: no overflow */
    if (r < 0)
        r += d;
    int64_t step = d - r; /* in (0, d]: the next grid point after t */
    if (step >= YEAR10000_MS - t_ms)
        return -1;
    *tick_ms = t_ms + step;
    return 0;
}

int flux_timetable_tick_after(const flux_timetable *tt, int64_t t_ms, int64_t *tick_ms)
{
    if (!tt)
        return -1;
    int64_t tick;
    switch (tt->sched.kind) {
    case FLUX_SCHED_ONCE:
        if (t_ms >= tt->start_ms)
            return -1;
        tick = tt->start_ms;
        break;
    case FLUX_SCHED_EVERY:
        if (every_tick_after(tt, t_ms, &tick))
            return -1;
        break;
    default:
        if (cron_tick_after(tt, t_ms, &tick))
            return -1;
        break;
    }
    if (tick_ms)
        *tick_ms = tick;
    return 0;
}

/* The run that starts at tick s, if it ends within the timetable. */
static int run_from(const flux_timetable *tt, int64_t s, flux_interval *out)
{
    int64_t e;
    if (flux_timetable_tick_after(tt, s, &e) || e > tt->end_ms)
        return -1;
    if (out)
        *out = (flux_interval){s, e, e};
    return 0;
}

int flux_timetable_first(const flux_timetable *tt, flux_interval *out)
{
    if (!tt)
        return -1;
    if (tt->sched.kind == FLUX_SCHED_ONCE) {
        if (tt->start_ms > tt->end_ms)
            return -1;
        if (out)
            *out = (flux_interval){tt->start_ms, tt->start_ms, tt->start_ms};
        return 0;
    }
    int64_t s;
    if (tt->start_ms == INT64_MIN || flux_timetable_tick_after(tt, tt->start_ms - 1, &s))
        return -1;
    return run_from(tt, s, out);
}

int flux_timetable_next(const flux_timetable *tt, const flux_interval *prev, flux_interval *out)
{
    if (!tt || !prev || tt->sched.kind == FLUX_SCHED_ONCE)
        return -1;
    /* a "previous" run that ends before the timetable starts is no run of it;
     * the one after it is the first */
    if (prev->end_ms < tt->start_ms)
        return flux_timetable_first(tt, out);
    return run_from(tt, prev->end_ms, out);
}

int flux_timetable_at(const flux_timetable *tt, int64_t t_ms, flux_interval *out)
{
    if (!tt)
        return -1;
    if (tt->sched.kind == FLUX_SCHED_ONCE) {
        if (t_ms != tt->start_ms)
            return -1;
        return flux_timetable_first(tt, out);
    }
    flux_interval first;
    if (t_ms >= YEAR10000_MS || flux_timetable_first(tt, &first) || t_ms < first.start_ms)
        return -1;
    int64_t s;
    if (tt->sched.kind == FLUX_SCHED_EVERY) {
        int64_t r = (t_ms - tt->start_ms) % tt->sched.every_ms;
        s = t_ms - (r < 0 ? r + tt->sched.every_ms : r);
    } else {
        /* The last tick <= t, by bisection on tick_after (which is monotonic
         * in t): only forward searches, and about 40 of them even decades
         * after start. Invariant: tick_after(lo) <= t < tick_after(hi). */
        int64_t lo = first.start_ms - 1, hi = t_ms, x;
        while (hi - lo > 1) {
            int64_t mid = lo + (hi - lo) / 2;
            if (flux_timetable_tick_after(tt, mid, &x) == 0 && x <= t_ms)
                lo = mid;
            else
                hi = mid;
        }
        if (flux_timetable_tick_after(tt, lo, &s))
            return -1;
    }
    return run_from(tt, s, out);
}
