/*
 * The time column's codings at the codec level (batch_codec.h,
 * discon.proto's time_order), on what returns=on makes: traps alternating
 * with their returns. Gaps then alternate between a handler's time and the
 * user's, so each gap is most like the one two back: the encoder must pick
 * time_order 3 and every time, type and field must come back exactly. A
 * regular stream still picks 2, and an unknown order is refused.
 */
#include "batch_codec.h"
#include "check.h"

#include <string.h>

#define N 64

static long decode(const Discon__EventBatch *b, struct discon_event *out)
{
    char err[256];
    long n = discon_batch_count(b, err, sizeof err);
    if (n < 0)
        return n;
    return discon_batch_decode(b, out, err, sizeof err) < 0 ? -1 : n;
}

static int same(const struct discon_event *a, const struct discon_event *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].time_ns != b[i].time_ns || a[i].from_pc != b[i].from_pc ||
            a[i].to_pc != b[i].to_pc || a[i].type != b[i].type || a[i].has != b[i].has ||
            a[i].syscall != b[i].syscall || a[i].cause != b[i].cause ||
            a[i].to_level != b[i].to_level || a[i].from_level != b[i].from_level)
            return 0;
    return 1;
}

int main(void)
{
    struct discon_event ev[N], out[N];
    struct discon_batch_encoder enc = {0};
    Discon__EventBatch b;

    /* An x86_64 system-call loop: SYSCALL (rax 110, cause 0, CPL 3 -> 0)
     * 1.90-1.94 us before its RETURN (sysretq, CPL 0 -> 3), 0.40-0.44 us of
     * user code before the next. */
    uint64_t t = 1000000000;
    for (int i = 0; i < N; i++) {
        int sys = i % 2 == 0;
        t += sys ? 400 + (uint64_t)(i * 7 % 40) : 1900 + (uint64_t)(i * 13 % 40);
        ev[i] = (struct discon_event){
            .seq = (uint64_t)i, .time_ns = t, .type = sys ? DISCON_SYSCALL : DISCON_RETURN,
            .from_pc = sys ? 0x40100c : 0xffffffff810001c8, .to_pc = sys ? 0xffffffff81000040 : 0x40100e,
            .syscall = sys ? 110 : 0, .to_level = sys ? 0 : 3, .from_level = sys ? 3 : 0,
            .has = (uint8_t)(DISCON_HAS_TO_LEVEL | DISCON_HAS_FROM_LEVEL |
                             (sys ? DISCON_HAS_SYSCALL | DISCON_HAS_CAUSE : 0)),
        };
    }
    CHECK_EQ(discon_batch_encode(&enc, ev, N, 0, &b), 0);
    CHECK_EQ(b.time_order, 3);
    CHECK_EQ(decode(&b, out), N);
    CHECK(same(ev, out, N));

    /* A regular stream (one kind of event, near-constant gaps): order 2. */
    t = 5000;
    for (int i = 0; i < N; i++) {
        t += 2500 + (uint64_t)(i % 3);
        ev[i] = (struct discon_event){.seq = (uint64_t)i, .time_ns = t, .type = DISCON_EXCEPTION,
                                      .from_pc = 0x1000, .to_pc = 0x2000};
    }
    CHECK_EQ(discon_batch_encode(&enc, ev, N, 0, &b), 0);
    CHECK_EQ(b.time_order, 2);
    CHECK_EQ(decode(&b, out), N);
    CHECK(same(ev, out, N));

    /* Order 3 by hand: gaps 10, 20, 11, 19 are sent as 10, 20, 1, -1. */
    int64_t td[4] = {10, 20, 1, -1}, zero[4] = {0};
    uint32_t types[4] = {DISCON_EXCEPTION, DISCON_RETURN, DISCON_EXCEPTION, DISCON_RETURN},
             refs[4] = {0};
    Discon__EventBatch h;
    discon__event_batch__init(&h);
    h.n_time_delta = h.n_from_delta = h.n_type = h.n_to_ref = 4;
    h.time_delta = td, h.from_delta = zero, h.type = types, h.to_ref = refs;
    h.base_time_ns = 100, h.time_order = 3;
    CHECK_EQ(decode(&h, out), 4);
    CHECK(out[0].time_ns == 110 && out[1].time_ns == 130 && out[2].time_ns == 141 &&
          out[3].time_ns == 160);
    h.time_order = 4; /* no such coding */
    CHECK(decode(&h, out) < 0);
    discon_batch_encoder_free(&enc);
    CHECK_DONE();
}
