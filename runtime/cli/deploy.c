/* deploy — publishing pipelines: `flux deploy FILE|DIR`, `versions`, `diff`,
 * `pause`, `unpause`, `trigger`, `errors`, and the publishing step the
 * scheduler runs on every change (flux_deploy_tree).
 *
 * A source file is compiled on its own, from its root with a relative path,
 * so its plans are the same bytes wherever the tree sits (a git checkout in
 * a temp directory included). A file that compiles publishes each of its
 * pipelines whose plan changed as a new numbered version; a file that does
 * not keeps its pipelines on their last good version and records its
 * diagnostics, which `flux status` and `flux errors` show. A broken commit
 * never takes a working pipeline down. */
#include "deploy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "compile.h"
#include "plan.h"
#include "render.h"
#include "schedule.h"
#include "store.h"

extern char **environ;

/* ---- what changed between two plans ---- */

/* The task blocks of a plan: "- id: NAME" up to the next task or the end of
 * the tasks list (the writer is deterministic, so equal text is an equal
 * task). */
typedef struct task_block {
    char name[256];
    const char *text;
    size_t len;
} task_block;

static size_t task_blocks(const char *plan, task_block **out)
{
    *out = NULL;
    const char *p = plan ? strstr(plan, "\ntasks:\n") : NULL;
    size_t n = 0, cap = 0;
    if (!p)
        return 0;
    p += 8;
    while (!strncmp(p, "- id: ", 6)) {
        const char *end = p + 1;
        while ((end = strchr(end, '\n')) && end[1] == ' ')
            end++;
        end = end ? end + 1 : p + strlen(p);
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            *out = realloc(*out, cap * sizeof **out);
        }
        task_block *b = &(*out)[n++];
        size_t nl = strcspn(p + 6, "\n");
        snprintf(b->name, sizeof b->name, "%.*s", (int)nl, p + 6);
        b->text = p;
        b->len = (size_t)(end - p);
        p = end;
    }
    return n;
}

static const task_block *find_block(const task_block *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].name, name))
            return &v[i];
    return NULL;
}

void flux_deploy_changes(const char *old_plan, const char *new_plan, flux_buf *out)
{
    task_block *a, *b;
    size_t na = task_blocks(old_plan, &a), nb = task_blocks(new_plan, &b);
    const char *kinds[3] = {"added", "removed", "changed"};
    bool any = false;
    for (int k = 0; k < 3; k++) {
        size_t count = 0;
        flux_buf names = {0};
        const task_block *v = k == 1 ? a : b;
        size_t n = k == 1 ? na : nb;
        for (size_t i = 0; i < n; i++) {
            const task_block *other = find_block(k == 1 ? b : a, k == 1 ? nb : na, v[i].name);
            bool hit = k == 2 ? other && (other->len != v[i].len || memcmp(other->text, v[i].text, v[i].len))
                              : !other;
            if (!hit)
                continue;
            flux_buf_printf(&names, "%s%s", count ? ", " : "", v[i].name);
            count++;
        }
        if (count) {
            flux_buf_printf(out, "%s%zu task%s %s (%s)", any ? "; " : "", count, count == 1 ? "" : "s", kinds[k],
                            flux_buf_cstr(&names));
            any = true;
        }
        flux_buf_free(&names);
    }
    /* the same tasks, changed elsewhere: attributes, params, edges, the source hash */
    if (!any)
        flux_buf_puts(out, old_plan ? "tasks unchanged; pipeline attributes or source changed" : "first version");
    free(a);
    free(b);
}

/* ---- publishing a tree ---- */

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    flux_buf b = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        flux_buf_put(&b, buf, n);
    fclose(f);
    *len = b.len;
    return b.data ? b.data : strdup("");
}

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

