/* spawn_floor — the floor under any runner that starts a process per task:
 * N commands run with posix_spawn, J at a time, each `SHELL -c COMMAND`,
 * and nothing else. tests/bench/run runs it beside flux and ninja on the
 * same shell and command.
 *
 *   spawn_floor N J SHELL COMMAND [--db FILE] [--wrap MIN_WRAP|clone|slot]
 *       prints the wall time in seconds
 *
 * With options it is a bound instead: the least that the guarantees of
 * runtime/README.md cost a task, with none of a runner's own work.
 * --db FILE records, in a new SQLite database with the store's journal
 * mode and synchronous setting, each task's row before it starts and its
 * end before any start it allows: one transaction per turn of the loop,
 * holding the end just seen and the rows of the starts it allows,
 * committed before those starts.
 * --wrap gives each command a parent other than the runner, which is what
 * lets a task outlive a killed runner and have its end known: the parent
 * starts the shell and appends `pid TASK PID` and `exit TASK STATUS` to a
 * journal (FILE.journal, or spawn_floor.journal without --db), as
 * flux-wrap does. How the parent is made:
 *   MIN_WRAP  min_wrap.c, exec'd per task, as flux-wrap is;
 *   clone     a process cloned per task with the runner's memory
 *             (CLONE_VM: no copy, no exec), running the same few lines;
 *   slot      one resident parent per slot, forked once, which the runner
 *             hands each task over a pipe and which answers with its end:
 *             no process made per task but the shell, a round trip instead.
 */
#define _GNU_SOURCE /* clone, pidfd_open */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define JOURNAL_FD 3
#define CLONE_STACK (64 * 1024)

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *insert, *end;
} store;

enum parent { DIRECT, EXEC, CLONE, SLOT };

/* a CLONE parent's slot: its stack, and what the clone reads at its start */
typedef struct {
    char **run;
    long task;
    bool busy;
    char *stack;
} clone_slot;

/* how tasks are started and their ends seen, for one of the parents */
typedef struct {
    enum parent kind;
    char **run;        /* the shell's argv; EXEC: min_wrap's, its [1] the task */
    char task_arg[24]; /* EXEC: the task's id, as min_wrap's first argument */
    posix_spawn_file_actions_t give_journal; /* EXEC: JOURNAL_FD kept open in min_wrap */
    long j;
    long *task_of;     /* DIRECT, EXEC, CLONE: the task of each pid (pids < 2^22) */
    int *slot_of;      /* CLONE: the slot of each pid */
    clone_slot *cs;    /* CLONE: j slots */
    char *stacks;      /* CLONE: their stacks, one mapping */
    int *to_slot;      /* SLOT: each slot's request pipe, -1 when not made */
    int *slot_pidfd;   /* SLOT: to see a slot that ended without answering */
    bool *slot_busy;   /* SLOT */
    int from_slots;    /* SLOT: the replies of all slots */
} parents;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail_db(store *s, const char *what)
{
    fprintf(stderr, "spawn_floor: %s: %s\n", what, sqlite3_errmsg(s->db));
    return -1;
}

static int step(store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : fail_db(s, what);
}

static int store_open(store *s, const char *path)
{
    if (sqlite3_open(path, &s->db) != SQLITE_OK)
        return fail_db(s, path);
    if (sqlite3_exec(s->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE tries(id INTEGER PRIMARY KEY, state TEXT NOT NULL, status INTEGER)",
                     NULL, NULL, NULL) != SQLITE_OK)
        return fail_db(s, "schema");
    if (sqlite3_prepare_v2(s->db, "BEGIN IMMEDIATE", -1, &s->begin, NULL) ||
        sqlite3_prepare_v2(s->db, "COMMIT", -1, &s->commit, NULL) ||
        sqlite3_prepare_v2(s->db, "INSERT INTO tries(id, state) VALUES (?, 'started')", -1, &s->insert, NULL) ||
        sqlite3_prepare_v2(s->db, "UPDATE tries SET state = 'ended', status = ? WHERE id = ?", -1, &s->end, NULL))
        return fail_db(s, "prepare");
    return 0;
}

