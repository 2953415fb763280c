/* test_lang — the front end below the golden tests: string decoding,
 * expression printing, and the exact output of every filter and function. */
#include <stdio.h>
#include <string.h>

#include "eval.h"
#include "parse.h"
#include "tz.h"
#include "utf8.h"

static int passed, failed;

#define CHECK(cond, ...)                                      \
    do {                                                      \
        if (cond) {                                           \
            passed++;                                         \
        } else {                                              \
            failed++;                                         \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);       \
            printf(__VA_ARGS__);                              \
            printf("\n");                                     \
        }                                                     \
    } while (0)

/* one compilation's worth of state around a text */
typedef struct fixture {
    flux_sources src;
    flux_diags d;
    flux_arena *a;
    uint32_t id;
} fixture;

static void fx_init(fixture *f, const char *text)
{
    flux_sources_init(&f->src);
    flux_diags_init(&f->d, &f->src);
    f->a = flux_arena_new();
    f->id = flux_sources_add(&f->src, "t", text, strlen(text));
}

static void fx_free(fixture *f)
{
    flux_arena_free(f->a);
    flux_diags_free(&f->d);
    flux_sources_free(&f->src);
}

/* renders one expression, evaluated with no run-time context, the sql
 * filter quoting for dialect (compile time when compile_time: a result
 * left for run time renders as "(run time)") */
static void render_in(const char *expr, flux_sql_dialect dialect, bool compile_time, char *out, size_t outlen,
                      int *errors)
{
    fixture fx;
    fx_init(&fx, expr);
    flux_arena *a = fx.a;
    flux_expr *x = flux_parse_expr(a, &fx.d, &fx.src, fx.id, 0, (uint32_t)strlen(expr));
    out[0] = '\0';
    if (x) {
        flux_eval ev = {.arena = a, .diags = &fx.d, .compile_time = compile_time, .sql = dialect};
        flux_value v;
        flux_eval_status s = flux_eval_expr(&ev, x, &v);
        if (s == FLUX_EVAL_OK) {
            flux_buf b = {0};
            flux_value_render(v, &b);
            snprintf(out, outlen, "%s", b.data ? b.data : "");
            flux_buf_free(&b);
        } else if (s == FLUX_EVAL_RUNTIME) {
            snprintf(out, outlen, "(run time)");
        }
    }
    *errors = (int)fx.d.errors;
    fx_free(&fx);
}

/* renders expr at run time with t bound to the instant `at` shown in zone
 * (as the run-time times are) and u to the same instant read from a string */
static void expect_zoned(const char *expr, const char *zone, const char *at, const char *want)
{
    fixture fx;
    fx_init(&fx, expr);
    char err[256] = "", got[512] = "";
    const flux_tz *tz = flux_tz_load(zone, err, sizeof err);
    int64_t ms = 0;
    flux_time_parse(at, &ms, NULL, NULL);
    flux_scope sc = {0};
    flux_scope_bind(fx.a, &sc, "t", flux_time_in(ms, tz), NULL);
    flux_scope_bind(fx.a, &sc, "u", flux_cstr(fx.a, at), NULL);
    flux_expr *x = flux_parse_expr(fx.a, &fx.d, &fx.src, fx.id, 0, (uint32_t)strlen(expr));
    flux_value v;
    flux_eval ev = {.arena = fx.a, .diags = &fx.d, .scope = &sc};
    if (tz && x && flux_eval_expr(&ev, x, &v) == FLUX_EVAL_OK) {
        flux_buf b = {0};
        flux_value_render(v, &b);
        snprintf(got, sizeof got, "%s", b.data ? b.data : "");
        flux_buf_free(&b);
    }
    CHECK(strcmp(got, want) == 0, "%s with t = %s in %s -> '%s', want '%s' %s", expr, at, zone, got, want, err);
    fx_free(&fx);
}

static void render(const char *expr, char *out, size_t outlen, int *errors)
{
    render_in(expr, FLUX_SQL_UNKNOWN, false, out, outlen, errors);
}

