/* tz — IANA time zones from the system's TZif files (RFC 8536/9636, versions
 * 1 to 4), with the POSIX TZ footer for instants after the last transition,
 * and the wall-clock resolution schedules need (DST gaps and folds).
 *
 * A zone is an immutable value once loaded: a transition table plus an
 * optional footer rule. Both are seen through one internal notion, the
 * "period": a maximal span of instants [from, to) with one offset. Lookups
 * and gap/fold resolution are written against periods, so they work the same
 * in the table and in the rule-governed future. */
#include "tz.h"
#include "civil.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the zone ----------------------------------------------------------- */

typedef struct tz_type {
    int32_t off;      /* seconds east of UTC */
    bool dst;
    const char *abbr; /* into flux_tz.chars */
} tz_type;

/* A footer date: Jn (1-365, Feb 29 never counted), n (0-365, counted), or
 * Mm.w.d (day d of week w of month m, w = 5 meaning the last). */
typedef struct rule_date {
    char kind;    /* 'J', 'N' or 'M' */
    int n, m, w, d;
    int32_t time; /* local seconds after midnight; may be negative or past 24h (RFC 8536) */
} rule_date;

typedef struct tz_rule {
    char std_abbr[32], dst_abbr[32];
    int32_t std_off, dst_off; /* seconds east of UTC (POSIX writes them west-positive) */
    bool has_dst;
    rule_date start, end;
} tz_rule;

struct flux_tz {
    char *name;
    int64_t *trans;    /* transition instants, strictly ascending */
    uint8_t *trans_type;
    size_t ntrans;
    tz_type *types;    /* types[0] also holds before the first transition */
    size_t ntypes;
    char *chars;       /* abbreviations, with one extra NUL at the end */
    bool has_rule;     /* a non-empty footer governs after the last transition */
    tz_rule rule;
    int32_t min_off, max_off; /* over every type and the rule: bounds the search in resolve */
};

/* One span of constant offset. from/to are INT64_MIN/INT64_MAX when open. */
typedef struct tz_period {
    int64_t from, to;
    int32_t off;
    const char *abbr;
} tz_period;

/* Beyond this many seconds from 1970 (about 317,000 years) offsets stop
 * changing: the rule arithmetic stays far from overflow and no caller of a
 * scheduler cares. */
#define FAR_S ((int64_t)10000000000000)

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- the POSIX TZ footer ------------------------------------------------ */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* "CET" or "<+0330>"; POSIX wants at least three characters, but nothing here
 * depends on that, so a shorter one is accepted rather than failing a zone. */
static bool parse_abbr(const char **pp, char *out, size_t cap)
{
    const char *p = *pp;
    size_t n = 0;
    if (*p == '<') {
        p++;
        while (is_alpha(*p) || is_digit(*p) || *p == '+' || *p == '-') {
            if (n + 1 >= cap)
                return false;
            out[n++] = *p++;
        }
        if (*p != '>')
            return false;
        p++;
    } else {
        while (is_alpha(*p)) {
            if (n + 1 >= cap)
                return false;
            out[n++] = *p++;
        }
    }
    if (n == 0)
        return false;
    out[n] = '\0';
    *pp = p;
    return true;
}

