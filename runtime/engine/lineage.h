/* lineage — which run and task moved a record, from where, to where:
 * the walk from a Kafka offset, a file or a table to the task instances
 * whose transfers wrote or read it, and on to every later task instance
 * that read what they wrote, returned as one tree (printing it is the
 * command's). */
#ifndef FLUX_LINEAGE_H
#define FLUX_LINEAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "store.h"

typedef struct flux_lineage_query {
    const char *kind, *name;     /* "kafka", "table" or "file", and its name */
    bool suffix;                 /* a table without its database */
    long long partition, offset; /* kafka: -1 any */
} flux_lineage_query;

/* The tree, as `flux lineage --format json` shows it:
 *   {"kind", "name", "moves": [NODE...], "partition"?, "offset"?}
 *   NODE = {"run", "pipeline", "run_id", "task", "try", "state",
 *           "moved": [ROW...], "then": [NODE...], "matched": ROW (top level)}
 *   ROW  = {"direction", "kind", "name", "detail"}
 * Writers of the record come first, then its readers; each task instance
 * once; up to 8 hops. NULL with err when the store cannot be read; a tree
 * with err set when a later read failed (that node has no "moved"). */
json_t *flux_lineage_walk(flux_store *s, const flux_lineage_query *q, char *err, size_t errlen);

#endif
