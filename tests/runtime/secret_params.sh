#!/usr/bin/env bash
# secret_params: a param named as a secret (api_token here) is masked like a
# password wherever its value would show: the task's log, its rendered
# fields in the store, flux render and dry-run, and a
# --param error; a param with another name is shown as it is.
. "$(dirname "$0")/lib.sh"
cat > p.flux <<'FLUX'
pipeline sp {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    params {
        api_token = "default-secret-value"
        limit     = 5
        region    = "eu-west"
    }
    task show : bash { command = "echo token={{ params.api_token }} region={{ params.region }}" }
}
FLUX
flux run p.flux --date 2026-11-02 --param api_token=TOPSECRET-4711 "${DB_ARGS[@]}" > run.txt 2>&1 && rc=0 || rc=$?
check "the run succeeds" 0 "$rc"
run=$(last_run)
log=$(flux logs "$run" show "${DB_ARGS[@]}")
check "the log masks the secret param" "token=*** region=eu-west" "$log"
rendered=$(flux tasks "$run" --format json "${DB_ARGS[@]}" | jq -c '.task_instances[0].rendered')
check "the stored rendered fields mask it" 0 "$(grep -c TOPSECRET <<<"$rendered")"
check "and show the other param" 1 "$(grep -c eu-west <<<"$rendered")"
flux render p.flux show --date 2026-11-02 --param api_token=TOPSECRET-4711 > render.txt 2>&1 || true
check "flux render masks it" "0 yes" "$(grep -c TOPSECRET render.txt) $(grep -q '\*\*\*' render.txt && echo yes || echo no)"
flux dry-run p.flux --date 2026-11-02 > dry.txt 2>&1 || true
check "dry-run masks the default" 0 "$(grep -c default-secret-value dry.txt)"
flux run p.flux --date 2026-11-03 --param api_token=5 --param limit=TOPSECRET-4711 "${DB_ARGS[@]}" > bad.txt 2>&1 || true
check "a wrongly typed non-secret param is quoted in the error" 1 "$(grep -c "param 'limit' is an integer; 'TOPSECRET-4711' is not" bad.txt)"
cat > q.flux <<'FLUX'
pipeline sq {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    params { db_password = 1 }
    task show : bash { command = "true" }
}
FLUX
flux run q.flux --date 2026-11-02 --param db_password=TOPSECRET-4711 "${DB_ARGS[@]}" > bad2.txt 2>&1 || true
check "a wrongly typed secret param is not" "0 1" "$(grep -c TOPSECRET bad2.txt) $(grep -c "param 'db_password' is a secret" bad2.txt)"
check "no file under FLUX_HOME holds the secret" 0 "$(grep -rla TOPSECRET "$FLUX_HOME" 2>/dev/null | wc -l)"
finish
