/*
 * How small can the time column get with LZ4? The per-vCPU time deltas of a
 * recorded trace, coded several byte-aligned ways, each compressed on its
 * own with the lz4 frame API (as discond compresses), in bytes per event.
 * The order-0 entropy of the deltas is printed beside them as the floor
 * that only an entropy coder could approach.
 *
 *   time_column_bench TRACE_DIR_OR_FILE...
 */
#include "discon_ring.h"
#include "entropy.h"
#include "trace_reader.h"

#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t last[DISCON_MAX_VCPUS];
/* Each vCPU's time deltas, in order; then all of them, vCPU after vCPU. */
static int64_t *by_vcpu[DISCON_MAX_VCPUS];
static size_t n_by_vcpu[DISCON_MAX_VCPUS], cap_by_vcpu[DISCON_MAX_VCPUS];
static int64_t *delta;
static size_t ndelta, cap;

static int on_events(void *ctx, const struct discon_event *e, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = e[i].vcpu % DISCON_MAX_VCPUS;
        if (last[v]) {
            if (n_by_vcpu[v] == cap_by_vcpu[v]) {
                cap_by_vcpu[v] = cap_by_vcpu[v] ? cap_by_vcpu[v] * 2 : 4096;
                by_vcpu[v] = realloc(by_vcpu[v], cap_by_vcpu[v] * sizeof *by_vcpu[v]);
                if (!by_vcpu[v])
                    exit(1);
            }
            by_vcpu[v][n_by_vcpu[v]++] = (int64_t)(e[i].time_ns - last[v]);
        }
        last[v] = e[i].time_ns;
    }
    return 0;
}

/* A growable byte buffer for one coding. */
struct bytes { uint8_t *p; size_t n, cap; };

static void put(struct bytes *b, uint8_t c)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1 << 16;
        if (!(b->p = realloc(b->p, b->cap)))
            exit(1);
    }
    b->p[b->n++] = c;
}

static void varint(struct bytes *b, uint64_t x)
{
    for (; x >= 0x80; x >>= 7)
        put(b, (uint8_t)(x | 0x80));
    put(b, (uint8_t)x);
}

static uint64_t zigzag(int64_t x) { return ((uint64_t)x << 1) ^ (uint64_t)(x >> 63); }

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int bits_for(uint64_t x)
{
    int b = 0;
    for (; x; x >>= 1)
        b++;
    return b;
}

/* Frame of reference per block of 128: the block's minimum, a bit width w,
 * values below min + 2^w bit-packed, the others as exceptions (position
 * byte + varint). w is chosen per block to minimise the size. */
static void for_block(struct bytes *b, const int64_t *d, size_t n)
{
    int64_t min = d[0];
    for (size_t i = 1; i < n; i++)
        min = d[i] < min ? d[i] : min;
    size_t best_cost = SIZE_MAX;
    int best_w = 0;
    for (int w = 0; w <= 40; w++) {
        size_t cost = (n * (size_t)w + 7) / 8;
        for (size_t i = 0; i < n; i++)
            if (bits_for((uint64_t)(d[i] - min)) > w)
                cost += 4;
        if (cost < best_cost)
            best_cost = cost, best_w = w;
    }
    varint(b, zigzag(min));
    put(b, (uint8_t)best_w);
    uint64_t acc = 0;
    int have = 0;
    size_t exceptions = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = (uint64_t)(d[i] - min);
        if (bits_for(x) > best_w) {
            exceptions++;
            x = 0;
        }
        for (int k = 0; k < best_w; k++) {
            acc |= ((x >> k) & 1) << have;
            if (++have == 8) {
                put(b, (uint8_t)acc);
                acc = 0, have = 0;
            }
        }
    }
    if (have)
        put(b, (uint8_t)acc);
    varint(b, exceptions);
    for (size_t i = 0; i < n; i++)
        if (bits_for((uint64_t)(d[i] - min)) > best_w) {
            put(b, (uint8_t)i);
            varint(b, (uint64_t)(d[i] - min));
        }
}

