#!/usr/bin/env bash
# gen_readings.sh — the sensor readings of the example, deterministic: lines
# TIMESTAMP_MS<TAB>PARTITION<TAB>VALUE for build/kafka_produce_ts.
#
#   bash gen_readings.sh [HOUR]         HOUR default 2026-11-02T10:00:00Z
#   bash gen_readings.sh --late [HOUR]  the file of late readings of the hour instead
#
# Eight sensors (s-01 .. s-08) on a 3.3 V rail read once a minute; sensor
# s-NN goes to partition NN % 3. Every reading of the hour is in volts
# ("unit":"V") except those of s-07 from minute 40 on: a firmware update
# makes it report millivolts ("unit":"mV", an integer). Around the hour:
# two readings of the hour before and two of the hour after (outside the
# run's interval, so never read by it), and one truncated message inside it
# (rejected by ingest). Ids are given in time order, 1, 2, 3 ...
#
# --late: the readings sensor s-09 buffered while offline, minutes 15 to 19 of
# the hour, as a sensor would upload them later: JSON lines, ids 1001 ..
set -euo pipefail
late=0
if [ "${1:-}" = --late ]; then
    late=1
    shift
fi
hour=${1:-2026-11-02T10:00:00Z}
start=$(date -u -d "$hour" +%s)
day=$(date -u -d "$hour" +%F)
midnight=$(date -u -d "$day" +%s)
# plain POSIX awk (no strftime): the hour must not be 23:00, whose next hour is another day
awk -v start="$start" -v day="$day" -v midnight="$midnight" -v late="$late" '
function iso(t,  s) { s = t - midnight; return sprintf("%sT%02d:%02d:%02dZ", day, int(s / 3600), int(s % 3600 / 60), s % 60) }
function emit(t, s, value, unit) {
    id++
    printf "%d000\t%d\t{\"id\":%d,\"sensor\":\"s-%02d\",\"ts\":\"%s\",\"value\":%s,\"unit\":\"%s\"}\n",
        t, s % 3, id, s, iso(t), value, unit
}
# a millivolt value of sensor s at minute m: 3280 .. 3320
function mv(s, m) { return 3280 + (s * 37 + m * 11) % 41 }
BEGIN {
    if (late) {
        for (m = 15; m < 20; m++)
            printf "{\"id\":%d,\"sensor\":\"s-09\",\"ts\":\"%s\",\"value\":%.3f,\"unit\":\"V\"}\n",
                986 + m, iso(start + m * 60 + 9), mv(9, m) / 1000
        exit
    }
    emit(start - 30, 1, "3.301", "V")
    emit(start - 30, 2, "3.299", "V")
    for (m = 0; m < 60; m++) {
        for (s = 1; s <= 8; s++) {
            t = start + m * 60 + s
            if (s == 7 && m >= 40)
                emit(t, s, mv(s, m), "mV")
            else
                emit(t, s, sprintf("%.3f", mv(s, m) / 1000), "V")
        }
        if (m == 29)
            printf "%d000\t2\t{\"id\":\"broken\",\"sensor\":\"s-05\",\"ts\":\n", start + m * 60 + 30
    }
    emit(start + 3600, 1, "3.300", "V")
    emit(start + 3600, 2, "3.302", "V")
}'
