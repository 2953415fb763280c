/* exec_print — the executor's status as the command line prints it. */
#ifndef FLUX_EXEC_PRINT_H
#define FLUX_EXEC_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "executor.h"

/* A status callback printing to out: one line per task event and run end
 * ("HH:MM:SS RUN TASK STATE (1.2s, note)"), or with progress_tty a live
 * "[done/total done] ..." line instead of the task lines; quiet prints
 * neither (benchmarks). The executor frees it with itself. */
flux_exec_status flux_exec_print_status(FILE *out, bool quiet, bool progress_tty);

#endif
