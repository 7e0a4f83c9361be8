#define _GNU_SOURCE
#include "drain_internal.h"
#include "frame_sync.h"
#include "discon_clock.h"
#include "trace_names.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- files ---------------------------------------------------------------- */

static const char *mode_name(uint32_t mode)
{
    return mode == DISCON_MODE_DROP ? "drop" : "block";
}

/* For power loss (frame_sync.h), unless --no-sync. 0, or -1 with err. */
static int open_sync(struct discon_drain *d, char *err, size_t errlen)
{
    return d->cfg.no_sync ? 0 : discon_frame_sync_open(&d->sync_fd, d->path, d->cfg.dir, err, errlen);
}

void discon_drain_header(struct discon_drain *d, Discon__Header *h,
                         Discon__ClockReference *clock, char *host)
{
    const struct discon_layout *l = &d->seg->layout;
    host[0] = '\0';
    gethostname(host, 255);
    host[255] = '\0';
    discon__clock_reference__init(clock);
    clock->monotonic_ns = l->clock_monotonic_ns;
    clock->realtime_ns = l->clock_realtime_ns;
    discon__header__init(h);
    h->format_version = DISCON_FORMAT_VERSION;
    h->trace_id = (ProtobufCBinaryData){sizeof d->trace_id, d->trace_id};
    h->file_index = d->file_index;
    h->target = (char *)l->target;
    h->vcpu_count = l->vcpu_capacity;
    h->system_mode = (l->flags & DISCON_FLAG_SYSTEM) != 0;
    h->host_name = host;
    h->n_qemu_argv = (size_t)d->cfg.qemu_argc;
    h->qemu_argv = (char **)d->cfg.qemu_argv;
    h->plugin_options = (char *)l->options;
    h->clock = clock;
    h->ring_capacity = l->ring_capacity;
    h->mode = (char *)mode_name(l->mode);
    h->types = l->types;
    h->producer_pid = l->producer_pid;
}

static int open_file(struct discon_drain *d, char *err, size_t errlen)
{
    if (d->flight) /* a flight recorder writes files at snapshots only */
        return drain_flight_open(d, err, errlen);
    char name[256];
    discon_trace_file_name(name, sizeof name, d->prefix, d->file_index);
    snprintf(d->path, sizeof d->path, "%s/%s", d->cfg.dir, name);
    d->w = discon_writer_create(d->path, err, errlen);
    if (!d->w)
        return -1;
    char host[256];
    Discon__ClockReference clock;
    Discon__Header h;
    discon_drain_header(d, &h, &clock, host);
    h.removed = discon_bound_header(&d->bound);
    d->opened_ns = discon_clock_ns(CLOCK_MONOTONIC);
    if (discon_writer_header(d->w, &h, err, errlen) != 0 || open_sync(d, err, errlen) != 0 ||
        discon_bound_opened(&d->bound, d->file_index, d->path, err, errlen) != 0)
        return -1;
    d->files++;
    return 0;
}

static int close_file(struct discon_drain *d, char *err, size_t errlen)
{
    discon_frame_sync_close(&d->sync_fd);
    d->bytes_closed += discon_writer_bytes(d->w);
    int rc = discon_writer_close(d->w, true, err, errlen);
    d->w = NULL;
    return rc;
}

/* ---- draining -------------------------------------------------------------- */

struct discon_drain *discon_drain_open(struct discon_segment *seg,
                                       const struct discon_drain_config *cfg, char *err,
                                       size_t errlen)
{
    struct discon_drain *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    d->seg = seg;
    d->cfg = *cfg;
    d->sync_fd = -1;
    d->nvcpus = seg->layout.vcpu_capacity;
    d->v = calloc(d->nvcpus, sizeof *d->v);
    if (cfg->snapshot_bytes || cfg->snapshot_ns) {
        d->flight = calloc(1, sizeof *d->flight);
        d->cfg.rotate_size = d->cfg.rotate_ns = 0; /* one window, never rotated */
        d->cfg.max_files = 0;
        d->cfg.max_size = 0;
        d->cfg.no_sync = true; /* frames go to memory; a snapshot is synced whole */
    }
    discon_bound_init(&d->bound, d->nvcpus, d->cfg.max_files, d->cfg.max_size,
                      d->cfg.rotate_size);
    if (!d->v || ((cfg->snapshot_bytes || cfg->snapshot_ns) && !d->flight)) {
        free(d->flight);
        free(d);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* The trace id comes from the segment, so a restarted discond finds the
     * files of the same trace: producer start time and pid. */
    const struct discon_layout *l = &seg->layout;
    uint64_t rt = l->clock_realtime_ns, mono = l->clock_monotonic_ns;
    uint32_t pid = (uint32_t)l->producer_pid;
    memcpy(d->trace_id, &rt, 8);
    memcpy(d->trace_id + 8, &pid, 4);
    memcpy(d->trace_id + 12, &mono, 4);
    snprintf(d->prefix, sizeof d->prefix, "trace-%016llx-%u", (unsigned long long)rt, pid);
    if (discon_drain_resume(d, err, errlen) != 0 || open_file(d, err, errlen) != 0) {
        discon_drain_free(d);
        return NULL;
    }
    d->flushed_ns = discon_clock_ns(CLOCK_MONOTONIC);
    return d;
}

void discon_drain_commit(struct discon_drain *d)
{
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        struct vcpu *v = &d->v[i];
        v->on_disk = v->written;
        memcpy(v->by_type_on_disk, v->by_type, sizeof v->by_type);
    }
}

