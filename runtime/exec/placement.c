/* placement — which backend runs a task's tries: `executor` of the task
 * (its pipeline's when it sets none: lowering copied it), else the
 * runner's default (--executor, then executor: in flux.yaml), else local.
 * One executor holds both backends; the slurm one is made at its first
 * try, so a runner that never uses it never polls Slurm.
 */
#include <stdio.h>
#include <string.h>

#include "exec_int.h"
#include "store.h"

const char *flux_exec_task_executor(const flux_task *t, flux_op_run how, const char *dflt)
{
    if (how == FLUX_OP_RUN_POKE || how == FLUX_OP_RUN_POKE_PROCESS)
        return "local"; /* a sensor waits between pokes without holding a job */
    const flux_field *f = flux_attr_field(&t->attrs, "executor");
    if (f && (f->kind == FLUX_F_IDENT || f->kind == FLUX_F_STRING))
        return f->u.str.s;
    return dflt && *dflt ? dflt : "local";
}

static flux_backend *slurm_backend(flux_executor *ex, char *note, size_t notelen)
{
    if (ex->o.backend_new)
        return ex->backend; /* a test's fake stands for every backend */
    if (!ex->o.slurm) {
        snprintf(note, notelen, "executor = slurm needs the MySQL state store: its jobs record their tries from "
                                "other nodes, which cannot share an SQLite file");
        return NULL;
    }
    if (!ex->slurm)
        ex->slurm = flux_backend_slurm_new(&ex->loop, ex->o.self, ex->store, ex->o.slurm, flux_try_done);
    return ex->slurm;
}

flux_backend *flux_exec_backend_of(ex_task *k, char *note, size_t notelen)
{
    flux_executor *ex = k->run->ex;
    if (!strcmp(flux_exec_task_executor(k->t, k->how, ex->o.executor), "slurm")) {
        flux_backend *b = slurm_backend(ex, note, notelen);
        if (!b)
            k->final_why = "the state store cannot change between tries";
        return b;
    }
    return ex->backend;
}

flux_backend *flux_exec_backend_of_recovered(ex_task *k)
{
    flux_executor *ex = k->run->ex;
    if (ex->o.backend_new)
        return ex->backend;
    /* a try a previous runner gave to Slurm has its row, whatever the
     * task says now; any other is looked for where local tries leave
     * their trace (never started there: it starts again as it says now) */
    flux_slurm_row r;
    int rc = flux_store_slurm_get(ex->store, k->ti_id, &r);
    if (rc == 0)
        flux_slurm_row_free(&r);
    char note[256];
    if (rc == 0 || (rc < 0 && !strcmp(flux_exec_task_executor(k->t, k->how, ex->o.executor), "slurm"))) {
        flux_backend *b = slurm_backend(ex, note, sizeof note);
        if (b)
            return b;
    }
    return ex->backend;
}
