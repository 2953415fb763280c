/* opreport — reading back what a finished task addressed to the runner:
 * the report file flux-wrap wrote beside its log (runtime/exec/wrap_report.h;
 * opkit.h writes the lines): outputs, transfer counts, lineage, its reason,
 * what was refused, what its log dropped. */
#ifndef FLUX_OPREPORT_H
#define FLUX_OPREPORT_H

#include <stdbool.h>
#include <stdint.h>

/* What a finished task addressed to the runner: `::output key=value` lines
 * (its outputs, a JSON object, keys in first-seen order, a later value
 * wins), `::counts read=R written=W rejected=J bytes=B` (the last such line)
 * and `::lineage {json}` lines (a JSON array of {direction, kind, name,
 * detail}). has_counts false when it printed none. Any task may print them:
 * a bash step that transforms data can report what it moved. The wrapper
 * adds `::reason TEXT` (the task's last `flux: ` line), `::refused TEXT`
 * (an output over its limits: the task fails with TEXT), `::last TEXT`
 * (a failed task's last line, for its note), `::log_dropped N MAX` and a
 * last `::end`: whole is true once that line was read. */
typedef struct flux_op_report {
    char *outputs_json; /* malloc'd; "{}" when none */
    bool has_counts;
    int64_t read, written, rejected, bytes;
    char *lineage_json; /* malloc'd; "[]" when none */
    char *reason;       /* malloc'd or NULL */
    char *refused;      /* malloc'd or NULL */
    char *last;         /* malloc'd or NULL */
    int64_t log_dropped, log_max;
    bool whole;
} flux_op_report;

/* The report file at path: a regular file (never followed through a
 * symbolic link, never a FIFO that would block) of at most max_bytes. 0
 * when read (whole or not), 1 when there is none, -1 when it cannot be read
 * or is larger; *out is set either way (free it with flux_op_report_free). */
int flux_op_read_report(const char *path, int64_t max_bytes, flux_op_report *out);
/* The same from a descriptor open on one, read from its start (left open). */
int flux_op_read_report_fd(int fd, int64_t max_bytes, flux_op_report *out);
void flux_op_report_free(flux_op_report *r);

#endif
