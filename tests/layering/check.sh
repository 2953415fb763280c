#!/usr/bin/env bash
# check.sh ROOT — the shape of the house, checked on every test run:
#   1. layers: every source file sits in a layer of the table below and
#      includes only headers of its own layer or of layers listed before it
#      (and operators never include the compiler);
#   2. no include cycle between files, and none between modules (a module
#      is NAME.c with the NAME.h beside it; module A uses B when A.c or A.h
#      includes B.h, directly or through headers without a .c), with tsort;
#   3. no source file over 1,000 lines and no function over 120 lines;
#   4. no hand-written prototype of another file's function in a .c file
#      (a private header says it once).
# Prints every violation, then "N passed, N failed" (one check per rule).
set -uo pipefail
root=${1:?usage: check.sh ROOT}
cd "$root" || exit 2

# The layers, lowest first. A file's layer is the longest prefix of its path
# in this list; headers are found by their file name, which is unique.
LAYERS=(
    lang/base lang/time lang/syntax lang/eval lang/pipeline lang/render
    stdlib-ops/registry
    compiler/expand compiler/check compiler/lower compiler/plan
    stdlib-ops/kit stdlib-ops/ops stdlib-ops/runner
    runtime/store runtime/exec runtime/engine runtime/web runtime/cli
)
MAX_FILE=1000
MAX_FUNC=120

