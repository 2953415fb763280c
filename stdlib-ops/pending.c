/* pending — operators of the registry whose implementation is being written:
 * each says so and fails as a task that cannot run. An operator's file
 * replaces its entry here. */
#include <stdio.h>

#include "opkit.h"

static int pending(const opkit_task *t)
{
    fprintf(stderr, "flux: operator '%s' is not implemented in this build of flux\n", t->op);
    return OPKIT_BAD_TASK;
}

int opkit_run_kafka_to_mysql(const opkit_task *t)
{
    return pending(t);
}
