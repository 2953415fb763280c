/* sched_sources — what the scheduler deploys: the pipelines directory as
 * it is, watched with file events on every directory of its tree, or with
 * --git the latest commit of a branch, watched through its ref files;
 * polling every second is the fallback for both. A change recompiles off
 * the loop thread and deploys (engine/deploy.c): a valid new plan becomes a
 * new version, a broken file keeps its pipelines on their last good one. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "clock.h"
#include "deploy.h"
#include "load.h"
#include "scheduler_int.h"

#define POLL_MS 1000
#define DEBOUNCE_MS 100
#define logf_ flux_scheduler_logf


static int run_sh(const char *cmd, char *out, size_t outlen)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = out ? fread(out, 1, outlen - 1, p) : 0;
    if (out)
        out[n] = '\0';
    char sink[256];
    while (fread(sink, 1, sizeof sink, p) > 0)
        ;
    int st = pclose(p);
    return st == 0 ? 0 : -1;
}

static char *shq(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(4 * n + 3), *w = o;
    if (!o)
        abort();
    *w++ = '\'';
    for (; *s; s++) {
        if (*s == '\'') {
            memcpy(w, "'\\''", 4);
            w += 4;
        } else
            *w++ = *s;
    }
    *w++ = '\'';
    *w = '\0';
    return o;
}

/* the branch's commit, read from the ref files (no process: this runs every
 * second) */
static int read_ref(sched *S, char out[65])
{
    char path[PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/refs/heads/%s", S->gitdir, S->branch);
    FILE *f = fopen(path, "r");
    if (f) {
        char line[128] = "";
        bool ok = fgets(line, sizeof line, f) != NULL;
        fclose(f);
        if (ok && strlen(line) >= 40) {
            snprintf(out, 65, "%.40s", line);
            return 0;
        }
    }
    snprintf(path, sizeof path, "%s/packed-refs", S->gitdir);
    f = fopen(path, "r");
    if (!f)
        return -1;
    char line[600], want[400];
    snprintf(want, sizeof want, "refs/heads/%s", S->branch);
    int rc = -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strlen(line) > 41 && line[40] == ' ' && !strcmp(line + 41, want)) {
            snprintf(out, 65, "%.40s", line);
            rc = 0;
        }
    }
    fclose(f);
    return rc;
}

