/*
 * Order-0 entropy of a set of 64-bit values, for the benchmarks: the floor
 * for any lossless coding that treats them as independent.
 */
#ifndef DISCON_BENCH_ENTROPY_H
#define DISCON_BENCH_ENTROPY_H
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static int bench_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Bits per value; sorts `v` in place. */
static inline double order0_entropy_bits(uint64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, bench_cmp_u64);
    double h = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && v[j] == v[i]; j++)
            ;
        double p = (double)(j - i) / (double)n;
        h -= p * log2(p);
    }
    return h;
}
#endif
