/* refgen — prints the operators section of the language reference from the registry.
 *
 * Only the registry is read, in its own order, and nothing depends on the
 * environment, so the output is byte-for-byte stable and can be compared with
 * lang/REFERENCE.md by a test.
 */
#include "refgen.h"

#include "registry.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* What a value of each type looks like, for readers meeting the table first. */
static const char *const type_meaning[] = {
    [FLUX_PT_STRING] = "a string",
    [FLUX_PT_SHELL] = "a string of shell text; put run-time values through `shquote`",
    [FLUX_PT_SQL] = "a string of SQL; put run-time values through `sql`",
    [FLUX_PT_CONN] = "the name of a connection (`flux.yaml` or `FLUX_CONN_<NAME>`) of a type in parentheses "
                     "(`https` is `http`), fixed at compile time",
    [FLUX_PT_PATH] = "a file path or glob",
    [FLUX_PT_TIME] = "an ISO-8601 time as a string (`\"2026-11-01T00:00:00Z\"`)",
    [FLUX_PT_INT] = "an integer",
    [FLUX_PT_FLOAT] = "a number; an integer is accepted too",
    [FLUX_PT_BOOL] = "`true` or `false`",
    [FLUX_PT_DURATION] = "a duration: `500ms` `30s` `5m` `1h` `2d` `1h30m`",
    [FLUX_PT_ENUM] = "one of the listed bare identifiers",
    [FLUX_PT_LIST] = "a list `[a, b]` of the item type",
    [FLUX_PT_MAP] = "a map `{ k = v, ... }` from names to values of the item type",
    [FLUX_PT_SCALAR] = "a string, number or boolean",
    [FLUX_PT_SIZE] = "an amount of memory as a string: a whole number and a unit, `K` `M` `G` or `T` (`\"512M\"`, `\"4G\"`)",
};

/* Table cells end at '|', so one inside a doc would split the row. */
static void put_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', out);
        fputc(*s, out);
    }
}

/* Docs are written as lowercase phrases to suit messages; prose wants sentences. */
static void put_sentence(FILE *out, const char *s)
{
    if (!*s)
        return;
    fputc(toupper((unsigned char)*s), out);
    fputs(s + 1, out);
    fputs(".\n", out);
}

static void put_enum_values(FILE *out, const char *const *v)
{
    fputs("one of", out);
    for (size_t i = 0; v && v[i]; i++)
        fprintf(out, "%s `%s`", i ? "," : "", v[i]);
}

static void put_type(FILE *out, const flux_param_schema *p)
{
    switch (p->type) {
    case FLUX_PT_ENUM:
        put_enum_values(out, p->enum_values);
        break;
    case FLUX_PT_LIST:
    case FLUX_PT_MAP:
        if (p->keys) {
            fprintf(out, "map of the keys of `%s { }` below", p->name);
            break;
        }
        if (p->flags & FLUX_PF_SINGLE)
            fprintf(out, "%s or ", flux_param_type_name(p->elem));
        fprintf(out, "%s of ", flux_param_type_name(p->type));
        if (p->elem == FLUX_PT_ENUM)
            put_enum_values(out, p->enum_values);
        else
            fputs(flux_param_type_name(p->elem), out);
        break;
    case FLUX_PT_CONN:
        /* the types flux check accepts for it: "connection (mysql or sqlite)" */
        fputs(flux_param_type_name(p->type), out);
        for (size_t i = 0; p->conn_types && p->conn_types[i]; i++)
            fprintf(out, "%s%s", i == 0 ? " (" : " or ", p->conn_types[i]);
        if (p->conn_types && p->conn_types[0])
            fputc(')', out);
        break;
    default:
        fputs(flux_param_type_name(p->type), out);
        break;
    }
    if (p->flags & FLUX_PF_TEMPLATED)
        fputs(", templated", out);
}

/* skip_flag drops rows carrying that flag (pipeline task defaults are listed
 * by name instead, so their docs are not printed twice). */
static void put_table(FILE *out, const flux_param_schema *ps, size_t n, unsigned skip_flag)
{
    fputs("| parameter | type | required | default | description |\n", out);
    fputs("|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < n; i++) {
        const flux_param_schema *p = &ps[i];
        if (p->flags & skip_flag)
            continue;
        fprintf(out, "| `%s` | ", p->name);
        put_type(out, p);
        fputs(" | ", out);
        if (p->flags & FLUX_PF_REQUIRED)
            fputs("yes", out);
        else if (p->flags & FLUX_PF_ANY_OF)
            fputs("at least one", out); /* of the group named above the table */
        else
            fputs("no", out);
        fputs(" | ", out);
        if (p->default_text) {
            fputc('`', out);
            put_cell(out, p->default_text);
            fputc('`', out);
        } else {
            fputs("-", out);
        }
        fputs(" | ", out);
        put_cell(out, p->doc);
        fputs(" |\n", out);
    }
}

/* A list of parameter names carrying flag, as "`a`, `b` and `c`". */
static void put_names_with(FILE *out, const flux_param_schema *ps, size_t n, unsigned flag)
{
    size_t total = 0, seen = 0;
    for (size_t i = 0; i < n; i++)
        if (ps[i].flags & flag)
            total++;
    for (size_t i = 0; i < n; i++) {
        if (!(ps[i].flags & flag))
            continue;
        seen++;
        fprintf(out, "%s`%s`", seen == 1 ? "" : seen == total ? " and " : ", ", ps[i].name);
    }
}

