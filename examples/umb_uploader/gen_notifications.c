/* gen_notifications — deterministic monitoring notifications for the
 * umb_uploader example, as lines for kafka_produce_ts:
 *
 *   gen_notifications COUNT PARTITIONS HOUR_START_EPOCH_SECONDS > lines
 *
 * Each line is TIMESTAMP_MS<TAB>PARTITION<TAB>JSON. COUNT notifications fall
 * inside the hour [start, start + 1h), evenly spaced, on partition
 * i % PARTITIONS; one more per partition just before the hour (late, passed
 * over) and one just after it (the next hour's first, which lets the Kafka
 * sensor see every partition reach the hour's end). Message i of the hour is
 * good except (kinds never overlap: their residues mod 1000 differ):
 *   i % 1000 == 7   malformed JSON (the text cut short)
 *   i % 1000 == 13  no "tenant" at all (unattributable)
 *   i % 5000 == 59  "tenant": null
 *   i % 2000 == 21  node name of 77 to 85 characters (the column holds 64)
 *   i % 2500 == 33  "time" that is not a time
 *   i % 5000 == 47  check state outside the four known ones
 * Build: cc -O2 -std=c11 -o gen_notifications gen_notifications.c */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const tenants[] = {"acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"};
static const char *const envs[] = {"prod", "staging", "dev"};
static const char *const checks[] = {"disk", "load", "ping", "http", "mem", "ntp"};

static const char *state_of(long i)
{
    long s = (i * 37 + i / 100) % 100;
    return s < 70 ? "OK" : s < 85 ? "WARNING" : s < 95 ? "CRITICAL" : "UNKNOWN";
}

/* ISO 8601 UTC with milliseconds */
static void iso(long long ms, char *out, size_t n)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%03lldZ", buf, ms % 1000);
}

/* one notification; kind 0 good, else the bad kinds above */
static int notification(char *out, size_t n, long i, long long ms, int kind)
{
    const char *tenant = tenants[(i / 7) % 8];
    const char *env = envs[(i / 3) % 3];
    const char *check = checks[(i / 11) % 6];
    const char *state = kind == 6 ? "FLAPPING" : state_of(i);
    char node[96], when[40], tenant_field[64] = "";
    if (kind == 4)
        snprintf(node, sizeof node, "%s-%s-n%03ld.%s", tenant, env, (i * 17) % 50,
                 "rack-a.row-7.datacenter-frankfurt-2.example.internal.monitoring");
    else
        snprintf(node, sizeof node, "%s-%s-n%03ld", tenant, env, (i * 17) % 50);
    if (kind == 5)
        snprintf(when, sizeof when, "yesterday afternoon");
    else
        iso(ms, when, sizeof when);
    if (kind == 2)
        tenant_field[0] = '\0';
    else if (kind == 3)
        snprintf(tenant_field, sizeof tenant_field, "\"tenant\":null,");
    else
        snprintf(tenant_field, sizeof tenant_field, "\"tenant\":\"%s\",", tenant);
    int len = snprintf(out, n,
                       "{\"source\":\"icinga2\",\"seq\":%ld,%s\"env\":\"%s\","
                       "\"node\":{\"name\":\"%s\",\"ip\":\"10.%ld.%ld.%ld\",\"labels\":{\"team\":\"ops-%ld\",\"rack\":\"r%02ld\"}},"
                       "\"check\":{\"name\":\"%s\",\"state\":\"%s\",\"attempt\":%ld,"
                       "\"output\":\"%s %s - checked by umb-agent\"},\"time\":\"%s\"}",
                       i, tenant_field, env, node, (i / 7) % 8, (i / 3) % 3, (i * 17) % 50, i % 5, i % 12, check,
                       state, 1 + i % 3, check, state, when);
    if (kind == 1)
        len /= 2; /* cut short: not JSON */
    out[len] = '\0';
    return len;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fputs("usage: gen_notifications COUNT PARTITIONS HOUR_START_EPOCH_SECONDS\n", stderr);
        return 2;
    }
    long count = strtol(argv[1], NULL, 10);
    int parts = atoi(argv[2]);
    long long start = strtoll(argv[3], NULL, 10) * 1000, hour = 3600000;
    if (count < 0 || parts < 1) {
        fputs("gen_notifications: COUNT must be >= 0 and PARTITIONS >= 1\n", stderr);
        return 2;
    }
    char msg[1024];
    for (int p = 0; p < parts; p++) { /* late: the previous hour */
        long long ms = start - 1000 + p;
        notification(msg, sizeof msg, 1000000 + p, ms, 0);
        printf("%lld\t%d\t%s\n", ms, p, msg);
    }
    for (long i = 0; i < count; i++) {
        long long ms = start + (long long)i * hour / count;
        int kind = i % 1000 == 7 ? 1 : i % 1000 == 13 ? 2 : i % 5000 == 59 ? 3 : i % 2000 == 21 ? 4
                 : i % 2500 == 33 ? 5 : i % 5000 == 47 ? 6 : 0;
        notification(msg, sizeof msg, i, ms, kind);
        printf("%lld\t%ld\t%s\n", ms, i % parts, msg);
    }
    for (int p = 0; p < parts; p++) { /* the next hour's first */
        long long ms = start + hour + p * 10;
        notification(msg, sizeof msg, 2000000 + p, ms, 0);
        printf("%lld\t%d\t%s\n", ms, p, msg);
    }
    return ferror(stdout) ? 1 : 0;
}
