#define _GNU_SOURCE
#include "trace_reader.h"
#include "batch_codec.h"
#include "trace_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write the message and return the negated code. */
#define FAIL(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

static const uint8_t frame_magic[4] = {0x04, 0x22, 0x4d, 0x18}; /* 0x184D2204 LE */
/* The first 16 bytes of every SQLite 3 database ("The Database Header"
 * of SQLite's file format, NUL included): what trace2sqlite writes, and
 * so the likeliest wrong file given where trace files go. */
static const char sqlite_magic[16] = "SQLite format 3";

/*
 * protobuf-c allocates far more than the bytes it decodes (an empty packet
 * of 2 bytes costs ~60), so a hostile frame of 64 MiB could cost gigabytes.
 * Unpacking gets a budget proportional to the frame instead; past it the
 * frame counts as damaged.
 */
struct budget {
    size_t left;
};

static void *budget_alloc(void *data, size_t size)
{
    struct budget *b = data;
    size_t total = size + sizeof(max_align_t);
    if (total < size || total > b->left)
        return NULL;
    max_align_t *p = malloc(total);
    if (!p)
        return NULL;
    b->left -= total;
    *(size_t *)p = total;
    return p + 1;
}

static void budget_free(void *data, void *ptr)
{
    if (!ptr)
        return;
    struct budget *b = data;
    max_align_t *p = (max_align_t *)ptr - 1;
    b->left += *(size_t *)p;
    free(p);
}

#define UNPACK_BUDGET(len) (16 * (len) + (1u << 20))

struct frame_decoder {
    LZ4F_dctx *dctx;
    uint8_t *out;
    size_t cap;
    struct discon_event *events;
    size_t events_cap;
    char msg[256]; /* why the last frame was rejected */
};

/* Why a frame was rejected: the code (positive) and one line of English. */
struct rejection {
    int code;
    const char *why;
};

static long reject(struct rejection *r, int code, const char *why)
{
    r->code = code;
    r->why = why;
    return -1;
}

/* Decompress the frame at src[0..avail). Returns its decompressed length
 * and sets *used to its compressed length, or -1 with *r. */
static long decompress_frame(struct frame_decoder *d, const uint8_t *src, size_t avail,
                             size_t *used, struct rejection *r)
{
    LZ4F_resetDecompressionContext(d->dctx);
    size_t in = 0, out = 0;
    for (;;) {
        if (out == d->cap) {
            if (d->cap >= DISCON_FRAME_MAX_CONTENT)
                return reject(r, DISCON_E_TOO_LARGE, "frame decompresses to more than 64 MiB");
            size_t cap = d->cap ? d->cap * 2 : 1 << 20;
            uint8_t *b = realloc(d->out, cap);
            if (!b)
                return reject(r, DISCON_E_NOMEM, "out of memory");
            d->out = b;
            d->cap = cap;
        }
        size_t dst = d->cap - out, srcn = avail - in;
        size_t hint = LZ4F_decompress(d->dctx, d->out + out, &dst, src + in, &srcn, NULL);
        in += srcn;
        out += dst;
        if (LZ4F_isError(hint))
            return reject(r, DISCON_E_DAMAGED, LZ4F_getErrorName(hint));
        if (hint == 0) {
            *used = in;
            return (long)out;
        }
        if (in == avail && dst == 0)
            return reject(r, DISCON_E_DAMAGED, "truncated frame");
    }
}

/* What became of a frame. */
enum frame_outcome { FRAME_READ, FRAME_SKIP_FILE, FRAME_STOP, FRAME_DAMAGED };

/* A callback's answer as a frame outcome: anything but "go on" and "skip
 * the file" stops, so a callback's -1 (or any stray value) cannot pass
 * for damage or success. */
static enum frame_outcome callback_outcome(int rc)
{
    return rc == DISCON_READ_CONTINUE ? FRAME_READ
           : rc == DISCON_READ_SKIP_FILE ? FRAME_SKIP_FILE : FRAME_STOP;
}

