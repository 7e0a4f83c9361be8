#define _GNU_SOURCE
#include "trace_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write the message and return the negated code. */
#define FAIL(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

struct discon_writer {
    int fd;                  /* -1 for a sink writer */
    discon_frame_sink *sink; /* or NULL: frames go to fd */
    void *sink_ctx;
    char *path;
    uint8_t *pending; /* serialized `Trace.packet` fields */
    size_t pending_len, pending_cap;
    uint8_t *frame;
    size_t frame_cap;
    uint64_t bytes;
    char failed[256]; /* set by a failed write: nothing more is written */
    struct discon_batch_encoder enc;
    LZ4F_preferences_t prefs;
};

static const LZ4F_preferences_t frame_prefs = {
    .frameInfo = {
        .blockSizeID = LZ4F_max4MB,
        .blockMode = LZ4F_blockLinked,
        .contentChecksumFlag = LZ4F_contentChecksumEnabled,
        .blockChecksumFlag = LZ4F_blockChecksumEnabled,
    },
    .compressionLevel = 0, /* lz4's fast mode */
};

struct discon_writer *discon_writer_create_sink(discon_frame_sink *sink, void *ctx, char *err,
                                                size_t errlen)
{
    struct discon_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup("(memory)"))) {
        free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->fd = -1;
    w->sink = sink;
    w->sink_ctx = ctx;
    w->prefs = frame_prefs;
    return w;
}

struct discon_writer *discon_writer_create(const char *path, char *err, size_t errlen)
{
    struct discon_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        snprintf(err, errlen, "out of memory");
        errno = ENOMEM;
        return NULL;
    }
    w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(e));
        free(w->path);
        free(w);
        errno = e; /* the caller may tell EEXIST from the rest */
        return NULL;
    }
    w->prefs = frame_prefs;
    return w;
}

static int write_all(struct discon_writer *w, const uint8_t *p, size_t n, char *err,
                     size_t errlen)
{
    uint64_t start = w->bytes;
    if (w->sink) {
        int rc = w->sink(w->sink_ctx, p, n, w->failed, sizeof w->failed);
        if (rc < 0)
            return FAIL(-rc, "%s", w->failed);
        w->bytes += n;
        return 0;
    }
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            snprintf(w->failed, sizeof w->failed, "cannot write %s: %s", w->path,
                     strerror(errno));
            /* Leave whole frames only; a reader then sees a clean end. */
            if (ftruncate(w->fd, (off_t)start) == 0 && lseek(w->fd, (off_t)start, SEEK_SET) >= 0)
                w->bytes = start;
            return FAIL(DISCON_E_IO, "%s", w->failed);
        }
        p += k;
        n -= (size_t)k;
        w->bytes += (uint64_t)k;
    }
    return 0;
}

int discon_writer_flush(struct discon_writer *w, char *err, size_t errlen)
{
    if (w->failed[0])
        return FAIL(DISCON_E_WRITER_FAILED, "%s (earlier)", w->failed);
    if (w->pending_len == 0)
        return 0;
    size_t bound = LZ4F_compressFrameBound(w->pending_len, &w->prefs);
    if (bound > w->frame_cap) {
        uint8_t *f = realloc(w->frame, bound);
        if (!f)
            return FAIL(DISCON_E_NOMEM, "out of memory");
        w->frame = f;
        w->frame_cap = bound;
    }
    w->prefs.frameInfo.contentSize = w->pending_len;
    size_t n = LZ4F_compressFrame(w->frame, w->frame_cap, w->pending, w->pending_len, &w->prefs);
    if (LZ4F_isError(n))
        return FAIL(DISCON_E_CODEC, "lz4: %s", LZ4F_getErrorName(n));
    w->pending_len = 0;
    return write_all(w, w->frame, n, err, errlen);
}

int discon_writer_frame(struct discon_writer *w, const uint8_t *frame, size_t len, char *err,
                        size_t errlen)
{
    int rc = discon_writer_flush(w, err, errlen);
    return rc < 0 ? rc : write_all(w, frame, len, err, errlen);
}

