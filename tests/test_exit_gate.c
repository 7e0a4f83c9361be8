/*
 * The exit gate (producer/exit_gate.h), which makes ordering (a) of
 * discon_ring.h hold: once discon_exit_gate_close() returns, no vCPU
 * thread publishes anything more, though they keep calling in. Run with
 * membarrier (the vCPU side has only a compiler barrier) and without (the
 * vCPU side fences).
 */
#define _GNU_SOURCE
#include "check.h"
#include "exit_gate.h"
#include "segment_fixture.h"

#include <pthread.h>
#include <time.h>

#define THREADS 4u
#define CAP 1024u

static struct fixture f;
static struct discon_exit_gate gate;
static atomic_bool quit;
static _Atomic uint64_t refused[THREADS]; /* polled by the main thread */

static void *vcpu(void *arg)
{
    uint32_t v = (uint32_t)(uintptr_t)arg;
    struct discon_producer p;
    discon_producer_init(&p, fixture_ctl(&f, v), CAP, DISCON_MODE_DROP, 0, v);
    for (uint64_t i = 0; !atomic_load_explicit(&quit, memory_order_relaxed); i++) {
        if (!discon_gate_enter(&gate, v)) {
            atomic_fetch_add_explicit(&refused[v], 1, memory_order_relaxed);
            continue;
        }
        struct discon_record r = {.time_ns = i, .from_pc = i, .type = DISCON_INTERRUPT};
        discon_produce(&p, &r); /* the ring fills, then drops: both count */
        discon_gate_leave(&gate, v);
    }
    return NULL;
}

/* Events each ring has taken so far: published plus dropped. */
static uint64_t offered(uint32_t v)
{
    struct discon_ring_ctl *ctl = fixture_ctl(&f, v);
    return atomic_load_explicit(&ctl->head, memory_order_acquire) +
           atomic_load_explicit(&ctl->dropped, memory_order_acquire);
}

/* Wait until every thread has done what `done` asks (a loaded machine may
 * not schedule one for a long while), or 30 s: then the checks below fail. */
static void wait_all(bool (*done)(uint32_t v))
{
    for (int ms = 0; ms < 30000; ms++) {
        uint32_t v = 0;
        while (v < THREADS && done(v))
            v++;
        if (v == THREADS)
            return;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

static bool has_produced(uint32_t v) { return offered(v) > 0; }
static bool was_refused(uint32_t v) { return atomic_load(&refused[v]) > 0; }

static void sleep_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000};
    nanosleep(&ts, NULL);
}

static void run(bool membarrier)
{
    fixture_open(&f, membarrier ? "gate-mb" : "gate-fence", CAP, THREADS, DISCON_MODE_DROP, 0);
    CHECK(discon_exit_gate_init(&gate, THREADS) == 0);
    if (!membarrier)
        gate.membarrier = false;
    atomic_store(&quit, false);
    pthread_t t[THREADS];
    for (uintptr_t v = 0; v < THREADS; v++) {
        atomic_store(&refused[v], 0);
        pthread_create(&t[v], NULL, vcpu, (void *)v);
    }
    wait_all(has_produced);
    discon_exit_gate_close(&gate);
    uint64_t at_close[THREADS];
    for (uint32_t v = 0; v < THREADS; v++)
        at_close[v] = offered(v);
    wait_all(was_refused); /* every thread has called in after the close */
    sleep_ms(20);          /* and keeps calling in */
    for (uint32_t v = 0; v < THREADS; v++)
        CHECK_EQ(offered(v), at_close[v]);
    atomic_store(&quit, true);
    for (uint32_t v = 0; v < THREADS; v++) {
        pthread_join(t[v], NULL);
        CHECK(at_close[v] > 0);  /* it produced before */
        CHECK(atomic_load(&refused[v]) > 0); /* and was turned away after */
    }
    free(gate.slots);
    fixture_close(&f);
}

int main(void)
{
    run(true);
    run(false);
    CHECK_DONE();
}
