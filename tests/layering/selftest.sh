#!/usr/bin/env bash
# selftest.sh — check.sh must fail on each kind of violation it names, or the
# layering test in the suite could pass on a broken house. Each case is a tiny
# git tree of its own with exactly one violation; a clean tree must pass.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/flux-layering-self.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

# tree NAME: a clean two-layer tree (lang/base below runtime/cli) in $T/NAME
tree() {
    local d=$T/$1
    mkdir -p "$d/lang/base" "$d/runtime/cli"
    printf '/* low */\n#ifndef LOW_H\n#define LOW_H\nint low(void);\n#endif\n' > "$d/lang/base/low.h"
    printf '#include "low.h"\nint low(void)\n{\n    return 1;\n}\n' > "$d/lang/base/low.c"
    printf '/* high */\n#ifndef HIGH_H\n#define HIGH_H\nint high(void);\n#endif\n' > "$d/runtime/cli/high.h"
    printf '#include "high.h"\n#include "low.h"\nint high(void)\n{\n    return low();\n}\n' > "$d/runtime/cli/high.c"
    echo "$d"
}
run() { # NAME DIR EXPECT(0|1) RULE-TEXT
    (cd "$2" && git init -q . && git add -A) > /dev/null
    out=$(bash "$here/check.sh" "$2" 2>&1)
    rc=$?
    if [ "$3" = 0 ]; then
        if [ $rc -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: a clean tree failed:"; echo "$out"; fi
    elif [ $rc -ne 0 ] && grep -q "^FAIL: $4" <<<"$out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $1: expected the rule '$4' to fail, got:"
        echo "$out"
    fi
}

run "clean tree" "$(tree clean)" 0

d=$(tree upward)
printf '#include "high.h"\nint low(void)\n{\n    return 1;\n}\n' > "$d/lang/base/low.c"
run "upward include" "$d" 1 "every file includes only its own or lower layers"

d=$(tree nolayer)
mkdir -p "$d/lang/misc" && printf 'int x(void);\n' > "$d/lang/misc/x.h"
run "file in no layer" "$d" 1 "every file includes only its own or lower layers"

d=$(tree cycle)
printf '#ifndef A_H\n#define A_H\n#include "b.h"\n#endif\n' > "$d/lang/base/a.h"
printf '#ifndef B_H\n#define B_H\n#include "a.h"\n#endif\n' > "$d/lang/base/b.h"
run "file cycle" "$d" 1 "no include cycle between files"

d=$(tree modcycle)
printf 'int a(void);\n' > "$d/lang/base/a.h"
printf '#include "a.h"\n#include "b.h"\nint a(void)\n{\n    return b();\n}\n' > "$d/lang/base/a.c"
printf 'int b(void);\n' > "$d/lang/base/b.h"
printf '#include "b.h"\n#include "a.h"\nint b(void)\n{\n    return 0;\n}\n' > "$d/lang/base/b.c"
run "module cycle" "$d" 1 "no cycle between modules"

d=$(tree bigfile)
{ echo '#include "low.h"'; for i in $(seq 1001); do echo "int v$i;"; done; } > "$d/lang/base/big.c"
run "file over 1,000 lines" "$d" 1 "no file over 1000 lines"

d=$(tree bigfunc)
{ echo '#include "low.h"'; echo 'int low(void)'; echo '{'; echo '    int x = 0;'; for i in $(seq 125); do echo "    x += $i;"; done; echo '    return x;'; echo '}'; } > "$d/lang/base/low.c"
run "function over 120 lines" "$d" 1 "no file over 1000 lines, no function over 120"

d=$(tree proto)
printf '#include "high.h"\nint low(void);\nint high(void)\n{\n    return low();\n}\n' > "$d/runtime/cli/high.c"
run "hand-written prototype" "$d" 1 "no hand-written prototype"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
