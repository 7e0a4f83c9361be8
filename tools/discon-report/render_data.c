/*
 * Machine-readable reports. JSON, one object:
 *   {"trace": {id, target, system_mode, vcpu_count, host, rule},
 *    "summary": {duration_s, events, traps, traps_per_s, complete, complete_reason,
 *                by_type: {interrupt, exception, hostcall}, lost_events,
 *                losses: [{vcpu, first_seq, count, first_s, last_s}], unrecorded,
 *                vcpus: [{vcpu, events, traps, interrupt, exception, hostcall,
 *                         produced, dropped, written}]},
 *    "trap_kinds", "kind_sources", "syscalls", "interrupts": see render_kinds.c,
 *    "handlers": [{type, handler, symbol, count, share, per_s}],
 *    "sources": [{type, source, symbol, count}],
 *    "rate": {"interval_s": 1, "start_s": S, "interrupt": [..], "exception": [..], "hostcall": [..]},
 *    "double_traps": [{vcpu, first: TRAP, second: TRAP, before: [TRAP], after: [TRAP]}],
 *    "fault_loops": [{vcpu, kind, source, source_symbol, handler, handler_symbol,
 *                     count, first_s, last_s}],
 *    "handler_time", "nesting": see render_nesting.c and the README,
 *    "tail": [{vcpu, events: [{time_s, type, from, from_symbol, to, to_symbol}]}]}
 * with TRAP = {time_s, type, from, from_symbol, to, to_symbol, events} and
 * PCs as "0x..." strings (JSON numbers lose 64-bit precision).
 * CSV: one table per section, each after a "# section" line and a header,
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

/* Symbols and ids are plain ASCII from files we parsed, but escape anyway. */
void report_json_string(FILE *o, const char *s)
{
    fputc('"', o);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(o, "\\%c", c);
        else if (c < 0x20 || c >= 0x80) /* names are ASCII; anything else, escaped */
            fprintf(o, "\\u%04x", c);
        else
            fputc(c, o);
    }
    fputc('"', o);
}

static void jpc(const struct report *r, FILE *o, const char *key, uint64_t pc)
{
    char buf[256];
    fprintf(o, "\"%s\": \"0x%llx\", \"%s_symbol\": ", key, (unsigned long long)pc, key);
    report_json_string(o, report_symbol(r, pc, buf, sizeof buf));
}

/* "name": count for each type of schema/discon_types.h, in its order,
 * the first after `first_sep`, the others after ", ". */
static void jtype_counts(FILE *o, const uint64_t counts[DISCON_NTYPES], const char *first_sep)
{
    for (int t = 0; t < DISCON_NTYPES; t++)
        fprintf(o, "%s\"%s\": %llu", t ? ", " : first_sep, report_type_name(discon_type_at(t)),
                (unsigned long long)counts[t]);
}

void report_json_trap(const struct report *r, FILE *o, const struct discon_trap *t)
{
    fprintf(o, "{\"time_s\": %.9f, \"type\": \"%s\", ", secs(r, t->time_ns), report_type_name(t->type));
    jpc(r, o, "from", t->from_pc);
    fprintf(o, ", ");
    jpc(r, o, "to", t->to_pc);
    fprintf(o, ", \"events\": %u}", t->events);
}

