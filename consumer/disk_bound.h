/*
 * Bounded disk (--max-files, --max-size) for every writer of rotating
 * trace files: discond's drain of the plugin's segment (drain.c) and the
 * attach trace (attach/attach_trace.c). The oldest files of the trace are
 * removed as new ones rotate in. What each file holds per vCPU (sequence
 * and time ranges) is tracked as it is written, so the header of every new
 * file can say exactly what is gone (Header.removed, cumulative): a reader
 * then calls the trace "complete since T" (schema/discon_complete.h)
 * instead of missing its start.
 *
 * Use: discon_bound_init once; for every file, its header gets
 * discon_bound_header, then discon_bound_opened once it is created;
 * discon_bound_note for every batch and loss written into it;
 * discon_bound_rotate before the next file is opened; discon_bound_free.
 * Without a bound (max_files and max_size 0) every call does nothing.
 */
#ifndef DISCON_DISK_BOUND_H
#define DISCON_DISK_BOUND_H

#include "discon.pb-c.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one file of the trace (or one frame of the flight recorder's
 * window, drain_snapshot.c) holds of one vCPU: events and losses. */
struct discon_extent {
    bool any;
    uint64_t first_seq, end_seq, first_ns, last_ns; /* [first_seq, end_seq); CLOCK_MONOTONIC ns */
};

/* Widen e by [first_seq, end_seq) at first_ns..last_ns (first_ns 0: no time). */
void discon_extent_widen(struct discon_extent *e, uint64_t first_seq, uint64_t end_seq,
                         uint64_t first_ns, uint64_t last_ns);

/* A file of the trace still on disk. */
struct discon_kept_file {
    uint32_t index; /* Header.file_index */
    char path[4096];
    uint64_t bytes; /* once closed */
    struct discon_extent *vcpu; /* nvcpus entries */
};

struct discon_disk_bound {
    uint32_t nvcpus, max_files;     /* max_files: >= 2, 0 no bound */
    uint64_t max_size, rotate_size; /* bytes; max_size 0: no bound */
    /* the files on disk, oldest first (the last is the one being written) */
    struct discon_kept_file *kept;
    size_t nkept;
    bool any_removed;
    uint32_t removed_last_file;
    struct discon_extent *removed;        /* nvcpus entries: what the removed files held */
    Discon__Removed hdr_removed;          /* discon_bound_header's storage */
    Discon__RemovedRange *hdr_range, **hdr_ptr; /* nvcpus entries each */
};

/* At most max_files files remain (0: no bound), and the closed ones take at
 * most max_size - rotate_size bytes (0: no bound; rotate_size is the
 * writer's size per file), so with the file being written the trace stays
 * near max_size. Sequence numbers of vCPUs 0..nvcpus-1 are tracked.
 * Allocates nothing. */
void discon_bound_init(struct discon_disk_bound *b, uint32_t nvcpus, uint32_t max_files,
                       uint64_t max_size, uint64_t rotate_size);

/* A new file of index `index` was created at `path` (copied): keep track
 * of it. 0, or -1 with err (out of memory). */
int discon_bound_opened(struct discon_disk_bound *b, uint32_t index, const char *path,
                        char *err, size_t errlen);

/* Sequence numbers [first_seq, first_seq + n) of vCPU `vcpu`, times
 * first_ns..last_ns, went into the file being written. */
void discon_bound_note(struct discon_disk_bound *b, uint32_t vcpu, uint64_t first_seq,
                       uint64_t n, uint64_t first_ns, uint64_t last_ns);

/* Before the next file is opened (the full one is still open, at
 * full_bytes): remove the oldest files beyond max_files/max_size (never
 * the one being written). 0, or -1 with err (a file that cannot be removed). */
int discon_bound_rotate(struct discon_disk_bound *b, uint64_t full_bytes, char *err,
                        size_t errlen);

/* The header's record of what was removed; NULL if nothing was. The
 * storage is b's, valid until the next call. */
Discon__Removed *discon_bound_header(struct discon_disk_bound *b);

/* Free what b holds (b itself is the caller's); init it again to reuse it. */
void discon_bound_free(struct discon_disk_bound *b);

#endif
