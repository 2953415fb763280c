/* wrap — the parent process of every task command (see wrap.c). */
#ifndef FLUX_WRAP_H
#define FLUX_WRAP_H

#include <stdbool.h>

/* JOURNAL "TASK TRY" [--secrets-fd N] [--script-fd N] [--grace MS] [--nofile N] -- [COMMAND...]
 *
 * Runs COMMAND, or with --script-fd the shell script on descriptor N (run
 * by /bin/sh from descriptor 3; the script is expected to close it first,
 * `exec 3<&-;`), writing its pid and exit lines to the run's journal.
 * --secrets-fd N: the values to mask in its output, NUL-separated, read to
 * the end and closed before the command starts. --grace: how long what the
 * command leaves running after it exits has between SIGTERM and SIGKILL
 * (default 5000). --nofile: the soft RLIMIT_NOFILE the command gets, when
 * lower than the wrapper's (the runner raised its own). Returns the
 * command's exit status. */
int flux_wrap_main(int argc, char **argv);

#endif
