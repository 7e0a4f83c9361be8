/*
 * The cause columns of an EventBatch (discon.proto 10, 12-17) at the codec
 * level: events without causes write no column at all; format 1's cause
 * column (legacy_cause) still reads; a batch whose `has` names a value its
 * columns lack, an unknown bit, a level that does not fit, or a column of
 * the wrong length is refused as a bad batch.
 */
#include "batch_codec.h"
#include "check.h"

#include <string.h>

#define N 4

/* A valid batch of N exceptions with no cause columns. */
static void plain_batch(Discon__EventBatch *b, int64_t *deltas, uint32_t *types, uint32_t *refs)
{
    discon__event_batch__init(b);
    for (int i = 0; i < N; i++)
        deltas[i] = 1, types[i] = DISCON_EXCEPTION, refs[i] = 0;
    b->n_time_delta = b->n_from_delta = b->n_type = b->n_to_ref = N;
    b->time_delta = b->from_delta = deltas;
    b->type = types;
    b->to_ref = refs;
    b->time_order = 1;
}

static int decode(const Discon__EventBatch *b, struct discon_event *out)
{
    char err[256];
    long n = discon_batch_count(b, err, sizeof err);
    if (n < 0)
        return (int)n;
    return discon_batch_decode(b, out, err, sizeof err);
}

int main(void)
{
    struct discon_event ev[N] = {{0}}, out[N];
    struct discon_batch_encoder enc = {0};
    Discon__EventBatch b;

    /* No causes: no cause column, so such traces cost what format 1 did. */
    for (int i = 0; i < N; i++)
        ev[i] = (struct discon_event){.seq = (uint64_t)i, .type = DISCON_INTERRUPT};
    CHECK_EQ(discon_batch_encode(&enc, ev, N, 0, &b), 0);
    CHECK(b.n_has == 0 && b.n_cause == 0 && b.n_fault_delta == 0 && b.n_syscall == 0 &&
          b.n_to_level == 0 && b.n_from_level == 0 && b.n_legacy_cause == 0);

    /* One field on one event: only its column (and has) are written. */
    ev[2].has = DISCON_HAS_SYSCALL;
    ev[2].syscall = 0;
    CHECK_EQ(discon_batch_encode(&enc, ev, N, 0, &b), 0);
    CHECK(b.n_has == N && b.n_syscall == N && b.n_cause == 0 && b.n_fault_delta == 0);
    CHECK_EQ(decode(&b, out), 0);
    CHECK(out[2].has == DISCON_HAS_SYSCALL && out[2].syscall == 0 && out[1].has == 0);
    discon_batch_encoder_free(&enc);

    int64_t deltas[N];
    uint32_t types[N], refs[N];

    /* Format 1's cause column: nonzero values are causes, 0 is none. */
    uint32_t legacy[N] = {0, 7, 0, 0xffffffffu};
    plain_batch(&b, deltas, types, refs);
    b.n_legacy_cause = N;
    b.legacy_cause = legacy;
    CHECK_EQ(decode(&b, out), 0);
    CHECK(out[0].has == 0 && out[0].cause == 0);
    CHECK(out[1].has == DISCON_HAS_CAUSE && out[1].cause == 7);
    CHECK(out[3].has == DISCON_HAS_CAUSE && out[3].cause == 0xffffffffu);

    /* Refused: a `has` bit whose column is empty. */
    uint32_t has[N] = {0, DISCON_HAS_FAULT_ADDR, 0, 0};
    plain_batch(&b, deltas, types, refs);
    b.n_has = N;
    b.has = has;
    CHECK_EQ(decode(&b, out), -DISCON_E_BAD_BATCH);

    /* Refused: an unknown bit. */
    has[1] = 1u << 7;
    CHECK_EQ(decode(&b, out), -DISCON_E_BAD_BATCH);

    /* Refused: a level beyond 8 bits. */
    uint32_t levels[N] = {0, 256, 0, 0};
    has[1] = DISCON_HAS_TO_LEVEL;
    b.n_to_level = N;
    b.to_level = levels;
    CHECK_EQ(decode(&b, out), -DISCON_E_BAD_BATCH);
    levels[1] = 3;
    CHECK_EQ(decode(&b, out), 0);
    CHECK(out[1].has == DISCON_HAS_TO_LEVEL && out[1].to_level == 3);

    /* Refused: a column neither empty nor one entry per event. */
    uint64_t causes[N] = {0};
    b.n_cause = N - 1;
    b.cause = causes;
    CHECK_EQ(decode(&b, out), -DISCON_E_BAD_BATCH);
    CHECK_DONE();
}
