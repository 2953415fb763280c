/* exec_print — prints what the executor reports (see exec_print.h): the
 * lines of `flux run`, `flux backfill` and the scheduler. Tests grep them:
 * their text is a contract.
 */
#include "exec_print.h"

#include "cli.h"

#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

typedef struct printer {
    FILE *out;
    bool quiet, tty;
} printer;

static void say(printer *p, const flux_exec_task_event *e, const char *what, const char *extra)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    fprintf(p->out, "%02d:%02d:%02d %s %s %s%s%s\n", tm.tm_hour, tm.tm_min, tm.tm_sec, e->run_id, e->task, what,
            extra ? " " : "", extra ? extra : "");
    fflush(p->out);
}

static void on_task(void *ud, const flux_exec_task_event *e)
{
    printer *p = ud;
    if (p->quiet || p->tty)
        return;
    char extra[600], took[32];
    switch (e->kind) {
    case FLUX_EXEC_STARTED: say(p, e, "running", NULL); break;
    case FLUX_EXEC_ADOPTED: say(p, e, "adopted", "(still running from the previous runner)"); break;
    case FLUX_EXEC_RECOVERED: say(p, e, "recovered", "(finished while the runner was down)"); break;
    case FLUX_EXEC_RESCHEDULED: say(p, e, "up_for_reschedule", NULL); break;
    case FLUX_EXEC_DECIDED: say(p, e, flux_ti_state_name(e->state), NULL); break;
    case FLUX_EXEC_ENDED:
        snprintf(extra, sizeof extra, "(%s%s%s)", flux_cli_elapsed(e->duration_ms, took, sizeof took),
                 e->note ? ", " : "", e->note ? e->note : "");
        say(p, e, flux_ti_state_name(e->state), extra);
        break;
    }
}

static void on_run_ended(void *ud, const char *pipeline, const char *run_id, bool ok)
{
    printer *p = ud;
    if (p->quiet)
        return;
    if (p->tty)
        fputs("\r\033[K", p->out);
    fprintf(p->out, "run %s of %s: %s\n", run_id, pipeline, ok ? "success" : "failed");
    fflush(p->out);
}

static void on_progress(void *ud, const flux_exec_progress *s)
{
    printer *p = ud;
    char took[32];
    fprintf(p->out, "\r\033[K[%zu/%zu done] %zu running, %zu failed, %s", s->done, s->total, s->running, s->failed,
            flux_cli_elapsed(s->elapsed_ms, took, sizeof took));
    fflush(p->out);
}

static void on_stop(void *ud, int sig, int64_t grace_ms)
{
    printer *p = ud;
    if (p->quiet)
        return;
    char grace[32];
    fprintf(p->out, "%sflux: %s received: no new tasks; stopping running ones (grace %s)\n",
            p->tty ? "\r\033[K" : "", sig == SIGINT ? "SIGINT" : "SIGTERM",
            flux_cli_elapsed(grace_ms, grace, sizeof grace));
}

static void on_finished(void *ud)
{
    printer *p = ud;
    if (p->tty && !p->quiet) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
}

flux_exec_status flux_exec_print_status(FILE *out, bool quiet, bool progress_tty)
{
    printer *p = malloc(sizeof *p);
    if (!p)
        abort(); /* the allocation policy: abort on OOM */
    *p = (printer){out ? out : stdout, quiet, progress_tty};
    bool live = progress_tty && !quiet;
    return (flux_exec_status){.task = on_task,
                              .run_ended = on_run_ended,
                              .progress = live ? on_progress : NULL,
                              .progress_ms = live ? 200 : 0,
                              .stop = on_stop,
                              .finished = on_finished,
                              .free = free,
                              .ud = p};
}
