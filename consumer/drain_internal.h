/*
 * The drain engine's state, shared by its two files: drain.c (draining,
 * files) and drain_resume.c (picking up the trace after a crash). Not for
 * other users: they have drain.h.
 */
#ifndef DISCON_DRAIN_INTERNAL_H
#define DISCON_DRAIN_INTERNAL_H

#include "drain.h"
#include "trace_writer.h"

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)
#define BATCH_MAX 8192 /* events per EventBatch */

struct vcpu {
    uint64_t next_seq;    /* sequence number of the next event */
    uint64_t written;     /* events encoded into the writer (a frame pending or written) */
    uint64_t on_disk;     /* events in frames the writer has written to a file */
    uint64_t lost_inband; /* lost events already written as loss records */
    uint64_t skip_until;  /* ring records before this were written before a restart */
    uint64_t by_type[DISCON_NTYPES];         /* of the written ones */
    uint64_t by_type_on_disk[DISCON_NTYPES]; /* of the on_disk ones */
    struct discon_event *pending; /* events read, not yet encoded */
    size_t npending;
    uint64_t pending_pos;         /* ring position of pending[0] */
};

struct discon_drain {
    struct discon_segment *seg;
    struct discon_drain_config cfg;
    uint8_t trace_id[16];
    char prefix[48];
    char path[4096];
    struct discon_writer *w;
    int sync_fd;          /* the same file, for fdatasync (the writer keeps its fd) */
    uint32_t file_index;
    uint32_t files;
    uint64_t opened_ns, flushed_ns;
    uint64_t bytes_closed;
    uint32_t nvcpus;
    struct vcpu *v;
    struct discon_record buf[BATCH_MAX];
};

/* Read the trace files of this segment already in cfg.dir: set every
 * vCPU's sequence, counts and ring position to skip, cut a torn frame, and
 * pick the next file index. 0, or -1 with err. */
int discon_drain_resume(struct discon_drain *d, char *err, size_t errlen);

/* A frame reached the file: every event encoded before it is on disk. */
void discon_drain_commit(struct discon_drain *d);

#endif
