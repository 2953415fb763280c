/* wrap — the parent process of every task command (see wrap.c). */
#ifndef FLUX_WRAP_H
#define FLUX_WRAP_H

#include <stdbool.h>

/* PIDFILE EXITFILE -- COMMAND...; returns the command's exit status. */
int flux_wrap_main(int argc, char **argv);

#endif
