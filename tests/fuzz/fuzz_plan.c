/* fuzz_plan — libFuzzer target for the plan reader (lang/pipeline/plan_read.c) on
 * arbitrary bytes as a plan file.
 *
 * Any crash, sanitizer report, leak or hang is a bug: the reader must turn
 * every input into a plan or an error message. A plan it accepts must also
 * survive its own writer: writing it, reading that back and writing again
 * gives the same bytes (anything else means the writer produced text the
 * reader understands differently), so that is checked too. Nothing is printed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool write_read(const flux_plan *plan, flux_buf *out, flux_plan **back, flux_arena *a, flux_sources *s)
{
    char err[256];
    flux_plan_write(plan, out);
    *back = flux_plan_read(a, s, "fuzz-2.yaml", out->data, out->len, err, sizeof err);
    return *back != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    flux_arena *a = flux_arena_new();
    flux_sources s;
    flux_sources_init(&s);
    char err[256];
    flux_plan *plan = flux_plan_read(a, &s, "fuzz.yaml", (const char *)data, size, err, sizeof err);
    if (plan) {
        flux_buf w1 = {0}, w2 = {0};
        flux_plan *p1 = NULL, *p2 = NULL;
        if (!write_read(plan, &w1, &p1, a, &s) || !write_read(p1, &w2, &p2, a, &s))
            abort(); /* the writer wrote a plan its reader refuses */
        if (w1.len != w2.len || memcmp(w1.data, w2.data, w1.len) != 0)
            abort(); /* written plans are not a fixed point */
        flux_buf_free(&w1);
        flux_buf_free(&w2);
    }
    flux_sources_free(&s);
    flux_arena_free(a);
    return 0;
}
