/* connections — `flux connections list|test`: what flux.yaml and the
 * FLUX_CONN_* environment define, where each came from, and whether it
 * answers. A password is shown as "set" or "none", never as itself. */
#include <ctype.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opts.h"
#include "conn.h"
#include "ops.h"
#include "views.h"

/* this file's rows of the command table (commands.c), in the order
 * `flux help` lists them */
const flux_cli_command flux_cli_connections_commands[] = {
    {"connections", "list the connections, or try one",
     "usage: flux connections list [--format text|json] [--connections FILE]\n"
     "       flux connections test NAME [--connections FILE]\n"
     "\n"
     "list shows every connection of flux.yaml and FLUX_CONN_* with where it was\n"
     "defined (never a password); test opens a real connection (a MySQL login,\n"
     "a SQLite file, Kafka metadata, an HTTP request to the base URL).\n",
     flux_cmd_connections},
};
const size_t flux_cli_connections_ncommands = sizeof flux_cli_connections_commands / sizeof *flux_cli_connections_commands;



/* the connections view as text */
static void print_list(json_t *arr)
{
    printf("%-20s %-7s %-32s %-12s %-9s %s\n", "NAME", "TYPE", "HOST / BROKERS / FILE", "USER", "PASSWORD",
           "DEFINED IN");
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c) {
        char addr[512];
        const char *address = json_string_value(json_object_get(c, "address"));
        json_t *port = json_object_get(c, "port");
        if (port && !json_is_true(json_object_get(c, "brokers")))
            snprintf(addr, sizeof addr, "%s:%d", address, (int)json_integer_value(port));
        else
            snprintf(addr, sizeof addr, "%s", address);
        const char *user = json_string_value(json_object_get(c, "user"));
        printf("%-20s %-7s %-32s %-12s %-9s %s\n", json_string_value(json_object_get(c, "name")),
               json_is_true(json_object_get(c, "typed")) ? json_string_value(json_object_get(c, "type")) : "?", addr,
               user ? user : "-", json_is_true(json_object_get(c, "password_set")) ? "set"
                                  : json_is_true(json_object_get(c, "unresolved")) ? "unset"
                                                                                   : "none",
               json_string_value(json_object_get(c, "origin")));
    }
    if (!json_array_size(arr))
        printf("no connections: add them to flux.yaml (connections:) or set FLUX_CONN_<NAME>\n");
}

typedef struct copts {
    const char *format, *conns;
} copts;

static const flux_opt COPTS[] = {
    {.name = "--format", .kind = FLUX_OPT_STR, .off = offsetof(copts, format)},
    {.name = "--connections", .kind = FLUX_OPT_STR, .off = offsetof(copts, conns)},
};
static const flux_cli_spec CSPEC = {.cmd = "connections", .opts = COPTS, .nopts = sizeof COPTS / sizeof *COPTS,
                                    .maxpos = 2, .too_many = "unexpected argument '%s'"};

int flux_cmd_connections(int argc, char **argv)
{
    copts o = {.format = "text"};
    flux_cli_list pos = {0};
    int prc = flux_cli_parse(&CSPEC, argc, argv, &o, &pos);
    const char *sub = pos.n > 0 ? pos.v[0] : NULL, *name = pos.n > 1 ? pos.v[1] : NULL;
    const char *format = o.format, *path = o.conns;
    flux_cli_list_free(&pos);
    if (prc)
        return prc > 0 ? FLUX_EXIT_OK : FLUX_EXIT_USAGE;
    if (!sub || (strcmp(sub, "list") && strcmp(sub, "test")) || (!strcmp(sub, "test") && !name) ||
        (!strcmp(sub, "list") && name)) {
        flux_cli_usage_error("connections", "give 'list' or 'test NAME'");
        return FLUX_EXIT_USAGE;
    }
    if (flux_cli_format_check("connections", format) != 0)
        return FLUX_EXIT_USAGE;
    flux_arena *a = flux_arena_new();
    flux_conns conns;
    if (flux_cli_conns("connections", path, a, &conns) != 0) {
        flux_arena_free(a);
        return FLUX_EXIT_USAGE;
    }
    int rc = FLUX_EXIT_OK;
    if (!strcmp(sub, "list")) {
        bool json = !strcmp(format, "json");
        json_t *arr = flux_view_connections(a, &conns, !json);
        if (json) {
            char *t = json_dumps(arr, JSON_INDENT(2));
            printf("%s\n", t);
            free(t);
        } else {
            print_list(arr);
        }
        json_decref(arr);
    } else {
        const flux_conn *c = flux_conns_find(&conns, name);
        if (!c) {
            char env[256];
            flux_conn_env_name(name, env, sizeof env);
            fprintf(stderr, "flux connections: connection '%s' is not defined: add it to %s or set %s\n", name,
                    conns.file ? conns.file : "flux.yaml", env);
            rc = FLUX_EXIT_FAIL;
        } else {
            char msg[1024], took[32];
            int64_t ms;
            int r = flux_op_conn_test(c, msg, sizeof msg, &ms);
            if (!strcmp(format, "json")) {
                json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:I}", "name", name, "type", c->type ? c->type : "",
                                      "ok", r == 0, "message", msg, "ms", (json_int_t)ms);
                char *t = json_dumps(o, JSON_INDENT(2));
                printf("%s\n", t);
                free(t);
                json_decref(o);
            } else if (r == 0) {
                printf("%s: ok (%s): %s\n", name, flux_cli_elapsed(ms, took, sizeof took), msg);
            } else {
                fprintf(stderr, "flux connections: %s (%s, %s): %s\n", name, c->type ? c->type : "?",
                        c->origin ? c->origin : "?", msg);
            }
            rc = r == 0 ? FLUX_EXIT_OK : FLUX_EXIT_FAIL;
        }
    }
    flux_arena_free(a);
    return rc;
}
