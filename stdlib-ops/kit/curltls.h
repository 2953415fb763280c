/* curltls — a connection's or notifier's ca_file on a libcurl handle: the
 * one rule for the http operator, flux connections test and the
 * notification outbox. Header-only: two options. */
#ifndef FLUX_CURLTLS_H
#define FLUX_CURLTLS_H

#include <curl/curl.h>

/* ca_file (PEM) replaces the system's CAs, their file and their folder:
 * Debian's libcurl has a default folder too, which CAINFO alone leaves
 * trusted. The server's name is still checked. NULL: the system's. */
static inline void curltls_ca(CURL *h, const char *ca_file)
{
    if (!ca_file)
        return;
    curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
    curl_easy_setopt(h, CURLOPT_CAPATH, (char *)NULL);
}

#endif
