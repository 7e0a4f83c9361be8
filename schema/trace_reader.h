/*
 * The one reader of discon trace files, used by every tool. Frames are
 * decoded one at a time (memory stays bounded by the largest frame), a
 * damaged or truncated frame is reported with its offset and skipped, and
 * reading resumes at the next LZ4 frame magic. discon_read_paths also
 * checks each vCPU's sequence numbers across batches, losses and files.
 */
#ifndef DISCON_TRACE_READER_H
#define DISCON_TRACE_READER_H

#include "discon.pb-c.h"
#include "event.h"

#include <stddef.h>
#include <stdint.h>

struct discon_damage {
    const char *path;
    uint64_t offset; /* where the damaged data starts */
    uint64_t length; /* bytes skipped */
    const char *what;
};

/* Callbacks; any may be NULL. Return 0 to go on, DISCON_READ_SKIP_FILE to
 * skip the rest of the current file, or -1 to stop reading (the read then
 * fails with "stopped"). */
struct discon_reader_ops {
    void *ctx;
    int (*header)(void *ctx, const char *path, const Discon__Header *h);
    int (*events)(void *ctx, const struct discon_event *ev, size_t n); /* one vCPU, in order */
    /* The batch the events above came from, before them (ring positions). */
    int (*batch)(void *ctx, const Discon__EventBatch *b, size_t n);
    int (*loss)(void *ctx, const Discon__Loss *l);
    int (*end)(void *ctx, const Discon__End *e);
    void (*damage)(void *ctx, const struct discon_damage *d);
    /* Sequence discontinuity not explained by a loss record: got > expected
     * is missing data, got < expected is data seen twice. */
    void (*gap)(void *ctx, uint32_t vcpu, uint64_t expected, uint64_t got);
    /* After each frame: how far into the file (of `size` bytes) reading is. */
    void (*progress)(void *ctx, const char *path, uint64_t offset, uint64_t size);
};

struct discon_read_stats {
    uint64_t files, frames, damaged_frames, bytes_skipped, events, gaps;
};

enum { DISCON_READ_INTACT = 0, DISCON_READ_DAMAGED = 1, DISCON_READ_ERROR = -1 };
#define DISCON_READ_SKIP_FILE 1

/* One file, no sequence checks. */
int discon_read_file(const char *path, const struct discon_reader_ops *ops,
                     struct discon_read_stats *st, char *err, size_t errlen);

/* Files and directories (their *.discon files, by name), in order. */
int discon_read_paths(char *const *paths, int n, const struct discon_reader_ops *ops,
                      struct discon_read_stats *st, char *err, size_t errlen);

#endif