int flux_deploy_tree(flux_store *s, const char *root, const flux_paths *only, const char *commit,
                     flux_deploy_report *rep, FILE *out)
{
    memset(rep, 0, sizeof *rep);
    int back = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (back < 0 || chdir(root) != 0) {
        fprintf(stderr, "flux: cannot enter %s: %s\n", root, strerror(errno));
        if (back >= 0)
            close(back);
        return -1;
    }
    flux_paths files = {0};
    if (only) {
        for (size_t i = 0; i < only->n; i++)
            flux_paths_add(&files, only->v[i]);
    } else {
        flux_load_find_sources(".", &files);
    }
    int64_t now = wall_ms();
    int rc = 0;
    /* pipelines seen in this tree, for removals and duplicates */
    char **seen = NULL, **seen_file = NULL;
    size_t nseen = 0;
    /* the pipelines as they were before this call: read once */
    flux_pipeline_row *pr = NULL;
    size_t np = 0;
    if (flux_store_list_pipelines(s, &pr, &np) != 0) {
        fprintf(stderr, "flux: reading the deployed pipelines: %s\n", flux_store_error(s));
        rc = -1;
    }
    for (size_t f = 0; f < files.n && rc == 0; f++) {
        const char *path = files.v[f];
        size_t len = 0;
        char *bytes = read_whole(path, &len);
        char sha[65] = "";
        if (bytes)
            flux_sha256_hex(bytes, len, sha);
        free(bytes);
        flux_compilation c;
        flux_compilation_init(&c);
        int io = flux_compile_file(&c, path);
        flux_compile_finish(&c);
        /* the same pipeline name in two files: the later file is in error */
        for (size_t i = 0; !io && !c.diags.errors && i < c.npipelines; i++)
            for (size_t j = 0; j < nseen; j++)
                if (!strcmp(seen[j], c.pipelines[i]->name))
                    flux_diag_add(&c.diags, FLUX_SEV_ERROR, c.pipelines[i]->name_span, "duplicate-pipeline",
                                  "pipeline '%s' is also defined in %s", seen[j], seen_file[j]);
        if (io || c.diags.errors) {
            char *errs = diags_text(&c);
            if (flux_store_put_source(s, path, sha, commit, errs ? errs : "cannot read the file", now))
                rc = -1;
            if (out)
                fprintf(out, "%s: not deployed, %zu error%s (its pipelines keep their last good version)\n%s", path,
                        c.diags.errors, c.diags.errors == 1 ? "" : "s", errs ? errs : "");
            free(errs);
            rep->broken++;
            /* its pipelines are still defined, by their last good version */
            for (size_t i = 0; i < np; i++)
                if (pr[i].source_path && !strcmp(pr[i].source_path, path)) {
                    seen = realloc(seen, (nseen + 1) * sizeof *seen);
                    seen_file = realloc(seen_file, (nseen + 1) * sizeof *seen_file);
                    seen[nseen] = strdup(pr[i].name);
                    seen_file[nseen++] = strdup(path);
                }
            flux_compilation_free(&c);
            continue;
        }
        if (flux_store_put_source(s, path, sha, commit, NULL, now))
            rc = -1;
        for (size_t i = 0; i < c.npipelines && rc == 0; i++) {
            flux_pipeline *p = c.pipelines[i];
            flux_plan pl;
            flux_compile_plan(&c, p, &pl);
            flux_buf b = {0};
            flux_plan_write(&pl, &b);
            char id[65];
            flux_sha256_hex(b.data, b.len, id);
            const flux_pipeline_row *was = NULL;
            for (size_t k = 0; k < np && !was; k++)
                if (!strcmp(pr[k].name, p->name) && pr[k].version)
                    was = &pr[k];
            int oldv = was ? was->version : 0;
            /* the old text only to say what changed */
            char *old = was && out && strcmp(was->plan_id, id) ? flux_store_get_plan(s, was->plan_id) : NULL;
            int v = 0;
            bool created = false;
            if (flux_store_deploy(s, p->name, id, b.data, path, sha, commit, now, &v, &created)) {
                fprintf(stderr, "flux: deploying %s: %s\n", p->name, flux_store_error(s));
                rc = -1;
            } else if (created) {
                rep->deployed++;
                if (out) {
                    flux_buf ch = {0};
                    flux_deploy_changes(old, b.data, &ch);
                    if (oldv)
                        fprintf(out, "%s: version %d (plan %.12s, was version %d): %s\n", p->name, v, id, oldv,
                                flux_buf_cstr(&ch));
                    else
                        fprintf(out, "%s: version %d (plan %.12s): %s\n", p->name, v, id, flux_buf_cstr(&ch));
                    flux_buf_free(&ch);
                }
            } else {
                rep->unchanged++;
                if (out)
                    fprintf(out, "%s: unchanged (version %d)\n", p->name, v);
            }
            free(old);
            flux_buf_free(&b);
            seen = realloc(seen, (nseen + 1) * sizeof *seen);
            seen_file = realloc(seen_file, (nseen + 1) * sizeof *seen_file);
            seen[nseen] = strdup(p->name);
            seen_file[nseen++] = strdup(path);
        }
        flux_compilation_free(&c);
    }
    /* a whole tree: pipelines of files that are gone, or no longer defined
     * where they were, are removed (paused until they come back) */
    if (!only && rc == 0) {
        for (size_t i = 0; i < np; i++) {
            if (!pr[i].source_path || pr[i].removed || in_list(seen, nseen, pr[i].name))
                continue;
            if (flux_store_set_removed(s, pr[i].name, true, now) == 0) {
                rep->removed++;
                if (out)
                    fprintf(out, "%s: removed (no longer defined in %s); paused until it comes back\n", pr[i].name,
                            pr[i].source_path);
            }
        }
        flux_source_row *src;
        size_t ns;
        if (flux_store_list_sources(s, &src, &ns) == 0) {
            for (size_t i = 0; i < ns; i++)
                if (!in_list(files.v, files.n, src[i].path))
                    flux_store_drop_source(s, src[i].path);
            flux_source_rows_free(src, ns);
        }
    }
    flux_pipeline_rows_free(pr, np);
    for (size_t i = 0; i < nseen; i++) {
        free(seen[i]);
        free(seen_file[i]);
    }
    free(seen);
    free(seen_file);
    flux_paths_free(&files);
    if (fchdir(back) != 0)
        rc = -1;
    close(back);
    return rc;
}

