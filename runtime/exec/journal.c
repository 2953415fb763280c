/* journal — reading and appending the run's journal (see journal.h). */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rundir.h"

void flux_journal_path(const char *home, const char *pipeline, const char *run_id, char *out, size_t n)
{
    snprintf(out, n, "%s/logs/%s/%s/journal", home, pipeline, run_id);
}

flux_journal_entry flux_journal_lookup(const char *journal, const char *task, int try_number)
{
    flux_journal_entry e = {false, false, false, 0, 0};
    FILE *f = fopen(journal, "r");
    if (!f)
        return e;
    char line[1400], kind[16], name[1200];
    int tr, v;
    while (fgets(line, sizeof line, f)) {
        int n = sscanf(line, "%15s %1199s %d %d", kind, name, &tr, &v);
        if (n < 3 || tr != try_number || strcmp(name, task) != 0)
            continue;
        if (!strcmp(kind, "spawn")) /* a sensor's try spawns once per poke: the last counts */
            e = (flux_journal_entry){true, false, false, 0, 0};
        else if (!strcmp(kind, "pid") && n == 4)
            e.has_pid = true, e.pid = v;
        else if (!strcmp(kind, "exit") && n == 4)
            e.has_exit = true, e.code = v;
    }
    fclose(f);
    return e;
}

int flux_journal_append(int dirfd, const char *journal, const char *line, char *note, size_t notelen)
{
    /* in the run's directory: a regular file, never through a link, and a
     * FIFO planted as the journal fails the open instead of holding it */
    char dir[1100];
    const char *slash = strrchr(journal, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - journal) : 1, slash ? journal : ".");
    int fd = dirfd >= 0 ? flux_rundir_file(dirfd, dir, "journal", O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK, note,
                                           notelen)
                        : open(journal, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (dirfd < 0)
            snprintf(note, notelen, "cannot open %.300s: %s", journal, strerror(errno));
        return -1;
    }
    size_t n = strlen(line);
    int rc = 0;
    if (write(fd, line, n) != (ssize_t)n) {
        snprintf(note, notelen, "cannot write the run's journal %.300s: %s", journal, strerror(errno));
        rc = -2;
    }
    close(fd);
    return rc;
}

int flux_journal_spawn(int dirfd, const char *journal, const char *key, char *note, size_t notelen)
{
    char line[1200], why[512];
    snprintf(line, sizeof line, "spawn %s\n", key);
    int rc = flux_journal_append(dirfd, journal, line, why, sizeof why);
    if (rc == -2)
        snprintf(note, notelen, "%s", why);
    return rc == -2 ? -1 : 0;
}
