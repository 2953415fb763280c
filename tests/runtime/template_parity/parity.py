#!/usr/bin/env python3
"""parity.py FLUX CASES.json WORKDIR — one template rendered three ways.

Each case is a template over one variable `v` and the text it renders. Every
case becomes two tasks of one pipeline: `c<i>` sets v to a literal, so the
compiler renders the whole string; `r<i>` sets v from a param, so the whole
string is kept for run time. Both must render the case's text through
`flux dry-run` of the source and of the compiled plan, and the plan must hold
c<i> as plain text and r<i> as a template (compile time really folded one,
run time really rendered the other). When python3 has jinja2, every expected
text is also Jinja2's own rendering (cases whose values Flux renders in its
own way, such as true or [1, 2], say "jinja": false). Prints one line per
mismatch; exits 1 when there was one.
"""
import json
import os
import subprocess
import sys

flux, cases_path, work = sys.argv[1], sys.argv[2], sys.argv[3]
with open(cases_path, encoding="utf-8") as f:
    cases = json.load(f)


def flux_string(s):
    """a Flux string literal of s: its braces escaped, so it stays text"""
    out = []
    for ch in s:
        if ch in '\\"{}':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20:
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def expr_string(s):
    """a string literal of template expressions"""
    out = []
    for ch in s:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20:
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def param_literal(v):
    """v as a param default, in the syntax of values"""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return flux_string(v)
    if isinstance(v, list):
        return "[" + ", ".join(param_literal(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(flux_string(k) + " = " + param_literal(x) for k, x in v.items()) + " }"
    raise ValueError(v)


def expr_literal(v):
    """v as a template expression"""
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return expr_string(v)
    if isinstance(v, list):
        return "[" + ", ".join(expr_literal(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(expr_string(k) + ": " + expr_literal(x) for k, x in v.items()) + "}"
    raise ValueError(v)


# the template is wrapped in [ ]: a triple-quoted string keeps text that
# starts and ends its only line as it is (no blank first or last line to drop)
lines = ["pipeline parity {", '    schedule = "@daily"', '    start = "2026-01-01T00:00:00Z"', "    params {"]
for i, c in enumerate(cases):
    lines.append("        p%d = %s" % (i, param_literal(c["v"])))
lines.append("    }")
for i, c in enumerate(cases):
    t = c["t"]
    assert '"""' not in t
    lines.append('    task c%d : bash { command = """[{%% set v = %s %%}%s]""" }' % (i, expr_literal(c["v"]), t))
    lines.append('    task r%d : bash { command = """[{%% set v = params.p%d %%}%s]""" }' % (i, i, t))
lines.append("}")
src = os.path.join(work, "parity.flux")
with open(src, "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")

failed = 0


def fail(msg):
    global failed
    failed += 1
    print("FAIL: " + msg)


def dry_run(path):
    p = subprocess.run([flux, "dry-run", path, "--date", "2026-01-01", "--format", "json"],
                       capture_output=True, cwd=work)
    if p.returncode != 0:
        fail("flux dry-run %s exited %d: %s" % (path, p.returncode, p.stderr.decode(errors="replace")))
        return {}
    run = json.loads(p.stdout)["runs"][0]
    return {t["id"]: t["fields"]["command"] for t in run["tasks"]}


from_source = dry_run(src)
plans = os.path.join(work, "plans")
os.makedirs(plans, exist_ok=True)
p = subprocess.run([flux, "compile", src, "-o", plans], capture_output=True, cwd=work)
if p.returncode != 0:
    fail("flux compile exited %d: %s" % (p.returncode, p.stderr.decode(errors="replace")))
plan_path = os.path.join(plans, "parity.plan.yaml")
from_plan = dry_run(plan_path) if p.returncode == 0 else {}
plan_text = open(plan_path, encoding="utf-8").read() if p.returncode == 0 else ""

try:
    import jinja2
    env = jinja2.Environment(keep_trailing_newline=True)
except ImportError:
    env = None
    print("note: python3 has no jinja2: the expected texts are checked against flux only")

for i, c in enumerate(cases):
    want = "[" + c["out"] + "]"
    name = "case %d %s" % (i, json.dumps(c["t"]))
    for task, got in (("c%d" % i, from_source.get("c%d" % i)), ("r%d" % i, from_source.get("r%d" % i)),
                      ("c%d from the plan" % i, from_plan.get("c%d" % i)),
                      ("r%d from the plan" % i, from_plan.get("r%d" % i))):
        if got != want:
            fail("%s: %s rendered %s, expected %s" % (name, task, json.dumps(got), json.dumps(want)))
    if env is not None and c.get("jinja", True):
        got = env.from_string("[" + c["t"] + "]").render(v=c["v"])
        if got != want:
            fail("%s: Jinja2 renders %s, the case expects %s" % (name, json.dumps(got), json.dumps(want)))

# the plan holds c<i> as text and r<i> as a template
tasks, cur = {}, None
for line in plan_text.splitlines():
    s = line.strip()
    if s.startswith("- id: "):
        cur = s[len("- id: "):]
    elif s.startswith("command: ") and cur:
        tasks[cur] = s[len("command: "):]
for i in range(len(cases)):
    if tasks.get("c%d" % i, "!template").startswith("!template"):
        fail("case %d: c%d is not plain text in the plan: compile time did not render it" % (i, i))
    if not tasks.get("r%d" % i, "").startswith("!template"):
        fail("case %d: r%d is not a template in the plan: it was not left for run time" % (i, i))

print("%d cases, %d failed" % (len(cases), failed))
sys.exit(1 if failed else 0)
