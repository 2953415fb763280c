/* wrap — the parent process of every task command (see wrap.c). */
#ifndef FLUX_WRAP_H
#define FLUX_WRAP_H

#include <stdbool.h>

/* JOURNAL "TASK TRY" -- COMMAND...: runs the command, writing its pid and exit
 * lines to the run's journal; returns the command's exit status. */
int flux_wrap_main(int argc, char **argv);

#endif