/* Decode one batch into d->events; its event count, or -1 with *r. */
static long decode_batch(struct frame_decoder *d, const Discon__EventBatch *b,
                         struct rejection *r)
{
    long n = discon_batch_count(b, d->msg, sizeof d->msg);
    if (n < 0)
        return reject(r, (int)-n, d->msg);
    if ((size_t)n > d->events_cap) {
        struct discon_event *e = realloc(d->events, (size_t)n * sizeof *e);
        if (!e)
            return reject(r, DISCON_E_NOMEM, "out of memory");
        d->events = e;
        d->events_cap = (size_t)n;
    }
    int rc = discon_batch_decode(b, d->events, d->msg, sizeof d->msg);
    if (rc < 0)
        return reject(r, -rc, d->msg);
    return n;
}

static enum frame_outcome dispatch(struct frame_decoder *d, const char *path,
                                   const Discon__Trace *t, const struct discon_reader_ops *ops,
                                   struct discon_read_stats *st, struct rejection *r)
{
    for (size_t i = 0; i < t->n_packet; i++) {
        const Discon__Packet *p = t->packet[i];
        int rc = 0;
        switch (p->kind_case) {
        case DISCON__PACKET__KIND_HEADER:
            rc = ops->header ? ops->header(ops->ctx, path, p->header) : 0;
            break;
        case DISCON__PACKET__KIND_EVENTS: {
            long n = decode_batch(d, p->events, r);
            if (n < 0)
                return FRAME_DAMAGED;
            st->events += (uint64_t)n;
            rc = ops->batch ? ops->batch(ops->ctx, p->events, (size_t)n) : 0;
            if (!rc && ops->events)
                rc = ops->events(ops->ctx, d->events, (size_t)n);
            break;
        }
        case DISCON__PACKET__KIND_LOSS:
            rc = ops->loss ? ops->loss(ops->ctx, p->loss) : 0;
            break;
        case DISCON__PACKET__KIND_END:
            rc = ops->end ? ops->end(ops->ctx, p->end) : 0;
            break;
        default: /* a packet kind from a newer format: skip it */
            break;
        }
        if (rc)
            return callback_outcome(rc);
    }
    return FRAME_READ;
}

static void report(const struct discon_reader_ops *ops, struct discon_read_stats *st,
                   const char *path, uint64_t off, uint64_t len, const struct rejection *r)
{
    st->damaged_frames++;
    st->bytes_skipped += len;
    if (ops->damage)
        ops->damage(ops->ctx, &(struct discon_damage){path, off, len, r->why, r->code});
}

/* Drop the pages of frames already read, so memory stays flat however
 * long the file is (they are page cache, read again only if touched). */
static void release_read(const uint8_t *map, size_t off, size_t size, size_t *released)
{
    const size_t step = 16u << 20;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t upto = (off < size ? off : size) / page * page; /* never past the mapping */
    if (upto - *released >= step) {
        madvise((void *)(uintptr_t)(map + *released), upto - *released, MADV_DONTNEED);
        *released = upto;
    }
}

/* Map `path` read-only after checking it starts like a trace. */
static int map_trace(const char *path, const uint8_t **map, size_t *size, char *err,
                     size_t errlen)
{
    /* O_NONBLOCK: a FIFO must be refused below, not wait for a writer. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return FAIL(DISCON_E_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return FAIL(DISCON_E_IO, "cannot stat %s: %s", path, strerror(e));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return FAIL(DISCON_E_NOT_TRACE, "%s: not a regular file", path);
    }
    *size = (size_t)sb.st_size;
    if (*size == 0) {
        close(fd);
        return FAIL(DISCON_E_EMPTY, "%s: empty file", path);
    }
    if (*size < sizeof frame_magic) {
        close(fd);
        return FAIL(DISCON_E_NOT_TRACE, "%s: too short to be a discon trace", path);
    }
    *map = mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (*map == MAP_FAILED)
        return FAIL(DISCON_E_IO, "cannot map %s: %s", path, strerror(e));
    if (memcmp(*map, frame_magic, sizeof frame_magic) != 0) {
        /* Still DISCON_E_NOT_TRACE (programs decide on the code), but the
         * person is told what the file is and what reads it. */
        bool db = *size >= sizeof sqlite_magic &&
                  memcmp(*map, sqlite_magic, sizeof sqlite_magic) == 0;
        munmap((void *)*map, *size);
        if (db)
            return FAIL(DISCON_E_NOT_TRACE,
                        "%s: a database (SQLite, as trace2sqlite writes), not a discon trace: "
                        "read it with discon-report %s, or sqlite3", path, path);
        return FAIL(DISCON_E_NOT_TRACE, "%s: not a discon trace (no LZ4 frame at offset 0)",
                    path);
    }
    return 0;
}

