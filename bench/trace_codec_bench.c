/*
 * Benchmark of the trace codec on real recorded traces: bytes per event of
 * discon's encoding beside raw 64-byte records, `lz4 -9` and `zstd -19` of
 * those records (the stock tools, run on the same input), and discon's
 * encode+compress throughput on one core.
 *
 *   trace_codec_bench NAME TRACE_DIR_OR_FILE...    one table row per call
 *   trace_codec_bench --header                      the table's header
 *
 * The events are re-encoded as discond writes them: one batch per vCPU run
 * of the original trace, a frame per second of trace time.
 *
 * "H(dt)" is the order-0 entropy of the per-vCPU time deltas in bytes per
 * event: a floor that no lossless coding of the nanosecond timestamps goes
 * below without a better model of the guest's timing.
 */
#define _GNU_SOURCE
#include "discon_clock.h"
#include "entropy.h"
#include "loaded_trace.h"
#include "discon_ring.h"
#include "trace_reader.h"
#include "trace_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct loaded_trace trace;

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Re-encode everything into `path`; returns the file's size. */
static uint64_t encode(const char *path)
{
    char err[256];
    unlink(path);
    struct discon_writer *w = discon_writer_create(path, err, sizeof err);
    if (!w) {
        fprintf(stderr, "bench: %s\n", err);
        exit(1);
    }
    uint8_t id[16] = {0};
    Discon__Header h = DISCON__HEADER__INIT;
    h.trace_id = (ProtobufCBinaryData){16, id};
    h.target = "bench";
    discon_writer_header(w, &h, err, sizeof err);
    uint64_t frame_start = trace.ev[0].time_ns;
    for (size_t b = 0; b < trace.nbatches; b++) {
        const struct discon_event *e = trace.ev + trace.batch_start[b];
        if (e->time_ns - frame_start >= 1000000000u) {
            discon_writer_flush(w, err, sizeof err);
            frame_start = e->time_ns;
        }
        size_t n = trace.batch_start[b + 1] - trace.batch_start[b];
        if (discon_writer_events(w, e, n, 0, err, sizeof err)) {
            fprintf(stderr, "bench: %s\n", err);
            exit(1);
        }
    }
    discon_writer_close(w, false, err, sizeof err);
    return file_size(path);
}

/* Order-0 entropy of the time deltas of each vCPU, in bytes per event. */
static double delta_entropy(void)
{
    uint64_t *d = malloc(trace.n * sizeof *d), last[DISCON_MAX_VCPUS] = {0};
    if (!d)
        exit(1);
    size_t n = 0;
    for (size_t i = 0; i < trace.n; i++) {
        uint32_t v = trace.ev[i].vcpu % DISCON_MAX_VCPUS;
        if (last[v])
            d[n++] = trace.ev[i].time_ns - last[v];
        last[v] = trace.ev[i].time_ns;
    }
    double h = order0_entropy_bits(d, n);
    free(d);
    return h / 8;
}

static uint64_t tool_size(const char *cmd, const char *in, const char *out)
{
    char line[8192];
    snprintf(line, sizeof line, "%s <'%s' >'%s' 2>/dev/null", cmd, in, out);
    if (system(line) != 0)
        return 0;
    return file_size(out);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--header") == 0) {
        printf("%-18s %8s %8s %7s %8s %7s %7s %12s\n", "trace", "events", "raw B/ev",
               "lz4 -9", "zstd -19", "discon", "H(dt)", "encode ev/s");
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: trace_codec_bench --header | NAME TRACE...\n");
        return 2;
    }
    loaded_trace_read(&trace, "trace_codec_bench", argv + 2, argc - 2, (struct discon_reader_ops){0});
    char dir[] = "/tmp/discon-bench-XXXXXX", raw[64], tmp[64], out[64];
    if (!mkdtemp(dir))
        return 1;
    snprintf(raw, sizeof raw, "%s/raw", dir);
    snprintf(tmp, sizeof tmp, "%s/tool", dir);
    snprintf(out, sizeof out, "%s/trace.discon", dir);

    /* The producer's 64-byte records, in the order they were recorded. */
    FILE *f = fopen(raw, "wb");
    for (size_t i = 0; i < trace.n; i++) {
        struct discon_record r = {
            .time_ns = trace.ev[i].time_ns, .from_pc = trace.ev[i].from_pc, .to_pc = trace.ev[i].to_pc,
            .cause = trace.ev[i].cause, .fault_addr = trace.ev[i].fault_addr,
            .syscall = trace.ev[i].syscall, .type = trace.ev[i].type,
            .to_level = trace.ev[i].to_level, .from_level = trace.ev[i].from_level,
            .has = trace.ev[i].has,
        };
        fwrite(&r, sizeof r, 1, f);
    }
    fclose(f);
    double n = (double)trace.n;
    uint64_t lz4 = tool_size("lz4 -9 -c", raw, tmp);
    uint64_t zstd = tool_size("zstd -19 -q -c", raw, tmp);

    /* Throughput: encode + compress + write, repeated for at least 1 s. */
    uint64_t bytes = 0, rounds = 0, t0 = discon_clock_ns(CLOCK_MONOTONIC), t;
    do {
        bytes = encode(out);
        rounds++;
        t = discon_clock_ns(CLOCK_MONOTONIC);
    } while (t - t0 < 1000000000u);
    double rate = n * (double)rounds / ((double)(t - t0) / 1e9);

    printf("%-18s %8zu %8.2f %7.2f %8.2f %7.2f %7.2f %12.3g\n", argv[1], trace.n,
           (double)sizeof(struct discon_record), (double)lz4 / n, (double)zstd / n,
           (double)bytes / n, delta_entropy(), rate);
    unlink(raw);
    unlink(tmp);
    unlink(out);
    rmdir(dir);
    return 0;
}
