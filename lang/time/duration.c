/* duration — parsing durations from text and printing them canonically;
 * elapsed times printed for people. */
#include "duration.h"
#include "text.h"

#include <inttypes.h>
#include <string.h>

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
        if (flux_text_eq_nocase(word, n, units[i].name)) {
            flux_sched_hint(err, "units are lowercase: write '%s' (" UNIT_LIST ")", units[i].name);
            return;
        }
    for (size_t i = 0; i < sizeof unit_words / sizeof unit_words[0]; i++)
        if (flux_text_eq_nocase(word, n, unit_words[i].word)) {
            flux_sched_hint(err, "write '%s' (" UNIT_LIST ")", unit_words[i].unit);
            return;
        }
    flux_sched_hint(err, UNIT_LIST);
}

int flux_duration_parse(const char *text, size_t len, int64_t *ms, flux_sched_error *err)
{
    char cb[12];
    if (!text || len == 0) {
        flux_sched_fail(err, 0, 0, "empty duration");
        flux_sched_hint(err, "write a number and a unit, e.g. '30s', '5m' or '1h30m'");
        return -1;
    }
    int64_t total = 0;
    int last = -1;
    size_t p = 0;
    while (p < len) {
        size_t ns = p;
        if (text[p] == '-') {
            flux_sched_fail(err, p, 1, "a duration cannot be negative");
            return -1;
        }
        if (!flux_is_digit(text[p])) {
            if (flux_is_alpha(text[p])) {
                size_t q = p;
                while (q < len && flux_is_alpha(text[q]))
                    q++;
                flux_sched_fail(err, p, q - p, "expected a number before '%.*s'", FLUX_SCHED_CLIP(q - p), text + p);
                flux_sched_hint(err, "write a number and a unit, e.g. '30s', '5m' or '1h30m'");
            } else {
                flux_sched_fail(err, p, 1, "unexpected character %s in duration", flux_text_char_repr(text[p], cb));
            }
            return -1;
        }
        int64_t n = 0;
        bool big = false;
        while (p < len && flux_is_digit(text[p])) {
            int d = text[p] - '0';
            if (big || n > (INT64_MAX - d) / 10)
                big = true;
            else
                n = n * 10 + d;
            p++;
        }
        if (p + 1 < len && (text[p] == '.' || text[p] == ',') && flux_is_digit(text[p + 1])) {
            size_t q = p + 1;
            while (q < len && flux_is_digit(text[q]))
                q++;
            while (q < len && flux_is_alpha(text[q]))
                q++;
            flux_sched_fail(err, ns, q - ns, "fractional durations are not supported");
            flux_sched_hint(err, "combine units instead, e.g. '1h30m' rather than '1.5h'");
            return -1;
        }
        size_t us = p;
        while (p < len && flux_is_alpha(text[p]))
            p++;
        if (us == p) {
            if (p == len) {
                flux_sched_fail(err, ns, p - ns, "missing unit after '%.*s'", FLUX_SCHED_CLIP(p - ns), text + ns);
                flux_sched_hint(err, UNIT_LIST);
            } else {
                flux_sched_fail(err, p, 1, "unexpected character %s in duration", flux_text_char_repr(text[p], cb));
            }
            return -1;
        }
        int idx = -1;
        for (size_t i = 0; i < NUNITS; i++)
            if (p - us == strlen(units[i].name) && memcmp(text + us, units[i].name, p - us) == 0)
                idx = (int)i;
        if (idx < 0) {
            flux_sched_fail(err, us, p - us, "unknown unit '%.*s' in duration", FLUX_SCHED_CLIP(p - us), text + us);
            unit_hint(err, text + us, p - us);
            return -1;
        }
        if (idx <= last) {
            if (idx == last)
                flux_sched_fail(err, us, p - us, "unit '%s' appears twice in duration", units[idx].name);
            else
                flux_sched_fail(err, us, p - us, "unit '%s' comes after '%s' in duration", units[idx].name,
                     units[last].name);
            flux_sched_hint(err, "write each unit once, largest first, e.g. '1h30m'");
            return -1;
        }
        if (big || n > INT64_MAX / units[idx].ms || n * units[idx].ms > INT64_MAX - total) {
            flux_sched_fail(err, ns, p - ns, "duration '%.*s' is too large", FLUX_SCHED_CLIP(len), text);
            return -1;
        }
        total += n * units[idx].ms;
        last = idx;
    }
    if (ms)
        *ms = total;
    return 0;
}

void flux_print_duration(int64_t ms, flux_buf *out)
{
    static const struct { const char *unit; int64_t ms; } units[] = {
        {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
    if (ms == 0) {
        flux_buf_puts(out, "0s");
        return;
    }
    if (ms < 0) {
        flux_buf_putc(out, '-');
        ms = -ms;
    }
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        if (ms >= units[i].ms) {
            flux_buf_printf(out, "%" PRId64 "%s", ms / units[i].ms, units[i].unit);
            ms %= units[i].ms;
        }
    }
}

/* a larger and a smaller unit, the smaller left out when zero */
static void two_units(flux_buf *out, int64_t n, int64_t per, const char *big, const char *small)
{
    flux_buf_printf(out, "%" PRId64 "%s", n / per, big);
    if (n % per)
        flux_buf_printf(out, "%" PRId64 "%s", n % per, small);
}

void flux_print_elapsed(int64_t ms, flux_buf *out)
{
    if (ms < 0) {
        flux_buf_putc(out, '-');
        ms = ms == INT64_MIN ? INT64_MAX : -ms;
    }
    /* each branch rounds to its own unit, so 59.96 s is "1m", not "60.0s" */
    if (ms < 1000) {
        flux_buf_printf(out, "%" PRId64 "ms", ms);
        return;
    }
    int64_t tenths = ms / 100 + (ms % 100 >= 50);
    if (tenths < 600) {
        flux_buf_printf(out, "%" PRId64, tenths / 10);
        if (tenths % 10)
            flux_buf_printf(out, ".%" PRId64, tenths % 10);
        flux_buf_putc(out, 's');
        return;
    }
    int64_t secs = ms / 1000 + (ms % 1000 >= 500);
    if (secs < 3600) {
        two_units(out, secs, 60, "m", "s");
        return;
    }
    int64_t mins = ms / 60000 + (ms % 60000 >= 30000);
    if (mins < 1440) {
        two_units(out, mins, 60, "h", "m");
        return;
    }
    int64_t hours = ms / 3600000 + (ms % 3600000 >= 1800000);
    two_units(out, hours, 24, "d", "h");
}
