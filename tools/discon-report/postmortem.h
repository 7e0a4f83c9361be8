/*
 * discon-report --last DURATION [--at SEC]: the post-mortem view. The
 * traps of the last DURATION before the end of the trace (or before the
 * instant --at gives), of every vCPU merged into one timeline in time
 * order, each at its time relative to that end (ms), with its kind, its
 * source and handler as full symbol names (never cut), and, when the
 * trace recorded returns, how it ended (returned after how long, still
 * open at the end, ended by lost events). Then, per vCPU, its state at
 * the end: its last event, its last trap and the traps open on it; and
 * how the recording ended, as the trace says.
 *
 * Memory: per vCPU a ring of at most PM_MAX_PER_VCPU traps, holding the
 * traps within DURATION of that vCPU's newest one; traps beyond it in the
 * window are counted and said, never silently dropped.
 */
#ifndef DISCON_REPORT_POSTMORTEM_H
#define DISCON_REPORT_POSTMORTEM_H

#include "discon_traps.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PM_MAX_PER_VCPU 50000u

struct report;

struct pm_vcpu {
    struct discon_trap *ring; /* PM_MAX_PER_VCPU slots, malloc'ed on first use */
    size_t head, n;           /* oldest slot, count */
    uint64_t dropped;         /* traps within the duration that did not fit */
    uint64_t traps;           /* its traps up to the end (or the instant) */
    bool has_event;
    uint64_t last_event_ns;   /* its last event up to the end (or the instant) */
    bool has_last;
    struct discon_trap last;  /* its last trap before the end */
    uint64_t open_at_end;     /* traps still open when the trace ended */
    bool has_innermost;
    struct discon_trap innermost; /* the innermost of them */
};

struct postmortem {
    uint64_t last_ns;   /* --last, ns */
    bool at_given;
    uint64_t at_ns;     /* --at, as a CLOCK_MONOTONIC time (set at the header) */
    struct pm_vcpu *vcpu;
    uint32_t nvcpus;
};

/* A trap was taken (after the --vcpu, --from/--to filters). 0, or -1 if
 * out of memory. */
int postmortem_take(struct report *r, const struct discon_trap *t);
/* An event inside the window: the vCPU's last event, as of the instant.
 * 0, or -1 if out of memory. */
int postmortem_event(struct report *r, uint32_t vcpu, uint64_t time_ns);
/* A paired trap ended: its entry in the timeline learns how. */
void postmortem_ended(struct report *r, const struct discon_trap *t);
/* The section, text (render_postmortem.c). */
void postmortem_render_text(const struct report *r, FILE *o);
void postmortem_free(struct postmortem *pm);

#endif
