/* file_sensor — met once a path, or min_files paths of a glob, exist
 * (`non_empty`: with data; a directory with `success_marker`: once the
 * marker is in it). Each poke is a stat or a glob, done in the runner. */
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "operators.h"

static int file_ready(const char *path, bool non_empty, const char *marker)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (S_ISDIR(st.st_mode)) {
        if (marker && *marker) {
            char m[4096];
            snprintf(m, sizeof m, "%s/%s", path, marker);
            return stat(m, &st) == 0;
        }
        return 1;
    }
    return !non_empty || st.st_size > 0;
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
    if (!strpbrk(path, "*?["))
        return min_files <= 1 && file_ready(path, non_empty, marker);
    glob_t g;
    int64_t found = 0;
    if (glob(path, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc && found < min_files; i++)
            found += file_ready(g.gl_pathv[i], non_empty, marker);
        globfree(&g);
    }
    return found >= (min_files > 0 ? min_files : 1);
}
