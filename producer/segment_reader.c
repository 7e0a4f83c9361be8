#define _GNU_SOURCE
#include "segment_reader.h"
#include "code_message.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write the message, return the negated code (the convention of
 * segment_reader.h). */
#define FAIL(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

/* Indexed by code, so a new code without a message fails to compile (the
 * size check below) instead of printing nothing. */
static const char *const seg_messages[] = {
    [DISCON_SEG_OK] = "success",
    [DISCON_SEG_E_SHORT] = "segment smaller than its header",
    [DISCON_SEG_E_MAGIC] = "not a discon segment",
    [DISCON_SEG_E_VERSION] = "unsupported segment format version",
    [DISCON_SEG_E_HEADER_SIZE] = "wrong segment header size",
    [DISCON_SEG_E_RECORD_SIZE] = "wrong ring record size",
    [DISCON_SEG_E_CAPACITY] = "bad ring capacity",
    [DISCON_SEG_E_VCPUS] = "bad vCPU capacity",
    [DISCON_SEG_E_STRIDE] = "ring stride does not match the capacity",
    [DISCON_SEG_E_SIZE] = "segment size does not match its layout",
    [DISCON_SEG_E_SMP] = "more vCPUs than the vCPU capacity",
    [DISCON_SEG_E_FLAGS] = "unknown segment flags",
    [DISCON_SEG_E_MODE] = "unknown ring mode",
    [DISCON_SEG_E_TYPES] = "bad discontinuity type mask",
    [DISCON_SEG_E_PID] = "bad producer pid",
    [DISCON_SEG_E_STATE] = "unknown producer state",
    [DISCON_SEG_E_STRINGS] = "segment strings not terminated",
    [DISCON_SEG_E_RING] = "ring head or tail out of range",
    [DISCON_SEG_E_OPEN] = "cannot open the shared memory",
    [DISCON_SEG_E_SYMLINK] = "shared memory name is a symlink",
    [DISCON_SEG_E_NOT_REGULAR] = "shared memory is not a regular object",
    [DISCON_SEG_E_OWNER] = "shared memory belongs to another user",
    [DISCON_SEG_E_BUSY] = "segment already has a consumer",
    [DISCON_SEG_E_SYSTEM] = "system call on the shared memory failed",
    [DISCON_SEG_E_NOMEM] = "out of memory",
};
_Static_assert(sizeof seg_messages / sizeof *seg_messages == DISCON_SEG_E_COUNT,
               "every discon_seg_err code needs a message");

const char *discon_seg_strerror(int code)
{
    return discon_code_message(seg_messages, DISCON_SEG_E_COUNT, code);
}

