/* tasktable — a pipeline's tasks by name. */
#include "tasktable.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "hash.h"

static uint64_t hash_str(const char *s)
{
    return flux_hash(FLUX_HASH_SEED, s, strlen(s));
}

void flux_tasktable_build(flux_tasktable *t, const flux_pipeline *p,
                          void (*on_dup)(void *ud, const flux_task *dup, const flux_task *first), void *ud)
{
    size_t cap = 16;
    while (cap < 2 * p->ntasks + 2)
        cap *= 2;
    free(t->slots);
    t->slots = flux_xcalloc(cap, sizeof *t->slots);
    t->cap = cap;
    t->p = p;
    for (size_t i = 0; i < p->ntasks; i++) {
        const flux_task *task = p->tasks[i];
        size_t h = hash_str(task->id) & (cap - 1);
        bool dup = false;
        while (t->slots[h]) {
            const flux_task *o = p->tasks[t->slots[h] - 1];
            if (strcmp(o->id, task->id) == 0) {
                if (on_dup)
                    on_dup(ud, task, o);
                dup = true;
                break;
            }
            h = (h + 1) & (cap - 1);
        }
        if (!dup)
            t->slots[h] = (uint32_t)i + 1;
    }
}

flux_task *flux_tasktable_find(const flux_tasktable *t, const char *name)
{
    size_t h = hash_str(name) & (t->cap - 1);
    while (t->slots[h]) {
        flux_task *task = t->p->tasks[t->slots[h] - 1];
        if (strcmp(task->id, name) == 0)
            return task;
        h = (h + 1) & (t->cap - 1);
    }
    return NULL;
}

void flux_tasktable_free(flux_tasktable *t)
{
    free(t->slots);
    t->slots = NULL;
    t->cap = 0;
}
