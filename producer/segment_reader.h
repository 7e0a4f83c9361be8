/*
 * Reader side of a discon segment, for the consumer and the tests: attach,
 * validate, drain. The segment is untrusted input: the layout is validated
 * once and copied, so later scribbles on the header change nothing, and
 * every head read is bounds-checked before a slot is touched.
 */
#ifndef DISCON_SEGMENT_READER_H
#define DISCON_SEGMENT_READER_H

#include "discon_ring.h"

#include <stdbool.h>
#include <stddef.h>

/* The validated, private copy of a segment's header. */
struct discon_layout {
    uint64_t segment_size;
    uint64_t ring_stride;
    uint64_t clock_monotonic_ns;
    uint64_t clock_realtime_ns;
    uint32_t ring_capacity;
    uint32_t vcpu_capacity;
    uint32_t smp_vcpus;
    uint32_t flags;
    uint32_t mode;
    uint32_t types;
    uint32_t block_timeout_ms;
    int32_t producer_pid;
    char target[sizeof(((struct discon_shm_header *)0)->target)];
    char options[sizeof(((struct discon_shm_header *)0)->options)];
};

struct discon_ring_reader {
    struct discon_ring_ctl *ctl;
    const struct discon_record *slots;
    uint64_t tail; /* released: our own copy; only we write ctl->tail */
    uint64_t read; /* copied out so far; tail <= read <= head */
    uint32_t capacity;
    uint32_t vcpu;
};

struct discon_segment {
    int fd;                     /* holds the consumer lock */
    void *base;
    size_t size;
    struct discon_shm_header *hdr;
    struct discon_layout layout;
    struct discon_ring_reader *rings; /* layout.vcpu_capacity of them */
};

/*
 * Why the reader refused a segment. Convention (as schema/discon_error.h):
 * a function that fails returns the negated code, -DISCON_SEG_E_x, so
 * `rc < 0` is "failed" and `-rc` the code; it also writes a one-line
 * message (naming the value at fault) into err for the person running the
 * tool. Programs and tests decide on the code, never on the message.
 */
enum discon_seg_err {
    DISCON_SEG_OK = 0,
    /* The header (discon_segment_validate; attach passes these on). */
    DISCON_SEG_E_SHORT,       /* mapped size is smaller than the header */
    DISCON_SEG_E_MAGIC,       /* not a discon segment */
    DISCON_SEG_E_VERSION,     /* a format version this build does not read */
    DISCON_SEG_E_HEADER_SIZE, /* header_size is not DISCON_HEADER_SIZE */
    DISCON_SEG_E_RECORD_SIZE, /* record_size is not sizeof(struct discon_record) */
    DISCON_SEG_E_CAPACITY,    /* ring capacity not a power of two in range */
    DISCON_SEG_E_VCPUS,       /* vCPU capacity not in [1, DISCON_MAX_VCPUS] */
    DISCON_SEG_E_STRIDE,      /* ring stride does not match the capacity */
    DISCON_SEG_E_SIZE,        /* segment_size or mapped size does not match the layout */
    DISCON_SEG_E_SMP,         /* more vCPUs than the vCPU capacity */
    DISCON_SEG_E_FLAGS,       /* unknown flag bits */
    DISCON_SEG_E_MODE,        /* neither block nor drop */
    DISCON_SEG_E_TYPES,       /* empty type mask, or unknown type bits */
    DISCON_SEG_E_PID,         /* producer pid <= 0 */
    DISCON_SEG_E_STATE,       /* producer state neither running nor finished */
    DISCON_SEG_E_STRINGS,     /* target or options not NUL-terminated */
    DISCON_SEG_E_RING,        /* a ring's head/tail out of range: head beyond tail +
                                 capacity, or head moved back behind what was read */
    /* Opening it (discon_segment_attach only). */
    DISCON_SEG_E_OPEN,        /* shm_open failed, other than absent (errno in err) */
    DISCON_SEG_E_SYMLINK,     /* the name is a symlink; never followed */
    DISCON_SEG_E_NOT_REGULAR, /* not a regular shared-memory object */
    DISCON_SEG_E_OWNER,       /* owned by another user */
    DISCON_SEG_E_BUSY,        /* another consumer holds its lock */
    DISCON_SEG_E_SYSTEM,      /* fstat, flock or mmap failed (errno in err) */
    DISCON_SEG_E_NOMEM,       /* an allocation failed */
    DISCON_SEG_E_COUNT        /* number of codes; not a code */
};

/* A static, one-line English description of `code` (either sign: the same
 * for DISCON_SEG_E_x and -DISCON_SEG_E_x); "unknown error" for a value that
 * is not a code. Never NULL; never freed. */
const char *discon_seg_strerror(int code);

/* discon_segment_attach's results that are not failures. */
enum discon_attach_result {
    DISCON_ATTACH_OK = 0,
    DISCON_ATTACH_NOT_READY = 1, /* absent, or its producer is still creating it:
                                    try again later; not an error, err untouched */
};

/*
 * Map segment `name` and validate it. Refuses a symlink, a segment owned by
 * another user, and a segment that already has a consumer (only one reader
 * may drain a single-consumer ring). Resumes at each ring's stored tail.
 * Returns DISCON_ATTACH_OK, DISCON_ATTACH_NOT_READY, or with err (naming the
 * segment) -DISCON_SEG_E_OPEN, _SYMLINK, _NOT_REGULAR, _OWNER, _BUSY,
 * _SYSTEM, _NOMEM, or any code of discon_segment_validate.
 */
int discon_segment_attach(struct discon_segment *seg, const char *name, char *err,
                          size_t errlen);
void discon_segment_detach(struct discon_segment *seg);

/* Validate a mapped segment of `size` bytes. 0, or with err one of the
 * header codes, -DISCON_SEG_E_SHORT through -DISCON_SEG_E_RING (checked in
 * that order, so a header with several faults gives the first). */
int discon_segment_validate(const void *base, size_t size, struct discon_layout *out,
                            char *err, size_t errlen);

/* The producer's published position (records before it are ready to read),
 * bounds-checked: 0, or -DISCON_SEG_E_RING with err if it is out of range. */
int discon_ring_head(const struct discon_ring_reader *r, uint64_t *head, char *err,
                     size_t errlen);
/* Copy up to `max` records after the last ones read, without freeing their
 * slots: a consumer that must not lose records on a crash frees them only
 * once they are safely stored. Returns how many, or -DISCON_SEG_E_RING with
 * err if the producer's head is out of range (nothing copied). */
long discon_ring_peek(struct discon_ring_reader *r, struct discon_record *out, size_t max,
                      char *err, size_t errlen);

/* Free every slot read so far. */
void discon_ring_release(struct discon_ring_reader *r);

/* Peek, then release at once. Same returns as discon_ring_peek. */
long discon_ring_consume(struct discon_ring_reader *r, struct discon_record *out, size_t max,
                         char *err, size_t errlen);

/* Events the producer dropped on this ring so far. */
uint64_t discon_ring_dropped(const struct discon_ring_reader *r);

/* Whether the producer has finished: 1, 0, or -DISCON_SEG_E_STATE with err
 * if the state is garbage. */
int discon_segment_finished(const struct discon_segment *seg, char *err, size_t errlen);

#endif
