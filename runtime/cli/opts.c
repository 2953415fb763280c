/* opts — the table-driven option parser of every command; see opts.h. */
#include "opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void flux_cli_list_free(flux_cli_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void list_add(flux_cli_list *l, char *s)
{
    char **v = realloc(l->v, (l->n + 2) * sizeof *v);
    if (!v)
        abort();
    l->v = v;
    l->v[l->n++] = s;
    l->v[l->n] = NULL;
}

/* the row of a, and where its value is when given as "--x=v" or "-j4" */
static const flux_opt *find(const flux_cli_spec *sp, const char *a, const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < sp->nopts; i++) {
        const flux_opt *o = &sp->opts[i];
        const char *names[2] = {o->name, o->alias};
        for (int k = 0; k < 2; k++) {
            if (!names[k])
                continue;
            size_t n = strlen(names[k]);
            if (!strcmp(a, names[k]))
                return o;
            if (o->kind == FLUX_OPT_FLAG || strncmp(a, names[k], n))
                continue;
            if (a[n] == '=' && names[k][1] == '-') {
                *inline_value = a + n + 1;
                return o;
            }
            if (o->attached && a[n]) {
                *inline_value = a + n;
                return o;
            }
        }
    }
    return NULL;
}

static void unknown(const flux_cli_spec *sp, const char *a)
{
    const char *names[64];
    const char *const *known = sp->known;
    size_t n = sp->nknown;
    if (!known) {
        for (n = 0; n < sp->nopts && n < 64; n++)
            names[n] = sp->opts[n].name;
        known = names;
    }
    flux_cli_unknown_option(sp->cmd, a, known, n);
}

/* the value of an option that takes one: -1 after a usage error */
static int take(const flux_cli_spec *sp, const flux_opt *o, const char *a, const char *v, void *out)
{
    const char *missing = o->missing ? o->missing : "option '%s' needs a value";
    if (!v) {
        flux_cli_usage_error(sp->cmd, missing, a);
        return -1;
    }
    char *slot = (char *)out + o->off;
    if (o->kind == FLUX_OPT_STR) {
        *(const char **)slot = v;
    } else if (o->kind == FLUX_OPT_LIST) {
        list_add((flux_cli_list *)slot, (char *)v);
    } else {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (!*v || *end || errno || n < o->min || n > o->max) {
            flux_cli_usage_error(sp->cmd, o->bad ? o->bad : missing, a, v);
            return -1;
        }
        *(long *)slot = n;
    }
    return 0;
}

int flux_cli_parse(const flux_cli_spec *sp, int argc, char **argv, void *out, flux_cli_list *pos)
{
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        const char *v;
        const flux_opt *o = a[0] == '-' && a[1] ? find(sp, a, &v) : NULL;
        if (o) {
            if (o->kind == FLUX_OPT_FLAG) {
                *(bool *)((char *)out + o->off) = true;
                continue;
            }
            if (!v && i + 1 < argc)
                v = argv[++i];
            if (take(sp, o, a, v, out) != 0)
                return -1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            const flux_cli_command *c = flux_cli_find_command(sp->cmd);
            if (c)
                fputs(c->usage, stdout);
            return 1;
        } else if (a[0] == '-' && a[1]) {
            unknown(sp, a);
            return -1;
        } else if (pos->n < sp->maxpos) {
            list_add(pos, a);
        } else {
            flux_cli_usage_error(sp->cmd, sp->too_many, a);
            return -1;
        }
    }
    return 0;
}
