/*
 * The report as CSV (JSON: render_json.c).
 * One table per section, each after a "# section" line and a header,
 * ended by a blank line: summary, then the kind sections (render_kinds.c),
 * vcpus, handlers, sources, rate, double_traps, fault_loops (kind last),
 * tail, then handler_time, nesting and nesting_chains (render_nesting.c).
 */
#include "csv.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double secs(const struct report *r, uint64_t ns)
{
    return ((double)ns - (double)r->clock_mono) / 1e9;
}

/* A symbol as a CSV field between `before` and `after`. */
static void csv_sym(const struct report *r, FILE *o, const char *before, uint64_t pc,
                    const char *after)
{
    char *sym = report_symbol_new(r, pc);
    fputs(before, o);
    discon_csv_field(o, sym ? sym : "?"); /* "?": out of memory, said so */
    fputs(after, o);
    free(sym);
}

/* "# summary". */
static void csv_summary(const struct report *r, FILE *o)
{
    char why[256];
    bool complete = report_complete(r, why, sizeof why);
    double d = report_duration(r);
    fprintf(o, "# summary\nkey,value\ntarget,");
    discon_csv_field(o, r->target);
    fprintf(o, "\ntrace_id,%s\nduration_s,%.9f\nevents,%llu\ntraps,%llu\n", r->trace_id, d,
            (unsigned long long)r->events, (unsigned long long)r->traps);
    for (int t = 0; t < DISCON_NTYPES; t++)
        fprintf(o, "%s,%llu\n", report_type_name(discon_type_at(t)),
                (unsigned long long)r->traps_by_type[t]);
    fprintf(o, "lost_events,%llu\ntime_backwards,%llu\nbeyond_vcpus,%llu\ncomplete,%d\n\n",
            (unsigned long long)r->lost_events, (unsigned long long)r->time_backwards,
            (unsigned long long)r->beyond_vcpus, complete);
}

/* "# vcpus". */
static void csv_vcpus(const struct report *r, FILE *o)
{
    fprintf(o, "# vcpus\nvcpu,events,traps");
    for (int t = 0; t < DISCON_NTYPES; t++)
        fprintf(o, ",%s", report_type_name(discon_type_at(t)));
    fprintf(o, ",produced,dropped,written\n");
    for (uint32_t i = 0; i < r->nvcpus; i++) {
        const struct vcpu_state *v = &r->vcpu[i];
        if (!v->seen && !v->has_totals)
            continue;
        fprintf(o, "%u,%llu,%llu", i, (unsigned long long)v->events, (unsigned long long)v->traps);
        for (int t = 0; t < DISCON_NTYPES; t++)
            fprintf(o, ",%llu", (unsigned long long)v->traps_by_type[t]);
        fprintf(o, ",%llu,%llu,%llu\n", (unsigned long long)v->produced,
                (unsigned long long)v->dropped, (unsigned long long)v->written);
    }
}

/* "# handlers", "# sources" and "# rate". */
static void csv_frequencies(const struct report *r, FILE *o)
{
    double d = report_duration(r);
    fprintf(o, "\n# handlers\ntype,handler,symbol,count,share,per_s\n");
    size_t *idx = pc_counts_sorted(&r->handlers, 0);
    for (size_t k = 0; idx && idx[k] != SIZE_MAX && k < r->opt.top; k++) {
        size_t i = idx[k];
        fprintf(o, "%s,0x%llx", report_type_name(r->handlers.type[i]),
                (unsigned long long)r->handlers.pc[i]);
        csv_sym(r, o, ",", r->handlers.pc[i], ",");
        fprintf(o, "%llu,%.6f,%.3f\n", (unsigned long long)r->handlers.count[i],
                r->traps ? (double)r->handlers.count[i] / (double)r->traps : 0.0,
                d > 0 ? (double)r->handlers.count[i] / d : 0.0);
    }
    free(idx);
    fprintf(o, "\n# sources\ntype,source,symbol,count\n");
    for (int t = 0; t < DISCON_NTYPES && !r->aggregate_only; t++) {
        idx = pc_counts_sorted(&r->sources, (int)discon_type_at(t));
        for (size_t k = 0; idx && idx[k] != SIZE_MAX && k < r->opt.top; k++) {
            fprintf(o, "%s,0x%llx", report_type_name(discon_type_at(t)),
                    (unsigned long long)r->sources.pc[idx[k]]);
            csv_sym(r, o, ",", r->sources.pc[idx[k]], ",");
            fprintf(o, "%llu\n", (unsigned long long)r->sources.count[idx[k]]);
        }
        free(idx);
    }
    fprintf(o, "\n# rate\nsecond,type,count\n");
    for (size_t s = 0; s < r->nseconds; s++)
        for (int t = 0; t < DISCON_NTYPES; t++)
            if (r->per_second[t][s])
                fprintf(o, "%zu,%s,%llu\n", s, report_type_name(discon_type_at(t)),
                        (unsigned long long)r->per_second[t][s]);
}

