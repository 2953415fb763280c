/* view_print — the read-only views of engine/views.h as the commands print
 * them: JSON as it is, or the text tables of flux runs, status and tasks. */
#ifndef FLUX_VIEW_PRINT_H
#define FLUX_VIEW_PRINT_H

#include <jansson.h>
#include <stdbool.h>

/* The view as one line of JSON (keys in their order); frees it. */
void flux_view_print_json(json_t *j);

/* flux runs: one line per run with its duration ("4m30s"). */
void flux_view_print_runs(json_t *runs);

/* flux status: where the store, FLUX_HOME and flux.yaml come from (when
 * the view has "where"), each pipeline's last run, the deployed versions,
 * the schedulers. */
void flux_view_print_status(json_t *st, bool one); /* one: a single pipeline was asked for */
/* flux_view_notifications' array as a table */
void flux_view_print_notifications(json_t *a);

/* The lines saying where the store, FLUX_HOME and flux.yaml come from
 * (flux_view_where's object), then a blank line. */
void flux_view_print_where(json_t *w);

/* flux tasks after its run line: every task in plan order, each try a line
 * (and its counts), a task with no try yet one line saying so. */
void flux_view_print_tasks(json_t *root);

#endif