/* Append `Trace.packet` (field 1, length-delimited) holding p. */
int discon_writer_packet(struct discon_writer *w, const Discon__Packet *p, char *err,
                         size_t errlen)
{
    if (w->failed[0])
        return FAIL(DISCON_E_WRITER_FAILED, "%s (earlier)", w->failed);
    size_t size = discon__packet__get_packed_size(p);
    size_t need = 1 + 10 + size;
    if (size > DISCON_FRAME_MAX_CONTENT - 16)
        return FAIL(DISCON_E_TOO_LARGE, "packet of %zu bytes is too large", size);
    if (w->pending_len + need > DISCON_FRAME_TARGET) {
        int rc = discon_writer_flush(w, err, errlen);
        if (rc < 0)
            return rc;
    }
    if (w->pending_len + need > w->pending_cap) {
        size_t cap = w->pending_cap ? w->pending_cap : 1 << 16;
        while (cap < w->pending_len + need)
            cap *= 2;
        uint8_t *b = realloc(w->pending, cap);
        if (!b)
            return FAIL(DISCON_E_NOMEM, "out of memory");
        w->pending = b;
        w->pending_cap = cap;
    }
    uint8_t *o = w->pending + w->pending_len;
    *o++ = 0x0a; /* field 1, wire type 2 */
    for (size_t v = size;; v >>= 7) {
        *o++ = (uint8_t)(v & 0x7f) | (v > 0x7f ? 0x80 : 0);
        if (v <= 0x7f)
            break;
    }
    o += discon__packet__pack(p, o);
    w->pending_len = (size_t)(o - w->pending);
    return 0;
}

int discon_writer_header(struct discon_writer *w, const Discon__Header *h, char *err,
                         size_t errlen)
{
    Discon__Packet p = DISCON__PACKET__INIT;
    p.kind_case = DISCON__PACKET__KIND_HEADER;
    p.header = (Discon__Header *)h;
    /* A frame of its own: small, so it survives damage to the events, and
     * cheap for a reader that only wants to know what the file is. */
    int rc = discon_writer_flush(w, err, errlen);
    if (rc == 0)
        rc = discon_writer_packet(w, &p, err, errlen);
    return rc < 0 ? rc : discon_writer_flush(w, err, errlen);
}

int discon_writer_events(struct discon_writer *w, const struct discon_event *ev, size_t n,
                         uint64_t ring_position, char *err, size_t errlen)
{
    Discon__EventBatch b;
    int rc = discon_batch_encode(&w->enc, ev, n, ring_position, &b);
    if (rc < 0)
        return FAIL(-rc, "cannot encode a batch of %zu events: %s", n, discon_strerror(rc));
    Discon__Packet p = DISCON__PACKET__INIT;
    p.kind_case = DISCON__PACKET__KIND_EVENTS;
    p.events = &b;
    return discon_writer_packet(w, &p, err, errlen);
}

int discon_writer_loss(struct discon_writer *w, const Discon__Loss *l, char *err, size_t errlen)
{
    Discon__Packet p = DISCON__PACKET__INIT;
    p.kind_case = DISCON__PACKET__KIND_LOSS;
    p.loss = (Discon__Loss *)l;
    return discon_writer_packet(w, &p, err, errlen);
}

int discon_writer_end(struct discon_writer *w, const Discon__End *e, char *err, size_t errlen)
{
    Discon__Packet p = DISCON__PACKET__INIT;
    p.kind_case = DISCON__PACKET__KIND_END;
    p.end = (Discon__End *)e;
    return discon_writer_packet(w, &p, err, errlen);
}

int discon_writer_close(struct discon_writer *w, bool sync, char *err, size_t errlen)
{
    int rc = discon_writer_flush(w, err, errlen);
    if (rc == 0 && sync && w->fd >= 0 && fsync(w->fd) != 0)
        rc = FAIL(DISCON_E_IO, "cannot fsync %s: %s", w->path, strerror(errno));
    if (w->fd >= 0 && close(w->fd) != 0 && rc == 0)
        rc = FAIL(DISCON_E_IO, "cannot close %s: %s", w->path, strerror(errno));
    discon_batch_encoder_free(&w->enc);
    free(w->pending);
    free(w->frame);
    free(w->path);
    free(w);
    return rc;
}

size_t discon_writer_pending(const struct discon_writer *w) { return w->pending_len; }
uint64_t discon_writer_bytes(const struct discon_writer *w) { return w->bytes; }
