/* test_wrap — flux-wrap's copy of a task's output (runtime/exec/wrap_report.c,
 * wrap_log.c, wrap_tail.c): the report lines taken as the output streams
 * by, whatever the sizes of the reads that bring it (a line split anywhere
 * between two reads reads the same), with their limits; the last line a
 * failed try's note gets, the same whatever the reads; the log kept under
 * max_log_size as its first and last halves around a marker line. The
 * report file is read back with the runner's reader (opreport.h).
 */
#define _GNU_SOURCE /* mkdtemp */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opreport.h"
#include "unit.h"
#include "wrap_log.h"
#include "wrap_report.h"
#include "wrap_tail.h"

static char dir[64];
static int dirfd_ = -1;

static char *slurp(const char *name, size_t *len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        *len = 0;
        return NULL;
    }
    char *buf = malloc((1 << 22) + 1);
    *len = fread(buf, 1, 1 << 22, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* the report of text fed in reads of at most chunk bytes (0: one read);
 * the notices in *notices (malloc'd) */
static char *report_of(const char *text, size_t len, size_t chunk, int64_t max_value, int64_t max_outputs,
                       char **notices)
{
    wrap_report *r = wrap_report_new(max_value, max_outputs);
    unsigned seed = (unsigned)chunk;
    for (size_t at = 0; at < len;) {
        size_t n = chunk ? 1 + (size_t)rand_r(&seed) % chunk : len;
        if (n > len - at)
            n = len - at;
        wrap_report_scan(r, text + at, n);
        at += n;
    }
    *notices = strdup(wrap_report_end(r));
    unlinkat(dirfd_, "t.report", 0);
    char note[256];
    check(wrap_report_write(r, dirfd_, "t.report", 0, 0, note, sizeof note) == 0, "report written: %s", note);
    wrap_report_free(r);
    size_t n;
    char *got = slurp("t.report", &n);
    return got ? got : strdup("");
}

static void report_lines(void)
{
    static const char text[] = "hello\n"
                               "::output rows=1\r\n"
                               "::outputs=no\n"
                               "::output bad-key=1\n"
                               "f\n"
                               "flux: first reason\n"
                               "::counts read=3 written=2 rejected=1 bytes=9\n"
                               "  ::output indented=1\n"
                               "::lineage {\"direction\": \"read\", \"kind\": \"file\", \"name\": \"a\"}\n"
                               "x::output inline=1\n"
                               "::output rows=2\n"
                               "::counts read=4 written=4 rejected=0 bytes=1\n"
                               "flux: last reason\r\n"
                               "::output tail=end";
    const char *want = "::output rows=2\n"
                       "::output tail=end\n"
                       "::counts read=4 written=4 rejected=0 bytes=1\n"
                       "::lineage {\"direction\": \"read\", \"kind\": \"file\", \"name\": \"a\"}\n"
                       "::reason last reason\n"
                       "::end\n";
    /* the same report, one read or reads of any size */
    size_t chunks[] = {0, 1, 2, 3, 7, 11, 64};
    for (size_t i = 0; i < sizeof chunks / sizeof *chunks; i++) {
        char *notices;
        char *got = report_of(text, sizeof text - 1, chunks[i], 0, 0, &notices);
        check(!strcmp(got, want), "reads of up to %zu bytes: got [%s]", chunks[i], got);
        check(!*notices, "no notices: [%s]", notices);
        free(got);
        free(notices);
    }
    /* the runner reads it back */
    char *notices;
    free(report_of(text, sizeof text - 1, 5, 0, 0, &notices));
    free(notices);
    char path[128];
    snprintf(path, sizeof path, "%s/t.report", dir);
    flux_op_report r;
    check(flux_op_read_report(path, 1 << 20, &r) == 0 && r.whole, "read back whole");
    check(r.outputs_json && !strcmp(r.outputs_json, "{\"rows\": \"2\", \"tail\": \"end\"}"), "outputs %s",
          r.outputs_json);
    check(r.has_counts && r.read == 4 && r.written == 4 && r.bytes == 1, "counts");
    check(r.reason && !strcmp(r.reason, "last reason"), "reason %s", r.reason);
    check(!r.refused && !r.log_dropped, "nothing refused or dropped");
    flux_op_report_free(&r);
    check(flux_op_read_report(path, 10, &r) == -1, "a report larger than its bound is not read");
    flux_op_report_free(&r);
    snprintf(path, sizeof path, "%s/none.report", dir);
    check(flux_op_read_report(path, 1 << 20, &r) == 1, "no report: 1");
    flux_op_report_free(&r);
    /* nothing to say: no file */
    unlinkat(dirfd_, "t.report", 0);
    wrap_report *w = wrap_report_new(0, 0);
    wrap_report_scan(w, "plain\nlines\n", 12);
    wrap_report_end(w);
    char note[256];
    check(wrap_report_write(w, dirfd_, "t.report", 0, 0, note, sizeof note) == 0, "nothing written");
    check(faccessat(dirfd_, "t.report", F_OK, 0) != 0, "no report file when there is nothing to say");
    wrap_report_free(w);
}

/* one line of n bytes: prefix then x's, a newline */
static size_t line_of(char *buf, const char *prefix, size_t n)
{
    size_t p = strlen(prefix);
    memcpy(buf, prefix, p);
    memset(buf + p, 'x', n - p);
    buf[n] = '\n';
    return n + 1;
}

static void report_limits(void)
{
    char *text = malloc(1 << 22), *notices;
    size_t len = 0;
    /* a value of 101 bytes over max_value 100: refused, the task fails */
    len += line_of(text + len, "::output big=", 13 + 101);
    len += line_of(text + len, "::output ok=", 12 + 100);
    /* a lineage line over max_value + 1024: not a report */
    len += line_of(text + len, "::lineage ", 2000);
    /* a reason longer than 1023 bytes is cut */
    len += line_of(text + len, "flux: ", 6 + 1500);
    for (size_t chunk = 0; chunk < 40; chunk += 13) {
        char *got = report_of(text, len, chunk, 100, 10000, &notices);
        char want_reason[1100];
        memset(want_reason, 'x', 1023);
        want_reason[1023] = '\0';
        char want[2000];
        snprintf(want, sizeof want,
                 "::output ok=%.100s\n::reason %s\n::refused output 'big' is longer than max_output_value (100 bytes): "
                 "101 bytes\n::end\n",
                 want_reason, want_reason);
        check(!strcmp(got, want), "limits, reads of %zu: got [%.300s]", chunk, got);
        check(!strcmp(notices, "flux-wrap: output 'big' is longer than max_output_value (100 bytes): 101 bytes; the "
                               "task fails\nflux-wrap: a ::lineage line longer than 1124 bytes is not a report: not "
                               "recorded\n"),
              "notices [%s]", notices);
        free(got);
        free(notices);
    }
    /* outputs together over max_outputs: the one that goes over is named;
     * a later value of a key replaces its earlier one in the total */
    len = 0;
    for (int i = 0; i < 5; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "::output k%d=", i);
        len += line_of(text + len, prefix, strlen(prefix) + 30);
    }
    char *got = report_of(text, len, 0, 100, 100, &notices);
    check(strstr(got, "::refused outputs total more than max_outputs (100 bytes) with 'k3'\n") &&
              strstr(got, "::output k2=") && !strstr(got, "::output k3="),
          "total: [%s]", got);
    free(got);
    free(notices);
    len = 0;
    for (int i = 0; i < 10; i++)
        len += line_of(text + len, "::output same=", 14 + 30);
    got = report_of(text, len, 0, 100, 100, &notices);
    check(!strstr(got, "::refused"), "one key printed ten times is counted once: [%s]", got);
    free(got);
    free(notices);
    /* a hundred thousand outputs: found by a hash, not a scan of the others */
    len = 0;
    for (int i = 0; i < 100000; i++)
        len += (size_t)sprintf(text + len, "::output o%d=%d\n", i, i);
    got = report_of(text, len, 0, 100, 1 << 22, &notices);
    check(strstr(got, "::output o99999=99999\n") != NULL && !strstr(got, "::refused"), "many outputs");
    free(got);
    free(notices);
    free(text);
}

/* the note's line of text fed in reads of at most chunk bytes (0: one read) */
static void tail_of(const char *text, size_t len, size_t chunk, char *out, size_t outlen)
{
    wrap_tail t;
    wrap_tail_init(&t);
    unsigned seed = (unsigned)chunk;
    for (size_t at = 0; at < len;) {
        size_t n = chunk ? 1 + (size_t)rand_r(&seed) % chunk : len;
        if (n > len - at)
            n = len - at;
        wrap_tail_scan(&t, text + at, n);
        at += n;
    }
    wrap_tail_end(&t);
    wrap_tail_text(&t, out, outlen);
}

static void tail_lines(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"", ""},
        {"\n\n  \n", ""},
        {"one\ntwo\n", "two"},
        {"one\ntwo", "two"},
        {"one\n  two  \r\n\n\t\n   \n", "two"},
        /* lines addressed to the runner are data, not a reason */
        {"why\n::output x=1\n::counts read=1 written=1 rejected=0 bytes=1\n::lineage {}\n", "why"},
        {"::output x=1\n", ""},
        {"::outputs are not reports\n", "::outputs are not reports"},
        {"flux: cannot connect\n", "flux: cannot connect"},
        /* bash's echo of the text of a syntax error yields to the error */
        {"/dev/fd/3: line 2: syntax error near unexpected token `fi'\n/dev/fd/3: line 2: `if then fi'\n",
         "/dev/fd/3: line 2: syntax error near unexpected token `fi'"},
        {"plain\nline 2: `quoted'\n", "line 2: `quoted'"},
        /* control characters are spaces, malformed UTF-8 is U+FFFD */
        {"a\tb\033[31mred\n", "a b [31mred"},
        {"bad \xff byte\n", "bad \xEF\xBF\xBD byte"},
        {"\xC3\xA9t\xC3\xA9\n", "\xC3\xA9t\xC3\xA9"},
    };
    size_t chunks[] = {0, 1, 2, 3, 5, 17};
    char got[WRAP_TAIL_MAX + 4];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            tail_of(cases[i].text, strlen(cases[i].text), chunks[c], got, sizeof got);
            check(!strcmp(got, cases[i].want), "case %zu, reads of %zu: got [%s], want [%s]", i, chunks[c], got,
                  cases[i].want);
        }
    /* a long line: its first 200 bytes, cut where a character starts */
    char *text = malloc(1 << 21), want[WRAP_TAIL_MAX + 4];
    size_t len = 0;
    len += line_of(text, "first ", 100);
    text[len++] = 'a';
    for (int k = 0; k < 150; k++)
        memcpy(text + len, "\xC3\xA9", 2), len += 2;
    text[len++] = '\n';
    len += line_of(text + len, "", 0); /* a blank line after it */
    snprintf(want, sizeof want, "a");
    for (int k = 0; k < 99; k++)
        strcat(want, "\xC3\xA9");
    strcat(want, "...");
    for (size_t chunk = 0; chunk < 300; chunk += 37) {
        tail_of(text, len, chunk, got, sizeof got);
        check(!strcmp(got, want), "a long line, reads of %zu: got [%s]", chunk, got);
    }
    /* exactly 200 bytes is not cut; 201 is; blanks at the end do not count */
    len = line_of(text, "", 200);
    memset(text + len - 1, ' ', 50), len += 49, text[len++] = '\n';
    tail_of(text, len, 0, got, sizeof got);
    check(strlen(got) == 200 && !strstr(got, "..."), "200 bytes then blanks: [%s]", got);
    len = line_of(text, "", 201);
    tail_of(text, len, 7, got, sizeof got);
    check(strlen(got) == 203 && !strcmp(got + 200, "..."), "201 bytes: [%s]", got);
    /* a megabyte line then a short one, and a megabyte of short lines after a
     * reason: both found whatever the reads */
    len = line_of(text, "", 1 << 20);
    len += line_of(text + len, "short", 5);
    for (size_t chunk = 0; chunk < 1 << 17; chunk = chunk ? chunk * 8 : 1000) {
        tail_of(text, len, chunk, got, sizeof got);
        check(!strcmp(got, "short"), "after a megabyte line, reads of %zu: [%.20s]", chunk, got);
    }
    len = line_of(text, "the reason", 10);
    while (len < (1 << 20))
        len += line_of(text + len, "::output k=v", 12);
    tail_of(text, len, 4096, got, sizeof got);
    check(!strcmp(got, "the reason"), "before a megabyte of report lines: [%s]", got);
    free(text);
    /* a failed try's report carries it; the runner reads it back */
    wrap_report *r = wrap_report_new(0, 0);
    wrap_report_scan(r, "x\n", 2);
    wrap_report_end(r);
    wrap_report_set_last(r, "/dev/fd/3: line 1: foo: command not found");
    unlinkat(dirfd_, "t.report", 0);
    char note[256], path[128];
    check(wrap_report_write(r, dirfd_, "t.report", 0, 0, note, sizeof note) == 0, "report with a last line: %s", note);
    wrap_report_free(r);
    snprintf(path, sizeof path, "%s/t.report", dir);
    flux_op_report rep;
    check(flux_op_read_report(path, 1 << 20, &rep) == 0 && rep.whole && rep.last &&
              !strcmp(rep.last, "/dev/fd/3: line 1: foo: command not found"),
          "last read back: [%s]", rep.last ? rep.last : "(none)");
    flux_op_report_free(&rep);
}