pass=0 fail=0
result() { # NAME PROBLEMS-FILE
    if [ -s "$2" ]; then
        fail=$((fail + 1))
        echo "FAIL: $1:"
        sed 's/^/  /' "$2"
    else
        pass=$((pass + 1))
        echo "ok: $1"
    fi
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flux-layering.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mapfile -t files < <(git ls-files -co --exclude-standard -- lang compiler stdlib-ops runtime |
    grep -E '\.(c|h|l|y)$' | while read -r f; do [ -f "$f" ] && echo "$f"; done | sort)

rank_of() { # PATH -> index of its layer, or -1
    local best=-1 len=0 i
    for i in "${!LAYERS[@]}"; do
        case $1 in "${LAYERS[$i]}"/*)
            if [ ${#LAYERS[$i]} -gt $len ]; then best=$i len=${#LAYERS[$i]}; fi ;;
        esac
    done
    echo "$best"
}

# header name -> its path (generated parser.h lives in the build: syntax layer)
declare -A header_path rank
for f in "${files[@]}"; do
    rank[$f]=$(rank_of "$f")
    case $f in *.h) header_path[$(basename "$f")]=$f ;; esac
done
header_path[parser.h]=lang/syntax/parser.y
rank[lang/syntax/parser.y]=$(rank_of lang/syntax/parser.y)

# ---- 1. layers ----
: > "$tmp/layers"
for f in "${files[@]}"; do
    r=${rank[$f]}
    if [ "$r" -lt 0 ]; then
        echo "$f: in no layer (move it into one of: ${LAYERS[*]})" >> "$tmp/layers"
        continue
    fi
    while IFS=: read -r line inc; do
        h=${header_path[$inc]:-}
        [ -n "$h" ] || continue # a system or library header
        hr=${rank[$h]}
        if [ "$hr" -gt "$r" ]; then
            echo "$f:$line: includes \"$inc\" of ${LAYERS[$hr]}, a layer above ${LAYERS[$r]}" >> "$tmp/layers"
        fi
        case $f:$h in stdlib-ops/*:compiler/*)
            echo "$f:$line: an operator includes the compiler's \"$inc\"" >> "$tmp/layers" ;;
        esac
    done < <(grep -nE '^#include "[^"]+"' "$f" | sed -E 's/^([0-9]+):#include "([^"]+)".*/\1:\2/')
done
result "every file includes only its own or lower layers" "$tmp/layers"

# ---- 2. cycles ----
# Files: F -> H for every header H that F includes. Modules: NAME.c with the
# NAME.h beside it is one module; a header with no .c of its own (a private
# or interface header) belongs to whoever includes it, so what it includes
# counts for its includer. Modules are named by path, since two folders may
# each have a check.c.
mod_of() { echo "${1%.*}"; }
is_module_header() { [ -f "${1%.h}.c" ]; }
includes_of() { grep -E '^#include "[^"]+"' "$1" | sed -E 's/^#include "([^"]+)".*/\1/'; }
: > "$tmp/fedges"
: > "$tmp/medges"
# the module headers a file reaches, through header-only files (memoised)
declare -A reach
reach_of() { # FILE -> sets REPLY to its module headers, space separated
    local f=$1
    if [ -n "${reach[$f]+x}" ]; then REPLY=${reach[$f]}; return; fi
    reach[$f]=""
    local out="" inc h
    while read -r inc; do
        h=${header_path[$inc]:-}
        [ -n "$h" ] && [ -f "$h" ] || continue
        if is_module_header "$h"; then
            out="$out $h"
        else
            reach_of "$h"
            out="$out $REPLY"
        fi
    done < <(includes_of "$f")
    reach[$f]=$out
    REPLY=$out
}
for f in "${files[@]}"; do
    echo "$f $f" >> "$tmp/fedges"
    while read -r inc; do
        h=${header_path[$inc]:-}
        [ -n "$h" ] && [ -f "$h" ] || continue
        echo "$h $f" >> "$tmp/fedges"
    done < <(includes_of "$f")
    case $f in *.h) is_module_header "$f" || continue ;; esac
    m=$(mod_of "$f")
    echo "$m $m" >> "$tmp/medges"
    reach_of "$f"
    for h in $REPLY; do
        hm=$(mod_of "$h")
        [ "$hm" = "$m" ] || echo "$hm $m" >> "$tmp/medges"
    done
done
cycles() { # EDGES-FILE -> one "cycle: a b c" line per loop tsort reports
    tsort "$1" > /dev/null 2> "$tmp/tsort"
    grep -v '^tsort: -: input contains a loop:$' "$tmp/tsort" | sed 's/^tsort: //' |
        awk 'BEGIN{n=0} /input contains a loop/{if(n) print line; line="cycle:"; n=1; next} {line=line " " $0} END{if(n) print line}'
}
cycles "$tmp/fedges" > "$tmp/cycles"
result "no include cycle between files" "$tmp/cycles"
cycles "$tmp/medges" > "$tmp/mcycles"
result "no cycle between modules (a .c with its .h)" "$tmp/mcycles"

# ---- 3. sizes ----
: > "$tmp/sizes"
for f in "${files[@]}"; do
    n=$(wc -l < "$f")
    [ "$n" -le $MAX_FILE ] || echo "$f: $n lines (at most $MAX_FILE)" >> "$tmp/sizes"
    case $f in *.c)
        # a function body opens with "{" alone in column 0 and ends with "}"
        # in column 0 (the project's layout); its name is the last identifier
        # before "(" on the lines since the previous top-level item
        awk -v f="$f" -v max=$MAX_FUNC '
            /^[A-Za-z_]/ { sig = sig " " $0 }
            /^[;}]/ || /^$/ { if (!inbody) sig = "" }
            /^\{/ { inbody = 1; start = NR; name = sig; sub(/\(.*/, "", name); n = split(name, w, /[ *]+/); name = w[n]; next }
            /^\}/ && inbody { inbody = 0; len = NR - start - 1; if (len > max) printf "%s:%d: function %s is %d lines (at most %d)\n", f, start, name, len, max; sig = "" }
        ' "$f" >> "$tmp/sizes" ;;
    esac
done
result "no file over $MAX_FILE lines, no function over $MAX_FUNC" "$tmp/sizes"

# ---- 4. prototypes ----
# a declaration at file scope of a function that is not static, in a .c file
: > "$tmp/protos"
for f in "${files[@]}"; do
    case $f in *.c) ;; *) continue ;; esac
    grep -nE '^(extern )?[A-Za-z_][A-Za-z0-9_ \*]* \**[a-z_][a-z0-9_]*\([^;{]*\);' "$f" |
        grep -vE '^[0-9]+:(static|typedef|return|extern char \*\*environ)' |
        sed "s|^|$f:|; s|\$| (declare it in the module's header)|" >> "$tmp/protos"
done
result "no hand-written prototype of another file's function" "$tmp/protos"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
