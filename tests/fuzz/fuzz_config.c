/* fuzz_config — libFuzzer target for flux.yaml (lang/pipeline/connfile.c
 * and notifierfile.c on the YAML tree reader): arbitrary bytes as the
 * project's connections, pools, state store and notifiers.
 *
 * Any crash, sanitizer report, leak or hang is a bug: the reader must turn
 * every input into settings or diagnostics. The first byte's low bit says
 * whether the file counts as private (mode 0600), which decides whether
 * inline passwords are allowed, so both branches are reached. Every
 * diagnostic is then printed, as flux check would, into a memory stream:
 * its excerpt is cut from the text with the passwords masked, and that is
 * code the input reaches too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "conn.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    bool private_file = data[0] & 1;
    flux_arena *a = flux_arena_new();
    flux_sources s;
    flux_sources_init(&s);
    flux_diags d;
    flux_diags_init(&d, &s);
    flux_conns c;
    flux_conns_read_text(a, &c, "fuzz/flux.yaml", (const char *)data + 1, size - 1, private_file, &d);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out) {
        flux_diags_sort(&d);
        flux_diags_print(&d, out, false);
        fclose(out);
    }
    free(text);
    flux_diags_free(&d);
    flux_sources_free(&s);
    flux_arena_free(a);
    return 0;
}
