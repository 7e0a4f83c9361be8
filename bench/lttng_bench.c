/*
 * LTTng-UST's cost for the same payload as a discon record: one tracepoint
 * per event (LTTng timestamps it), in whatever session bench/run set up
 * (per-user buffers, discard mode).   lttng_bench [EVENTS]
 */
#define _GNU_SOURCE
#define LTTNG_UST_TRACEPOINT_DEFINE
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#include "lttng_tp.h"
#include "discon_clock.h"
#include "discon_types.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    uint64_t t0 = discon_clock_ns(CLOCK_MONOTONIC);
    for (uint64_t i = 0; i < n; i++)
        lttng_ust_tracepoint(discon_bench, discon, 0, discon_type_at(i % DISCON_NTYPES),
                             0xffffffff81000000u + (i & 0xfff), 0xffffffff81e01280u);
    uint64_t t1 = discon_clock_ns(CLOCK_MONOTONIC);
    printf("%.1f\n", (double)(t1 - t0) / (double)n);
    return 0;
}
