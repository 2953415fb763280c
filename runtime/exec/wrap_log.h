/* wrap_log — a try's log as flux-wrap writes it: everything up to
 * max_log_size, and past it the first and last halves around a line saying
 * how many bytes were dropped between them (see wrap_log.c). */
#ifndef FLUX_WRAP_LOG_H
#define FLUX_WRAP_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef struct wrap_log {
    int fd;          /* the log (O_APPEND); -1 until name is made */
    int dirfd;       /* the run's directory, where the ring is made; -1: none */
    const char *name; /* the log's name in dirfd, made at the first byte; NULL: fd given */
    int open_errno;  /* why name could not be made, 0: it could */
    char why[512];   /* the same, as a sentence */
    int64_t max;     /* max_log_size; 0: no limit */
    int64_t written; /* bytes given to wrap_log_write */
    int ring;        /* the tail past the head, -1 until the head is full */
    char head_last;  /* the head's last byte: the marker goes on a line of its own */
} wrap_log;

/* A log that keeps max bytes (0: all): on fd, or (fd -1) the file name in
 * the directory dirfd, made 0600 at the first byte written (through
 * rundir.h: never through a link), so a try that prints nothing makes no
 * file. dirfd is also where the ring goes (-1: no ring). */
void wrap_log_init(wrap_log *l, int fd, int dirfd, const char *name, int64_t max);
/* Appends n bytes of output: to the log while its head has room, then to
 * the ring that keeps the last half. */
void wrap_log_write(wrap_log *l, const char *p, size_t n);
/* At the end: when the head filled, the marker line and the ring, oldest
 * byte first, appended to the log. The bytes dropped (0: none). */
int64_t wrap_log_finish(wrap_log *l);
/* n bytes to fd, what a signal interrupted written on; a full disk loses
 * the rest (of a log: the task is not failed for it). */
void wrap_write_all(int fd, const char *p, size_t n);

#endif
