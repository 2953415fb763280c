/* manifest — operators of one's own: a directory holding `operator.yaml`
 * (name, kind, parameters with types, defaults, enumerations, required and
 * templated flags, the connection types it accepts, its executable), read,
 * checked and added to the registry, so the compiler, the reference and the
 * runner see it as they see a built-in operator.
 *
 * The operators path is flux.yaml's `operator_path` (conn.h). A plan
 * records each such operator it uses (manifest path and SHA-256 of the
 * manifest and executable), and a run of that plan loads exactly that one.
 * The path is relative to flux.yaml's directory (absolute only when the
 * operator_path entry is), so a plan is the same bytes wherever the tree
 * sits; a run resolves it against the directory of the flux.yaml it reads.
 */
#ifndef FLUX_MANIFEST_H
#define FLUX_MANIFEST_H

#include <stddef.h>

#include "conn.h"
#include "diag.h"

/* The file a directory of the operators path holds for each operator. */
#define FLUX_MANIFEST_FILE "operator.yaml"

/* Reads every DIR/NAME/operator.yaml under the directories of c's
 * operator_path (a directory that does not exist holds none), reporting
 * every mistake into d with its place (file:line:col, caret, help), and adds
 * the good ones to the registry, each with its manifest's path relative to
 * the directory of c's flux.yaml. That directory is then the one a plan's
 * relative manifest paths are resolved against (flux_manifest_load_one).
 * The operators live as long as the process. 0, or the number of errors
 * reported. */
size_t flux_manifest_load_conns(const flux_conns *c, flux_diags *d);

/* The operator name of a plan, whose manifest is at manifest (relative to
 * the directory of the flux.yaml read last, or the working directory before
 * any): the one loaded from the operators path already when its manifest
 * and executable hash to sha256 (the same bytes are the same operator), else
 * that manifest, added to the registry. With sha256 (not NULL) another hash
 * is refused, so a run of a plan never runs another operator than the one
 * compiled. 0, or -1 with "file:line:col: message" in err. */
int flux_manifest_load_one(const char *name, const char *manifest, const char *sha256, char *err, size_t errlen);

#endif
