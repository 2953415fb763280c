#!/usr/bin/env bash
# {% if %}, {% for %} and {% set %} inside a bash command are rendered before
# the shell sees it: a run-time condition and loop over params (with loop.*),
# a run-time set, a compile-time loop folded away, and whitespace control.
# Two runs with different params, and the compiled plan run as well, so the
# statements also survive the plan's round trip.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
{% set shards = ["s1", "s2"] %}
pipeline tmpl {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    params {
        loud  = false
        names = ["ann", "bob"]
        n     = 2
    }
    task t : bash {
        command = """
            out=out_{{ ds }}.txt
            {% if params.loud -%}
            echo LOUD > "$out"
            {%- elif params.n > 5 -%}
            echo many > "$out"
            {%- else -%}
            echo quiet > "$out"
            {%- endif %}
            {% for who in params.names -%}
            echo "{{ loop.index }}/{{ loop.length }} {{ who }}{% if loop.first %} first{% endif %}{% if loop.last %} last{% endif %}" >> "$out"
            {% endfor -%}
            {% set total = params.n * 10 -%}
            echo "total {{ total }}" >> "$out"
            {% for s in shards -%}
            echo "shard {{ s }} {{ loop.index0 }}" >> "$out"
            {% endfor -%}
        """
    }
}
FLUX
flux run p.flux --date 2026-11-01 "${DB_ARGS[@]}" > run1.txt 2>&1 && rc=0 || rc=$?
check "a run with the defaults succeeds" 0 "$rc"
[ "$rc" = 0 ] || { cat run1.txt; cat "$FLUX_HOME"/logs/*/*/*/*.log 2>/dev/null || true; }
check "defaults: the else branch, the loop over params, the set, the folded loop" \
    "quiet
1/2 ann first
2/2 bob last
total 20
shard s1 0
shard s2 1" "$(cat out_2026-11-01.txt 2>/dev/null)"

flux run p.flux --date 2026-11-02 --param loud=true --param names=x,y,z --param n=7 "${DB_ARGS[@]}" > run2.txt 2>&1 && rc=0 || rc=$?
check "a run with other params succeeds" 0 "$rc"
[ "$rc" = 0 ] || cat run2.txt
check "params: the if branch, three names, another total" \
    "LOUD
1/3 x first
2/3 y
3/3 z last
total 70
shard s1 0
shard s2 1" "$(cat out_2026-11-02.txt 2>/dev/null)"

mkdir plans
flux compile p.flux -o plans > compile.txt 2>&1 && rc=0 || rc=$?
check "the pipeline compiles to a plan" 0 "$rc"
flux run plans/tmpl.plan.yaml --date 2026-11-03 --param n=9 "${DB_ARGS[@]}" > run3.txt 2>&1 && rc=0 || rc=$?
check "the compiled plan runs" 0 "$rc"
[ "$rc" = 0 ] || cat run3.txt
check "the plan kept the statements: the elif branch" \
    "many
1/2 ann first
2/2 bob last
total 90
shard s1 0
shard s2 1" "$(cat out_2026-11-03.txt 2>/dev/null)"
check "no statement reached the shell" "" "$(grep -rh 'not found' "$FLUX_HOME"/logs 2>/dev/null | head -1)"
finish
