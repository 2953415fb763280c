/* deploy — publishing the pipelines of a tree as numbered plan versions,
 * shared by `flux deploy` and the scheduler; see deploy.h.
 *
 * A source file is compiled on its own, from its root with a relative path,
 * so its plans are the same bytes wherever the tree sits (a git checkout in
 * a temp directory included). A file that compiles publishes each of its
 * pipelines whose plan changed as a new numbered version; a file that does
 * not keeps its pipelines on their last good version and records its
 * diagnostics, which `flux status` and `flux errors` show. A broken commit
 * never takes a working pipeline down. */
#include "deploy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "clock.h"
#include "compile.h"
#include "plan.h"
#include "meta.h"
#include "plandiff.h"

/* ---- what changed between two plans ---- */

/* Through the plan reader (lang's plan diff), never by searching the text. */
void flux_deploy_changes(const char *old_plan, const char *new_plan, flux_buf *out)
{
    flux_plan_diff_text(old_plan, old_plan ? strlen(old_plan) : 0, new_plan, new_plan ? strlen(new_plan) : 0, out);
}

/* ---- publishing a tree ---- */

/* the diagnostics of a compilation as printed, without colour */
static char *diags_text(flux_compilation *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return NULL;
    flux_diags_print(&c->diags, m, false);
    fprintf(m, "%zu error%s, %zu warning%s\n", c->diags.errors, c->diags.errors == 1 ? "" : "s", c->diags.warnings,
            c->diags.warnings == 1 ? "" : "s");
    fclose(m);
    return text;
}

