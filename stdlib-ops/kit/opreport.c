/* opreport — one pass over a finished task's report file for the lines it
 * addressed to the runner (opreport.h). The file is small: flux-wrap bounded
 * it as the task's output streamed by, and the reader refuses a larger one,
 * so reading it on the runner's loop costs little. */
#define _GNU_SOURCE /* O_NOFOLLOW */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "opreport.h"

/* `::output key=value`: the key a name, the value the rest of the line; a
 * later value replaces the earlier one where it stood; a value that is not
 * UTF-8 (a task prints what it likes) removes it: outputs are JSON text,
 * and in MySQL utf8mb4 */
static void put_output(json_t *o, char *line, ssize_t len)
{
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    char *key = line + 9, *eq = strchr(key, '=');
    if (!eq || eq == key)
        return;
    *eq = '\0';
    for (char *c = key; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return;
    json_t *val = json_string(eq + 1);
    if (val)
        json_object_set_new(o, key, val);
    else
        json_object_del(o, key);
}

/* the text after a line's prefix, without its line end, malloc'd */
static char *rest_of(const char *line, size_t prefix)
{
    char *s = strdup(line + prefix);
    if (s)
        s[strcspn(s, "\r\n")] = '\0';
    return s;
}

static void put_counts(flux_op_report *out, const char *line)
{
    long long r, w, j, b;
    if (sscanf(line + 9, "read=%lld written=%lld rejected=%lld bytes=%lld", &r, &w, &j, &b) == 4 && r >= 0 &&
        w >= 0 && j >= 0 && b >= 0) {
        out->has_counts = true;
        out->read = r;
        out->written = w;
        out->rejected = j;
        out->bytes = b;
    }
}

static void put_lineage(json_t *lineage, const char *line)
{
    json_t *o = json_loads(line + 10, JSON_DISABLE_EOF_CHECK, NULL);
    json_t *dir = json_object_get(o, "direction"), *kind = json_object_get(o, "kind"),
           *name = json_object_get(o, "name");
    if (json_is_string(dir) && json_is_string(kind) && json_is_string(name) &&
        (!strcmp(json_string_value(dir), "read") || !strcmp(json_string_value(dir), "write")))
        json_array_append(lineage, o);
    json_decref(o);
}

/* one line of the report into out */
static void put_line(flux_op_report *out, json_t *outputs, json_t *lineage, char *line, ssize_t len)
{
    if (line[0] != ':' || line[1] != ':')
        return;
    if (strncmp(line, "::output ", 9) == 0) {
        put_output(outputs, line, len);
    } else if (strncmp(line, "::counts ", 9) == 0) {
        put_counts(out, line);
    } else if (strncmp(line, "::lineage ", 10) == 0) {
        put_lineage(lineage, line);
    } else if (strncmp(line, "::reason ", 9) == 0) {
        free(out->reason);
        out->reason = rest_of(line, 9);
    } else if (strncmp(line, "::refused ", 10) == 0) {
        free(out->refused);
        out->refused = rest_of(line, 10);
    } else if (strncmp(line, "::last ", 7) == 0) {
        free(out->last);
        out->last = rest_of(line, 7);
    } else if (strncmp(line, "::log_dropped ", 14) == 0) {
        long long n, max;
        if (sscanf(line + 14, "%lld %lld", &n, &max) == 2 && n >= 0 && max >= 0) {
            out->log_dropped = n;
            out->log_max = max;
        }
    } else if (strncmp(line, "::end", 5) == 0 && (line[5] == '\n' || !line[5])) {
        out->whole = true;
    }
}

int flux_op_read_report_fd(int fd, int64_t max_bytes, flux_op_report *out)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    int dfd = dup(fd);
    FILE *fp = dfd >= 0 && fstat(dfd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= max_bytes &&
                       lseek(dfd, 0, SEEK_SET) == 0
                   ? fdopen(dfd, "rb")
                   : NULL;
    if (!fp) {
        if (dfd >= 0)
            close(dfd);
        return -1;
    }
    json_t *outputs = json_object(), *lineage = json_array();
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    /* the size was checked, but a file that grows is read no further */
    for (int64_t total = 0; total <= max_bytes && (len = getline(&line, &lcap, fp)) >= 0; total += len)
        put_line(out, outputs, lineage, line, len);
    free(line);
    fclose(fp);
    out->outputs_json = json_dumps(outputs, JSON_PRESERVE_ORDER);
    json_decref(outputs);
    out->lineage_json = json_dumps(lineage, JSON_COMPACT);
    json_decref(lineage);
    return out->lineage_json && out->outputs_json ? 0 : -1;
}

int flux_op_read_report(const char *path, int64_t max_bytes, flux_op_report *out)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 1 : -1;
    int rc = flux_op_read_report_fd(fd, max_bytes, out);
    close(fd);
    return rc;
}

void flux_op_report_free(flux_op_report *r)
{
    free(r->lineage_json);
    free(r->outputs_json);
    free(r->reason);
    free(r->refused);
    free(r->last);
    r->lineage_json = r->outputs_json = r->reason = r->refused = r->last = NULL;
}
