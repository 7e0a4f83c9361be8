#define _GNU_SOURCE
#include "segment_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static int ring_in_range(uint64_t head, uint64_t tail, uint32_t capacity, uint32_t vcpu,
                         char *err, size_t errlen)
{
    if (head - tail > capacity)
        return FAIL("vCPU %u ring is corrupt: head %llu is beyond tail %llu + capacity %u", vcpu,
                    (unsigned long long)head, (unsigned long long)tail, capacity);
    return 0;
}

/* Ring i's tail, loaded once, and checked against its head (also loaded
 * once): the value checked is the value the caller gets. */
static int ring_load_checked(void *base, const struct discon_layout *l, uint32_t i,
                             uint64_t *tail, char *err, size_t errlen)
{
    const struct discon_ring_ctl *ctl = discon_ring_ctl_at(base, l->ring_stride, i);
    /* Pairs with the release of head in discon_produce(). */
    uint64_t h = atomic_load_explicit(&ctl->head, memory_order_acquire);
    /* Our own earlier release (a previous consumer's), or garbage: relaxed. */
    uint64_t t = atomic_load_explicit(&ctl->tail, memory_order_relaxed);
    if (ring_in_range(h, t, l->ring_capacity, i, err, errlen))
        return -1;
    *tail = t;
    return 0;
}

int discon_segment_validate(const void *base, size_t size, struct discon_layout *out,
                            char *err, size_t errlen)
{
    const struct discon_shm_header *h = base;

    if (size < DISCON_HEADER_SIZE)
        return FAIL("segment is %zu bytes, smaller than its %u-byte header", size,
                    DISCON_HEADER_SIZE);
    /* Pairs with the release of magic in discon_segment_create(). */
    uint64_t magic = atomic_load_explicit(&h->magic, memory_order_acquire);
    if (magic != DISCON_SHM_MAGIC)
        return FAIL("not a discon segment (bad magic 0x%016llx)", (unsigned long long)magic);
    if (h->version != DISCON_SHM_VERSION)
        return FAIL("segment format version %u; this build reads version %u", h->version,
                    DISCON_SHM_VERSION);
    if (h->header_size != DISCON_HEADER_SIZE || h->record_size != sizeof(struct discon_record))
        return FAIL("segment header size %u / record size %u; expected %u / %zu",
                    h->header_size, h->record_size, DISCON_HEADER_SIZE,
                    sizeof(struct discon_record));

    struct discon_layout l = {
        .segment_size = h->segment_size,
        .ring_stride = h->ring_stride,
        .clock_monotonic_ns = h->clock_monotonic_ns,
        .clock_realtime_ns = h->clock_realtime_ns,
        .ring_capacity = h->ring_capacity,
        .vcpu_capacity = h->vcpu_capacity,
        .smp_vcpus = h->smp_vcpus,
        .flags = h->flags,
        .mode = h->mode,
        .types = h->types,
        .block_timeout_ms = h->block_timeout_ms,
        .producer_pid = h->producer_pid,
    };
    uint32_t cap = l.ring_capacity;
    if (cap < DISCON_RING_MIN_RECORDS || cap > DISCON_RING_MAX_RECORDS || (cap & (cap - 1)))
        return FAIL("ring capacity %u is not a power of two in [%u, %u]", cap,
                    DISCON_RING_MIN_RECORDS, DISCON_RING_MAX_RECORDS);
    if (l.vcpu_capacity < 1 || l.vcpu_capacity > DISCON_MAX_VCPUS)
        return FAIL("vCPU capacity %u is not in [1, %u]", l.vcpu_capacity, DISCON_MAX_VCPUS);
    if (l.ring_stride != discon_ring_stride(cap))
        return FAIL("ring stride %llu does not match capacity %u",
                    (unsigned long long)l.ring_stride, cap);
    uint64_t expect = discon_segment_size(cap, l.vcpu_capacity);
    if (l.segment_size != expect || size != expect)
        return FAIL("segment size %llu (mapped %zu) does not match its layout (%llu bytes)",
                    (unsigned long long)l.segment_size, size, (unsigned long long)expect);
    if (l.smp_vcpus > l.vcpu_capacity)
        return FAIL("%u vCPUs exceed the capacity of %u", l.smp_vcpus, l.vcpu_capacity);
    if (l.flags & ~DISCON_FLAG_SYSTEM)
        return FAIL("unknown segment flags 0x%x", l.flags);
    if (l.mode != DISCON_MODE_BLOCK && l.mode != DISCON_MODE_DROP)
        return FAIL("unknown ring mode %u", l.mode);
    if (l.types == 0 || (l.types & ~(uint32_t)DISCON_TYPES_ALL))
        return FAIL("bad discontinuity type mask 0x%x", l.types);
    if (l.producer_pid <= 0) /* kill(0) or a pidfd of it would watch the wrong process */
        return FAIL("bad producer pid %d", l.producer_pid);
    /* Pairs with the release of state in the plugin's exit hook. */
    uint32_t state = atomic_load_explicit(&h->state, memory_order_acquire);
    if (state != DISCON_STATE_RUNNING && state != DISCON_STATE_FINISHED)
        return FAIL("unknown producer state %u", state);
    /* Copy, then check the copy: the shared bytes may change meanwhile. */
    memcpy(l.target, h->target, sizeof l.target);
    memcpy(l.options, h->options, sizeof l.options);
    if (!memchr(l.target, 0, sizeof l.target) || !memchr(l.options, 0, sizeof l.options))
        return FAIL("segment strings are not terminated");

    for (uint32_t i = 0; i < l.vcpu_capacity; i++) {
        uint64_t tail;
        if (ring_load_checked((void *)(uintptr_t)base, &l, i, &tail, err, errlen) != 0)
            return -1;
    }
    *out = l;
    return 0;
}

