/* min_wrap — the least a per-task parent can be, for spawn_floor's bound:
 * it starts `argv[1] ...`, waits for it, appends its exit to the journal on
 * descriptor 3 (one write) and exits as it did. A parent that is not the
 * runner and records the exit is what lets a task run on and have its end
 * known when the runner is killed; flux-wrap is that parent and more (its
 * pid line, the output pipe and its bounds, leftover processes stopped).
 * Linked statically, with musl when there is one, as flux-wrap is.
 *
 *   min_wrap PROG ARG...
 */
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: min_wrap PROG ARG...\n");
        return 2;
    }
    pid_t pid;
    int st;
    if (posix_spawn(&pid, argv[1], NULL, NULL, argv + 1, environ) != 0 || waitpid(pid, &st, 0) != pid)
        return 127;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    char line[32];
    int len = snprintf(line, sizeof line, "exit %d %d\n", (int)pid, code);
    if (write(3, line, (size_t)len) != len)
        return 127;
    return code;
}
