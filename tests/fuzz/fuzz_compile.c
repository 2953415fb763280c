/* fuzz_compile — libFuzzer target for the whole front end: lexer, parser,
 * template expansion and checks, on arbitrary bytes as one source file.
 *
 * Any crash, sanitizer report, leak or hang is a bug: the compiler must turn
 * every input into diagnostics. Nothing is printed; diagnostics stay in the
 * compilation and are freed with it.
 */
#include <stddef.h>
#include <stdint.h>

#include "compile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    flux_compilation c;
    flux_compilation_init(&c);
    flux_compile_text(&c, "fuzz.flux", (const char *)data, size);
    flux_compilation_free(&c);
    return 0;
}
