/* plandiff — what changed between two plans of a pipeline, task by task,
 * compared through the plan reader (not as text): tasks added, removed, and
 * changed (operator, kind, parameters or upstream tasks differ). Deploy
 * prints the summary line with every new version. */
#ifndef FLUX_PLANDIFF_H
#define FLUX_PLANDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "plan.h"

typedef struct flux_plan_diff {
    const char **added;   /* tasks only in the new plan, in its task order */
    size_t nadded;
    const char **removed; /* tasks only in the old plan, in its task order */
    size_t nremoved;
    const char **changed; /* tasks in both that differ, in the new plan's task order */
    size_t nchanged;
} flux_plan_diff;

/* Compares the tasks of two plans; old and new may be NULL (no tasks). The
 * lists live in a. */
void flux_plan_diff_tasks(flux_arena *a, const flux_plan *old, const flux_plan *new_, flux_plan_diff *out);

/* One line, as deploy prints it: "2 tasks added (a, b); 1 task removed (c);
 * 1 task changed (d)", the empty parts left out; with no task difference
 * "tasks unchanged; pipeline attributes or source changed", or "first
 * version" when there was no old plan (have_old false). */
void flux_plan_diff_summary(const flux_plan_diff *d, bool have_old, flux_buf *out);

/* The summary of two plan texts (old_text NULL: a first version). A text
 * that does not read as a plan counts as a plan without tasks. */
void flux_plan_diff_text(const char *old_text, size_t old_len, const char *new_text, size_t new_len, flux_buf *out);

#endif
