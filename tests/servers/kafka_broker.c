/*
 * kafka_broker.c — a throwaway Kafka broker for tests, built on librdkafka's
 * mock cluster API: a real Kafka-protocol server on 127.0.0.1 that kcat and
 * librdkafka clients in other processes reach over TCP.
 *
 *   kafka_broker [--brokers N] [--bootstraps FILE] [--pid FILE]
 *                [--control FIFO] [TOPIC:PARTITIONS ...]
 *
 * Serves until SIGTERM or SIGINT, then destroys the cluster and exits 0.
 * The bootstrap string ("127.0.0.1:PORT,...") goes to FILE (written whole,
 * then renamed, so a reader never sees half of it); it is written last, so its
 * presence means the broker, its topics, the pid file and the FIFO are ready.
 *
 * Fault injection only works inside the process that owns the cluster, so a
 * test script drives it through the control FIFO, one command a line:
 *   broker-down ID | broker-up ID | topic-create NAME PARTITIONS |
 *   leader TOPIC PARTITION BROKER | push-error produce|fetch CODE COUNT
 * CODE is a number or a librdkafka error name without its ERR_ prefix (e.g.
 * NOT_LEADER_FOR_PARTITION). Commands get no answer; the outcome is logged
 * to stderr.
 *
 * The mock API is experimental (no ABI promise): it belongs here, never in
 * flux. Known limits of librdkafka 2.0.2's mock are listed in tests/README.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* Kafka protocol API keys; librdkafka keeps its names for them in a private
 * header, and these numbers are fixed by the protocol itself. */
enum { API_PRODUCE = 0, API_FETCH = 1 };

/* A command line is short; a longer one is garbage and is dropped whole. */
enum { LINE_MAX_LEN = 1024 };

