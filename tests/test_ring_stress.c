/*
 * Several producer threads (one ring each) and one draining thread, built
 * with ThreadSanitizer: every record is checked for order and content, and
 * block mode must lose nothing. Small rings force constant wrap-around and
 * blocking.   usage: test_ring_stress [RECORDS_PER_PRODUCER]
 */
#define _GNU_SOURCE
#include "check.h"
#include "segment_fixture.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define PRODUCERS 4
#define RING 1024

static struct fixture f;
static uint64_t per_producer = 2500000; /* 10 M records in all */
static atomic_int producers_running = PRODUCERS;

static struct discon_record expected(uint32_t vcpu, uint64_t seq)
{
    uint64_t mix = seq * 0x9e3779b97f4a7c15u ^ ((uint64_t)vcpu << 56);
    return (struct discon_record){
        .time_ns = seq, .from_pc = mix, .to_pc = ~mix,
        .cause = (uint32_t)seq ^ vcpu, .type = (uint8_t)(1u << (seq % 3)),
    };
}

static void *produce(void *arg)
{
    uint32_t vcpu = (uint32_t)(uintptr_t)arg;
    struct discon_producer p;
    discon_producer_init(&p, fixture_ctl(&f, vcpu), RING, DISCON_MODE_BLOCK, 60000, vcpu);
    for (uint64_t seq = 0; seq < per_producer; seq++) {
        struct discon_record r = expected(vcpu, seq);
        if (!discon_produce(&p, &r)) {
            atomic_fetch_sub(&producers_running, 1);
            return (void *)1;
        }
    }
    atomic_fetch_sub(&producers_running, 1);
    return NULL;
}

static uint64_t mismatches, corrupt;

static void *drain(void *arg)
{
    (void)arg;
    uint64_t next[PRODUCERS] = {0};
    struct discon_record out[256];
    char err[256];
    uint64_t remaining = per_producer * PRODUCERS;
    while (remaining) {
        int done = atomic_load(&producers_running) == 0; /* read before the pass */
        int idle = 1;
        for (uint32_t v = 0; v < PRODUCERS; v++) {
            long n = discon_ring_consume(&f.seg.rings[v], out, 256, err, sizeof err);
            if (n < 0) {
                fprintf(stderr, "drain: %s\n", err);
                corrupt++;
                return NULL;
            }
            for (long i = 0; i < n; i++) {
                struct discon_record want = expected(v, next[v]++);
                mismatches += memcmp(&out[i], &want, sizeof want) != 0;
            }
            remaining -= (uint64_t)n;
            idle &= n == 0;
        }
        if (idle && done)
            return NULL; /* records are missing: the checks below say so */
        if (idle)
            sched_yield();
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        per_producer = strtoull(argv[1], NULL, 10);
    fixture_open(&f, "stress", RING, PRODUCERS, DISCON_MODE_BLOCK, 60000);
    pthread_t prod[PRODUCERS], cons;
    pthread_create(&cons, NULL, drain, NULL);
    for (uintptr_t v = 0; v < PRODUCERS; v++)
        pthread_create(&prod[v], NULL, produce, (void *)v);
    int lost = 0;
    for (int v = 0; v < PRODUCERS; v++) {
        void *ret;
        pthread_join(prod[v], &ret);
        lost += ret != NULL;
    }
    pthread_join(cons, NULL);
    CHECK_EQ(lost, 0);
    CHECK_EQ(corrupt, 0);
    CHECK_EQ(mismatches, 0);
    for (int v = 0; v < PRODUCERS; v++) {
        CHECK_EQ(discon_ring_dropped(&f.seg.rings[v]), 0);
        CHECK_EQ(atomic_load(&fixture_ctl(&f, (uint32_t)v)->head), per_producer);
        CHECK_EQ(f.seg.rings[v].tail, per_producer);
    }
    printf("%d producers x %llu records checked\n", PRODUCERS, (unsigned long long)per_producer);
    fixture_close(&f);
    CHECK_DONE();
}
