/* libFuzzer: the trace file reader on arbitrary bytes (via a memfd). */
#define _GNU_SOURCE
#include "trace_reader.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t sink; /* the decoded events are read, not just counted */

static int on_events(void *ctx, const struct discon_event *ev, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        sink += ev[i].from_pc ^ ev[i].to_pc ^ ev[i].time_ns;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("trace", 0);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    char path[64], err[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct discon_reader_ops ops = {.events = on_events};
    struct discon_read_stats st = {0};
    char *paths[] = {path};
    discon_read_paths(paths, 1, &ops, &st, err, sizeof err);
    close(fd);
    return 0;
}