static void store_close(store *s)
{
    sqlite3_finalize(s->begin);
    sqlite3_finalize(s->commit);
    sqlite3_finalize(s->insert);
    sqlite3_finalize(s->end);
    sqlite3_close(s->db);
}

/* one turn's transaction: the end just seen (ended >= 0) and the rows of
 * the tasks about to start, [first, last) */
static int record(store *s, long ended, int status, long first, long last)
{
    if (!s->db)
        return 0;
    if (step(s, s->begin, "begin"))
        return -1;
    if (ended >= 0) {
        sqlite3_bind_int(s->end, 1, status);
        sqlite3_bind_int64(s->end, 2, ended);
        if (step(s, s->end, "end"))
            return -1;
    }
    for (long i = first; i < last; i++) {
        sqlite3_bind_int64(s->insert, 1, i);
        if (step(s, s->insert, "insert"))
            return -1;
    }
    return step(s, s->commit, "commit");
}

/* "WORD A B\n" into line, by hand: a CLONE parent may not use stdio */
static int journal_line(char *line, const char *word, long a, long b)
{
    int len = 0;
    while (*word)
        line[len++] = *word++;
    long v[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        char digits[24];
        int nd = 0;
        line[len++] = ' ';
        for (unsigned long x = (unsigned long)v[i]; x || !nd; x /= 10)
            digits[nd++] = (char)('0' + x % 10);
        while (nd)
            line[len++] = digits[--nd];
    }
    line[len++] = '\n';
    return len;
}

/* what a CLONE or SLOT parent does for one task, as min_wrap does: start
 * the shell, its pid line, wait, its exit line. No allocation and no
 * stdio: a CLONE parent runs it beside the runner in the runner's memory. */
static int run_task(char **run, long task)
{
    pid_t pid;
    int st;
    char line[64];
    if (posix_spawn(&pid, run[0], NULL, NULL, run, environ) != 0)
        return 127;
    int len = journal_line(line, "pid", task, pid);
    if (write(JOURNAL_FD, line, (size_t)len) != len || waitpid(pid, &st, 0) != pid)
        return 127;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    len = journal_line(line, "exit", task, code);
    return write(JOURNAL_FD, line, (size_t)len) == len ? code : 127;
}

static int clone_main(void *arg)
{
    const clone_slot *c = arg;
    _exit(run_task(c->run, c->task));
}

/* SLOT parent k: a task's id in; the id, its status and k out (one write
 * of under PIPE_BUF bytes, so the replies of slots sharing the pipe do not
 * mix); until EOF */
static void slot_main(long k, int in, int out, char **run)
{
    long msg[3] = {0, 0, k};
    while (read(in, msg, sizeof msg[0]) == (ssize_t)sizeof msg[0]) {
        msg[1] = run_task(run, msg[0]);
        if (write(out, msg, sizeof msg) != (ssize_t)sizeof msg)
            break;
    }
    _exit(0);
}

static int slots_open(parents *p)
{
    int reply[2];
    p->to_slot = malloc((size_t)p->j * sizeof *p->to_slot);
    p->slot_pidfd = malloc((size_t)p->j * sizeof *p->slot_pidfd);
    p->slot_busy = calloc((size_t)p->j, sizeof *p->slot_busy);
    if (!p->to_slot || !p->slot_pidfd || !p->slot_busy)
        return -1;
    for (long k = 0; k < p->j; k++)
        p->to_slot[k] = p->slot_pidfd[k] = -1;
    if (pipe2(reply, O_CLOEXEC))
        return -1;
    p->from_slots = reply[0];
    for (long k = 0; k < p->j; k++) {
        int req[2];
        if (pipe2(req, O_CLOEXEC))
            break;
        pid_t pid = fork();
        if (pid == 0) {
            /* no write end of any request pipe but the runner's, so that
             * each slot sees EOF when the runner closes its own */
            for (long i = 0; i < k; i++)
                close(p->to_slot[i]);
            close(req[1]);
            close(reply[0]);
            slot_main(k, req[0], reply[1], p->run);
        }
        close(req[0]);
        if (pid < 0) {
            close(req[1]);
            break;
        }
        p->to_slot[k] = req[1];
        p->slot_pidfd[k] = pidfd_open(pid, 0);
        if (p->slot_pidfd[k] < 0)
            break;
    }
    close(reply[1]);
    return p->slot_pidfd[p->j - 1] < 0 ? -1 : 0;
}

