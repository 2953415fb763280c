/* load — finding sources, loading a source or a plan, the pipeline a
 * command means, its timetable and connections; see load.h. */
#include "load.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "manifest.h"
#include "plan.h"

/* ---- the *.flux files of a directory ---- */

void flux_paths_add(flux_paths *p, const char *s)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 16;
        char **n = realloc(p->v, p->cap * sizeof *n);
        if (!n)
            abort();
        p->v = n;
    }
    p->v[p->n] = strdup(s);
    if (!p->v[p->n++])
        abort();
}

void flux_paths_free(flux_paths *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
    memset(p, 0, sizeof *p);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int flux_load_find_sources(const char *dir, flux_paths *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    flux_paths local = {0};
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_')
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *full = malloc(n);
        if (!full)
            abort();
        if (!strcmp(dir, "."))
            snprintf(full, n, "%s", e->d_name);
        else
            snprintf(full, n, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", e->d_name);
        flux_paths_add(&local, full);
        free(full);
    }
    closedir(d);
    if (local.n)
        qsort(local.v, local.n, sizeof *local.v, cmp_str);
    for (size_t i = 0; i < local.n; i++) {
        struct stat st;
        if (stat(local.v[i], &st) == 0 && S_ISDIR(st.st_mode))
            flux_load_find_sources(local.v[i], out);
        else if (ends_with(local.v[i], ".flux"))
            flux_paths_add(out, local.v[i]);
    }
    flux_paths_free(&local);
    return 0;
}

/* ---- sources and plans ---- */

static bool is_plan(const char *file)
{
    size_t n = strlen(file);
    return (n > 5 && strcmp(file + n - 5, ".yaml") == 0) || (n > 4 && strcmp(file + n - 4, ".yml") == 0);
}

/* the operators of one's own the plan was compiled with, loaded from the
 * manifests it names and checked unchanged: a run of a plan never runs
 * another operator than the one compiled, whatever the operators path
 * holds now. 0, or -1 with err. */
static int plan_operators(const flux_plan *plan, char *err, size_t errlen)
{
    for (size_t i = 0; i < plan->noperators; i++)
        if (flux_manifest_load_one(plan->operators[i].name, plan->operators[i].manifest.path,
                                   plan->operators[i].manifest.sha256, err, errlen) != 0)
            return -1;
    return 0;
}

/* a read plan as the compilation's one pipeline */
static void adopt_plan(flux_compilation *c, flux_plan *plan)
{
    plan->pipeline->arena_arrays = true;
    plan->pipeline->from_plan = plan;
    c->pipelines = flux_arena_alloc(c->arena, sizeof *c->pipelines);
    c->pipelines[0] = plan->pipeline;
    c->npipelines = c->cap = 1;
}

/* a plan written by flux compile: what the runtime runs, previewed as is */
static int load_plan(flux_compilation *c, const char *file, char *err, size_t errlen)
{
    uint32_t id = flux_sources_load(&c->sources, file);
    if (!id) {
        snprintf(err, errlen, "cannot read '%s': %s", file, strerror(errno));
        return FLUX_EXIT_USAGE;
    }
    const flux_source *src = flux_sources_get(&c->sources, id);
    flux_plan *plan = flux_plan_read(c->arena, &c->sources, file, src->text, src->len, err, errlen);
    if (!plan || plan_operators(plan, err, errlen) != 0)
        return FLUX_EXIT_COMPILE;
    adopt_plan(c, plan);
    return 0;
}

int flux_load_plan_text(flux_compilation *c, const char *name, const char *text, size_t len, char *err,
                        size_t errlen)
{
    flux_compilation_init(c);
    uint32_t id = flux_sources_add(&c->sources, name, text, len);
    const flux_source *src = flux_sources_get(&c->sources, id);
    char why[512];
    flux_plan *plan = src ? flux_plan_read(c->arena, &c->sources, name, src->text, src->len, why, sizeof why) : NULL;
    if (!plan) {
        snprintf(err, errlen, "plan %s: %s", name, src ? why : "out of memory");
        return FLUX_EXIT_COMPILE;
    }
    if (plan_operators(plan, why, sizeof why) != 0) {
        snprintf(err, errlen, "plan %s: %s", name, why);
        return FLUX_EXIT_COMPILE;
    }
    adopt_plan(c, plan);
    return 0;
}

int flux_load_file(flux_compilation *c, const char *file, char *err, size_t errlen)
{
    flux_compilation_init(c);
    *err = '\0';
    if (is_plan(file))
        return load_plan(c, file, err, errlen);
    int io = flux_compile_file(c, file);
    flux_compile_finish(c);
    if (io != 0)
        return FLUX_EXIT_USAGE;
    return c->diags.errors ? FLUX_EXIT_COMPILE : 0;
}

flux_pipeline *flux_load_pipeline(flux_compilation *c, const char *file, const char *name, char *err,
                                  size_t errlen)
{
    if (name) {
        for (size_t i = 0; i < c->npipelines; i++)
            if (strcmp(c->pipelines[i]->name, name) == 0)
                return c->pipelines[i];
        snprintf(err, errlen, "no pipeline '%s' in %s", name, file);
        return NULL;
    }
    if (c->npipelines == 1)
        return c->pipelines[0];
    if (c->npipelines == 0) {
        snprintf(err, errlen, "%s declares no pipeline", file);
        return NULL;
    }
    flux_buf b = {0};
    flux_buf_printf(&b, "%s declares %zu pipelines; choose one with --pipeline:", file, c->npipelines);
    for (size_t i = 0; i < c->npipelines; i++)
        flux_buf_printf(&b, " %s", c->pipelines[i]->name);
    snprintf(err, errlen, "%s", flux_buf_cstr(&b));
    flux_buf_free(&b);
    return NULL;
}

const flux_field *flux_load_attr(const flux_pipeline *p, const char *key)
{
    for (size_t i = 0; i < p->attrs.n; i++)
        if (strcmp(p->attrs.v[i].key, key) == 0)
            return &p->attrs.v[i].val;
    return NULL;
}

/* ---- times and timetables ---- */

int flux_load_time(const char *text, const flux_tz *tz, int64_t *ms, char *err, size_t errlen)
{
    bool zone;
    flux_sched_error e;
    if (flux_time_parse(text, ms, &zone, &e) != 0) {
        snprintf(err, errlen, "invalid time '%s': %s", text, e.msg);
        return -1;
    }
    if (!zone && tz) {
        int64_t frac = *ms % 1000, utc;
        flux_tz_resolve(tz, (*ms - frac) / 1000, &utc);
        *ms = utc * 1000 + frac;
    }
    return 0;
}

int flux_load_timetable(const flux_pipeline *p, flux_timetable *tt, char *err, size_t errlen)
{
    memset(tt, 0, sizeof *tt);
    const flux_field *zone = flux_load_attr(p, "timezone");
    tt->tz = flux_tz_load(zone ? zone->u.str.s : "UTC", err, errlen);
    if (!tt->tz)
        return -1;
    flux_sched_error e;
    const flux_field *sched = flux_load_attr(p, "schedule");
    if (flux_schedule_parse(sched->u.str.s, &tt->sched, &e) != 0) {
        snprintf(err, errlen, "%s", e.msg);
        return -1;
    }
    if (flux_load_time(flux_load_attr(p, "start")->u.str.s, tt->tz, &tt->start_ms, err, errlen) != 0)
        return -1;
    tt->end_ms = INT64_MAX;
    const flux_field *end = flux_load_attr(p, "end");
    if (end && flux_load_time(end->u.str.s, tt->tz, &tt->end_ms, err, errlen) != 0)
        return -1;
    return 0;
}
