/*
 * Producer side of one discon ring: the code that runs inside QEMU's
 * discontinuity callback. The fast path is a compare, a 64-byte copy and a
 * release store: no syscall, lock or allocation. Only a full ring takes the
 * out-of-line slow path, which waits (block mode) or counts a drop.
 *
 * A discon_producer is private to the process that writes the ring; only
 * its head and drop counters are mirrored into shared memory.
 */
#ifndef DISCON_RING_PRODUCER_H
#define DISCON_RING_PRODUCER_H

#include "discon_ring.h"

#include <stdbool.h>

struct discon_producer {
    struct discon_ring_ctl *ctl;
    struct discon_record *slots;
    uint64_t capacity;
    uint64_t head;       /* == ctl->head; only we write it */
    uint64_t tail_cache; /* last tail read: keeps us off the consumer's line */
    uint64_t dropped;    /* == ctl->dropped */
    uint64_t lost;       /* drops not yet reported by an in-band loss record */
    uint64_t lost_first_ns, lost_last_ns;
    uint64_t block_timeout_ns;
    unsigned vcpu;       /* for messages */
    bool drop_mode;
    bool fallback;       /* block mode dropping because the consumer stalled */
};

void discon_producer_init(struct discon_producer *p, struct discon_ring_ctl *ctl,
                          uint32_t capacity, enum discon_mode mode,
                          uint32_t block_timeout_ms, unsigned vcpu);

/* Full ring, pending loss record, or both. Returns whether rec was stored. */
bool discon_produce_slow(struct discon_producer *p, const struct discon_record *rec);

/* Store one record. Returns false if it was dropped (and counted). */
static inline bool discon_produce(struct discon_producer *p, const struct discon_record *rec)
{
    if (__builtin_expect(p->lost == 0 && p->head - p->tail_cache < p->capacity, 1)) {
        p->slots[p->head & (p->capacity - 1)] = *rec;
        p->head++;
        /* Pairs with the acquire of head in discon_ring_head(). */
        atomic_store_explicit(&p->ctl->head, p->head, memory_order_release);
        return true;
    }
    return discon_produce_slow(p, rec);
}

#endif
