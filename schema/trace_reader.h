/*
 * The one reader of discon trace files, used by every tool. Frames are
 * decoded one at a time (memory stays bounded by the largest frame), a
 * damaged or truncated frame is reported with its offset and skipped, and
 * reading resumes at the next LZ4 frame magic. discon_read_paths also
 * checks each vCPU's sequence numbers across batches, losses and files.
 *
 * Errors: see discon_error.h. The read functions return one of
 * enum discon_read_result (>= 0: the files were read) or -DISCON_E_x.
 */
#ifndef DISCON_TRACE_READER_H
#define DISCON_TRACE_READER_H

#include "discon.pb-c.h"
#include "discon_error.h"
#include "event.h"

#include <stddef.h>
#include <stdint.h>

/* A stretch of a file that was skipped. Handed to the damage callback;
 * the struct and its strings are valid only during that call. */
struct discon_damage {
    const char *path;
    uint64_t offset; /* bytes from the file's start to the damaged data */
    uint64_t length; /* bytes skipped, up to the next frame magic or the end */
    const char *what; /* why, one line of English */
    int code;        /* DISCON_E_DAMAGED, DISCON_E_TOO_LARGE, DISCON_E_BAD_BATCH
                        or DISCON_E_NOMEM (positive); DISCON_E_EMPTY from
                        discon_read_paths: a 0-byte file, skipped whole */
};

/* What a callback returns. Any other non-zero value stops like
 * DISCON_READ_STOP. */
enum discon_callback_result {
    DISCON_READ_CONTINUE = 0,
    DISCON_READ_SKIP_FILE = 2, /* skip the rest of the current file, without damage */
    DISCON_READ_STOP = -1,     /* stop: the read returns -DISCON_E_STOPPED */
};

/* Callbacks; any may be NULL. `ctx` is passed to each. Every pointer a
 * callback receives (path, header, events, batch, loss, end, damage) is
 * owned by the reader and valid only during that call: copy what you keep.
 * Callbacks run in file order, packets in file order.
 * ABI: callers allocate this struct, so a new callback is appended at the
 * end and comes with a new soname (libdiscon-trace.so.N+1). */
struct discon_reader_ops {
    void *ctx;
    /* A file's header packet (the first packet of every file). */
    int (*header)(void *ctx, const char *path, const Discon__Header *h);
    /* n >= 1 decoded events of one vCPU, consecutive sequence numbers, in
     * order; times are CLOCK_MONOTONIC ns of the producer. */
    int (*events)(void *ctx, const struct discon_event *ev, size_t n);
    /* The batch the next `events` call comes from (its n events), before
     * them: for ring positions and the encoded columns. */
    int (*batch)(void *ctx, const Discon__EventBatch *b, size_t n);
    /* Events the producer dropped (count events from first_seq). */
    int (*loss)(void *ctx, const Discon__Loss *l);
    /* The trace's end record (per-vCPU totals). */
    int (*end)(void *ctx, const Discon__End *e);
    /* A damaged stretch was skipped; reading goes on after it. */
    void (*damage)(void *ctx, const struct discon_damage *d);
    /* Sequence discontinuity not explained by a loss record (only from
     * discon_read_paths): got > expected is missing data, got < expected is
     * data seen twice. Not checked across a file whose header callback
     * returned DISCON_READ_SKIP_FILE (the caller did not see its events). */
    void (*gap)(void *ctx, uint32_t vcpu, uint64_t expected, uint64_t got);
    /* After each intact frame: how far into the file (of `size` bytes)
     * reading is, in bytes. */
    void (*progress)(void *ctx, const char *path, uint64_t offset, uint64_t size);
};

/* Totals of a read; the read functions add to them (zero it first). */
struct discon_read_stats {
    uint64_t files;          /* files opened and recognised as traces */
    uint64_t frames;         /* intact frames */
    uint64_t damaged_frames; /* damaged stretches skipped (damage callbacks) */
    uint64_t bytes_skipped;  /* bytes in those stretches */
    uint64_t events;         /* events decoded (delivered or not) */
    uint64_t gaps;           /* gap callbacks */
};

/* What a read that did not fail returns. Distinct from the callbacks'
 * DISCON_READ_SKIP_FILE: a skipped file is not damage. These are results,
 * not error codes: never pass them to discon_strerror(). */
enum discon_read_result {
    DISCON_READ_INTACT = 0,  /* every byte decoded */
    DISCON_READ_DAMAGED = 1, /* something was skipped (damage callbacks said what) */
};

/* Read one file, without sequence checks (no gap callbacks).
 * Returns DISCON_READ_INTACT, DISCON_READ_DAMAGED, or
 *   -DISCON_E_IO        cannot open, stat or map the file
 *   -DISCON_E_EMPTY     the file has 0 bytes
 *   -DISCON_E_NOT_TRACE not a regular file, too short, or no LZ4 frame at offset 0
 *                       (an SQLite database, such as trace2sqlite writes, too:
 *                       the message then says so and what reads it)
 *   -DISCON_E_NOMEM     no memory for the decoder
 *   -DISCON_E_INVALID   path, ops or st is NULL (every callback in ops may be NULL)
 *   -DISCON_E_STOPPED   a callback returned DISCON_READ_STOP (or another value
 *                       that is neither 0 nor DISCON_READ_SKIP_FILE)
 * with a message naming the file in err[0..errlen) (errlen may be 0).
 * `st` must not be NULL. */
int discon_read_file(const char *path, const struct discon_reader_ops *ops,
                     struct discon_read_stats *st, char *err, size_t errlen);

/* Read files and directories (a directory: its *.discon files), in the
 * order the trace was written whatever the order given: every file's
 * header is read first and the files are sorted by trace (clock
 * reference, then trace id) and by Header.file_index (trace_order.h), so
 * a name or `ls -t` order changes nothing. Sequence continuity is checked
 * per vCPU. A 0-byte file is skipped and reported to `damage` (code
 * DISCON_E_EMPTY); the read then counts as damaged.
 * Returns the worst of the files' results (DISCON_READ_DAMAGED over
 * DISCON_READ_INTACT), or the first error, after which nothing more is
 * read: the codes of discon_read_file (-DISCON_E_INVALID also for NULL
 * paths with n > 0), and -DISCON_E_EMPTY for a directory
 * without *.discon files, -DISCON_E_IO for a path that cannot be stat'ed
 * or listed (checked before any file is read). */
int discon_read_paths(char *const *paths, int n, const struct discon_reader_ops *ops,
                      struct discon_read_stats *st, char *err, size_t errlen);

#endif