/* The writer writes a frame by itself when a packet would take the pending
 * one past its target, before taking the packet: if the file grew during a
 * packet call, everything encoded before that call is in the file. */
static void commit_if_written(struct discon_drain *d, uint64_t bytes_before)
{
    if (discon_writer_bytes(d->w) != bytes_before)
        discon_drain_commit(d);
}

/* What went into the file (or frame) being written, for the disk bound
 * and the flight recorder's window. */
static void note(struct discon_drain *d, uint32_t vcpu, uint64_t first_seq, uint64_t n,
                 uint64_t first_ns, uint64_t last_ns)
{
    if (d->flight)
        drain_flight_note(d, vcpu, first_seq, n, first_ns, last_ns);
    else
        discon_bound_note(&d->bound, vcpu, first_seq, n, first_ns, last_ns);
}

static int encode_pending(struct discon_drain *d, struct vcpu *v, char *err, size_t errlen)
{
    if (v->npending == 0)
        return 0;
    uint64_t bytes = discon_writer_bytes(d->w);
    if (discon_writer_events(d->w, v->pending, v->npending, v->pending_pos, err, errlen) != 0)
        return -1;
    commit_if_written(d, bytes);
    note(d, (uint32_t)(v - d->v), v->pending[0].seq, v->npending, v->pending[0].time_ns,
         v->pending[v->npending - 1].time_ns);
    for (size_t i = 0; i < v->npending; i++)
        v->by_type[discon_type_index(v->pending[i].type)]++; /* checked in take() */
    v->last = v->pending[v->npending - 1];
    v->has_last = true;
    v->written += v->npending;
    v->npending = 0;
    return 0;
}

/* A loss record, with the same bookkeeping of frames written meanwhile. */
static int write_loss(struct discon_drain *d, const Discon__Loss *l, char *err, size_t errlen)
{
    uint64_t bytes = discon_writer_bytes(d->w);
    if (discon_writer_loss(d->w, l, err, errlen) != 0)
        return -1;
    commit_if_written(d, bytes);
    note(d, l->vcpu, l->first_seq, l->count, l->first_time_ns, l->last_time_ns);
    if (d->cfg.on_loss)
        d->cfg.on_loss(d->cfg.events_ctx, l->vcpu);
    return 0;
}

static void crash_point(const struct discon_drain *d, enum discon_drain_point point)
{
    if (__builtin_expect(d->cfg.crash_hook != NULL, 0))
        d->cfg.crash_hook(d->cfg.crash_ctx, point, d);
}

