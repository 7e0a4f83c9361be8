/*
 * The flight recorder of discond (--snapshot SIZE|SECONDS): the drain's
 * writer hands its compressed frames here instead of to a file; the
 * newest are kept in a FIFO bounded by bytes or age, the oldest whole
 * frames dropped. A trigger writes the window as a snapshot file that is
 * a trace of its own: a header saying what preceded the window (in
 * Header.removed, so every reader calls it "complete since T", as it
 * does a trace bounded by --max-files), the frames as they are, and an
 * end record with the totals at the trigger.
 *
 * Why whole compressed frames: each is a self-contained LZ4 frame of
 * whole packets (trace_writer.h), so a window of them is readable as is,
 * memory is the compressed size, and a snapshot costs one write.
 */
#define _GNU_SOURCE
#include "drain_internal.h"
#include "discon_clock.h"
#include "trace_names.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The oldest frame leaves the window: what it held joins what was dropped. */
static void drop_oldest(struct discon_drain *d)
{
    struct flight *f = d->flight;
    struct window_frame *w = &f->frames[f->head];
    for (uint32_t i = 0; i < d->nvcpus; i++)
        if (w->vcpu[i].any)
            discon_extent_widen(&f->dropped[i], w->vcpu[i].first_seq, w->vcpu[i].end_seq,
                               w->vcpu[i].first_ns, w->vcpu[i].last_ns);
    f->any_dropped = true;
    f->bytes -= w->len;
    free(w->bytes);
    free(w->vcpu);
    f->head = (f->head + 1) % f->cap;
    f->n--;
}

/* Bound the window: bytes, then age as of `now`. */
static void trim(struct discon_drain *d, uint64_t now)
{
    struct flight *f = d->flight;
    while (f->n && d->cfg.snapshot_bytes && f->bytes > d->cfg.snapshot_bytes)
        drop_oldest(d);
    while (f->n && d->cfg.snapshot_ns && now - f->frames[f->head].flushed_ns > d->cfg.snapshot_ns)
        drop_oldest(d);
}

static int nomem(char *err, size_t errlen)
{
    snprintf(err, errlen, "out of memory for the snapshot window");
    return -DISCON_E_NOMEM;
}

/* The writer's sink: keep a copy of the frame, with what it holds. */
static int keep_frame(void *ctx, const uint8_t *frame, size_t len, char *err, size_t errlen)
{
    struct discon_drain *d = ctx;
    struct flight *f = d->flight;
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 64;
        struct window_frame *fr = malloc(cap * sizeof *fr);
        if (!fr)
            return nomem(err, errlen);
        for (size_t i = 0; i < f->n; i++)
            fr[i] = f->frames[(f->head + i) % f->cap];
        free(f->frames);
        f->frames = fr;
        f->head = 0;
        f->cap = cap;
    }
    struct window_frame w = {.bytes = malloc(len), .len = len,
                             .flushed_ns = discon_clock_ns(CLOCK_MONOTONIC), .vcpu = f->cur};
    struct discon_extent *cur = calloc(d->nvcpus, sizeof *cur);
    if (!w.bytes || !cur) {
        free(w.bytes);
        free(cur);
        return nomem(err, errlen);
    }
    memcpy(w.bytes, frame, len);
    f->cur = cur; /* the next frame's */
    f->frames[(f->head + f->n) % f->cap] = w;
    f->n++;
    f->bytes += len;
    trim(d, w.flushed_ns);
    return 0;
}

int drain_flight_open(struct discon_drain *d, char *err, size_t errlen)
{
    struct flight *f = d->flight;
    f->cur = calloc(d->nvcpus, sizeof *f->cur);
    f->dropped = calloc(d->nvcpus, sizeof *f->dropped);
    if (!f->cur || !f->dropped)
        return FAIL("out of memory");
    snprintf(d->path, sizeof d->path, "%s (no snapshot yet)", d->cfg.dir);
    d->opened_ns = discon_clock_ns(CLOCK_MONOTONIC);
    d->w = discon_writer_create_sink(keep_frame, d, err, errlen);
    return d->w ? 0 : -1;
}

void drain_flight_note(struct discon_drain *d, uint32_t vcpu, uint64_t first_seq, uint64_t n,
                       uint64_t first_ns, uint64_t last_ns)
{
    if (vcpu < d->nvcpus)
        discon_extent_widen(&d->flight->cur[vcpu], first_seq, first_seq + n, first_ns, last_ns);
}

bool discon_drain_is_recorder(const struct discon_drain *d) { return d->flight != NULL; }

void discon_drain_window(const struct discon_drain *d, size_t *frames, uint64_t *bytes)
{
    *frames = d->flight ? d->flight->n : 0;
    *bytes = d->flight ? d->flight->bytes : 0;
}

/* Header.removed: per vCPU what the dropped frames held. NULL if nothing
 * was dropped; r and its arrays are the caller's (nvcpus entries). */
static Discon__Removed *dropped_record(const struct discon_drain *d, Discon__Removed *r,
                                       Discon__RemovedRange *range, Discon__RemovedRange **ptr)
{
    const struct flight *f = d->flight;
    if (!f->any_dropped)
        return NULL;
    discon__removed__init(r);
    r->last_file = 0;
    r->vcpu = ptr;
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        const struct discon_extent *e = &f->dropped[i];
        if (!e->any)
            continue;
        Discon__RemovedRange *v = &range[r->n_vcpu];
        discon__removed_range__init(v);
        v->vcpu = i;
        v->first_seq = e->first_seq;
        v->end_seq = e->end_seq;
        v->first_time_ns = e->first_ns;
        v->last_time_ns = e->last_ns;
        ptr[r->n_vcpu++] = v;
    }
    return r;
}

