/* manifest — operators of one's own: a directory holding `operator.yaml`
 * (name, kind, parameters with types, defaults, enumerations, required and
 * templated flags, the connection types it accepts, its executable), read,
 * checked and added to the registry, so the compiler, the reference and the
 * runner see it as they see a built-in operator.
 *
 * The operators path is flux.yaml's `operator_path` (conn.h). A plan
 * records each such operator it uses (manifest path and SHA-256 of the
 * manifest and executable), and a run of that plan loads exactly that one.
 */
#ifndef FLUX_MANIFEST_H
#define FLUX_MANIFEST_H

#include <stddef.h>

#include "diag.h"

/* The file a directory of the operators path holds for each operator. */
#define FLUX_MANIFEST_FILE "operator.yaml"

/* Reads every DIR/NAME/operator.yaml under the directories (a directory
 * that does not exist holds none), reporting every mistake into d with its
 * place (file:line:col, caret, help), and adds the good ones to the
 * registry. The operators live as long as the process. 0, or the number of
 * errors reported. */
size_t flux_manifest_load_path(const char *const *dirs, size_t ndirs, flux_diags *d);

/* The operator of one manifest (a plan names it), added to the registry;
 * with sha256 (not NULL) the manifest and executable must hash to it, so a
 * run of a plan never runs another operator than the one compiled. 0, or -1
 * with "file:line:col: message" in err. */
int flux_manifest_load_one(const char *manifest, const char *sha256, char *err, size_t errlen);

#endif
