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

enum discon_attach_result {
    DISCON_ATTACH_ERROR = -1,
    DISCON_ATTACH_OK = 0,
    DISCON_ATTACH_NOT_READY = 1, /* absent, or its producer is still creating it */
};

/*
 * Map segment `name` and validate it. Refuses a symlink, a segment owned by
 * another user, and a segment that already has a consumer (only one reader
 * may drain a single-consumer ring). Resumes at each ring's stored tail.
 */
enum discon_attach_result discon_segment_attach(struct discon_segment *seg, const char *name,
                                                char *err, size_t errlen);
void discon_segment_detach(struct discon_segment *seg);

/* Validate a mapped segment of `size` bytes. 0, or -1 with err. */
int discon_segment_validate(const void *base, size_t size, struct discon_layout *out,
                            char *err, size_t errlen);

/* The producer's published position (records before it are ready to read),
 * bounds-checked: 0, or -1 with err if it is out of range. */
int discon_ring_head(const struct discon_ring_reader *r, uint64_t *head, char *err,
                     size_t errlen);
/* Copy up to `max` records after the last ones read, without freeing their
 * slots: a consumer that must not lose records on a crash frees them only
 * once they are safely stored. Returns how many, or -1 with err if the
 * producer's head is out of range. */
long discon_ring_peek(struct discon_ring_reader *r, struct discon_record *out, size_t max,
                      char *err, size_t errlen);

/* Free every slot read so far. */
void discon_ring_release(struct discon_ring_reader *r);

/* Peek, then release at once. */
long discon_ring_consume(struct discon_ring_reader *r, struct discon_record *out, size_t max,
                         char *err, size_t errlen);

/* Events the producer dropped on this ring so far. */
uint64_t discon_ring_dropped(const struct discon_ring_reader *r);

/* Whether the producer has finished; -1 with err if the state is garbage. */
int discon_segment_finished(const struct discon_segment *seg, char *err, size_t errlen);

#endif
