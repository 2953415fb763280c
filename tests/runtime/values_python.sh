#!/usr/bin/env bash
# Numbers render exactly as Python prints them (lang/REFERENCE.md, section
# 10.6): 10,000 doubles from a seeded generator (random bit patterns, ratios,
# integers, powers of two and of ten and their neighbours, subnormals) are
# rendered by one `flux render` and compared with Python's repr; 3,000 pairs
# go through `//` and `%` and are compared with Python's results. The doubles
# are written into the pipeline with 17 significant digits, so the text flux
# prints is its own work, not a copy of its input.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "FAIL: python3 is needed"; exit 1; }

cat > gen.py <<'PY'
import math, random, struct, sys

rng = random.Random(14)

def from_bits(b):
    return struct.unpack('<d', struct.pack('<Q', b))[0]

def finite(x):
    return not (math.isnan(x) or math.isinf(x))

def doubles(n):
    out = []
    def add(x):
        if finite(x):
            out.append(-x if rng.random() < 0.5 else x)
    while len(out) < n * 4 // 10:
        add(from_bits(rng.getrandbits(64)))
    while len(out) < n * 6 // 10:
        add(rng.random() * 10.0 ** rng.randint(-12, 22))
    while len(out) < n * 7 // 10:
        add(rng.randint(1, 10 ** rng.randint(1, 6)) / rng.randint(1, 10 ** rng.randint(1, 6)))
    while len(out) < n * 8 // 10:
        add(float(rng.randint(0, 2 ** rng.randint(1, 70))))
    while len(out) < n * 9 // 10:
        p = math.ldexp(1.0, rng.randint(-1074, 1023))
        add(rng.choice([p, math.nextafter(p, 0.0), math.nextafter(p, math.inf)]))
    while len(out) < n:
        p = 10.0 ** rng.randint(-320, 308)
        add(rng.choice([p, math.nextafter(p, 0.0), math.nextafter(p, math.inf)]))
    return out

def lit(x):
    """x as a Flux literal with 17 significant digits; the sign is unary."""
    t = '%.16e' % abs(x)
    return ('-' if math.copysign(1.0, x) < 0 else '') + t

def operand(rng):
    kind = rng.random()
    if kind < 0.15:
        return rng.randint(-50, 50) or 7
    if kind < 0.3:
        return rng.choice([0.1, 0.2, 0.3, 1.0, 2.5, 3.0, 1e20, 1e-20, 7.0, 0.7]) * rng.choice([1, -1])
    x = rng.random() * 10.0 ** rng.randint(-8, 12)
    return -x if rng.random() < 0.5 else x

def pairs(n):
    out = [(1.0, 0.1), (1e20, 3), (-7.5, 2.0), (7.5, -2.0), (0.0, -1.0), (-0.0, 1.0)]
    while len(out) < n:
        a, b = operand(rng), operand(rng)
        if b == 0:
            continue
        if not (finite(a // b) and finite(a % b)):
            continue
        out.append((a, b))
    return out

def num(x):
    if isinstance(x, int):
        return str(x) if x >= 0 else '(%d)' % x
    return '(' + lit(x) + ')'

what = sys.argv[1]
if what == 'repr':
    xs = doubles(10000)
    exprs = ['{{ %s }}' % lit(x) for x in xs]
    want = [repr(x) for x in xs]
else:
    ps = pairs(3000)
    exprs, want = [], []
    for a, b in ps:
        exprs.append('{{ %s // %s }}' % (num(a), num(b)))
        want.append(repr(a // b))
        exprs.append('{{ %s %% %s }}' % (num(a), num(b)))
        want.append(repr(a % b))
with open(what + '.flux', 'w') as f:
    f.write('pipeline p {\n    schedule = "@daily"\n    start = "2026-11-01T00:00:00Z"\n')
    f.write('    task t : bash {\n        command = """' + ' '.join(exprs) + '"""\n    }\n}\n')
with open(what + '.want', 'w') as f:
    f.write('\n'.join(want) + '\n')
PY

cat > compare.py <<'PY'
import json, sys
what = sys.argv[1]
got = json.load(open(what + '.json'))['command'].split(' ')
want = open(what + '.want').read().split('\n')[:-1]
src = open(what + '.flux').read().split('"""')[1].split('}} ')
bad = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if g != w]
for i, g, w in bad[:10]:
    print('FAIL: %s: %s}} renders %s, Python says %s' % (what, src[i].strip(), g, w))
if len(got) != len(want):
    print('FAIL: %s: %d values rendered, %d expected' % (what, len(got), len(want)))
print('%s: %d of %d differ from Python' % (what, len(bad), len(want)))
sys.exit(1 if bad or len(got) != len(want) else 0)
PY

for what in repr ops; do
    python3 gen.py "$what"
    if flux render "$what.flux" t --date 2026-11-01 --format json > "$what.json" 2> "$what.err"; then
        if python3 compare.py "$what"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
        fi
    else
        fail=$((fail + 1))
        echo "FAIL: flux render of $what: $(head -c 2000 "$what.err")"
    fi
done
finish
