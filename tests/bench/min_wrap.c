/* min_wrap — the least a per-task parent can be, for spawn_floor's bound:
 * it starts `PROG ARG...`, appends `pid TASK PID` to the journal on
 * descriptor 3, waits, appends `exit TASK STATUS` and exits as PROG did.
 * A parent that is not the runner and records the exit is what lets a task
 * run on and have its end known when the runner is killed; flux-wrap is
 * that parent and more (the output pipe and its bounds, the report, the
 * leftover processes stopped). Linked statically, with musl when there is
 * one, as flux-wrap is.
 *
 *   min_wrap TASK PROG ARG...
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: min_wrap TASK PROG ARG...\n");
        return 2;
    }
    pid_t pid;
    int st;
    char line[64];
    /* the task is not given the journal, as flux-wrap does not give it */
    if (fcntl(3, F_SETFD, FD_CLOEXEC) != 0 || posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ) != 0)
        return 127;
    int len = snprintf(line, sizeof line, "pid %s %d\n", argv[1], (int)pid);
    if (write(3, line, (size_t)len) != len || waitpid(pid, &st, 0) != pid)
        return 127;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    len = snprintf(line, sizeof line, "exit %s %d\n", argv[1], code);
    return write(3, line, (size_t)len) == len ? code : 127;
}
