/* wrap_report — the report lines of a task, taken from its output as it
 * streams through flux-wrap (see wrap_report.h).
 *
 * Until now the runner read a finished task's whole log on its event loop
 * to find these lines: a log of gigabytes froze the loop (and the owner's
 * heartbeat) for seconds and one long line took as much memory. Here each
 * line is looked at as it passes: its first bytes say whether it can be a
 * report (`::output `, `::counts `, `::lineage `, or `flux: `, whose last
 * one is the task's reason); any other line is skipped to its newline with
 * memchr, and only a report line is copied, up to max_value + 1024 bytes (a
 * `flux: ` line up to 1023). What a task reports is bounded: a value over
 * max_value, or outputs over max_outputs together, refuse the task (it
 * fails, its note naming the output and the limit); a line over the cap is
 * not a report, and lineage past max_outputs is not kept, each said in the
 * log. The runner reads the small file written at the end (opreport.h).
 */
#include "wrap_report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "arena.h"
#include "hash.h"
#include "rundir.h"

enum kind { K_NONE, K_OUTPUT, K_COUNTS, K_LINEAGE, K_REASON };

static const struct {
    const char *text;
    size_t len;
    enum kind kind;
} prefixes[] = {
    {"::output ", 9, K_OUTPUT},
    {"::counts ", 9, K_COUNTS},
    {"::lineage ", 10, K_LINEAGE},
    {"flux: ", 6, K_REASON},
};

#define REASON_MAX 1023 /* what the runner's notes hold of a reason */
#define MAX_NOTICES 8   /* lines about lines not taken; then a count */

typedef struct output {
    char *key, *value;
    size_t klen, vlen;
} output;

struct wrap_report {
    int64_t max_value, max_outputs, line_cap;
    /* the line under the scanner */
    enum { AT_START, CLASSIFY, SKIP, TAKE } state;
    enum kind kind;
    flux_buf line;
    int64_t line_len; /* its bytes so far, the ones beyond the cap too */
    /* what was found */
    output *out;
    size_t nout, capout;
    size_t *slots, nslots; /* a hash index of out: i + 1, 0 when free */
    int64_t out_bytes; /* names and values */
    flux_buf counts, lineage;
    bool lineage_full;
    char reason[REASON_MAX + 1];
    char refused[512];
    char last[512]; /* a failed try's last line (wrap_tail.h) */
    flux_buf notices;
    int nnotices, dropped_notices;
};

wrap_report *wrap_report_new(int64_t max_value, int64_t max_outputs)
{
    wrap_report *r = flux_xcalloc(1, sizeof *r);
    r->max_value = max_value > 0 ? max_value : 65536;
    r->max_outputs = max_outputs > 0 ? max_outputs : 1048576;
    /* room for the prefix and the output's name */
    r->line_cap = r->max_value + 1024;
    return r;
}

