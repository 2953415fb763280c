/* sha256 — the lowercase hex SHA-256 of bytes, through libcrypto. */
#include "sha256.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

void flux_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
        /* libcrypto without SHA-256 is a broken installation, not an input error */
        fputs("flux: SHA-256 is not available from libcrypto\n", stderr);
        abort();
    }
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}
