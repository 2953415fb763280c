/* fdlimit — descriptors: the runner's soft RLIMIT_NOFILE raised to its
 * hard limit, the first soft limit given back to the tasks, and whether
 * one more try fits under the limit (backend.h says what a try holds).
 */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <sys/resource.h>

#include "exec_int.h"

/* Kept free for what the runner opens for a moment besides a backend's
 * start: the run's directory and a try's files, a finished try's log, the
 * store's files and connections, a scheduler's compile and git. */
#define FD_RESERVE 16

static rlim_t nofile_started; /* the soft limit before the first raise */
static bool nofile_raised;
static rlim_t nofile_now; /* the soft limit after the last raise: asked once, not at every try */

/* Each try holds descriptors here (backend.h) and -j may ask for more than
 * a shell's soft limit (1024, or a container's 128): the soft limit goes
 * up to the hard one, once per process. Its tasks get the first soft
 * limit back (flux_exec_task_nofile), as the user set it: a program using
 * select() may count on it. */
int flux_fds_raise(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return INT_MAX;
    if (!nofile_raised) {
        nofile_raised = true;
        nofile_started = rl.rlim_cur;
        rlim_t want = rl.rlim_max;
        if (want == RLIM_INFINITY) { /* Linux allows no soft limit above fs.nr_open */
            FILE *f = fopen("/proc/sys/fs/nr_open", "r");
            unsigned long n = 0;
            if (!f || fscanf(f, "%lu", &n) != 1)
                n = 0;
            if (f)
                fclose(f);
            want = n ? (rlim_t)n : rl.rlim_cur;
        }
        if (want > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &(struct rlimit){want, rl.rlim_max}) == 0)
            rl.rlim_cur = want;
    }
    nofile_now = rl.rlim_cur;
    return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT_MAX ? INT_MAX : (int)rl.rlim_cur;
}

long flux_exec_task_nofile(void)
{
    if (!nofile_raised || nofile_now == nofile_started || nofile_started == RLIM_INFINITY ||
        nofile_started > LONG_MAX)
        return 0;
    return (long)nofile_started;
}

/* descriptors open in this process, or -1 without /proc */
static int fds_open(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own */
}

/* Whether one more try of the backend fits under the limit. Below half of
 * it an estimate decides (what was open besides the tries when last
 * counted, plus what the running tries hold); above, /proc/self/fd is
 * counted, so what else the process opened meanwhile, or a backend's
 * undercount, is seen before it matters. Short while tries run: wait for
 * one to end (said once). Short with none running: nothing will free any,
 * so the start is tried and says why. */
bool flux_fds_for_one_more(flux_executor *ex)
{
    const flux_backend_ops *b = ex->backend->ops;
    int per = b->fds_held > 0 ? b->fds_held : 1; /* so the estimate grows as tries start, whatever was said */
    int64_t need = (int64_t)per + b->fds_starting + FD_RESERVE;
    int64_t held = (int64_t)ex->running * per;
    if (ex->fd_base >= 0 && 2 * (ex->fd_base + held + need) <= ex->fd_limit)
        return true;
    int open = fds_open();
    if (open < 0)
        return true;
    ex->fd_base = open - held > 0 ? (int)(open - held) : 0;
    if (open + need <= ex->fd_limit || ex->running == 0)
        return true;
    if (!ex->fd_said) {
        ex->fd_said = true;
        int64_t fit = (ex->fd_limit - ex->fd_base - b->fds_starting - FD_RESERVE) / per;
        fprintf(stderr, "flux: descriptors: the limit of %d open files (ulimit -Hn) leaves room for about %" PRId64
                        " task processes at once, fewer than -j %d: the other tasks wait for a slot\n",
                ex->fd_limit, fit > 0 ? fit : 0, ex->o.slots);
    }
    return false;
}
