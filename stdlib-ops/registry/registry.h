/* registry — the one table of operators: name, kind, parameter schema.
 *
 * The compiler checks every task against this table; how an operator runs and
 * its entry point are its row of the runner's table (runner.h), checked against
 * this one by a unit test. The compiler links only this layer, so this header
 * has no runtime types and the registry needs nothing but the C library.
 */
#ifndef FLUX_REGISTRY_H
#define FLUX_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    FLUX_OP_SENSOR,   /* waits for a condition; holds no worker slot between pokes */
    FLUX_OP_REMOTE,   /* runs something: a command, SQL, an HTTP call, a produce */
    FLUX_OP_TRANSFER  /* moves records and counts read / written / rejected */
} flux_op_kind;

typedef enum {
    FLUX_PT_STRING,     /* any string */
    FLUX_PT_SHELL,      /* shell text: params in templates should pass through shquote */
    FLUX_PT_SQL,        /* SQL text: params in templates should pass through sql */
    FLUX_PT_CONN,       /* name of a connection (flux.yaml or FLUX_CONN_<NAME>) */
    FLUX_PT_PATH,       /* file path or glob */
    FLUX_PT_TIME,       /* ISO-8601 time, or a template that renders to one */
    FLUX_PT_INT,
    FLUX_PT_FLOAT,      /* an integer is accepted too */
    FLUX_PT_BOOL,
    FLUX_PT_DURATION,   /* 500ms 30s 5m 1h 2d 1h30m */
    FLUX_PT_ENUM,       /* bare identifier from enum_values */
    FLUX_PT_LIST,       /* list whose items have type elem */
    FLUX_PT_MAP,        /* map from identifiers/strings to values of type elem */
    FLUX_PT_SCALAR,     /* a string, number or boolean (a bound SQL parameter) */
    FLUX_PT_SIZE        /* an amount of memory as Slurm writes it: "512M", "4G" (K M G T) */
} flux_param_type;

enum {
    FLUX_PF_REQUIRED     = 1u << 0, /* must be given (on the task or inherited from the pipeline) */
    FLUX_PF_TEMPLATED    = 1u << 1, /* string may hold run-time templates ({{ ds }}, params...);
                                     * on a LIST or MAP it applies to the string items */
    FLUX_PF_ANY_OF       = 1u << 2, /* at least one of the operator's ANY_OF parameters must be
                                     * given (kafka_sensor: until and/or min_messages) */
    FLUX_PF_SINGLE       = 1u << 3, /* a LIST that also accepts one bare item (expected_status = 200) */
    FLUX_PF_TASK_DEFAULT = 1u << 4, /* pipeline attribute that is the default of the task
                                     * parameter of the same name */
    FLUX_PF_POSITIVE     = 1u << 5  /* an INT that must be at least 1 (a size limit) */
};

typedef struct flux_param_schema {
    const char *name;
    flux_param_type type;
    flux_param_type elem;            /* item type for LIST and MAP (STRING when unused) */
    unsigned flags;                  /* FLUX_PF_* */
    const char *const *enum_values;  /* NULL-terminated, for ENUM (or a LIST/MAP of ENUM) */
    const char *default_text;        /* default as written in the language, or NULL */
    const char *doc;                 /* one line for REFERENCE.md */
    const char *conn;                /* SQL: the CONN parameter naming the database the text runs on,
                                      * whose type (mysql, sqlite) is the dialect the sql filter quotes for */
    const char *const *conn_types;   /* CONN: the types of connection the operator runs with
                                      * (NULL-terminated), which flux check holds the named one to */
    const char *default_json;        /* an operator of one's own: the default as JSON, put in its fields
                                      * file when the task gives none (built-ins apply their own) */
    /* MAP: the only keys it may hold, each with its own schema (slurm
     * settings); also written as a block, `slurm { mem = "4G" }`. A task's
     * keys win over its pipeline's, key by key. NULL: any key, of type elem */
    const struct flux_param_schema *keys;
    size_t nkeys;
    /* LIST of strings: items it refuses, each an option another part of
     * Flux sets itself ("--comment": also "--comment=..."; "-J": also
     * "-Jname"), NULL-terminated */
    const char *const *refused;
} flux_param_schema;

typedef struct flux_operator {
    const char *name;
    flux_op_kind kind;
    const flux_param_schema *params; /* operator-specific parameters */
    size_t nparams;
    const char *doc;                 /* one line for REFERENCE.md */
    /* an operator of one's own (manifest.h), NULL for a built-in one */
    const char *manifest;            /* its manifest, relative to flux.yaml's directory (a plan records it) */
    const char *executable;          /* what runs a task of it, an absolute path */
    const char *sha256;              /* of the manifest's bytes and the executable's: a plan records it */
} flux_operator;

/* NULL when unknown. */
const flux_operator *flux_registry_find(const char *name);

/* All operators, sorted by name: the built-in ones and those added. */
const flux_operator *flux_registry_all(size_t *n);

/* Adds an operator loaded at run time (manifest.h), so the compiler, the
 * reference and the runner see it as they see a built-in one. op and all it
 * points to must live as long as the process uses the registry. 0; -1 when
 * a built-in operator has that name; 1 when one of that name was added
 * already (kept, op ignored: the same manifest loaded twice). A pointer
 * flux_registry_all returned before is no longer valid afterwards. */
int flux_registry_add(const flux_operator *op);

/* Parameters every task accepts (retries, timeout, trigger_rule ...), and the extra
 * ones every sensor accepts (poke_interval, mode, soft_fail ...). */
const flux_param_schema *flux_registry_task_params(size_t *n);
const flux_param_schema *flux_registry_sensor_params(size_t *n);

/* Attributes a pipeline accepts (schedule, start, timezone ...). Pipeline-level
 * values of task parameters are defaults for every task. */
const flux_param_schema *flux_registry_pipeline_params(size_t *n);

/* Looks a parameter up for a task of operator op: operator-specific, then sensor
 * (if op is a sensor), then common task parameters. NULL when unknown. With op
 * NULL only the common task parameters are searched. */
const flux_param_schema *flux_registry_param(const flux_operator *op, const char *name);

/* A pipeline attribute by name, NULL when unknown. */
const flux_param_schema *flux_registry_pipeline_param(const char *name);

/* The parameter naming the connection that SQL parameter `param` of
 * operator `op` runs on ("conn", "source"), NULL when it is not an SQL
 * parameter: what the renderer asks to quote for that connection's type.
 * Plain names, so the renderer needs no registry type. */
const char *flux_registry_sql_conn(const char *op, const char *param);

/* The schema of key of a MAP with fixed keys, NULL when it has no such key. */
const flux_param_schema *flux_param_key(const flux_param_schema *p, const char *key);

/* The refused item item is, or NULL: "--comment=x" is "--comment". */
const char *flux_param_refuses(const flux_param_schema *p, const char *item);

/* Whether value is one of p's enum_values (false when p has none). */
bool flux_param_enum_has(const flux_param_schema *p, const char *value);

const char *flux_op_kind_name(flux_op_kind k);       /* "sensor" "remote" "transfer" */
const char *flux_param_type_name(flux_param_type t); /* "string" "duration" ... for messages */

/* The trigger rules of Airflow, NULL-terminated. */
extern const char *const flux_trigger_rules[];

#endif
