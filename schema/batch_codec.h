/*
 * EventBatch <-> events. Columns, each delta- or zigzag-encoded so protobuf
 * varints stay short and LZ4 finds the repeats:
 *   time     delta from the previous event (first: from base_time_ns), or
 *            the delta of those deltas, or (time_order 3) each delta less
 *            the one two back, whichever makes the shortest varints
 *   from_pc  delta from the previous from_pc, mod 2^64
 *   to_pc    0 = "same as from_pc" (x86's first report of an exception),
 *            else 1 + index into the batch's table of distinct handlers
 *   cause fields  a `has` mask per event, then one column per field, each
 *            empty when no event has it; fault addresses as deltas from
 *            the batch's previous fault address
 */
#ifndef DISCON_BATCH_CODEC_H
#define DISCON_BATCH_CODEC_H

#include "discon.pb-c.h"
#include "discon_error.h"
#include "event.h"

#include <stddef.h>

/* Reusable scratch space: encoding allocates only when a batch is larger
 * than any before it. Zero-initialise it ({0}) before the first use; the
 * fields are the encoder's own. ABI: callers allocate it, so its size is
 * part of the soname's promise (a change means libdiscon-trace.so.N+1). */
struct discon_batch_encoder {
    size_t cap;
    int64_t *time_delta, *time_dod, *from_delta, *fault_delta;
    uint32_t *type, *to_ref, *has, *to_level, *from_level;
    uint64_t *cause, *syscall;
    uint64_t *handler;
    uint64_t *slot_pc;   /* handler interning: open addressing */
    uint32_t *slot_ref;
    size_t slots;
};

/* Free the scratch space and zero *e (it may be used again). */
void discon_batch_encoder_free(struct discon_batch_encoder *e);

/* Encode n events of one vCPU with consecutive sequence numbers starting at
 * ev[0].seq (ev[i].vcpu and seq past the first are not read; times in ns,
 * PCs as given). `ring_position` is stored as is. *out is initialised here
 * and points into e's arrays until the next call on e or its free: do not
 * free it. Returns 0, -DISCON_E_INVALID for n == 0, -DISCON_E_NOMEM. */
int discon_batch_encode(struct discon_batch_encoder *e, const struct discon_event *ev, size_t n,
                        uint64_t ring_position, Discon__EventBatch *out);

/* Number of events in a batch (>= 1), or -DISCON_E_BAD_BATCH with a
 * message in err if it is empty, its columns disagree, its sequence
 * numbers overflow or its time order is unknown. */
long discon_batch_count(const Discon__EventBatch *b, char *err, size_t errlen);

/* Decode a batch validated by discon_batch_count into out[0..count), the
 * caller's array. Returns 0, or -DISCON_E_BAD_BATCH with err if an event
 * refers to a handler the batch lacks or has a type not in
 * discon_types.h (out is then partly written). */
int discon_batch_decode(const Discon__EventBatch *b, struct discon_event *out, char *err,
                        size_t errlen);

#endif
