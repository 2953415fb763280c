/* fuzz_report — libFuzzer target for what the runner reads back from a
 * finished task's report file (stdlib-ops/kit/opreport.c
 * flux_op_read_report_fd): `::output`, `::counts`, `::lineage`, `::reason`,
 * `::refused`, `::last`, `::log_dropped` and `::end` lines among anything
 * else, on arbitrary bytes. flux-wrap writes the file from the task's
 * untrusted output: the reader must take what is well formed, ignore the
 * rest, and never crash, leak or hang. What it hands back must be JSON
 * (outputs an object, lineage an array). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = (int)syscall(SYS_memfd_create, "log", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    flux_op_report r;
    if (flux_op_read_report_fd(fd, INT64_MAX, &r) == 0) {
        json_t *o = json_loads(r.outputs_json, 0, NULL), *l = json_loads(r.lineage_json, 0, NULL);
        if (!json_is_object(o) || !json_is_array(l))
            __builtin_trap();
        if ((r.has_counts && (r.read < 0 || r.written < 0 || r.rejected < 0 || r.bytes < 0)) || r.log_dropped < 0)
            __builtin_trap();
        json_decref(o);
        json_decref(l);
    }
    flux_op_report_free(&r);
    close(fd);
    return 0;
}
