/* assets — the web UI's static files, compiled into the binary by
 * embed.cmake (the table is generated in the build directory): each with
 * its path ("/index.html"), bytes, content type and ETag (a hash of the
 * bytes, quoted). */
#ifndef FLUX_WEB_ASSETS_H
#define FLUX_WEB_ASSETS_H

#include <stddef.h>

typedef struct flux_web_asset {
    const char *path;
    const unsigned char *data;
    size_t len;
    const char *type;
    const char *etag;
} flux_web_asset;

extern const flux_web_asset flux_web_assets[]; /* ends with a row of zeros */
extern const unsigned long flux_web_nassets;

#endif
