#!/usr/bin/env bash
# gen.sh HOUR — deterministic user events around one hour, as lines for
# build/kafka_produce_ts: TIMESTAMP_MS<TAB>PARTITION<TAB>JSON.
#
#   bash gen.sh 2026-11-02T10:00:00Z > events.tsv
#
# 400 events inside [HOUR, HOUR+1h) of four types (signup, login, page_view,
# purchase), each with nested fields of its own, plus:
#   - 30 events in the 10 minutes before the hour and 30 in the 10 minutes after
#     (every partition gets some after, so a sensor waiting for the hour's end
#     is satisfied), which a run of the hour must leave out;
#   - boundary events at exactly HOUR (in) and exactly HOUR+1h (out), one at
#     HOUR+1h-1ms (in);
#   - inside the hour: one message that is not JSON, one event of a fifth type
#     ("heartbeat") that no task takes, and one purchase whose amount is "n/a"
#     (it reaches the purchase file but not the table).
# The message timestamp is the event's own "ts"; the partition is user id mod 3
# (as a producer keyed by user would do). Same HOUR, same bytes.
set -euo pipefail
hour=${1:?usage: gen.sh HOUR (e.g. 2026-11-02T10:00:00Z)}
start_s=$(date -u -d "$hour" +%s)
day_s=$(date -u -d "$(date -u -d "$hour" +%F)" +%s)
day=$(date -u -d "$hour" +%F)

awk -v S="$start_s" -v D="$day_s" -v DAY="$day" '
function rnd(n) { seed = (seed * 48271) % 2147483647; return seed % n }
function iso(ms,   s, f) {                      # ms since the epoch -> ISO-8601, same day or the next
    s = int(ms / 1000); f = ms % 1000; s -= D
    if (s >= 86400 || s < 0) return "out-of-day"
    return sprintf("%sT%02d:%02d:%02d.%03dZ", DAY, int(s / 3600), int(s % 3600 / 60), s % 60, f)
}
function event(id, ms, type, user,   u, p) {
    u = sprintf("{\"id\":%d,\"country\":\"%s\"}", user, country[user % 6])
    if (type == "signup")
        p = sprintf("{\"plan\":\"%s\",\"referrer\":%s}", plan[rnd(3)], referrer[rnd(4)])
    else if (type == "login")
        p = sprintf("{\"method\":\"%s\",\"device\":{\"os\":\"%s\",\"app_version\":\"3.%d.%d\"}}",
                    method[rnd(3)], os[rnd(5)], rnd(4), rnd(10))
    else if (type == "page_view")
        p = sprintf("{\"page\":{\"path\":\"%s\",\"referrer\":null},\"duration_ms\":%d}", page[rnd(6)], 200 + rnd(30000))
    else if (type == "purchase")
        p = sprintf("{\"order\":{\"id\":\"O-%06d\",\"amount\":%d.%02d,\"currency\":\"%s\",\"items\":%d}}",
                    id, 5 + rnd(200), rnd(100), currency[rnd(2)], 1 + rnd(5))
    else
        p = "{}"
    printf "%d\t%d\t{\"event_id\":%d,\"event_type\":\"%s\",\"ts\":\"%s\",\"user\":%s,\"payload\":%s}\n",
           ms, user % 3, id, type, iso(ms), u, p
}
BEGIN {
    seed = 20261102
    split("signup login page_view purchase", t, " ")
    # weights: page_view most, signup least
    split("1 2 2 3 3 3 3 3 4 4", w, " ")
    split("FR DE NL ES IT BE", c, " "); for (i = 1; i <= 6; i++) country[i - 1] = c[i]
    split("free pro team", c, " "); for (i = 1; i <= 3; i++) plan[i - 1] = c[i]
    referrer[0] = "\"search\""; referrer[1] = "\"ads\""; referrer[2] = "\"friend\""; referrer[3] = "null"
    split("password sso magic_link", c, " "); for (i = 1; i <= 3; i++) method[i - 1] = c[i]
    split("ios android linux macos windows", c, " "); for (i = 1; i <= 5; i++) os[i - 1] = c[i]
    split("/ /pricing /docs /blog /account /checkout", c, " "); for (i = 1; i <= 6; i++) page[i - 1] = c[i]
    currency[0] = "EUR"; currency[1] = "USD"
    H = S * 1000; id = 0
    # 30 events in the 10 minutes before the hour
    for (i = 0; i < 30; i++) event(++id, H - 600000 + i * 20000 + rnd(1000), t[w[1 + rnd(10)]], 1000 + rnd(120))
    # boundary: exactly at the start (in)
    event(++id, H, "login", 1000)
    # 400 events inside the hour, every 9 s with jitter
    for (i = 0; i < 400; i++) event(++id, H + 1 + i * 9000 + rnd(8000), t[w[1 + rnd(10)]], 1000 + rnd(120))
    # one message that is not JSON, one type nobody loads, one bad purchase amount
    printf "%d\t1\t%s\n", H + 1800000, "{\"event_id\":" ++id ",\"event_type\":\"login\",\"ts\":"
    event(++id, H + 1800500, "heartbeat", 1001)
    print (H + 2400000) "\t2\t{\"event_id\":" ++id ",\"event_type\":\"purchase\",\"ts\":\"" iso(H + 2400000) \
          "\",\"user\":{\"id\":1004,\"country\":\"FR\"},\"payload\":{\"order\":{\"id\":\"O-BAD\",\"amount\":\"n/a\",\"currency\":\"EUR\",\"items\":1}}}"
    # boundary: the last millisecond (in) and exactly the end (out)
    event(++id, H + 3599999, "purchase", 1002)
    event(++id, H + 3600000, "signup", 1003)
    # 30 events in the 10 minutes after the hour, ten per partition
    for (i = 0; i < 30; i++) event(++id, H + 3600001 + i * 20000 + rnd(1000), t[w[1 + rnd(10)]], 1000 + 3 * rnd(40) + i % 3)
}'