static int sig_pipe[2] = {-1, -1};
static int nbrokers = 1;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("kafka_broker: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Only async-signal-safe work here: the main loop sees the byte and stops. */
static void on_signal(int sig) {
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t n = write(sig_pipe[1], &b, 1);
    (void)n; /* a full pipe already holds a wake-up */
    errno = saved;
}

/* Strict decimal integer in [lo, hi]; no trailing junk. */
static int parse_int(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Write CONTENT to PATH.tmp, then rename: readers see all of it or nothing. */
static int write_file_atomic(const char *path, const char *content) {
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        logf_("%s: path too long", path);
        return -1;
    }
    FILE *f = fopen(tmp, "w");
    if (!f) {
        logf_("%s: %s", tmp, strerror(errno));
        return -1;
    }
    int ok = fputs(content, f) >= 0 && fputc('\n', f) != EOF;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        logf_("%s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Replicas on every broker (capped by the protocol's int16), so a test can
 * move a partition's leader to any broker. */
static int create_topic(rd_kafka_mock_cluster_t *mc, const char *name, long parts) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, (int)parts, nbrokers);
    if (err) {
        logf_("topic-create %s %ld: %s", name, parts, rd_kafka_err2str(err));
        return -1;
    }
    logf_("topic %s created with %ld partitions", name, parts);
    return 0;
}

/* "NAME:PARTITIONS" from the command line. */
static int create_topic_arg(rd_kafka_mock_cluster_t *mc, char *arg) {
    char *colon = strrchr(arg, ':');
    long parts;
    if (!colon || colon == arg || parse_int(colon + 1, 1, 100000, &parts) != 0) {
        logf_("bad topic argument '%s' (want NAME:PARTITIONS)", arg);
        return -1;
    }
    *colon = '\0';
    int rc = create_topic(mc, arg, parts);
    *colon = ':';
    return rc;
}

/* A number, or an error name as rd_kafka_err2name prints it (no ERR_). */
static int parse_error_code(const char *s, rd_kafka_resp_err_t *out) {
    long v;
    if (parse_int(s, INT_MIN, INT_MAX, &v) == 0) {
        *out = (rd_kafka_resp_err_t)v;
        return 0;
    }
    const struct rd_kafka_err_desc *descs;
    size_t n;
    rd_kafka_get_err_descs(&descs, &n);
    for (size_t i = 0; i < n; i++) {
        if (descs[i].name && strcmp(descs[i].name, s) == 0) {
            *out = descs[i].code;
            return 0;
        }
    }
    return -1;
}

/* One control line, already stripped of its newline. Errors are logged, never
 * fatal: a typo in a test must not take the broker down. */
static void run_command(rd_kafka_mock_cluster_t *mc, char *line) {
    char *argv[6];
    int argc = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
        if (argc == 5) {
            logf_("control: too many words");
            return;
        }
        argv[argc++] = t;
    }
    if (argc == 0)
        return;
    const char *cmd = argv[0];
    long a, b;
    rd_kafka_resp_err_t err;

    if ((strcmp(cmd, "broker-down") == 0 || strcmp(cmd, "broker-up") == 0) && argc == 2) {
        if (parse_int(argv[1], 1, nbrokers, &a) != 0) {
            logf_("%s: broker id '%s' is not in 1..%d", cmd, argv[1], nbrokers);
            return;
        }
        err = strcmp(cmd, "broker-down") == 0 ? rd_kafka_mock_broker_set_down(mc, (int32_t)a)
                                              : rd_kafka_mock_broker_set_up(mc, (int32_t)a);
        logf_("%s %ld: %s", cmd, a, rd_kafka_err2str(err));
    } else if (strcmp(cmd, "topic-create") == 0 && argc == 3) {
        if (parse_int(argv[2], 1, 100000, &a) != 0) {
            logf_("topic-create: bad partition count '%s'", argv[2]);
            return;
        }
        create_topic(mc, argv[1], a);
    } else if (strcmp(cmd, "leader") == 0 && argc == 4) {
        if (parse_int(argv[2], 0, INT32_MAX, &a) != 0 || parse_int(argv[3], -1, nbrokers, &b) != 0) {
            logf_("leader: want TOPIC PARTITION BROKER (broker -1..%d)", nbrokers);
            return;
        }
        err = rd_kafka_mock_partition_set_leader(mc, argv[1], (int32_t)a, (int32_t)b);
        logf_("leader %s %ld %ld: %s", argv[1], a, b, rd_kafka_err2str(err));
    } else if (strcmp(cmd, "push-error") == 0 && argc == 4) {
        int16_t api;
        if (strcmp(argv[1], "produce") == 0)
            api = API_PRODUCE;
        else if (strcmp(argv[1], "fetch") == 0)
            api = API_FETCH;
        else {
            logf_("push-error: request kind '%s' is not produce or fetch", argv[1]);
            return;
        }
        if (parse_error_code(argv[2], &err) != 0) {
            logf_("push-error: unknown error code '%s'", argv[2]);
            return;
        }
        if (parse_int(argv[3], 1, 10000, &a) != 0) {
            logf_("push-error: bad count '%s' (1..10000)", argv[3]);
            return;
        }
        rd_kafka_resp_err_t *errs = malloc((size_t)a * sizeof *errs);
        if (!errs) {
            logf_("push-error: out of memory");
            return;
        }
        for (long i = 0; i < a; i++)
            errs[i] = err;
        /* Returns nothing: the errors answer the next COUNT such requests. */
        rd_kafka_mock_push_request_errors_array(mc, api, (size_t)a, errs);
        free(errs);
        logf_("push-error %s %s x%ld queued", argv[1], rd_kafka_err2name(err), a);
    } else {
        logf_("control: unknown or malformed command '%s' (%d words)", cmd, argc);
    }
}

/* Reads what the FIFO holds and runs each complete line. The buffer keeps a
 * partial line for the next read (a writer's line larger than PIPE_BUF may
 * arrive in pieces). Returns -1 on a read error. */
static int drain_control(rd_kafka_mock_cluster_t *mc, int fd, char *buf, size_t *len, int *skipping) {
    ssize_t n = read(fd, buf + *len, LINE_MAX_LEN - *len);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    *len += (size_t)n;
    char *start = buf, *nl;
    while ((nl = memchr(start, '\n', (size_t)(buf + *len - start)))) {
        *nl = '\0';
        if (!*skipping)
            run_command(mc, start);
        *skipping = 0;
        start = nl + 1;
    }
    *len = (size_t)(buf + *len - start);
    memmove(buf, start, *len);
    if (*len == LINE_MAX_LEN) { /* no newline in a full buffer: drop to the next one */
        logf_("control: line longer than %d bytes dropped", LINE_MAX_LEN);
        *len = 0;
        *skipping = 1;
    }
    return 0;
}

/* Makes the FIFO, accepting one already there (a previous run's) but nothing
 * else by that name. */
static int make_fifo(const char *path) {
    struct stat st;
    if (mkfifo(path, 0600) == 0)
        return 0;
    if (errno == EEXIST && lstat(path, &st) == 0 && S_ISFIFO(st.st_mode))
        return 0;
    logf_("%s: cannot make the control FIFO: %s", path, strerror(errno));
    return -1;
}

