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

/* whether cmd takes o: o->only names it (a word of the list), or is NULL */
static bool takes(const flux_opt *o, const char *cmd)
{
    if (!o->only)
        return true;
    size_t n = strlen(cmd);
    for (const char *p = o->only; *p;) {
        size_t k = strcspn(p, " ");
        if (k == n && !strncmp(p, cmd, n))
            return true;
        p += k;
        p += strspn(p, " ");
    }
    return false;
}

/* the row of a among the options of sp->cmd, and where its value is when
 * given as "--x=v" or "-j4" */
static const flux_opt *find(const flux_cli_spec *sp, const char *a, const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < sp->nopts; i++) {
        const flux_opt *o = &sp->opts[i];
        if (!takes(o, sp->cmd))
            continue;
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

/* whether name is a name or alias of a row of the table that sp->cmd does
 * not take */
static bool foreign(const flux_cli_spec *sp, const char *name)
{
    for (size_t i = 0; i < sp->nopts; i++) {
        const flux_opt *o = &sp->opts[i];
        if ((!strcmp(name, o->name) || (o->alias && !strcmp(name, o->alias))) && !takes(o, sp->cmd))
            return true;
    }
    return false;
}

/* a is not an option of sp->cmd: did-you-mean offers only its own */
static void unknown(const flux_cli_spec *sp, const char *a)
{
    const char *names[64];
    size_t n = 0;
    if (sp->known) {
        for (size_t i = 0; i < sp->nknown && n < 64; i++)
            if (!foreign(sp, sp->known[i]))
                names[n++] = sp->known[i];
    } else {
        for (size_t i = 0; i < sp->nopts && n < 64; i++)
            if (takes(&sp->opts[i], sp->cmd))
                names[n++] = sp->opts[i].name;
    }
    flux_cli_unknown_option(sp->cmd, a, names, n);
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
