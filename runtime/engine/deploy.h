/* deploy — publishing the pipelines of a tree as numbered plan versions,
 * shared by `flux deploy` and `flux scheduler`. */
#ifndef FLUX_DEPLOY_H
#define FLUX_DEPLOY_H

#include <stdbool.h>

#include "load.h"
#include "store.h"
#include "value.h"

typedef struct flux_deploy_report {
    int deployed, unchanged, broken, removed;
} flux_deploy_report;

/* What a deploy has to say, a line (or a file's diagnostics) at a time,
 * each ending in a newline; error: a failure (the commands print those on
 * standard error). */
typedef void (*flux_deploy_say)(void *ud, bool error, const char *text);

/* Compiles the *.flux files under root (or only those listed, as paths
 * relative to root), each from root with its relative path, and publishes
 * each valid pipeline whose plan changed as a new version, with commit
 * (NULL: none). A file with errors records its diagnostics and leaves its
 * pipelines on their last good version. With the whole tree, pipelines no
 * longer defined anywhere in it are marked removed. What happened goes to
 * say (NULL: failures only counted). -1 on a store error. */
int flux_deploy_tree(flux_store *s, const char *root, const flux_paths *only, const char *commit,
                     flux_deploy_report *rep, flux_deploy_say say, void *ud);

/* The same in two steps, so that a service compiles off its event loop:
 * flux_deploy_compile reads and compiles the tree (no store, no change of
 * working directory: safe on a worker thread), flux_deploy_publish records
 * the result on the thread that owns s. */
typedef struct flux_deploy_build flux_deploy_build;
flux_deploy_build *flux_deploy_compile(const char *root, const flux_paths *only);
int flux_deploy_publish(flux_store *s, flux_deploy_build *b, const char *commit, flux_deploy_report *rep,
                        flux_deploy_say say, void *ud);
void flux_deploy_build_free(flux_deploy_build *b);

/* "2 tasks added (a, b); 1 task changed (c)" between two plan texts (old
 * NULL: the first version). */
void flux_deploy_changes(const char *old_plan, const char *new_plan, flux_buf *out);

#endif
