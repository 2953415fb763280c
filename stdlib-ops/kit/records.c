/* records — CSV (RFC 4180) and JSON Lines readers and writers (see
 * records.h). The reader keeps each record's raw bytes so a bad one can be
 * rejected as it was in the file, and resynchronises at the next line; the
 * writer writes aside, fsyncs and renames, so the target is whole or absent. */
#include "records.h"
#include "suggest.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mysqlload.h"
#include "opkit.h"

int records_format_of(const char *path, const char *given, records_format *out, char *err, size_t errlen)
{
    const char *f = given && *given ? given : NULL;
    if (!f) {
        const char *dot = path ? strrchr(path, '.') : NULL;
        const char *slash = path ? strrchr(path, '/') : NULL;
        if (dot && (!slash || dot > slash))
            f = dot + 1;
    }
    if (f && !strcasecmp(f, "csv")) {
        *out = RECORDS_CSV;
        return 0;
    }
    if (f && (!strcasecmp(f, "jsonl") || !strcasecmp(f, "ndjson") || !strcasecmp(f, "json"))) {
        *out = RECORDS_JSONL;
        return 0;
    }
    if (given && *given)
        opkit_fmt(err, errlen, "unknown format '%s' (csv or jsonl)", given);
    else
        opkit_fmt(err, errlen, "cannot tell the format of '%s' from its extension: set format = \"csv\" or \"jsonl\"",
            path ? path : "");
    return -1;
}

int records_task_format(const opkit_task *t, const char *path, records_format *out)
{
    char err[1024];
    if (records_format_of(path, opkit_str(t, "format"), out, err, sizeof err)) {
        fprintf(stderr, "flux: %s\n", err);
        return -1;
    }
    const char *d = opkit_str(t, "delimiter");
    if (d && strlen(d) != 1) {
        fprintf(stderr, "flux: delimiter must be one character, not \"%s\"\n", d);
        return -1;
    }
    return 0;
}

/* ---- growable byte buffer --------------------------------------------------- */

typedef struct buf {
    char *s;
    size_t len, cap;
} buf;

static int buf_put(buf *b, char c)
{
    if (b->len + 2 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        char *t = realloc(b->s, cap);
        if (!t)
            return -1;
        b->s = t;
        b->cap = cap;
    }
    b->s[b->len++] = c;
    b->s[b->len] = 0;
    return 0;
}

/* ---- reader ------------------------------------------------------------------ */

struct records_reader {
    FILE *f;
    char *path;
    records_format fmt;
    char delim;
    unsigned char in[65536];
    size_t inlen, inpos;
    int64_t bytes;
    int64_t line;       /* current line (1-based) */
    int64_t start_line; /* where the last record started */
    buf raw;            /* the record as in the file */
    buf field;          /* the field being parsed */
    char **fields;      /* fields of the record (CSV) */
    size_t nfields, capfields;
    char **header;
    size_t nheader;
    bool eof;
    bool ioerr;
};

static int rgetc(records_reader *r)
{
    if (r->inpos == r->inlen) {
        if (r->eof)
            return EOF;
        r->inlen = fread(r->in, 1, sizeof r->in, r->f);
        r->inpos = 0;
        if (r->inlen == 0) {
            r->eof = true;
            r->ioerr = ferror(r->f) != 0;
            return EOF;
        }
    }
    r->bytes++;
    return r->in[r->inpos++];
}

static int rpeek(records_reader *r)
{
    int c = rgetc(r);
    if (c != EOF) {
        r->inpos--;
        r->bytes--;
    }
    return c;
}

static void free_fields(records_reader *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        free(r->fields[i]);
    r->nfields = 0;
}

static int push_field(records_reader *r)
{
    if (r->nfields == r->capfields) {
        size_t cap = r->capfields ? r->capfields * 2 : 16;
        char **t = realloc(r->fields, cap * sizeof *t);
        if (!t)
            return -1;
        r->fields = t;
        r->capfields = cap;
    }
    char *s = malloc(r->field.len + 1);
    if (!s)
        return -1;
    memcpy(s, r->field.s ? r->field.s : "", r->field.len);
    s[r->field.len] = 0;
    r->fields[r->nfields++] = s;
    r->field.len = 0;
    return 0;
}

/* One CSV record into r->fields. 1 read, 0 end, -1 malformed (why). Blank
 * lines are skipped. */
