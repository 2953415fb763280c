/* slurm — the command line's side of executor = slurm: the settings a
 * runner gives the slurm backend (the store as its jobs open it), and
 * `flux __slurm-job SPEC`, the hidden command each job runs. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conn.h"
#include "executor.h"
#include "home.h"
#include "slurm_job.h"
#include "store.h"

/* The slurm backend's settings: the store as its jobs open it (MySQL:
 * SQLite is one file of this machine, which other nodes cannot share
 * safely) and its password, kept for the executor's life. need: a task
 * will run as a Slurm job. 0: *c set; 1: the store cannot serve jobs and
 * none needs it; -1 after saying why. */
int flux_cli_slurm_conf(const char *cmd, const char *db, const char *conns, flux_store *s, bool need,
                        flux_slurm_conf *c)
{
    static char url[PATH_MAX + 64], password[512];
    char err[512];
    if (strcmp(flux_store_kind(s), "mysql") != 0) {
        if (!need)
            return 1;
        fprintf(stderr, "flux %s: the slurm executor needs the MySQL state store: its jobs record their tries "
                        "from other nodes, which cannot share an SQLite file\n"
                        "help: give --db mysql://user@host:port/db, FLUX_DB or state_store: in flux.yaml\n",
                cmd);
        return -1;
    }
    if (flux_home_store_url(db, conns, url, sizeof url, err, sizeof err) != FLUX_HOME_OK) {
        fprintf(stderr, "flux %s: %s\n", cmd, err);
        return -1;
    }
    /* the password the store was opened with, when not in the URL */
    const char *pw = getenv("FLUX_DB_PASSWORD"), *pwfile = getenv("FLUX_DB_PASSWORD_FILE");
    password[0] = '\0';
    if (pw && *pw)
        snprintf(password, sizeof password, "%s", pw);
    else if (pwfile && *pwfile) {
        FILE *f = fopen(pwfile, "r");
        if (f) {
            if (!fgets(password, sizeof password, f))
                password[0] = '\0';
            password[strcspn(password, "\r\n")] = '\0';
            fclose(f);
        }
    }
    *c = (flux_slurm_conf){.store_url = url, .store_password = password[0] ? password : NULL,
                           .poll_ms = getenv("FLUX_SLURM_POLL_MS") ? atol(getenv("FLUX_SLURM_POLL_MS")) : 0,
                           .lost_grace_ms = getenv("FLUX_SLURM_LOST_MS") ? atol(getenv("FLUX_SLURM_LOST_MS")) : 0,
                           .sbatch_args = getenv("FLUX_SLURM_SBATCH_ARGS")};
    return 0;
}

const char *flux_cli_executor(const char *cmd, const char *opt, const flux_conns *conns)
{
    if (opt && strcmp(opt, "local") != 0 && strcmp(opt, "slurm") != 0) {
        flux_cli_usage_error(cmd, "unknown executor '%s': the executors are local and slurm", opt);
        return NULL;
    }
    return opt ? opt : conns && conns->executor ? conns->executor : "local";
}

/* ---- flux __slurm-job SPEC: one try as a Slurm job (slurm_job.h) ---- */

int flux_cli_slurm_job(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: flux __slurm-job SPEC (started by the slurm executor's sbatch)\n");
        return FLUX_EXIT_USAGE;
    }
    char *self = flux_cli_self();
    char msg[1200];
    int rc = flux_slurm_job_run(argv[0], self, msg, sizeof msg);
    if (msg[0])
        fprintf(stderr, "%s\n", msg);
    free(self);
    return rc;
}
