/* rundir — the run's directory under FLUX_HOME/logs, made and opened one
 * level at a time without following a symbolic link (see rundir.h).
 *
 * openat with O_NOFOLLOW at each level rather than realpath and a prefix
 * compare: the check and the open are the same system call, so a link
 * swapped in between cannot win, and the message can say which level was
 * wrong.
 */
#define _GNU_SOURCE /* O_DIRECTORY, O_NOFOLLOW, readlinkat */
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* one level of a path: a name that stays in its directory */
static bool one_level(const char *name)
{
    return name[0] && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/');
}

/* why dir/name is refused: a link (and where it points), or its type */
static int refuse(int dirfd, const char *dir, const char *name, bool want_dir, char *note, size_t notelen)
{
    char target[512];
    ssize_t n = readlinkat(dirfd, name, target, sizeof target - 1);
    if (n >= 0) {
        target[n] = '\0';
        snprintf(note, notelen,
                 "%.300s/%.200s is a symbolic link (to %.300s): flux writes nothing through a link under "
                 "FLUX_HOME/logs, so nothing lands outside it",
                 dir, name, target);
    } else {
        snprintf(note, notelen, "%.300s/%.200s is not a %s: flux writes nothing there", dir, name,
                 want_dir ? "directory" : "regular file");
    }
    return FLUX_RUNDIR_REFUSED;
}

static int not_one_level(const char *dir, const char *name, char *note, size_t notelen)
{
    snprintf(note, notelen, "'%.200s' is not a name of one path level under %.300s: flux writes nothing there", name,
             dir);
    return FLUX_RUNDIR_REFUSED;
}

/* the directory name in dirfd (dir in messages), made when missing; its
 * descriptor or a negative value */
static int level(int dirfd, const char *dir, const char *name, char *note, size_t notelen)
{
    if (!one_level(name))
        return not_one_level(dir, name, note, notelen);
    /* opened first, made only when missing: every try opens it, one makes it */
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    if (errno == ENOENT) {
        if (mkdirat(dirfd, name, 0700) != 0 && errno != EEXIST) {
            snprintf(note, notelen, "cannot make %.300s/%.200s: %s", dir, name, strerror(errno));
            return FLUX_RUNDIR_ERROR;
        }
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
            return fd;
    }
    if (errno == ELOOP || errno == ENOTDIR)
        return refuse(dirfd, dir, name, true, note, notelen);
    snprintf(note, notelen, "cannot open %.300s/%.200s: %s", dir, name, strerror(errno));
    return FLUX_RUNDIR_ERROR;
}

int flux_rundir_open(const char *home, const char *pipeline, const char *run_id, char *note, size_t notelen)
{
    char logs[2048], dir[4096];
    snprintf(logs, sizeof logs, "%s/logs", home);
    int root = open(logs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0 && errno == ENOENT) {
        mkdir(home, 0700);
        mkdir(logs, 0700);
        root = open(logs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (root < 0) {
        snprintf(note, notelen, "cannot open %.300s: %s", logs, strerror(errno));
        return FLUX_RUNDIR_ERROR;
    }
    int p = level(root, logs, pipeline, note, notelen);
    close(root);
    if (p < 0)
        return p;
    snprintf(dir, sizeof dir, "%s/%s", logs, pipeline);
    int r = level(p, dir, run_id, note, notelen);
    close(p);
    return r;
}

int flux_rundir_file(int dirfd, const char *dir, const char *name, int flags, char *note, size_t notelen)
{
    if (!one_level(name))
        return not_one_level(dir, name, note, notelen);
    /* O_NONBLOCK: a FIFO planted under the name does not block the open */
    int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0 && errno != ELOOP && errno != ENXIO) {
        snprintf(note, notelen, "cannot open %.300s/%.200s: %s", dir, name, strerror(errno));
        return FLUX_RUNDIR_ERROR;
    }
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return refuse(dirfd, dir, name, false, note, notelen);
    }
    int fl = flags & O_NONBLOCK ? -1 : fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

int flux_rundir_check(int dirfd, const char *dir, const char *name, char *note, size_t notelen)
{
    if (!one_level(name))
        return not_one_level(dir, name, note, notelen);
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(note, notelen, "cannot look at %.300s/%.200s: %s", dir, name, strerror(errno));
        return FLUX_RUNDIR_ERROR;
    }
    return S_ISREG(st.st_mode) ? 0 : refuse(dirfd, dir, name, false, note, notelen);
}