/* A reader per ring, each resuming at its stored tail (checked). NULL with err. */
static struct discon_ring_reader *ring_readers(void *base, const struct discon_layout *l,
                                               char *err, size_t errlen)
{
    struct discon_ring_reader *rings = calloc(l->vcpu_capacity, sizeof *rings);
    if (!rings) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (uint32_t i = 0; i < l->vcpu_capacity; i++) {
        struct discon_ring_ctl *ctl = discon_ring_ctl_at(base, l->ring_stride, i);
        uint64_t tail;
        if (ring_load_checked(base, l, i, &tail, err, errlen) != 0) {
            free(rings);
            return NULL;
        }
        rings[i] = (struct discon_ring_reader){
            .ctl = ctl,
            .slots = discon_ring_records(ctl),
            .tail = tail,
            .read = tail,
            .capacity = l->ring_capacity,
            .vcpu = i,
        };
    }
    return rings;
}

enum discon_attach_result discon_segment_attach(struct discon_segment *seg, const char *name,
                                                char *err, size_t errlen)
{
    *seg = (struct discon_segment){.fd = -1};
    int fd = shm_open(name, O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd < 0) {
        if (errno == ENOENT)
            return DISCON_ATTACH_NOT_READY;
        snprintf(err, errlen, "cannot open shared memory %s: %s%s", name, strerror(errno),
                 errno == ELOOP ? " (refusing a symlink)" : "");
        return DISCON_ATTACH_ERROR;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot stat shared memory %s: %s", name, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "shared memory %s is not a regular object", name);
        goto fail;
    }
    if (st.st_uid != geteuid()) {
        snprintf(err, errlen, "shared memory %s belongs to uid %u, not to us (uid %u)", name,
                 (unsigned)st.st_uid, (unsigned)geteuid());
        goto fail;
    }
    if (st.st_size == 0) { /* between the producer's shm_open and ftruncate */
        close(fd);
        return DISCON_ATTACH_NOT_READY;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, errlen, "shared memory %s already has a consumer%s%s", name,
                 errno == EWOULDBLOCK ? "" : ": ", errno == EWOULDBLOCK ? "" : strerror(errno));
        goto fail;
    }
    size_t size = (size_t)st.st_size;
    void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        snprintf(err, errlen, "cannot map shared memory %s: %s", name, strerror(errno));
        goto fail;
    }
    const struct discon_shm_header *h = base;
    /* Pairs with the release of magic in discon_segment_create(). */
    if (size >= sizeof h->magic && atomic_load_explicit(&h->magic, memory_order_acquire) == 0) {
        munmap(base, size); /* sized, but the header is not written yet */
        close(fd);
        return DISCON_ATTACH_NOT_READY;
    }
    char why[256];
    if (discon_segment_validate(base, size, &seg->layout, why, sizeof why) != 0) {
        snprintf(err, errlen, "shared memory %s: %s", name, why);
        munmap(base, size);
        goto fail;
    }
    if (!(seg->rings = ring_readers(base, &seg->layout, why, sizeof why))) {
        snprintf(err, errlen, "shared memory %s: %s", name, why);
        munmap(base, size);
        goto fail;
    }
    seg->fd = fd;
    seg->base = base;
    seg->size = size;
    seg->hdr = base;
    return DISCON_ATTACH_OK;

