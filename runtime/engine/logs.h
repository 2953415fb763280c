/* logs — a try's log opened for reading, for `flux logs` and the web UI's
 * log view alike: a try that printed nothing has no file (its wrapper
 * makes the log at the first byte of output), which is an empty log, not
 * an error; a log whose run directory is gone is one. */
#ifndef FLUX_ENGINE_LOGS_H
#define FLUX_ENGINE_LOGS_H

#include <stddef.h>
#include <stdio.h>

/* Opens the log at path (as stored for the try) for reading: 0 with *f the
 * open file, or *f NULL for an empty log (no file in a run directory that
 * is there); -1 with a message in err when it cannot be read or its run's
 * directory is gone. */
int flux_log_open(const char *path, FILE **f, char *err, size_t errlen);

#endif
