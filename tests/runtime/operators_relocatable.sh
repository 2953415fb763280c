#!/usr/bin/env bash
# operators_relocatable: a plan names each operator of one's own by its
# manifest's path relative to flux.yaml's directory, so the same tree
# compiled (or deployed) in two directories gives byte-identical plans, and
# `flux reference --operators` prints no path of the machine; a run of the
# plan resolves that path against the flux.yaml it reads, so the tree may
# move after compiling; deploy reads the operators as compile does.
. "$(dirname "$0")/lib.sh"
mkdir -p tree/operators/count
cat > tree/operators/count/operator.yaml <<'YAML'
name: count
kind: transfer
description: prints the counts it is given
executable: count.sh
params:
  line: {type: string, required: true}
YAML
cat > tree/operators/count/count.sh <<'SH'
#!/bin/sh
echo "$(jq -r .line "$1")"
SH
chmod +x tree/operators/count/count.sh
echo 'connections: {}' > tree/flux.yaml
cat > tree/p.flux <<'FLUX'
pipeline moved {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task t : count { line = "::counts read=1 written=1 rejected=0 bytes=1" }
}
FLUX
mkdir -p one deep/er
cp -R tree one/tree
cp -R tree deep/er/tree
(cd one/tree && flux compile p.flux -o - > "$T/plan1.yaml" 2>&1)
(cd deep/er/tree && flux compile p.flux -o - > "$T/plan2.yaml" 2>&1)
check "the plan names the manifest relative to flux.yaml" '    path: "operators/count/operator.yaml"' \
    "$(grep 'operator.yaml' plan1.yaml)"
check "the same tree in two directories: the same plan bytes" same \
    "$(cmp -s plan1.yaml plan2.yaml && echo same || diff plan1.yaml plan2.yaml)"
(cd one/tree && flux reference --operators > "$T/ref1.md" 2>&1)
(cd deep/er/tree && flux reference --operators > "$T/ref2.md" 2>&1)
check "the reference names the manifest relative to flux.yaml" 'Manifest: `operators/count/operator.yaml`.' \
    "$(grep '^Manifest:' ref1.md)"
check "the same reference in both, with no path of the machine" "same 0" \
    "$(cmp -s ref1.md ref2.md && echo same || echo differ) $(grep -c "$T" ref1.md || true)"

# deploy reads the operators too, and the two deploys publish one plan id
for d in one deep/er; do
    (cd "$d/tree" && FLUX_HOME=$T/$d/home flux deploy . > "$T/$d/deploy.txt" 2>&1) || cat "$d/deploy.txt"
done
id() { FLUX_HOME=$T/$1/home flux versions moved --format json | jq -r '.[0].plan'; }
check "deploy compiles a pipeline of an operator of one's own" "1 deployed, 0 unchanged, 0 files with errors, 0 removed" \
    "$(tail -1 one/deploy.txt)"
check "both deploys publish the same plan id" "$(id one) 64" "$(id deep/er) $(id one | tr -d "\n" | wc -c)"

# the plan runs after the tree moved: its operator is found from flux.yaml
(cd one/tree && flux compile p.flux -o plans > /dev/null 2>&1)
mv one/tree moved
mkdir moved/sub
(cd moved/sub && flux run ../plans/moved.plan.yaml --date 2026-11-02 "${DB_ARGS[@]}" > "$T/run.txt" 2>&1) && rc=0 || rc=$?
check "a run of the plan from the moved tree" "0 success" "$rc $(state_of "$(last_run)" t)"
[ "$rc" = 0 ] || cat run.txt
echo '# changed' >> moved/operators/count/count.sh
(cd moved && flux run plans/moved.plan.yaml --date 2026-11-03 "${DB_ARGS[@]}" > "$T/run2.txt" 2>&1) && rc=0 || rc=$?
check "a changed operator is still refused" "3 1" \
    "$rc $(grep -c "operator 'count' changed since the plan was compiled (operators/count/operator.yaml)" run2.txt)"
finish