fail:
    close(fd);
    return DISCON_ATTACH_ERROR;
}

void discon_segment_detach(struct discon_segment *seg)
{
    if (seg->base)
        munmap(seg->base, seg->size);
    if (seg->fd >= 0)
        close(seg->fd);
    free(seg->rings);
    *seg = (struct discon_segment){.fd = -1};
}

int discon_ring_head(const struct discon_ring_reader *r, uint64_t *head, char *err, size_t errlen)
{
    /* Pairs with the release of head in discon_produce(): the slots below h
     * are written. Loaded once; only the checked value is used. */
    uint64_t h = atomic_load_explicit(&r->ctl->head, memory_order_acquire);
    /* tail <= read <= head, all within one capacity. */
    if (ring_in_range(h, r->tail, r->capacity, r->vcpu, err, errlen))
        return -1;
    if (discon_pos_before(h, r->read))
        return FAIL("vCPU %u ring is corrupt: head %llu went back behind position %llu, "
                    "already read", r->vcpu, (unsigned long long)h, (unsigned long long)r->read);
    *head = h;
    return 0;
}

long discon_ring_peek(struct discon_ring_reader *r, struct discon_record *out, size_t max,
                      char *err, size_t errlen)
{
    uint64_t head;
    if (discon_ring_head(r, &head, err, errlen) != 0)
        return -1;
    size_t n = (size_t)(head - r->read);
    if (n > max)
        n = max;
    size_t start = (size_t)(r->read & (r->capacity - 1));
    size_t first = r->capacity - start < n ? r->capacity - start : n;
    memcpy(out, r->slots + start, first * sizeof *out);
    memcpy(out + first, r->slots, (n - first) * sizeof *out);
    r->read += n;
    return (long)n;
}

void discon_ring_release(struct discon_ring_reader *r)
{
    if (r->tail != r->read) {
        r->tail = r->read;
        /* Pairs with the acquire of tail in the producer's has_room(): our
         * reads of these slots happen before it overwrites them. */
        atomic_store_explicit(&r->ctl->tail, r->tail, memory_order_release);
    }
}

long discon_ring_consume(struct discon_ring_reader *r, struct discon_record *out, size_t max,
                         char *err, size_t errlen)
{
    long n = discon_ring_peek(r, out, max, err, errlen);
    if (n > 0)
        discon_ring_release(r);
    return n;
}

uint64_t discon_ring_dropped(const struct discon_ring_reader *r)
{
    /* Pairs with the release of dropped in the producer's drop(). */
    return atomic_load_explicit(&r->ctl->dropped, memory_order_acquire);
}

int discon_segment_finished(const struct discon_segment *seg, char *err, size_t errlen)
{
    /* Pairs with the release of FINISHED in the plugin's exit hook:
     * ordering (a) of discon_ring.h. */
    uint32_t state = atomic_load_explicit(&seg->hdr->state, memory_order_acquire);
    if (state == DISCON_STATE_FINISHED)
        return 1;
    if (state == DISCON_STATE_RUNNING)
        return 0;
    return FAIL("unknown producer state %u", state);
}
