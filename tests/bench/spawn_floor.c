/* spawn_floor — the floor under any runner that starts a process per task:
 * N commands run with posix_spawn, J at a time, each `SHELL -c COMMAND`,
 * nothing else (no graph, no state, no output kept). tests/bench/run runs
 * it beside flux and ninja on the same shell and command.
 *
 *   spawn_floor N J SHELL COMMAND     prints the wall time in seconds
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: spawn_floor N J SHELL COMMAND\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10), j = strtol(argv[2], NULL, 10);
    if (n < 1 || j < 1) {
        fprintf(stderr, "spawn_floor: N and J must be positive\n");
        return 2;
    }
    char *args[] = {argv[3], "-c", argv[4], NULL};
    double t0 = now();
    long started = 0, running = 0;
    while (started < n || running > 0) {
        while (started < n && running < j) {
            pid_t pid;
            if (posix_spawn(&pid, argv[3], NULL, NULL, args, environ) != 0) {
                perror("spawn_floor: posix_spawn");
                return 1;
            }
            started++, running++;
        }
        int st;
        if (waitpid(-1, &st, 0) < 0) {
            perror("spawn_floor: waitpid");
            return 1;
        }
        running--;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "spawn_floor: a command failed\n");
            return 1;
        }
    }
    printf("%.3f\n", now() - t0);
    return 0;
}