/* ---- the commands ---- */

typedef struct dopts {
    const char *db, *conns, *commit, *date, *format;
    char *pos[4];
    size_t npos;
    char **params;
    size_t nparams;
} dopts;

/* options shared by the deploy commands; -1 after a usage error */
static int dparse(const char *cmd, int argc, char **argv, dopts *o, size_t maxpos)
{
    memset(o, 0, sizeof *o);
    o->format = "text";
    o->params = calloc((size_t)argc + 1, sizeof *o->params);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp(a, "--db")            ? &o->db
                            : !strcmp(a, "--connections") ? &o->conns
                            : !strcmp(a, "--commit")      ? &o->commit
                            : !strcmp(a, "--date")        ? &o->date
                            : !strcmp(a, "--format")      ? &o->format
                                                          : NULL;
        if (slot || !strcmp(a, "--param") || !strcmp(a, "-P")) {
            if (i + 1 >= argc) {
                flux_cli_usage_error(cmd, "option '%s' needs a value", a);
                return -1;
            }
            if (slot)
                *slot = argv[++i];
            else
                o->params[o->nparams++] = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            static const char *const known[] = {"--db", "--connections", "--commit", "--date", "--format", "--param"};
            flux_cli_unknown_option(cmd, a, known, sizeof known / sizeof *known);
            return -1;
        } else if (o->npos < maxpos) {
            o->pos[o->npos++] = (char *)a;
        } else {
            flux_cli_usage_error(cmd, "unexpected argument '%s'", a);
            return -1;
        }
    }
    if (strcmp(o->format, "text") && strcmp(o->format, "json")) {
        flux_cli_usage_error(cmd, "unknown format '%s' (text or json)", o->format);
        return -1;
    }
    return 0;
}