/* the sql filter of expr for a dialect, at run time or at compile time */
static void expect_sql(const char *expr, flux_sql_dialect dialect, bool compile_time, const char *want)
{
    char got[512];
    int errors;
    render_in(expr, dialect, compile_time, got, sizeof got, &errors);
    CHECK(errors == 0 && strcmp(got, want) == 0, "%s (dialect %d%s) -> '%s' (errors %d), want '%s'", expr,
          (int)dialect, compile_time ? ", compile time" : "", got, errors, want);
}

static void expect(const char *expr, const char *want)
{
    char got[512];
    int errors;
    render(expr, got, sizeof got, &errors);
    CHECK(errors == 0 && strcmp(got, want) == 0, "%s -> '%s' (errors %d), want '%s'", expr, got, errors, want);
}

static void expect_error(const char *expr)
{
    char got[512];
    int errors;
    render(expr, got, sizeof got, &errors);
    CHECK(errors > 0, "%s should fail, gave '%s'", expr, got);
}

static void expect_print(const char *expr, const char *want)
{
    fixture fx;
    fx_init(&fx, expr);
    flux_expr *x = flux_parse_expr(fx.a, &fx.d, &fx.src, fx.id, 0, (uint32_t)strlen(expr));
    flux_buf b = {0};
    if (x)
        flux_expr_print(x, &b);
    CHECK(x && strcmp(b.data ? b.data : "", want) == 0, "print %s -> '%s', want '%s'", expr, b.data ? b.data : "",
          want);
    flux_buf_free(&b);
    fx_free(&fx);
}

/* the decoded text of the first string value in a one-attribute file */
static void expect_string(const char *src_text, const char *want)
{
    fixture fx;
    fx_init(&fx, src_text);
    flux_file *f = flux_parse_file(fx.a, &fx.d, &fx.src, fx.id);
    const char *got = NULL;
    if (f->body.n == 1 && f->body.v[0]->kind == FLUX_I_ATTR && f->body.v[0]->u.attr.val->kind == FLUX_V_STRING)
        got = flux_tstr_plain(f->body.v[0]->u.attr.val->u.str);
    CHECK(fx.d.errors == 0 && got && strcmp(got, want) == 0, "string of [%s] -> [%s], want [%s]", src_text,
          got ? got : "(none)", want);
    fx_free(&fx);
}

