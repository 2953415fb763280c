/* test_helpers — unit tests for the helpers that have one home in lang/:
 * shortest float text (base/text), the bounded YAML tree (base/yamltree),
 * civil dates and ISO text (time/civil, time/isotime), durations
 * (time/duration), clocks (time/clock) and typed attribute getters
 * (pipeline/attr). Prints one line per failing check and ends with
 * "N passed, N failed". */
#include "attr.h"
#include "civil.h"
#include "clock.h"
#include "duration.h"
#include "isotime.h"
#include "text.h"
#include "yamltree.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"

#define CHECK(cond) check_at(__LINE__, (cond), "%s", #cond)
#define SAME(got, want) check_at(__LINE__, strcmp((got), (want)) == 0, "got \"%s\", want \"%s\"", (got), (want))

static void test_doubles(void)
{
    char b[FLUX_DOUBLE_TEXT];
    SAME(flux_text_double(1000.0, b), "1000.0");
    SAME(flux_text_double(0.1, b), "0.1");
    SAME(flux_text_double(0.1 + 0.2, b), "0.30000000000000004");
    SAME(flux_text_double(1e16, b), "1e+16");
    SAME(flux_text_double(1e-5, b), "1e-05");
    SAME(flux_text_double(-0.0, b), "-0.0");
    SAME(flux_text_double(NAN, b), "nan");
    SAME(flux_text_double(-INFINITY, b), "-inf");
    /* exactly Python's repr: 17 significant digits where 16 do not read back,
     * an exponent from 1e16 on and below 1e-4 */
    SAME(flux_text_double(0.027906976744186046, b), "0.027906976744186046");
    SAME(flux_text_double(1.5335814580219808e16, b), "1.5335814580219808e+16");
    SAME(flux_text_double(9999999999999998.0, b), "9999999999999998.0");
    SAME(flux_text_double(0.0001, b), "0.0001");
    SAME(flux_text_double(0.00012345, b), "0.00012345");
    SAME(flux_text_double(1.2345e-5, b), "1.2345e-05");
    SAME(flux_text_double(1e100, b), "1e+100");
    SAME(flux_text_double(-2.5e-308, b), "-2.5e-308");
    SAME(flux_text_double(5e-324, b), "5e-324");
    SAME(flux_text_double(1.7976931348623157e308, b), "1.7976931348623157e+308");
    SAME(flux_text_double(123456789012345680.0, b), "1.2345678901234568e+17");
    SAME(flux_text_double(0.1 * 3, b), "0.30000000000000004");
    /* a power of two whose closest 16-digit decimal reads back as the double
     * below it: the other neighbour is the shortest (2^-1017) */
    SAME(flux_text_double(ldexp(1.0, -1017), b), "7.120236347223045e-307");
    /* as a Flux literal: digits on both sides of the point */
    SAME(flux_text_double_literal(1e16, b), "1.0e+16");
    SAME(flux_text_double_literal(-1e-5, b), "-1.0e-05");
    SAME(flux_text_double_literal(1.5e16, b), "1.5e+16");
    SAME(flux_text_double_literal(2.0, b), "2.0");
    SAME(flux_text_double_g(1000.0, b), "1000");
    SAME(flux_text_double_g(1e15, b), "1e+15");
    SAME(flux_text_double_g(0.1 + 0.2, b), "0.30000000000000004");
}

static const char *iso(int64_t ms, int32_t off, unsigned flags)
{
    static char out[64];
    flux_buf b = {0};
    flux_time_iso_fmt(ms, off, flags, &b);
    snprintf(out, sizeof out, "%s", flux_buf_cstr(&b));
    flux_buf_free(&b);
    return out;
}

/* how long something took, as every command prints it: two units at most */
static const char *elapsed(int64_t ms)
{
    static char out[64];
    flux_buf b = {0};
    flux_print_elapsed(ms, &b);
    snprintf(out, sizeof out, "%s", flux_buf_cstr(&b));
    flux_buf_free(&b);
    return out;
}

static void test_elapsed(void)
{
    SAME(elapsed(0), "0ms");
    SAME(elapsed(850), "850ms");
    SAME(elapsed(999), "999ms");
    SAME(elapsed(1000), "1s");
    SAME(elapsed(12345), "12.3s");
    SAME(elapsed(12960), "13s");
    SAME(elapsed(59960), "1m");
    SAME(elapsed(270000), "4m30s");
    SAME(elapsed(270400), "4m30s");
    SAME(elapsed(3599600), "1h");
    SAME(elapsed(3720000), "1h2m");
    SAME(elapsed(3600000 + 59 * 60000 + 40000), "2h");
    SAME(elapsed(86400000 + 3 * 3600000 + 100), "1d3h");
    SAME(elapsed(-1500), "-1.5s");
}

