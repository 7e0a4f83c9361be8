/*
 * Make a long trace out of a real one, for the analysis benchmarks: the
 * events of SOURCE repeated COPIES times back to back (times and sequence
 * numbers shifted, PCs unchanged), as one complete trace in OUT.
 *   replicate_trace SOURCE COPIES OUT.discon
 */
#define _GNU_SOURCE
#include "discon_ring.h"
#include "loaded_trace.h"
#include "trace_reader.h"
#include "trace_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct loaded_trace trace;
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

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: replicate_trace SOURCE COPIES OUT.discon\n");
        return 2;
    }
    loaded_trace_read(&trace, "replicate_trace", argv + 1, 1,
                      (struct discon_reader_ops){.header = on_header});
    if (!header) {
        fprintf(stderr, "replicate_trace: %s has no header\n", argv[1]);
        return 1;
    }
    char err[512];
    long copies = atol(argv[2]);
    uint64_t span = 0, per_vcpu[DISCON_MAX_VCPUS] = {0};
    for (size_t i = 0; i < trace.n; i++) {
        if (trace.ev[i].time_ns - trace.ev[0].time_ns > span)
            span = trace.ev[i].time_ns - trace.ev[0].time_ns;
        per_vcpu[trace.ev[i].vcpu % DISCON_MAX_VCPUS]++;
    }
    span += 1000000; /* 1 ms between copies */
    struct discon_writer *w = discon_writer_create(argv[3], err, sizeof err);
    if (!w || discon_writer_header(w, header, err, sizeof err)) {
        fprintf(stderr, "replicate_trace: %s\n", err);
        return 1;
    }
    struct discon_event *batch = malloc(trace.n * sizeof *batch);
    uint64_t frame_start = trace.ev[0].time_ns;
    for (long c = 0; c < copies; c++) {
        for (size_t b = 0; b < trace.nbatches; b++) {
            size_t n = trace.batch_start[b + 1] - trace.batch_start[b];
            for (size_t i = 0; i < n; i++) {
                batch[i] = trace.ev[trace.batch_start[b] + i];
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
    printf("%llu events\n", (unsigned long long)trace.n * (unsigned long long)copies);
    discon__header__free_unpacked(header, NULL);
    loaded_trace_free(&trace), free(batch);
    return 0;
}
