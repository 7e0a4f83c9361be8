#include "batch_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every decoding error is a malformed batch. */
#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -DISCON_E_BAD_BATCH)

void discon_batch_encoder_free(struct discon_batch_encoder *e)
{
    free(e->time_delta);
    free(e->time_dod);
    free(e->from_delta);
    free(e->type);
    free(e->to_ref);
    free(e->has);
    free(e->cause);
    free(e->fault_delta);
    free(e->syscall);
    free(e->to_level);
    free(e->from_level);
    free(e->handler);
    free(e->slot_pc);
    free(e->slot_ref);
    *e = (struct discon_batch_encoder){0};
}

static int reserve(struct discon_batch_encoder *e, size_t n)
{
    if (n <= e->cap)
        return 0;
    size_t cap = e->cap ? e->cap : 256;
    while (cap < n)
        cap *= 2;
    size_t slots = cap * 2;
#define GROW(field, count) \
    if (!(tmp = realloc(e->field, (count) * sizeof *e->field))) return -1; \
    e->field = tmp;
    void *tmp;
    GROW(time_delta, cap)
    GROW(time_dod, cap)
    GROW(from_delta, cap)
    GROW(type, cap)
    GROW(to_ref, cap)
    GROW(has, cap)
    GROW(cause, cap)
    GROW(fault_delta, cap)
    GROW(syscall, cap)
    GROW(to_level, cap)
    GROW(from_level, cap)
    GROW(handler, cap)
    GROW(slot_pc, slots)
    GROW(slot_ref, slots)
#undef GROW
    e->cap = cap;
    e->slots = slots;
    return 0;
}

static uint32_t intern(struct discon_batch_encoder *e, uint64_t pc, size_t *nhandlers)
{
    size_t mask = e->slots - 1;
    for (size_t i = (size_t)((pc * 0x9e3779b97f4a7c15u) >> 32) & mask;; i = (i + 1) & mask) {
        if (e->slot_ref[i] == 0) {
            e->handler[*nhandlers] = pc;
            e->slot_pc[i] = pc;
            e->slot_ref[i] = (uint32_t)++*nhandlers;
            return e->slot_ref[i];
        }
        if (e->slot_pc[i] == pc)
            return e->slot_ref[i];
    }
}

/* Bytes of a sint64 as a protobuf varint (zigzag). */
static unsigned varint_size(int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    unsigned n = 1;
    while (z >= 0x80) {
        z >>= 7;
        n++;
    }
    return n;
}

/* The cause columns of ev[0..n) into e and out; each column is empty when
 * no event has its value (`any` collects the bits seen). */
static void encode_causes(struct discon_batch_encoder *e, const struct discon_event *ev,
                          size_t n, Discon__EventBatch *out)
{
    unsigned any = 0;
    uint64_t prev_fault = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned has = ev[i].has & DISCON_HAS_ALL;
        any |= has;
        e->has[i] = has;
        e->cause[i] = has & DISCON_HAS_CAUSE ? ev[i].cause : 0;
        e->fault_delta[i] = 0;
        if (has & DISCON_HAS_FAULT_ADDR) {
            e->fault_delta[i] = (int64_t)(ev[i].fault_addr - prev_fault);
            prev_fault = ev[i].fault_addr;
        }
        e->syscall[i] = has & DISCON_HAS_SYSCALL ? ev[i].syscall : 0;
        e->to_level[i] = has & DISCON_HAS_TO_LEVEL ? ev[i].to_level : 0;
        e->from_level[i] = has & DISCON_HAS_FROM_LEVEL ? ev[i].from_level : 0;
    }
#define COLUMN(field, bit) \
    out->n_##field = any & (bit) ? n : 0; \
    out->field = e->field;
    COLUMN(has, DISCON_HAS_ALL)
    COLUMN(cause, DISCON_HAS_CAUSE)
    COLUMN(fault_delta, DISCON_HAS_FAULT_ADDR)
    COLUMN(syscall, DISCON_HAS_SYSCALL)
    COLUMN(to_level, DISCON_HAS_TO_LEVEL)
    COLUMN(from_level, DISCON_HAS_FROM_LEVEL)
#undef COLUMN
}

int discon_batch_encode(struct discon_batch_encoder *e, const struct discon_event *ev, size_t n,
                        uint64_t ring_position, Discon__EventBatch *out)
{
    if (n == 0)
        return -DISCON_E_INVALID;
    if (reserve(e, n) != 0)
        return -DISCON_E_NOMEM;
    memset(e->slot_ref, 0, e->slots * sizeof *e->slot_ref);
    size_t nhandlers = 0;
    uint64_t prev_time = ev[0].time_ns, prev_from = 0, prev_delta = 0, prev2_delta = 0;
    size_t delta_bytes = 0, dod_bytes = 0, dod2_bytes = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t delta = ev[i].time_ns - prev_time;
        e->time_delta[i] = (int64_t)delta;
        e->time_dod[i] = (int64_t)(delta - prev_delta);
        delta_bytes += varint_size(e->time_delta[i]);
        dod_bytes += varint_size(e->time_dod[i]);
        dod2_bytes += varint_size((int64_t)(delta - prev2_delta));
        prev2_delta = prev_delta;
        prev_delta = delta;
        e->from_delta[i] = (int64_t)(ev[i].from_pc - prev_from);
        e->type[i] = ev[i].type;
        e->to_ref[i] = ev[i].to_pc == ev[i].from_pc ? 0 : intern(e, ev[i].to_pc, &nhandlers);
        prev_time = ev[i].time_ns;
        prev_from = ev[i].from_pc;
    }
    discon__event_batch__init(out);
    out->vcpu = ev[0].vcpu;
    out->first_seq = ev[0].seq;
    out->ring_position = ring_position;
    out->base_time_ns = ev[0].time_ns;
    out->n_time_delta = n;
    out->time_order = dod_bytes < delta_bytes ? 2 : 1;
    if (dod2_bytes < (dod_bytes < delta_bytes ? dod_bytes : delta_bytes)) {
        /* Alternating events (a trap, its return, the next trap ...): each
         * gap is most like the one two back. Overwrites order 2's column. */
        out->time_order = 3;
        for (size_t i = n; i-- > 0;)
            e->time_dod[i] = i >= 2 ? e->time_delta[i] - e->time_delta[i - 2] : e->time_delta[i];
    }
    out->time_delta = out->time_order >= 2 ? e->time_dod : e->time_delta;
    out->n_from_delta = n;
    out->from_delta = e->from_delta;
    out->n_type = n;
    out->type = e->type;
    out->n_to_ref = n;
    out->to_ref = e->to_ref;
    out->n_handler = nhandlers;
    out->handler = e->handler;
    encode_causes(e, ev, n, out);
    return 0;
}

