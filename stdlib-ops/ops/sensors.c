/* sensors — sensors the runner pokes itself: each poke is a cheap check
 * (a clock, a stat, a glob, a row of the state store), so between pokes a
 * waiting sensor holds nothing but a timer. Sensors that need a connection
 * (sql, kafka) run as processes (stdlib-ops/ for the operators issue). */
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ops.h"
#include "schedule.h"
#include "value.h"

static const char *str(const flux_op_fields *f, const char *key, char *buf, size_t len)
{
    const flux_field *v = flux_op_get(f, key);
    if (!v || (v->kind != FLUX_F_STRING && v->kind != FLUX_F_IDENT))
        return NULL;
    snprintf(buf, len, "%.*s", (int)v->u.str.len, v->u.str.s);
    return buf;
}

static bool flag(const flux_op_fields *f, const char *key, bool dflt)
{
    const flux_field *v = flux_op_get(f, key);
    return v && v->kind == FLUX_F_BOOL ? v->u.b : dflt;
}

static int file_ready(const char *path, bool non_empty, const char *marker)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (S_ISDIR(st.st_mode)) {
        if (marker && *marker) {
            char m[4096];
            snprintf(m, sizeof m, "%s/%s", path, marker);
            return stat(m, &st) == 0;
        }
        return 1;
    }
    return !non_empty || st.st_size > 0;
}

int flux_op_poke(const char *op, const flux_op_fields *f, const flux_poke_ctx *ctx, char *err, size_t errlen)
{
    char a[4096], b[512], c[512];
    if (strcmp(op, "time_sensor") == 0) {
        const char *until = str(f, "until", a, sizeof a);
        int64_t t;
        bool zone;
        flux_sched_error e;
        if (!until || flux_time_parse(until, &t, &zone, &e) != 0) {
            snprintf(err, errlen, "until is not a time: %s", until ? e.msg : "missing");
            return -1;
        }
        return ctx->now_ms >= t;
    }
    if (strcmp(op, "file_sensor") == 0) {
        const char *path = str(f, "path", a, sizeof a);
        if (!path) {
            snprintf(err, errlen, "file_sensor has no path");
            return -1;
        }
        bool non_empty = flag(f, "non_empty", false);
        const char *marker = str(f, "success_marker", b, sizeof b);
        const flux_field *mf = flux_op_get(f, "min_files");
        int64_t min_files = mf && mf->kind == FLUX_F_INT ? mf->u.i : 1;
        if (!strpbrk(path, "*?["))
            return min_files <= 1 && file_ready(path, non_empty, marker);
        glob_t g;
        int64_t found = 0;
        if (glob(path, 0, NULL, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc && found < min_files; i++)
                found += file_ready(g.gl_pathv[i], non_empty, marker);
            globfree(&g);
        }
        return found >= (min_files > 0 ? min_files : 1);
    }
    if (strcmp(op, "external_task_sensor") == 0) {
        const char *pl = str(f, "pipeline", b, sizeof b), *task = str(f, "task", c, sizeof c);
        if (!pl || !task || !ctx->task_state) {
            snprintf(err, errlen, "external_task_sensor needs pipeline and task");
            return -1;
        }
        const flux_field *off = flux_op_get(f, "offset");
        int64_t at = ctx->logical_ms - (off && off->kind == FLUX_F_DURATION ? off->u.ms : 0);
        const char *st = ctx->task_state(ctx->ud, pl, at, task);
        if (st && (strcmp(st, "failed") == 0 || strcmp(st, "upstream_failed") == 0)) {
            flux_buf when = {0};
            flux_time_iso(at, 0, &when);
            snprintf(err, errlen, "task '%s' of pipeline '%s' for the interval starting %s ended %s", task, pl,
                     flux_buf_cstr(&when), st);
            flux_buf_free(&when);
            return -1;
        }
        return st && strcmp(st, "success") == 0;
    }
    snprintf(err, errlen, "operator '%s' is not a sensor the runner can poke", op);
    return -1;
}
