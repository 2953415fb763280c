/* opreport — one pass over a finished task's log for the lines it
 * addressed to the runner (opreport.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "opreport.h"

/* One pass over a finished task's log for the lines it addressed to the
 * runner: `::output key=value` (the key a name, the value the rest of the
 * line; a later value wins), `::counts ...` (the last one), `::lineage {json}`. */
typedef struct kv {
    char *k, *v;
} kv;

static void put_output(kv **v, size_t *n, size_t *cap, char *line, ssize_t len)
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
    size_t i = 0;
    while (i < *n && strcmp((*v)[i].k, key) != 0)
        i++;
    if (i == *n) {
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 8;
            *v = realloc(*v, *cap * sizeof **v);
        }
        (*v)[*n].k = strdup(key);
        (*v)[*n].v = NULL;
        (*n)++;
    }
    free((*v)[i].v);
    (*v)[i].v = strdup(eq + 1);
}

int flux_op_read_report(const char *log_path, flux_op_report *out)
{
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(log_path, "rb");
    if (!fp)
        return -1;
    json_t *lineage = json_array();
    kv *v = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, fp)) >= 0) {
        if (line[0] != ':' || line[1] != ':')
            continue;
        if (strncmp(line, "::output ", 9) == 0) {
            put_output(&v, &n, &cap, line, len);
        } else if (strncmp(line, "::counts ", 9) == 0) {
            long long r, w, j, b;
            if (sscanf(line + 9, "read=%lld written=%lld rejected=%lld bytes=%lld", &r, &w, &j, &b) == 4 &&
                r >= 0 && w >= 0 && j >= 0 && b >= 0) {
                out->has_counts = true;
                out->read = r;
                out->written = w;
                out->rejected = j;
                out->bytes = b;
            }
        } else if (strncmp(line, "::lineage ", 10) == 0) {
            json_t *o = json_loads(line + 10, JSON_DISABLE_EOF_CHECK, NULL);
            json_t *dir = json_object_get(o, "direction"), *kind = json_object_get(o, "kind"),
                   *name = json_object_get(o, "name");
            if (json_is_string(dir) && json_is_string(kind) && json_is_string(name) &&
                (!strcmp(json_string_value(dir), "read") || !strcmp(json_string_value(dir), "write")))
                json_array_append(lineage, o);
            json_decref(o);
        }
    }
    free(line);
    fclose(fp);
    /* a value that is not UTF-8 (a task prints what it likes) is dropped:
     * outputs are JSON text, and in MySQL utf8mb4 */
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *val = json_string(v[i].v);
        if (val)
            json_object_set_new(o, v[i].k, val);
        free(v[i].k);
        free(v[i].v);
    }
    free(v);
    out->outputs_json = json_dumps(o, JSON_PRESERVE_ORDER);
    json_decref(o);
    out->lineage_json = json_dumps(lineage, JSON_COMPACT);
    json_decref(lineage);
    return out->lineage_json && out->outputs_json ? 0 : -1;
}

void flux_op_report_free(flux_op_report *r)
{
    free(r->lineage_json);
    free(r->outputs_json);
    r->lineage_json = r->outputs_json = NULL;
}
