/* bash — the bash operator: `command` run by /bin/bash -c (or /bin/sh -c
 * with `shell = sh`), with `env` and `cwd`; the exit status decides
 * success, and `::output key=value` lines become task outputs that
 * downstream templates read. The runner starts the process itself, so this
 * file only says which process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators.h"
#include "value.h"

static char *field_string(const flux_field *f)
{
    if (!f)
        return NULL;
    if (f->kind == FLUX_F_STRING || f->kind == FLUX_F_IDENT)
        return strndup(f->u.str.s, f->u.str.len);
    return NULL;
}

int op_command_bash(const flux_op_fields *f, flux_op_cmd *out, char *err, size_t errlen)
{
    char *cmd = field_string(flux_op_get(f, "command"));
    if (!cmd) {
        snprintf(err, errlen, "bash task has no command");
        return -1;
    }
    /* a fixed path, as the runner gives it to the wrapper: no PATH lookup
     * per task, and no other bash than the system's (a PATH the task's
     * env changes cannot choose its interpreter) */
    char shell[8];
    const char *which = flux_op_text(f, "shell", shell, sizeof shell);
    out->argv = calloc(4, sizeof *out->argv);
    out->argv[0] = strdup(which && !strcmp(which, "sh") ? "/bin/sh" : "/bin/bash");
    out->argv[1] = strdup("-c");
    out->argv[2] = cmd;
    const flux_field *env = flux_op_get(f, "env");
    size_t n = env && env->kind == FLUX_F_MAP ? env->u.map.n : 0;
    out->env = calloc(n + 1, sizeof *out->env);
    for (size_t i = 0; i < n; i++) {
        const flux_field *v = &env->u.map.v[i];
        flux_buf b = {0};
        flux_buf_printf(&b, "%s=", env->u.map.keys[i]);
        if (v->kind == FLUX_F_STRING || v->kind == FLUX_F_IDENT)
            flux_buf_put(&b, v->u.str.s, v->u.str.len);
        else if (v->kind == FLUX_F_INT)
            flux_buf_printf(&b, "%lld", (long long)v->u.i);
        else if (v->kind == FLUX_F_BOOL)
            flux_buf_puts(&b, v->u.b ? "true" : "false");
        out->env[i] = strdup(flux_buf_cstr(&b));
        flux_buf_free(&b);
    }
    out->cwd = field_string(flux_op_get(f, "cwd"));
    return 0;
}
