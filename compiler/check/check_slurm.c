/* check_slurm — where a task runs, taken as a whole: what the parameters
 * executor and slurm { } mean together with the task's other parameters
 * and its pipeline's (each value's type is check_schema.c's). */
#include <string.h>

#include "attr.h"
#include "checker.h"
#include "registry.h"

/* the task's own value of key, else its pipeline's (what lowering gives it) */
static const flux_attr *effective(const checker *k, const flux_task *t, const char *key)
{
    const flux_attr *a = flux_attr_find(&t->attrs, key);
    return a ? a : flux_attr_find(&k->p->attrs, key);
}

/* key of a slurm { } map, the task's own before its pipeline's */
static const flux_field *slurm_key(const checker *k, const flux_task *t, const char *key, const flux_attr **from)
{
    const flux_attr *sets[2] = {flux_attr_find(&t->attrs, "slurm"), flux_attr_find(&k->p->attrs, "slurm")};
    for (int s = 0; s < 2; s++) {
        const flux_attr *a = sets[s];
        if (!a || a->invalid || a->val.kind != FLUX_F_MAP)
            continue;
        for (size_t i = 0; i < a->val.u.map.n; i++)
            if (strcmp(a->val.u.map.keys[i], key) == 0) {
                *from = a;
                return &a->val.u.map.v[i];
            }
    }
    return NULL;
}

void flux_check_slurm(checker *k, const flux_task *t, const flux_operator *op)
{
    const flux_attr *ex = flux_attr_find(&t->attrs, "executor");
    bool slurm_named = ex && !ex->invalid && ex->val.kind == FLUX_F_IDENT && !strcmp(ex->val.u.str.s, "slurm");
    if (op->kind == FLUX_OP_SENSOR && slurm_named)
        ERR(k, ex->val.span, ex->ctx, "bad-value",
            "a sensor waits between pokes without holding a job; its pokes run on the runner",
            "a sensor cannot run as a Slurm job");
    bool local_named = ex && !ex->invalid && ex->val.kind == FLUX_F_IDENT && !strcmp(ex->val.u.str.s, "local");
    const flux_attr *own = flux_attr_find(&t->attrs, "slurm");
    if (local_named && own && !own->invalid)
        WARN(k, own->key_span, own->ctx, "unused", "drop them, or say executor = slurm",
             "task '%s' runs locally (executor = local): its slurm settings are not used", t->id);
    /* Slurm's limit must leave the task its whole timeout: the job ends
     * the task itself at its timeout and records that */
    const flux_attr *from = NULL;
    const flux_field *time = slurm_key(k, t, "time", &from);
    const flux_attr *timeout = effective(k, t, "timeout");
    if (!local_named && time && time->kind == FLUX_F_DURATION && timeout && !timeout->invalid &&
        timeout->val.kind == FLUX_F_DURATION && op->kind != FLUX_OP_SENSOR && time->u.ms <= timeout->val.u.ms) {
        flux_diag *g = ERR(k, time->span, from->ctx, "bad-value",
                           "give Slurm more than the timeout (the grace to stop the task comes on top), or leave "
                           "slurm.time out: it is then the timeout plus the grace and a minute",
                           "slurm.time of task '%s' is not longer than its timeout: Slurm would end the job before "
                           "the task's timeout",
                           t->id);
        flux_diag_note(g, timeout->val.span, "the timeout");
    }
}
