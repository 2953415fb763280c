#!/usr/bin/env bash
# The same templates rendered at compile time and at run time give the same
# text: each case of template_parity/cases.json (a template over `v` and
# the text Jinja2 renders for it) is compiled once with v a literal, so the
# compiler renders it, and once with v a param, so the runtime does, from the
# source and from the compiled plan. With jinja2 in python3 the expected texts
# are checked against Jinja2 itself (whitespace control included).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
python3 "$here/template_parity/parity.py" "$FLUX" "$here/template_parity/cases.json" "$T" > parity.txt 2>&1 && rc=0 || rc=$?
cat parity.txt
check "every case renders alike at compile time, at run time and from the plan" 0 "$rc"
finish
