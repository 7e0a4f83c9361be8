/* Several trace files and directories: read in the order they were
 * written (trace_order.h), checking each vCPU's sequence continuity across
 * batches, losses and files. */
#define _GNU_SOURCE
#include "trace_order.h"
#include "trace_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write the message and return the negated code. */
#define FAIL(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

struct continuity {
    const struct discon_reader_ops *user;
    struct discon_read_stats *st;
    uint8_t trace_id[16];
    size_t trace_id_len;
    uint64_t *next_seq; /* per vCPU; UINT64_MAX = no baseline yet */
    uint32_t nvcpus;
    uint64_t baseline;  /* next_seq of a vCPU not seen yet */
    int nomem;          /* tracking ran out of memory: the stop is that, not the user's */
};

static int track(struct continuity *c, uint32_t vcpu, uint64_t first, uint64_t count)
{
    if (vcpu >= 65536)
        return 0; /* absurd vCPU number: the batch is still delivered, unchecked */
    if (vcpu >= c->nvcpus) {
        uint32_t n = vcpu + 1;
        uint64_t *s = realloc(c->next_seq, n * sizeof *s);
        if (!s) {
            c->nomem = 1;
            return DISCON_READ_STOP;
        }
        for (uint32_t i = c->nvcpus; i < n; i++)
            s[i] = c->baseline;
        c->next_seq = s;
        c->nvcpus = n;
    }
    uint64_t want = c->next_seq[vcpu];
    if (want != UINT64_MAX && want != first) {
        c->st->gaps++;
        if (c->user->gap)
            c->user->gap(c->user->ctx, vcpu, want, first);
    }
    c->next_seq[vcpu] = first + count;
    return 0;
}

static int on_header(void *ctx, const char *path, const Discon__Header *h)
{
    struct continuity *c = ctx;
    /* The first file of a trace: every vCPU starts at sequence 0, so even
     * a lost first batch shows. A later file alone sets no baseline. */
    size_t len = h->trace_id.len < sizeof c->trace_id ? h->trace_id.len : sizeof c->trace_id;
    int new_trace = len != c->trace_id_len ||
                    (len && memcmp(h->trace_id.data, c->trace_id, len) != 0);
    if (new_trace || h->file_index == 0) {
        c->trace_id_len = len;
        if (len)
            memcpy(c->trace_id, h->trace_id.data, len);
        c->baseline = h->file_index == 0 ? 0 : UINT64_MAX;
        for (uint32_t i = 0; i < c->nvcpus; i++)
            c->next_seq[i] = c->baseline;
    }
    int rc = c->user->header ? c->user->header(c->user->ctx, path, h) : 0;
    if (rc == DISCON_READ_SKIP_FILE) {
        /* The caller does not see this file's events (a file it loaded
         * before): after it, continuity is checked anew, never against
         * events it did not get. */
        c->baseline = UINT64_MAX;
        for (uint32_t i = 0; i < c->nvcpus; i++)
            c->next_seq[i] = UINT64_MAX;
    }
    return rc;
}

static int on_events(void *ctx, const struct discon_event *ev, size_t n)
{
    struct continuity *c = ctx;
    if (track(c, ev[0].vcpu, ev[0].seq, n) != 0)
        return DISCON_READ_STOP;
    return c->user->events ? c->user->events(c->user->ctx, ev, n) : 0;
}

static int on_batch(void *ctx, const Discon__EventBatch *b, size_t n)
{
    struct continuity *c = ctx;
    return c->user->batch ? c->user->batch(c->user->ctx, b, n) : 0;
}

static int on_loss(void *ctx, const Discon__Loss *l)
{
    struct continuity *c = ctx;
    if (track(c, l->vcpu, l->first_seq, l->count) != 0)
        return DISCON_READ_STOP;
    return c->user->loss ? c->user->loss(c->user->ctx, l) : 0;
}

static int on_end(void *ctx, const Discon__End *e)
{
    struct continuity *c = ctx;
    return c->user->end ? c->user->end(c->user->ctx, e) : 0;
}

static void on_damage(void *ctx, const struct discon_damage *d)
{
    struct continuity *c = ctx;
    if (c->user->damage)
        c->user->damage(c->user->ctx, d);
}

static void on_progress(void *ctx, const char *path, uint64_t offset, uint64_t size)
{
    struct continuity *c = ctx;
    if (c->user->progress)
        c->user->progress(c->user->ctx, path, offset, size);
}

/* The result so far combined with a file's: an error ends it, else
 * damaged outranks intact. */
static int worse(int so_far, int rc)
{
    return rc < 0 ? rc : rc > so_far ? rc : so_far;
}

/* A file of 0 bytes (a writer that died before its first frame) holds
 * nothing: skipped, and said as damage, so every reader warns and the
 * read counts as damaged (missing data), never as a clean one. */
static int skip_empty(const char *path, const struct discon_reader_ops *wrap,
                      struct discon_read_stats *st)
{
    struct discon_damage d = {.path = path, .what = "empty file (0 bytes): skipped",
                              .code = DISCON_E_EMPTY};
    st->damaged_frames++;
    if (wrap->damage)
        wrap->damage(wrap->ctx, &d);
    return DISCON_READ_DAMAGED;
}

int discon_read_paths(char *const *paths, int n, const struct discon_reader_ops *ops,
                      struct discon_read_stats *st, char *err, size_t errlen)
{
    if ((!paths && n > 0) || !ops || !st)
        return FAIL(DISCON_E_INVALID, "discon_read_paths: NULL paths, ops or stats");
    struct continuity c = {.user = ops, .st = st, .baseline = UINT64_MAX};
    struct discon_reader_ops wrap = {
        .ctx = &c, .header = on_header, .events = on_events, .batch = on_batch, .loss = on_loss,
        .end = on_end, .damage = on_damage, .progress = on_progress,
    };
    struct discon_input_list in = {0};
    int result = discon_inputs_order(paths, n, &in, err, errlen);
    for (size_t i = 0; i < in.n && result >= 0; i++) {
        const struct discon_input_file *f = &in.file[i];
        int rc = f->empty ? skip_empty(f->path, &wrap, st)
                          : discon_read_file(f->path, &wrap, st, err, errlen);
        result = worse(result, rc);
    }
    discon_inputs_free(&in);
    if (result == -DISCON_E_STOPPED && c.nomem)
        result = FAIL(DISCON_E_NOMEM, "out of memory");
    free(c.next_seq);
    return result;
}
