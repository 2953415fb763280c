#!/usr/bin/env bash
# notify_tls: notifications over TLS to real servers with a certificate of a
# private CA (made here with openssl): email with STARTTLS (smtp://, the
# default) and with TLS at once (smtps://), a webhook over HTTPS, each
# trusting the CA through ca_file (relative to flux.yaml's folder). Refused,
# with a reason that says what to fix: a server that offers no STARTTLS
# (the login never crosses the wire in the clear), a certificate of another
# CA, of none the system trusts or for another host name, a ca_file that
# cannot be read. starttls takes only true or false. A password file that is
# a FIFO stalls nothing: it is refused as not a regular file.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
cc -std=c11 -D_DEFAULT_SOURCE -o smtp_sink "$here/../servers/smtp_sink.c" -lssl -lcrypto
SMTP_PW='smtp-Tls-8Kq27v'

# a private CA, a server certificate it signed for 127.0.0.1, and another CA
mkdir certs
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout certs/ca.key -out certs/ca.pem -days 2 -subj /CN=flux-test-ca 2> /dev/null
openssl req -x509 "${ec[@]}" -keyout certs/other.key -out certs/other.pem -days 2 -subj /CN=other-ca 2> /dev/null
openssl req "${ec[@]}" -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2> /dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > srv.ext
openssl x509 -req -in srv.csr -CA certs/ca.pem -CAkey certs/ca.key -CAcreateserial -days 2 -extfile srv.ext \
    -out srv.pem 2> /dev/null
check "the server certificate is the CA's" "srv.pem: OK" "$(openssl verify -CAfile certs/ca.pem srv.pem 2>&1)"

mkdir mail-st mail-tls mail-plain
./smtp_sink port-st mail-st --starttls srv.pem srv.key 2> st.err &
./smtp_sink port-tls mail-tls --tls srv.pem srv.key 2> tls.err &
./smtp_sink port-plain mail-plain 2> plain.err &
hook_server port-hook --tls srv.pem srv.key
for f in port-st port-tls port-plain; do
    wait_for 5 test -s $f || { echo "FAIL: the sink of $f did not start"; exit 1; }
done
PST=$(cat port-st) PTLS=$(cat port-tls) PPLAIN=$(cat port-plain) PHOOK=$(cat port-hook)
export SMTP_PW

mail() { # NAME URL [MORE SETTINGS]: an email notifier
    printf '  %s:\n    type: email\n    url: %s\n    from: flux@example.com\n    to: oncall@example.com\n' "$1" "$2"
    printf '    user: flux\n    password_env: SMTP_PW\n'
    shift 2
    local s
    for s in "$@"; do printf '    %s\n' "$s"; done
}
{
    echo "notifiers:"
    mail starttls "smtp://127.0.0.1:$PST" "ca_file: certs/ca.pem"
    mail smtps "smtps://127.0.0.1:$PTLS" "ca_file: $T/certs/ca.pem"
    mail plain "smtp://127.0.0.1:$PPLAIN" "ca_file: certs/ca.pem" "max_attempts: 1"
    mail other_ca "smtp://127.0.0.1:$PST" "ca_file: certs/other.pem" "max_attempts: 1"
    mail system_ca "smtp://127.0.0.1:$PST" "max_attempts: 1"
    mail no_file "smtp://127.0.0.1:$PST" "ca_file: certs/missing.pem" "max_attempts: 1"
    mail wrong_name "smtp://localhost:$PST" "ca_file: certs/ca.pem" "max_attempts: 1"
    printf '  fifo_pw:\n    type: email\n    url: smtp://127.0.0.1:%s\n    ca_file: certs/ca.pem\n' "$PST"
    printf '    from: f@example.com\n    to: t@example.com\n    user: u\n    password_file: pw.fifo\n    max_attempts: 1\n'
    printf '  hook:\n    type: webhook\n    url: https://127.0.0.1:%s/h\n    ca_file: certs/ca.pem\n' "$PHOOK"
    printf '  hook_system_ca:\n    type: webhook\n    url: https://127.0.0.1:%s/h\n    max_attempts: 1\n' "$PHOOK"
} > flux.yaml
{
    echo 'pipeline p {'
    echo '    schedule = "@daily"'
    echo '    start = "2026-01-01T00:00:00Z"'
    for n in starttls smtps plain other_ca system_ca no_file wrong_name fifo_pw hook hook_system_ca; do
        printf '    task t_%s : bash {\n        command = "exit 2"\n        on_failure = ["%s"]\n    }\n' "$n" "$n"
    done
    echo '}'
} > p.flux
mkfifo pw.fifo
chmod 600 pw.fifo
timeout 60 "$FLUX" check p.flux > check.out 2>&1 && rc=0 || rc=$?
check "flux check passes (a FIFO for a password file stalls nothing)" 0 "$rc"
[ "$rc" -eq 0 ] || cat check.out
timeout 120 "$FLUX" run p.flux --date 2026-01-01 "${DB_ARGS[@]}" > run.out 2>&1 && rc=0 || rc=$?
check "the run ends (its tasks failed)" 1 "$rc"
flux notifications --format json "${DB_ARGS[@]}" > notes.json
state() { jq -r --arg n "$1" '.[] | select(.notifier == $n) | .state' notes.json; }
error() { jq -r --arg n "$1" '.[] | select(.notifier == $n) | .last_error // ""' notes.json; }

