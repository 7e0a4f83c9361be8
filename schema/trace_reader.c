#define _GNU_SOURCE
#include "trace_reader.h"
#include "batch_codec.h"
#include "trace_writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static const uint8_t frame_magic[4] = {0x04, 0x22, 0x4d, 0x18}; /* 0x184D2204 LE */

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

/* Decompress the frame at src[0..avail). Returns its decompressed length
 * and sets *used to its compressed length, or -1 with *why. */
static long decompress_frame(struct frame_decoder *d, const uint8_t *src, size_t avail,
                             size_t *used, const char **why)
{
    LZ4F_resetDecompressionContext(d->dctx);
    size_t in = 0, out = 0;
    for (;;) {
        if (out == d->cap) {
            if (d->cap >= DISCON_FRAME_MAX_CONTENT) {
                *why = "frame decompresses to more than 64 MiB";
                return -1;
            }
            size_t cap = d->cap ? d->cap * 2 : 1 << 20;
            uint8_t *b = realloc(d->out, cap);
            if (!b) {
                *why = "out of memory";
                return -1;
            }
            d->out = b;
            d->cap = cap;
        }
        size_t dst = d->cap - out, srcn = avail - in;
        size_t hint = LZ4F_decompress(d->dctx, d->out + out, &dst, src + in, &srcn, NULL);
        in += srcn;
        out += dst;
        if (LZ4F_isError(hint)) {
            *why = LZ4F_getErrorName(hint);
            return -1;
        }
        if (hint == 0) {
            *used = in;
            return (long)out;
        }
        if (in == avail && dst == 0) {
            *why = "truncated frame";
            return -1;
        }
    }
}

/* 0: go on; DISCON_READ_SKIP_FILE or -1: as a callback said; -2: damaged. */
static int dispatch(struct frame_decoder *d, const char *path, const Discon__Trace *t,
                    const struct discon_reader_ops *ops, struct discon_read_stats *st,
                    const char **why)
{
    char *msg = d->msg;
    for (size_t i = 0; i < t->n_packet; i++) {
        const Discon__Packet *p = t->packet[i];
        int rc = 0;
        switch (p->kind_case) {
        case DISCON__PACKET__KIND_HEADER:
            rc = ops->header ? ops->header(ops->ctx, path, p->header) : 0;
            break;
        case DISCON__PACKET__KIND_EVENTS: {
            long n = discon_batch_count(p->events, msg, sizeof d->msg);
            if (n < 0) {
                *why = msg;
                return -2;
            }
            if ((size_t)n > d->events_cap) {
                struct discon_event *e = realloc(d->events, (size_t)n * sizeof *e);
                if (!e) {
                    *why = "out of memory";
                    return -2;
                }
                d->events = e;
                d->events_cap = (size_t)n;
            }
            if (discon_batch_decode(p->events, d->events, msg, sizeof d->msg) != 0) {
                *why = msg;
                return -2;
            }
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
            return rc == DISCON_READ_SKIP_FILE ? rc : -1;
    }
    return 0;
}

static void report(const struct discon_reader_ops *ops, struct discon_read_stats *st,
                   const char *path, uint64_t off, uint64_t len, const char *what)
{
    st->damaged_frames++;
    st->bytes_skipped += len;
    if (ops->damage)
        ops->damage(ops->ctx, &(struct discon_damage){path, off, len, what});
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

int discon_read_file(const char *path, const struct discon_reader_ops *ops,
                     struct discon_read_stats *st, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return FAIL("cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return FAIL("%s: not a regular file", path);
    }
    size_t size = (size_t)sb.st_size;
    if (size < sizeof frame_magic) {
        close(fd);
        return FAIL("%s: %s", path, size ? "too short to be a discon trace" : "empty file");
    }
    const uint8_t *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return FAIL("cannot map %s: %s", path, strerror(errno));
    if (memcmp(map, frame_magic, sizeof frame_magic) != 0) {
        munmap((void *)map, size);
        return FAIL("%s: not a discon trace (no LZ4 frame at offset 0)", path);
    }

    struct frame_decoder d = {0};
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d.dctx, LZ4F_VERSION))) {
        munmap((void *)map, size);
        return FAIL("out of memory");
    }
    st->files++;
    int result = DISCON_READ_INTACT;
    size_t off = 0, released = 0;
    while (off < size) {
        size_t used = 0;
        const char *why = NULL;
        long len = decompress_frame(&d, map + off, size - off, &used, &why);
        int rc = -2;
        if (len >= 0) {
            struct budget b = {UNPACK_BUDGET((size_t)len)};
            ProtobufCAllocator alloc = {budget_alloc, budget_free, &b};
            Discon__Trace *t = discon__trace__unpack(&alloc, (size_t)len, d.out);
            if (!t) {
                why = "undecodable packets";
            } else {
                rc = dispatch(&d, path, t, ops, st, &why);
                discon__trace__free_unpacked(t, &alloc);
            }
        }
        if (rc == DISCON_READ_SKIP_FILE)
            break;
        if (rc == -1) {
            snprintf(err, errlen, "%s: reading stopped", path);
            result = DISCON_READ_ERROR;
            break;
        }
        if (rc == 0) {
            st->frames++;
            off += used;
            release_read(map, off, size, &released);
            if (ops->progress)
                ops->progress(ops->ctx, path, off, size);
            continue;
        }
        /* Damaged: skip to the next frame magic, a window at a time, so a
         * long run of garbage costs time, not memory. */
        size_t skip_to = size;
        const size_t window = 16u << 20;
        for (size_t from = off + 1; from < size; from += window) {
            size_t span = size - from < window + 3 ? size - from : window + 3;
            const uint8_t *next = memmem(map + from, span, frame_magic, sizeof frame_magic);
            if (next) {
                skip_to = (size_t)(next - map);
                break;
            }
            release_read(map, from + window, size, &released);
        }
        report(ops, st, path, off, skip_to - off, why);
        result = DISCON_READ_DAMAGED;
        off = skip_to;
    }
    LZ4F_freeDecompressionContext(d.dctx);
    free(d.out);
    free(d.events);
    munmap((void *)map, size);
    return result;
}

