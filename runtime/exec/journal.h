/* journal — the run's journal: what the processes of its tasks say for a
 * runner that was not there to see them.
 *
 * One file per run (logs/PIPELINE/RUN_ID/journal), one appended line per
 * event: "spawn TASK TRY" (the runner, just before the fork), "pid TASK TRY
 * PID" (the task's shell or flux-wrap, first thing), "exit TASK TRY STATUS"
 * (the same, last thing). Appends of a few bytes with O_APPEND do not
 * interleave, and one file per run rather than per task matters: creating
 * inodes is the most expensive thing a task does on these filesystems.
 * Used by the local backend (backend_local.c); wrap.c writes the same lines.
 */
#ifndef FLUX_JOURNAL_H
#define FLUX_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

/* What the journal says about one try. */
typedef struct flux_journal_entry {
    bool spawned, has_pid, has_exit;
    int pid, code;
} flux_journal_entry;

/* home/logs/PIPELINE/RUN_ID/journal */
void flux_journal_path(const char *home, const char *pipeline, const char *run_id, char *out, size_t n);
/* The try's lines; a later "spawn" (a sensor spawns once per poke) starts
 * over. All false when the journal or the try is missing. */
flux_journal_entry flux_journal_lookup(const char *journal, const char *task, int try_number);
/* Appends line to the run's journal in one write: through dirfd (the run's
 * directory, already opened without following a link), where it must be a
 * regular file (flux_rundir_file), when dirfd >= 0, else by the path. 0; -1
 * when it cannot be opened, -2 when it cannot be written, with a note. */
int flux_journal_append(int dirfd, const char *journal, const char *line, char *note, size_t notelen);
/* Appends "spawn TASK TRY", through dirfd (the run's directory, already
 * opened without following a link) when it is >= 0, else by the path. A
 * journal that cannot be opened is not an error (the try runs
 * unjournalled, as before a runner could adopt); one that opens but cannot
 * be written is: -1 with a note. */
int flux_journal_spawn(int dirfd, const char *journal, const char *key, char *note, size_t notelen);

#endif