long discon_batch_count(const Discon__EventBatch *b, char *err, size_t errlen)
{
    size_t n = b->n_time_delta;
    if (n == 0)
        return FAIL("vCPU %u batch at seq %llu is empty", b->vcpu,
                    (unsigned long long)b->first_seq);
    /* The cause columns are each empty or one entry per event. */
#define OPTIONAL_BAD(field) (b->n_##field != 0 && b->n_##field != n)
    if (b->n_type != n || b->n_from_delta != n || b->n_to_ref != n || OPTIONAL_BAD(legacy_cause) ||
        OPTIONAL_BAD(has) || OPTIONAL_BAD(cause) || OPTIONAL_BAD(fault_delta) ||
        OPTIONAL_BAD(syscall) || OPTIONAL_BAD(to_level) || OPTIONAL_BAD(from_level))
        return FAIL("vCPU %u batch at seq %llu has columns of different lengths", b->vcpu,
                    (unsigned long long)b->first_seq);
#undef OPTIONAL_BAD
    if (b->first_seq + n < b->first_seq)
        return FAIL("vCPU %u batch sequence numbers overflow", b->vcpu);
    if (b->time_order > 3)
        return FAIL("vCPU %u batch at seq %llu has unknown time order %u", b->vcpu,
                    (unsigned long long)b->first_seq, b->time_order);
    return (long)n;
}

/* Event i's cause fields from b's columns into *ev; -1 if `has` names a
 * value whose column is empty, or a level that does not fit. The fault
 * address accumulates in *fault. Format 1's legacy_cause maps to cause. */
static int decode_causes(const Discon__EventBatch *b, size_t i, uint64_t *fault,
                         struct discon_event *ev)
{
    unsigned has = b->n_has ? b->has[i] : 0;
    if (has & ~DISCON_HAS_ALL)
        return -1;
    if (b->n_legacy_cause && b->legacy_cause[i] && !(has & DISCON_HAS_CAUSE)) {
        ev->cause = b->legacy_cause[i];
        has |= DISCON_HAS_CAUSE;
    } else if (has & DISCON_HAS_CAUSE) {
        if (!b->n_cause)
            return -1;
        ev->cause = b->cause[i];
    }
    if (has & DISCON_HAS_FAULT_ADDR) {
        if (!b->n_fault_delta)
            return -1;
        *fault += (uint64_t)b->fault_delta[i];
        ev->fault_addr = *fault;
    }
    if (has & DISCON_HAS_SYSCALL) {
        if (!b->n_syscall)
            return -1;
        ev->syscall = b->syscall[i];
    }
    if (has & DISCON_HAS_TO_LEVEL) {
        if (!b->n_to_level || b->to_level[i] > UINT8_MAX)
            return -1;
        ev->to_level = (uint8_t)b->to_level[i];
    }
    if (has & DISCON_HAS_FROM_LEVEL) {
        if (!b->n_from_level || b->from_level[i] > UINT8_MAX)
            return -1;
        ev->from_level = (uint8_t)b->from_level[i];
    }
    ev->has = (uint8_t)has;
    return 0;
}

int discon_batch_decode(const Discon__EventBatch *b, struct discon_event *out, char *err,
                        size_t errlen)
{
    uint64_t time = b->base_time_ns, from = 0, delta = 0, delta2 = 0, fault = 0;
    for (size_t i = 0; i < b->n_time_delta; i++) {
        uint64_t d = (uint64_t)b->time_delta[i]; /* time_order 0 or 1: the gap itself */
        if (b->time_order == 2)
            d += delta;
        else if (b->time_order == 3)
            d += delta2;
        delta2 = delta;
        delta = d;
        time += delta;
        from += (uint64_t)b->from_delta[i];
        uint32_t ref = b->to_ref[i];
        if (ref > b->n_handler)
            return FAIL("vCPU %u seq %llu refers to handler %u of %zu", b->vcpu,
                        (unsigned long long)(b->first_seq + i), ref, b->n_handler);
        uint32_t type = b->type[i];
        if (discon_type_index(type) < 0)
            return FAIL("vCPU %u seq %llu has unknown type %u", b->vcpu,
                        (unsigned long long)(b->first_seq + i), type);
        out[i] = (struct discon_event){
            .seq = b->first_seq + i,
            .time_ns = time,
            .from_pc = from,
            .to_pc = ref ? b->handler[ref - 1] : from,
            .vcpu = b->vcpu,
            .type = (uint8_t)type,
        };
        if (decode_causes(b, i, &fault, &out[i]) != 0)
            return FAIL("vCPU %u seq %llu has cause values its batch lacks (has 0x%x)", b->vcpu,
                        (unsigned long long)(b->first_seq + i), b->n_has ? b->has[i] : 0);
    }
    return 0;
}