/* --- several files: order and sequence continuity ----------------------- */

struct continuity {
    const struct discon_reader_ops *user;
    struct discon_read_stats *st;
    uint8_t trace_id[16];
    size_t trace_id_len;
    uint64_t *next_seq; /* per vCPU; UINT64_MAX = no baseline yet */
    uint32_t nvcpus;
    uint64_t baseline;  /* next_seq of a vCPU not seen yet */
};

static int track(struct continuity *c, uint32_t vcpu, uint64_t first, uint64_t count)
{
    if (vcpu >= 65536)
        return 0; /* absurd vCPU number: the batch is still delivered, unchecked */
    if (vcpu >= c->nvcpus) {
        uint32_t n = vcpu + 1;
        uint64_t *s = realloc(c->next_seq, n * sizeof *s);
        if (!s)
            return -1;
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
    return c->user->header ? c->user->header(c->user->ctx, path, h) : 0;
}

static int on_events(void *ctx, const struct discon_event *ev, size_t n)
{
    struct continuity *c = ctx;
    if (track(c, ev[0].vcpu, ev[0].seq, n) != 0)
        return -1;
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
        return -1;
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

/* The worse of two results: error over damaged over intact. */
static int worse(int a, int b)
{
    return a < 0 || b < 0 ? DISCON_READ_ERROR : a > b ? a : b;
}

static int is_trace_name(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 7 && strcmp(e->d_name + n - 7, ".discon") == 0;
}

int discon_read_paths(char *const *paths, int n, const struct discon_reader_ops *ops,
                      struct discon_read_stats *st, char *err, size_t errlen)
{
    struct continuity c = {.user = ops, .st = st, .baseline = UINT64_MAX};
    struct discon_reader_ops wrap = {
        .ctx = &c, .header = on_header, .events = on_events, .batch = on_batch, .loss = on_loss,
        .end = on_end, .damage = on_damage, .progress = on_progress,
    };
    int result = DISCON_READ_INTACT;
    for (int i = 0; i < n && result != DISCON_READ_ERROR; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0) {
            result = FAIL("cannot open %s: %s", paths[i], strerror(errno));
            break;
        }
        if (!S_ISDIR(sb.st_mode)) {
            result = worse(result, discon_read_file(paths[i], &wrap, st, err, errlen));
            continue;
        }
        struct dirent **list;
        int k = scandir(paths[i], &list, is_trace_name, alphasort);
        if (k < 0) {
            result = FAIL("cannot list %s: %s", paths[i], strerror(errno));
            break;
        }
        if (k == 0) {
            free(list);
            result = FAIL("%s holds no .discon files", paths[i]);
            break;
        }
        for (int j = 0; j < k; j++) {
            if (result != DISCON_READ_ERROR) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", paths[i], list[j]->d_name);
                result = worse(result, discon_read_file(path, &wrap, st, err, errlen));
            }
            free(list[j]);
        }
        free(list);
    }
    free(c.next_seq);
    return result;
}