/* what the tree looks like: paths, sizes and modification times */
static char *dir_fingerprint(const char *dir)
{
    flux_paths files = {0};
    flux_load_find_sources(dir, &files);
    flux_buf b = {0};
    for (size_t i = 0; i < files.n; i++) {
        struct stat st;
        if (stat(files.v[i], &st) == 0)
            flux_buf_printf(&b, "%s %lld %lld.%09ld\n", files.v[i], (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                            st.st_mtim.tv_nsec);
    }
    flux_paths_free(&files);
    char *fp = b.data ? b.data : strdup("");
    if (!fp)
        abort();
    return fp;
}

static void watch_tree(sched *S);
static void sync_sources(sched *S, bool force);

/* ---- a commit exported off the loop thread ----
 *
 * `git archive` of a commit and the compile of the tree (exported, or the
 * directory as it is) run on libuv's work queue, so the loop keeps handing
 * tasks off meanwhile: a compile reads from the tree's root with relative
 * paths and touches no store. Only publishing the compiled plans, through
 * the loop's store connection, runs on the loop thread. */

typedef struct export_job {
    uv_work_t work, cleanup;
    sched *S;
    char commit[65];
    char dir[PATH_MAX];
    char tmp[32];   /* "" until made */
    int made_errno; /* the directory could not be made: why */
    bool read;      /* git archive | tar succeeded (or no commit: the directory itself) */
    flux_deploy_build *build; /* the tree compiled on the worker */
} export_job;

static void remove_tree(const char *dir)
{
    if (!dir[0])
        return;
    char *q = shq(dir);
    char cmd[PATH_MAX];
    snprintf(cmd, sizeof cmd, "rm -rf %s", q);
    run_sh(cmd, NULL, 0);
    free(q);
}

/* on a worker thread: nothing here touches the scheduler or the store */
static void export_work(uv_work_t *req)
{
    export_job *j = req->data;
    if (!j->commit[0]) { /* the directory as it is */
        j->read = true;
        j->build = flux_deploy_compile(j->dir, NULL);
        return;
    }
    char tmp[] = "/tmp/flux-commit.XXXXXX";
    if (!mkdtemp(tmp)) {
        j->made_errno = errno;
        return;
    }
    snprintf(j->tmp, sizeof j->tmp, "%s", tmp);
    char *qd = shq(j->dir), *qt = shq(j->tmp);
    char cmd[PATH_MAX * 3];
    snprintf(cmd, sizeof cmd, "git -C %s archive --format=tar %s | tar -x -C %s", qd, j->commit, qt);
    j->read = run_sh(cmd, NULL, 0) == 0;
    free(qd);
    free(qt);
    if (j->read)
        j->build = flux_deploy_compile(j->tmp, NULL);
}

static void cleanup_work(uv_work_t *req)
{
    export_job *j = req->data;
    remove_tree(j->tmp);
}

static void job_free(export_job *j)
{
    flux_deploy_build_free(j->build);
    free(j);
}

static void cleanup_done(uv_work_t *req, int status)
{
    (void)status;
    job_free(req->data);
}

/* back on the loop thread: the exported tree deployed, then removed */
static void export_done(uv_work_t *req, int status)
{
    export_job *j = req->data;
    sched *S = j->S;
    S->exporting = false;
    if (j->made_errno)
        logf_(S, "cannot make a directory for commit %.12s: %s", j->commit, strerror(j->made_errno));
    else if (status == 0 && !j->read)
        logf_(S, "cannot read commit %.12s of %s", j->commit, S->dir);
    else if (status == 0 && !S->stopping && j->build) {
        if (j->commit[0])
            logf_(S, "commit %.12s of %s", j->commit, S->branch);
        flux_deploy_report rep;
        if (flux_deploy_publish(S->s, j->build, j->commit[0] ? j->commit : NULL, &rep, S->o->say, S->o->ud) == 0 &&
            j->commit[0])
            snprintf(S->commit, sizeof S->commit, "%s", j->commit);
        if (!j->commit[0])
            watch_tree(S); /* new directories get watched too */
    }
    /* while stopping the loop's handles are closing: no more work, no tick */
    if (!j->tmp[0]) {
        job_free(j);
    } else if (S->stopping || uv_queue_work(flux_exec_loop(S->ex), &j->cleanup, cleanup_work, cleanup_done) != 0) {
        remove_tree(j->tmp);
        job_free(j);
    }
    if (S->stopping)
        return;
    /* the new versions are used from the next tick on: now */
    flux_scheduler_tick_now(S);
    if (S->resync) {
        bool force = S->resync_force;
        S->resync = S->resync_force = false;
        sync_sources(S, force);
    }
}

/* commit: export that commit first; "" compiles the directory as it is */
static void export_commit(sched *S, const char *commit)
{
    export_job *j = calloc(1, sizeof *j);
    if (!j)
        abort();
    j->S = S;
    j->work.data = j->cleanup.data = j;
    snprintf(j->commit, sizeof j->commit, "%s", commit);
    snprintf(j->dir, sizeof j->dir, "%s", S->dir);
    if (uv_queue_work(flux_exec_loop(S->ex), &j->work, export_work, export_done) != 0) {
        if (commit[0])
            logf_(S, "cannot read commit %.12s of %s", commit, S->dir);
        else
            logf_(S, "cannot compile %s", S->dir);
        free(j);
        return;
    }
    S->exporting = true;
}

/* ---- syncing ---- */

/* recompile and deploy when the sources changed (force: SIGHUP) */
static void sync_sources(sched *S, bool force)
{
    char *fp = NULL;
    char commit[65] = "";
    if (S->exporting) { /* one compile at a time; this one's turn comes after */
        S->resync = true;
        S->resync_force |= force;
        return;
    }
    if (S->branch) {
        if (read_ref(S, commit) != 0) {
            if (flux_clock_wall_ms() - S->last_source_error_ms > 60000) {
                logf_(S, "branch '%s' not found in %s", S->branch, S->gitdir);
                S->last_source_error_ms = flux_clock_wall_ms();
            }
            return;
        }
        fp = strdup(commit);
        if (!fp)
            abort();
    } else {
        fp = dir_fingerprint(S->dir);
    }
    if (!force && S->fingerprint && !strcmp(fp, S->fingerprint)) {
        free(fp);
        return;
    }
    free(S->fingerprint);
    S->fingerprint = fp;
    /* with a branch the committed tree only: never the work tree's
     * uncommitted edits; without, the directory as it is */
    export_commit(S, S->branch ? commit : "");
}

static void on_debounce(uv_timer_t *t)
{
    sync_sources(t->data, false);
}

static void on_fs_event(uv_fs_event_t *h, const char *filename, int events, int status)
{
    (void)filename;
    (void)events;
    (void)status;
    sched *S = h->data;
    if (!S->stopping) /* a burst of events (an editor's save, a checkout) is one change */
        uv_timer_start(&S->debounce, on_debounce, DEBOUNCE_MS, 0);
}

static void on_poll(uv_timer_t *t)
{
    sync_sources(t->data, false);
}

static void free_handle(uv_handle_t *h)
{
    free(h);
}

static void add_watch(sched *S, const char *path)
{
    for (size_t i = 0; i < S->nwatch; i++) {
        char buf[PATH_MAX];
        size_t len = sizeof buf;
        if (uv_fs_event_getpath(S->watch[i], buf, &len) == 0 && !strcmp(buf, path))
            return;
    }
    uv_fs_event_t *w = calloc(1, sizeof *w);
    uv_fs_event_t **n = realloc(S->watch, (S->nwatch + 1) * sizeof *n);
    if (!w || !n)
        abort();
    S->watch = n;
    uv_fs_event_init(flux_exec_loop(S->ex), w);
    w->data = S;
    if (uv_fs_event_start(w, on_fs_event, path, 0) == 0)
        S->watch[S->nwatch++] = w;
    else
        uv_close((uv_handle_t *)w, free_handle);
}

static void collect_dirs(const char *dir, flux_paths *out)
{
    flux_paths_add(out, dir);
    flux_paths files = {0};
    /* directories: every entry that is one */
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            struct stat st;
            if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
                flux_paths_add(&files, p);
        }
    closedir(d);
    for (size_t i = 0; i < files.n; i++)
        collect_dirs(files.v[i], out);
    flux_paths_free(&files);
}