int main(void)
{
    /* strings */
    expect_string("a = \"x\\ty\\n\\\"q\\\" \\\\ \\{{ \\u{e9}\"", "x\ty\n\"q\" \\ {{ \xc3\xa9");
    expect_string("a = \"\"\"\n    SELECT 1\n      FROM t\n    \"\"\"", "SELECT 1\n  FROM t");
    expect_string("a = \"\"\"one line\"\"\"", "one line");
    expect_string("a = \"\"\"\n  a\n\n  b\n\"\"\"", "a\n\nb");
    expect_string("a = \"\"\"\n\tx \\n y\n\"\"\"", "x \\n y");

    /* operators */
    expect("1 + 2 * 3", "7");
    expect("(1 + 2) * 3", "9");
    expect("7 // 2", "3");
    expect("-7 // 2", "-4");
    expect("-7 % 3", "2");
    expect("7 / 2", "3.5");
    expect("1.0e3", "1000.0");
    expect("1.0e20", "1e+20");
    expect("0.00001", "1e-05");
    expect("2.0 * 3", "6.0");
    expect("1.5 + 1", "2.5");
    expect("0.1 + 0.2", "0.30000000000000004");
    /* a literal is read whole, however long */
    expect("0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "000000000000000000000000000000000000000000000000000001",
           "1e-151");
    expect("1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
           "0000000000000000000000000000000000000000.0",
           "1e+139");
    expect("\"a\" ~ 1 ~ true", "a1true");
    expect("\"a\" + \"b\"", "ab");
    expect("[1, 2] + [3]", "[1, 2, 3]");
    expect("1 if 2 > 1 else 0", "1");
    expect("not 0 and 3", "3");
    expect("0 or \"x\"", "x");
    expect("2 in [1, 2]", "true");
    expect("\"b\" not in \"abc\"", "false");
    expect("{\"a\": 1}[\"a\"]", "1");
    expect("{\"a\": {\"b\": 2}}.a.b", "2");
    expect("[1, 2, 3][-1]", "3");
    expect("1h30m + 30m", "2h");
    expect("90m", "1h30m");
    expect("-1h", "-1h");
    expect_error("\"a\" + 1");
    expect_error("1 / 0");
    expect_error("5 % 0");
    expect_error("9223372036854775807 + 1");
    /* integers are written without printf: every digit and sign */
    expect("-9223372036854775807 - 1", "-9223372036854775808");
    expect("9223372036854775807", "9223372036854775807");
    expect("0 - 5", "-5");
    expect("[0, -12, 9223372036854775807, -9223372036854775807 - 1] | json",
           "[0, -12, 9223372036854775807, -9223372036854775808]");
    /* // and % on floats: Python's results, signs included */
    expect("1.0 // 0.1", "9.0");
    expect("1.0 % 0.1", "0.09999999999999995");
    expect("100000000000000000000.0 % 3", "1.0");
    expect("100000000000000000000.0 // 3", "3.333333333333333e+19");
    expect("-7.5 // 2.0", "-4.0");
    expect("-7.5 % 2.0", "0.5");
    expect("7.5 % -2.0", "-0.5");
    expect("7.5 // -2.0", "-4.0");
    expect("0.0 % -1.0", "-0.0");
    expect("(-0.0) % 1.0", "0.0");
    expect("0.0 // -1.0", "-0.0");
    expect("(-1.0) // 3.0", "-1.0");
    expect("6.0 % 3", "0.0");
    expect("-6.0 % 3", "0.0");
    expect("7 // 2.0", "3.0");
    expect_error("1.0 // 0.0");
    expect_error("1.0 % 0");
    expect_error("1.0e308 // 1.0e-10"); /* Python's inf: no number here */
    expect_error("[1][3]");
    expect_error("{\"a\": 1}.b");
    expect_error("nosuchname");

    /* filters */
    expect("\"MiXed\" | upper", "MIXED");
    expect("\"MiXed\" | lower", "mixed");
    expect("\"  pad \\n\" | trim", "pad");
    expect("\"a-b-c\" | replace(\"-\", \"_\")", "a_b_c");
    expect("none | default(\"d\")", "d");
    expect("\"\" | default(\"d\")", "");
    expect("\"\" | default(\"d\", true)", "d");
    expect("[\"a\", \"b\", 3] | join(\",\")", "a,b,3");
    expect("[1, 2] | join", "12");
    expect("\"h\xc3\xa9\" | length", "2");
    expect("[1, 2, 3] | length", "3");
    expect("\" 42 \" | int", "42");
    expect("3.9 | int", "3");
    expect("-3.9 | int", "-3");
    /* every number an integer can hold, and no other */
    expect("9223372036854774784.0 | int", "9223372036854774784");
    expect("(-9223372036854775808.0) | int", "-9223372036854775808");
    expect_error("9223372036854775808.0 | int");
    expect_error("(-9223372036854777856.0) | int");
    expect_error("\"4x\" | int");
    expect("12 | string", "12");
    expect("{\"k\": [1, \"two\", none, true]} | json", "{\"k\": [1, \"two\", null, true]}");
    /* indexing by byte can cut a character: JSON gets U+FFFD, text the byte */
    expect("\"\xc3\xa9\"[0] | json", "\"\\ufffd\"");
    expect("[\"\xc3\xa9\"[1], \"h\xc3\xa9\"] | json", "[\"\\ufffd\", \"h\xc3\xa9\"]");
    expect("[\"\xc3\xa9\"[0]]", "[\"\\ufffd\"]");
    expect("\"\xc3\xa9\"[0]", "\xc3");
    expect("{\"\xf0\x9f\x98\x80\"[0]: \"\xf0\x9f\x98\x80\"[3]}", "{\"\\ufffd\": \"\\ufffd\"}");
    expect("\"it's\" | shquote", "'it'\\''s'");
    expect("\"\" | shquote", "''");
    expect("\"O'Brien\\\\\" | sql", "'O''Brien\\\\'");
    expect("5 | sql", "5");
    expect("none | sql", "NULL");
    expect("[1, \"a\"] | sql", "(1, 'a')");
    /* MySQL reads a backslash as an escape, SQLite does not */
    expect_sql("\"a\\\\b it's\" | sql", FLUX_SQL_MYSQL, false, "'a\\\\b it''s'");
    expect_sql("\"a\\\\b it's\" | sql", FLUX_SQL_SQLITE, false, "'a\\b it''s'");
    expect_sql("\"a\\\\b it's\" | sql", FLUX_SQL_UNKNOWN, false, "'a\\\\b it''s'");
    expect_sql("[\"x\\\\\", 1] | sql", FLUX_SQL_SQLITE, false, "('x\\', 1)");
    /* at compile time, a literal that differs between them waits */
    expect_sql("\"a\\\\b\" | sql", FLUX_SQL_UNKNOWN, true, "(run time)");
    expect_sql("[\"it's\", \"b\\\\\"] | sql", FLUX_SQL_UNKNOWN, true, "(run time)");
    expect_sql("\"it's\" | sql", FLUX_SQL_UNKNOWN, true, "'it''s'");
    expect_sql("\"a\\\\b\" | sql", FLUX_SQL_SQLITE, true, "'a\\b'");
    expect("\"2026-03-28T23:30:00Z\" | ds", "2026-03-28");
    expect("\"2026-03-28T23:30:00Z\" | ds_nodash", "20260328");
    expect("\"2026-03-28T23:30:00Z\" | ts", "2026-03-28T23:30:00+00:00");
    expect("\"2026-03-28T23:30:00Z\" | ts_nodash", "20260328T233000");
    expect("\"2026-03-28T23:30:05Z\" | date(\"%Y/%m/%d %H:%M:%S %j %a %b\")", "2026/03/28 23:30:05 087 Sat Mar");
    expect("\"2026-03-28T23:30:00Z\" | add(1h)", "2026-03-29T00:30:00Z");
    expect("\"2024-02-28T12:00:00+02:00\" | add(1d) | ds", "2024-02-29");
    expect_error("\"2026-03-28\" | date(\"%Q\")");
    expect_error("\"x\" | nosuch");
    expect_error("\"x\" | replace(\"a\")");
    expect("[3, 4] | first", "3");
    expect("[3, 4] | last", "4");

    /* time ± duration is absolute, shown at the zone's offset of the new
     * instant: New York springs forward on 2027-03-14 at 02:00 EST (07:00Z)
     * and falls back on 2027-11-07 at 02:00 EDT (06:00Z) */
    expect_zoned("t", "America/New_York", "2027-03-14T06:00:00Z", "2027-03-14T01:00:00-05:00");
    expect_zoned("t + 1h", "America/New_York", "2027-03-14T06:00:00Z", "2027-03-14T03:00:00-04:00");
    expect_zoned("t + 59m", "America/New_York", "2027-03-14T06:00:00Z", "2027-03-14T01:59:00-05:00");
    expect_zoned("t + 1h - 1h", "America/New_York", "2027-03-14T06:00:00Z", "2027-03-14T01:00:00-05:00");
    expect_zoned("t | add(1h)", "America/New_York", "2027-03-14T06:00:00Z", "2027-03-14T03:00:00-04:00");
    expect_zoned("t + 1d", "America/New_York", "2027-03-14T06:00:00Z", "2027-03-15T02:00:00-04:00");
    expect_zoned("(t + 1h) | ts", "America/New_York", "2027-03-14T06:00:00Z", "2027-03-14T03:00:00-04:00");
    expect_zoned("(t + 1h) | date(\"%H:%M\")", "America/New_York", "2027-03-14T06:00:00Z", "03:00");
    expect_zoned("(t + 1h) - t", "America/New_York", "2027-03-14T06:00:00Z", "1h");
    expect_zoned("t + 1h", "America/New_York", "2027-11-07T05:00:00Z", "2027-11-07T01:00:00-05:00");
    expect_zoned("t + 2h", "America/New_York", "2027-11-07T05:00:00Z", "2027-11-07T02:00:00-05:00");
    expect_zoned("t - 1h", "America/New_York", "2027-11-07T07:00:00Z", "2027-11-07T01:00:00-05:00");
    expect_zoned("t - 2h", "America/New_York", "2027-11-07T07:00:00Z", "2027-11-07T01:00:00-04:00");
    expect_zoned("t + 1h", "Europe/Berlin", "2027-03-28T00:30:00Z", "2027-03-28T03:30:00+02:00");
    expect_zoned("t == t + 1h - 1h", "Europe/Berlin", "2027-03-28T00:30:00Z", "true");
    /* a string read as a time is shown in UTC, moved or not */
    expect_zoned("u | add(1h)", "America/New_York", "2027-03-14T06:00:00Z", "2027-03-14T07:00:00Z");

    /* functions */
    expect("range(3)", "[0, 1, 2]");
    expect("range(2, 5)", "[2, 3, 4]");
    expect("range(10, 0, -4)", "[10, 6, 2]");
    expect("range(0)", "[]");
    expect_error("range(1, 2, 0)");
    expect_error("range(100000000)");
    expect("ds_add(\"2026-12-31\", 1)", "2027-01-01");
    expect("ds_add(\"2024-03-01\", -1)", "2024-02-29");
    expect("ds_format(\"20261123\", \"%Y%m%d\", \"%d/%m/%Y\")", "23/11/2026");
    expect_error("ds_format(\"2026-02-30\", \"%Y-%m-%d\", \"%Y\")");
    expect_error("ds_add(\"yesterday\", 1)");

    /* printing keeps meaning with the fewest parentheses that are safe */
    expect_print("a.b[0] | f(1, \"x\")", "a.b[0] | f(1, \"x\")");
    expect_print("(1 + 2) * -x", "(1 + 2) * (-x)");
    expect_print("a if b else c ~ d", "a if b else (c ~ d)");
    expect_print("not a in b", "not (a in b)");
    expect_print("90m", "1h30m");
    expect_print("{\"k\": [1.5, none]}", "{\"k\": [1.5, none]}");
    /* a float prints as a literal that reads back: 1e+16 would not */
    expect_print("10000000000000000.0 * x", "1.0e+16 * x");
    expect_print("x + 0.00001", "x + 1.0e-05");

    /* UTF-8: one strict validator for every caller */
    static const struct {
        const char *bytes;
        bool valid;
        size_t chars;
    } u8[] = {
        {"plain", true, 5},
        {"\xc3\xa9t\xc3\xa9", true, 3},
        {"\xf0\x9f\x98\x80", true, 1},          /* U+1F600 */
        {"\xf4\x8f\xbf\xbf", true, 1},          /* U+10FFFF, the last */
        {"\xed\x9f\xbf", true, 1},              /* U+D7FF, before the surrogates */
        {"\xed\xa0\x80", false, 0},             /* U+D800, a surrogate */
        {"\xed\xbf\xbf", false, 0},             /* U+DFFF */
        {"\xf4\x90\x80\x80", false, 0},         /* past U+10FFFF */
        {"\xc0\xaf", false, 0},                 /* overlong '/' */
        {"\xe0\x80\xaf", false, 0},             /* overlong, three bytes */
        {"\xc3", false, 0},                     /* truncated */
        {"a\x80", false, 0},                    /* a lone continuation byte */
        {"\xf8\x88\x80\x80\x80", false, 0},     /* a five-byte form */
    };
    for (size_t i = 0; i < sizeof u8 / sizeof *u8; i++) {
        size_t chars = 99;
        bool v = flux_utf8_valid(u8[i].bytes, strlen(u8[i].bytes), &chars);
        CHECK(v == u8[i].valid && (!v || chars == u8[i].chars), "utf8 case %zu: valid %d chars %zu", i, v, chars);
    }
    flux_buf fixed = {0};
    flux_utf8_sanitize("a\xed\xa0\x80" "b", 5, &fixed);
    CHECK(fixed.len == 11 && memcmp(fixed.data, "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b", 11) == 0,
          "sanitize replaces each bad byte with U+FFFD");
    flux_buf_free(&fixed);

    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
