/* wrap_report — the lines a task addresses to the runner, found by
 * flux-wrap as its output streams by, bounded, and written to a small
 * report file the runner reads instead of the log (see wrap_report.c; the
 * runner's reader is stdlib-ops/kit/opreport.h). */
#ifndef FLUX_WRAP_REPORT_H
#define FLUX_WRAP_REPORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct wrap_report wrap_report;

/* A scanner for one task: a value of at most max_value bytes, the names
 * and values of all outputs together at most max_outputs bytes (lineage
 * lines too). */
wrap_report *wrap_report_new(int64_t max_value, int64_t max_outputs);
/* The next n bytes of the output (as the log gets them: masked). */
void wrap_report_scan(wrap_report *r, const char *p, size_t n);
/* The end of the output: a last line without a newline counts too. Then
 * the lines the log gets about what was not taken ("flux-wrap: ..."), "" if
 * none; valid until wrap_report_free. */
const char *wrap_report_end(wrap_report *r);
/* The line a failed try's note ends with (wrap_tail.h), written as
 * `::last TEXT`; "" or NULL: none. */
void wrap_report_set_last(wrap_report *r, const char *text);
/* Writes the report file, 0600, with the log's dropped bytes and limit
 * (log_max): NAME in the run's directory dirfd (opened through rundir.h,
 * never through a link); nothing when there is nothing to say (the wrapper
 * removed an earlier one first). -1 with a note on failure. */
int wrap_report_write(wrap_report *r, int dirfd, const char *name, int64_t log_dropped, int64_t log_max,
                      char *note, size_t notelen);
void wrap_report_free(wrap_report *r);

#endif