static void test_times(void)
{
    CHECK(flux_days_from_civil(1970, 1, 1) == 0);
    CHECK(flux_days_from_civil(2000, 3, 1) == 11017);
    int64_t y;
    unsigned m, d;
    flux_civil_from_days(-1, &y, &m, &d);
    CHECK(y == 1969 && m == 12 && d == 31);
    CHECK(flux_civil_month_days(2024, 2) == 29 && flux_civil_month_days(1900, 2) == 28);
    SAME(flux_civil_month_name(2), "February");
    flux_civil_time c = flux_civil_at(1762000000123);
    CHECK(c.y == 2025 && c.m == 11 && c.d == 1 && c.ms == 123 && c.wday == 6);
    int64_t t = 1793491200000; /* 2026-11-01T00:00:00Z */
    SAME(iso(t, 0, 0), "2026-11-01T00:00:00Z");
    SAME(iso(t + 5, 3600, 0), "2026-11-01T01:00:00.005+01:00");
    SAME(iso(t, 0, FLUX_ISO_MILLIS), "2026-11-01T00:00:00.000Z");
    SAME(iso(t + 999, 0, FLUX_ISO_SECONDS), "2026-11-01T00:00:00Z");
    SAME(iso(t + 5, 0, FLUX_ISO_SQL | FLUX_ISO_MILLIS), "2026-11-01 00:00:00.005");
    int64_t back;
    bool zone;
    CHECK(flux_time_parse("2026-11-01T01:00:00+01:00", &back, &zone, NULL) == 0 && back == t && zone);
    flux_buf b = {0};
    flux_print_duration(5400000, &b);
    flux_print_duration(0, &b);
    flux_print_duration(-500, &b);
    SAME(flux_buf_cstr(&b), "1h30m0s-500ms");
    flux_buf_free(&b);
    test_elapsed();
    int64_t w0 = flux_clock_wall_ms(), m0 = flux_clock_mono_us();
    CHECK(w0 > t - 10LL * 365 * 86400000 && flux_clock_mono_us() >= m0 && flux_clock_mono_ms() >= m0 / 1000);
}

static flux_ynode *tree(flux_arena *a, const char *text, const flux_yaml_opts *o, flux_yaml_error *e)
{
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    flux_ynode *n = flux_yaml_tree(a, &p, o, e);
    yaml_parser_delete(&p);
    return n;
}

static void test_yaml(void)
{
    flux_arena *a = flux_arena_new();
    flux_yaml_opts strict = {.max_depth = 3, .one_document = true, .no_anchors = true};
    flux_yaml_opts lax = {.max_depth = 3};
    flux_yaml_error e;
    flux_ynode *n = tree(a, "a: [1, !t x]\nb: 'q'\n", &strict, &e);
    CHECK(n && n->kind == FLUX_YNODE_MAP && n->n == 4 && n->kids[1]->n == 2);
    CHECK(n && strcmp(n->kids[1]->kids[1]->tag, "!t") == 0 && n->kids[3]->style == YAML_SINGLE_QUOTED_SCALAR_STYLE);
    CHECK(n && n->kids[2]->line == 2 && n->kids[2]->col == 1);
    CHECK(!tree(a, "a: [[[1]]]\n", &strict, &e) && e.status == FLUX_YAML_TOO_DEEP && e.line == 1 && e.col == 6);
    CHECK(tree(a, "a: [[1]]\n", &strict, &e) != NULL);
    CHECK(!tree(a, "a: &x 1\nb: *x\n", &lax, &e) && e.status == FLUX_YAML_ALIAS && e.line == 2);
    CHECK(!tree(a, "a: &x 1\n", &strict, &e) && e.status == FLUX_YAML_ANCHOR);
    CHECK(tree(a, "a: &x 1\n", &lax, &e) != NULL);
    CHECK(!tree(a, "a: 1\n---\nb: 2\n", &strict, &e) && e.status == FLUX_YAML_SECOND_DOCUMENT && e.line == 2);
    n = tree(a, "a: 1\n---\nb: 2\n", &lax, &e);
    CHECK(n && strcmp(n->kids[0]->s, "a") == 0);
    CHECK(!tree(a, "", &lax, &e) && e.status == FLUX_YAML_EMPTY);
    CHECK(!tree(a, "a: [\n", &lax, &e) && e.status == FLUX_YAML_PARSER && e.problem);
    flux_arena_free(a);
}

static void test_attrs(void)
{
    flux_attr v[] = {
        {.key = "retries", .val = {.kind = FLUX_F_INT, .u.i = 3}},
        {.key = "timeout", .val = {.kind = FLUX_F_DURATION, .u.ms = 60000}},
        {.key = "catchup", .val = {.kind = FLUX_F_BOOL, .u.b = true}},
        {.key = "trigger_rule", .val = {.kind = FLUX_F_IDENT, .u.str = {"all_done", 8}}},
        {.key = "retries", .val = {.kind = FLUX_F_INT, .u.i = 9}},
    };
    flux_attrs as = {v, 5, 5};
    CHECK(flux_attr_int(&as, "retries", -1) == 3); /* the first of a name */
    CHECK(flux_attr_int(&as, "timeout", -1) == -1); /* another type: the default */
    CHECK(flux_attr_ms(&as, "timeout", 0) == 60000);
    CHECK(flux_attr_bool(&as, "catchup", false));
    SAME(flux_attr_word(&as, "trigger_rule", "x"), "all_done");
    SAME(flux_attr_word(&as, "missing", "dflt"), "dflt");
    CHECK(flux_attr_find(&as, "missing") == NULL && flux_attr_field(&as, "catchup") == &v[2].val);
}

int main(void)
{
    test_doubles();
    test_times();
    test_yaml();
    test_attrs();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
