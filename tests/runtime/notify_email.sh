#!/usr/bin/env bash
# notify_email: a failure mailed through SMTP (libcurl) to a real SMTP sink
# (tests/servers/smtp_sink.c on 127.0.0.1): the envelope, the login with the
# password from password_file, the subject, the rendered template, the
# document with its key (also the Idempotency-Key and Message-ID headers),
# the secret the task printed masked and the SMTP password in no message;
# then the sink down: pending with the error, delivered once it is back.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
cc -std=c11 -D_DEFAULT_SOURCE -o smtp_sink "$here/../servers/smtp_sink.c" -lssl -lcrypto
SECRET='pw-Mail-6Wd14r'
SMTP_PW='smtp-Pass-2Hx90q'
mkdir mail
./smtp_sink port mail 2> sink.err &
sink=$!
wait_for 5 test -s port || { echo "FAIL: the sink did not start"; exit 1; }
P=$(cat port)
printf '%s\n' "$SMTP_PW" > smtp.pw
chmod 600 smtp.pw
cat > flux.yaml <<YAML
connections:
  dw: { type: mysql, host: db.invalid, user: u, password_env: DW_PW }
notifiers:
  oncall:
    type: email
    url: smtp://127.0.0.1:$P
    starttls: false
    from: flux@example.com
    to: [oncall@example.com, data@example.com]
    user: flux
    password_file: smtp.pw
    template: "{{ pipeline }}.{{ task }} is {{ state }} after try {{ try }}: {{ note }}"
YAML
cat > p.flux <<'FLUX'
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    on_failure = ["oncall"]
    task a : bash { command = "echo 'pw={{ conn.dw.password }}'; exit 4" }
}
FLUX
export DW_PW=$SECRET
flux run p.flux --date 2026-01-01 "${DB_ARGS[@]}" > run1.out 2>&1 || true
check "one message" "1" "$(ls mail | wc -l)"
m=mail/1.eml
check "the login, with the password file's password" "X-Auth: flux $SMTP_PW" "$(grep '^X-Auth:' "$m")"
check "the envelope sender" "X-Mail-From: <flux@example.com>" "$(grep '^X-Mail-From:' "$m")"
check "the recipients" "X-Rcpt-To: <oncall@example.com> <data@example.com>" "$(grep '^X-Rcpt-To:' "$m")"
check "the subject" "Subject: [flux] p a failure: manual__2026-01-01T00:00:00Z" "$(grep '^Subject:' "$m")"
check "the template's text" "p.a is failed after try 1: exit status 4: pw=***" "$(grep '^p\.a is' "$m")"
key=$(flux notifications --format json "${DB_ARGS[@]}" | jq -r '.[0].key')
check "the Idempotency-Key header" "Idempotency-Key: $key" "$(grep '^Idempotency-Key:' "$m")"
check "the document and its key" "$key" "$(grep '^{' "$m" | jq -r .key)"
check "the document's log, masked" "pw=***" "$(grep '^{' "$m" | jq -r .log)"
check "the task's secret in no message" "0" "$(grep -c -- "$SECRET" "$m" || true)"
check "the SMTP password only in the login" "1" "$(grep -c -- "$SMTP_PW" "$m")"
check "sent once" "sent 1" "$(flux notifications --format json "${DB_ARGS[@]}" | jq -r '.[0] | "\(.state) \(.attempts)"')"

kill -TERM "$sink"
wait "$sink" 2>/dev/null || true
start_bg run2.out run p.flux --date 2026-01-02 "${DB_ARGS[@]}"
runner=$BG
wait_for 20 sh -c "'$FLUX' notifications --pending --format json ${DB_ARGS[*]} | jq -e '.[0].attempts >= 2' > /dev/null" ||
    echo "FAIL: no second attempt while the sink was down"
check "pending with its error" "yes" \
    "$(flux notifications --pending --format json "${DB_ARGS[@]}" | jq -r '.[0].last_error | if test("onnect") then "yes" else . end')"
./smtp_sink port2 mail "$P" 2> sink2.err &
sink=$!
wait "$runner" || true
check "delivered once the sink is back" "2" "$(ls mail | wc -l)"
check "the second message is the second run's" "1" "$(grep -c 'manual__2026-01-02' mail/2.eml | head -1 | awk '{print ($1 > 0)}')"
check "nothing pending" "0" "$(flux notifications --pending --format json "${DB_ARGS[@]}" | jq length)"
kill -TERM "$sink"
wait "$sink" 2>/dev/null || true
finish