static int parents_open(parents *p)
{
    if (p->kind == SLOT)
        return slots_open(p);
    /* a dup2 onto itself clears close-on-exec in the child (POSIX) */
    if (p->kind == EXEC && (posix_spawn_file_actions_init(&p->give_journal) ||
                            posix_spawn_file_actions_adddup2(&p->give_journal, JOURNAL_FD, JOURNAL_FD)))
        return -1;
    p->task_of = calloc((size_t)1 << 22, sizeof *p->task_of);
    if (!p->task_of)
        return -1;
    if (p->kind == CLONE) {
        p->slot_of = calloc((size_t)1 << 22, sizeof *p->slot_of);
        p->cs = calloc((size_t)p->j, sizeof *p->cs);
        char *stacks = mmap(NULL, (size_t)p->j * CLONE_STACK, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        p->stacks = stacks == MAP_FAILED ? NULL : stacks;
        if (!p->slot_of || !p->cs || !p->stacks)
            return -1;
        for (long k = 0; k < p->j; k++)
            p->cs[k] = (clone_slot){.run = p->run, .stack = p->stacks + k * CLONE_STACK};
    }
    return 0;
}

/* after the run or a failure: every parent ends (the slots at EOF) and is
 * reaped before the clones' stacks are unmapped under them */
static void parents_close(parents *p)
{
    if (p->to_slot)
        for (long k = 0; k < p->j; k++)
            if (p->to_slot[k] >= 0)
                close(p->to_slot[k]);
    while (wait(NULL) > 0)
        ;
    if (p->slot_pidfd)
        for (long k = 0; k < p->j; k++)
            if (p->slot_pidfd[k] >= 0)
                close(p->slot_pidfd[k]);
    free(p->to_slot);
    free(p->slot_pidfd);
    free(p->slot_busy);
    free(p->task_of);
    free(p->slot_of);
    free(p->cs);
    if (p->kind == EXEC)
        posix_spawn_file_actions_destroy(&p->give_journal);
    if (p->stacks)
        munmap(p->stacks, (size_t)p->j * CLONE_STACK);
}

/* task starts on a free slot (the caller keeps at most j running) */
static int start(parents *p, long task)
{
    long k = 0;
    pid_t pid = -1;
    switch (p->kind) {
    case SLOT:
        while (p->slot_busy[k])
            k++;
        p->slot_busy[k] = true;
        return write(p->to_slot[k], &task, sizeof task) == (ssize_t)sizeof task ? 0 : -1;
    case CLONE:
        while (p->cs[k].busy)
            k++;
        p->cs[k].task = task;
        pid = clone(clone_main, p->cs[k].stack + CLONE_STACK, CLONE_VM | SIGCHLD, &p->cs[k]);
        if (pid < 0)
            return -1;
        p->cs[k].busy = true;
        p->slot_of[pid] = (int)k;
        break;
    case EXEC:
        snprintf(p->task_arg, sizeof p->task_arg, "%ld", task);
        errno = posix_spawn(&pid, p->run[0], &p->give_journal, NULL, p->run, environ);
        if (errno)
            return -1;
        break;
    case DIRECT:
        errno = posix_spawn(&pid, p->run[0], NULL, NULL, p->run, environ);
        if (errno)
            return -1;
        break;
    }
    p->task_of[pid] = task;
    return 0;
}

/* the next task to end: its id, and its exit status in *code */
static long wait_end(parents *p, int *code)
{
    if (p->kind == SLOT) {
        struct pollfd fds[1025] = {{.fd = p->from_slots, .events = POLLIN}};
        for (long k = 0; k < p->j; k++)
            fds[k + 1] = (struct pollfd){.fd = p->slot_pidfd[k], .events = POLLIN};
        for (;;) {
            int r = poll(fds, (nfds_t)p->j + 1, -1);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                perror("spawn_floor: poll");
                return -1;
            }
            /* a slot that ended: a reply it sent before is read first */
            if ((fds[0].revents & POLLIN) || poll(fds, 1, 0) > 0)
                break;
            fprintf(stderr, "spawn_floor: a slot ended without answering\n");
            return -1;
        }
        long msg[3];
        if (read(p->from_slots, msg, sizeof msg) != (ssize_t)sizeof msg || msg[2] < 0 || msg[2] >= p->j) {
            fprintf(stderr, "spawn_floor: a slot's reply is short\n");
            return -1;
        }
        p->slot_busy[msg[2]] = false;
        *code = (int)msg[1];
        return msg[0];
    }
    int st;
    pid_t pid = waitpid(-1, &st, 0);
    if (pid < 0) {
        perror("spawn_floor: wait");
        return -1;
    }
    *code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (p->kind == CLONE)
        p->cs[p->slot_of[pid]].busy = false;
    return p->task_of[pid];
}

