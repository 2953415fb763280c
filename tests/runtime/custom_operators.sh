#!/usr/bin/env bash
# custom_operators: operators of one's own at run time. A transfer whose
# counts do not reconcile fails, as one that prints no ::counts; a remote
# operator's fields file holds its parameters (the manifest's defaults
# filled in), its run, and the password of the connection it names but of
# no other, and no password reaches the store or a log; a sensor's exit 100
# and 101 poke again, any other status fails; a run of a compiled plan uses
# the operator the plan names and refuses one changed since.
. "$(dirname "$0")/lib.sh"
mkdir -p operators/{count,dump,probe}
cat > operators/count/operator.yaml <<'YAML'
name: count
kind: transfer
description: prints the counts it is given
executable: count.sh
params:
  line: {type: string, required: true}
YAML
cat > operators/count/count.sh <<'SH'
#!/bin/sh
line=$(jq -r .line "$1")
[ -z "$line" ] || echo "$line"
SH
cat > operators/dump/operator.yaml <<'YAML'
name: dump
kind: remote
executable: dump.sh
connections: [mysql, sqlite]
params:
  conn: {type: connection, required: true}
  to: {type: path, required: true, templated: true}
  level: {type: enum, values: [low, high], default: high}
  tries: {type: int, default: 3}
YAML
cat > operators/dump/dump.sh <<'SH'
#!/bin/sh
cp "$1" "$(jq -r .to "$1")"
echo "::output run=$(jq -r .__run.run_id "$1")"
SH
cat > operators/probe/operator.yaml <<'YAML'
name: probe
kind: sensor
executable: probe.sh
params:
  script: {type: string, required: true}
YAML
cat > operators/probe/probe.sh <<'SH'
#!/bin/sh
# the statuses to exit with, one per poke, in a file named by script
f=$(jq -r .script "$1")
n=$(cat "$f.n" 2>/dev/null || echo 0)
n=$((n + 1)); echo "$n" > "$f.n"
exit "$(sed -n "${n}p" "$f")"
SH
chmod +x operators/*/*.sh
export OTHER_PW=Sekr1t-other-77 WH_PW=Sekr1t-wh-55
cat > flux.yaml <<'YAML'
connections:
  wh: {type: mysql, host: 127.0.0.1, user: u, database: d, password_env: WH_PW}
  other: {type: mysql, host: 127.0.0.1, user: u, database: d, password_env: OTHER_PW}
YAML
printf '100\n101\n0\n' > ok.codes
printf '100\n7\n' > bad.codes
cat > p.flux <<'FLUX'
pipeline own {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task balanced : count { line = "::counts read=3 written=2 rejected=1 bytes=9" }
    task unbalanced : count { line = "::counts read=3 written=1 rejected=1 bytes=9" }
    task silent : count { line = "" }
    task d : dump {
        conn = "wh"
        to   = "{{ ds }}.fields.json"
    }
    task wait_ok : probe {
        script        = "ok.codes"
        poke_interval = 1s
    }
    task wait_bad : probe {
        script        = "bad.codes"
        poke_interval = 1s
    }
}
FLUX
flux run p.flux --date 2026-11-02 "${DB_ARGS[@]}" > out.txt 2>&1 || true
run=$(last_run)
note() { flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r --arg t "$1" '[.task_instances[] | select(.task == $t)] | last | .note'; }
check "a transfer whose counts reconcile succeeds" success "$(state_of "$run" balanced)"
check "one whose counts do not fails" "failed|counts do not reconcile: read 3 != written 1 + rejected 1" \
    "$(state_of "$run" unbalanced)|$(note unbalanced)"
check "one that prints no counts fails" "failed|a transfer must print ::counts read=R written=W rejected=J before it exits" \
    "$(state_of "$run" silent)|$(note silent)"
check "a remote operator succeeds, its output stored" "success manual__2026-11-02T00:00:00Z" \
    "$(state_of "$run" d) $(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -r '.task_instances[] | select(.task == "d") | .outputs.run')"
f=2026-11-02.fields.json
check "its fields: parameters, defaults, run" "wh high 3 own d 1" \
    "$(jq -r '"\(.conn) \(.level) \(.tries) \(.__run.pipeline) \(.__run.task) \(.__run.try)"' "$f")"
check "the password of the connection it names" "$WH_PW" "$(jq -r '.__conns.defined.wh.password' "$f")"
check "and no other connection" "wh" "$(jq -r '.__conns.defined | keys | join(",")' "$f")"
check "the other password nowhere in the fields" 0 "$(grep -c "$OTHER_PW" "$f" || true)"
check "no password in the store or a log" 0 \
    "$(grep -rlaF -e "$WH_PW" -e "$OTHER_PW" "$FLUX_HOME" out.txt 2>/dev/null | wc -l)"
check "a sensor pokes again after 100 and 101, then succeeds" "success 3" "$(state_of "$run" wait_ok) $(cat ok.codes.n)"
check "any other exit status fails it" "failed 2" "$(state_of "$run" wait_bad) $(cat bad.codes.n)"

# a compiled plan runs the operator it names, and refuses one changed since
cat > q.flux <<'FLUX'
pipeline planned {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task t : count { line = "::counts read=1 written=1 rejected=0 bytes=1" }
}
FLUX
flux compile q.flux -o plans > /dev/null
mkdir elsewhere
(cd elsewhere && flux run ../plans/planned.plan.yaml --date 2026-11-02 "${DB_ARGS[@]}" > ../plan1.txt 2>&1) && rc=0 || rc=$?
check "a run of the plan from another directory uses its operator" "0 success" \
    "$rc $(state_of "$(last_run)" t)"
echo '# changed' >> operators/count/count.sh
(cd elsewhere && flux run ../plans/planned.plan.yaml --date 2026-11-03 "${DB_ARGS[@]}" > ../plan2.txt 2>&1) && rc=0 || rc=$?
check "a changed operator is refused" "3 1" "$rc $(grep -c "operator 'count' changed since the plan was compiled" plan2.txt)"
finish