static int csv_record(records_reader *r, char *why, size_t whylen)
{
    free_fields(r);
    r->raw.len = 0;
    r->field.len = 0;
    int c;
    /* skip blank lines */
    for (;;) {
        c = rpeek(r);
        if (c == '\n') {
            rgetc(r);
            r->line++;
        } else if (c == '\r') {
            rgetc(r);
            if (rpeek(r) == '\n') {
                rgetc(r);
                r->line++;
            } else {
                /* a lone CR begins a record of its own */
                buf_put(&r->raw, '\r');
                buf_put(&r->field, '\r');
                break;
            }
        } else
            break;
    }
    r->start_line = r->line;
    if (rpeek(r) == EOF && r->raw.len == 0)
        return 0;
    bool quoted = false, in_quotes = false, after_quote = false, bad = false;
    char badwhy[200] = "";
    for (;;) {
        c = rgetc(r);
        if (c == EOF) {
            if (in_quotes) {
                bad = true;
                snprintf(badwhy, sizeof badwhy, "a quoted field opened here is never closed (end of file)");
            }
            break;
        }
        if (c == '\n')
            r->line++;
        if (c != '\n' || in_quotes)
            buf_put(&r->raw, (char)c);
        if (in_quotes) {
            if (c == '"') {
                if (rpeek(r) == '"') {
                    buf_put(&r->raw, (char)rgetc(r));
                    buf_put(&r->field, '"');
                } else {
                    in_quotes = false;
                    after_quote = true;
                }
            } else
                buf_put(&r->field, (char)c);
            continue;
        }
        if (c == '\n')
            break;
        if (c == r->delim) {
            if (push_field(r)) {
                opkit_fmt(why, whylen, "out of memory");
                return -1;
            }
            quoted = after_quote = false;
            continue;
        }
        if (c == '\r' && rpeek(r) == '\n')
            continue; /* CRLF: the CR is part of the line end */
        if (after_quote) {
            if (!bad)
                snprintf(badwhy, sizeof badwhy, "text after the closing quote of field %zu", r->nfields + 1);
            bad = true;
            continue;
        }
        if (c == '"' && r->field.len == 0 && !quoted) {
            quoted = in_quotes = true;
            continue;
        }
        buf_put(&r->field, (char)c);
    }
    if (bad && r->raw.len && r->raw.s[r->raw.len - 1] == '\n')
        r->raw.s[--r->raw.len] = 0;
    if (r->raw.len && r->raw.s[r->raw.len - 1] == '\r')
        r->raw.s[--r->raw.len] = 0;
    if (push_field(r)) {
        opkit_fmt(why, whylen, "out of memory");
        return -1;
    }
    if (bad) {
        opkit_fmt(why, whylen, "malformed CSV: %s", badwhy);
        return -1;
    }
    return 1;
}