/* file events on every directory of the tree (inotify is not recursive), or
 * on the git directory and the branch's ref directory */
static void watch_tree(sched *S)
{
    flux_paths dirs = {0};
    if (S->branch) {
        char p[PATH_MAX + 300];
        flux_paths_add(&dirs, S->gitdir);
        snprintf(p, sizeof p, "%s/refs/heads/%s", S->gitdir, S->branch);
        char *sl = strrchr(p, '/');
        if (sl)
            *sl = '\0';
        flux_paths_add(&dirs, p);
    } else {
        collect_dirs(S->dir, &dirs);
    }
    for (size_t i = 0; i < dirs.n; i++)
        add_watch(S, dirs.v[i]);
    flux_paths_free(&dirs);
}

int flux_scheduler_gitdir(const char *dir, char *out, size_t cap)
{
    char *q = shq(dir);
    char cmd[PATH_MAX * 2];
    snprintf(cmd, sizeof cmd, "git -C %s rev-parse --absolute-git-dir 2>/dev/null", q);
    free(q);
    if (run_sh(cmd, out, cap) != 0 || !out[0])
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

void flux_sched_sources_start(sched *S, uv_loop_t *loop)
{
    uv_timer_init(loop, &S->poll);
    uv_timer_init(loop, &S->debounce);
    S->poll.data = S->debounce.data = S;
    watch_tree(S);
    sync_sources(S, true);
    uv_timer_start(&S->poll, on_poll, POLL_MS, POLL_MS);
}

void flux_sched_sources_sync(sched *S, bool force)
{
    sync_sources(S, force);
}

void flux_sched_sources_stop(sched *S)
{
    uv_timer_stop(&S->poll);
    uv_timer_stop(&S->debounce);
    for (size_t i = 0; i < S->nwatch; i++)
        uv_fs_event_stop(S->watch[i]);
}

void flux_sched_sources_close(sched *S)
{
    if (!uv_is_closing((uv_handle_t *)&S->poll))
        uv_close((uv_handle_t *)&S->poll, NULL);
    if (!uv_is_closing((uv_handle_t *)&S->debounce))
        uv_close((uv_handle_t *)&S->debounce, NULL);
    for (size_t i = 0; i < S->nwatch; i++)
        if (!uv_is_closing((uv_handle_t *)S->watch[i]))
            uv_close((uv_handle_t *)S->watch[i], free_handle);
}

/* after the loop closed the handles */
void flux_sched_sources_free(sched *S)
{
    free(S->watch);
    S->watch = NULL;
    S->nwatch = 0;
}
