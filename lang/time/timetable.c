/* timetable — schedules evaluated into runs: cron ticks in a zone (DST gaps
 * and folds), `every` ticks, intervals and the run that holds an instant. */
#include "timetable.h"
#include "civil.h"
#include "tz.h"

#include <stdbool.h>

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

/* A cron whose hour field allows every hour ("*", "*\/1", "0-23", @hourly)
 * is a pattern of minutes repeated through the day, and is read as Airflow
 * reads such a cron: by absolute hours, so intervals stay equal through a
 * change of offset. Its ticks are the instants whose wall time matches,
 * both passes of a fold included (25 hourly runs on a fall-back day), and a
 * wall time a gap skips is taken at the offset before the gap, i.e. moved
 * later by the gap's length (02:30 in a one-hour gap is 03:30, which already
 * ticks: no half-hour interval). The zone's offsets are walked span by span:
 * within a span of one offset, wall time and instant move together. */
static bool covers_every_hour(const flux_schedule *s)
{
    return s->hours == (1u << 24) - 1;
}

static int hourly_tick_after(const flux_timetable *tt, int64_t t_ms, int64_t *tick_ms)
{
    const flux_schedule *s = &tt->sched;
    if (!cron_can_fire(s))
        return -1;
    if (t_ms < YEAR0_MS)
        t_ms = YEAR0_MS;
    int64_t lo = floor_div64(t_ms, 1000) + 1; /* the first second a tick may be at */
    int64_t from, to, w;
    int32_t off = flux_tz_period(tt->tz, lo, &from, &to);
    for (;;) {
        if (lo >= YEAR10000_MS / 1000)
            return -1;
        bool have = false;
        int64_t best = 0;
        /* wall times of this span, from lo on; none at all: none later either */
        bool more = cron_next_wall(s, lo + off, &w);
        if (more && (to == INT64_MAX || w - off < to)) {
            best = w - off;
            have = true;
        }
        /* wall times skipped by a forward jump at from: at the earlier offset
         * they fall in [from, from + jump), inside this span */
        if (from != INT64_MIN) {
            int64_t pf, pt;
            int32_t before = flux_tz_period(tt->tz, from - 1, &pf, &pt);
            int64_t ws = (lo > from ? lo : from) + before;
            if (before < off && cron_next_wall(s, ws, &w) && w < from + off && (to == INT64_MAX || w - before < to) &&
                (!have || w - before < best)) {
                best = w - before;
                have = true;
            }
        }
        if (have) {
            *tick_ms = best * 1000;
            return 0;
        }
        if (!more || to == INT64_MAX)
            return -1;
        lo = to;
        off = flux_tz_period(tt->tz, lo, &from, &to);
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
        if ((covers_every_hour(&tt->sched) ? hourly_tick_after : cron_tick_after)(tt, t_ms, &tick))
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