enum coding { ZIGZAG, UNSIGNED, DOD, MEDIAN32, SPLIT, FOR128, NCODINGS };
static const char *const coding_name[NCODINGS] = {
    "zigzag varint of deltas",
    "varint of deltas (unsigned)",
    "zigzag varint of delta-of-delta",
    "zigzag varint, median-of-32 predictor",
    "low byte raw + high bits varint",
    "bit-packed frame of reference, 128",
};

static void encode(enum coding c, const int64_t *d, size_t n, struct bytes *b)
{
    struct bytes high = {0};
    int64_t window[32];
    for (size_t i = 0; i < n; i++) {
        switch (c) {
        case ZIGZAG: varint(b, zigzag(d[i])); break;
        case UNSIGNED: varint(b, (uint64_t)d[i]); break;
        case DOD: varint(b, zigzag(d[i] - (i ? d[i - 1] : 0))); break;
        case MEDIAN32: {
            size_t k = i < 32 ? i : 32;
            int64_t guess = 0;
            if (k) {
                memcpy(window, d + i - k, k * sizeof *d);
                qsort(window, k, sizeof *window, cmp_i64);
                guess = window[k / 2];
            }
            varint(b, zigzag(d[i] - guess));
            break;
        }
        case SPLIT:
            put(b, (uint8_t)d[i]);
            varint(&high, (uint64_t)d[i] >> 8);
            break;
        case FOR128:
            if (i % 128 == 0)
                for_block(b, d + i, n - i < 128 ? n - i : 128);
            break;
        case NCODINGS: break;
        }
    }
    for (size_t i = 0; i < high.n; i++)
        put(b, high.p[i]);
    free(high.p);
}

static size_t lz4_size(const struct bytes *b)
{
    size_t bound = LZ4F_compressFrameBound(b->n, NULL);
    void *out = malloc(bound);
    size_t n = out ? LZ4F_compressFrame(out, bound, b->p, b->n, NULL) : 0;
    free(out);
    if (LZ4F_isError(n)) {
        fprintf(stderr, "time_column_bench: %s\n", LZ4F_getErrorName(n));
        exit(1);
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(argc < 2 ? stderr : stdout, "usage: time_column_bench TRACE...\n");
        return argc < 2 ? 2 : 0;
    }
    struct discon_reader_ops ops = {.events = on_events};
    struct discon_read_stats st = {0};
    char err[512];
    if (discon_read_paths(argv + 1, argc - 1, &ops, &st, err, sizeof err) != DISCON_READ_INTACT) {
        fprintf(stderr, "time_column_bench: cannot read the trace cleanly: %s\n", err);
        return 1;
    }
    for (uint32_t v = 0; v < DISCON_MAX_VCPUS; v++) {
        if (ndelta + n_by_vcpu[v] > cap) {
            cap = ndelta + n_by_vcpu[v];
            if (!(delta = realloc(delta, cap * sizeof *delta)))
                return 1;
        }
        memcpy(delta + ndelta, by_vcpu[v], n_by_vcpu[v] * sizeof *delta);
        ndelta += n_by_vcpu[v];
    }
    if (!ndelta) {
        fprintf(stderr, "time_column_bench: no time deltas\n");
        return 1;
    }
    /* Per-vCPU deltas are never negative: as unsigned they sort the same. */
    double h = order0_entropy_bits((uint64_t *)delta, ndelta);
    printf("%-40s %8s %8s\n", "time column coding", "raw B/ev", "lz4 B/ev");
    for (int c = 0; c < NCODINGS; c++) {
        struct bytes b = {0};
        for (uint32_t v = 0; v < DISCON_MAX_VCPUS; v++)
            if (n_by_vcpu[v])
                encode((enum coding)c, by_vcpu[v], n_by_vcpu[v], &b);
        printf("%-40s %8.3f %8.3f\n", coding_name[c], (double)b.n / (double)ndelta,
               (double)lz4_size(&b) / (double)ndelta);
        free(b.p);
    }
    printf("%-40s %8s %8.3f\n", "order-0 entropy of the deltas (floor)", "", h / 8);
    return 0;
}
