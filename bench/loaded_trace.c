#include "loaded_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    while (*cap < need)
        *cap = *cap ? *cap * 2 : 1024;
    p = realloc(p, *cap * size);
    if (!p) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    return p;
}

static int on_events(void *ctx, const struct discon_event *e, size_t n)
{
    struct loaded_trace *t = ctx;
    t->ev = grow(t->ev, &t->cap_ev, t->n + n, sizeof *t->ev);
    t->batch_start = grow(t->batch_start, &t->cap_batches, t->nbatches + 2, sizeof *t->batch_start);
    t->batch_start[t->nbatches++] = t->n;
    memcpy(t->ev + t->n, e, n * sizeof *e);
    t->n += n;
    t->batch_start[t->nbatches] = t->n;
    return 0;
}

void loaded_trace_read(struct loaded_trace *t, const char *tool, char *const *paths, int npaths,
                       struct discon_reader_ops ops)
{
    *t = (struct loaded_trace){0};
    ops.ctx = t;
    ops.events = on_events;
    struct discon_read_stats st = {0};
    char err[512] = "";
    int rc = discon_read_paths(paths, npaths, &ops, &st, err, sizeof err);
    if (rc != DISCON_READ_INTACT || t->n == 0) {
        fprintf(stderr, "%s: cannot read %s cleanly: %s\n", tool, paths[0],
                rc < 0 ? err : rc == DISCON_READ_DAMAGED ? "damaged" : "no events");
        exit(1);
    }
}

void loaded_trace_free(struct loaded_trace *t)
{
    free(t->ev);
    free(t->batch_start);
    *t = (struct loaded_trace){0};
}
