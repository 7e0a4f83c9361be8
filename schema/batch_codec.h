/*
 * EventBatch <-> events. Columns, each delta- or zigzag-encoded so protobuf
 * varints stay short and LZ4 finds the repeats:
 *   time     delta from the previous event (first: from base_time_ns), or
 *            the delta of those deltas, whichever makes shorter varints
 *   from_pc  delta from the previous from_pc, mod 2^64
 *   to_pc    0 = "same as from_pc" (x86's first report of an exception),
 *            else 1 + index into the batch's table of distinct handlers
 */
#ifndef DISCON_BATCH_CODEC_H
#define DISCON_BATCH_CODEC_H

#include "discon.pb-c.h"
#include "event.h"

#include <stddef.h>

/* Reusable scratch space: encoding allocates only when a batch is larger
 * than any before it. */
struct discon_batch_encoder {
    size_t cap;
    int64_t *time_delta, *time_dod, *from_delta;
    uint32_t *type, *to_ref, *cause;
    uint64_t *handler;
    uint64_t *slot_pc;   /* handler interning: open addressing */
    uint32_t *slot_ref;
    size_t slots;
};

void discon_batch_encoder_free(struct discon_batch_encoder *e);

/* Encode n events of one vCPU with consecutive sequence numbers starting at
 * ev[0].seq; `out` points into e's arrays until the next call. */
int discon_batch_encode(struct discon_batch_encoder *e, const struct discon_event *ev, size_t n,
                        uint64_t ring_position, Discon__EventBatch *out);

/* Number of events in a batch, or -1 with err if its columns disagree. */
long discon_batch_count(const Discon__EventBatch *b, char *err, size_t errlen);

/* Decode a batch validated by discon_batch_count into out[0..count). */
int discon_batch_decode(const Discon__EventBatch *b, struct discon_event *out, char *err,
                        size_t errlen);

#endif
