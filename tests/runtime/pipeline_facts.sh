#!/usr/bin/env bash
# pipeline_facts: a pipeline's description, owner and tags are shown by
# flux status (JSON and text) from the plan its last run used, and --tag
# keeps only the pipelines that carry the tag; a plan stored before these
# facts were kept (no plan_meta row) still shows them, read from its text.
. "$(dirname "$0")/lib.sh"
write() { # NAME OWNER TAGS DESCRIPTION
    cat > "$1.flux" << EOF2
pipeline $1 {
    schedule    = "@daily"
    start       = "2026-11-01T00:00:00Z"
    description = "$4"
    owner       = "$2"
    tags        = $3
    task t : bash { command = "true" }
}
EOF2
}
write sales finance '["daily", "mysql"]' 'sales of the day: \"net\" and gross'
write clicks web '["hourly"]' 'clicks'
cat > bare.flux << 'EOF2'
pipeline bare {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task t : bash { command = "true" }
}
EOF2
for p in sales clicks bare; do flux run "$p.flux" --date 2026-11-02 -q "${DB_ARGS[@]}" > /dev/null; done

st=$(flux status --format json "${DB_ARGS[@]}")
facts() { jq -c --arg p "$1" '.pipelines[] | select(.pipeline == $p) | [.description, .owner, .tags]' <<< "$st"; }
check "sales: description, owner, tags" '["sales of the day: \"net\" and gross","finance",["daily","mysql"]]' "$(facts sales)"
check "clicks: description, owner, tags" '["clicks","web",["hourly"]]' "$(facts clicks)"
check "a pipeline without them: null, null, []" '[null,null,[]]' "$(facts bare)"

check "--tag mysql: only sales" '["sales"]' \
    "$(flux status --tag mysql --format json "${DB_ARGS[@]}" | jq -c '[.pipelines[].pipeline]')"
check "--tag nothing: none" '[]' \
    "$(flux status --tag nothing --format json "${DB_ARGS[@]}" | jq -c '[.pipelines[].pipeline]')"
text=$(flux status --tag daily "${DB_ARGS[@]}")
check "text: owner and tags columns" 1 "$(grep -cE '^sales .* finance +daily,mysql$' <<< "$text")"
check "text: the other pipelines filtered out" 0 "$(grep -cE '^(clicks|bare) ' <<< "$text")"
check "text, one pipeline: its description first" 1 \
    "$(flux status sales "${DB_ARGS[@]}" | grep -cxF 'sales: sales of the day: "net" and gross')"

# the last run's plan decides: a new version with other tags moves it
write sales finance '["weekly"]' 'sales, weekly now'
flux run sales.flux --date 2026-11-03 -q "${DB_ARGS[@]}" > /dev/null
check "a new plan's tags replace the old" '["sales"]' \
    "$(flux status --tag weekly --format json "${DB_ARGS[@]}" | jq -c '[.pipelines[].pipeline]')"

# one entry per pipeline, in the order of its newest run, with its counts
check "pipelines by newest run, with their runs counted" '[["sales",2,2],["bare",1,1],["clicks",1,1]]' \
    "$(flux status --format json "${DB_ARGS[@]}" | jq -c '[.pipelines[] | [.pipeline, .runs, .succeeded]]')"

# a store written before plan_meta: the facts come from the plan's text
sql "DELETE FROM plan_meta"
check "without plan_meta rows: read from the plan" '["clicks","web",["hourly"]]' \
    "$(flux status --format json "${DB_ARGS[@]}" | jq -c '.pipelines[] | select(.pipeline == "clicks") | [.description, .owner, .tags]')"
finish
