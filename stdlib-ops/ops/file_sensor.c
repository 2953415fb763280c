/* file_sensor — met once a path, or min_files paths of a glob, exist
 * (`non_empty`: with data; a directory with `success_marker`: once the
 * marker is in it). Each poke is a stat or a glob, done in the runner. */
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "operators.h"

/* 1 when path is ready; 0 with why not in err */
static int file_ready(const char *path, bool non_empty, const char *marker, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s does not exist", path);
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        if (marker && *marker) {
            char m[4096];
            snprintf(m, sizeof m, "%s/%s", path, marker);
            if (stat(m, &st) != 0) {
                snprintf(err, errlen, "%s has no %s", path, marker);
                return 0;
            }
        }
        return 1;
    }
    if (non_empty && st.st_size == 0) {
        snprintf(err, errlen, "%s is empty", path);
        return 0;
    }
    return 1;
}

int op_poke_file_sensor(const flux_op_fields *f, const flux_poke_ctx *ctx, char *err, size_t errlen)
{
    (void)ctx;
    char a[4096], b[512];
    const char *path = flux_op_text(f, "path", a, sizeof a);
    if (!path) {
        snprintf(err, errlen, "file_sensor has no path");
        return -1;
    }
    bool non_empty = flux_op_flag(f, "non_empty", false);
    const char *marker = flux_op_text(f, "success_marker", b, sizeof b);
    const flux_field *mf = flux_op_get(f, "min_files");
    int64_t min_files = mf && mf->kind == FLUX_F_INT ? mf->u.i : 1;
    if (!strpbrk(path, "*?[")) {
        if (min_files > 1) {
            snprintf(err, errlen, "min_files = %lld needs a pattern, and %s is one file", (long long)min_files,
                     path);
            return 0;
        }
        return file_ready(path, non_empty, marker, err, errlen);
    }
    glob_t g;
    int64_t found = 0, need = min_files > 0 ? min_files : 1;
    size_t matched = 0;
    if (glob(path, 0, NULL, &g) == 0) {
        matched = g.gl_pathc;
        for (size_t i = 0; i < g.gl_pathc && found < need; i++)
            found += file_ready(g.gl_pathv[i], non_empty, marker, err, errlen);
        globfree(&g);
    }
    if (found >= need)
        return 1;
    if (!matched)
        snprintf(err, errlen, "nothing matches %s", path);
    else
        snprintf(err, errlen, "%lld of the %lld files needed matching %s are ready (%zu match)", (long long)found,
                 (long long)need, path, matched);
    return 0;
}