records_reader *records_open(const char *path, records_format f, bool header, char delim, char *err,
                             size_t errlen)
{
    if (f == RECORDS_CSV && (delim == '"' || delim == '\n' || delim == '\r' || delim == 0)) {
        opkit_fmt(err, errlen, "a CSV delimiter cannot be a quote, a line end or NUL");
        return NULL;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        opkit_fmt(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    records_reader *r = calloc(1, sizeof *r);
    if (!r) {
        fclose(fp);
        opkit_fmt(err, errlen, "out of memory");
        return NULL;
    }
    r->f = fp;
    r->path = strdup(path);
    r->fmt = f;
    r->delim = delim;
    r->line = 1;
    /* a UTF-8 byte order mark is not data */
    if (rpeek(r) == 0xEF) {
        if (r->inlen - r->inpos >= 3 && !memcmp(r->in + r->inpos, "\xEF\xBB\xBF", 3)) {
            r->inpos += 3;
            r->bytes += 3;
        }
    }
    if (f == RECORDS_CSV && header) {
        char why[256];
        int rc = csv_record(r, why, sizeof why);
        if (rc < 0) {
            opkit_fmt(err, errlen, "%s, line %" PRId64 ": the header: %s", path, r->start_line, why);
            records_close(r);
            return NULL;
        }
        /* an empty file has no header and no record: nothing to read */
        r->header = r->fields;
        r->nheader = r->nfields;
        r->fields = NULL;
        r->nfields = r->capfields = 0;
    }
    return r;
}

int records_next(records_reader *r, json_t **rec, const char **raw, size_t *rawlen, char *why, size_t whylen)
{
    *rec = NULL;
    *raw = "";
    *rawlen = 0;
    if (r->fmt == RECORDS_CSV) {
        int rc = csv_record(r, why, whylen);
        *raw = r->raw.s ? r->raw.s : "";
        *rawlen = r->raw.len;
        if (rc <= 0) {
            if (rc == 0 && r->ioerr) {
                opkit_fmt(why, whylen, "reading %s: %s", r->path, strerror(errno));
                return -2;
            }
            return rc;
        }
        if (r->header && r->nfields != r->nheader) {
            opkit_fmt(why, whylen, "%zu field%s, the header has %zu", r->nfields, r->nfields == 1 ? "" : "s", r->nheader);
            return -1;
        }
        json_t *o = json_object();
        for (size_t i = 0; i < r->nfields; i++) {
            json_t *s = json_string(r->fields[i]);
            if (!s) {
                opkit_fmt(why, whylen, "field %zu is not valid UTF-8", i + 1);
                json_decref(o);
                return -1;
            }
            char key[24];
            const char *k = r->header ? r->header[i] : key;
            if (!r->header)
                snprintf(key, sizeof key, "%zu", i + 1);
            json_object_set_new(o, k, s);
        }
        *rec = o;
        return 1;
    }
    /* JSON Lines */
    for (;;) {
        r->raw.len = 0;
        if (r->raw.s)
            r->raw.s[0] = 0;
        r->start_line = r->line;
        int c;
        bool any = false;
        while ((c = rgetc(r)) != EOF && c != '\n') {
            buf_put(&r->raw, (char)c);
            any = true;
        }
        if (c == '\n')
            r->line++;
        if (!any && c == EOF) {
            if (r->ioerr) {
                opkit_fmt(why, whylen, "reading %s: %s", r->path, strerror(errno));
                return -2;
            }
            return 0;
        }
        if (r->raw.len && r->raw.s[r->raw.len - 1] == '\r')
            r->raw.s[--r->raw.len] = 0;
        size_t k = 0;
        while (k < r->raw.len && strchr(" \t\r", r->raw.s[k]))
            k++;
        if (k == r->raw.len)
            continue; /* a blank line is no record */
        *raw = r->raw.s;
        *rawlen = r->raw.len;
        json_error_t je;
        json_t *v = json_loadb(r->raw.s, r->raw.len, JSON_DECODE_ANY, &je);
        if (!v) {
            opkit_fmt(why, whylen, "not JSON: %s (column %d)", je.text, je.column);
            return -1;
        }
        *rec = v;
        return 1;
    }
}

int64_t records_line(const records_reader *r)
{
    return r->start_line;
}

int64_t records_bytes(const records_reader *r)
{
    return r->bytes;
}

const char *const *records_header(const records_reader *r, size_t *n)
{
    *n = r->nheader;
    return (const char *const *)r->header;
}

void records_close(records_reader *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    free_fields(r);
    free(r->fields);
    for (size_t i = 0; i < r->nheader; i++)
        free(r->header[i]);
    free(r->header);
    free(r->raw.s);
    free(r->field.s);
    free(r->path);
    free(r);
}

/* ---- writer --------------------------------------------------------------------- */

struct records_writer {
    FILE *f;
    char *path, *tmp;
    records_format fmt;
    char delim;
    char **cols;
    size_t ncols;
    int64_t records;
};

static int mkdirs(const char *dir)
{
    char *d = strdup(dir);
    if (!d)
        return -1;
    for (char *p = d + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(d, 0777) && errno != EEXIST) {
                free(d);
                return -1;
            }
            *p = '/';
        }
    int rc = mkdir(d, 0777) && errno != EEXIST ? -1 : 0;
    free(d);
    return rc;
}

static void csv_field(records_writer *w, const char *s, size_t n, bool force_quotes)
{
    bool q = force_quotes;
    for (size_t i = 0; i < n && !q; i++)
        q = s[i] == w->delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!q) {
        fwrite(s, 1, n, w->f);
        return;
    }
    fputc('"', w->f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', w->f);
        fputc(s[i], w->f);
    }
    fputc('"', w->f);
}

records_writer *records_create(const char *path, records_format f, bool header, char delim,
                               const char *const *cols, size_t ncols, char *err, size_t errlen)
{
    if (f == RECORDS_CSV && (delim == '"' || delim == '\n' || delim == '\r' || delim == 0)) {
        opkit_fmt(err, errlen, "a CSV delimiter cannot be a quote, a line end or NUL");
        return NULL;
    }
    char *pc = strdup(path);
    if (!pc) {
        opkit_fmt(err, errlen, "out of memory");
        return NULL;
    }
    int rc = mkdirs(dirname(pc));
    free(pc);
    if (rc) {
        opkit_fmt(err, errlen, "cannot create the directory of %s: %s", path, strerror(errno));
        return NULL;
    }
    records_writer *w = calloc(1, sizeof *w);
    if (!w) {
        opkit_fmt(err, errlen, "out of memory");
        return NULL;
    }
    size_t tl = strlen(path) + 40;
    w->tmp = malloc(tl);
    w->path = strdup(path);
    w->cols = calloc(ncols ? ncols : 1, sizeof *w->cols);
    w->ncols = ncols;
    w->fmt = f;
    w->delim = delim;
    if (!w->tmp || !w->path || !w->cols) {
        opkit_fmt(err, errlen, "out of memory");
        records_abort(w);
        return NULL;
    }
    for (size_t i = 0; i < ncols; i++)
        w->cols[i] = strdup(cols[i]);
    snprintf(w->tmp, tl, "%s.tmp.%ld", path, (long)getpid());
    w->f = fopen(w->tmp, "wb");
    if (!w->f) {
        opkit_fmt(err, errlen, "cannot create %s: %s", w->tmp, strerror(errno));
        records_abort(w);
        return NULL;
    }
    if (f == RECORDS_CSV && header) {
        for (size_t i = 0; i < ncols; i++) {
            if (i)
                fputc(delim, w->f);
            csv_field(w, cols[i], strlen(cols[i]), false);
        }
        fputc('\n', w->f);
    }
    return w;
}

