/* cron — parsing schedule strings: five-field cron, presets and `every`;
 * a combination that can never fire is an error. */
#include "cron.h"
#include "civil.h"
#include "duration.h"
#include "suggest.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const day_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

typedef struct field_spec {
    const char *name;          /* "minute", as in "minute field: ..." */
    int min, max;              /* accepted in the input */
    int star_max;              /* where '*' stops: 6 for day-of-week, since 7 only aliases Sunday ('a/n' runs to max) */
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
        if (flux_text_eq_nocase(tok, len, names[i]))
            return i;
    return -1;
}

/* A name that belongs to the other named field is a field-order mistake, and
 * "MONDAY" is a spelling the three-letter names do not cover; both deserve a
 * better answer than "unknown". */
static bool name_help(flux_sched_error *err, const char *tok, size_t len, const field_spec *f)
{
    if (name_index(month_names, 12, tok, len) >= 0 && f->names != month_names) {
        flux_sched_hint(err, "'%.*s' is a month; months go in the fourth field", FLUX_SCHED_CLIP(len), tok);
        return true;
    }
    if (name_index(day_names, 7, tok, len) >= 0 && f->names != day_names) {
        flux_sched_hint(err, "'%.*s' is a day of the week; days go in the fifth field", FLUX_SCHED_CLIP(len), tok);
        return true;
    }
    if (f->names && len > 3) {
        int i = name_index(f->names, f->nnames, tok, 3);
        if (i >= 0) {
            flux_sched_hint(err, "use the three-letter name '%s'", f->names[i]);
            return true;
        }
    }
    return false;
}

/* The digits at *pp (before e) as a number; big when it passes 100000, so a
 * long number is out of range instead of overflowing. */
static long read_number(const char *text, size_t *pp, size_t e, bool *big)
{
    size_t p = *pp;
    long n = 0;
    *big = false;
    while (p < e && flux_is_digit(text[p])) {
        if (n < 100000)
            n = n * 10 + (text[p] - '0');
        else
            *big = true;
        p++;
    }
    *pp = p;
    return n;
}

