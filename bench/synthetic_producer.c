/*
 * A synthetic producer for long-trace benchmarks: two "vCPU" threads write
 * records into a discon segment at a fixed total rate (block mode, as the
 * plugin would), then mark it finished. The PCs follow a boot-like mix: a
 * few hot handlers, sources from a working set.
 *   synthetic_producer SHM EVENTS_PER_SECOND SECONDS
 */
#define _GNU_SOURCE
#include "discon_clock.h"
#include "ring_producer.h"
#include "segment_create.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define VCPUS 2

static struct discon_shm_header *hdr;
static uint64_t per_thread_rate, seconds, dropped_total;

static void *produce(void *arg)
{
    unsigned vcpu = (unsigned)(uintptr_t)arg;
    struct discon_producer p;
    discon_producer_init(&p, discon_ring_ctl_at(hdr, hdr->ring_stride, vcpu), hdr->ring_capacity,
                         DISCON_MODE_BLOCK, 10000, vcpu);
    static const uint64_t handlers[] = {0xffffffff81e01280u, 0xffffffff81e015f0u,
                                        0xffffffff81e01670u, 0xffffffff81e01630u};
    uint64_t rng = 0x9e3779b97f4a7c15u * (vcpu + 1), total = per_thread_rate * seconds;
    /* Batches of 1000, or 1/100 s of events at low rates (an idle guest). */
    uint64_t pace = per_thread_rate / 100 < 1000 ? per_thread_rate / 100 : 1000;
    pace = pace ? pace : 1;
    uint64_t start = discon_clock_ns(CLOCK_MONOTONIC);
    for (uint64_t i = 0; i < total; i++) {
        if (i % pace == 0) { /* pace: sleep until this batch is due */
            uint64_t due = start + i * 1000000000u / per_thread_rate;
            uint64_t now = discon_clock_ns(CLOCK_MONOTONIC);
            if (due > now) {
                struct timespec ts = {(time_t)((due - now) / 1000000000u), (long)((due - now) % 1000000000u)};
                nanosleep(&ts, NULL);
            }
        }
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        uint8_t type = rng % 20 ? DISCON_EXCEPTION : DISCON_INTERRUPT;
        uint64_t from = rng % 4 ? 0x400000 + (rng >> 40) % 0x20000 : 0xffffffff81000000u + (rng >> 44);
        struct discon_record r = {
            .time_ns = discon_clock_ns(CLOCK_MONOTONIC), .from_pc = from,
            .to_pc = handlers[type == DISCON_EXCEPTION ? 0 : 1 + (rng >> 60) % 3], .type = type,
        };
        discon_produce(&p, &r);
    }
    __atomic_add_fetch(&dropped_total, p.dropped, __ATOMIC_RELAXED);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: synthetic_producer SHM EVENTS_PER_SECOND SECONDS\n");
        return 2;
    }
    per_thread_rate = strtoull(argv[2], NULL, 10) / VCPUS;
    seconds = strtoull(argv[3], NULL, 10);
    char name[256], err[256];
    snprintf(name, sizeof name, "/%s", argv[1]);
    struct discon_segment_config cfg = {
        .name = name, .ring_capacity = 65536, .vcpu_capacity = VCPUS, .smp_vcpus = VCPUS,
        .flags = DISCON_FLAG_SYSTEM, .mode = DISCON_MODE_BLOCK, .types = DISCON_TYPES_ALL,
        .block_timeout_ms = 10000, .target = "x86_64", .options = "synthetic",
    };
    if (!(hdr = discon_segment_create(&cfg, err, sizeof err))) {
        fprintf(stderr, "synthetic_producer: %s\n", err);
        return 1;
    }
    pthread_t t[VCPUS];
    for (uintptr_t v = 0; v < VCPUS; v++)
        pthread_create(&t[v], NULL, produce, (void *)v);
    for (int v = 0; v < VCPUS; v++)
        pthread_join(t[v], NULL);
    atomic_store_explicit(&hdr->state, DISCON_STATE_FINISHED, memory_order_release);
    printf("produced %llu dropped %llu\n", (unsigned long long)(per_thread_rate * seconds * VCPUS),
           (unsigned long long)dropped_total);
    return dropped_total ? 1 : 0;
}
