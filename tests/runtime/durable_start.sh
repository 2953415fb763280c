#!/usr/bin/env bash
# durable_start: a runner groups the transitions of one loop iteration into
# one transaction (store.h, flux_store_group) and commits them before a
# process starts: a task finds, through another connection, its own try
# recorded and its parents' ends, even while the runner is still starting
# the rest of a wide layer in the same iteration. Each task reads the store
# first thing (sqlite3 on SQLite, the mariadb client on MariaDB) and keeps
# what it saw.
. "$(dirname "$0")/lib.sh"
n=40
cat > look.sh <<EOF2
#!/bin/sh
q="SELECT task, state FROM task_instances WHERE run = (SELECT id FROM runs WHERE run_id = '\$FLUX_RUN_ID')"
EOF2
if [ ${#DB_ARGS[@]} -eq 0 ]; then
    echo "sqlite3 -cmd '.timeout 5000' -separator ' ' \"\$FLUX_HOME/flux.db\" \"\$q\" > $T/seen-\$FLUX_TASK.txt" >> look.sh
else
    u=${FLUX_TEST_DB#*://}
    cred=${u%%@*} u=${u#*@} host=${u%%/*} dbname=${u#*/}
    echo "MYSQL_PWD='${cred#*:}' mariadb --no-defaults -N -B -h '${host%:*}' -P '${host##*:}' -u '${cred%%:*}' '$dbname' -e \"\$q\" | tr '\t' ' ' > $T/seen-\$FLUX_TASK.txt" >> look.sh
fi
chmod +x look.sh
cat > p.flux <<FLUX
pipeline durable {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "echo a" }
    {% for i in range($n) %}
    task c{{ i }} : bash { command = "$T/look.sh" }
    a >> c{{ i }}
    {% endfor %}
    task z : bash { command = "$T/look.sh" }
    {% for i in range($n) %}
    c{{ i }} >> z
    {% endfor %}
}
FLUX
flux run p.flux --date 2026-11-02 -j $n "${DB_ARGS[@]}" > out.txt 2>&1 && rc=0 || rc=$?
check "the run succeeds" 0 "$rc"
own=0 parents=0
for i in $(seq 0 $((n - 1))); do
    f=$T/seen-c$i.txt
    grep -q "^c$i " "$f" && own=$((own + 1))
    grep -qx "a success" "$f" && parents=$((parents + 1))
done
check "each of the $n tasks found its own try recorded when it started" $n $own
check "and its parent's end" $n $parents
check "the last task found every parent's end" $n "$(grep -c '^c[0-9]* success$' "$T/seen-z.txt")"
finish
