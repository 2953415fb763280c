/* opreport — reading back the report lines a finished task printed to its
 * log (opkit.h writes them): outputs, transfer counts, lineage. */
#ifndef FLUX_OPREPORT_H
#define FLUX_OPREPORT_H

#include <stdbool.h>
#include <stdint.h>

/* What a finished task addressed to the runner in its log: `::output
 * key=value` lines (its outputs, a JSON object, keys in first-seen order, a
 * later value wins), `::counts read=R written=W rejected=J bytes=B` (the last
 * such line) and `::lineage {json}` lines (a JSON array of {direction, kind,
 * name, detail}). has_counts false when it printed none. Any task may print
 * them: a bash step that transforms data can report what it moved. */
typedef struct flux_op_report {
    char *outputs_json; /* malloc'd; "{}" when none */
    bool has_counts;
    int64_t read, written, rejected, bytes;
    char *lineage_json; /* malloc'd; "[]" when none */
} flux_op_report;

int flux_op_read_report(const char *log_path, flux_op_report *out);
void flux_op_report_free(flux_op_report *r);

#endif
