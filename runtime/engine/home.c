/* home — FLUX_HOME and the one rule that picks a command's state store;
 * see home.h. */
#include "home.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "load.h"

const char *flux_home_dir(void)
{
    const char *h = getenv("FLUX_HOME");
    return h && *h ? h : ".flux";
}

int flux_home_open_store(const char *db, const char *conns_path, flux_store **out, char *err, size_t errlen)
{
    char url[PATH_MAX + 16];
    const char *u = db ? db : getenv("FLUX_DB");
    *out = NULL;
    if (!u || !*u) {
        /* flux.yaml's state_store, then the embedded default */
        flux_arena *a = flux_arena_new();
        flux_conns c;
        if (flux_load_conns(conns_path, a, &c, err, errlen) != 0) {
            flux_arena_free(a);
            return FLUX_HOME_CONNS;
        }
        if (c.state_store) {
            snprintf(url, sizeof url, "%s", c.state_store);
            u = url;
        }
        flux_arena_free(a);
    }
    if (!u || !*u) {
        mkdir(flux_home_dir(), 0755);
        snprintf(url, sizeof url, "sqlite://%s/flux.db", flux_home_dir());
        u = url;
    }
    return flux_store_open(u, out, err, errlen) != 0 ? FLUX_HOME_STORE : FLUX_HOME_OK;
}