/* Decompress, unpack and dispatch the frame at `off`; *used: its length. */
static enum frame_outcome read_frame(struct frame_decoder *d, const char *path,
                                     const uint8_t *src, size_t avail, size_t *used,
                                     const struct discon_reader_ops *ops,
                                     struct discon_read_stats *st, struct rejection *r)
{
    long len = decompress_frame(d, src, avail, used, r);
    if (len < 0)
        return FRAME_DAMAGED;
    struct budget b = {UNPACK_BUDGET((size_t)len)};
    ProtobufCAllocator alloc = {budget_alloc, budget_free, &b};
    Discon__Trace *t = discon__trace__unpack(&alloc, (size_t)len, d->out);
    if (!t) {
        reject(r, DISCON_E_DAMAGED, "undecodable packets");
        return FRAME_DAMAGED;
    }
    enum frame_outcome o = dispatch(d, path, t, ops, st, r);
    discon__trace__free_unpacked(t, &alloc);
    return o;
}

/* Where the next frame magic after `off` is (or `size`), scanning a window
 * at a time so a long run of garbage costs time, not memory. */
static size_t next_magic(const uint8_t *map, size_t off, size_t size, size_t *released)
{
    const size_t window = 16u << 20;
    for (size_t from = off + 1; from < size; from += window) {
        size_t span = size - from < window + 3 ? size - from : window + 3;
        const uint8_t *next = memmem(map + from, span, frame_magic, sizeof frame_magic);
        if (next)
            return (size_t)(next - map);
        release_read(map, from + window, size, released);
    }
    return size;
}

int discon_read_file(const char *path, const struct discon_reader_ops *ops,
                     struct discon_read_stats *st, char *err, size_t errlen)
{
    if (!path || !ops || !st)
        return FAIL(DISCON_E_INVALID, "discon_read_file: NULL path, ops or stats");
    const uint8_t *map;
    size_t size;
    int rc = map_trace(path, &map, &size, err, errlen);
    if (rc < 0)
        return rc;
    struct frame_decoder d = {0};
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d.dctx, LZ4F_VERSION))) {
        munmap((void *)map, size);
        return FAIL(DISCON_E_NOMEM, "out of memory");
    }
    st->files++;
    int result = DISCON_READ_INTACT;
    size_t off = 0, released = 0;
    while (off < size) {
        size_t used = 0;
        struct rejection r = {0};
        enum frame_outcome o = read_frame(&d, path, map + off, size - off, &used, ops, st, &r);
        if (o == FRAME_SKIP_FILE)
            break;
        if (o == FRAME_STOP) {
            result = FAIL(DISCON_E_STOPPED, "%s: reading stopped", path);
            break;
        }
        if (o == FRAME_READ) {
            st->frames++;
            off += used;
            release_read(map, off, size, &released);
            if (ops->progress)
                ops->progress(ops->ctx, path, off, size);
            continue;
        }
        size_t skip_to = next_magic(map, off, size, &released);
        report(ops, st, path, off, skip_to - off, &r);
        result = DISCON_READ_DAMAGED;
        off = skip_to;
    }
    LZ4F_freeDecompressionContext(d.dctx);
    free(d.out);
    free(d.events);
    munmap((void *)map, size);
    return result;
}
