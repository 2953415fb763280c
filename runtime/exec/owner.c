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

/* The start time of a process of this host, in clock ticks since boot
 * (field 22 of /proc/PID/stat): with its pid, it names one process for the
 * host's uptime, whatever the wall clock says. 0 when unknown; -1 when the
 * process is gone or a zombie (killed, its parent has not reaped it yet). */
static long long start_ticks(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return kill(pid, 0) != 0 && errno == ESRCH ? -1 : 0;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    /* "pid (comm) S ppid ...": comm may hold spaces and parens */
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ')
        return 0;
    if (p[2] == 'Z' || p[2] == 'X')
        return -1;
    char *q = p + 2; /* field 3 */
    for (int field = 3; field < 22 && q; field++) {
        q = strchr(q, ' ');
        if (q)
            q++;
    }
    long long t = 0;
    return q && sscanf(q, "%lld", &t) == 1 ? t : 0;
}

void flux_owner_self(flux_owner *o, flux_owner_kind kind)
{
    memset(o, 0, sizeof *o);
    gethostname(o->host, sizeof o->host - 1);
    if (!o->host[0])
        snprintf(o->host, sizeof o->host, "localhost");
    o->pid = (int)getpid();
    o->started = flux_clock_wall_ms();
    o->kind = kind;
    /* the start ticks, not a wall time, tell this process from a later one
     * with the same pid, whatever the clocks do */
    snprintf(o->id, sizeof o->id, "%s:%s:%d:%lld", kind == FLUX_OWNER_RUNNER ? "run" : "scheduler", o->host, o->pid,
             start_ticks(o->pid));
}

int flux_owner_beat(flux_store *s, const flux_owner *o, int64_t now_ms, bool stopped)
{
    return flux_store_heartbeat(s, o->id, o->host, o->pid, o->started, now_ms, stopped);
}

/* An owner of this host that is gone: no such pid, a zombie, or a pid
 * reused by a process other than the one the id names (its start ticks,
 * the id's last field, differ). */
static bool gone_here(int pid, const char *id)
{
    if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH))
        return true;
    long long now = start_ticks(pid);
    if (now < 0)
        return true;
    const char *colon = strrchr(id, ':');
    char *end;
    long long was = colon ? strtoll(colon + 1, &end, 10) : 0;
    if (!colon || *end || was <= 0 || now == 0)
        return false; /* not told, or cannot tell: the heartbeat decides */
    return now != was;
}

/* What this process has seen of other owners' heartbeats: the value, and
 * when (monotonic) it last changed or was first seen. A few dozen owners at
 * most; the oldest entry is reused when full. */
#define WATCHED 128
static struct watched {
    char id[256];
    int64_t heartbeat, since_mono;
    bool moved; /* its heartbeat changed while watched: it was alive then */
} watched[WATCHED];
static size_t nwatched;

/* how long (monotonic ms) the heartbeat of id has stood still as this
 * process saw it; 0 at the first sight. *moved: it has changed since then. */
static int64_t still_for(const char *id, int64_t heartbeat, bool *moved)
{
    int64_t mono = flux_clock_mono_ms();
    struct watched *w = NULL, *oldest = &watched[0];
    for (size_t i = 0; i < nwatched && !w; i++) {
        if (!strcmp(watched[i].id, id))
            w = &watched[i];
        else if (watched[i].since_mono < oldest->since_mono)
            oldest = &watched[i];
    }
    if (!w) {
        w = nwatched < WATCHED ? &watched[nwatched++] : oldest;
        snprintf(w->id, sizeof w->id, "%s", id);
        w->heartbeat = heartbeat;
        w->since_mono = mono;
        w->moved = false;
        *moved = false;
        return 0;
    }
    if (w->heartbeat != heartbeat) {
        w->heartbeat = heartbeat;
        w->since_mono = mono;
        w->moved = true;
    }
    *moved = w->moved;
    return mono - w->since_mono;
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
        bool moved;
        int64_t still = still_for(id, rows[i].heartbeat, &moved);
        if (rows[i].stopped)
            out->alive = false;
        else if (here && gone_here(rows[i].pid, id))
            out->alive = false;
        else if (still > FLUX_OWNER_DEAD_AFTER_MS)
            out->alive = false;
        else {
            out->alive = true;
            /* it looks old by the wall clock but was not watched long
             * enough to tell: the wall clocks may disagree */
            if (age > FLUX_OWNER_DEAD_AFTER_MS && !moved) {
                out->watching = true;
                out->watch_left_ms = FLUX_OWNER_DEAD_AFTER_MS + 1 - still;
            }
        }
        snprintf(out->what, sizeof out->what, "%s (pid %d on %s, heartbeat %" PRId64 ".%" PRId64 " s ago%s)", what,
                 rows[i].pid, rows[i].host, (age > 0 ? age : 0) / 1000, (age > 0 ? age : 0) % 1000 / 100,
                 rows[i].stopped ? ", stopped" : out->alive ? "" : ", gone");
        break;
    }
    free(mine);
    return 0;
}
