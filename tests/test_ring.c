/* Unit tests of one ring: producer fast and slow paths, reader. */
#define _GNU_SOURCE
#include "check.h"
#include "discon_clock.h"
#include "segment_fixture.h"

#include <pthread.h>
#include <time.h>

static uint64_t now_ns(void) { return discon_clock_ns(CLOCK_MONOTONIC); }

static struct discon_record rec(uint64_t i)
{
    return (struct discon_record){
        .time_ns = 1000 + i, .from_pc = 0xffffffff81000000u + i, .to_pc = ~i,
        .type = (uint8_t)(1u << (i % 3)),
    };
}

static int same(const struct discon_record *a, const struct discon_record *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static void test_empty(void)
{
    struct fixture f;
    fixture_open(&f, "empty", 16, 2, DISCON_MODE_DROP, 100);
    struct discon_record out[4];
    char err[256];
    CHECK_EQ(discon_ring_consume(&f.seg.rings[0], out, 4, err, sizeof err), 0);
    CHECK_EQ(discon_ring_consume(&f.seg.rings[1], out, 4, err, sizeof err), 0);
    CHECK_EQ(discon_ring_dropped(&f.seg.rings[0]), 0);
    fixture_close(&f);
}

/* Fill exactly to capacity, then one more: it is dropped and counted. */
static void test_full(void)
{
    struct fixture f;
    fixture_open(&f, "full", 16, 1, DISCON_MODE_DROP, 100);
    struct discon_producer p;
    discon_producer_init(&p, fixture_ctl(&f, 0), 16, DISCON_MODE_DROP, 100, 0);
    for (uint64_t i = 0; i < 16; i++) {
        struct discon_record r = rec(i);
        CHECK(discon_produce(&p, &r));
    }
    struct discon_record r = rec(16);
    CHECK(!discon_produce(&p, &r));
    CHECK_EQ(discon_ring_dropped(&f.seg.rings[0]), 1);

    struct discon_record out[32];
    char err[256];
    CHECK_EQ(discon_ring_consume(&f.seg.rings[0], out, 32, err, sizeof err), 16);
    for (uint64_t i = 0; i < 16; i++) {
        struct discon_record want = rec(i);
        CHECK(same(&out[i], &want));
    }
    fixture_close(&f);
}

/* Positions are free-running 64-bit counters: they must wrap cleanly. */
static void test_wraparound(void)
{
    struct fixture f;
    fixture_open(&f, "wrap", 16, 1, DISCON_MODE_DROP, 100);
    struct discon_ring_ctl *ctl = fixture_ctl(&f, 0);
    uint64_t start = UINT64_MAX - 20;
    atomic_store(&ctl->head, start);
    atomic_store(&ctl->tail, start);
    f.seg.rings[0].tail = f.seg.rings[0].read = start;

    struct discon_producer p;
    discon_producer_init(&p, ctl, 16, DISCON_MODE_DROP, 100, 0);
    char err[256];
    uint64_t produced = 0, consumed = 0;
    for (int round = 0; round < 10; round++) {
        for (int k = 0; k < 7; k++) {
            struct discon_record r = rec(produced++);
            CHECK(discon_produce(&p, &r));
        }
        struct discon_record out[16];
        long n = discon_ring_consume(&f.seg.rings[0], out, 16, err, sizeof err);
        CHECK_EQ(n, 7);
        for (long i = 0; i < n; i++) {
            struct discon_record want = rec(consumed++);
            CHECK(same(&out[i], &want));
        }
    }
    CHECK(atomic_load(&ctl->head) < start); /* it did wrap past 2^64 */
    CHECK_EQ(atomic_load(&ctl->head), start + 70);
    CHECK_EQ(discon_ring_dropped(&f.seg.rings[0]), 0);
    fixture_close(&f);
}

/* Drops are counted exactly and reported in-band before the next record. */
static void test_drop_counts(void)
{
    struct fixture f;
    fixture_open(&f, "drop", 16, 1, DISCON_MODE_DROP, 100);
    struct discon_producer p;
    discon_producer_init(&p, fixture_ctl(&f, 0), 16, DISCON_MODE_DROP, 100, 0);
    uint64_t i = 0;
    for (; i < 16; i++) {
        struct discon_record r = rec(i);
        CHECK(discon_produce(&p, &r));
    }
    for (; i < 16 + 1000; i++) {
        struct discon_record r = rec(i);
        CHECK(!discon_produce(&p, &r));
    }
    CHECK_EQ(discon_ring_dropped(&f.seg.rings[0]), 1000);

    struct discon_record out[16];
    char err[256];
    CHECK_EQ(discon_ring_consume(&f.seg.rings[0], out, 1, err, sizeof err), 1);
    /* One free slot is not enough for the loss record and the event. */
    struct discon_record r = rec(i++);
    CHECK(!discon_produce(&p, &r));
    CHECK_EQ(discon_ring_dropped(&f.seg.rings[0]), 1001);
    CHECK_EQ(discon_ring_consume(&f.seg.rings[0], out, 16, err, sizeof err), 15);
    r = rec(i);
    CHECK(discon_produce(&p, &r));
    CHECK_EQ(discon_ring_consume(&f.seg.rings[0], out, 16, err, sizeof err), 2);
    CHECK_EQ(out[0].type, DISCON_RECORD_LOSS);
    CHECK_EQ(out[0].from_pc, 1001);             /* count */
    CHECK_EQ(out[0].time_ns, rec(16).time_ns);  /* first lost */
    CHECK_EQ(out[0].to_pc, rec(i - 1).time_ns); /* last lost */
    CHECK(same(&out[1], &r));
    fixture_close(&f);
}

struct slow_consumer {
    struct discon_ring_reader *ring;
    uint64_t expect;
    uint64_t got;
    int bad;
};

static void *slow_consume(void *arg)
{
    struct slow_consumer *c = arg;
    char err[256];
    struct timespec pause = {0, 50000};
    while (c->got < c->expect) {
        struct discon_record out[3];
        long n = discon_ring_consume(c->ring, out, 3, err, sizeof err);
        if (n < 0) {
            c->bad++;
            return NULL;
        }
        for (long i = 0; i < n; i++) {
            struct discon_record want = rec(c->got++);
            c->bad += !same(&out[i], &want);
        }
        nanosleep(&pause, NULL);
    }
    return NULL;
}

/* Block mode with a consumer slower than the producer: nothing is lost. */
static void test_block_slow_consumer(void)
{
    struct fixture f;
    fixture_open(&f, "block", 16, 1, DISCON_MODE_BLOCK, 5000);
    struct discon_producer p;
    discon_producer_init(&p, fixture_ctl(&f, 0), 16, DISCON_MODE_BLOCK, 5000, 0);
    struct slow_consumer c = {.ring = &f.seg.rings[0], .expect = 2000};
    pthread_t t;
    pthread_create(&t, NULL, slow_consume, &c);
    int stored = 0;
    for (uint64_t i = 0; i < c.expect; i++) {
        struct discon_record r = rec(i);
        stored += discon_produce(&p, &r);
    }
    pthread_join(t, NULL);
    CHECK_EQ(stored, 2000);
    CHECK_EQ(c.got, 2000);
    CHECK_EQ(c.bad, 0);
    CHECK_EQ(discon_ring_dropped(&f.seg.rings[0]), 0);
    CHECK_EQ(atomic_load(&fixture_ctl(&f, 0)->fallback), 0);
    fixture_close(&f);
}

/* Block mode with a dead consumer: wait block_timeout once, then drop
 * without waiting; block again once the consumer drains. */
static void test_block_fallback(void)
{
    const uint32_t timeout_ms = 50;
    struct fixture f;
    fixture_open(&f, "fallback", 16, 1, DISCON_MODE_BLOCK, timeout_ms);
    struct discon_ring_ctl *ctl = fixture_ctl(&f, 0);
    struct discon_producer p;
    discon_producer_init(&p, ctl, 16, DISCON_MODE_BLOCK, timeout_ms, 0);
    uint64_t i = 0;
    for (; i < 16; i++) {
        struct discon_record r = rec(i);
        CHECK(discon_produce(&p, &r));
    }
    uint64_t t0 = now_ns();
    struct discon_record r = rec(i++);
    CHECK(!discon_produce(&p, &r));
    uint64_t waited = now_ns() - t0;
    CHECK(waited >= timeout_ms * 1000000ull);
    CHECK(waited < 20ull * timeout_ms * 1000000ull);
    CHECK_EQ(atomic_load(&ctl->fallback), 1);

    t0 = now_ns();
    for (int k = 0; k < 100; k++) {
        r = rec(i++);
        CHECK(!discon_produce(&p, &r));
    }
    /* No more waiting: 100 waits would take 100 timeouts; the bound leaves
     * room for a loaded machine's preemption. */
    CHECK(now_ns() - t0 < 20ull * timeout_ms * 1000000ull);
    CHECK_EQ(discon_ring_dropped(&f.seg.rings[0]), 101);

    struct discon_record out[16];
    char err[256];
    CHECK_EQ(discon_ring_consume(&f.seg.rings[0], out, 16, err, sizeof err), 16);
    r = rec(i);
    CHECK(discon_produce(&p, &r));
    CHECK_EQ(atomic_load(&ctl->fallback), 0);
    CHECK_EQ(discon_ring_consume(&f.seg.rings[0], out, 16, err, sizeof err), 2);
    CHECK_EQ(out[0].type, DISCON_RECORD_LOSS);
    CHECK_EQ(out[0].from_pc, 101);
    CHECK(same(&out[1], &r));
    fixture_close(&f);
}

/* Peeked records keep their slots until released: the producer cannot
 * overwrite what a consumer has not yet stored safely. */
static void test_peek_release(void)
{
    struct fixture f;
    fixture_open(&f, "peek", 16, 1, DISCON_MODE_DROP, 100);
    struct discon_producer p;
    discon_producer_init(&p, fixture_ctl(&f, 0), 16, DISCON_MODE_DROP, 100, 0);
    for (uint64_t i = 0; i < 16; i++) {
        struct discon_record r = rec(i);
        CHECK(discon_produce(&p, &r));
    }
    struct discon_record out[16];
    char err[256];
    CHECK_EQ(discon_ring_peek(&f.seg.rings[0], out, 10, err, sizeof err), 10);
    CHECK_EQ(discon_ring_peek(&f.seg.rings[0], out + 10, 16, err, sizeof err), 6);
    CHECK_EQ(discon_ring_peek(&f.seg.rings[0], out, 16, err, sizeof err), 0);
    struct discon_record r = rec(16);
    CHECK(!discon_produce(&p, &r)); /* still full: nothing released */
    discon_ring_release(&f.seg.rings[0]);
    CHECK_EQ(atomic_load(&fixture_ctl(&f, 0)->tail), 16);
    r = rec(17);
    CHECK(discon_produce(&p, &r));
    CHECK_EQ(discon_ring_peek(&f.seg.rings[0], out, 16, err, sizeof err), 2);
    CHECK_EQ(out[0].type, DISCON_RECORD_LOSS);
    CHECK(same(&out[1], &r));
    /* A head moved back behind what was read is corruption. */
    atomic_store(&fixture_ctl(&f, 0)->head, 17);
    CHECK_EQ(discon_ring_peek(&f.seg.rings[0], out, 16, err, sizeof err), -DISCON_SEG_E_RING);
    CHECK_EQ(f.seg.rings[0].read, 18); /* nothing read */
    fixture_close(&f);
}

int main(void)
{
    test_empty();
    test_full();
    test_wraparound();
    test_drop_counts();
    test_block_slow_consumer();
    test_block_fallback();
    test_peek_release();
    CHECK_DONE();
}