/* "trace" and "summary": header, totals, losses, vCPUs. */
static void json_summary(const struct report *r, FILE *o)
{
    char why[256];
    bool complete = report_complete(r, why, sizeof why);
    double d = report_duration(r);
    fprintf(o, "{\"trace\": {\"id\": \"%s\", \"target\": ", r->trace_id);
    report_json_string(o, r->target);
    fprintf(o, ", \"system_mode\": %s, \"vcpu_count\": %u, \"host\": ",
            r->system_mode ? "true" : "false", r->vcpu_count);
    report_json_string(o, r->host);
    fprintf(o, ", \"rule\": ");
    report_json_string(o, r->rule);
    if (r->source[0]) {
        fprintf(o, ", \"source\": ");
        report_json_string(o, r->source);
        fprintf(o, ", \"not_recorded\": ");
        report_json_string(o, r->lacks);
    }
    fprintf(o, "},\n \"summary\": {\"duration_s\": %.9f, \"events\": %llu, \"traps\": %llu, "
               "\"traps_per_s\": %.3f, \"complete\": %s, \"complete_reason\": ",
            d, (unsigned long long)r->events, (unsigned long long)r->traps,
            d > 0 ? (double)r->traps / d : 0.0, complete ? "true" : "false");
    report_json_string(o, why);
    if (r->opt.symbols_note) {
        fprintf(o, ", \"symbols\": ");
        report_json_string(o, r->opt.symbols_note);
    }
    fprintf(o, ", \"by_type\": {");
    jtype_counts(o, r->traps_by_type, "");
    fprintf(o, "}, \"lost_events\": %llu, \"unrecorded\": %llu, \"time_backwards\": %llu, "
               "\"beyond_vcpus\": %llu, \"losses\": [",
            (unsigned long long)r->lost_events, (unsigned long long)r->unrecorded,
            (unsigned long long)r->time_backwards, (unsigned long long)r->beyond_vcpus);
    for (size_t i = 0; i < r->nlosses; i++)
        fprintf(o, "%s{\"vcpu\": %u, \"first_seq\": %llu, \"count\": %llu, \"first_s\": %.9f, "
                   "\"last_s\": %.9f}", i ? ", " : "", r->losses[i].vcpu,
                (unsigned long long)r->losses[i].first_seq, (unsigned long long)r->losses[i].count,
                r->losses[i].first_ns ? secs(r, r->losses[i].first_ns) : 0.0,
                r->losses[i].last_ns ? secs(r, r->losses[i].last_ns) : 0.0);
    fprintf(o, "], \"vcpus\": [");
    for (uint32_t i = 0, n = 0; i < r->nvcpus; i++) {
        const struct vcpu_state *v = &r->vcpu[i];
        if (!v->seen && !v->has_totals)
            continue;
        fprintf(o, "%s{\"vcpu\": %u, \"events\": %llu, \"traps\": %llu", n++ ? ", " : "", i,
                (unsigned long long)v->events, (unsigned long long)v->traps);
        jtype_counts(o, v->traps_by_type, ", ");
        fprintf(o, ", \"produced\": %llu, \"dropped\": %llu, \"written\": %llu}",
                (unsigned long long)v->produced, (unsigned long long)v->dropped,
                (unsigned long long)v->written);
    }
}

/* "handlers" and "sources": the frequency tables. */
static void json_frequencies(const struct report *r, FILE *o)
{
    double d = report_duration(r);
    fprintf(o, ",\n \"handlers\": [");
    size_t *idx = pc_counts_sorted(&r->handlers, 0);
    for (size_t k = 0; idx && idx[k] != SIZE_MAX && k < r->opt.top; k++) {
        size_t i = idx[k];
        fprintf(o, "%s{\"type\": \"%s\", ", k ? ", " : "", report_type_name(r->handlers.type[i]));
        jpc(r, o, "handler", r->handlers.pc[i]);
        fprintf(o, ", \"count\": %llu, \"share\": %.6f, \"per_s\": %.3f}",
                (unsigned long long)r->handlers.count[i],
                r->traps ? (double)r->handlers.count[i] / (double)r->traps : 0.0,
                d > 0 ? (double)r->handlers.count[i] / d : 0.0);
    }
    free(idx);
    fprintf(o, "],\n \"sources\": [");
    int first = 1;
    for (int t = 0; t < DISCON_NTYPES && !r->aggregate_only; t++) {
        idx = pc_counts_sorted(&r->sources, (int)discon_type_at(t));
        for (size_t k = 0; idx && idx[k] != SIZE_MAX && k < r->opt.top; k++) {
            size_t i = idx[k];
            fprintf(o, "%s{\"type\": \"%s\", ", first ? "" : ", ", report_type_name(discon_type_at(t)));
            first = 0;
            jpc(r, o, "source", r->sources.pc[i]);
            fprintf(o, ", \"count\": %llu}", (unsigned long long)r->sources.count[i]);
        }
        free(idx);
    }
}