/* the journal the parents append to, on JOURNAL_FD and closed on exec:
 * min_wrap gets it by the spawn's file action, a task's shell never */
static int journal_open(const char *base)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.journal", base);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (fd != JOURNAL_FD && (dup3(fd, JOURNAL_FD, O_CLOEXEC) != JOURNAL_FD || close(fd) != 0))) {
        perror("spawn_floor: journal");
        return -1;
    }
    return 0;
}

/* the loop: as many tasks started as the slots allow, each turn's rows and
 * end committed before its starts */
static int run_all(parents *p, store *s, long n)
{
    long started = 0, running = 0, ended = -1;
    int code = 0;
    while (started < n || running > 0) {
        long last = started + (n - started < p->j - running ? n - started : p->j - running);
        if (record(s, ended, code, started, last))
            return -1;
        for (; started < last; started++, running++)
            if (start(p, started)) {
                perror("spawn_floor: start");
                return -1;
            }
        ended = wait_end(p, &code);
        if (ended < 0)
            return -1;
        running--;
        if (code != 0) {
            fprintf(stderr, "spawn_floor: a command failed\n");
            return -1;
        }
    }
    return record(s, ended, code, 0, 0);
}

static int usage(void)
{
    fprintf(stderr, "usage: spawn_floor N J SHELL COMMAND [--db FILE] [--wrap MIN_WRAP|clone|slot]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 5)
        return usage();
    long n = strtol(argv[1], NULL, 10), j = strtol(argv[2], NULL, 10);
    if (n < 1 || j < 1 || j > 1024) {
        fprintf(stderr, "spawn_floor: N must be positive and J from 1 to 1024\n");
        return 2;
    }
    const char *wrap = NULL, *db = NULL;
    for (int i = 5; i < argc; i += 2) {
        if (i + 1 >= argc)
            return usage();
        if (strcmp(argv[i], "--wrap") == 0)
            wrap = argv[i + 1];
        else if (strcmp(argv[i], "--db") == 0)
            db = argv[i + 1];
        else
            return usage();
    }
    if (db && access(db, F_OK) == 0) {
        fprintf(stderr, "spawn_floor: %s exists; the bound starts from a new database\n", db);
        return 2;
    }
    parents p = {.kind = !wrap ? DIRECT : !strcmp(wrap, "clone") ? CLONE : !strcmp(wrap, "slot") ? SLOT : EXEC,
                 .j = j};
    char *args[] = {(char *)wrap, p.task_arg, argv[3], "-c", argv[4], NULL};
    p.run = p.kind == EXEC ? args : args + 2;
    /* the journal first: its descriptor must not be one SQLite opened */
    if (wrap && journal_open(db ? db : "spawn_floor"))
        return 1;
    /* a slot that has ended makes a write to it fail, not kill the runner */
    signal(SIGPIPE, SIG_IGN);
    store s = {0};
    int rc = 1;
    /* the slots first, so that they hold none of SQLite's descriptors */
    if (parents_open(&p)) {
        perror("spawn_floor: parents");
    } else if (!db || store_open(&s, db) == 0) {
        double t0 = now();
        if (run_all(&p, &s, n) == 0) {
            printf("%.3f\n", now() - t0);
            rc = 0;
        }
    }
    parents_close(&p);
    store_close(&s);
    return rc;
}