check "STARTTLS: sent" sent "$(state starttls)"
check "STARTTLS: one message" 1 "$(ls mail-st | wc -l)"
check "STARTTLS: the message came over TLS" "X-TLS: TLSv1.3" "$(grep '^X-TLS:' mail-st/1.eml)"
check "STARTTLS: the login came over TLS" "X-Auth: flux $SMTP_PW" "$(grep '^X-Auth:' mail-st/1.eml)"
check "STARTTLS: asked for, then the login over TLS" "plain STARTTLS,tls EHLO,tls AUTH PLAIN" \
    "$(sed -n 's/^smtp_sink: //p' st.err | grep -A2 'plain STARTTLS' | grep -B2 'tls AUTH' | paste -sd,)"
check "smtps: sent" sent "$(state smtps)"
check "smtps: the message came over TLS" "X-TLS: TLSv1.3" "$(grep '^X-TLS:' mail-tls/1.eml)"
check "smtps: the session was TLS" "tls EHLO" "$(sed -n 's/^smtp_sink: //p' tls.err | head -1)"
check "webhook over HTTPS: sent" sent "$(state hook)"
check "webhook over HTTPS: received once" 1 "$(wc -l < hooks.jsonl)"

check "no STARTTLS offered: failed" failed "$(state plain)"
check "no STARTTLS offered: says so" yes "$(error plain | grep -q 'STARTTLS not supported' && echo yes || error plain)"
check "no STARTTLS offered: no login, no message in the clear" "plain EHLO" \
    "$(sed -n 's/^smtp_sink: //p' plain.err | grep -v QUIT | sort -u | paste -sd,)"
check "no STARTTLS offered: nothing received" 0 "$(ls mail-plain | wc -l)"
check "another CA: failed" failed "$(state other_ca)"
check "another CA: says why" yes \
    "$(error other_ca | grep -q 'SSL certificate problem: unable to get local issuer certificate' && echo yes || error other_ca)"
check "the system's CAs: failed" failed "$(state system_ca)"
check "the system's CAs: says why" yes "$(error system_ca | grep -q 'SSL certificate problem' && echo yes || error system_ca)"
check "webhook, the system's CAs: failed" failed "$(state hook_system_ca)"
check "webhook, the system's CAs: says why" yes \
    "$(error hook_system_ca | grep -q 'SSL certificate problem' && echo yes || error hook_system_ca)"
check "another host name: failed" failed "$(state wrong_name)"
check "another host name: says so, naming no host" \
    "SSL peer certificate or SSH remote key was not OK: the certificate is not for the host of the notifier's URL" \
    "$(error wrong_name)"
check "a FIFO for a password file: failed" failed "$(state fifo_pw)"
check "a FIFO for a password file: says why" yes \
    "$(error fifo_pw | grep -q "password file 'pw.fifo' of notifier 'fifo_pw': it is not a regular file" && echo yes || error fifo_pw)"
line=$(grep -n 'certs/missing.pem' flux.yaml | cut -d: -f1)
check "an unreadable ca_file: failed" failed "$(state no_file)"
check "an unreadable ca_file: where and why" \
    "flux.yaml:$line:14: cannot read ca_file 'certs/missing.pem' of notifier 'no_file': No such file or directory" \
    "$(error no_file)"
check "STARTTLS sink: no login ever in the clear" 0 "$(grep -c '^smtp_sink: plain AUTH' st.err || true)"
check "the SMTP password in no reply of flux" 0 "$(cat run.out notes.json | grep -c -- "$SMTP_PW" || true)"

# starttls: only true or false (a "no" taken for true would be a surprise)
mkdir bad
sed 's/^    ca_file: certs\/ca.pem$/    starttls: "no"/' flux.yaml > bad/flux.yaml
cp p.flux bad/
mkfifo bad/pw.fifo
bl=$(grep -n 'starttls: "no"' bad/flux.yaml | head -1 | cut -d: -f1)
(cd bad && "$FLUX" check p.flux > ../bad.out 2>&1) && rc=0 || rc=$?
check "starttls: \"no\" is refused (compile errors)" 3 "$rc"
check "starttls: \"no\": where and why" \
    "flux.yaml:$bl:15: error: starttls of notifier 'starttls' must be true or false, found 'no'" \
    "$(grep -m1 'error:' bad.out | sed 's/ \[[a-z-]*\]$//')"
check "starttls: \"no\": the fix" "help: starttls: true (the default) or starttls: false" "$(grep -m1 -o 'help: .*' bad.out)"

# a ca_file where nothing is encrypted: a warning, the check passes
mkdir warn
{
    echo "notifiers:"
    printf '  h:\n    type: webhook\n    url: http://127.0.0.1:%s/h\n    ca_file: certs/ca.pem\n' "$PHOOK"
} > warn/flux.yaml
cp p.flux warn/
sed -i 's/on_failure = \["[a-z_]*"\]/on_failure = ["h"]/' warn/p.flux
(cd warn && "$FLUX" check p.flux > ../warn.out 2>&1) && rc=0 || rc=$?
check "a webhook's ca_file on http://: the check passes" 0 "$rc"
check "  with a warning" "flux.yaml:5:5: warning: ca_file of notifier 'h' has no effect: it sends without TLS" \
    "$(grep '^flux.yaml:5:' warn.out | sed 's/ \[[a-z-]*\]$//')"

mkdir ok
sed '0,/^    ca_file: certs\/ca.pem$/s//    starttls: True/' flux.yaml > ok/flux.yaml
cp p.flux ok/
(cd ok && "$FLUX" check p.flux > ../ok.out 2>&1) && rc=0 || rc=$?
check "starttls: True (YAML's other spelling) is taken" 0 "$rc"

kill -TERM $(jobs -rp) 2> /dev/null || true
wait 2> /dev/null || true
finish