/* "rate": traps per second by type. */
static void json_rate(const struct report *r, FILE *o)
{
    size_t start = r->first_ns == UINT64_MAX || r->first_ns <= r->clock_mono
                       ? 0 : (size_t)((r->first_ns - r->clock_mono) / 1000000000u);
    fprintf(o, "],\n \"rate\": {\"interval_s\": 1, \"start_s\": %zu", start);
    for (int t = 0; t < DISCON_NTYPES; t++) {
        fprintf(o, ", \"%s\": [", report_type_name(discon_type_at(t)));
        for (size_t s = start; s < r->nseconds && r->last_ns > r->clock_mono &&
                               s <= (r->last_ns - r->clock_mono) / 1000000000u; s++)
            fprintf(o, "%s%llu", s > start ? ", " : "", (unsigned long long)r->per_second[t][s]);
        fprintf(o, "]");
    }
}

/* "double_traps" and "fault_loops". */
static void json_patterns(const struct report *r, FILE *o)
{
    fprintf(o, "},\n \"double_traps\": [");
    for (size_t i = 0; i < r->ndoubles; i++) {
        const struct double_trap *dt = &r->doubles[i];
        fprintf(o, "%s{\"vcpu\": %u, \"first\": ", i ? ", " : "", dt->vcpu);
        report_json_trap(r, o, &dt->first);
        fprintf(o, ", \"second\": ");
        report_json_trap(r, o, &dt->second);
        fprintf(o, ", \"before\": [");
        for (unsigned k = 0; k < dt->nbefore; k++) {
            fprintf(o, "%s", k ? ", " : "");
            report_json_trap(r, o, &dt->before[k]);
        }
        fprintf(o, "], \"after\": [");
        for (unsigned k = 0; k < dt->nafter; k++) {
            fprintf(o, "%s", k ? ", " : "");
            report_json_trap(r, o, &dt->after[k]);
        }
        fprintf(o, "]}");
    }
    fprintf(o, "],\n \"fault_loops\": [");
    for (size_t i = 0; i < r->nloops; i++) {
        const struct fault_loop *l = &r->loops[i];
        fprintf(o, "%s{\"vcpu\": %u, \"kind\": ", i ? ", " : "", l->vcpu);
        report_json_string(o, l->kind ? l->kind->name : "unknown");
        fprintf(o, ", ");
        jpc(r, o, "source", l->from_pc);
        fprintf(o, ", ");
        jpc(r, o, "handler", l->to_pc);
        fprintf(o, ", \"count\": %llu, \"first_s\": %.9f, \"last_s\": %.9f}",
                (unsigned long long)l->count, secs(r, l->first_ns), secs(r, l->last_ns));
    }
}

/* "tail": the last events of each vCPU, and the end of the object. */
static void json_tail(const struct report *r, FILE *o)
{
    fprintf(o, "]");
    render_nesting_json(r, o);
    fprintf(o, ",\n \"tail\": [");
    for (uint32_t i = 0, n = 0; i < r->nvcpus && r->opt.tail; i++) {
        const struct vcpu_state *v = &r->vcpu[i];
        if (!v->ntail)
            continue;
        fprintf(o, "%s{\"vcpu\": %u, \"events\": [", n++ ? ", " : "", i);
        unsigned cnt = v->ntail < r->opt.tail ? v->ntail : r->opt.tail;
        for (unsigned k = 0; k < cnt; k++) {
            const struct discon_event *e = &v->tail[(v->ntail - cnt + k) % r->opt.tail];
            fprintf(o, "%s{\"time_s\": %.9f, \"type\": \"%s\", ", k ? ", " : "", secs(r, e->time_ns),
                    report_type_name(e->type));
            jpc(r, o, "from", e->from_pc);
            fprintf(o, ", ");
            jpc(r, o, "to", e->to_pc);
            fprintf(o, "}");
        }
        fprintf(o, "]}");
    }
    fprintf(o, "]}\n");
}

void render_json(const struct report *r, FILE *o)
{
    json_summary(r, o);
    fprintf(o, "]}");
    render_kinds_json(r, o);
    json_frequencies(r, o);
    json_rate(r, o);
    json_patterns(r, o);
    json_tail(r, o);
}

/* A symbol as a CSV field between `before` and `after`. */
static void csv_sym(const struct report *r, FILE *o, const char *before, uint64_t pc,
                    const char *after)
{
    char buf[256];
    fputs(before, o);
    discon_csv_field(o, report_symbol(r, pc, buf, sizeof buf));
    fputs(after, o);
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
        const struct fault_loop *l = &r->loops[i];
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
