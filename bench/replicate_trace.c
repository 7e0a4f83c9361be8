/*
 * Make a long trace out of a real one, for the analysis benchmarks: the
 * events of SOURCE repeated COPIES times back to back (times and sequence
 * numbers shifted, PCs unchanged), as one complete trace in OUT.
 *   replicate_trace SOURCE COPIES OUT.discon
 */
#define _GNU_SOURCE
#include "discon_ring.h"
#include "trace_reader.h"
#include "trace_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct discon_event *ev;
static size_t nev, cap;
static size_t *runs; /* batch boundaries */
static size_t nruns, cap_runs;
static Discon__Header *header;
static uint8_t header_buf[65536];
static size_t header_len;

static int on_header(void *ctx, const char *path, const Discon__Header *h)
{
    (void)ctx, (void)path;
    if (!header_len) {
        header_len = discon__header__pack(h, header_buf);
        header = discon__header__unpack(NULL, header_len, header_buf);
    }
    return 0;
}

static int on_events(void *ctx, const struct discon_event *e, size_t n)
{
    (void)ctx;
    if (nev + n > cap) {
        while (nev + n > cap)
            cap = cap ? cap * 2 : 1 << 16;
        ev = realloc(ev, cap * sizeof *ev);
    }
    if (nruns == cap_runs)
        runs = realloc(runs, (cap_runs = cap_runs ? cap_runs * 2 : 1024) * sizeof *runs);
    runs[nruns++] = nev;
    memcpy(ev + nev, e, n * sizeof *e);
    nev += n;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: replicate_trace SOURCE COPIES OUT.discon\n");
        return 2;
    }
    struct discon_reader_ops ops = {.header = on_header, .events = on_events};
    struct discon_read_stats st = {0};
    char err[512];
    if (discon_read_paths(argv + 1, 1, &ops, &st, err, sizeof err) != DISCON_READ_INTACT ||
        !header || !nev) {
        fprintf(stderr, "replicate_trace: cannot read %s cleanly: %s\n", argv[1], err);
        return 1;
    }
    long copies = atol(argv[2]);
    uint64_t span = 0, per_vcpu[DISCON_MAX_VCPUS] = {0};
    for (size_t i = 0; i < nev; i++) {
        if (ev[i].time_ns - ev[0].time_ns > span)
            span = ev[i].time_ns - ev[0].time_ns;
        per_vcpu[ev[i].vcpu % DISCON_MAX_VCPUS]++;
    }
    span += 1000000; /* 1 ms between copies */
    struct discon_writer *w = discon_writer_create(argv[3], err, sizeof err);
    if (!w || discon_writer_header(w, header, err, sizeof err)) {
        fprintf(stderr, "replicate_trace: %s\n", err);
        return 1;
    }
    runs = realloc(runs, (nruns + 1) * sizeof *runs);
    runs[nruns] = nev;
    struct discon_event *batch = malloc(nev * sizeof *batch);
    uint64_t frame_start = ev[0].time_ns;
    for (long c = 0; c < copies; c++) {
        for (size_t r = 0; r < nruns; r++) {
            size_t n = runs[r + 1] - runs[r];
            for (size_t i = 0; i < n; i++) {
                batch[i] = ev[runs[r] + i];
                batch[i].time_ns += (uint64_t)c * span;
                batch[i].seq += (uint64_t)c * per_vcpu[batch[i].vcpu % DISCON_MAX_VCPUS];
            }
            if (batch[0].time_ns - frame_start >= 1000000000u) {
                discon_writer_flush(w, err, sizeof err);
                frame_start = batch[0].time_ns;
            }
            if (discon_writer_events(w, batch, n, 0, err, sizeof err)) {
                fprintf(stderr, "replicate_trace: %s\n", err);
                return 1;
            }
        }
    }
    Discon__VcpuTotals totals[64], *ptrs[64];
    Discon__End e = DISCON__END__INIT;
    for (uint32_t v = 0; v < 64; v++) {
        if (!per_vcpu[v])
            continue;
        discon__vcpu_totals__init(&totals[e.n_vcpu]);
        totals[e.n_vcpu].vcpu = v;
        totals[e.n_vcpu].produced = totals[e.n_vcpu].written = per_vcpu[v] * (uint64_t)copies;
        ptrs[e.n_vcpu] = &totals[e.n_vcpu];
        e.n_vcpu++;
    }
    e.vcpu = ptrs;
    e.producer_finished = 1;
    if (discon_writer_end(w, &e, err, sizeof err) || discon_writer_close(w, true, err, sizeof err)) {
        fprintf(stderr, "replicate_trace: %s\n", err);
        return 1;
    }
    printf("%llu events\n", (unsigned long long)nev * (unsigned long long)copies);
    discon__header__free_unpacked(header, NULL);
    free(ev), free(runs), free(batch);
    return 0;
}
