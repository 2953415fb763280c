/* spawn_floor — the floor under any runner that starts a process per task:
 * N commands run with posix_spawn, J at a time, each `SHELL -c COMMAND`,
 * nothing else (no graph, no state, no output kept). tests/bench/run runs
 * it beside flux and ninja on the same shell and command.
 *
 *   spawn_floor N J SHELL COMMAND [--wrap PROG|clone|slot] [--db FILE]
 *       prints the wall time in seconds
 *
 * With --wrap and --db it is a bound instead: the least that the
 * guarantees of runtime/README.md cost a task, with none of a runner's own
 * work. Each command gets a parent other than the runner, which is what
 * lets a task outlive a killed runner and have its end known (the parent
 * appends the exit to a journal, FILE.journal, open on descriptor 3 of
 * every child); --wrap says how that parent is made:
 *   PROG   min_wrap.c, exec'd per task, as flux-wrap is;
 *   clone  a process cloned per task with the runner's memory (CLONE_VM: no
 *          copy, no exec), running the same few lines as min_wrap;
 *   slot   one resident parent per slot, forked once, which the runner
 *          hands each task over a pipe and which answers with its end: no
 *          process made per task beyond the shell, one round trip instead.
 * --db records, in SQLite with the store's journal mode and synchronous
 * setting, each task's row before it starts and its end before any start
 * it allows: one transaction per turn of the loop, holding the end reaped
 * and the rows of the starts it allows, committed before those starts.
 */
#define _GNU_SOURCE /* clone */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *insert, *end;
} store;

enum parent { DIRECT, EXEC, CLONE, SLOT };

/* how tasks are started and their ends seen, for one of the parents */
typedef struct {
    enum parent kind;
    char **run;        /* the argv each task's process runs */
    long j;
    long *task_of;     /* DIRECT, EXEC, CLONE: the task of each pid (pids < 2^22) */
    int *slot_of;      /* CLONE: the stack slot of each pid */
    char *stacks;      /* CLONE: j stacks; a slot's lowest byte says it is in use */
    int *to_slot;      /* SLOT: each slot's request pipe */
    char *slot_busy;   /* SLOT */
    int from_slots;    /* SLOT: the replies of all slots */
} parents;

#define CLONE_STACK (64 * 1024)

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
        sqlite3_prepare_v2(s->db, "UPDATE tries SET state = 'success', status = ? WHERE id = ?", -1, &s->end, NULL))
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

/* what every parent does for one task: start the shell, wait, append the
 * exit to the journal. It formats by hand and uses no allocation: a
 * CLONE parent runs it beside the runner in the runner's memory. */
static int run_task(char **run)
{
    pid_t pid;
    int st;
    if (posix_spawn(&pid, run[0], NULL, NULL, run, environ) != 0 || waitpid(pid, &st, 0) != pid)
        return 127;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    char line[32], digits[12];
    int len = 5, nd = 0;
    memcpy(line, "exit ", 5);
    for (unsigned v = (unsigned)pid; v || !nd; v /= 10)
        digits[nd++] = (char)('0' + v % 10);
    while (nd)
        line[len++] = digits[--nd];
    line[len++] = ' ';
    for (unsigned v = (unsigned)code; v || !nd; v /= 10)
        digits[nd++] = (char)('0' + v % 10);
    while (nd)
        line[len++] = digits[--nd];
    line[len++] = '\n';
    return write(3, line, (size_t)len) == len ? code : 127;
}

static int clone_main(void *run)
{
    _exit(run_task(run));
}

/* SLOT parent k: a task's id in; the id, its status and k out (one write
 * of under PIPE_BUF bytes, so replies of slots sharing the pipe do not
 * mix); until EOF */
static void slot_main(long k, int in, int out, char **run)
{
    long msg[3] = {0, 0, k};
    while (read(in, msg, sizeof msg[0]) == (ssize_t)sizeof msg[0]) {
        msg[1] = run_task(run);
        if (write(out, msg, sizeof msg) != (ssize_t)sizeof msg)
            break;
    }
    _exit(0);
}