static bool in_list(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

/* one call of flux_deploy_tree: what it read once, what it has seen */
typedef struct dctx {
    flux_store *s;
    const char *commit;
    int64_t now;
    flux_deploy_say say;
    void *ud;
    flux_deploy_report *rep;
    flux_pipeline_row *pr; /* the pipelines as they were before this call */
    size_t np;
    char **seen, **seen_file; /* pipelines seen in this tree, for removals and duplicates */
    size_t nseen;
} dctx;

static void say(dctx *d, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(dctx *d, bool error, const char *fmt, ...)
{
    if (!d->say && !error)
        return;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = malloc(n > 0 ? (size_t)n + 1 : 1);
    if (!text)
        abort();
    vsnprintf(text, n > 0 ? (size_t)n + 1 : 1, fmt, again);
    va_end(again);
    if (d->say)
        d->say(d->ud, error, text);
    free(text);
}

static void see(dctx *d, const char *name, const char *path)
{
    d->seen = realloc(d->seen, (d->nseen + 1) * sizeof *d->seen);
    d->seen_file = realloc(d->seen_file, (d->nseen + 1) * sizeof *d->seen_file);
    if (!d->seen || !d->seen_file)
        abort();
    d->seen[d->nseen] = strdup(name);
    d->seen_file[d->nseen] = strdup(path);
    if (!d->seen[d->nseen] || !d->seen_file[d->nseen++])
        abort();
}

/* a file with errors: its diagnostics recorded, its pipelines still
 * defined by their last good version */
static int deploy_broken(dctx *d, const char *path, const char *sha, flux_compilation *c)
{
    int rc = 0;
    char *errs = diags_text(c);
    if (flux_store_put_source(d->s, path, sha, d->commit, errs ? errs : "cannot read the file", d->now))
        rc = -1;
    say(d, false, "%s: not deployed, %zu error%s (its pipelines keep their last good version)\n%s", path,
        c->diags.errors, c->diags.errors == 1 ? "" : "s", errs ? errs : "");
    free(errs);
    d->rep->broken++;
    for (size_t i = 0; i < d->np; i++)
        if (d->pr[i].source_path && !strcmp(d->pr[i].source_path, path))
            see(d, d->pr[i].name, path);
    return rc;
}

/* one valid pipeline: a new version when its plan changed */
static int deploy_pipeline(dctx *d, flux_compilation *c, flux_pipeline *p, const char *path, const char *sha)
{
    int rc = 0;
    flux_plan pl;
    flux_compile_plan(c, p, &pl);
    flux_buf b = {0};
    flux_plan_write(&pl, &b);
    char id[65];
    flux_sha256_hex(b.data, b.len, id);
    const flux_pipeline_row *was = NULL;
    for (size_t k = 0; k < d->np && !was; k++)
        if (!strcmp(d->pr[k].name, p->name) && d->pr[k].version)
            was = &d->pr[k];
    int oldv = was ? was->version : 0;
    /* the old text only to say what changed */
    char *old = was && d->say && strcmp(was->plan_id, id) ? flux_store_get_plan(d->s, was->plan_id) : NULL;
    int v = 0;
    bool created = false;
    if (flux_store_deploy(d->s, p->name, id, b.data, path, sha, d->commit, d->now, &v, &created) ||
        flux_meta_record(d->s, id, p)) {
        say(d, true, "flux: deploying %s: %s\n", p->name, flux_store_error(d->s));
        rc = -1;
    } else if (created) {
        d->rep->deployed++;
        if (d->say) {
            flux_buf ch = {0};
            flux_deploy_changes(old, b.data, &ch);
            if (oldv)
                say(d, false, "%s: version %d (plan %.12s, was version %d): %s\n", p->name, v, id, oldv,
                    flux_buf_cstr(&ch));
            else
                say(d, false, "%s: version %d (plan %.12s): %s\n", p->name, v, id, flux_buf_cstr(&ch));
            flux_buf_free(&ch);
        }
    } else {
        d->rep->unchanged++;
        say(d, false, "%s: unchanged (version %d)\n", p->name, v);
    }
    free(old);
    flux_buf_free(&b);
    see(d, p->name, path);
    return rc;
}

/* one file compiled from the tree's root: no store, no chdir, so any thread */
typedef struct built_file {
    char *path; /* relative to the root */
    char sha[65];
    int io; /* the file could not be read */
    flux_compilation c;
} built_file;

struct flux_deploy_build {
    char *error; /* the root could not be read: why */
    bool whole;  /* the whole tree (vanished pipelines are removed) */
    flux_paths files;
    built_file *v;
};

static void build_file(const char *root, const char *path, built_file *f)
{
    f->path = flux_xstrdup(path);
    flux_compilation_init(&f->c);
    f->c.sources.root = root;
    f->io = flux_compile_file_under(&f->c, path, "."); /* includes stay in the tree */
    if (!f->io) { /* the file read once: its hash from the text the compiler loaded (source 1) */
        const flux_source *src = flux_sources_get(&f->c.sources, 1);
        flux_sha256_hex(src->text, src->len, f->sha);
    }
    flux_compile_finish(&f->c);
}

static int deploy_file(dctx *d, built_file *f)
{
    flux_compilation *c = &f->c;
    const char *path = f->path;
    /* the same pipeline name in two files: the later file is in error */
    for (size_t i = 0; !f->io && !c->diags.errors && i < c->npipelines; i++)
        for (size_t j = 0; j < d->nseen; j++)
            if (!strcmp(d->seen[j], c->pipelines[i]->name))
                flux_diag_add(&c->diags, FLUX_SEV_ERROR, c->pipelines[i]->name_span, "duplicate-pipeline",
                              "pipeline '%s' is also defined in %s", d->seen[j], d->seen_file[j]);
    int rc;
    if (f->io || c->diags.errors) {
        rc = deploy_broken(d, path, f->sha, c);
    } else {
        rc = flux_store_put_source(d->s, path, f->sha, d->commit, NULL, d->now) ? -1 : 0;
        for (size_t i = 0; i < c->npipelines && rc == 0; i++)
            rc = deploy_pipeline(d, c, c->pipelines[i], path, f->sha);
    }
    return rc;
}

/* a whole tree: pipelines of files that are gone, or no longer defined
 * where they were, are removed (paused until they come back) */
static void remove_vanished(dctx *d, const flux_paths *files)
{
    for (size_t i = 0; i < d->np; i++) {
        const flux_pipeline_row *r = &d->pr[i];
        if (!r->source_path || r->removed || in_list(d->seen, d->nseen, r->name))
            continue;
        if (flux_store_set_removed(d->s, r->name, true, d->now) == 0) {
            d->rep->removed++;
            say(d, false, "%s: removed (no longer defined in %s); paused until it comes back\n", r->name,
                r->source_path);
        }
    }
    flux_source_row *src;
    size_t ns;
    if (flux_store_list_sources(d->s, &src, &ns) == 0) {
        for (size_t i = 0; i < ns; i++)
            if (!in_list(files->v, files->n, src[i].path))
                flux_store_drop_source(d->s, src[i].path);
        flux_source_rows_free(src, ns);
    }
}

flux_deploy_build *flux_deploy_compile(const char *root, const flux_paths *only)
{
    flux_deploy_build *b = calloc(1, sizeof *b);
    if (!b)
        abort();
    struct stat st;
    const char *why = stat(root, &st) != 0 ? strerror(errno) : !S_ISDIR(st.st_mode) ? strerror(ENOTDIR) : NULL;
    if (why) {
        size_t n = strlen(root) + strlen(why) + 32;
        b->error = flux_xmalloc(n);
        snprintf(b->error, n, "flux: cannot enter %s: %s\n", root, why);
        return b;
    }
    if (only) {
        for (size_t i = 0; i < only->n; i++)
            flux_paths_add(&b->files, only->v[i]);
    } else {
        /* found from the root, kept relative to it */
        b->whole = true;
        flux_paths found = {0};
        flux_load_find_sources(root, &found);
        size_t skip = !strcmp(root, ".") ? 0 : strlen(root) + (root[strlen(root) - 1] == '/' ? 0 : 1);
        for (size_t i = 0; i < found.n; i++)
            flux_paths_add(&b->files, found.v[i] + skip);
        flux_paths_free(&found);
    }
    b->v = calloc(b->files.n ? b->files.n : 1, sizeof *b->v);
    if (!b->v)
        abort();
    for (size_t i = 0; i < b->files.n; i++)
        build_file(root, b->files.v[i], &b->v[i]);
    return b;
}

void flux_deploy_build_free(flux_deploy_build *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->files.n && b->v; i++) {
        flux_compilation_free(&b->v[i].c);
        free(b->v[i].path);
    }
    free(b->v);
    flux_paths_free(&b->files);
    free(b->error);
    free(b);
}

int flux_deploy_publish(flux_store *s, flux_deploy_build *b, const char *commit, flux_deploy_report *rep,
                        flux_deploy_say sayf, void *ud)
{
    memset(rep, 0, sizeof *rep);
    dctx d = {.s = s, .commit = commit, .say = sayf, .ud = ud, .rep = rep};
    if (b->error) {
        say(&d, true, "%s", b->error);
        return -1;
    }
    d.now = flux_clock_wall_ms();
    int rc = 0;
    if (flux_store_list_pipelines(s, &d.pr, &d.np) != 0) {
        say(&d, true, "flux: reading the deployed pipelines: %s\n", flux_store_error(s));
        rc = -1;
    }
    for (size_t f = 0; f < b->files.n && rc == 0; f++)
        rc = deploy_file(&d, &b->v[f]);
    if (b->whole && rc == 0)
        remove_vanished(&d, &b->files);
    flux_pipeline_rows_free(d.pr, d.np);
    for (size_t i = 0; i < d.nseen; i++) {
        free(d.seen[i]);
        free(d.seen_file[i]);
    }
    free(d.seen);
    free(d.seen_file);
    return rc;
}

int flux_deploy_tree(flux_store *s, const char *root, const flux_paths *only, const char *commit,
                     flux_deploy_report *rep, flux_deploy_say sayf, void *ud)
{
    flux_deploy_build *b = flux_deploy_compile(root, only);
    int rc = flux_deploy_publish(s, b, commit, rep, sayf, ud);
    flux_deploy_build_free(b);
    return rc;
}