/* Encode everything read, write it as a frame, then free the ring slots. */
int discon_drain_flush(struct discon_drain *d, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < d->nvcpus; i++)
        if (encode_pending(d, &d->v[i], err, errlen) != 0)
            return -1;
    crash_point(d, DISCON_DRAIN_BEFORE_WRITE);
    if (discon_writer_flush(d->w, err, errlen) != 0)
        return -1;
    discon_drain_commit(d);
    crash_point(d, DISCON_DRAIN_AFTER_WRITE);
    for (uint32_t i = 0; i < d->nvcpus; i++)
        discon_ring_release(&d->seg->rings[i]);
    crash_point(d, DISCON_DRAIN_AFTER_RELEASE);
    /* Synced after the release, so a vCPU waiting for room in block mode
     * does not wait for the device too. */
    if (discon_frame_sync(d->sync_fd, d->path, err, errlen) != 0)
        return -1;
    uint64_t now = discon_clock_ns(CLOCK_MONOTONIC);
    d->flushed_ns = now;
    bool by_size = d->cfg.rotate_size && discon_writer_bytes(d->w) >= d->cfg.rotate_size;
    bool by_age = d->cfg.rotate_ns && now - d->opened_ns >= d->cfg.rotate_ns;
    if (by_size || by_age) {
        /* Open the next file first: if that fails, the current one stays
         * open and the trace can still be finished in it. */
        struct discon_writer *full = d->w;
        char full_path[sizeof d->path];
        memcpy(full_path, d->path, sizeof full_path);
        int full_sync = d->sync_fd;
        if (discon_bound_rotate(&d->bound, discon_writer_bytes(full), err, errlen) != 0)
            return -1;
        d->file_index++;
        if (open_file(d, err, errlen) != 0) {
            if (d->sync_fd != full_sync)
                discon_frame_sync_close(&d->sync_fd);
            d->sync_fd = full_sync;
            if (d->w && d->w != full) {
                char ignore[16];
                discon_writer_close(d->w, false, ignore, sizeof ignore);
                unlink(d->path);
            }
            d->w = full;
            memcpy(d->path, full_path, sizeof d->path);
            d->file_index--;
            return -1;
        }
        crash_point(d, DISCON_DRAIN_AFTER_ROTATE);
        if (full_sync >= 0)
            close(full_sync); /* the full file is fsynced on close below */
        d->bytes_closed += discon_writer_bytes(full);
        return discon_writer_close(full, true, err, errlen);
    }
    return 0;
}

static int take(struct discon_drain *d, uint32_t vcpu, const struct discon_record *r,
                uint64_t pos, char *err, size_t errlen)
{
    struct vcpu *v = &d->v[vcpu];
    if (discon_pos_before(pos, v->skip_until))
        return 0; /* written by the discond before a restart */
    if (r->type == DISCON_RECORD_LOSS) {
        if (encode_pending(d, v, err, errlen) != 0)
            return -1;
        Discon__Loss l = DISCON__LOSS__INIT;
        l.vcpu = vcpu;
        l.first_seq = v->next_seq;
        l.count = r->from_pc;
        l.first_time_ns = r->time_ns;
        l.last_time_ns = r->to_pc;
        l.ring_end = pos + 1;
        v->next_seq += l.count;
        v->lost_inband += l.count;
        return write_loss(d, &l, err, errlen);
    }
    if (discon_type_index(r->type) < 0)
        return FAIL("vCPU %u: record at ring position %llu has unknown type %u", vcpu,
                    (unsigned long long)pos, r->type);
    uint8_t has = r->has; /* read once: the slot is shared memory */
    if (has & ~DISCON_HAS_ALL)
        return FAIL("vCPU %u: record at ring position %llu has unknown cause bits 0x%x", vcpu,
                    (unsigned long long)pos, has);
    if (v->npending == 0) {
        if (!v->pending && !(v->pending = malloc(BATCH_MAX * sizeof *v->pending)))
            return FAIL("out of memory");
        v->pending_pos = pos;
    }
    v->pending[v->npending++] = (struct discon_event){
        .seq = v->next_seq++, .time_ns = r->time_ns, .from_pc = r->from_pc, .to_pc = r->to_pc,
        .vcpu = vcpu, .type = r->type, .has = has,
        /* A field without its bit is 0 (event.h), whatever the slot says. */
        .cause = has & DISCON_HAS_CAUSE ? r->cause : 0,
        .fault_addr = has & DISCON_HAS_FAULT_ADDR ? r->fault_addr : 0,
        .syscall = has & DISCON_HAS_SYSCALL ? r->syscall : 0,
        .to_level = has & DISCON_HAS_TO_LEVEL ? r->to_level : 0,
        .from_level = has & DISCON_HAS_FROM_LEVEL ? r->from_level : 0,
    };
    if (d->cfg.on_events) /* as read: a trigger acts after this very pass */
        d->cfg.on_events(d->cfg.events_ctx, &v->pending[v->npending - 1], 1);
    return v->npending == BATCH_MAX ? encode_pending(d, v, err, errlen) : 0;
}

/* Bytes pending that make a frame: a flight recorder's frames are small
 * beside its window (a quarter of it before compression, some 1/10 to
 * 1/20 after), so dropping the oldest whole one costs little of it. */
static size_t frame_target(const struct discon_drain *d)
{
    uint64_t quarter = d->cfg.snapshot_bytes / 4;
    return d->flight && quarter && quarter < DISCON_FRAME_TARGET ? (size_t)quarter
                                                                : DISCON_FRAME_TARGET;
}

