/*
 * A whole trace in memory, for the benchmarks that re-encode or replicate
 * one: its events in reading order, and where each batch the reader
 * delivered (one vCPU's run, as discond wrote it) starts.
 */
#ifndef DISCON_BENCH_LOADED_TRACE_H
#define DISCON_BENCH_LOADED_TRACE_H
#include "trace_reader.h"

struct loaded_trace {
    struct discon_event *ev;
    size_t n;
    size_t *batch_start; /* nbatches + 1 entries; the last is n */
    size_t nbatches;
    size_t cap_ev, cap_batches; /* the loader's */
};

/*
 * Read `paths` (files or directories) into `t`. `ops` may add callbacks
 * other than events; they receive `t` as ctx. A read error, damage or an
 * empty trace ends the program with a one-line message naming `tool`.
 */
void loaded_trace_read(struct loaded_trace *t, const char *tool, char *const *paths, int npaths,
                       struct discon_reader_ops ops);
void loaded_trace_free(struct loaded_trace *t);
#endif
