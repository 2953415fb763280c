/* seed — a store of N runs × M tasks for the web UI's tests and benchmark
 * (seed_lib.c); the secret param's value must never reach a response. */
#ifndef FLUX_TEST_SEED_H
#define FLUX_TEST_SEED_H

#include <stdint.h>

#include "store.h"

#define SEED_SECRET "seed-secret-7f3a91"

typedef struct seed_opts {
    const char *pipeline;
    int runs, tasks;
    int64_t start_ms;      /* logical date of the first run; one run an hour after it */
    const char *log_dir;   /* where the logs of the newest log_runs runs go; NULL: no logs */
    int log_runs;
    int big_log_mb;        /* the newest run's t0 log this big (0: small) */
} seed_opts;

/* 0, or -1 with err */
int seed_store(flux_store *s, const seed_opts *o, char *err, size_t errlen);

#endif
