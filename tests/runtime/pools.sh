#!/usr/bin/env bash
# pools: tasks of a pool never run more at once than its slots (flux.yaml),
# while tasks outside it use the other slots; max_active_tasks caps -j.
. "$(dirname "$0")/lib.sh"
cat > flux.yaml <<'YAML'
pools:
  db: 1
YAML
{
echo 'pipeline pooled {'
echo '    schedule = "@daily"'
echo '    start    = "2026-11-01T00:00:00Z"'
for i in 1 2 3 4; do
    echo "    task db_$i : bash {"
    echo "        command = \"echo start >> db.log; sleep 0.2; echo end >> db.log\""
    echo "        pool = \"db\""
    echo "    }"
    echo "    task free_$i : bash { command = \"echo start >> free.log; sleep 0.2; echo end >> free.log\" }"
done
echo '}'
} > p.flux
flux run p.flux --date 2026-11-02 -j 4 "${DB_ARGS[@]}" > out.txt && rc=0 || rc=$?
check "run succeeded" 0 "$rc"
# with one slot, db tasks never overlap: the log alternates start/end
check "db pool never overlaps" "start end start end start end start end" "$(tr '\n' ' ' < db.log | sed 's/ $//')"
overlap=$(awk '/start/ { n++; if (n > m) m = n } /end/ { n-- } END { print m }' free.log)
check "tasks outside the pool run in parallel" yes "$([ "$overlap" -ge 2 ] && echo yes || echo "no ($overlap)")"
finish