static int read_value(const char *text, size_t *pp, size_t e, const field_spec *f, int *v,
                      flux_sched_error *err)
{
    char cb[12];
    size_t p = *pp, s = p;
    if (flux_is_digit(text[p])) {
        bool big;
        long n = read_number(text, &p, e, &big);
        if (big || n < f->min || n > f->max)
            return flux_sched_fail(err, s, p - s, "%s field: %.*s is out of range %d-%d", f->name, FLUX_SCHED_CLIP(p - s), text + s,
                        f->min, f->max);
        *v = (int)n;
        *pp = p;
        return 0;
    }
    if (flux_is_alpha(text[p])) {
        while (p < e && flux_is_alpha(text[p]))
            p++;
        const char *tok = text + s;
        size_t len = p - s;
        if (!f->names) {
            flux_sched_fail(err, s, len, "%s field: '%.*s' is not a number", f->name, FLUX_SCHED_CLIP(len), tok);
            if (!name_help(err, tok, len, f))
                flux_sched_hint(err, "names are allowed only in the month (JAN-DEC) and day-of-week (SUN-SAT) fields");
            return -1;
        }
        int i = name_index(f->names, f->nnames, tok, len);
        if (i >= 0) {
            *v = f->name_base + i;
            *pp = p;
            return 0;
        }
        flux_sched_fail(err, s, len, "%s field: unknown %s '%.*s'", f->name, f->noun, FLUX_SCHED_CLIP(len), tok);
        char up[16];
        const char *best = flux_text_copy_mapped(up, sizeof up, tok, len, flux_to_upper)
                               ? flux_suggest(up, (const char *const *)f->names, (size_t)f->nnames)
                               : NULL;
        if (best)
            flux_sched_hint(err, "did you mean '%s'?", best);
        else if (!name_help(err, tok, len, f))
            flux_sched_hint(err, "%s", f->names_help);
        return -1;
    }
    if (text[p] == '/' || text[p] == '-')
        return flux_sched_fail(err, p, 1, "%s field: missing value before '%c'", f->name, text[p]);
    flux_sched_fail(err, p, 1, "%s field: unexpected character %s", f->name, flux_text_char_repr(text[p], cb));
    if (text[p] == '?')
        flux_sched_hint(err, "'?' is not supported; use '*'");
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
            flux_sched_fail(err, at, 1, "%s field: empty item in list", f->name);
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
                    return flux_sched_fail(err, p - 1, 1, "%s field: missing end of range after '-'", f->name);
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
                    flux_sched_fail(err, is, p - is, "%s field: range %.*s is reversed", f->name, FLUX_SCHED_CLIP(p - is), text + is);
                    flux_sched_hint(err, "ranges do not wrap around; write '%d-%d' or split it as '%s,%s'", hi, lo,
                         range_text(a, lo, f->star_max), range_text(b, f->min, hi));
                    return -1;
                }
                whole = true;
            }
        }
        if (p < e && text[p] == '/') {
            size_t ss = ++p;
            bool big;
            long n = read_number(text, &p, e, &big);
            if (p == ss) {
                if (p < e && text[p] != ',')
                    return flux_sched_fail(err, p, 1, "%s field: step must be a number, found %s", f->name,
                                flux_text_char_repr(text[p], cb));
                return flux_sched_fail(err, ss - 1, 1, "%s field: missing step after '/'", f->name);
            }
            int span_max = f->max - f->min;
            if (big || n < 1 || n > span_max) {
                flux_sched_fail(err, ss, p - ss, "%s field: step %.*s is out of range 1-%d", f->name, FLUX_SCHED_CLIP(p - ss), text + ss,
                     span_max);
                if (n == 0 && !big)
                    flux_sched_hint(err, "a step of 0 never advances; '*/1' (or '*') means every %s", f->name);
                return -1;
            }
            step = (int)n;
            /* "a/n" runs to the end of the field's documented range: for
             * day-of-week that is 7, Sunday again, so "3/2" is WED,FRI,SUN */
            if (!whole)
                hi = f->max;
        }
        if (p < e && text[p] != ',') {
            flux_sched_fail(err, p, 1, "%s field: unexpected character %s", f->name, flux_text_char_repr(text[p], cb));
            if (text[p] == '?')
                flux_sched_hint(err, "'?' is not supported; use '*'");
            return -1;
        }
        for (int v = lo; v <= hi; v += step)
            *mask |= (uint64_t)1 << (is_wday && v == 7 ? 0 : v);
        if (p == e)
            return 0;
        p++;
    }
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
            if (d <= flux_civil_month_days(2000, m)) /* 2000 is a leap year: Feb 29 does happen */
                return 0;
        }
    }
    if (nmonths == 1)
        return flux_sched_fail(err, mday.s, mday.e - mday.s, "day-of-month field: %s has no day %d, so the schedule never runs",
                    flux_civil_month_name(only), first_day);
    return flux_sched_fail(err, mday.s, mday.e - mday.s,
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
        if (flux_text_eq_nocase(word, len, presets[i]))
            idx = (int)i;
    if (idx < 0) {
        flux_sched_fail(err, tok[0].s, len, "unknown preset '%.*s'", FLUX_SCHED_CLIP(len), word);
        char low[32];
        const char *best = flux_text_copy_mapped(low, sizeof low, word, len, flux_to_lower) ? flux_suggest(low, presets, NPRESETS)
                                                                              : NULL;
        if (best)
            flux_sched_hint(err, "did you mean '%s'?", best);
        else
            flux_sched_hint(err, "presets: " PRESET_LIST);
        return -1;
    }
    if (ntok > 1) {
        flux_sched_fail(err, tok[1].s, end - tok[1].s, "unexpected text after '%s'", presets[idx]);
        flux_sched_hint(err, "a preset stands alone; for other times write a 5-field cron expression");
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
        flux_sched_fail(err, tok[0].s, tok[0].e - tok[0].s, "missing duration after 'every'");
        flux_sched_hint(err, "e.g. 'every 15m' or 'every 1h30m'");
        return -1;
    }
    if (ntok > 2) {
        flux_sched_fail(err, tok[2].s, end - tok[2].s, "unexpected '%.*s' after the duration", FLUX_SCHED_CLIP(end - tok[2].s),
             text + tok[2].s);
        if (flux_is_digit(text[tok[2].s]))
            flux_sched_hint(err, "write the duration without spaces, e.g. '1h30m'");
        else
            flux_sched_hint(err, "'every' takes a single duration, e.g. 'every 15m'");
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
        return flux_sched_fail(err, tok[1].s, len, "the interval of 'every' must be greater than zero");
    sc->kind = FLUX_SCHED_EVERY;
    sc->every_ms = ms;
    return 0;
}

static int field_count_error(const char *text, const span *tok, size_t ntok, size_t b, size_t e,
                             flux_sched_error *err)
{
    if (ntok > NFIELDS) {
        flux_sched_fail(err, tok[NFIELDS].s, e - tok[NFIELDS].s,
             "expected 5 fields (minute hour day-of-month month day-of-week), found %zu", ntok);
        flux_sched_hint(err, "remove the extra fields; seconds and years are not supported");
        return -1;
    }
    flux_sched_fail(err, b, e - b, "expected 5 fields (minute hour day-of-month month day-of-week), found %zu", ntok);
    const char *word = text + tok[0].s;
    size_t len = tok[0].e - tok[0].s;
    /* "daily" and "every15m" are near misses of the other two forms */
    char at[32];
    if (ntok == 1 && len + 1 < sizeof at && flux_is_alpha(word[0])) {
        at[0] = '@';
        flux_text_copy_mapped(at + 1, sizeof at - 1, word, len, flux_to_lower);
        const char *best = flux_suggest(at, presets, NPRESETS);
        /* flux_suggest never offers the word itself, and "@daily" is exactly that */
        for (size_t i = 0; i < NPRESETS; i++)
            if (strcmp(at, presets[i]) == 0)
                best = presets[i];
        if (best) {
            flux_sched_hint(err, "did you mean '%s'?", best);
            return -1;
        }
    }
    if (len > 5 && flux_text_eq_nocase(word, 5, "every") && flux_is_digit(word[5])) {
        flux_sched_hint(err, "put a space after 'every', e.g. 'every %.*s'", FLUX_SCHED_CLIP(len - 5), word + 5);
        return -1;
    }
    flux_sched_hint(err, "e.g. '30 2 * * *' runs at 02:30 every day");
    return -1;
}

int flux_schedule_parse(const char *text, flux_schedule *out, flux_sched_error *err)
{
    flux_schedule sc;
    memset(&sc, 0, sizeof sc);
    if (!text)
        text = "";
    size_t n = strlen(text), b = 0, e = n;
    while (b < e && flux_is_space(text[b]))
        b++;
    while (e > b && flux_is_space(text[e - 1]))
        e--;
    if (b == e) {
        flux_sched_fail(err, 0, n, "empty schedule");
        flux_sched_hint(err, "write a cron expression such as '0 * * * *', a preset such as '@daily', or 'every 15m'");
        return -1;
    }
    /* one slot past the five fields, so "too many" can point at the first extra */
    span tok[NFIELDS + 1];
    size_t ntok = 0;
    for (size_t p = b; p < e;) {
        while (p < e && flux_is_sep(text[p]))
            p++;
        size_t s = p;
        while (p < e && !flux_is_sep(text[p]))
            p++;
        if (ntok <= NFIELDS)
            tok[ntok] = (span){s, p};
        ntok++;
    }

    int rc;
    if (text[b] == '@') {
        rc = parse_preset(text, tok, ntok, e, &sc, err);
    } else if (flux_text_eq_nocase(text + tok[0].s, tok[0].e - tok[0].s, "every")) {
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