/* the log of n bytes of a known sequence written in reads of at most chunk
 * bytes, with max; the dropped count in *dropped */
static char *log_of(size_t n, size_t chunk, int64_t max, bool ring, int64_t *dropped, size_t *len)
{
    char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + (i * 7 + i / 26) % 26);
    data[n / 3] = '\n';
    unlinkat(dirfd_, "t.log", 0);
    int fd = openat(dirfd_, "t.log", O_WRONLY | O_CREAT | O_APPEND, 0600);
    wrap_log l;
    wrap_log_init(&l, fd, ring ? dirfd_ : -1, NULL, max);
    unsigned seed = (unsigned)chunk;
    for (size_t at = 0; at < n;) {
        size_t k = chunk ? 1 + (size_t)rand_r(&seed) % chunk : n;
        if (k > n - at)
            k = n - at;
        wrap_log_write(&l, data + at, k);
        at += k;
    }
    *dropped = wrap_log_finish(&l);
    close(fd);
    char *got = slurp("t.log", len);
    /* what the log must hold: the data, or its head, the marker and its tail */
    char *want = malloc(n + 400);
    size_t w = 0;
    if (max <= 0 || (int64_t)n <= max) {
        memcpy(want, data, n);
        w = n;
    } else {
        size_t head = (size_t)max / 2, tail = (size_t)max - head;
        memcpy(want, data, head);
        w = head;
        if (ring)
            w += (size_t)sprintf(want + w, "%sflux-wrap: %zu bytes of output dropped here: the log keeps its first %zu "
                                 "and last %zu bytes (max_log_size %lld)\n",
                                 data[head - 1] == '\n' ? "" : "\n", n - (size_t)max, head, tail, (long long)max);
        else
            w += (size_t)sprintf(want + w, "%sflux-wrap: %zu bytes of output dropped here: the log keeps its first %zu "
                                 "bytes (max_log_size %lld; no room for its last ones)\n",
                                 data[head - 1] == '\n' ? "" : "\n", n - head, head, (long long)max);
        if (ring) {
            memcpy(want + w, data + n - tail, tail);
            w += tail;
        }
    }
    bool same = got && *len == w && !memcmp(got, want, w);
    free(want);
    free(data);
    if (!same) {
        free(got);
        return NULL;
    }
    return got;
}

