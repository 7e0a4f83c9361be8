/*
 * The slow path of the producer: what happens when a ring is full.
 *
 * Block mode spins briefly, then sleeps with exponential backoff, until the
 * consumer frees a slot. A consumer that frees nothing for block_timeout
 * must not hang the guest forever, so the ring then falls back to dropping
 * (counted exactly) and warns once; it blocks again as soon as the consumer
 * makes room. Drop mode never waits.
 *
 * Dropped events are reported in-band: the first record stored after a run
 * of drops is preceded by a DISCON_RECORD_LOSS record carrying the count and
 * time range, so a reader can place the gap exactly in the sequence. Drops
 * still pending at exit are the difference between ctl->dropped and the sum
 * of the loss records.
 */
#define _POSIX_C_SOURCE 200809L
#include "ring_producer.h"
#include "discon_clock.h"

#include <stdio.h>
#include <time.h>

#define SPIN_ITERATIONS 2000
#define SLEEP_MIN_NS 1000
#define SLEEP_MAX_NS 1000000

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

void discon_producer_init(struct discon_producer *p, struct discon_ring_ctl *ctl,
                          uint32_t capacity, enum discon_mode mode,
                          uint32_t block_timeout_ms, unsigned vcpu)
{
    *p = (struct discon_producer){
        .ctl = ctl,
        .slots = discon_ring_records(ctl),
        .capacity = capacity,
        /* head and dropped: only this producer writes them (relaxed). */
        .head = atomic_load_explicit(&ctl->head, memory_order_relaxed),
        /* Pairs with the release of tail in discon_ring_release(). */
        .tail_cache = atomic_load_explicit(&ctl->tail, memory_order_acquire),
        .dropped = atomic_load_explicit(&ctl->dropped, memory_order_relaxed),
        .block_timeout_ns = (uint64_t)block_timeout_ms * 1000000u,
        .vcpu = vcpu,
        .drop_mode = mode == DISCON_MODE_DROP,
    };
}

/* Re-read the consumer's tail. A scribbled tail ahead of head makes the
 * unsigned difference huge: the ring then just looks full. */
static bool has_room(struct discon_producer *p, uint64_t need)
{
    /* Pairs with the release of tail in discon_ring_release(): the
     * consumer is done with the slots below it before we overwrite them. */
    p->tail_cache = atomic_load_explicit(&p->ctl->tail, memory_order_acquire);
    return p->head - p->tail_cache <= p->capacity - need;
}

static void warn_fallback_once(const struct discon_producer *p)
{
    static atomic_flag warned = ATOMIC_FLAG_INIT;
    /* A once-only flag, no pair: it orders nothing but the warning. */
    if (!atomic_flag_test_and_set(&warned))
        fprintf(stderr,
                "discon: vCPU %u: the consumer drained nothing for %llu ms; "
                "dropping (and counting) events until it drains again\n",
                p->vcpu, (unsigned long long)(p->block_timeout_ns / 1000000u));
}

/* Block mode: wait until `need` slots are free. False once the consumer has
 * made no progress for block_timeout_ns. */
static bool wait_for_room(struct discon_producer *p, uint64_t need)
{
    uint64_t progress_tail = p->tail_cache;
    uint64_t progress_ns = discon_clock_ns(CLOCK_MONOTONIC);
    long sleep_ns = SLEEP_MIN_NS;

    for (unsigned spins = 0;; spins++) {
        if (spins < SPIN_ITERATIONS) {
            cpu_relax();
        } else {
            struct timespec ts = {0, sleep_ns};
            nanosleep(&ts, NULL);
            if (sleep_ns < SLEEP_MAX_NS)
                sleep_ns *= 2;
        }
        if (has_room(p, need))
            return true;
        uint64_t now = discon_clock_ns(CLOCK_MONOTONIC);
        if (p->tail_cache != progress_tail) {
            progress_tail = p->tail_cache;
            progress_ns = now;
        } else if (now - progress_ns >= p->block_timeout_ns) {
            return false;
        }
    }
}

static void drop(struct discon_producer *p, const struct discon_record *rec)
{
    if (p->lost == 0)
        p->lost_first_ns = rec->time_ns;
    p->lost++;
    p->lost_last_ns = rec->time_ns;
    p->dropped++;
    /* Ordering (b) of discon_ring.h: this store precedes the head store that
     * publishes the loss marker. The release pairs with the acquire in
     * discon_ring_dropped(), for drops that no marker reports yet. */
    atomic_store_explicit(&p->ctl->dropped, p->dropped, memory_order_release);
}

bool discon_produce_slow(struct discon_producer *p, const struct discon_record *rec)
{
    uint64_t need = p->lost ? 2 : 1;

    if (!has_room(p, need)) {
        if (p->drop_mode || p->fallback) {
            drop(p, rec);
            return false;
        }
        if (!wait_for_room(p, need)) {
            p->fallback = true;
            /* Relaxed: a diagnostic no reader orders anything by. */
            atomic_store_explicit(&p->ctl->fallback, 1, memory_order_relaxed);
            warn_fallback_once(p);
            drop(p, rec);
            return false;
        }
    }
    if (p->fallback) { /* the consumer is draining again: block again */
        p->fallback = false;
        atomic_store_explicit(&p->ctl->fallback, 0, memory_order_relaxed); /* as above */
    }
    uint64_t mask = p->capacity - 1;
    if (p->lost) {
        p->slots[p->head++ & mask] = (struct discon_record){
            .time_ns = p->lost_first_ns,
            .from_pc = p->lost,
            .to_pc = p->lost_last_ns,
            .type = DISCON_RECORD_LOSS,
        };
        p->lost = 0;
    }
    p->slots[p->head++ & mask] = *rec;
    /* Pairs with the acquire of head in discon_ring_head(); publishes the
     * loss marker after the dropped store of drop(): ordering (b). */
    atomic_store_explicit(&p->ctl->head, p->head, memory_order_release);
    return true;
}
