/* Test helper make_edge_traces: shared between its files. */
#ifndef EDGE_TRACES_H
#define EDGE_TRACES_H

#include "trace_writer.h"

#include <stdint.h>

/* A writer at path with a header: target, mask of recorded types, a
 * 16-byte trace id. Exits on failure. */
struct discon_writer *edge_start_as(const char *path, uint32_t index, uint64_t clock_ns,
                                    const char *target, uint32_t types, const char *id16);
/* The end record of one vCPU (n written, lost dropped), and close. */
void edge_finish_lost(struct discon_writer *w, uint32_t vcpu, uint64_t n, uint64_t lost);
/* The traces with returns, into dir (edge_returns.c). */
void edge_returns(const char *dir, uint64_t t0);

#endif
