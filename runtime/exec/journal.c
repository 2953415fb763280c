/* journal — reading and appending the run's journal (see journal.h). */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int flux_journal_spawn(int dirfd, const char *journal, const char *key, char *note, size_t notelen)
{
    int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW;
    int jfd = dirfd >= 0 ? openat(dirfd, "journal", flags, 0600) : open(journal, flags, 0600);
    if (jfd < 0)
        return 0;
    char line[1200];
    int ln = snprintf(line, sizeof line, "spawn %s\n", key);
    int rc = 0;
    if (write(jfd, line, (size_t)ln) != ln) {
        snprintf(note, notelen, "cannot write the run's journal %.300s: %s", journal, strerror(errno));
        rc = -1;
    }
    close(jfd);
    return rc;
}