static void iso_ms(int64_t ms, char *out, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int flux_cmd_deploy(int argc, char **argv)
{
    dopts o;
    if (dparse("deploy", argc, argv, &o, 1) || o.npos != 1) {
        if (o.npos != 1)
            flux_cli_usage_error("deploy", "give the FILE or DIR to deploy");
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    struct stat st;
    if (stat(o.pos[0], &st) != 0) {
        fprintf(stderr, "flux deploy: cannot read '%s': %s\n", o.pos[0], strerror(errno));
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    flux_store *s = flux_cli_open_store("deploy", o.db, o.conns);
    if (!s) {
        free(o.params);
        return FLUX_EXIT_FAIL;
    }
    flux_deploy_report rep;
    int rc;
    if (S_ISDIR(st.st_mode)) {
        rc = flux_deploy_tree(s, o.pos[0], NULL, o.commit, &rep, stdout);
    } else {
        /* one file: from its directory, under its own name */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", o.pos[0]);
        char *sl = strrchr(dir, '/');
        flux_paths only = {0};
        flux_paths_add(&only, sl ? sl + 1 : dir);
        if (sl)
            *sl = '\0';
        rc = flux_deploy_tree(s, sl ? (dir[0] ? dir : "/") : ".", &only, o.commit, &rep, stdout);
        flux_paths_free(&only);
    }
    printf("%d deployed, %d unchanged, %d file%s with errors, %d removed\n", rep.deployed, rep.unchanged, rep.broken,
           rep.broken == 1 ? "" : "s", rep.removed);
    flux_store_close(s);
    free(o.params);
    return rc ? FLUX_EXIT_FAIL : rep.broken ? FLUX_EXIT_COMPILE : FLUX_EXIT_OK;
}

int flux_cmd_versions(int argc, char **argv)
{
    dopts o;
    if (dparse("versions", argc, argv, &o, 1) || o.npos != 1) {
        if (o.npos != 1)
            flux_cli_usage_error("versions", "give the PIPELINE");
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    flux_store *s = flux_cli_open_store("versions", o.db, o.conns);
    if (!s) {
        free(o.params);
        return FLUX_EXIT_FAIL;
    }
    flux_deployment *d;
    size_t n;
    int rc = FLUX_EXIT_OK;
    if (flux_store_list_deployments(s, o.pos[0], &d, &n) != 0) {
        fprintf(stderr, "flux versions: %s\n", flux_store_error(s));
        rc = FLUX_EXIT_FAIL;
    } else if (n == 0) {
        fprintf(stderr, "flux versions: pipeline '%s' was never deployed\n", o.pos[0]);
        rc = FLUX_EXIT_FAIL;
    } else if (!strcmp(o.format, "json")) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
            char t[32];
            iso_ms(d[i].deployed_at, t, sizeof t);
            json_array_append_new(a, json_pack("{s:i, s:s, s:s, s:s?, s:s?, s:s?, s:b}", "version", d[i].version,
                                               "plan", d[i].plan_id, "deployed_at", t, "commit",
                                               d[i].commit[0] ? d[i].commit : NULL, "source",
                                               d[i].source_path[0] ? d[i].source_path : NULL, "source_sha256",
                                               d[i].source_sha256[0] ? d[i].source_sha256 : NULL, "current",
                                               i == 0));
        }
        char *t = json_dumps(a, JSON_INDENT(2));
        printf("%s\n", t);
        free(t);
        json_decref(a);
    } else {
        printf("  %-7s %-12s %-20s %-12s %s\n", "VERSION", "PLAN", "DEPLOYED", "COMMIT", "SOURCE");
        for (size_t i = 0; i < n; i++) {
            char t[32];
            iso_ms(d[i].deployed_at, t, sizeof t);
            printf("%s %-7d %-12.12s %-20s %-12.12s %s\n", i == 0 ? "*" : " ", d[i].version, d[i].plan_id, t,
                   d[i].commit[0] ? d[i].commit : "-", d[i].source_path[0] ? d[i].source_path : "-");
        }
    }
    if (rc == FLUX_EXIT_OK || n)
        free(d);
    flux_store_close(s);
    free(o.params);
    return rc;
}

/* `diff -u` of two plan texts: plans are deterministic YAML, so a line diff
 * reads as a diff of the pipelines */
static int line_diff(const char *a, const char *la, const char *b, const char *lb)
{
    char ta[] = "/tmp/flux-diff-a.XXXXXX", tb[] = "/tmp/flux-diff-b.XXXXXX";
    int fa = mkstemp(ta), fb = mkstemp(tb);
    int rc = -1;
    if (fa >= 0 && fb >= 0 && write(fa, a, strlen(a)) == (ssize_t)strlen(a) &&
        write(fb, b, strlen(b)) == (ssize_t)strlen(b)) {
        char l1[300], l2[300];
        snprintf(l1, sizeof l1, "%s", la);
        snprintf(l2, sizeof l2, "%s", lb);
        char *argv[] = {"diff", "-u", "--label", l1, "--label", l2, ta, tb, NULL};
        fflush(stdout);
        pid_t pid;
        if (posix_spawnp(&pid, "diff", NULL, NULL, argv, environ) == 0) {
            int status;
            waitpid(pid, &status, 0);
            rc = WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? 0 : -1;
        } else {
            fprintf(stderr, "flux diff: cannot run diff: %s\n", strerror(errno));
        }
    }
    if (fa >= 0)
        close(fa), unlink(ta);
    if (fb >= 0)
        close(fb), unlink(tb);
    return rc;
}

int flux_cmd_diff(int argc, char **argv)
{
    dopts o;
    if (dparse("diff", argc, argv, &o, 3) || o.npos != 3) {
        if (o.npos != 3)
            flux_cli_usage_error("diff", "give PIPELINE V1 V2 (version numbers from flux versions)");
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    int v[2];
    for (int i = 0; i < 2; i++) {
        char *end;
        long x = strtol(o.pos[1 + i], &end, 10);
        if (*end || x < 1 || x > 1000000000) {
            flux_cli_usage_error("diff", "'%s' is not a version number", o.pos[1 + i]);
            free(o.params);
            return FLUX_EXIT_USAGE;
        }
        v[i] = (int)x;
    }
    flux_store *s = flux_cli_open_store("diff", o.db, o.conns);
    if (!s) {
        free(o.params);
        return FLUX_EXIT_FAIL;
    }
    flux_deployment d[2];
    char *text[2] = {NULL, NULL};
    int rc = FLUX_EXIT_OK;
    for (int i = 0; i < 2 && rc == FLUX_EXIT_OK; i++) {
        if (flux_store_get_deployment(s, o.pos[0], v[i], &d[i]) != 0 || !(text[i] = flux_store_get_plan(s, d[i].plan_id))) {
            fprintf(stderr, "flux diff: %s\n", flux_store_error(s));
            rc = FLUX_EXIT_FAIL;
        }
    }
    if (rc == FLUX_EXIT_OK) {
        flux_buf ch = {0};
        flux_deploy_changes(text[0], text[1], &ch);
        printf("%s: version %d (plan %.12s%s%s) -> version %d (plan %.12s%s%s): %s\n", o.pos[0], v[0], d[0].plan_id,
               d[0].commit[0] ? ", commit " : "", d[0].commit, v[1], d[1].plan_id, d[1].commit[0] ? ", commit " : "",
               d[1].commit, !strcmp(d[0].plan_id, d[1].plan_id) ? "the same plan" : flux_buf_cstr(&ch));
        flux_buf_free(&ch);
        char la[200], lb[200];
        snprintf(la, sizeof la, "%s version %d", o.pos[0], v[0]);
        snprintf(lb, sizeof lb, "%s version %d", o.pos[0], v[1]);
        if (line_diff(text[0], la, text[1], lb) != 0)
            rc = FLUX_EXIT_FAIL;
    }
    free(text[0]);
    free(text[1]);
    flux_store_close(s);
    free(o.params);
    return rc;
}

static int set_paused(const char *cmd, int argc, char **argv, bool paused)
{
    dopts o;
    if (dparse(cmd, argc, argv, &o, 1) || o.npos != 1) {
        if (o.npos != 1)
            flux_cli_usage_error(cmd, "give the PIPELINE");
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    flux_store *s = flux_cli_open_store(cmd, o.db, o.conns);
    if (!s) {
        free(o.params);
        return FLUX_EXIT_FAIL;
    }
    int r = flux_store_set_paused(s, o.pos[0], paused, wall_ms());
    if (r == 0)
        printf("%s: %s\n", o.pos[0], paused ? "paused (runs already started finish; no new run is created)"
                                             : "unpaused");
    else
        fprintf(stderr, "flux %s: %s\n", cmd, flux_store_error(s));
    flux_store_close(s);
    free(o.params);
    return r == 0 ? FLUX_EXIT_OK : FLUX_EXIT_FAIL;
}

int flux_cmd_pause(int argc, char **argv)
{
    return set_paused("pause", argc, argv, true);
}

int flux_cmd_unpause(int argc, char **argv)
{
    return set_paused("unpause", argc, argv, false);
}

int flux_cmd_trigger(int argc, char **argv)
{
    dopts o;
    if (dparse("trigger", argc, argv, &o, 1) || o.npos != 1) {
        if (o.npos != 1)
            flux_cli_usage_error("trigger", "give the PIPELINE");
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    flux_store *s = flux_cli_open_store("trigger", o.db, o.conns);
    if (!s) {
        free(o.params);
        return FLUX_EXIT_FAIL;
    }
    int rc = FLUX_EXIT_FAIL;
    flux_deployment *d = NULL;
    size_t n = 0;
    char *text = NULL;
    flux_compilation c;
    bool loaded = false;
    if (flux_store_list_deployments(s, o.pos[0], &d, &n) != 0 || n == 0) {
        fprintf(stderr, "flux trigger: pipeline '%s' is not deployed (flux deploy, or a running flux scheduler)\n",
                o.pos[0]);
        goto out;
    }
    if (!(text = flux_store_get_plan(s, d[0].plan_id))) {
        fprintf(stderr, "flux trigger: %s\n", flux_store_error(s));
        goto out;
    }
    loaded = true;
    if (flux_cli_load_plan_text(&c, d[0].plan_id, text, strlen(text)) != 0)
        goto out;
    flux_pipeline *p = c.pipelines[0];
    flux_timetable tt;
    if (flux_cli_timetable("trigger", p, &tt) != 0)
        goto out;
    int64_t t = wall_ms();
    if (o.date && flux_cli_time("trigger", o.date, tt.tz, &t) != 0)
        goto out;
    flux_interval iv;
    if (flux_timetable_at(&tt, t, &iv) != 0) {
        /* a time outside the schedule (before start, @once): a point interval */
        iv.start_ms = iv.end_ms = iv.fire_ms = t;
    }
    flux_value params;
    char err[512];
    if (flux_run_params(c.arena, p, o.params, o.nparams, &params, err, sizeof err) != 0) {
        fprintf(stderr, "flux trigger: %s\n", err);
        rc = FLUX_EXIT_USAGE;
        goto out;
    }
    flux_run_row in, row;
    memset(&in, 0, sizeof in);
    snprintf(in.pipeline, sizeof in.pipeline, "%s", p->name);
    snprintf(in.run_id, sizeof in.run_id, "%s", flux_run_id(c.arena, "manual", o.date ? iv.start_ms : t));
    snprintf(in.plan_id, sizeof in.plan_id, "%s", d[0].plan_id);
    snprintf(in.trigger, sizeof in.trigger, "manual");
    in.state = FLUX_RUN_QUEUED;
    in.interval_start = iv.start_ms;
    in.interval_end = iv.end_ms;
    in.logical_date = iv.start_ms;
    bool created;
    if (flux_store_create_run(s, &in, wall_ms(), &row, &created) != 0) {
        fprintf(stderr, "flux trigger: %s\n", flux_store_error(s));
        goto out;
    }
    if (!created) {
        fprintf(stderr, "flux trigger: run %s of %s exists already (state %s)\n", row.run_id, row.pipeline,
                flux_run_state_name(row.state));
        goto out;
    }
    /* the overrides as given: the scheduler checks them again against the plan */
    json_t *a = json_array();
    for (size_t i = 0; i < o.nparams; i++)
        json_array_append_new(a, json_string(o.params[i]));
    char *pj = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (flux_store_set_run_params(s, row.id, pj) != 0) {
        fprintf(stderr, "flux trigger: %s\n", flux_store_error(s));
        free(pj);
        goto out;
    }
    free(pj);
    printf("run %" PRId64 " %s of %s (version %d) queued; a running flux scheduler starts it\n", row.id, row.run_id,
           row.pipeline, d[0].version);
    rc = FLUX_EXIT_OK;
out:
    if (loaded)
        flux_compilation_free(&c);
    free(text);
    free(d);
    flux_store_close(s);
    free(o.params);
    return rc;
}

int flux_cmd_errors(int argc, char **argv)
{
    dopts o;
    if (dparse("errors", argc, argv, &o, 0)) {
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    flux_store *s = flux_cli_open_store("errors", o.db, o.conns);
    if (!s) {
        free(o.params);
        return FLUX_EXIT_FAIL;
    }
    flux_source_row *src;
    size_t n;
    int rc = FLUX_EXIT_OK;
    if (flux_store_list_sources(s, &src, &n) != 0) {
        fprintf(stderr, "flux errors: %s\n", flux_store_error(s));
        rc = FLUX_EXIT_FAIL;
    } else {
        json_t *a = json_array();
        size_t bad = 0;
        for (size_t i = 0; i < n; i++) {
            if (!src[i].errors)
                continue;
            bad++;
            char t[32];
            iso_ms(src[i].checked_at, t, sizeof t);
            if (!strcmp(o.format, "json"))
                json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:s}", "source", src[i].path, "checked_at", t,
                                                   "commit", src[i].commit[0] ? src[i].commit : NULL, "errors",
                                                   src[i].errors));
            else
                printf("%s (checked %s%s%.12s):\n%s\n", src[i].path, t, src[i].commit[0] ? ", commit " : "",
                       src[i].commit, src[i].errors);
        }
        if (!strcmp(o.format, "json")) {
            char *t = json_dumps(a, JSON_INDENT(2));
            printf("%s\n", t);
            free(t);
        } else if (!bad) {
            printf("no errors: every source compiled (%zu)\n", n);
        }
        json_decref(a);
        flux_source_rows_free(src, n);
        rc = bad ? FLUX_EXIT_COMPILE : FLUX_EXIT_OK;
    }
    flux_store_close(s);
    free(o.params);
    return rc;
}