/* "# double_traps", "# fault_loops" and "# tail". */
static void csv_events(const struct report *r, FILE *o)
{
    fprintf(o, "\n# double_traps\nvcpu,first_time_s,first_from,first_to,second_time_s,second_from,"
               "second_from_symbol,second_to\n");
    for (size_t i = 0; i < r->ndoubles; i++) {
        const struct double_trap *dt = &r->doubles[i];
        fprintf(o, "%u,%.9f,0x%llx,0x%llx,%.9f,0x%llx", dt->vcpu,
                secs(r, dt->first.time_ns), (unsigned long long)dt->first.from_pc,
                (unsigned long long)dt->first.to_pc, secs(r, dt->second.time_ns),
                (unsigned long long)dt->second.from_pc);
        csv_sym(r, o, ",", dt->second.from_pc, ",");
        fprintf(o, "0x%llx\n", (unsigned long long)dt->second.to_pc);
    }
    fprintf(o, "\n# fault_loops\nvcpu,source,symbol,handler,count,first_s,last_s,kind\n");
    for (size_t i = 0; i < r->nloops; i++) {
        const struct discon_fault_loop *l = &r->loops[i];
        fprintf(o, "%u,0x%llx", l->vcpu, (unsigned long long)l->from_pc);
        csv_sym(r, o, ",", l->from_pc, ",");
        fprintf(o, "0x%llx,%llu,%.9f,%.9f,", (unsigned long long)l->to_pc,
                (unsigned long long)l->count, secs(r, l->first_ns), secs(r, l->last_ns));
        discon_csv_field(o, l->kind ? l->kind->name : "unknown");
        fputc('\n', o);
    }
    fprintf(o, "\n# tail\nvcpu,time_s,type,from,from_symbol,to,to_symbol\n");
    for (uint32_t i = 0; i < r->nvcpus && r->opt.tail; i++) {
        const struct vcpu_state *v = &r->vcpu[i];
        unsigned cnt = v->ntail < r->opt.tail ? v->ntail : r->opt.tail;
        for (unsigned k = 0; k < cnt; k++) {
            const struct discon_event *e = &v->tail[(v->ntail - cnt + k) % r->opt.tail];
            fprintf(o, "%u,%.9f,%s,0x%llx", i, secs(r, e->time_ns), report_type_name(e->type),
                    (unsigned long long)e->from_pc);
            csv_sym(r, o, ",", e->from_pc, ",");
            fprintf(o, "0x%llx", (unsigned long long)e->to_pc);
            csv_sym(r, o, ",", e->to_pc, "\n");
        }
    }
}

/* CSV fields are numbers, hex, names and symbols (through discon_csv_field,
 * quoted if need be). */
void render_csv(const struct report *r, FILE *o)
{
    csv_summary(r, o);
    render_kinds_csv(r, o);
    csv_vcpus(r, o);
    csv_frequencies(r, o);
    csv_events(r, o);
    render_nesting_csv(r, o);
}
