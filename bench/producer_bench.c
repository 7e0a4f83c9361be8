/*
 * Producer cost: the plugin's own discontinuity callback (libdiscon.so,
 * loaded by a minimal fake QEMU host) called in a loop, while a consumer
 * thread on the other core drains the ring; beside an empty non-inlined
 * call and a buffered fprintf of the same fields.
 *   producer_bench PLUGIN [EVENTS]
 */
#define _GNU_SOURCE
#include "discon_clock.h"
#include "qemu_plugin_api.h"
#include "segment_reader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static qemu_plugin_vcpu_discon_cb_t discon_cb;
static qemu_plugin_udata_cb_t atexit_cb;

QEMU_PLUGIN_EXPORT void qemu_plugin_register_vcpu_discon_cb(qemu_plugin_id_t id,
                                                            enum qemu_plugin_discon_type type,
                                                            qemu_plugin_vcpu_discon_cb_t cb,
                                                            void *userdata)
{
    (void)id, (void)type, (void)userdata;
    discon_cb = cb;
}

QEMU_PLUGIN_EXPORT void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
                                                       qemu_plugin_udata_cb_t cb, void *userdata)
{
    (void)id, (void)userdata;
    atexit_cb = cb;
}

__attribute__((noinline)) void empty_call(unsigned vcpu, int type, uint64_t from, uint64_t to)
{
    __asm__ volatile("" ::"r"(vcpu), "r"(type), "r"(from), "r"(to) : "memory");
}

/* The event types QEMU's discontinuity callback passes (RETURN and
 * SYSCALL are the plugin's own), in turn. */
static unsigned qemu_type(uint64_t i)
{
    static const unsigned t[] = {DISCON_INTERRUPT, DISCON_EXCEPTION, DISCON_HOSTCALL};
    _Static_assert(sizeof t / sizeof t[0] == 3 && (DISCON_QEMU_TYPES & ~7u) == 0, "QEMU's types");
    return t[i % 3];
}

static struct discon_segment seg;
static atomic_int producing = 1;
static uint64_t drained;

/* Drains like discond: a batch, then a 50 us pause (its shortest poll
 * interval), so head and tail change cache lines per batch, not per event. */
static void *drain(void *arg)
{
    (void)arg;
    struct discon_record buf[4096];
    char err[256];
    for (;;) {
        int done = !atomic_load(&producing);
        long n, got = 0;
        while ((n = discon_ring_consume(&seg.rings[0], buf, 4096, err, sizeof err)) > 0)
            got += n;
        drained += (uint64_t)got;
        if (done && got == 0)
            return NULL;
        struct timespec pause = {0, 50000};
        nanosleep(&pause, NULL);
    }
}

static void row(const char *name, double ns, double base)
{
    printf("%-34s %9.1f ns %12.3g events/s %7.2fx\n", name, ns, 1e9 / ns, ns / base);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: producer_bench PLUGIN [EVENTS]\n");
        return 2;
    }
    uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 50000000;
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) {
        fprintf(stderr, "producer_bench: %s\n", dlerror());
        return 1;
    }
    int (*install)(qemu_plugin_id_t, const qemu_info_t *, int, char **) =
        (int (*)(qemu_plugin_id_t, const qemu_info_t *, int, char **))(uintptr_t)dlsym(h, "qemu_plugin_install");
    char shm[64], shm_opt[80];
    snprintf(shm, sizeof shm, "/discon-bench-%d", (int)getpid());
    snprintf(shm_opt, sizeof shm_opt, "shm=%s", shm);
    /* No returns and no x86_64 syscall instrumentation: this host
     * translates no code (fake_register_api.c), and the trap record path
     * measured here is the one RETURN and SYSCALL events share. */
    char *args[] = {shm_opt, "ring=65536", "returns=off", "types=interrupt+exception+hostcall"};
    qemu_info_t info = {.target_name = "x86_64", .version = {7, 7}, .system_emulation = true,
                        .system = {1, 1}};
    char err[256];
    if (!install || install(1, &info, 4, args) != 0 ||
        discon_segment_attach(&seg, shm, err, sizeof err) != DISCON_ATTACH_OK) {
        fprintf(stderr, "producer_bench: cannot set up the plugin\n");
        return 1;
    }

    /* 1. the plugin's callback, with a draining consumer */
    pthread_t t;
    pthread_create(&t, NULL, drain, NULL);
    uint64_t t0 = discon_clock_ns(CLOCK_MONOTONIC);
    for (uint64_t i = 0; i < n; i++)
        discon_cb(0, (enum qemu_plugin_discon_type)(qemu_type(i)), 0xffffffff81000000u + (i & 0xfff),
                  0xffffffff81e01280u, NULL);
    uint64_t t1 = discon_clock_ns(CLOCK_MONOTONIC);
    atomic_store(&producing, 0);
    pthread_join(t, NULL);
    double plugin_ns = (double)(t1 - t0) / (double)n;
    uint64_t dropped = discon_ring_dropped(&seg.rings[0]);

    /* 2. an empty non-inlined call, and the clock read alone */
    t0 = discon_clock_ns(CLOCK_MONOTONIC);
    volatile uint64_t sink = 0;
    for (uint64_t i = 0; i < n / 10; i++)
        sink += discon_clock_ns(CLOCK_MONOTONIC);
    t1 = discon_clock_ns(CLOCK_MONOTONIC);
    double clock_ns = (double)(t1 - t0) / (double)(n / 10);
    (void)sink;
    t0 = discon_clock_ns(CLOCK_MONOTONIC);
    for (uint64_t i = 0; i < n; i++)
        empty_call(0, qemu_type(i), 0xffffffff81000000u + (i & 0xfff), 0xffffffff81e01280u);
    t1 = discon_clock_ns(CLOCK_MONOTONIC);
    double empty_ns = (double)(t1 - t0) / (double)n;

    /* 3. a buffered fprintf of the same fields (to /dev/null) */
    FILE *f = fopen("/dev/null", "w");
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    uint64_t m = n / 10;
    t0 = discon_clock_ns(CLOCK_MONOTONIC);
    for (uint64_t i = 0; i < m; i++)
        fprintf(f, "%llu %u %d %llx %llx\n",
                (unsigned long long)discon_clock_ns(CLOCK_MONOTONIC), 0, qemu_type(i),
                (unsigned long long)(0xffffffff81000000u + (i & 0xfff)),
                (unsigned long long)0xffffffff81e01280u);
    t1 = discon_clock_ns(CLOCK_MONOTONIC);
    fclose(f);
    double printf_ns = (double)(t1 - t0) / (double)m;

    printf("%-34s %12s %21s %8s\n", "record path", "per event", "", "vs empty");
    row("empty non-inlined call", empty_ns, empty_ns);
    row("clock_gettime(CLOCK_MONOTONIC)", clock_ns, empty_ns);
    row("discon plugin callback (+drain)", plugin_ns, empty_ns);
    row("buffered fprintf, same fields", printf_ns, empty_ns);
    printf("events %llu, drained %llu, dropped %llu\n", (unsigned long long)n,
           (unsigned long long)drained, (unsigned long long)dropped);
    atexit_cb(NULL);
    discon_segment_detach(&seg);
    shm_unlink(shm);
    return drained == n && dropped == 0 ? 0 : 1;
}