static void notice(wrap_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notice(wrap_report *r, const char *fmt, ...)
{
    if (r->nnotices == MAX_NOTICES) {
        r->dropped_notices++;
        return;
    }
    r->nnotices++;
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    flux_buf_put(&r->notices, "flux-wrap: ", 11);
    flux_buf_put(&r->notices, line, n > 0 && (size_t)n < sizeof line ? (size_t)n : strlen(line));
    flux_buf_put(&r->notices, "\n", 1);
}

/* the first refusal is the task's note */
static void refuse(wrap_report *r, const char *text)
{
    if (!r->refused[0])
        snprintf(r->refused, sizeof r->refused, "%s", text);
    notice(r, "%s; the task fails", text);
}

static bool is_key(const char *k, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* ---- the outputs by name: a task may print a hundred thousand ---- */

static size_t hash(const char *k, size_t n)
{
    return (size_t)flux_hash(FLUX_HASH_SEED, k, n);
}

/* the output named key, or nout */
static size_t find(const wrap_report *r, const char *key, size_t klen)
{
    for (size_t at = r->nslots ? hash(key, klen) & (r->nslots - 1) : 0; r->nslots; at = (at + 1) & (r->nslots - 1)) {
        size_t i = r->slots[at];
        if (!i)
            break;
        if (r->out[i - 1].klen == klen && !memcmp(r->out[i - 1].key, key, klen))
            return i - 1;
    }
    return r->nout;
}

static void index_put(wrap_report *r, size_t i)
{
    size_t at = hash(r->out[i].key, r->out[i].klen) & (r->nslots - 1);
    while (r->slots[at])
        at = (at + 1) & (r->nslots - 1);
    r->slots[at] = i + 1;
}

/* indexes the last output, growing the index to keep it half empty */
static void index_add(wrap_report *r)
{
    if (2 * r->nout > r->nslots) {
        free(r->slots);
        r->nslots = r->nslots ? 2 * r->nslots : 64;
        r->slots = flux_xcalloc(r->nslots, sizeof *r->slots);
        for (size_t i = 0; i + 1 < r->nout; i++)
            index_put(r, i);
    }
    index_put(r, r->nout - 1);
}

/* `::output KEY=VALUE`: a later value of a key replaces the earlier one */
static void take_output(wrap_report *r)
{
    char *key = r->line.data + 9, *eq = memchr(key, '=', r->line.len - 9);
    if (!eq) {
        if (r->line_len > (int64_t)r->line.len)
            notice(r, "an ::output line longer than %lld bytes is not a report: not recorded",
                   (long long)r->line_cap);
        return;
    }
    size_t klen = (size_t)(eq - key);
    if (!is_key(key, klen))
        return; /* not an output, as it never was */
    int64_t vlen = r->line_len - 9 - (int64_t)klen - 1;
    bool whole = r->line_len == (int64_t)r->line.len;
    while (whole && vlen > 0 && eq[vlen] == '\r')
        vlen--;
    char text[400];
    if (vlen > r->max_value) {
        snprintf(text, sizeof text, "output '%.*s' is longer than max_output_value (%lld bytes): %lld bytes",
                 (int)(klen < 200 ? klen : 200), key, (long long)r->max_value, (long long)vlen);
        refuse(r, text);
        return;
    }
    size_t i = find(r, key, klen);
    int64_t total = r->out_bytes + (int64_t)klen + vlen - (i < r->nout ? (int64_t)(klen + r->out[i].vlen) : 0);
    if (total > r->max_outputs) {
        snprintf(text, sizeof text, "outputs total more than max_outputs (%lld bytes) with '%.*s'",
                 (long long)r->max_outputs, (int)(klen < 200 ? klen : 200), key);
        refuse(r, text);
        return;
    }
    char *value = flux_xmalloc((size_t)vlen + 1);
    memcpy(value, eq + 1, (size_t)vlen);
    value[vlen] = '\0';
    if (i == r->nout) {
        r->out = flux_xgrow(r->out, r->nout, &r->capout, sizeof *r->out, 16);
        char *k = flux_xmalloc(klen + 1);
        memcpy(k, key, klen);
        k[klen] = '\0';
        r->out[r->nout++] = (output){k, NULL, klen, 0};
        index_add(r);
    }
    free(r->out[i].value);
    r->out[i].value = value;
    r->out[i].vlen = (size_t)vlen;
    r->out_bytes = total;
}

static void end_line(wrap_report *r)
{
    bool over = r->line_len > (int64_t)r->line.len;
    switch (r->kind) {
    case K_OUTPUT: take_output(r); break;
    case K_COUNTS:
    case K_LINEAGE:
        if (over) {
            notice(r, "a %s line longer than %lld bytes is not a report: not recorded",
                   r->kind == K_COUNTS ? "::counts" : "::lineage", (long long)r->line_cap);
        } else if (r->kind == K_COUNTS) {
            r->counts.len = 0;
            flux_buf_put(&r->counts, r->line.data, r->line.len);
        } else if ((int64_t)(r->lineage.len + r->line.len) > r->max_outputs) {
            if (!r->lineage_full)
                notice(r, "::lineage lines past max_outputs (%lld bytes) are not recorded",
                       (long long)r->max_outputs);
            r->lineage_full = true;
        } else {
            flux_buf_put(&r->lineage, r->line.data, r->line.len);
            flux_buf_put(&r->lineage, "\n", 1);
        }
        break;
    case K_REASON: {
        size_t n = r->line.len - 6;
        while (n && r->line.data[6 + n - 1] == '\r')
            n--;
        memcpy(r->reason, r->line.data + 6, n);
        r->reason[n] = '\0';
        break;
    }
    case K_NONE: break;
    }
}

#define LONGEST_PREFIX 10

/* the kind a line whose first n bytes are p makes it, K_NONE while it
 * could still be one; -1 when it cannot */
static int classify(const char *p, size_t n)
{
    bool could = false;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t k = n < prefixes[i].len ? n : prefixes[i].len;
        if (memcmp(p, prefixes[i].text, k) != 0)
            continue;
        if (k == prefixes[i].len)
            return prefixes[i].kind;
        could = true;
    }
    return could ? K_NONE : -1;
}

/* the line's bytes up to the cap of its kind (a reason: REASON_MAX) */
static void take(wrap_report *r, const char *p, size_t n)
{
    int64_t cap = r->kind == K_REASON ? 6 + REASON_MAX : r->line_cap;
    if ((int64_t)r->line.len < cap)
        flux_buf_put(&r->line, p, (int64_t)n < cap - (int64_t)r->line.len ? n : (size_t)(cap - (int64_t)r->line.len));
    r->line_len += (int64_t)n;
}

static const char *find_or_end(const char *p, const char *end, int c)
{
    const char *hit = memchr(p, c, (size_t)(end - p));
    return hit ? hit : end;
}

/* The next line of p[0..n) that may be a report: one starting with ':' or
 * 'f'. p is inside a line that is not one. Found with memchr over those two
 * bytes, not line by line, so a gigabyte of short lines (`yes`) costs what
 * a scan of its bytes costs; *colon and *f cache where each was found (NULL:
 * not looked for yet). NULL when none starts in p[0..n). */
static const char *next_candidate(const char *p, size_t n, const char **colon, const char **f)
{
    const char *end = p + n;
    while (p < end) {
        if (!*colon || *colon < p)
            *colon = find_or_end(p, end, ':');
        if (!*f || *f < p)
            *f = find_or_end(p, end, 'f');
        const char *c = *colon < *f ? *colon : *f;
        if (c == end)
            return NULL;
        if (c > p && c[-1] == '\n')
            return c;
        p = c + 1;
    }
    return NULL;
}

void wrap_report_scan(wrap_report *r, const char *p, size_t n)
{
    const char *colon = NULL, *f = NULL; /* next_candidate's finds in p */
    while (n) {
        if (r->state == AT_START) {
            r->line.len = 0;
            r->line_len = 0;
            r->kind = K_NONE;
            /* most lines are known at their first byte */
            r->state = *p == ':' || *p == 'f' ? CLASSIFY : SKIP;
        }
        if (r->state == SKIP) {
            const char *c = next_candidate(p, n, &colon, &f);
            if (!c) {
                /* the next call starts a line when this one ends one */
                r->state = p[n - 1] == '\n' ? AT_START : SKIP;
                return;
            }
            n -= (size_t)(c - p);
            p = c;
            r->state = AT_START;
            continue;
        }
        if (r->state == CLASSIFY && !r->line.len && n >= LONGEST_PREFIX) {
            /* the whole prefix is here: known without copying a byte */
            int k = classify(p, LONGEST_PREFIX);
            if (k < 0)
                p++, n--, r->state = SKIP; /* its first byte is not a line end */
            else
                r->kind = (enum kind)k, r->state = TAKE;
            continue;
        }
        if (r->state == CLASSIFY) {
            if (*p == '\n') {
                p++, n--;
                r->state = AT_START;
                continue;
            }
            take(r, p, 1);
            p++, n--;
            int k = classify(r->line.data, r->line.len);
            if (k < 0)
                r->state = SKIP;
            else if (k != K_NONE)
                r->kind = (enum kind)k, r->state = TAKE;
            continue;
        }
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        take(r, p, k);
        p += k;
        n -= k;
        if (nl) {
            p++, n--;
            end_line(r);
            r->state = AT_START;
        }
    }
}

const char *wrap_report_end(wrap_report *r)
{
    if (r->state == TAKE)
        end_line(r);
    r->state = AT_START;
    if (r->dropped_notices) {
        r->nnotices = 0; /* room for the count */
        notice(r, "and %d more report lines not taken", r->dropped_notices);
    }
    return r->notices.data ? r->notices.data : "";
}

void wrap_report_set_last(wrap_report *r, const char *text)
{
    snprintf(r->last, sizeof r->last, "%s", text ? text : "");
    r->last[strcspn(r->last, "\n")] = '\0'; /* one line of the report */
}

static bool empty(const wrap_report *r, int64_t log_dropped)
{
    return !r->nout && !r->counts.len && !r->lineage.len && !r->reason[0] && !r->refused[0] && !r->last[0] &&
           log_dropped <= 0;
}

int wrap_report_write(wrap_report *r, int dirfd, const char *name, int64_t log_dropped, int64_t log_max,
                      char *note, size_t notelen)
{
    if (empty(r, log_dropped))
        return 0;
    flux_buf b = {0};
    for (size_t i = 0; i < r->nout; i++) {
        flux_buf_put(&b, "::output ", 9);
        flux_buf_put(&b, r->out[i].key, r->out[i].klen);
        flux_buf_put(&b, "=", 1);
        flux_buf_put(&b, r->out[i].value, r->out[i].vlen);
        flux_buf_put(&b, "\n", 1);
    }
    if (r->counts.len) {
        flux_buf_put(&b, r->counts.data, r->counts.len);
        flux_buf_put(&b, "\n", 1);
    }
    if (r->lineage.len)
        flux_buf_put(&b, r->lineage.data, r->lineage.len);
    char line[REASON_MAX + 600];
    int n;
    if (r->reason[0] && (n = snprintf(line, sizeof line, "::reason %s\n", r->reason)) > 0)
        flux_buf_put(&b, line, (size_t)n);
    if (r->refused[0] && (n = snprintf(line, sizeof line, "::refused %s\n", r->refused)) > 0)
        flux_buf_put(&b, line, (size_t)n);
    if (r->last[0] && (n = snprintf(line, sizeof line, "::last %s\n", r->last)) > 0)
        flux_buf_put(&b, line, (size_t)n);
    if (log_dropped > 0 && (n = snprintf(line, sizeof line, "::log_dropped %lld %lld\n", (long long)log_dropped,
                                         (long long)log_max)) > 0)
        flux_buf_put(&b, line, (size_t)n);
    /* the reader takes a report only whole: a wrapper killed while writing
     * it leaves none */
    flux_buf_put(&b, "::end\n", 6);
    int fd = flux_rundir_file(dirfd, ".", name, O_WRONLY | O_CREAT | O_TRUNC, note, notelen);
    int rc = fd >= 0 ? 0 : -1;
    for (size_t off = 0; fd >= 0 && off < b.len;) {
        ssize_t w = write(fd, b.data + off, b.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(note, notelen, "cannot write %s: %s", name, w < 0 ? strerror(errno) : "no space");
            rc = -1;
            break;
        }
        off += (size_t)w;
    }
    if (fd >= 0 && close(fd) != 0 && rc == 0) {
        snprintf(note, notelen, "cannot write %s: %s", name, strerror(errno));
        rc = -1;
    }
    flux_buf_free(&b);
    return rc;
}

void wrap_report_free(wrap_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nout; i++) {
        free(r->out[i].key);
        free(r->out[i].value);
    }
    free(r->out);
    free(r->slots);
    flux_buf_free(&r->line);
    flux_buf_free(&r->counts);
    flux_buf_free(&r->lineage);
    flux_buf_free(&r->notices);
    free(r);
}
