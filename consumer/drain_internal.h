/*
 * The drain engine's state, shared by its files: drain.c (draining,
 * files), drain_resume.c (picking up the trace after a crash),
 * drain_snapshot.c (the flight recorder) and drain_end.c (end-record totals, how the guest ended). Not for other
 * users: they have drain.h.
 */
#ifndef DISCON_DRAIN_INTERNAL_H
#define DISCON_DRAIN_INTERNAL_H

#include "disk_bound.h"
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
    struct discon_event last;     /* the last event encoded (has_last) */
    bool has_last;
};

/* One compressed frame of the flight recorder's window (drain_snapshot.c),
 * and what it holds per vCPU (nvcpus entries). */
struct window_frame {
    uint8_t *bytes;
    size_t len;
    uint64_t flushed_ns; /* CLOCK_MONOTONIC, when it was made */
    struct discon_extent *vcpu;
};

/* The window: a FIFO of frames, oldest at frames[head]. */
struct flight {
    struct window_frame *frames;
    size_t head, n, cap;
    uint64_t bytes;              /* compressed, of the frames kept */
    struct discon_extent *cur;          /* what the frame being built holds */
    struct discon_extent *dropped;      /* what the dropped frames held */
    bool any_dropped;
    unsigned number;             /* of the last snapshot written */
    unsigned written;            /* snapshots written by this discond */
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
    char qemu_ended[32];  /* End.qemu_ended; "" unknown */
    uint64_t opened_ns, flushed_ns;
    uint64_t bytes_closed;
    uint32_t nvcpus;
    struct vcpu *v;
    struct discon_disk_bound bound; /* --max-files, --max-size (disk_bound.h) */
    struct flight *flight;  /* flight recorder; NULL when recording to files */
    struct discon_record buf[BATCH_MAX];
};

/* Fill h (and *clock, host[256]) with this trace's header for the file
 * d->file_index (drain.c): one header for files and snapshots. */
void discon_drain_header(struct discon_drain *d, Discon__Header *h,
                         Discon__ClockReference *clock, char *host);
/* Encode what is read, write it as a frame and release the ring slots
 * (drain.c's flush, rotation included). 0, or -1 with err. */
int discon_drain_flush(struct discon_drain *d, char *err, size_t errlen);
/* The End record's per-vCPU totals (drain_end.c), malloc'ed: *totals and
 * *ptrs of *n entries; `dropped` per vCPU from dropped[] (NULL: the
 * in-band losses). 0, or -1 (out of memory). */
int discon_drain_end_totals(const struct discon_drain *d, const uint64_t *dropped,
                            Discon__VcpuTotals **totals, Discon__VcpuTotals ***ptrs, size_t *n);

/* The End record as it stands now (drain_end.c), for the trace's end and
 * a snapshot's alike: how QEMU and the guest ended, the per-vCPU totals
 * vcpu[0..n) (borrowed), whether the producer finished, the unrecorded
 * count and the time. The caller adds what only it knows (End.snapshot). */
Discon__End discon_drain_end_record(const struct discon_drain *d, Discon__VcpuTotals **vcpu,
                                    size_t n, bool producer_finished);

/* Flight recorder (drain_snapshot.c). Make d->flight and the writer that
 * feeds it. 0, or -1 with err. */
int drain_flight_open(struct discon_drain *d, char *err, size_t errlen);
/* As discon_bound_note, for the frame being built. */
void drain_flight_note(struct discon_drain *d, uint32_t vcpu, uint64_t first_seq, uint64_t n,
                       uint64_t first_ns, uint64_t last_ns);
void drain_flight_free(struct discon_drain *d);
/* Read the trace files of this segment already in cfg.dir: set every
 * vCPU's sequence, counts and ring position to skip, cut a torn frame, and
 * pick the next file index. 0, or -1 with err. */
int discon_drain_resume(struct discon_drain *d, char *err, size_t errlen);

/* A frame reached the file: every event encoded before it is on disk. */
void discon_drain_commit(struct discon_drain *d);

#endif