struct snapshot {
    const char *trigger;
    bool producer_finished;
    uint64_t events;
};

/* Write the header, the window's frames and the end record to w. */
static int write_window(struct discon_drain *d, struct discon_writer *w, const struct snapshot *s,
                        char *err, size_t errlen)
{
    struct flight *f = d->flight;
    Discon__RemovedRange *range = calloc(d->nvcpus, sizeof *range);
    Discon__RemovedRange **ptr = calloc(d->nvcpus, sizeof *ptr);
    Discon__VcpuTotals *totals = NULL, **tptrs = NULL;
    size_t ntotals = 0;
    int rc = 0;
    if (!range || !ptr || discon_drain_end_totals(d, NULL, &totals, &tptrs, &ntotals) != 0)
        rc = FAIL("out of memory");
    char host[256];
    Discon__ClockReference clock;
    Discon__Header h;
    Discon__Removed removed;
    uint8_t id[sizeof d->trace_id];
    uint32_t file_index = d->file_index;
    d->file_index = f->any_dropped ? 1 : 0;
    discon_drain_header(d, &h, &clock, host);
    d->file_index = file_index;
    memcpy(id, d->trace_id, sizeof id);
    for (int k = 0; k < 4; k++) /* in the 8 bytes tools print: told apart */
        id[k] ^= (uint8_t)(f->number >> (8 * k));
    h.trace_id = (ProtobufCBinaryData){sizeof id, id};
    h.removed = dropped_record(d, &removed, range, ptr);
    if (rc == 0)
        rc = discon_writer_header(w, &h, err, errlen);
    for (size_t i = 0; i < f->n && rc == 0; i++) {
        const struct window_frame *fr = &f->frames[(f->head + i) % f->cap];
        rc = discon_writer_frame(w, fr->bytes, fr->len, err, errlen);
    }
    if (rc == 0) {
        Discon__End e = discon_drain_end_record(d, tptrs, ntotals, s->producer_finished);
        e.snapshot = (char *)s->trigger;
        rc = discon_writer_end(w, &e, err, errlen);
    }
    free(range);
    free(ptr);
    free(totals);
    free(tptrs);
    return rc;
}

/* The snapshot's final name: the first free number, never over a file
 * (link refuses an existing name). 0, or -1 with err. */
static int publish(struct discon_drain *d, const char *tmp, char *path, size_t pathlen,
                   char *err, size_t errlen)
{
    for (;;) {
        char name[256];
        discon_snapshot_file_name(name, sizeof name, d->prefix, d->flight->number);
        snprintf(path, pathlen, "%s/%s", d->cfg.dir, name);
        if (link(tmp, path) == 0)
            break;
        if (errno != EEXIST)
            return FAIL("cannot name the snapshot %s: %s", path, strerror(errno));
        d->flight->number++; /* a snapshot of an earlier discond on this trace */
    }
    unlink(tmp);
    int dir = open(d->cfg.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = dir >= 0 && fsync(dir) == 0 ? 0 : FAIL("cannot sync directory %s: %s", d->cfg.dir,
                                                     strerror(errno));
    if (dir >= 0)
        close(dir);
    return rc;
}

int discon_drain_snapshot(struct discon_drain *d, const char *trigger, bool producer_finished,
                          char *path, size_t pathlen, uint64_t *events, char *err,
                          size_t errlen)
{
    if (!d->flight)
        return FAIL("not a flight recorder");
    if (discon_drain_flush(d, err, errlen) != 0)
        return -1;
    trim(d, discon_clock_ns(CLOCK_MONOTONIC));
    struct flight *f = d->flight;
    f->number++;
    char name[256], tmp[4400];
    discon_snapshot_file_name(name, sizeof name, d->prefix, f->number);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", d->cfg.dir, name);
    unlink(tmp); /* left by a discond killed while writing one */
    struct discon_writer *w = discon_writer_create(tmp, err, errlen);
    if (!w)
        return -1;
    struct snapshot s = {trigger, producer_finished, 0};
    int rc = write_window(d, w, &s, err, errlen);
    if (discon_writer_close(w, true, err, rc == 0 ? errlen : 0) != 0)
        rc = -1;
    if (rc == 0)
        rc = publish(d, tmp, path, pathlen, err, errlen);
    if (rc != 0) {
        unlink(tmp);
        return -1;
    }
    *events = 0;
    for (size_t i = 0; i < f->n; i++) {
        const struct window_frame *fr = &f->frames[(f->head + i) % f->cap];
        for (uint32_t v = 0; v < d->nvcpus; v++)
            if (fr->vcpu[v].any)
                *events += fr->vcpu[v].end_seq - fr->vcpu[v].first_seq;
    }
    snprintf(d->path, sizeof d->path, "%s", path);
    f->written++;
    return 0;
}

void drain_flight_free(struct discon_drain *d)
{
    struct flight *f = d->flight;
    if (!f)
        return;
    while (f->n) {
        struct window_frame *w = &f->frames[f->head];
        free(w->bytes);
        free(w->vcpu);
        f->head = (f->head + 1) % f->cap;
        f->n--;
    }
    free(f->frames);
    free(f->cur);
    free(f->dropped);
    free(f);
    d->flight = NULL;
}
