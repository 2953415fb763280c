/* wrap — the parent process of every task command (see wrap.c). */
#ifndef FLUX_WRAP_H
#define FLUX_WRAP_H

#include <stdbool.h>

/* JOURNAL "TASK TRY" [--secrets-fd N] [--script-fd N [--shell PATH]] [--grace MS]
 *     [--nofile N] [--dir-fd N --report NAME] [--max-value B]
 *     [--max-outputs B] [--max-log B] -- [COMMAND...]
 *
 * Runs COMMAND, or with --script-fd the shell script on descriptor N (run
 * by --shell, an absolute path, default /bin/sh, from descriptor 3; the
 * script is expected to close it first, `exec 3<&-;`), writing its pid and
 * exit lines to the run's journal. Its
 * output comes through a pipe and goes to the wrapper's standard output
 * (the log). --secrets-fd N: the values to mask in it, NUL-separated, read
 * to the end and closed before the command starts. --grace: how long what
 * the command leaves running after it exits has between SIGTERM and
 * SIGKILL (default 5000). --nofile: the soft RLIMIT_NOFILE the command
 * gets, when lower than the wrapper's (the runner raised its own).
 * --dir-fd: the run's directory, where the log's ring is made and the
 * report file NAME written (wrap_report.h) before the exit line; --max-value, --max-outputs: the report's limits (default
 * 64 KiB, 1 MiB); --max-log: the log's (default: none; wrap_log.h).
 * Returns the command's exit status, 125 when its report could not be
 * written. */
int flux_wrap_main(int argc, char **argv);

#endif