static void log_cut(void)
{
    size_t chunks[] = {0, 1, 5, 333, 1000, 4096};
    int64_t maxes[] = {0, 1000, 1001, 20000, 1 << 20};
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++)
        for (size_t m = 0; m < sizeof maxes / sizeof *maxes; m++) {
            int64_t dropped;
            size_t len;
            char *got = log_of(10000, chunks[c], maxes[m], true, &dropped, &len);
            check(got != NULL, "log of 10000 bytes, max %lld, reads of %zu", (long long)maxes[m], chunks[c]);
            int64_t want = maxes[m] > 0 && maxes[m] < 10000 ? 10000 - maxes[m] : 0;
            check(dropped == want, "dropped %lld, want %lld", (long long)dropped, (long long)want);
            free(got);
        }
    int64_t dropped;
    size_t len;
    char *got = log_of(10000, 77, 1000, false, &dropped, &len);
    check(got && dropped == 9500, "without a ring only the head is kept (dropped %lld)", (long long)dropped);
    free(got);
}

/* a log given by name is made at its first byte, 0600, never through a link */
static void log_by_name(void)
{
    struct stat st;
    wrap_log l;
    unlinkat(dirfd_, "n.log", 0);
    wrap_log_init(&l, -1, dirfd_, "n.log", 0);
    wrap_log_write(&l, "", 0);
    check(wrap_log_finish(&l) == 0 && l.fd < 0 && fstatat(dirfd_, "n.log", &st, 0) != 0 && errno == ENOENT,
          "a log nothing was written to is not made");
    wrap_log_init(&l, -1, dirfd_, "n.log", 0);
    wrap_log_write(&l, "one\n", 4);
    wrap_log_write(&l, "two\n", 4);
    wrap_log_finish(&l);
    close(l.fd);
    size_t len;
    char *text = slurp("n.log", &len);
    check(text && !strcmp(text, "one\ntwo\n") && l.open_errno == 0, "the log made at the first byte holds all of it");
    check(fstatat(dirfd_, "n.log", &st, 0) == 0 && (st.st_mode & 0777) == 0600, "the log is 0600 (mode %o)",
          (unsigned)(st.st_mode & 0777));
    free(text);
    unlinkat(dirfd_, "n.log", 0);
    check(symlinkat("/tmp/flux-test-wrap-elsewhere", dirfd_, "n.log") == 0, "a link planted as the log");
    wrap_log_init(&l, -1, dirfd_, "n.log", 0);
    wrap_log_write(&l, "secret-ish\n", 11);
    wrap_log_finish(&l);
    check(l.fd < 0 && l.open_errno != 0 && strstr(l.why, "symbolic link") && access("/tmp/flux-test-wrap-elsewhere", F_OK) != 0,
          "a link under the log's name is not written through: %s", l.why);
    unlinkat(dirfd_, "n.log", 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/flux-test-wrap.XXXXXX");
    if (!mkdtemp(dir) || (dirfd_ = open(dir, O_RDONLY | O_DIRECTORY)) < 0) {
        printf("FAIL: no temporary directory\n");
        return 1;
    }
    report_lines();
    report_limits();
    tail_lines();
    log_cut();
    log_by_name();
    unlinkat(dirfd_, "t.report", 0);
    unlinkat(dirfd_, "t.log", 0);
    close(dirfd_);
    rmdir(dir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
