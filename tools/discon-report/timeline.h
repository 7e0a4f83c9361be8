/*
 * discon-report's timeline outputs (Perfetto, HTML) need every trap with
 * its name, which x86_64 only has once the handlers' symbols are placed,
 * and that takes the whole trace (the KASLR slide is found from the
 * hottest handlers). So they read the inputs twice: the first pass is the
 * ordinary report (run.c), the second (timeline_run) feeds a second report
 * with the first one's options and symbols and hands each trap, named, to
 * a sink, and counts traps into time bins per kind and per vCPU. Memory
 * grows with kinds, vCPUs and bins, never with events.
 */
#ifndef DISCON_TIMELINE_H
#define DISCON_TIMELINE_H

#include "report_options.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TIMELINE_MAX_KINDS 256 /* distinct kinds tracked; more are counted in the last */

/* A trap as the timeline outputs show it. Valid during the call only. */
struct timeline_trap {
    const struct discon_trap *trap;
    const struct discon_kind *kind; /* static (discon_kinds.h) */
    const char *name;               /* "kind handler", e.g. "#PF asm_exc_page_fault+0x0" */
    bool opens; /* it will get an `ended` call: the trace is paired and it is
                 * a trap discon_traps.h pushes (not a host call) */
};

/* What an output does with each trap: taken when it is taken; ended when
 * a paired trap ends, with end_ns its return's time, or for a trap that
 * did not return (t->end AT_END, LOST, TOO_DEEP) the time of the last
 * event of its vCPU before its end. Either may be NULL. Non-zero stops
 * the pass. */
struct timeline_sink {
    void *ctx;
    int (*taken)(void *ctx, const struct timeline_trap *t);
    int (*ended)(void *ctx, const struct discon_trap *t, uint64_t end_ns);
};

/* Traps per bin since start_ns, bins of bin_ns: by kind (kinds[i] counted
 * in kind_bins[i]) and by vCPU (vcpu_bins[v], v < nvcpus). Owned. */
struct timeline {
    uint64_t start_ns, bin_ns;
    size_t nbins;
    const struct discon_kind *kinds[TIMELINE_MAX_KINDS];
    uint64_t *kind_bins[TIMELINE_MAX_KINDS];
    uint64_t kind_total[TIMELINE_MAX_KINDS];
    size_t nkinds;
    uint64_t **vcpu_bins;
    uint32_t nvcpus;
    uint64_t traps;
};

/* The second pass over a's inputs. full: the first pass's report, read,
 * its symbols placed and report_name_traps done (its window, first_ns to
 * last_ns, is binned). Bins are at least min_bin_ns wide and at most
 * max_bins of them cover the window. sink may be NULL. On success tl
 * holds the bins (free with timeline_free) and 0 is returned; else -1
 * with one line in err (tl is then freed). */
int timeline_run(const struct report_args *a, const struct report *full, uint64_t min_bin_ns,
                 size_t max_bins, const struct timeline_sink *sink, struct timeline *tl,
                 char *err, size_t errlen);
void timeline_free(struct timeline *tl);
/* The bin width timeline_run uses for full's window with these bounds. */
uint64_t timeline_bin_ns(const struct report *full, uint64_t min_bin_ns, size_t max_bins);

/* The two outputs (render_perfetto.c, render_html.c). Perfetto: one
 * track per vCPU, each trap a slice from entry to return (traces with
 * returns) or an instant, counter tracks of traps per bin per kind;
 * binary, to out. HTML: one self-contained page. Both return 0, or -1
 * with one line in err (out of memory, a write error, an input error
 * of the second pass). */
int render_perfetto(const struct report_args *a, const struct report *r, FILE *out, char *err,
                    size_t errlen);
int render_html(const struct report_args *a, const struct report *r, FILE *out, char *err,
                size_t errlen);

#endif
