#!/usr/bin/env bash
# task outputs read with every spelling the checker accepts: tasks.a.outputs.k,
# tasks["a"].outputs.k, tasks.a.outputs["k"], and a name built from a loop
# variable (folded at compile time) inside {% for %}.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
{% set names = ["x", "y"] %}
pipeline outs {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    {% for n in names %}
    task make_{{ n }} : bash { command = "echo '::output v={{ n }}1'" }
    task use_{{ n }} : bash { command = "echo {{ tasks['make_' ~ n].outputs['v'] }} > got_{{ n }}.txt" }
    make_{{ n }} >> use_{{ n }}
    {% endfor %}
    task use : bash { command = "echo {{ tasks['make_x'].outputs.v }} {{ tasks.make_y.outputs['v'] }} > got.txt" }
    [make_x, make_y] >> use
}
FLUX
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out.txt 2>&1 && rc=0 || rc=$?
check "the run succeeds" 0 "$rc"
check "index forms" "x1 y1" "$(cat got.txt)"
check "names built in a loop" "x1 y1" "$(cat got_x.txt) $(cat got_y.txt)"
finish