static const struct {
    flux_op_kind kind;
    const char *title;
    const char *intro;
} kinds[] = {
    {FLUX_OP_SENSOR, "Sensors",
     "A sensor checks a condition every `poke_interval` until it holds or `timeout` passes; "
     "between pokes it holds no process or pool slot in the default `reschedule` mode, and keeps both "
     "in `poke` mode (see section 6.1)."},
    {FLUX_OP_REMOTE, "Remote execution", "These run one thing and succeed or fail with it."},
    {FLUX_OP_TRANSFER, "Transfers",
     "Every transfer counts the records it read, wrote and rejected and stores the counts with the "
     "task instance; unless `read = written + rejected`, the task fails."},
};

static void put_operator(FILE *out, const flux_operator *op)
{
    fprintf(out, "#### `%s`\n\n", op->name);
    put_sentence(out, op->doc);
    for (size_t i = 0; i < op->nparams; i++) {
        if (op->params[i].flags & FLUX_PF_ANY_OF) {
            fputs("At least one of ", out);
            put_names_with(out, op->params, op->nparams, FLUX_PF_ANY_OF);
            fputs(" must be given.\n", out);
            break;
        }
    }
    fputc('\n', out);
    put_table(out, op->params, op->nparams, 0);
    fputc('\n', out);
}

void flux_registry_markdown(FILE *out)
{
    size_t n;
    const flux_param_schema *ps;

    fputs("## Operators\n\n", out);
    fputs("<!-- generated from stdlib-ops/registry/registry.c by flux_registry_markdown; "
          "edit the registry, not this section -->\n\n", out);
    fputs("A task names its operator after a colon (`task load : kafka_to_mysql { ... }`) and sets its "
          "parameters in the block. An unknown parameter, a missing required one, a value of the wrong "
          "type and an identifier outside an enumeration are compile errors.\n\n", out);
    fputs("Parameter types:\n\n", out);
    for (int t = FLUX_PT_STRING; t <= FLUX_PT_SIZE; t++)
        fprintf(out, "- `%s`: %s\n", flux_param_type_name((flux_param_type)t),
                type_meaning[t] ? type_meaning[t] : "");
    fputs("\n*templated* means the string may hold run-time templates (`{{ ds }}`, `params.x` ...); "
          "other values are fixed at compile time.\n\n", out);

    fputs("### Common task parameters\n\n", out);
    fputs("Every task accepts these.\n\n", out);
    ps = flux_registry_task_params(&n);
    put_table(out, ps, n, 0);
    fputc('\n', out);
    for (size_t i = 0; i < n; i++) {
        if (!ps[i].keys)
            continue;
        fprintf(out, "#### `%s { }`\n\n", ps[i].name);
        fprintf(out, "The keys `%s` may hold, written `%s { KEY = VALUE ... }` or `%s = { KEY = VALUE, ... }` on a "
                     "task or a pipeline; a task's keys win over its pipeline's, key by key.\n\n",
                ps[i].name, ps[i].name, ps[i].name);
        put_table(out, ps[i].keys, ps[i].nkeys, 0);
        fputc('\n', out);
    }

    fputs("### Sensor parameters\n\n", out);
    fputs("Every sensor accepts these as well.\n\n", out);
    ps = flux_registry_sensor_params(&n);
    put_table(out, ps, n, 0);
    fputc('\n', out);

    fputs("### Pipeline attributes\n\n", out);
    fputs("None of them is templated: they are fixed when the pipeline is compiled.\n\n", out);
    ps = flux_registry_pipeline_params(&n);
    put_table(out, ps, n, FLUX_PF_TASK_DEFAULT);
    fputs("\nA pipeline may also set ", out);
    put_names_with(out, ps, n, FLUX_PF_TASK_DEFAULT);
    fputs(": each is the default for every task of the pipeline that does not set it "
          "(see common task parameters).\n\n", out);

    size_t nops;
    const flux_operator *ops = flux_registry_all(&nops);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        fprintf(out, "### %s\n\n%s\n\n", kinds[k].title, kinds[k].intro);
        for (size_t i = 0; i < nops; i++)
            if (ops[i].kind == kinds[k].kind && !ops[i].manifest)
                put_operator(out, &ops[i]);
    }
    /* operators of one's own (manifest.h) after the built-in ones, so the
     * checked-in reference is what a directory without any prints */
    bool own = false;
    for (size_t i = 0; i < nops; i++) {
        if (!ops[i].manifest)
            continue;
        if (!own)
            fputs("### Operators of this project\n\n"
                  "Loaded from the manifests on `operator_path` (flux.yaml); each runs its executable with the "
                  "task's fields as a JSON file (stdlib-ops/OPERATORS.md).\n\n", out);
        own = true;
        fprintf(out, "#### `%s` (%s)\n\n", ops[i].name, flux_op_kind_name(ops[i].kind));
        put_sentence(out, ops[i].doc);
        fprintf(out, "Manifest: `%s`.\n\n", ops[i].manifest);
        put_table(out, ops[i].params, ops[i].nparams, 0);
        fputc('\n', out);
    }
}
