/*
 * The trace file of an attach, written with the one writer of schema/
 * (trace_writer.h), in the same format as the plugin path: a Header that
 * says source "attach", EventBatches per vCPU, Loss records where the BPF
 * ring buffer was full, and the End record with per-vCPU totals. Files
 * rotate as the plugin path's do (PREFIX-NNNNNN.discon, trace_names.h):
 * each starts with the same Header but its file_index (and, once
 * --max-files/--max-size removed the oldest, what they held), the End
 * record goes in the last.
 */
#ifndef DISCON_ATTACH_TRACE_H
#define DISCON_ATTACH_TRACE_H

#include "attach_event.h"
#include "disk_bound.h"
#include "drain.h" /* struct discon_drain_totals, for consumer/stats.h */
#include "file_options.h"
#include "qemu_process.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct discon_attach_trace;

/* What the header says beyond the process itself, and when files rotate. */
struct discon_attach_info {
    const struct discon_qemu_process *qemu; /* must outlive the trace */
    const char *probe_desc;   /* how the probe was placed, for plugin_options (copied) */
    uint64_t attach_ns;       /* CLOCK_MONOTONIC when the probe went live */
    uint32_t ring_bytes;      /* the BPF ring buffer's size */
    /* When files rotate (rotate_size, rotate_s: checked at each flush),
     * how many stay (max_files, max_size: disk_bound.h, the plugin path's
     * bound) and whether each frame is synced (no_sync); settled
     * (discon_file_options_settle); must outlive the trace. */
    const struct discon_file_options *files;
};

/* Create DIR/trace-<realtime>-<pid>-000000.discon (exclusive) and write
 * its header. NULL with err on failure. */
struct discon_attach_trace *discon_attach_trace_open(const char *dir,
                                                     const struct discon_attach_info *info,
                                                     char *err, size_t errlen);

/* One ring-buffer record: its loss run (if any) becomes a Loss record,
 * then the event joins its vCPU's batch. 0, or -1 with err (a record
 * whose sequence number goes backwards, an unknown type, a write error). */
int discon_attach_trace_record(struct discon_attach_trace *t,
                               const struct discon_attach_record *r, char *err, size_t errlen);

/* Events seen on vCPU v so far: recorded + lost (the next sequence number). */
uint64_t discon_attach_trace_seen(const struct discon_attach_trace *t, uint32_t v);

/* Write pending batches as one frame, then start the next file if this
 * one is full or old (the next is opened before this one is closed, so a
 * failure leaves the trace writable). 0, or -1 with err. */
int discon_attach_trace_flush(struct discon_attach_trace *t, char *err, size_t errlen);

/* Finish: for each vCPU, the losses after its last record (from the BPF
 * state `final`, DISCON_ATTACH_MAX_VCPUS entries, or NULL), the End record
 * with `unrecorded`; fsync and close. 0, or -1 with err. */
int discon_attach_trace_finish(struct discon_attach_trace *t,
                               const struct discon_attach_vcpu *final, uint64_t unrecorded,
                               bool producer_finished, char *err, size_t errlen);

void discon_attach_trace_totals(const struct discon_attach_trace *t,
                                struct discon_drain_totals *totals);
/* The file being written (the first until the first rotation). */
const char *discon_attach_trace_path(const struct discon_attach_trace *t);
void discon_attach_trace_free(struct discon_attach_trace *t);

#endif