static int ring_in_range(uint64_t head, uint64_t tail, uint32_t capacity, uint32_t vcpu,
                         char *err, size_t errlen)
{
    if (head - tail > capacity)
        return FAIL(DISCON_SEG_E_RING,
                    "vCPU %u ring is corrupt: head %llu is beyond tail %llu + capacity %u", vcpu,
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
    int rc = ring_in_range(h, t, l->ring_capacity, i, err, errlen);
    if (rc < 0)
        return rc;
    *tail = t;
    return 0;
}

/* What kind of header this is, before any of its fields is trusted. */
static int check_identity(const struct discon_shm_header *h, size_t size, char *err,
                          size_t errlen)
{
    if (size < DISCON_HEADER_SIZE)
        return FAIL(DISCON_SEG_E_SHORT,
                    "segment is %zu bytes, smaller than its %u-byte header", size,
                    DISCON_HEADER_SIZE);
    /* Pairs with the release of magic in discon_segment_create(). */
    uint64_t magic = atomic_load_explicit(&h->magic, memory_order_acquire);
    if (magic != DISCON_SHM_MAGIC)
        return FAIL(DISCON_SEG_E_MAGIC,
                    "not a discon segment (bad magic 0x%016llx)", (unsigned long long)magic);
    if (h->version != DISCON_SHM_VERSION)
        return FAIL(DISCON_SEG_E_VERSION,
                    "segment format version %u; this build reads version %u", h->version,
                    DISCON_SHM_VERSION);
    if (h->header_size != DISCON_HEADER_SIZE)
        return FAIL(DISCON_SEG_E_HEADER_SIZE, "segment header size %u; expected %u",
                    h->header_size, DISCON_HEADER_SIZE);
    if (h->record_size != sizeof(struct discon_record))
        return FAIL(DISCON_SEG_E_RECORD_SIZE, "segment record size %u; expected %zu",
                    h->record_size, sizeof(struct discon_record));
    return 0;
}

int discon_segment_validate(const void *base, size_t size, struct discon_layout *out,
                            char *err, size_t errlen)
{
    const struct discon_shm_header *h = base;
    int rc = check_identity(h, size, err, errlen);
    if (rc < 0)
        return rc;

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
        return FAIL(DISCON_SEG_E_CAPACITY,
                    "ring capacity %u is not a power of two in [%u, %u]", cap,
                    DISCON_RING_MIN_RECORDS, DISCON_RING_MAX_RECORDS);
    if (l.vcpu_capacity < 1 || l.vcpu_capacity > DISCON_MAX_VCPUS)
        return FAIL(DISCON_SEG_E_VCPUS,
                    "vCPU capacity %u is not in [1, %u]", l.vcpu_capacity, DISCON_MAX_VCPUS);
    if (l.ring_stride != discon_ring_stride(cap))
        return FAIL(DISCON_SEG_E_STRIDE, "ring stride %llu does not match capacity %u",
                    (unsigned long long)l.ring_stride, cap);
    uint64_t expect = discon_segment_size(cap, l.vcpu_capacity);
    if (l.segment_size != expect || size != expect)
        return FAIL(DISCON_SEG_E_SIZE,
                    "segment size %llu (mapped %zu) does not match its layout (%llu bytes)",
                    (unsigned long long)l.segment_size, size, (unsigned long long)expect);
    if (l.smp_vcpus > l.vcpu_capacity)
        return FAIL(DISCON_SEG_E_SMP,
                    "%u vCPUs exceed the capacity of %u", l.smp_vcpus, l.vcpu_capacity);
    if (l.flags & ~DISCON_FLAG_SYSTEM)
        return FAIL(DISCON_SEG_E_FLAGS, "unknown segment flags 0x%x", l.flags);
    if (l.mode != DISCON_MODE_BLOCK && l.mode != DISCON_MODE_DROP)
        return FAIL(DISCON_SEG_E_MODE, "unknown ring mode %u", l.mode);
    if (l.types == 0 || (l.types & ~(uint32_t)DISCON_TYPES_ALL))
        return FAIL(DISCON_SEG_E_TYPES, "bad discontinuity type mask 0x%x", l.types);
    if (l.producer_pid <= 0) /* kill(0) or a pidfd of it would watch the wrong process */
        return FAIL(DISCON_SEG_E_PID, "bad producer pid %d", l.producer_pid);
    /* Pairs with the release of state in the plugin's exit hook. */
    uint32_t state = atomic_load_explicit(&h->state, memory_order_acquire);
    if (state != DISCON_STATE_RUNNING && state != DISCON_STATE_FINISHED)
        return FAIL(DISCON_SEG_E_STATE, "unknown producer state %u", state);
    /* Copy, then check the copy: the shared bytes may change meanwhile. */
    memcpy(l.target, h->target, sizeof l.target);
    memcpy(l.options, h->options, sizeof l.options);
    if (!memchr(l.target, 0, sizeof l.target) || !memchr(l.options, 0, sizeof l.options))
        return FAIL(DISCON_SEG_E_STRINGS, "segment strings are not terminated");

    for (uint32_t i = 0; i < l.vcpu_capacity; i++) {
        uint64_t tail;
        if ((rc = ring_load_checked((void *)(uintptr_t)base, &l, i, &tail, err, errlen)) < 0)
            return rc;
    }
    *out = l;
    return 0;
}

/* A reader per ring in *out, each resuming at its stored tail (checked).
 * 0, or -DISCON_SEG_E_NOMEM / -DISCON_SEG_E_RING with err. */
static int ring_readers(void *base, const struct discon_layout *l,
                        struct discon_ring_reader **out, char *err, size_t errlen)
{
    struct discon_ring_reader *rings = calloc(l->vcpu_capacity, sizeof *rings);
    if (!rings)
        return FAIL(DISCON_SEG_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < l->vcpu_capacity; i++) {
        struct discon_ring_ctl *ctl = discon_ring_ctl_at(base, l->ring_stride, i);
        uint64_t tail;
        int rc = ring_load_checked(base, l, i, &tail, err, errlen);
        if (rc < 0) {
            free(rings);
            return rc;
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
    *out = rings;
    return 0;
}

/*
 * Open `name`, check what it is, and take the consumer lock, all before
 * mapping a byte of it. DISCON_ATTACH_OK with *fd and *size set,
 * DISCON_ATTACH_NOT_READY, or a negated code with err; on anything but OK
 * the descriptor is closed.
 */
static int open_locked(const char *name, int *fd_out, size_t *size, char *err, size_t errlen)
{
    int fd = shm_open(name, O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno; /* FAIL's snprintf may change errno before the code is picked */
        if (e == ENOENT)
            return DISCON_ATTACH_NOT_READY;
        /* O_NOFOLLOW reports a symlink as ELOOP. */
        return FAIL(e == ELOOP ? DISCON_SEG_E_SYMLINK : DISCON_SEG_E_OPEN,
                    "cannot open shared memory %s: %s%s", name, strerror(e),
                    e == ELOOP ? " (refusing a symlink)" : "");
    }
    struct stat st;
    int rc = DISCON_ATTACH_OK;
    if (fstat(fd, &st) != 0)
        rc = FAIL(DISCON_SEG_E_SYSTEM, "cannot stat shared memory %s: %s", name,
                  strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = FAIL(DISCON_SEG_E_NOT_REGULAR, "shared memory %s is not a regular object", name);
    else if (st.st_uid != geteuid())
        rc = FAIL(DISCON_SEG_E_OWNER, "shared memory %s belongs to uid %u, not to us (uid %u)",
                  name, (unsigned)st.st_uid, (unsigned)geteuid());
    else if (st.st_size == 0) /* between the producer's shm_open and ftruncate */
        rc = DISCON_ATTACH_NOT_READY;
    else if (flock(fd, LOCK_EX | LOCK_NB) != 0)
        rc = errno == EWOULDBLOCK
                 ? FAIL(DISCON_SEG_E_BUSY, "shared memory %s already has a consumer", name)
                 : FAIL(DISCON_SEG_E_SYSTEM, "cannot lock shared memory %s: %s", name,
                        strerror(errno));
    if (rc != DISCON_ATTACH_OK) {
        close(fd);
        return rc;
    }
    *fd_out = fd;
    *size = (size_t)st.st_size;
    return DISCON_ATTACH_OK;
}

int discon_segment_attach(struct discon_segment *seg, const char *name, char *err,
                          size_t errlen)
{
    *seg = (struct discon_segment){.fd = -1};
    int fd;
    size_t size;
    int rc = open_locked(name, &fd, &size, err, errlen);
    if (rc != DISCON_ATTACH_OK)
        return rc;
    void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        rc = FAIL(DISCON_SEG_E_SYSTEM, "cannot map shared memory %s: %s", name,
                  strerror(errno));
        close(fd);
        return rc;
    }
    const struct discon_shm_header *h = base;
    char why[256];
    /* Pairs with the release of magic in discon_segment_create(). */
    if (size >= sizeof h->magic && atomic_load_explicit(&h->magic, memory_order_acquire) == 0)
        rc = DISCON_ATTACH_NOT_READY; /* sized, but the header is not written yet */
    else if ((rc = discon_segment_validate(base, size, &seg->layout, why, sizeof why)) < 0 ||
             (rc = ring_readers(base, &seg->layout, &seg->rings, why, sizeof why)) < 0)
        snprintf(err, errlen, "shared memory %s: %s", name, why);
    if (rc != DISCON_ATTACH_OK) {
        munmap(base, size);
        close(fd);
        return rc;
    }
    seg->fd = fd;
    seg->base = base;
    seg->size = size;
    seg->hdr = base;
    return DISCON_ATTACH_OK;
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
    int rc = ring_in_range(h, r->tail, r->capacity, r->vcpu, err, errlen);
    if (rc < 0)
        return rc;
    if (discon_pos_before(h, r->read))
        return FAIL(DISCON_SEG_E_RING,
                    "vCPU %u ring is corrupt: head %llu went back behind position %llu, "
                    "already read", r->vcpu, (unsigned long long)h, (unsigned long long)r->read);
    *head = h;
    return 0;
}

long discon_ring_peek(struct discon_ring_reader *r, struct discon_record *out, size_t max,
                      char *err, size_t errlen)
{
    uint64_t head;
    int rc = discon_ring_head(r, &head, err, errlen);
    if (rc < 0)
        return rc;
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
    return FAIL(DISCON_SEG_E_STATE, "unknown producer state %u", state);
}