/* [+-]hh[:mm[:ss]] with hh up to max_h; the sign is returned applied. */
static bool parse_hms(const char **pp, int max_h, int32_t *out)
{
    const char *p = *pp;
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (!is_digit(*p))
        return false;
    int32_t h = 0, m = 0, s = 0;
    while (is_digit(*p)) {
        h = h * 10 + (*p++ - '0');
        if (h > max_h)
            return false;
    }
    if (*p == ':') {
        p++;
        if (!is_digit(p[0]) || !is_digit(p[1]))
            return false;
        m = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
        if (m > 59)
            return false;
        if (*p == ':') {
            p++;
            if (!is_digit(p[0]) || !is_digit(p[1]))
                return false;
            s = (p[0] - '0') * 10 + (p[1] - '0');
            p += 2;
            if (s > 59)
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    *pp = p;
    return true;
}

static bool parse_num(const char **pp, int lo, int hi, int *out)
{
    const char *p = *pp;
    if (!is_digit(*p))
        return false;
    int v = 0;
    while (is_digit(*p)) {
        v = v * 10 + (*p++ - '0');
        if (v > hi)
            return false;
    }
    if (v < lo)
        return false;
    *out = v;
    *pp = p;
    return true;
}

static bool parse_rule_date(const char **pp, rule_date *rd)
{
    const char *p = *pp;
    memset(rd, 0, sizeof *rd);
    if (*p == 'J') {
        p++;
        rd->kind = 'J';
        if (!parse_num(&p, 1, 365, &rd->n))
            return false;
    } else if (*p == 'M') {
        p++;
        rd->kind = 'M';
        if (!parse_num(&p, 1, 12, &rd->m) || *p++ != '.' || !parse_num(&p, 1, 5, &rd->w) || *p++ != '.' ||
            !parse_num(&p, 0, 6, &rd->d))
            return false;
    } else {
        rd->kind = 'N';
        if (!parse_num(&p, 0, 365, &rd->n))
            return false;
    }
    rd->time = 2 * 3600; /* POSIX default: 02:00 local */
    if (*p == '/') {
        p++;
        /* RFC 8536 extends the hour to -167..167 so rules can say "the
         * Saturday before" or "25:00" */
        if (!parse_hms(&p, 167, &rd->time))
            return false;
    }
    *pp = p;
    return true;
}

/* std offset [dst [offset] [,start[/time],end[/time]]] */
static bool parse_footer(const char *s, tz_rule *r)
{
    const char *p = s;
    int32_t west;
    memset(r, 0, sizeof *r);
    if (!parse_abbr(&p, r->std_abbr, sizeof r->std_abbr) || !parse_hms(&p, 24, &west))
        return false;
    r->std_off = -west;
    if (*p == '\0')
        return true;
    if (!parse_abbr(&p, r->dst_abbr, sizeof r->dst_abbr))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600; /* POSIX default: one hour ahead */
    if (*p != ',' && *p != '\0') {
        if (!parse_hms(&p, 24, &west))
            return false;
        r->dst_off = -west;
    }
    if (*p == '\0') {
        /* no rule given: POSIX leaves it to the implementation; the US rule
         * is what every libc uses. TZif footers always spell it out. */
        r->start = (rule_date){'M', 0, 3, 2, 0, 7200};
        r->end = (rule_date){'M', 0, 11, 1, 0, 7200};
        return true;
    }
    if (*p++ != ',' || !parse_rule_date(&p, &r->start) || *p++ != ',' || !parse_rule_date(&p, &r->end))
        return false;
    return *p == '\0';
}

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* The day (days since 1970-01-01) a footer date falls on in year y. */
static int64_t rule_day(const rule_date *rd, int64_t y)
{
    int64_t jan1 = flux_days_from_civil(y, 1, 1);
    switch (rd->kind) {
    case 'J':
        /* Jn never counts Feb 29, so J60 is March 1 in every year */
        return jan1 + rd->n - 1 + (is_leap(y) && rd->n >= 60);
    case 'N':
        return jan1 + rd->n;
    default: {
        int64_t first = flux_days_from_civil(y, (unsigned)rd->m, 1);
        int64_t next = rd->m == 12 ? flux_days_from_civil(y + 1, 1, 1) : flux_days_from_civil(y, (unsigned)rd->m + 1, 1);
        int wday_first = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
        int64_t day = first + (rd->d - wday_first + 7) % 7 + (int64_t)(rd->w - 1) * 7;
        while (day >= next) /* w = 5: "the last", which may be the fourth */
            day -= 7;
        return day;
    }
    }
}

typedef struct rule_event {
    int64_t at;
    bool dst; /* the state from `at` on */
} rule_event;

/* The rule's period holding t. The transitions of the year around t and of
 * its neighbours are enough: a rule changes at most twice a year, and times
 * such as "J365/25" spill at most a day into the next year. */
static void rule_period(const tz_rule *r, int64_t t, tz_period *p)
{
    if (!r->has_dst) {
        *p = (tz_period){INT64_MIN, INT64_MAX, r->std_off, r->std_abbr};
        return;
    }
    int64_t tc = t < -FAR_S ? -FAR_S : t > FAR_S ? FAR_S : t;
    int64_t y;
    unsigned mo, d;
    flux_civil_from_days(floor_div(tc + r->std_off, 86400), &y, &mo, &d);
    rule_event ev[6];
    int n = 0;
    for (int64_t yy = y - 1; yy <= y + 1; yy++) {
        /* DST starts at a standard-time wall clock and ends at a DST one */
        ev[n++] = (rule_event){rule_day(&r->start, yy) * 86400 + r->start.time - r->std_off, true};
        ev[n++] = (rule_event){rule_day(&r->end, yy) * 86400 + r->end.time - r->dst_off, false};
    }
    /* Stable insertion sort: when two events coincide (a zone on DST all year
     * writes "0/0,J365/25"), the one generated later — the next year's — wins. */
    for (int i = 1; i < n; i++) {
        rule_event e = ev[i];
        int j = i;
        while (j > 0 && ev[j - 1].at > e.at) {
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = e;
    }
    int last = -1;
    for (int i = 0; i < n; i++)
        if (ev[i].at <= tc)
            last = i;
    bool dst = last >= 0 ? ev[last].dst : !ev[0].dst;
    p->from = last >= 0 ? ev[last].at : INT64_MIN;
    p->to = INT64_MAX;
    for (int i = last + 1; i < n; i++)
        if (ev[i].at > tc) {
            p->to = ev[i].at;
            break;
        }
    if (tc != t) { /* clamped: the far past or future is one long period */
        if (t > 0)
            p->to = INT64_MAX;
        else
            p->from = INT64_MIN;
    }
    p->off = dst ? r->dst_off : r->std_off;
    p->abbr = dst ? r->dst_abbr : r->std_abbr;
}

/* ---- periods of a zone -------------------------------------------------- */

static void type_period(const flux_tz *tz, size_t type, int64_t from, int64_t to, tz_period *p)
{
    *p = (tz_period){from, to, tz->types[type].off, tz->types[type].abbr};
}

static void period_at(const flux_tz *tz, int64_t t, tz_period *p)
{
    size_t n = tz->ntrans;
    if (n == 0) {
        /* RFC 8536: with no transitions the footer, when there is one, says
         * everything; a "slim" UTC is exactly that */
        if (tz->has_rule)
            rule_period(&tz->rule, t, p);
        else
            type_period(tz, 0, INT64_MIN, INT64_MAX, p);
        return;
    }
    if (t < tz->trans[0]) {
        type_period(tz, 0, INT64_MIN, tz->trans[0], p);
        return;
    }
    /* last transition <= t */
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    if (lo + 1 < n) {
        type_period(tz, tz->trans_type[lo], tz->trans[lo], tz->trans[lo + 1], p);
        return;
    }
    if (!tz->has_rule) {
        type_period(tz, tz->trans_type[lo], tz->trans[lo], INT64_MAX, p);
        return;
    }
    rule_period(&tz->rule, t, p);
    if (p->from < tz->trans[lo])
        p->from = tz->trans[lo];
}

const char *flux_tz_name(const flux_tz *tz) { return tz ? tz->name : "UTC"; }

int32_t flux_tz_offset(const flux_tz *tz, int64_t utc_s, const char **abbr)
{
    if (!tz) {
        if (abbr)
            *abbr = "UTC";
        return 0;
    }
    tz_period p;
    period_at(tz, utc_s, &p);
    if (abbr)
        *abbr = p.abbr;
    return p.off;
}

int32_t flux_tz_period(const flux_tz *tz, int64_t utc_s, int64_t *from, int64_t *to)
{
    tz_period p = {INT64_MIN, INT64_MAX, 0, "UTC"};
    if (tz)
        period_at(tz, utc_s, &p);
    *from = p.from;
    *to = p.to;
    return p.off;
}

/* Every instant u whose wall time is W satisfies W - max_off <= u <= W - min_off,
 * so walking the periods over that window finds every occurrence of W, and the
 * forward transition that swallowed it when there is none. */
flux_tz_kind flux_tz_resolve(const flux_tz *tz, int64_t local_s, int64_t *utc_s)
{
    int64_t out;
    if (!tz) {
        if (utc_s)
            *utc_s = local_s;
        return FLUX_TZ_UNIQUE;
    }
    if (local_s < -FAR_S || local_s > FAR_S) {
        /* no transitions out there; saturate rather than wrap at the ends */
        tz_period p;
        period_at(tz, local_s, &p);
        if (utc_s)
            *utc_s = p.off > 0 && local_s < INT64_MIN + p.off   ? INT64_MIN
                     : p.off < 0 && local_s > INT64_MAX + p.off ? INT64_MAX
                                                                : local_s - p.off;
        return FLUX_TZ_UNIQUE;
    }
    int64_t a = local_s - tz->max_off, b = local_s - tz->min_off;
    int found = 0;
    int64_t first = 0, gap = 0;
    bool have_gap = false;
    tz_period p;
    period_at(tz, a, &p);
    for (;;) {
        int64_t u = local_s - p.off;
        if (u >= p.from && u < p.to) { /* periods come in order: the first hit is the earliest */
            if (found == 0)
                first = u;
            found++;
        }
        if (p.to > b || p.to == INT64_MAX)
            break;
        tz_period q;
        period_at(tz, p.to, &q);
        /* a forward jump at T skips the wall times [T + before, T + after) */
        if (!have_gap && q.off > p.off && p.to + p.off <= local_s && local_s < p.to + q.off) {
            gap = p.to;
            have_gap = true;
        }
        p = q;
    }
    flux_tz_kind kind;
    if (found) {
        out = first;
        kind = found == 1 ? FLUX_TZ_UNIQUE : FLUX_TZ_FOLD;
    } else if (have_gap) {
        out = gap;
        kind = FLUX_TZ_GAP;
    } else {
        /* unreachable with consistent data; an answer beats none */
        out = local_s - p.off;
        kind = FLUX_TZ_GAP;
    }
    if (utc_s)
        *utc_s = out;
    return kind;
}

/* ---- TZif --------------------------------------------------------------- */

/* Larger than any real zone file (the biggest are about 4 KiB fat). */
#define MAX_TZIF (1 << 20)
/* Any real offset is within a day; this keeps offset arithmetic honest. */
#define MAX_OFF (48 * 3600)

typedef struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static bool read_header(const unsigned char *p, size_t len, tzif_counts *c, char *version)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return false;
    *version = (char)p[4];
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    /* each bound is far above real data and keeps the size sums below from overflowing */
    return c->isut <= 256 && c->isstd <= 256 && c->leap <= 65536 && c->time <= 65536 && c->type <= 256 &&
           c->chars <= 65536;
}

static size_t block_size(const tzif_counts *c, size_t tsize)
{
    return (size_t)c->time * tsize + c->time + (size_t)c->type * 6 + c->chars + (size_t)c->leap * (tsize + 4) +
           c->isstd + c->isut;
}

static void tz_free(flux_tz *tz)
{
    if (!tz)
        return;
    free(tz->name);
    free(tz->trans);
    free(tz->trans_type);
    free(tz->types);
    free(tz->chars);
    free(tz);
}

/* The POSIX TZ string that governs after the last transition; false with
 * why when it is malformed. */
static bool read_footer(flux_tz *tz, const char *footer, size_t footer_len, const char **why)
{
    char buf[256];
    if (footer_len >= sizeof buf || memchr(footer, '\0', footer_len)) {
        *why = "bad footer";
        return false;
    }
    memcpy(buf, footer, footer_len);
    buf[footer_len] = '\0';
    if (!parse_footer(buf, &tz->rule) || tz->rule.std_off < -MAX_OFF || tz->rule.std_off > MAX_OFF ||
        tz->rule.dst_off < -MAX_OFF || tz->rule.dst_off > MAX_OFF) {
        *why = "bad footer TZ string";
        return false;
    }
    tz->has_rule = true;
    int32_t offs[2] = {tz->rule.std_off, tz->rule.has_dst ? tz->rule.dst_off : tz->rule.std_off};
    for (int i = 0; i < 2; i++) {
        if (offs[i] < tz->min_off)
            tz->min_off = offs[i];
        if (offs[i] > tz->max_off)
            tz->max_off = offs[i];
    }
    return true;
}

/* Parses a whole TZif file; NULL with why on failure. */
static flux_tz *parse_tzif(const unsigned char *data, size_t len, const char **why)
{
    tzif_counts c;
    char version;
    if (!read_header(data, len, &c, &version)) {
        *why = "bad header";
        return NULL;
    }
    if (version != 0 && version != '2' && version != '3' && version != '4') {
        *why = "unknown version";
        return NULL;
    }
    size_t off = 44, tsize = 4, v1_end = 44 + block_size(&c, 4);
    if (v1_end > len) {
        *why = "truncated";
        return NULL;
    }
    const char *footer = NULL;
    size_t footer_len = 0;
    if (version != 0) {
        /* version 2 and later repeat everything with 64-bit times; the first
         * block exists only for old readers */
        if (!read_header(data + v1_end, len - v1_end, &c, &version)) {
            *why = "bad second header";
            return NULL;
        }
        off = v1_end + 44;
        tsize = 8;
        size_t end = off + block_size(&c, 8);
        if (end > len) {
            *why = "truncated";
            return NULL;
        }
        if (end < len) {
            if (data[end] != '\n') {
                *why = "bad footer";
                return NULL;
            }
            const unsigned char *nl = memchr(data + end + 1, '\n', len - end - 1);
            if (!nl) {
                *why = "unterminated footer";
                return NULL;
            }
            footer = (const char *)data + end + 1;
            footer_len = (size_t)(nl - (data + end + 1));
        }
    }
    if (c.type == 0 || (c.isut != 0 && c.isut != c.type) || (c.isstd != 0 && c.isstd != c.type)) {
        *why = "bad counts";
        return NULL;
    }

    flux_tz *tz = calloc(1, sizeof *tz);
    if (!tz) {
        *why = "out of memory";
        return NULL;
    }
    tz->ntrans = c.time;
    tz->ntypes = c.type;
    tz->trans = malloc((c.time ? c.time : 1) * sizeof *tz->trans);
    tz->trans_type = malloc(c.time ? c.time : 1);
    tz->types = malloc(c.type * sizeof *tz->types);
    tz->chars = malloc((size_t)c.chars + 1);
    if (!tz->trans || !tz->trans_type || !tz->types || !tz->chars) {
        tz_free(tz);
        *why = "out of memory";
        return NULL;
    }
    const unsigned char *p = data + off;
    for (size_t i = 0; i < c.time; i++, p += tsize) {
        tz->trans[i] = tsize == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
        if (i > 0 && tz->trans[i] <= tz->trans[i - 1]) {
            tz_free(tz);
            *why = "transitions out of order";
            return NULL;
        }
    }
    for (size_t i = 0; i < c.time; i++, p++) {
        if (*p >= c.type) {
            tz_free(tz);
            *why = "bad type index";
            return NULL;
        }
        tz->trans_type[i] = *p;
    }
    const unsigned char *ttinfo = p;
    p += (size_t)c.type * 6;
    memcpy(tz->chars, p, c.chars);
    tz->chars[c.chars] = '\0'; /* the last abbreviation ends even in a sloppy file */
    tz->min_off = INT32_MAX;
    tz->max_off = INT32_MIN;
    for (size_t i = 0; i < c.type; i++) {
        int32_t o = (int32_t)be32(ttinfo + i * 6);
        unsigned idx = ttinfo[i * 6 + 5];
        if (o < -MAX_OFF || o > MAX_OFF || ttinfo[i * 6 + 4] > 1 || idx >= c.chars) {
            tz_free(tz);
            *why = "bad local time type";
            return NULL;
        }
        tz->types[i] = (tz_type){o, ttinfo[i * 6 + 4] == 1, tz->chars + idx};
        if (o < tz->min_off)
            tz->min_off = o;
        if (o > tz->max_off)
            tz->max_off = o;
    }
    /* leap-second records are ignored: zone names under right/ are refused
     * before we get here, and the others carry none */

    if (footer && footer_len > 0 && !read_footer(tz, footer, footer_len, why)) {
        tz_free(tz);
        return NULL;
    }
    return tz;
}

/* ---- the cache ---------------------------------------------------------- */

/* Zones are loaded once per name and never unloaded, so callers may keep the
 * pointer; the lock makes loading safe from any thread, and a loaded zone is
 * read-only. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static flux_tz **cache;
static size_t ncache, cache_cap;
static bool atexit_done;

static void free_cache(void)
{
    for (size_t i = 0; i < ncache; i++)
        tz_free(cache[i]);
    free(cache);
    cache = NULL;
    ncache = cache_cap = 0;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static flux_tz *read_zone(const char *name, char *err, size_t errlen)
{
    /* one definition of a zone name for the whole project: the checker's */
    if (!flux_tz_exists(name)) {
        set_err(err, errlen, "unknown time zone '%s'", name);
        return NULL;
    }
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= sizeof path) {
        set_err(err, errlen, "unknown time zone '%s'", name);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, errlen, "cannot open %s", path);
        return NULL;
    }
    unsigned char *data = malloc(MAX_TZIF + 1);
    if (!data) {
        fclose(f);
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    size_t len = fread(data, 1, MAX_TZIF + 1, f);
    bool read_err = ferror(f);
    fclose(f);
    flux_tz *tz = NULL;
    const char *why = "too large";
    if (read_err)
        why = "read error";
    else if (len <= MAX_TZIF)
        tz = parse_tzif(data, len, &why);
    free(data);
    if (!tz) {
        set_err(err, errlen, "time zone file %s is malformed: %s", path, why);
        return NULL;
    }
    tz->name = strdup(name);
    if (!tz->name) {
        tz_free(tz);
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    return tz;
}

const flux_tz *flux_tz_load(const char *name, char *err, size_t errlen)
{
    if (!name) {
        set_err(err, errlen, "no time zone name");
        return NULL;
    }
    pthread_mutex_lock(&cache_lock);
    flux_tz *tz = NULL;
    for (size_t i = 0; i < ncache && !tz; i++)
        if (strcmp(cache[i]->name, name) == 0)
            tz = cache[i];
    if (!tz && (tz = read_zone(name, err, errlen)) != NULL) {
        if (ncache == cache_cap) {
            size_t cap = cache_cap ? cache_cap * 2 : 8;
            flux_tz **grown = realloc(cache, cap * sizeof *grown);
            if (!grown) {
                tz_free(tz);
                tz = NULL;
                set_err(err, errlen, "out of memory");
            } else {
                cache = grown;
                cache_cap = cap;
            }
        }
        if (tz) {
            cache[ncache++] = tz;
            if (!atexit_done) {
                atexit(free_cache); /* so leak checkers see a clean exit */
                atexit_done = true;
            }
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return tz;
}
