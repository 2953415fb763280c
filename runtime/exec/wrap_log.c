/* wrap_log — a try's log, bounded as it is written (see wrap_log.h).
 *
 * The head goes to the log as it comes, so `flux logs` shows a running
 * task's first half at once; past it, the output goes to a ring: an unnamed
 * file (O_TMPFILE) in the run's directory, on disk rather than in memory,
 * that disappears with the wrapper if it is killed. At the end the marker
 * line and the ring, oldest byte first, are appended: the log holds the
 * first and the last max_log_size / 2 bytes. Without a ring (no directory,
 * a filesystem without O_TMPFILE) only the head is kept, and the marker
 * says so.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include "wrap_log.h"

#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { NO_RING = -2 };

void wrap_write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* a full disk: the rest of the log is lost, the task is not */
        p += w;
        n -= (size_t)w;
    }
}

static void pwrite_all(int fd, const char *p, size_t n, int64_t at)
{
    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
        at += w;
    }
}

void wrap_log_init(wrap_log *l, int fd, int dirfd, const char *name, int64_t max)
{
    *l = (wrap_log){.fd = fd, .dirfd = dirfd, .name = name, .max = max > 0 ? max : 0, .ring = -1, .head_last = '\n'};
}

/* n bytes to the log, made first when it is still a name; a log that
 * cannot be made loses them (open_errno says why, for the wrapper to fail
 * the task) */
static void log_put(wrap_log *l, const char *p, size_t n)
{
    if (!n)
        return;
    if (l->fd < 0 && l->name && !l->open_errno) {
        l->fd = flux_rundir_file(l->dirfd, ".", l->name, O_WRONLY | O_CREAT | O_APPEND, l->why, sizeof l->why);
        if (l->fd < 0)
            l->open_errno = errno ? errno : EINVAL;
    }
    if (l->fd >= 0)
        wrap_write_all(l->fd, p, n);
}

static int64_t head_size(const wrap_log *l)
{
    return l->max / 2;
}

static int64_t tail_size(const wrap_log *l)
{
    return l->max - l->max / 2;
}

void wrap_log_write(wrap_log *l, const char *p, size_t n)
{
    int64_t head = head_size(l);
    if (!l->max || l->written < head) {
        size_t k = l->max && (int64_t)n > head - l->written ? (size_t)(head - l->written) : n;
        log_put(l, p, k);
        if (k)
            l->head_last = p[k - 1];
        l->written += (int64_t)k;
        p += k;
        n -= k;
    }
    if (!n)
        return;
    if (l->ring == -1) {
        l->ring = l->dirfd >= 0 ? openat(l->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600) : -1;
        if (l->ring < 0)
            l->ring = NO_RING;
    }
    int64_t tail = tail_size(l);
    if (l->ring != NO_RING) {
        /* of a chunk longer than the ring, only its end stays */
        size_t skip = (int64_t)n > tail ? n - (size_t)tail : 0;
        int64_t at = (l->written + (int64_t)skip - head) % tail;
        for (size_t i = skip; i < n;) {
            size_t k = n - i < (size_t)(tail - at) ? n - i : (size_t)(tail - at);
            pwrite_all(l->ring, p + i, k, at);
            i += k;
            at = (at + (int64_t)k) % tail;
        }
    }
    l->written += (int64_t)n;
}

/* appends the ring's bytes [from, to) to the log */
static void copy_ring(wrap_log *l, int64_t from, int64_t to)
{
    static char buf[1 << 20];
    while (from < to) {
        size_t want = to - from < (int64_t)sizeof buf ? (size_t)(to - from) : sizeof buf;
        ssize_t r = pread(l->ring, buf, want, (off_t)from);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        log_put(l, buf, (size_t)r);
        from += r;
    }
}

int64_t wrap_log_finish(wrap_log *l)
{
    int64_t head = head_size(l), tail = tail_size(l), past = l->written - head;
    if (!l->max || past <= 0)
        return 0;
    int64_t dropped = l->ring == NO_RING ? past : past - tail;
    if (dropped > 0) {
        char line[400];
        int n;
        if (l->ring == NO_RING)
            n = snprintf(line, sizeof line,
                         "\nflux-wrap: %lld bytes of output dropped here: the log keeps its first %lld bytes "
                         "(max_log_size %lld; no room for its last ones)\n",
                         (long long)dropped, (long long)head, (long long)l->max);
        else
            n = snprintf(line, sizeof line,
                         "\nflux-wrap: %lld bytes of output dropped here: the log keeps its first %lld and last "
                         "%lld bytes (max_log_size %lld)\n",
                         (long long)dropped, (long long)head, (long long)tail, (long long)l->max);
        /* the marker on a line of its own: the head may end inside a line */
        bool mid_line = l->head_last != '\n';
        log_put(l, line + !mid_line, (size_t)n - !mid_line);
    }
    if (l->ring != NO_RING) {
        int64_t at = dropped > 0 ? past % tail : 0, end = dropped > 0 ? tail : past;
        copy_ring(l, at, end);
        copy_ring(l, 0, at);
        close(l->ring);
        l->ring = -1;
    }
    return dropped;
}