int records_write(records_writer *w, json_t *const *vals, char *err, size_t errlen)
{
    if (w->fmt == RECORDS_JSONL) {
        json_t *o = json_object();
        for (size_t i = 0; i < w->ncols; i++)
            json_object_set(o, w->cols[i], vals[i] ? vals[i] : json_null());
        char *s = mysqlload_json_text(o);
        json_decref(o);
        if (!s) {
            opkit_fmt(err, errlen, "out of memory");
            return -1;
        }
        fputs(s, w->f);
        fputc('\n', w->f);
        free(s);
    } else {
        for (size_t i = 0; i < w->ncols; i++) {
            if (i)
                fputc(w->delim, w->f);
            json_t *v = vals[i];
            if (!v || json_is_null(v))
                continue; /* NULL: an empty field */
            if (json_is_string(v)) {
                /* an empty string is "" so that it stays apart from NULL */
                csv_field(w, json_string_value(v), json_string_length(v), json_string_length(v) == 0);
            } else if (json_is_true(v) || json_is_false(v)) {
                fputs(json_is_true(v) ? "true" : "false", w->f);
            } else {
                char *s = mysqlload_json_text(v);
                if (!s) {
                    opkit_fmt(err, errlen, "out of memory");
                    return -1;
                }
                csv_field(w, s, strlen(s), false);
                free(s);
            }
        }
        fputc('\n', w->f);
    }
    if (ferror(w->f)) {
        opkit_fmt(err, errlen, "writing %s: %s", w->tmp, strerror(errno));
        return -1;
    }
    w->records++;
    return 0;
}

int records_commit(records_writer *w, int64_t *records, int64_t *size, char sha256[65], char *err,
                   size_t errlen)
{
    int rc = 0;
    if (fflush(w->f) || fsync(fileno(w->f))) {
        opkit_fmt(err, errlen, "writing %s: %s", w->tmp, strerror(errno));
        rc = -1;
    }
    if (fclose(w->f) && !rc) {
        opkit_fmt(err, errlen, "writing %s: %s", w->tmp, strerror(errno));
        rc = -1;
    }
    w->f = NULL;
    if (!rc && rename(w->tmp, w->path)) {
        opkit_fmt(err, errlen, "renaming %s to %s: %s", w->tmp, w->path, strerror(errno));
        rc = -1;
    }
    if (!rc) {
        /* the rename itself must survive a crash */
        char *pc = strdup(w->path);
        int dfd = pc ? open(dirname(pc), O_RDONLY | O_DIRECTORY) : -1;
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(pc);
        *records = w->records;
        if (opkit_file_sha256(w->path, sha256, size)) {
            opkit_fmt(err, errlen, "reading back %s: %s", w->path, strerror(errno));
            rc = -1;
        }
    }
    if (rc)
        unlink(w->tmp);
    free(w->tmp);
    w->tmp = NULL;
    records_abort(w);
    return rc;
}

void records_abort(records_writer *w)
{
    if (!w)
        return;
    if (w->f)
        fclose(w->f);
    if (w->tmp)
        unlink(w->tmp);
    for (size_t i = 0; i < w->ncols && w->cols; i++)
        free(w->cols[i]);
    free(w->cols);
    free(w->tmp);
    free(w->path);
    free(w);
}

bool records_has_field(const records_reader *r, const char *field, const char *what, char *msg, size_t msglen)
{
    size_t nh = 0;
    const char *const *h = records_header(r, &nh);
    for (size_t k = 0; h && k < nh; k++)
        if (!strcmp(h[k], field))
            return true;
    if (!h)
        return true;
    const char *best = flux_suggest(field, h, nh);
    snprintf(msg, msglen, "the header has no field '%s' (%s)%s%s%s", field, what, best ? "; did you mean '" : "",
             best ? best : "", best ? "'?" : "");
    return false;
}
