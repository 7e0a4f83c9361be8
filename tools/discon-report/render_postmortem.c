/* The post-mortem view's text (see postmortem.h). */
#include "postmortem.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

static int by_time(const void *a, const void *b)
{
    const struct discon_trap *x = *(const struct discon_trap *const *)a;
    const struct discon_trap *y = *(const struct discon_trap *const *)b;
    if (x->time_ns != y->time_ns)
        return x->time_ns < y->time_ns ? -1 : 1;
    return x->vcpu < y->vcpu ? -1 : x->vcpu > y->vcpu;
}

static double ms_from(uint64_t ns, uint64_t ref)
{
    return ((double)ns - (double)ref) / 1e6;
}

/* How a trap ended, in words; "" when the trace has no returns. */
static const char *ended(const struct report *r, const struct discon_trap *t, char *buf,
                         size_t len)
{
    if (!(t->pairing & DISCON_TRAP_PAIRED) || t->type == DISCON_HOSTCALL)
        return "";
    if (t->end == DISCON_TRAP_RETURNED)
        /* Signed: a clock that went back (the summary says so) gives a
         * negative time, not 2^64 ns. */
        snprintf(buf, len, "returned after %.3f us",
                 ((double)t->return_ns - (double)t->time_ns) / 1e3);
    else if (t->end == DISCON_TRAP_OPEN)
        snprintf(buf, len, "open at %s", r->pm->at_given ? "the instant" : "the end");
    else
        snprintf(buf, len, "%s", discon_trap_end_name(t->end));
    return buf;
}

/* Two lines a trap: time, vCPU, kind, how it ended; then source -> handler,
 * full symbol names (a long name makes a long line, never a cut one). */
static void trap_lines(const struct report *r, FILE *o, const struct discon_trap *t,
                       uint64_t ref)
{
    char a[512], b[512], e[64];
    const char *how = ended(r, t, e, sizeof e);
    /* The kind in the header's 34 columns, and a space before how it
     * ended also when a long kind name overflows them. */
    fprintf(o, "  %10.3f %4u %-*s%s%s\n", ms_from(t->time_ns, ref), t->vcpu, how[0] ? 34 : 0,
            report_kind_name(r, t), how[0] ? " " : "", how);
    fprintf(o, "  %15s %s -> %s\n", "", report_symbol_or_hex(r, t->from_pc, a, sizeof a),
            report_symbol_or_hex(r, t->to_pc, b, sizeof b));
}

static void timeline(const struct report *r, FILE *o, uint64_t ref)
{
    const struct postmortem *pm = r->pm;
    size_t total = 0;
    for (uint32_t i = 0; i < pm->nvcpus; i++)
        total += pm->vcpu[i].n;
    const struct discon_trap **all = malloc((total ? total : 1) * sizeof *all);
    if (!all) {
        fprintf(o, "  (out of memory)\n");
        return;
    }
    size_t n = 0;
    uint64_t from = ref > pm->last_ns ? ref - pm->last_ns : 0;
    for (uint32_t i = 0; i < pm->nvcpus; i++)
        for (size_t k = 0; k < pm->vcpu[i].n; k++) {
            const struct discon_trap *t = &pm->vcpu[i].ring[(pm->vcpu[i].head + k) %
                                                            PM_MAX_PER_VCPU];
            if (t->time_ns >= from && t->time_ns <= ref)
                all[n++] = t;
        }
    qsort(all, n, sizeof *all, by_time);
    fprintf(o, "  %10s %4s %-34s %s\n  %15s %s\n", "ms", "vCPU", "kind", "ended", "",
            "source -> handler");
    for (size_t k = 0; k < n; k++)
        trap_lines(r, o, all[k], ref);
    if (!n)
        fprintf(o, "  no trap in that time\n");
    for (uint32_t i = 0; i < pm->nvcpus; i++)
        if (pm->vcpu[i].dropped)
            fprintf(o, "  vCPU %u: %llu earlier trap(s) of the window not shown (more than %u)\n",
                    i, (unsigned long long)pm->vcpu[i].dropped, PM_MAX_PER_VCPU);
    free((void *)all);
}

static void end_state(const struct report *r, FILE *o, uint64_t ref)
{
    const struct postmortem *pm = r->pm;
    fprintf(o, "\nState at the %s, per vCPU\n", pm->at_given ? "instant" : "end");
    for (uint32_t i = 0; i < r->nvcpus && i < REPORT_MAX_VCPUS; i++) {
        const struct pm_vcpu *v = i < pm->nvcpus ? &pm->vcpu[i] : NULL;
        if (!r->vcpu[i].seen)
            continue;
        /* The view's own counts, not the report's: those run past --at. */
        fprintf(o, "  vCPU %u: %llu traps; ", i, v ? (unsigned long long)v->traps : 0ull);
        if (v && v->has_event)
            fprintf(o, "last event %.3f ms\n", ms_from(v->last_event_ns, ref));
        else
            fprintf(o, "no event up to the %s\n", pm->at_given ? "instant" : "end");
        if (v && v->has_last) {
            fprintf(o, "    last trap:\n");
            trap_lines(r, o, &v->last, ref);
        }
        if (v && v->open_at_end && !pm->at_given) {
            fprintf(o, "    %llu trap(s) open at the end, the innermost:\n",
                    (unsigned long long)v->open_at_end);
            trap_lines(r, o, &v->innermost, ref);
        }
    }
    /* A snapshot taken while QEMU ran ends where it was taken. */
    bool live = r->snapshot[0] && strcmp(r->snapshot, "exit") != 0 && !r->producer_finished;
    if (live)
        fprintf(o, "  the recording: a flight-recorder snapshot (%s), QEMU still running\n",
                r->snapshot);
    else
        fprintf(o, "  the recording: %s\n",
            !r->have_end ? "no end record (interrupted: discond killed, or files missing)"
            : r->producer_finished ? "QEMU's plugin finished"
                                   : "the producer vanished (QEMU killed or crashed before its "
                                     "plugin could finish)");
    if (r->have_end && !live)
        fprintf(o, "  QEMU:          %s\n", r->qemu_ended[0] ? r->qemu_ended
                                        : "how it ended is not recorded (discond run by hand?)");
    if (r->guest_ended[0])
        fprintf(o, "  the guest:     asked for %s (its last trap)\n", r->guest_ended);
}

void postmortem_render_text(const struct report *r, FILE *o)
{
    const struct postmortem *pm = r->pm;
    uint64_t ref = pm->at_given ? pm->at_ns : r->last_ns;
    /* To the us as a rule; to the ns when --last was finer than that. */
    fprintf(o, "\nLast %.*f ms before the %s (%.6f s), all vCPUs merged, ms from it\n",
            pm->last_ns % 1000 ? 6 : 3, (double)pm->last_ns / 1e6, pm->at_given ? "instant given" : "end",
            ((double)ref - (double)r->clock_mono) / 1e9);
    timeline(r, o, ref);
    end_state(r, o, ref);
}
