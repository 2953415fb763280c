/* operators — every operator's entry point, one per file of ops/ named for
 * the operator. The runner's table (runner.c) points at them; nothing else
 * calls them. Three shapes, after how the operator runs:
 *   op_run_NAME      one task in this process (`flux __op NAME FIELDS_JSON`),
 *                    an exit status (opkit.h: OPKIT_OK, OPKIT_NOT_YET ...)
 *   op_command_NAME  the process the runner starts for a task (bash)
 *   op_poke_NAME     one poke of a sensor in the runner: 1 met, 0 not yet
 *                    (err says why, for the sensor's log), -1 with err (the
 *                    sensor fails) */
#ifndef FLUX_OPERATORS_H
#define FLUX_OPERATORS_H

#include "opfields.h"
#include "opkit.h"

int op_command_bash(const flux_op_fields *f, flux_op_cmd *out, char *err, size_t errlen);

int op_poke_time_sensor(const flux_op_fields *f, const flux_poke_ctx *ctx, char *err, size_t errlen);
int op_poke_file_sensor(const flux_op_fields *f, const flux_poke_ctx *ctx, char *err, size_t errlen);
int op_poke_external_task_sensor(const flux_op_fields *f, const flux_poke_ctx *ctx, char *err, size_t errlen);

int op_run_sqlite(const opkit_task *t);
int op_run_mysql(const opkit_task *t);
int op_run_sql_sensor(const opkit_task *t);
int op_run_http(const opkit_task *t);
int op_run_kafka_produce(const opkit_task *t);
int op_run_kafka_sensor(const opkit_task *t);
int op_run_kafka_to_mysql(const opkit_task *t);
int op_run_kafka_to_file(const opkit_task *t);
int op_run_file_to_mysql(const opkit_task *t);
int op_run_mysql_to_file(const opkit_task *t);
int op_run_file_to_kafka(const opkit_task *t);
int op_run_mysql_to_kafka(const opkit_task *t);

#endif
