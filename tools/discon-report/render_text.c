#define _POSIX_C_SOURCE 200809L
/* The report a person reads: aligned tables within 80 columns. */
#include "report.h"
#include "text_cells.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double secs(const struct report *r, uint64_t ns)
{
    return ((double)ns - (double)r->clock_mono) / 1e9;
}

/* Whether type index t gets a column or a count: QEMU's three always,
 * system calls when the trace has them; returns are never traps. */
static bool type_shown(const struct report *r, int t)
{
    if (t == DISCON_TYPE_INDEX_RETURN)
        return false;
    return t != DISCON_TYPE_INDEX_SYSCALL || r->traps_by_type[t] != 0;
}

static double share(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* Whether a trap's handler is unknown: under the x86 exception-pair rule
 * an exception whose delivery never came keeps to_pc == from_pc
 * (discon_traps.h); on every other architecture to == from is a real
 * handler address (a trap taken at its own vector), shown as such. */
static bool handler_unknown(const struct report *r, const struct discon_trap *t)
{
    return t->to_pc == t->from_pc && t->events == 1 &&
           strcmp(r->rule, discon_trap_rule_name(DISCON_RULE_X86_EXCEPTION_PAIRS)) == 0;
}

/* The summary's losses: how many events were lost where. */
static void summary_losses(const struct report *r, FILE *o)
{
    if (r->losses_total == 0 && !r->unrecorded) {
        fprintf(o, "  losses      none\n");
    } else {
        fprintf(o, "  losses      %llu events lost in %zu place(s)%s\n",
                (unsigned long long)r->lost_events, r->losses_total,
                r->losses_total > r->nlosses ? " (first ones listed)" : "");
        for (size_t i = 0; i < r->nlosses; i++) {
            const struct loss *l = &r->losses[i];
            if (l->first_ns)
                fprintf(o, "    vCPU %-3u %10llu lost at seq %llu, %.6f .. %.6f s\n", l->vcpu,
                        (unsigned long long)l->count, (unsigned long long)l->first_seq,
                        secs(r, l->first_ns), secs(r, l->last_ns));
            else
                fprintf(o, "    vCPU %-3u %10llu lost at seq %llu, after the last record\n",
                        l->vcpu, (unsigned long long)l->count, (unsigned long long)l->first_seq);
        }
        if (r->unrecorded)
            fprintf(o, "    %llu events of vCPUs beyond max_vcpus were not recorded\n",
                    (unsigned long long)r->unrecorded);
    }
}

/* The summary's per-vCPU table: events, traps by type, drops. */
static void summary_vcpus(const struct report *r, FILE *o)
{
    /* Exceptions first: the column people read first. A trace with
     * system-call traps gets their column, and narrower ones for all. */
    static const int order[] = {DISCON_TYPE_INDEX_EXCEPTION, DISCON_TYPE_INDEX_INTERRUPT,
                                DISCON_TYPE_INDEX_HOSTCALL, DISCON_TYPE_INDEX_SYSCALL};
    int ncols = type_shown(r, DISCON_TYPE_INDEX_SYSCALL) ? 4 : 3, w = ncols == 4 ? 10 : 11;
    fprintf(o, "\n  %-5s %*s %*s", "vCPU", w, "events", w, "traps");
    for (int k = 0; k < ncols; k++)
        fprintf(o, " %*s", k < ncols - 1 ? w : 9, discon_type_name(discon_type_at(order[k])));
    fprintf(o, " %9s\n", "dropped");
    for (uint32_t i = 0; i < r->nvcpus; i++) {
        const struct vcpu_state *v = &r->vcpu[i];
        if (!v->seen && !v->has_totals)
            continue;
        fprintf(o, "  %-5u %*llu %*llu", i, w, (unsigned long long)v->events, w,
                (unsigned long long)v->traps);
        for (int k = 0; k < ncols; k++)
            fprintf(o, " %*llu", k < ncols - 1 ? w : 9,
                    (unsigned long long)v->traps_by_type[order[k]]);
        fprintf(o, " %9llu\n", (unsigned long long)v->dropped);
    }
}

static void summary(const struct report *r, FILE *o)
{
    char when[64] = "?";
    if (r->clock_real && r->first_ns != UINT64_MAX) {
        time_t t = (time_t)((r->clock_real + (r->first_ns - r->clock_mono)) / 1000000000u);
        struct tm tm;
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
    }
    double d = report_duration(r);
    char why[512];
    enum discon_complete_verdict complete = report_completeness(r, why, sizeof why);
    fprintf(o, "discon report: %s, %s mode, %u vCPU ring(s), trace %.16s\n\n", r->target,
            r->system_mode ? "system" : "user", r->vcpu_count, r->trace_id);
    fprintf(o, "Summary\n");
    fprintf(o, "  started     %s (host %s)\n", when, r->host[0] ? r->host : "?");
    if (r->source[0])
        fprintf(o, "  source      %s%s%s\n", r->source, r->lacks[0] ? "\n  not recorded " : "",
                r->lacks);
    if (r->first_ns != UINT64_MAX)
        fprintf(o, "  duration    %.3f s (monotonic %.3f .. %.3f s after the plugin started)\n",
                d, secs(r, r->first_ns), secs(r, r->last_ns));
    if (r->aggregate_only)
        fprintf(o, "  traps       %llu (aggregate-only database: no raw events)\n",
                (unsigned long long)r->traps);
    else
        fprintf(o, "  events      %llu raw -> %llu traps (rule: %s)\n",
                (unsigned long long)r->events, (unsigned long long)r->traps, r->rule);
    fprintf(o, "  rate        %.0f traps/s\n", d > 0 ? (double)r->traps / d : 0.0);
    fprintf(o, "  complete    %s%s\n", complete == DISCON_COMPLETE ? "yes: "
                                     : complete == DISCON_COMPLETE_SINCE ? "" : "NO: ", why);
    if (r->guest_ended[0])
        fprintf(o, "  guest       asked QEMU for %s as its last trap\n", r->guest_ended);
    if (r->snapshot[0])
        fprintf(o, "  snapshot    flight recorder (discond --snapshot), written at %s\n",
                r->snapshot);
    if (r->opt.symbols_note)
        fprintf(o, "  symbols     %s\n", r->opt.symbols_note);
    fprintf(o, "  by type    ");
    for (int t = 0; t < DISCON_NTYPES; t++)
        if (type_shown(r, t))
            fprintf(o, " %s %llu (%.1f%%)", report_type_name(discon_type_at(t)),
                    (unsigned long long)r->traps_by_type[t], share(r->traps_by_type[t], r->traps));
    fprintf(o, "\n");
    if (r->time_backwards)
        fprintf(o, "  clock       %llu event(s) earlier than the one before on their vCPU:\n"
                   "              times and rates near them are not reliable\n",
                (unsigned long long)r->time_backwards);
    summary_losses(r, o);
    summary_vcpus(r, o);
}

static void frequencies(const struct report *r, FILE *o)
{
    double d = report_duration(r);
    fprintf(o, "\nTrap frequencies by handler (top %u)\n", r->opt.top);
    fprintf(o, "  %-9s %-18s %-24s %9s %6s %7s\n", "type", "handler", "symbol", "count",
            "share", "rate/s");
    size_t *idx = pc_counts_sorted(&r->handlers, 0);
    struct text_cells c;
    text_cells_init(&c);
    for (size_t k = 0; idx && idx[k] != SIZE_MAX && k < r->opt.top; k++) {
        size_t i = idx[k];
        fprintf(o, "  %-9s 0x%016llx %-24s %9llu %5.1f%% %7.0f\n",
                report_type_name(r->handlers.type[i]), (unsigned long long)r->handlers.pc[i],
                text_sym_cell(&c, r, r->handlers.pc[i], 24, 31, NULL),
                (unsigned long long)r->handlers.count[i], share(r->handlers.count[i], r->traps),
                d > 0 ? (double)r->handlers.count[i] / d : 0.0);
        text_cells_end(&c, o);
    }
    free(idx);
}

static void sources(const struct report *r, FILE *o)
{
    fprintf(o, "\nHottest sources (top %u per type)\n", r->opt.top);
    if (r->aggregate_only) {
        fprintf(o, "  not available: an aggregate-only database keeps no source PCs\n");
        return;
    }
    struct text_cells c;
    text_cells_init(&c);
    for (int t = 0; t < DISCON_NTYPES; t++) {
        if (!r->traps_by_type[t])
            continue;
        size_t *idx = pc_counts_sorted(&r->sources, (int)discon_type_at(t));
        fprintf(o, "  %s\n", report_type_name(discon_type_at(t)));
        for (size_t k = 0; idx && idx[k] != SIZE_MAX && k < r->opt.top; k++) {
            size_t i = idx[k];
            fprintf(o, "    0x%016llx %-36s %9llu %5.1f%%\n", (unsigned long long)r->sources.pc[i],
                    text_sym_cell(&c, r, r->sources.pc[i], 36, 23, NULL),
                    (unsigned long long)r->sources.count[i],
                    share(r->sources.count[i], r->traps_by_type[t]));
            text_cells_end(&c, o);
        }
        free(idx);
    }
}

/* One sparkline row per type: 56 columns over the trace's duration. */
static void rate(const struct report *r, FILE *o)
{
    static const char *bars[] = {" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585",
                                 "\u2586", "\u2587", "\u2588"};
    enum { COLS = 56 };
    size_t last = 0;
    for (int t = 0; t < DISCON_NTYPES; t++)
        for (size_t s = 0; s < r->nseconds; s++)
            if (r->per_second[t][s] && s + 1 > last)
                last = s + 1;
    size_t first = r->first_ns == UINT64_MAX || r->first_ns <= r->clock_mono
                       ? 0 : (size_t)((r->first_ns - r->clock_mono) / 1000000000u);
    size_t span = last > first ? last - first : 1;
    size_t per = (span + COLS - 1) / COLS;
    fprintf(o, "\nRate over time (%zu s per column, from %zu s)\n", per, first);
    for (int t = 0; t < DISCON_NTYPES; t++) {
        if (!r->traps_by_type[t])
            continue;
        uint64_t col[COLS] = {0}, max = 0;
        for (size_t s = first; s < last && s < r->nseconds; s++)
            col[(s - first) / per] += r->per_second[t][s];
        for (int c = 0; c < COLS; c++)
            max = col[c] > max ? col[c] : max;
        fprintf(o, "  %-9s |", report_type_name(discon_type_at(t)));
        for (size_t c = 0; c < (span + per - 1) / per && c < COLS; c++)
            fputs(bars[col[c] ? 1 + (int)(7 * col[c] / (max ? max : 1)) : 0], o);
        fprintf(o, "| max %.0f/s\n", (double)max / (double)per);
    }
}

static void trap_line(const struct report *r, FILE *o, const char *mark, const struct discon_trap *t)
{
    struct text_cells c;
    text_cells_init(&c);
    text_cells_arrow(&c);
    const char *from = text_sym_cell(&c, r, t->from_pc, 14, 46, NULL);
    fprintf(o, "  %s %11.6f %-9s 0x%016llx %-14s -> %s\n", mark, secs(r, t->time_ns),
            report_type_name(t->type), (unsigned long long)t->from_pc, from,
            handler_unknown(r, t) ? "(unknown)"
                                  : text_sym_cell(&c, r, t->to_pc, TEXT_WIDTH - 64, 64, ""));
    text_cells_end(&c, o);
}

static void doubles(const struct report *r, FILE *o)
{
    fprintf(o, "\nDouble traps (an exception within %llu bytes after the previous trap's\n"
               "handler, within %llu us, on the same vCPU, at the level it went to;\n"
               "the distance rule: the trace has no returns)\n",
            (unsigned long long)r->opt.window, (unsigned long long)(r->opt.time_bound_ns / 1000));
    if (r->aggregate_only) {
        fprintf(o, "  not available: an aggregate-only database keeps no raw events\n");
        return;
    }
    if (!r->doubles_total)
        fprintf(o, "  none\n");
    for (size_t i = 0; i < r->ndoubles; i++) {
        const struct double_trap *d = &r->doubles[i];
        fprintf(o, "  vCPU %u: trap at 0x%llx, %llu bytes into the previous handler\n",
                d->vcpu, (unsigned long long)d->second.from_pc,
                (unsigned long long)(d->second.from_pc - d->first.to_pc));
        for (unsigned k = 0; k < d->nbefore; k++)
            trap_line(r, o, "  ", &d->before[k]);
        trap_line(r, o, "1>", &d->first);
        trap_line(r, o, "2>", &d->second);
        for (unsigned k = 0; k < d->nafter; k++)
            trap_line(r, o, "  ", &d->after[k]);
    }
    if (r->doubles_total > r->ndoubles)
        fprintf(o, "  ... %zu in all\n", r->doubles_total);
}

static void loops(const struct report *r, FILE *o)
{
    fprintf(o, "\nFault loops (%llu or more exceptions of one known kind, not a call, in a\n"
               "row from one PC and fault address on a vCPU; interrupts do not count)\n",
            (unsigned long long)r->opt.loop);
    if (r->aggregate_only) {
        fprintf(o, "  not available: an aggregate-only database keeps no raw events\n");
        return;
    }
    if (!r->loops_total)
        fprintf(o, "  none\n");
    struct text_cells c;
    text_cells_init(&c);
    for (size_t i = 0; i < r->nloops; i++) {
        const struct discon_fault_loop *l = &r->loops[i];
        text_cells_arrow(&c);
        const char *from = text_sym_cell(&c, r, l->from_pc, 16, 30, NULL);
        fprintf(o, "  vCPU %-3u 0x%016llx %-16s x%-8llu -> %s\n", l->vcpu,
                (unsigned long long)l->from_pc, from, (unsigned long long)l->count,
                text_sym_cell(&c, r, l->to_pc, TEXT_WIDTH - 60, 60, ""));
        text_cells_end(&c, o);
        fprintf(o, "           %s, from %.6f to %.6f s\n", l->kind ? l->kind->name : "unknown",
                secs(r, l->first_ns), secs(r, l->last_ns));
    }
}

static void tail(const struct report *r, FILE *o)
{
    if (!r->opt.tail)
        return;
    fprintf(o, "\nLast events of each vCPU (post-mortem)\n");
    if (r->aggregate_only) {
        fprintf(o, "  not available: an aggregate-only database keeps no raw events\n");
        return;
    }
    struct text_cells c;
    text_cells_init(&c);
    for (uint32_t i = 0; i < r->nvcpus; i++) {
        const struct vcpu_state *v = &r->vcpu[i];
        if (!v->ntail)
            continue;
        fprintf(o, "  vCPU %u\n", i);
        unsigned n = v->ntail < r->opt.tail ? v->ntail : r->opt.tail;
        for (unsigned k = 0; k < n; k++) {
            const struct discon_event *e = &v->tail[(v->ntail - n + k) % r->opt.tail];
            text_cells_arrow(&c);
            const char *from = text_sym_cell(&c, r, e->from_pc, 15, 45, NULL);
            fprintf(o, "    %11.6f %-9s 0x%016llx %-15s -> %s\n", secs(r, e->time_ns),
                    report_type_name(e->type), (unsigned long long)e->from_pc, from,
                    text_sym_cell(&c, r, e->to_pc, TEXT_WIDTH - 64, 64, ""));
            text_cells_end(&c, o);
        }
    }
}

void render_text(const struct report *r, FILE *o)
{
    summary(r, o);
    render_kinds_text(r, o);
    frequencies(r, o);
    sources(r, o);
    rate(r, o);
    if (r->aggregate_only)
        fprintf(o, "\nTime in handlers, nesting, double traps\n"
                   "  not available: an aggregate-only database keeps no raw events\n");
    else if (r->nest.paired)
        render_nesting_text(r, o);
    else
        doubles(r, o);
    loops(r, o);
    tail(r, o);
    if (r->pm)
        postmortem_render_text(r, o);
}
