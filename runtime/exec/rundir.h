/* rundir — the run's directory under FLUX_HOME/logs, where every file the
 * runner builds from a name goes (a try's log and fields file, the run's
 * journal): made and opened one level at a time, never through a symbolic
 * link, so a name, or a link planted in logs/, cannot send a write outside.
 */
#ifndef FLUX_RUNDIR_H
#define FLUX_RUNDIR_H

#include <stddef.h>

/* What the two functions return besides a descriptor: a system error (a
 * full disk, no permission), or a refusal that no retry changes (a link, a
 * name that is not one path level, something else than a directory or a
 * regular file where one belongs). */
enum { FLUX_RUNDIR_ERROR = -1, FLUX_RUNDIR_REFUSED = -2 };

/* Opens HOME/logs/PIPELINE/RUN_ID as a directory, making the levels that
 * are missing (0700): logs/ is taken as it is (an administrator may put it
 * elsewhere), and below it each level must be a real directory, not a
 * symbolic link, and each name one level (not empty, ".", ".." or holding
 * '/'). The directory's descriptor, or a negative value above with a note
 * saying which level and why. */
int flux_rundir_open(const char *home, const char *pipeline, const char *run_id, char *note, size_t notelen);

/* Opens the file NAME of the run's directory dirfd (called dir in
 * messages) with flags (O_CREAT files are made 0600), refusing a symbolic
 * link or anything but a regular file. The descriptor, or a negative value
 * above with a note. */
int flux_rundir_file(int dirfd, const char *dir, const char *name, int flags, char *note, size_t notelen);

/* Whether NAME of dirfd may be made or appended to later by
 * flux_rundir_file: 0 when it is missing or a regular file, else the
 * refusal above with its note. Nothing is made: a try's log is made by its
 * wrapper at the first byte of output, and checked here at the start so a
 * link planted under its name fails the try before it runs. */
int flux_rundir_check(int dirfd, const char *dir, const char *name, char *note, size_t notelen);

#endif
