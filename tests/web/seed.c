/* seed — writes N runs × M tasks into a store for the web UI's tests and
 * benchmark:  seed STORE_URL RUNS TASKS [LOG_DIR [LOG_RUNS [BIG_LOG_MB]]]
 * (see seed_lib.c for what the runs hold). Prints the seconds it took. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "seed.h"

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: seed STORE_URL RUNS TASKS [LOG_DIR [LOG_RUNS [BIG_LOG_MB]]]\n");
        return 2;
    }
    seed_opts o = {"web_seed", atoi(argv[2]), atoi(argv[3]), 1735689600000LL, argc > 4 ? argv[4] : NULL,
                   argc > 5 ? atoi(argv[5]) : 5, argc > 6 ? atoi(argv[6]) : 0};
    const char *p = getenv("SEED_PIPELINE");
    if (p && *p)
        o.pipeline = p;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    flux_store *s;
    char err[1024];
    if (flux_store_open(argv[1], &s, err, sizeof err) != 0) {
        fprintf(stderr, "seed: %s\n", err);
        return 1;
    }
    int rc = seed_store(s, &o, err, sizeof err);
    flux_store_close(s);
    if (rc) {
        fprintf(stderr, "seed: %s\n", err);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("seeded %d runs x %d tasks in %.2f s\n", o.runs, o.tasks,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
