/*
 * The drain engine of discond: reads every ring of an attached segment and
 * writes trace files with the one writer in schema/.
 *
 * Nothing read is lost if discond dies: ring slots are released only after
 * the frame holding their events has been written (why this suffices:
 * PROTOCOL in producer/discon_ring.h). A restarted discond reads the trace
 * files already in the directory, skips the ring records they hold,
 * truncates a frame torn by the crash, and continues the same trace in a
 * new file: nothing lost, nothing duplicated.
 */
#ifndef DISCON_DRAIN_H
#define DISCON_DRAIN_H

#include "segment_reader.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct discon_drain;

/*
 * Crash points: where a kill costs the most to get right. A test sets
 * discon_drain_config.crash_hook and ends the process inside it (_exit) to
 * be killed at exactly that point; production leaves it NULL (one
 * predictable branch per frame). The hook may also damage the file first,
 * as a kill in the middle of a write would (tests/test_drain_resume.c).
 */
enum discon_drain_point {
    DISCON_DRAIN_BEFORE_WRITE,   /* a frame's records read and encoded, not written */
    DISCON_DRAIN_AFTER_WRITE,    /* the frame written, its ring slots not released */
    DISCON_DRAIN_AFTER_RELEASE,  /* the slots released, before any rotation */
    DISCON_DRAIN_AFTER_ROTATE,   /* the next file's header written, the full file open */
};
typedef void discon_drain_hook(void *ctx, enum discon_drain_point point,
                               const struct discon_drain *d);


struct discon_drain_config {
    const char *dir;
    uint64_t flush_ns;    /* a frame at least this often */
    bool no_sync;         /* false: fdatasync after every frame (power loss
                             costs at most flush_ns plus a poll); true: the
                             kernel's writeback decides (up to ~30 s) */
    uint64_t rotate_size; /* bytes per file; 0: no size rotation */
    uint64_t rotate_ns;   /* age per file; 0: no time rotation */
    /* Bounded disk (disk_bound.h): at each rotation the oldest files are
     * removed so that at most max_files files (>= 2; 0: no bound) remain,
     * and the closed ones take at most max_size - rotate_size bytes (0: no
     * bound), so with the file being written the trace stays near
     * max_size. Every new file's header says what was removed. */
    uint32_t max_files;
    uint64_t max_size;
    /* Flight recorder (drain_snapshot.c): with either set, no file is
     * written until discon_drain_snapshot; the newest compressed frames
     * are kept in memory, the oldest whole frames dropped once they take
     * more than snapshot_bytes, or were written more than snapshot_ns
     * ago. Rotation and the disk bound do not apply. */
    uint64_t snapshot_bytes;
    uint64_t snapshot_ns;
    /* Every event, per vCPU in sequence order, as it is read from its
     * ring (the flight recorder's trap triggers: they act after the pass
     * that read it); NULL: none. ev is valid during the call only. */
    void (*on_events)(void *ctx, const struct discon_event *ev, size_t n);
    /* A loss record of vCPU `vcpu`: its trap sequence is broken there. */
    void (*on_loss)(void *ctx, uint32_t vcpu);
    void *events_ctx;
    char *const *qemu_argv; /* for the header, when known */
    int qemu_argc;
    discon_drain_hook *crash_hook; /* tests only; NULL in production */
    void *crash_ctx;
};

struct discon_drain_totals {
    uint64_t events;          /* in frames written to files */
    uint64_t unwritten;       /* read from the rings, not (yet) in a written frame */
    uint64_t by_type[DISCON_NTYPES];
    uint64_t lost;            /* dropped by the producer, as loss records */
    uint64_t bytes;           /* in all files of this trace */
    uint32_t files;
    uint64_t unrecorded;      /* events of vCPUs beyond the segment's rings */
    bool recorder;            /* a flight recorder: events are those framed into */
    uint32_t snapshots;       /* its window; snapshot files written */
    uint64_t window_bytes;    /* compressed bytes in the window now */
};

/* Start (or resume) the trace of `seg` in cfg->dir. */
struct discon_drain *discon_drain_open(struct discon_segment *seg,
                                       const struct discon_drain_config *cfg, char *err,
                                       size_t errlen);

/* One pass over every ring; writes a frame and rotates when due. Returns
 * the number of ring records read, or -1 with err. */
long discon_drain_pass(struct discon_drain *d, char *err, size_t errlen);

/* Write what is pending, trailing losses and the End record, fsync and
 * close. Call after a pass that read nothing once the producer is done.
 * A flight recorder takes what is pending and the trailing losses into
 * its window and writes nothing: discon_drain_snapshot after it writes
 * the last window. */
int discon_drain_finish(struct discon_drain *d, bool producer_finished, char *err,
                        size_t errlen);

/* Flight recorder: write what was read (a frame at once, so the window
 * ends here) and the window kept in memory as a new snapshot file in
 * cfg.dir (trace_names.h: PREFIX-snapNNNNNN.discon, written under a
 * temporary name, fsynced, then renamed; never over another file). It
 * is a trace of its own (its id is the recording's with the snapshot
 * number xor-ed into the first four bytes, which tools print): a header whose `removed`
 * says, per vCPU, the sequence and time ranges that preceded the
 * window (file index 1, files 0..0 removed; index 0 and nothing removed
 * while nothing was dropped yet), the frames, and an end record with the
 * totals at this point and End.snapshot = trigger ("usr1", "exit",
 * "fault-loop", "double-trap"). The recording goes on. Its path goes to
 * path[0..pathlen) and the events it holds to *events. 0, or -1 with err
 * (nothing is lost from the window). */
int discon_drain_snapshot(struct discon_drain *d, const char *trigger, bool producer_finished,
                          char *path, size_t pathlen, uint64_t *events, char *err,
                          size_t errlen);
/* Whether d is a flight recorder (cfg.snapshot_bytes or snapshot_ns). */
bool discon_drain_is_recorder(const struct discon_drain *d);
/* The window now: frames and their compressed bytes. */
void discon_drain_window(const struct discon_drain *d, size_t *frames, uint64_t *bytes);

/* How QEMU ended ("exit N", "signal N"), for the End record; before
 * discon_drain_finish. */
void discon_drain_set_qemu_ended(struct discon_drain *d, const char *how);

void discon_drain_totals(const struct discon_drain *d, struct discon_drain_totals *t);
/* When (CLOCK_MONOTONIC ns) the next frame is due: records read and not yet
 * written wait at most the flush interval. UINT64_MAX if none are waiting. */
uint64_t discon_drain_flush_due(const struct discon_drain *d);
/* Path of the file being written (or last written). */
const char *discon_drain_path(const struct discon_drain *d);
void discon_drain_free(struct discon_drain *d);

#endif
