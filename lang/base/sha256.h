/* sha256 — the lowercase hex SHA-256 of bytes (OpenSSL's libcrypto): how a
 * plan and a source file are named. */
#ifndef FLUX_SHA256_H
#define FLUX_SHA256_H

#include <stddef.h>

/* Lowercase hex SHA-256; aborts when libcrypto has no SHA-256 (a broken
 * installation, not an input error). */
void flux_sha256_hex(const void *data, size_t len, char out[65]);

#endif
