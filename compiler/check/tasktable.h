/* tasktable — a pipeline's tasks by name (open addressing, the first task of
 * a name wins), for the checks and for lowering, which must resolve names to
 * the same tasks. */
#ifndef FLUX_TASKTABLE_H
#define FLUX_TASKTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline.h"

typedef struct flux_tasktable {
    const flux_pipeline *p;
    uint32_t *slots; /* task index + 1, 0 = empty */
    size_t cap;
} flux_tasktable;

/* (Re)builds t for p; on_dup (may be NULL) hears of every later task with the
 * name of an earlier one, in task order. */
void flux_tasktable_build(flux_tasktable *t, const flux_pipeline *p,
                          void (*on_dup)(void *ud, const flux_task *dup, const flux_task *first), void *ud);

flux_task *flux_tasktable_find(const flux_tasktable *t, const char *name);

void flux_tasktable_free(flux_tasktable *t);

#endif
