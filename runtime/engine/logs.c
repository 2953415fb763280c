/* logs — a try's log opened for reading (see logs.h). */
#include "logs.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int flux_log_open(const char *path, FILE **f, char *err, size_t errlen)
{
    *f = NULL;
    if (!path || !*path) {
        snprintf(err, errlen, "the try has no log (it never started)");
        return -1;
    }
    *f = fopen(path, "rb");
    if (*f)
        return 0;
    int e = errno;
    if (e == ENOENT) {
        /* the run's directory still there: the try printed nothing */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        struct stat st;
        if (slash && (*slash = '\0', stat(dir, &st) == 0) && S_ISDIR(st.st_mode))
            return 0;
    }
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
    return -1;
}