long discon_drain_pass(struct discon_drain *d, char *err, size_t errlen)
{
    long total = 0;
    bool ring_filling = false;
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        struct discon_ring_reader *ring = &d->seg->rings[i];
        long n;
        do {
            n = discon_ring_peek(ring, d->buf, BATCH_MAX, err, errlen);
            if (n < 0)
                return -1;
            uint64_t pos = ring->read - (uint64_t)n;
            for (long k = 0; k < n; k++)
                if (take(d, i, &d->buf[k], pos + (uint64_t)k, err, errlen) != 0)
                    return -1;
            total += n;
        } while (n == BATCH_MAX && ring->read - ring->tail < ring->capacity / 2);
        /* Unreleased slots block the producer: write them out soon. */
        ring_filling |= ring->read - ring->tail >= ring->capacity / 2;
    }
    uint64_t now = discon_clock_ns(CLOCK_MONOTONIC);
    if (ring_filling || now - d->flushed_ns >= d->cfg.flush_ns ||
        discon_writer_pending(d->w) >= frame_target(d))
        if (discon_drain_flush(d, err, errlen) != 0)
            return -1;
    return total;
}

/* Encode what is pending and write the losses after each vCPU's last
 * record (no marker in the ring for them); the producer's drop counts
 * into dropped[]. 0, or -1 with err. */
static int trailing(struct discon_drain *d, uint64_t *dropped, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        struct vcpu *v = &d->v[i];
        if (encode_pending(d, v, err, errlen) != 0)
            return -1;
        dropped[i] = discon_ring_dropped(&d->seg->rings[i]);
        if (dropped[i] > v->lost_inband) {
            Discon__Loss l = DISCON__LOSS__INIT;
            l.vcpu = i;
            l.first_seq = v->next_seq;
            l.count = dropped[i] - v->lost_inband;
            v->next_seq += l.count;
            if (write_loss(d, &l, err, errlen) != 0)
                return -1;
        }
    }
    return 0;
}

int discon_drain_finish(struct discon_drain *d, bool producer_finished, char *err,
                        size_t errlen)
{
    if (!d->w)
        return FAIL("no trace file is open");
    uint64_t *dropped = calloc(d->nvcpus, sizeof *dropped);
    if (!dropped)
        return FAIL("out of memory");
    int rc = trailing(d, dropped, err, errlen);
    if (rc == 0 && d->flight) { /* into the window; the snapshot writes the end */
        free(dropped);
        return discon_drain_flush(d, err, errlen);
    }
    Discon__VcpuTotals *totals = NULL, **ptrs = NULL;
    size_t used = 0;
    if (rc == 0 && discon_drain_end_totals(d, dropped, &totals, &ptrs, &used) != 0)
        rc = FAIL("out of memory");
    if (rc == 0) {
        Discon__End e = discon_drain_end_record(d, ptrs, used, producer_finished);
        rc = discon_writer_end(d->w, &e, err, errlen);
    }
    free(totals);
    free(ptrs);
    free(dropped);
    if (rc == 0)
        rc = discon_writer_flush(d->w, err, errlen);
    if (rc == 0)
        discon_drain_commit(d);
    if (rc == 0)
        for (uint32_t i = 0; i < d->nvcpus; i++)
            discon_ring_release(&d->seg->rings[i]);
    if (close_file(d, err, rc == 0 ? errlen : 0) != 0 && rc == 0)
        rc = -1;
    return rc;
}

const char *discon_drain_path(const struct discon_drain *d) { return d->path; }

uint64_t discon_drain_flush_due(const struct discon_drain *d)
{
    /* Read but unreleased ring records are exactly the ones not yet in a
     * written frame: flush() releases every ring after each frame. */
    for (uint32_t i = 0; i < d->nvcpus; i++)
        if (d->seg->rings[i].read != d->seg->rings[i].tail)
            return d->flushed_ns + d->cfg.flush_ns;
    return UINT64_MAX;
}

void discon_drain_set_qemu_ended(struct discon_drain *d, const char *how)
{
    snprintf(d->qemu_ended, sizeof d->qemu_ended, "%s", how);
}

void discon_drain_free(struct discon_drain *d)
{
    if (!d)
        return;
    discon_frame_sync_close(&d->sync_fd);
    if (d->w) {
        char err[16];
        discon_writer_close(d->w, false, err, sizeof err);
    }
    for (uint32_t i = 0; i < d->nvcpus; i++)
        free(d->v[i].pending);
    free(d->v);
    discon_bound_free(&d->bound);
    drain_flight_free(d);
    free(d);
}
