/* opfields — reading a task's rendered fields and freeing a process
 * description: the runner-side half of the operator API (opfields.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opfields.h"

const flux_field *flux_op_get(const flux_op_fields *f, const char *key)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->keys[i], key) == 0)
            return &f->vals[i];
    return NULL;
}

const char *flux_op_text(const flux_op_fields *f, const char *key, char *buf, size_t len)
{
    const flux_field *v = flux_op_get(f, key);
    if (!v || (v->kind != FLUX_F_STRING && v->kind != FLUX_F_IDENT))
        return NULL;
    snprintf(buf, len, "%.*s", (int)v->u.str.len, v->u.str.s);
    return buf;
}

bool flux_op_flag(const flux_op_fields *f, const char *key, bool dflt)
{
    const flux_field *v = flux_op_get(f, key);
    return v && v->kind == FLUX_F_BOOL ? v->u.b : dflt;
}

void flux_op_cmd_free(flux_op_cmd *c)
{
    for (size_t i = 0; c->argv && c->argv[i]; i++)
        free(c->argv[i]);
    for (size_t i = 0; c->env && c->env[i]; i++)
        free(c->env[i]);
    free(c->argv);
    free(c->env);
    free(c->cwd);
    memset(c, 0, sizeof *c);
}
