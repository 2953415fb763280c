/* test_records — the CSV and JSON Lines reader and writer of records.c: RFC
 * 4180 quoting, a malformed record reported with its line and skipped, a BOM
 * skipped, blank lines not counted, and the writer's output read back. */
#include "records.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"


static char dir[64];

static const char *write_file(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Reads every record of a file into one text: "L<line>:<json>" or
 * "L<line>:!<why>|<raw>", separated by newlines. */
static char *read_all(const char *path, records_format f, bool header, char delim)
{
    char err[256];
    records_reader *r = records_open(path, f, header, delim, err, sizeof err);
    if (!r) {
        char *s = malloc(300);
        snprintf(s, 300, "open: %s", err);
        return s;
    }
    size_t cap = 4096, len = 0;
    char *out = calloc(1, cap);
    for (;;) {
        json_t *rec;
        const char *raw;
        size_t rawlen;
        char why[256];
        int rc = records_next(r, &rec, &raw, &rawlen, why, sizeof why);
        if (rc == 0 || rc == -2)
            break;
        char line[600];
        if (rc == 1) {
            char *j = json_dumps(rec, JSON_COMPACT | JSON_ENCODE_ANY);
            snprintf(line, sizeof line, "L%lld:%s\n", (long long)records_line(r), j);
            free(j);
            json_decref(rec);
        } else
            snprintf(line, sizeof line, "L%lld:!%s|%.*s\n", (long long)records_line(r), why, (int)rawlen, raw);
        if (len + strlen(line) + 1 > cap)
            out = realloc(out, cap *= 2);
        strcpy(out + len, line);
        len += strlen(line);
    }
    records_close(r);
    return out;
}

static void expect_read(const char *desc, const char *text, records_format f, bool header, char delim,
                        const char *want)
{
    const char *p = write_file("in", text);
    char *got = read_all(p, f, header, delim);
    check(!strcmp(got, want), "%s:\n--- expected\n%s--- got\n%s", desc, want, got);
    free(got);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strdup("(missing)");
    char *s = calloc(1, 65536);
    size_t n = fread(s, 1, 65535, f);
    s[n] = 0;
    fclose(f);
    return s;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/flux-test-records.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }

    expect_read("csv with header, quotes, embedded newline and doubled quotes",
                "id,name,note\r\n1,\"a,b\",\"say \"\"hi\"\"\"\n2,x,\"two\nlines\"\n\n3,,\n", RECORDS_CSV, true, ',',
                "L2:{\"id\":\"1\",\"name\":\"a,b\",\"note\":\"say \\\"hi\\\"\"}\n"
                "L3:{\"id\":\"2\",\"name\":\"x\",\"note\":\"two\\nlines\"}\n"
                "L6:{\"id\":\"3\",\"name\":\"\",\"note\":\"\"}\n");
    expect_read("csv: a row with a missing field is malformed, the next is read",
                "a;b\n1;2\n3\n4;5\n", RECORDS_CSV, true, ';',
                "L2:{\"a\":\"1\",\"b\":\"2\"}\n"
                "L3:!1 field, the header has 2|3\n"
                "L4:{\"a\":\"4\",\"b\":\"5\"}\n");
    expect_read("csv: text after a closing quote", "a,b\n\"x\"y,1\n2,3\n", RECORDS_CSV, true, ',',
                "L2:!malformed CSV: text after the closing quote of field 1|\"x\"y,1\n"
                "L3:{\"a\":\"2\",\"b\":\"3\"}\n");
    expect_read("csv: an unclosed quote runs to the end", "a,b\n1,2\n\"3,4\n5,6\n", RECORDS_CSV, true, ',',
                "L2:{\"a\":\"1\",\"b\":\"2\"}\n"
                "L3:!malformed CSV: a quoted field opened here is never closed (end of file)|\"3,4\n5,6\n");
    expect_read("csv: BOM skipped, no final newline", "\xEF\xBB\xBFk,v\n1,2", RECORDS_CSV, true, ',',
                "L2:{\"k\":\"1\",\"v\":\"2\"}\n");
    expect_read("csv without header: fields by position", "x,y\n", RECORDS_CSV, false, ',',
                "L1:{\"1\":\"x\",\"2\":\"y\"}\n");
    expect_read("csv: invalid UTF-8 is malformed", "a\n\xff\xfe\nok\n", RECORDS_CSV, true, ',',
                "L2:!field 1 is not valid UTF-8|\xff\xfe\nL3:{\"a\":\"ok\"}\n");
    expect_read("jsonl: blank lines skipped, bad line reported, CRLF", "{\"a\":1}\r\n\n  \n{bad\n[1,2]\n",
                RECORDS_JSONL, false, ',',
                "L1:{\"a\":1}\n"
                "L4:!not JSON: string or '}' expected near 'bad' (column 4)|{bad\n"
                "L5:[1,2]\n");
    expect_read("jsonl: BOM", "\xEF\xBB\xBF{\"a\":2}\n", RECORDS_JSONL, false, ',', "L1:{\"a\":2}\n");
    {
        const char *p = write_file("empty", "");
        char err[256];
        records_reader *r = records_open(p, RECORDS_CSV, true, ',', err, sizeof err);
        check(r != NULL, "empty csv with header opens: %s", err);
        json_t *rec;
        const char *raw;
        size_t rawlen, n = 1;
        check(r && records_next(r, &rec, &raw, &rawlen, err, sizeof err) == 0 && !records_header(r, &n) && n == 0,
              "empty csv: no header, no record");
        records_close(r);
    }

    /* formats */
    records_format f;
    char err[256];
    check(!records_format_of("a/b.ndjson", NULL, &f, err, sizeof err) && f == RECORDS_JSONL, "ndjson");
    check(!records_format_of("a.txt", "csv", &f, err, sizeof err) && f == RECORDS_CSV, "given csv");
    check(records_format_of("a.txt", NULL, &f, err, sizeof err) == -1 && strstr(err, "a.txt"), "unknown: %s", err);

    /* writer: CSV quoting, NULL vs empty string, numbers; then read back */
    {
        char path[128];
        snprintf(path, sizeof path, "%s/out/sub/w.csv", dir);
        const char *cols[] = {"id", "text", "n", "x"};
        records_writer *w = records_create(path, RECORDS_CSV, true, ',', cols, 4, err, sizeof err);
        check(w != NULL, "create: %s", err);
        json_t *r1[] = {json_integer(1), json_string("a,\"b\"\nc"), json_real(0.1), json_null()};
        json_t *r2[] = {json_integer(2), json_string(""), json_real(2.0), json_true()};
        check(!records_write(w, r1, err, sizeof err), "write 1");
        check(!records_write(w, r2, err, sizeof err), "write 2");
        for (int i = 0; i < 4; i++) {
            json_decref(r1[i]);
            json_decref(r2[i]);
        }
        int64_t n = 0, size = 0;
        char sha[65] = "";
        check(!records_commit(w, &n, &size, sha, err, sizeof err), "commit: %s", err);
        char *got = slurp(path);
        const char *want = "id,text,n,x\n1,\"a,\"\"b\"\"\nc\",0.1,\n2,\"\",2.0,true\n";
        check(!strcmp(got, want), "csv written:\n%s", got);
        check(n == 2 && size == (int64_t)strlen(want) && strlen(sha) == 64, "records %lld size %lld", (long long)n,
              (long long)size);
        free(got);
        char *back = read_all(path, RECORDS_CSV, true, ',');
        check(!strcmp(back, "L2:{\"id\":\"1\",\"text\":\"a,\\\"b\\\"\\nc\",\"n\":\"0.1\",\"x\":\"\"}\n"
                            "L4:{\"id\":\"2\",\"text\":\"\",\"n\":\"2.0\",\"x\":\"true\"}\n"),
              "csv read back:\n%s", back);
        free(back);
        char tmp[160];
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
        check(access(tmp, F_OK) != 0, "no temp file left");
    }
    {
        char path[128];
        snprintf(path, sizeof path, "%s/w.jsonl", dir);
        const char *cols[] = {"id", "v"};
        records_writer *w = records_create(path, RECORDS_JSONL, true, ',', cols, 2, err, sizeof err);
        json_t *r1[] = {json_integer(7), json_real(1e300)};
        check(!records_write(w, r1, err, sizeof err), "jsonl write");
        json_decref(r1[0]);
        json_decref(r1[1]);
        int64_t n, size;
        char sha[65];
        check(!records_commit(w, &n, &size, sha, err, sizeof err), "jsonl commit");
        char *got = slurp(path);
        check(!strcmp(got, "{\"id\":7,\"v\":1e+300}\n"), "jsonl written: %s", got);
        free(got);
        /* abort leaves nothing: the writer writes PATH.tmp.PID and only commit
         * renames it to PATH, so PATH alone is absent even if abort did nothing;
         * the temp file must be there before abort and gone after it */
        snprintf(path, sizeof path, "%s/aborted.jsonl", dir);
        char tmp[160];
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
        w = records_create(path, RECORDS_JSONL, true, ',', cols, 2, err, sizeof err);
        check(w != NULL, "writer to abort created: %s", err);
        if (w) {
            json_t *r2[] = {json_integer(8), json_null()};
            check(!records_write(w, r2, err, sizeof err), "write before abort: %s", err);
            json_decref(r2[0]);
            json_decref(r2[1]);
            check(access(tmp, F_OK) == 0, "temp file %s there before abort", tmp);
            records_abort(w);
        }
        check(access(tmp, F_OK) != 0, "aborted temp file %s removed", tmp);
        check(access(path, F_OK) != 0, "aborted file absent");
    }

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
