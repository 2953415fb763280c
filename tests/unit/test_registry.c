/* test_registry — checks the operator table is consistent and accepts the design example.
 *
 * The compiler trusts this table blindly, so every promise the header makes
 * (sorted, unique names, enums with values, defaults that parse) is checked
 * here rather than at each use.
 */
#include "registry.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"


/* ---- helpers on values as written in the language ------------------------ */

static int is_ident(const char *s)
{
    if (!s || !(islower((unsigned char)*s) || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

static int is_int(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

/* 500ms 30s 5m 1h 2d 1h30m */
static int is_duration(const char *s)
{
    if (!*s)
        return 0;
    while (*s) {
        if (!isdigit((unsigned char)*s))
            return 0;
        while (isdigit((unsigned char)*s))
            s++;
        if (strncmp(s, "ms", 2) == 0)
            s += 2;
        else if (*s == 's' || *s == 'm' || *s == 'h' || *s == 'd')
            s++;
        else
            return 0;
    }
    return 1;
}

static int is_quoted(const char *s)
{
    size_t n = strlen(s);
    return n >= 2 && s[0] == '"' && s[n - 1] == '"';
}

static int is_text_type(flux_param_type t)
{
    return t == FLUX_PT_STRING || t == FLUX_PT_SHELL || t == FLUX_PT_SQL || t == FLUX_PT_PATH ||
           t == FLUX_PT_TIME ||
           t == FLUX_PT_SCALAR; /* its strings may be templates */
}

static int default_fits(const flux_param_schema *p)
{
    const char *d = p->default_text;
    switch (p->type) {
    case FLUX_PT_INT: return is_int(d);
    case FLUX_PT_FLOAT: {
        char *end;
        strtod(d, &end);
        return end != d && *end == '\0';
    }
    case FLUX_PT_BOOL: return strcmp(d, "true") == 0 || strcmp(d, "false") == 0;
    case FLUX_PT_DURATION: return is_duration(d);
    case FLUX_PT_ENUM: return flux_param_enum_has(p, d);
    case FLUX_PT_LIST: return d[0] == '[' && d[strlen(d) - 1] == ']';
    case FLUX_PT_MAP: return d[0] == '{' && d[strlen(d) - 1] == '}';
    default: return is_quoted(d);
    }
}

/* ---- per-list consistency ------------------------------------------------ */

enum { IN_TASK, IN_SENSOR, IN_PIPELINE, IN_OP };

static void check_params(const char *where, const flux_param_schema *ps, size_t n, int in)
{
    size_t any_of = 0;
    check(n > 0 && ps != NULL, "%s: has parameters", where);
    for (size_t i = 0; i < n; i++) {
        const flux_param_schema *p = &ps[i];
        const char *nm = p->name ? p->name : "(null)";
        check(is_ident(p->name), "%s.%s: name is a lowercase identifier", where, nm);
        check(p->doc && *p->doc && !strchr(p->doc, '\n'), "%s.%s: one-line doc", where, nm);
        for (size_t j = 0; j < i; j++)
            check(strcmp(ps[j].name, nm) != 0, "%s.%s: name is unique", where, nm);

        int wants_enum = p->type == FLUX_PT_ENUM ||
                         ((p->type == FLUX_PT_LIST || p->type == FLUX_PT_MAP) && p->elem == FLUX_PT_ENUM);
        check(!wants_enum == !p->enum_values, "%s.%s: enum_values iff an enum", where, nm);
        if (wants_enum && p->enum_values) {
            check(p->enum_values[0] != NULL, "%s.%s: enum has values", where, nm);
            for (size_t a = 0; p->enum_values[a]; a++)
                for (size_t b = 0; b < a; b++)
                    check(strcmp(p->enum_values[a], p->enum_values[b]) != 0,
                          "%s.%s: enum value '%s' unique", where, nm, p->enum_values[a]);
        }
        if (p->type != FLUX_PT_LIST && p->type != FLUX_PT_MAP)
            check(p->elem == FLUX_PT_STRING, "%s.%s: elem unused (STRING) for a scalar", where, nm);
        else
            check(p->elem != FLUX_PT_LIST && p->elem != FLUX_PT_MAP, "%s.%s: flat items", where, nm);

        if (p->flags & FLUX_PF_REQUIRED)
            check(p->default_text == NULL, "%s.%s: required has no default", where, nm);
        if (p->default_text)
            check(default_fits(p), "%s.%s: default '%s' fits type %s", where, nm, p->default_text,
                  flux_param_type_name(p->type));
        if (p->flags & FLUX_PF_TEMPLATED) {
            flux_param_type t = p->type == FLUX_PT_LIST || p->type == FLUX_PT_MAP ? p->elem : p->type;
            check(is_text_type(t), "%s.%s: only text may be templated", where, nm);
        }
        if (p->type == FLUX_PT_CONN)
            check(!(p->flags & FLUX_PF_TEMPLATED), "%s.%s: connections are fixed at compile time", where,
                  nm);
        /* a connection parameter says which types it opens, each one flux.yaml knows */
        if (p->type == FLUX_PT_CONN) {
            check(p->conn_types && p->conn_types[0], "%s.%s: names the connection types it accepts", where, nm);
            for (size_t j = 0; p->conn_types && p->conn_types[j]; j++)
                check(!strcmp(p->conn_types[j], "mysql") || !strcmp(p->conn_types[j], "sqlite") ||
                          !strcmp(p->conn_types[j], "kafka") || !strcmp(p->conn_types[j], "http"),
                      "%s.%s: '%s' is a type of connection", where, nm, p->conn_types[j]);
        } else {
            check(p->conn_types == NULL, "%s.%s: only a connection accepts connection types", where, nm);
        }
        /* an SQL text names the connection it runs on: its dialect */
        if (p->type == FLUX_PT_SQL) {
            const flux_param_schema *c = NULL;
            for (size_t j = 0; p->conn && j < n; j++)
                if (strcmp(ps[j].name, p->conn) == 0)
                    c = &ps[j];
            check(in == IN_OP && c && c->type == FLUX_PT_CONN && (c->flags & FLUX_PF_REQUIRED),
                  "%s.%s: SQL runs on a required connection parameter of its operator", where, nm);
            check(flux_registry_sql_conn(where, nm) == p->conn, "%s.%s: sql_conn answers its connection", where,
                  nm);
        } else {
            check(p->conn == NULL, "%s.%s: only SQL names a connection to run on", where, nm);
            check(flux_registry_sql_conn(where, nm) == NULL, "%s.%s: sql_conn is NULL for non-SQL", where, nm);
        }
        if (p->flags & FLUX_PF_SINGLE)
            check(p->type == FLUX_PT_LIST, "%s.%s: SINGLE only on a list", where, nm);
        if (p->flags & FLUX_PF_ANY_OF) {
            any_of++;
            check(in == IN_OP, "%s.%s: ANY_OF only on operator parameters", where, nm);
            check(!(p->flags & FLUX_PF_REQUIRED), "%s.%s: ANY_OF is not also REQUIRED", where, nm);
        }
        if (in == IN_PIPELINE)
            check(!(p->flags & FLUX_PF_TEMPLATED), "%s.%s: pipeline attributes are not templated", where,
                  nm);
        if (p->flags & FLUX_PF_TASK_DEFAULT) {
            check(in == IN_PIPELINE, "%s.%s: TASK_DEFAULT only on pipeline attributes", where, nm);
            const flux_param_schema *t = flux_registry_param(NULL, p->name);
            check(t != NULL, "%s.%s: TASK_DEFAULT names a task parameter", where, nm);
            if (t)
                check(t->type == p->type && t->elem == p->elem && t->enum_values == p->enum_values &&
                          ((!t->default_text && !p->default_text) ||
                           (t->default_text && p->default_text &&
                            strcmp(t->default_text, p->default_text) == 0)),
                      "%s.%s: same schema as the task parameter", where, nm);
        }
        if (in == IN_OP) {
            check(flux_registry_param(NULL, p->name) == NULL,
                  "%s.%s: does not shadow a common task parameter", where, nm);
        }
    }
    check(any_of != 1, "%s: ANY_OF groups have at least two members", where);
}

/* ---- the checks --------------------------------------------------------- */

static void test_names(void)
{
    for (int k = FLUX_OP_SENSOR; k <= FLUX_OP_TRANSFER; k++)
        check(strcmp(flux_op_kind_name((flux_op_kind)k), "?") != 0, "kind %d has a name", k);
    for (int t = FLUX_PT_STRING; t <= FLUX_PT_MAP; t++)
        check(strcmp(flux_param_type_name((flux_param_type)t), "?") != 0, "type %d has a name", t);
    check(strcmp(flux_op_kind_name(FLUX_OP_SENSOR), "sensor") == 0, "kind name sensor");
    check(strcmp(flux_param_type_name(FLUX_PT_DURATION), "duration") == 0, "type name duration");
}

static void test_lookup(void)
{
    static const struct { const char *name; flux_op_kind kind; } design[] = {
        {"file_sensor", FLUX_OP_SENSOR},       {"sql_sensor", FLUX_OP_SENSOR},
        {"kafka_sensor", FLUX_OP_SENSOR},      {"time_sensor", FLUX_OP_SENSOR},
        {"external_task_sensor", FLUX_OP_SENSOR},
        {"bash", FLUX_OP_REMOTE},              {"mysql", FLUX_OP_REMOTE},
        {"sqlite", FLUX_OP_REMOTE},            {"http", FLUX_OP_REMOTE},
        {"kafka_produce", FLUX_OP_REMOTE},
        {"kafka_to_mysql", FLUX_OP_TRANSFER},  {"kafka_to_file", FLUX_OP_TRANSFER},
        {"file_to_mysql", FLUX_OP_TRANSFER},   {"mysql_to_file", FLUX_OP_TRANSFER},
        {"file_to_kafka", FLUX_OP_TRANSFER},   {"mysql_to_kafka", FLUX_OP_TRANSFER},
    };
    for (size_t i = 0; i < sizeof design / sizeof design[0]; i++) {
        const flux_operator *op = flux_registry_find(design[i].name);
        check(op != NULL, "operator '%s' is registered", design[i].name);
        if (op) {
            check(strcmp(op->name, design[i].name) == 0, "find('%s') returns that row", design[i].name);
            check(op->kind == design[i].kind, "'%s' is a %s", design[i].name,
                  flux_op_kind_name(design[i].kind));
        }
    }
    check(flux_registry_find("kafka_sensr") == NULL, "unknown operator is NULL");
    check(flux_registry_find("") == NULL, "empty name is NULL");
    check(flux_registry_find(NULL) == NULL, "NULL name is NULL");
    check(flux_registry_find("Bash") == NULL, "lookup is case-sensitive");
    const char *sqlite_on = flux_registry_sql_conn("sqlite", "sql"), *to_file_on = flux_registry_sql_conn("mysql_to_file", "sql");
    check(sqlite_on && strcmp(sqlite_on, "conn") == 0, "sqlite's sql runs on conn");
    check(to_file_on && strcmp(to_file_on, "source") == 0, "mysql_to_file's sql runs on source");
    check(flux_registry_sql_conn("bash", "command") == NULL, "bash's command is no SQL");
    check(flux_registry_sql_conn("nosuch", "sql") == NULL && flux_registry_sql_conn("sqlite", NULL) == NULL,
          "sql_conn of an unknown operator or no parameter is NULL");

    size_t n = 0;
    const flux_operator *all = flux_registry_all(&n);
    check(n == sizeof design / sizeof design[0], "registry holds %zu operators (got %zu)",
          sizeof design / sizeof design[0], n);
    for (size_t i = 1; i < n; i++)
        check(strcmp(all[i - 1].name, all[i].name) < 0, "sorted: '%s' before '%s'", all[i - 1].name,
              all[i].name);
    for (size_t i = 0; i < n; i++) {
        check(flux_registry_find(all[i].name) == &all[i], "find('%s') is its row in all", all[i].name);
        check(all[i].doc && *all[i].doc && !strchr(all[i].doc, '\n'), "%s: one-line doc", all[i].name);
        check(all[i].nparams > 0 && all[i].params, "%s: has parameters", all[i].name);
    }
}

static void test_param_lists(void)
{
    size_t nt, ns, np, n;
    const flux_param_schema *t = flux_registry_task_params(&nt);
    const flux_param_schema *s = flux_registry_sensor_params(&ns);
    const flux_param_schema *p = flux_registry_pipeline_params(&np);
    check_params("task", t, nt, IN_TASK);
    check_params("sensor", s, ns, IN_SENSOR);
    check_params("pipeline", p, np, IN_PIPELINE);

    for (size_t i = 0; i < ns; i++)
        check(flux_registry_param(NULL, s[i].name) == NULL, "sensor.%s: does not shadow a task parameter",
              s[i].name);

    /* every task parameter but description and deadline (the pipeline has
     * its own, meaning something else there) is a pipeline default */
    for (size_t i = 0; i < nt; i++) {
        const flux_param_schema *q = flux_registry_pipeline_param(t[i].name);
        if (strcmp(t[i].name, "description") == 0 || strcmp(t[i].name, "deadline") == 0)
            check(q && !(q->flags & FLUX_PF_TASK_DEFAULT), "pipeline.%s is the pipeline's own", t[i].name);
        else
            check(q && (q->flags & FLUX_PF_TASK_DEFAULT), "pipeline.%s is a task default", t[i].name);
    }
    for (size_t i = 0; i < nt; i++)
        check(!(t[i].flags & FLUX_PF_REQUIRED), "task.%s: common parameters are optional", t[i].name);

    const flux_operator *all = flux_registry_all(&n);
    for (size_t i = 0; i < n; i++) {
        const flux_operator *op = &all[i];
        check_params(op->name, op->params, op->nparams, IN_OP);
        for (size_t j = 0; j < op->nparams; j++) {
            const flux_param_schema *q = &op->params[j];
            if (op->kind == FLUX_OP_SENSOR)
                for (size_t k = 0; k < ns; k++)
                    check(strcmp(q->name, s[k].name) != 0, "%s.%s: does not shadow a sensor parameter",
                          op->name, q->name);
            check(flux_registry_param(op, q->name) == q, "%s.%s: resolves to its own row", op->name,
                  q->name);
            if (strcmp(q->name, "conn") == 0 || strcmp(q->name, "source") == 0 ||
                strcmp(q->name, "target") == 0)
                check(q->type == FLUX_PT_CONN, "%s.%s: is a connection", op->name, q->name);
        }
    }
}

static void test_resolution_order(void)
{
    const flux_operator *ks = flux_registry_find("kafka_sensor");
    const flux_operator *bash = flux_registry_find("bash");
    const flux_operator *k2m = flux_registry_find("kafka_to_mysql");
    if (!ks || !bash || !k2m) {
        check(0, "operators for resolution tests exist");
        return;
    }
    const flux_param_schema *p;

    p = flux_registry_param(ks, "poke_interval");
    check(p && p->type == FLUX_PT_DURATION, "kafka_sensor.poke_interval from sensor parameters");
    check(flux_registry_param(bash, "poke_interval") == NULL, "bash has no poke_interval");
    p = flux_registry_param(ks, "mode");
    check(p && flux_param_enum_has(p, "reschedule") && flux_param_enum_has(p, "poke"),
          "kafka_sensor.mode is poke/reschedule");
    p = flux_registry_param(k2m, "mode");
    check(p && flux_param_enum_has(p, "replace_interval") && !flux_param_enum_has(p, "reschedule"),
          "kafka_to_mysql.mode is its own enum");
    check(flux_registry_param(bash, "retries") == flux_registry_param(NULL, "retries"),
          "bash.retries is the common one");
    check(flux_registry_param(NULL, "command") == NULL, "no operator: common parameters only");
    check(flux_registry_param(bash, "comand") == NULL, "misspelled parameter is NULL");
    check(flux_registry_param(bash, NULL) == NULL, "NULL parameter name is NULL");
    check(flux_registry_pipeline_param("schedule") != NULL, "pipeline.schedule");
    check(flux_registry_pipeline_param("poke_interval") == NULL, "pipeline has no poke_interval");
    check(flux_registry_pipeline_param(NULL) == NULL, "NULL pipeline attribute is NULL");

    p = flux_registry_param(NULL, "trigger_rule");
    check(p && p->enum_values == flux_trigger_rules, "trigger_rule uses flux_trigger_rules");
    size_t n = 0;
    while (flux_trigger_rules[n])
        n++;
    check(n == 11, "Airflow has 11 trigger rules (got %zu)", n);
    check(flux_param_enum_has(p, "none_failed_min_one_success"), "none_failed_min_one_success is a rule");
    check(!flux_param_enum_has(p, "all_sucess"), "misspelled rule is not");
    check(!flux_param_enum_has(NULL, "x") && !flux_param_enum_has(p, NULL), "enum_has tolerates NULL");
    p = flux_registry_param(NULL, "retry_backoff");
    check(p && flux_param_enum_has(p, "constant") && flux_param_enum_has(p, "exponential"),
          "retry_backoff is constant/exponential");

    p = flux_registry_param(flux_registry_find("http"), "method");
    check(p && flux_param_enum_has(p, "GET") && flux_param_enum_has(p, "HEAD") &&
              strcmp(p->default_text, "GET") == 0,
          "http.method enum defaults to GET");
    p = flux_registry_param(flux_registry_find("http"), "expected_status");
    check(p && p->type == FLUX_PT_LIST && p->elem == FLUX_PT_INT && (p->flags & FLUX_PF_SINGLE),
          "http.expected_status is an int or a list of int");
}

/* ---- the design example ------------------------------------------------- */

typedef enum { V_STR, V_INT, V_BOOL, V_DUR, V_LIST, V_MAP, V_IDENT } vkind;

typedef struct {
    const char *op;   /* NULL: a pipeline attribute */
    const char *name;
    vkind kind;
    const char *ident; /* for V_IDENT */
} example_attr;

static const example_attr example[] = {
    {NULL, "description", V_STR, NULL},
    {NULL, "schedule", V_STR, NULL},
    {NULL, "start", V_STR, NULL},
    {NULL, "timezone", V_STR, NULL},
    {NULL, "catchup", V_BOOL, NULL},
    {NULL, "max_active_runs", V_INT, NULL},
    {NULL, "retries", V_INT, NULL},
    {NULL, "retry_delay", V_DUR, NULL},
    {NULL, "tags", V_LIST, NULL},
    {"kafka_sensor", "conn", V_STR, NULL},
    {"kafka_sensor", "topic", V_STR, NULL},
    {"kafka_sensor", "until", V_STR, NULL},
    {"kafka_sensor", "poke_interval", V_DUR, NULL},
    {"kafka_sensor", "timeout", V_DUR, NULL},
    {"kafka_to_mysql", "source", V_STR, NULL},
    {"kafka_to_mysql", "topic", V_STR, NULL},
    {"kafka_to_mysql", "match", V_MAP, NULL},
    {"kafka_to_mysql", "target", V_STR, NULL},
    {"kafka_to_mysql", "table", V_STR, NULL},
    {"kafka_to_mysql", "columns", V_MAP, NULL},
    {"mysql", "conn", V_STR, NULL},
    {"mysql", "sql", V_STR, NULL},
    {"mysql", "trigger_rule", V_IDENT, "all_done"},
    /* other forms the design names in prose */
    {"bash", "command", V_STR, NULL},
    {"kafka_to_mysql", "mode", V_IDENT, "replace_interval"},
    {"file_sensor", "mode", V_IDENT, "reschedule"},
};

static int value_fits(const flux_param_schema *p, vkind k)
{
    switch (k) {
    case V_STR: return is_text_type(p->type) || p->type == FLUX_PT_CONN;
    case V_INT: return p->type == FLUX_PT_INT || p->type == FLUX_PT_FLOAT;
    case V_BOOL: return p->type == FLUX_PT_BOOL;
    case V_DUR: return p->type == FLUX_PT_DURATION;
    case V_LIST: return p->type == FLUX_PT_LIST;
    case V_MAP: return p->type == FLUX_PT_MAP;
    case V_IDENT: return p->type == FLUX_PT_ENUM;
    }
    return 0;
}

/* Whether the attributes of the example given for op (NULL: the pipeline)
 * include name. */
static int example_gives(const char *op, const char *name)
{
    for (size_t i = 0; i < sizeof example / sizeof example[0]; i++)
        if (((!op && !example[i].op) || (op && example[i].op && strcmp(op, example[i].op) == 0)) &&
            strcmp(example[i].name, name) == 0)
            return 1;
    return 0;
}

static void test_design_example(void)
{
    for (size_t i = 0; i < sizeof example / sizeof example[0]; i++) {
        const example_attr *e = &example[i];
        const char *where = e->op ? e->op : "pipeline";
        const flux_param_schema *p;
        if (e->op) {
            const flux_operator *op = flux_registry_find(e->op);
            check(op != NULL, "example operator '%s' exists", e->op);
            p = op ? flux_registry_param(op, e->name) : NULL;
        } else {
            p = flux_registry_pipeline_param(e->name);
        }
        check(p != NULL, "example %s.%s resolves", where, e->name);
        if (!p)
            continue;
        check(value_fits(p, e->kind), "example %s.%s: value fits type %s", where, e->name,
              flux_param_type_name(p->type));
        if (e->kind == V_IDENT)
            check(flux_param_enum_has(p, e->ident), "example %s.%s = %s is an enum value", where, e->name,
                  e->ident);
    }

    /* the example's tasks and pipeline give every required parameter */
    static const char *const tasks[] = {"kafka_sensor", "kafka_to_mysql", "mysql"};
    for (size_t t = 0; t < sizeof tasks / sizeof tasks[0]; t++) {
        const flux_operator *op = flux_registry_find(tasks[t]);
        if (!op)
            continue;
        int any_of_groups = 0, any_of_given = 0;
        for (size_t j = 0; j < op->nparams; j++) {
            const flux_param_schema *p = &op->params[j];
            if (p->flags & FLUX_PF_REQUIRED)
                check(example_gives(op->name, p->name), "example %s gives required '%s'", op->name,
                      p->name);
            if (p->flags & FLUX_PF_ANY_OF) {
                any_of_groups = 1;
                any_of_given |= example_gives(op->name, p->name);
            }
        }
        check(!any_of_groups || any_of_given, "example %s gives one of its ANY_OF parameters", op->name);
    }
    size_t np;
    const flux_param_schema *pp = flux_registry_pipeline_params(&np);
    for (size_t j = 0; j < np; j++)
        if (pp[j].flags & FLUX_PF_REQUIRED)
            check(example_gives(NULL, pp[j].name), "example pipeline gives required '%s'", pp[j].name);

    /* what the brief fixes as required */
    static const struct { const char *op, *name; } required[] = {
        {"bash", "command"},        {"mysql", "conn"},           {"mysql", "sql"},
        {"kafka_to_mysql", "source"}, {"kafka_to_mysql", "topic"}, {"kafka_to_mysql", "target"},
        {"kafka_to_mysql", "table"}, {"kafka_to_mysql", "columns"},
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const flux_param_schema *p =
            flux_registry_param(flux_registry_find(required[i].op), required[i].name);
        check(p && (p->flags & FLUX_PF_REQUIRED), "%s.%s is required", required[i].op, required[i].name);
    }
    const flux_param_schema *p = flux_registry_param(flux_registry_find("bash"), "command");
    check(p && p->type == FLUX_PT_SHELL && (p->flags & FLUX_PF_TEMPLATED), "bash.command is templated shell");
    p = flux_registry_param(flux_registry_find("mysql"), "sql");
    check(p && p->type == FLUX_PT_SQL && (p->flags & FLUX_PF_TEMPLATED), "mysql.sql is templated sql");
    p = flux_registry_pipeline_param("timezone");
    check(p && p->default_text && strcmp(p->default_text, "\"UTC\"") == 0, "timezone defaults to \"UTC\"");
}

int main(void)
{
    test_names();
    test_lookup();
    test_param_lists();
    test_resolution_order();
    test_design_example();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
