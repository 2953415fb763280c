/* server — the HTTP server of `flux web`: a libmicrohttpd daemon with a
 * thread per connection, the security every reply goes through (loopback
 * names only in Host, a bearer token on writes, the safety headers), the
 * embedded static files and the JSON API (api.c). Nothing here prints. */
#ifndef FLUX_WEB_SERVER_H
#define FLUX_WEB_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

typedef struct flux_web_config {
    const char *bind;  /* address to listen on; NULL: 127.0.0.1 */
    int port;          /* 0: an ephemeral port (flux_web_port says which) */
    const char *token; /* the bearer token; NULL: none, and every write is refused */
    /* The store to read (opened read-only, never migrated; the server owns it
     * from flux_web_start on, and closes it in flux_web_stop) and how to open
     * the same store for a write (home.h's flux_home_open_store rule). */
    flux_store *store;
    const char *db, *conns;
} flux_web_config;

typedef struct flux_web_server flux_web_server;

/* True for 127.0.0.0/8, ::1 and "localhost". */
bool flux_web_loopback(const char *addr);

/* Starts listening. A bind address that is not loopback without a token is
 * refused (1 with err saying how to give one); -1 with err when the address
 * is no IP address or the port cannot be bound. On failure the store is
 * left to the caller. */
int flux_web_start(const flux_web_config *cfg, flux_web_server **out, char *err, size_t errlen);
int flux_web_port(const flux_web_server *srv);
/* Stops the daemon (waiting for the requests under way) and closes the store. */
void flux_web_stop(flux_web_server *srv);

#endif
