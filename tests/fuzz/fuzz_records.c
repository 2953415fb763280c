/* fuzz_records — libFuzzer target for the readers of untrusted data files
 * (stdlib-ops/kit/records.c: CSV and JSON Lines) and for JSON paths
 * (stdlib-ops/kit/opkit.c), on arbitrary bytes.
 *
 * The first byte picks the reader (CSV with or without a header, JSON
 * Lines) and the second the CSV delimiter; the rest is the file, handed over
 * through a memfd so no disk is touched. The reader must turn every input
 * into records or per-record errors and reach the end: a crash, sanitizer
 * report, leak, hang or a reader that stops moving is a bug. Each record's
 * fields are also tried as JSON paths against the record. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "opkit.h"
#include "records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int fd = (int)syscall(SYS_memfd_create, "records", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data + 2, size - 2) != (ssize_t)(size - 2)) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    records_format f = data[0] % 3 == 2 ? RECORDS_JSONL : RECORDS_CSV;
    bool header = data[0] % 3 == 0;
    char delim = data[1] ? (char)data[1] : ',';
    char err[256];
    records_reader *r = records_open(path, f, header, delim, err, sizeof err);
    if (r) {
        json_t *rec;
        const char *raw;
        size_t rawlen;
        char why[256];
        int rc;
        int64_t last = -1;
        /* every call moves forward: at most one record per byte, plus the end */
        for (size_t guard = 0; guard <= size + 1; guard++) {
            rec = NULL;
            rc = records_next(r, &rec, &raw, &rawlen, why, sizeof why);
            if (rc == 0 || rc == -2)
                break;
            if (rc == 1 && json_is_object(rec)) {
                const char *k;
                json_t *v;
                json_object_foreach(rec, k, v) {
                    char perr[256];
                    if (opkit_jsonpath_check(k, perr, sizeof perr) == 0)
                        (void)opkit_jsonpath(rec, k);
                    if (json_is_string(v) && opkit_jsonpath_check(json_string_value(v), perr, sizeof perr) == 0)
                        (void)opkit_jsonpath(rec, json_string_value(v));
                }
            }
            json_decref(rec);
            if (records_bytes(r) < last)
                __builtin_trap(); /* went backwards */
            last = records_bytes(r);
        }
        records_close(r);
    }
    close(fd);
    return 0;
}