static void usage(void) {
    fputs("usage: kafka_broker [--brokers N] [--bootstraps FILE] [--pid FILE] [--control FIFO]\n"
          "                    [TOPIC:PARTITIONS ...]\n",
          stderr);
}

int main(int argc, char **argv) {
    const char *bootstraps_file = NULL, *pid_file = NULL, *control = NULL;
    int first_topic = argc;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int has_value = i + 1 < argc;
        long v;
        if (strcmp(o, "--brokers") == 0 && has_value) {
            if (parse_int(argv[++i], 1, 64, &v) != 0) {
                logf_("--brokers wants 1..64");
                return 2;
            }
            nbrokers = (int)v;
        } else if (strcmp(o, "--bootstraps") == 0 && has_value) {
            bootstraps_file = argv[++i];
        } else if (strcmp(o, "--pid") == 0 && has_value) {
            pid_file = argv[++i];
        } else if (strcmp(o, "--control") == 0 && has_value) {
            control = argv[++i];
        } else if (strncmp(o, "--", 2) == 0) {
            usage();
            return 2;
        } else {
            first_topic = i;
            break;
        }
    }

    /* Self-pipe: the handler only writes a byte; the loop below polls it
     * together with the FIFO, so a signal never races a blocking read. */
    if (pipe(sig_pipe) != 0 || fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(sig_pipe[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(sig_pipe[1], F_SETFD, FD_CLOEXEC) != 0) {
        logf_("pipe: %s", strerror(errno));
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    /* The cluster needs a client handle to live in; it is never used to
     * produce. No bootstrap.servers, so quiet librdkafka's warning about it. */
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        logf_("conf: %s", errstr);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) { /* conf is still ours on failure */
        logf_("rd_kafka_new: %s", errstr);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, nbrokers);
    if (!mc) {
        logf_("rd_kafka_mock_cluster_new(%d) failed", nbrokers);
        rd_kafka_destroy(rk);
        return 1;
    }

    int rc = 1, fifo_fd = -1, wrote_pid = 0, wrote_bootstraps = 0;
    for (int i = first_topic; i < argc; i++)
        if (create_topic_arg(mc, argv[i]) != 0)
            goto out;
    if (control) {
        if (make_fifo(control) != 0)
            goto out;
        /* O_RDWR: we count as a writer ourselves, so the open does not wait
         * for one and reads never see EOF when a test's `echo` closes. */
        fifo_fd = open(control, O_RDWR | O_CLOEXEC);
        if (fifo_fd < 0) {
            logf_("%s: %s", control, strerror(errno));
            goto out;
        }
    }
    if (pid_file) {
        char pid[32];
        snprintf(pid, sizeof pid, "%ld", (long)getpid());
        if (write_file_atomic(pid_file, pid) != 0)
            goto out;
        wrote_pid = 1;
    }
    const char *bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
    if (bootstraps_file) {
        if (write_file_atomic(bootstraps_file, bootstraps) != 0)
            goto out;
        wrote_bootstraps = 1;
    }
    logf_("%d broker(s) at %s, pid %ld", nbrokers, bootstraps, (long)getpid());

    char buf[LINE_MAX_LEN];
    size_t len = 0;
    int skipping = 0;
    struct pollfd pfd[2] = {{.fd = sig_pipe[0], .events = POLLIN}, {.fd = fifo_fd, .events = POLLIN}};
    for (;;) {
        if (poll(pfd, fifo_fd >= 0 ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue; /* the handler's byte is waiting in the pipe */
            logf_("poll: %s", strerror(errno));
            goto out;
        }
        if (pfd[0].revents) {
            unsigned char sig = 0;
            if (read(sig_pipe[0], &sig, 1) == 1)
                logf_("signal %d: shutting down", sig);
            break;
        }
        if (fifo_fd >= 0 && pfd[1].revents && drain_control(mc, fifo_fd, buf, &len, &skipping) != 0) {
            logf_("%s: %s", control, strerror(errno));
            goto out;
        }
    }
    rc = 0;

out:
    /* Remove what we published first, so nobody reads a stale bootstrap
     * string or writes to a FIFO nobody drains once we are gone. */
    if (wrote_bootstraps)
        unlink(bootstraps_file);
    if (fifo_fd >= 0) {
        unlink(control);
        close(fifo_fd);
    }
    if (wrote_pid)
        unlink(pid_file);
    /* The cluster runs on the handle's threads: it goes first. It can take
     * about 1 s: in librdkafka 2.0.2 it sometimes waits out its I/O thread's
     * poll timeout. */
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    logf_("stopped");
    return rc;
}