static int parents_open(parents *p)
{
    if (p->kind == SLOT) {
        int reply[2];
        p->to_slot = calloc((size_t)p->j, sizeof *p->to_slot);
        p->slot_busy = calloc((size_t)p->j, 1);
        if (!p->to_slot || !p->slot_busy || pipe2(reply, O_CLOEXEC))
            return -1;
        p->from_slots = reply[0];
        for (long k = 0; k < p->j; k++) {
            int req[2];
            if (pipe2(req, O_CLOEXEC))
                return -1;
            pid_t pid = fork();
            if (pid < 0)
                return -1;
            if (pid == 0) {
                /* no write end of any slot's pipe: each sees EOF when the runner closes its own */
                for (long i = 0; i < k; i++)
                    close(p->to_slot[i]);
                close(req[1]);
                slot_main(k, req[0], reply[1], p->run);
            }
            close(req[0]);
            p->to_slot[k] = req[1];
        }
        close(reply[1]);
        return 0;
    }
    p->task_of = calloc((size_t)1 << 22, sizeof *p->task_of);
    if (!p->task_of)
        return -1;
    if (p->kind == CLONE) {
        p->slot_of = calloc((size_t)1 << 22, sizeof *p->slot_of);
        char *stacks = mmap(NULL, (size_t)p->j * CLONE_STACK, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        p->stacks = stacks == MAP_FAILED ? NULL : stacks;
        if (!p->slot_of || !p->stacks)
            return -1;
    }
    return 0;
}

static void parents_close(parents *p)
{
    if (p->to_slot) {
        for (long k = 0; k < p->j; k++)
            close(p->to_slot[k]);
        while (wait(NULL) > 0)
            ;
    }
    free(p->to_slot);
    free(p->slot_busy);
    free(p->task_of);
    free(p->slot_of);
    if (p->stacks)
        munmap(p->stacks, (size_t)p->j * CLONE_STACK);
}

/* task starts on a free slot (the caller keeps at most j running) */
static int start(parents *p, long task)
{
    pid_t pid = -1;
    if (p->kind == SLOT) {
        long k = 0;
        while (p->slot_busy[k])
            k++;
        p->slot_busy[k] = 1;
        return write(p->to_slot[k], &task, sizeof task) == (ssize_t)sizeof task ? 0 : -1;
    }
    if (p->kind != CLONE) {
        if (posix_spawn(&pid, p->run[0], NULL, NULL, p->run, environ) != 0)
            return -1;
    } else {
        long k = 0;
        while (p->stacks[k * CLONE_STACK])
            k++;
        p->stacks[k * CLONE_STACK] = 1;
        pid = clone(clone_main, p->stacks + (k + 1) * CLONE_STACK, CLONE_VM | SIGCHLD, p->run);
        if (pid < 0)
            return -1;
        p->slot_of[pid] = (int)k;
    }
    p->task_of[pid] = task;
    return 0;
}

/* the next task to end: its id, and its exit status in *code */
static long wait_end(parents *p, int *code)
{
    if (p->kind == SLOT) {
        long msg[3];
        if (read(p->from_slots, msg, sizeof msg) != (ssize_t)sizeof msg || msg[2] < 0 || msg[2] >= p->j)
            return -1;
        p->slot_busy[msg[2]] = 0;
        *code = (int)msg[1];
        return msg[0];
    }
    int st;
    pid_t pid = waitpid(-1, &st, 0);
    if (pid < 0)
        return -1;
    *code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (p->kind == CLONE)
        p->stacks[(long)p->slot_of[pid] * CLONE_STACK] = 0;
    return p->task_of[pid];
}

/* the journal the parents append each exit to: descriptor 3, inherited */
static int journal_on_3(const char *base)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.journal", base);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0600);
    if (fd < 0 || (fd != 3 && (dup2(fd, 3) != 3 || close(fd) != 0))) {
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
        if (ended < 0) {
            perror("spawn_floor: wait");
            return -1;
        }
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
    fprintf(stderr, "usage: spawn_floor N J SHELL COMMAND [--wrap PROG|clone|slot] [--db FILE]\n");
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
    char *args[] = {(char *)wrap, argv[3], "-c", argv[4], NULL};
    parents p = {.kind = !wrap ? DIRECT : !strcmp(wrap, "clone") ? CLONE : !strcmp(wrap, "slot") ? SLOT : EXEC,
                 .j = j};
    p.run = p.kind == EXEC ? args : args + 1;
    /* the journal first: descriptor 3 must not be one SQLite opened */
    if (wrap && journal_on_3(db ? db : "spawn_floor"))
        return 1;
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
