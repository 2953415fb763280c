/* owner — the registry of processes that execute runs, and the rule for
 * when one of them is gone (see owner.h). */
#include "owner.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

void flux_owner_self(flux_owner *o, flux_owner_kind kind)
{
    memset(o, 0, sizeof *o);
    gethostname(o->host, sizeof o->host - 1);
    if (!o->host[0])
        snprintf(o->host, sizeof o->host, "localhost");
    o->pid = (int)getpid();
    o->started = flux_clock_wall_ms();
    o->kind = kind;
    snprintf(o->id, sizeof o->id, "%s:%s:%d:%" PRId64, kind == FLUX_OWNER_RUNNER ? "run" : "scheduler", o->host,
             o->pid, o->started);
}

int flux_owner_beat(flux_store *s, const flux_owner *o, int64_t now_ms, bool stopped)
{
    return flux_store_heartbeat(s, o->id, o->host, o->pid, o->started, now_ms, stopped);
}

/* A process of this host that is gone: no such pid, or a zombie (killed, its
 * parent has not reaped it yet), or a pid reused by a process started after
 * the owner registered. */
static bool gone_here(int pid, int64_t started_ms)
{
    if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH))
        return true;
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false; /* no /proc: trust kill() */
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    /* "pid (comm) S ppid ... starttime": comm may hold spaces and parens */
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ')
        return false;
    if (p[2] == 'Z' || p[2] == 'X')
        return true;
    unsigned long long start_ticks = 0;
    /* field 22 is the start time in clock ticks since boot; field 3 is at p + 2 */
    char *q = p + 2;
    for (int field = 3; field < 22 && q; field++) {
        q = strchr(q, ' ');
        if (q)
            q++;
    }
    if (!q || sscanf(q, "%llu", &start_ticks) != 1)
        return false;
    long hz = sysconf(_SC_CLK_TCK);
    double uptime = 0;
    f = fopen("/proc/uptime", "r");
    if (!f || hz <= 0)
        return f ? (fclose(f), false) : false;
    int ok = fscanf(f, "%lf", &uptime);
    fclose(f);
    if (ok != 1)
        return false;
    /* the process started this long ago; an owner registers after it starts,
     * so a process younger than the registration (by a margin for the two
     * clocks) is another one with the same pid */
    double age_ms = (uptime - (double)start_ticks / (double)hz) * 1000.0;
    int64_t registered_ago = flux_clock_wall_ms() - started_ms;
    return age_ms + 2000.0 < (double)registered_ago;
}

int flux_owner_look(flux_store *s, const flux_scheduler_row *rows, size_t n, const char *id, int64_t now_ms,
                    flux_owner_seen *out)
{
    memset(out, 0, sizeof *out);
    out->kind = strncmp(id, "run:", 4) == 0 ? FLUX_OWNER_RUNNER : FLUX_OWNER_SCHEDULER;
    flux_scheduler_row *mine = NULL;
    if (!rows) {
        if (flux_store_list_schedulers(s, &mine, &n) != 0)
            return -1;
        rows = mine;
    }
    const char *what = out->kind == FLUX_OWNER_RUNNER ? "flux run" : "flux scheduler";
    snprintf(out->what, sizeof out->what, "%s %s, which never registered", what, id);
    char host[128];
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].id, id) != 0)
            continue;
        int64_t age = now_ms - rows[i].heartbeat;
        bool here = !strcmp(rows[i].host, host);
        if (rows[i].stopped)
            out->alive = false;
        else if (here && gone_here(rows[i].pid, rows[i].started))
            out->alive = false;
        else
            out->alive = age <= FLUX_OWNER_DEAD_AFTER_MS;
        snprintf(out->what, sizeof out->what, "%s (pid %d on %s, heartbeat %" PRId64 ".%" PRId64 " s ago%s)", what,
                 rows[i].pid, rows[i].host, (age > 0 ? age : 0) / 1000, (age > 0 ? age : 0) % 1000 / 100,
                 rows[i].stopped ? ", stopped" : out->alive ? "" : ", gone");
        break;
    }
    free(mine);
    return 0;
}
