/*
 * The report as JSON, one object, built with json-c (strings valid UTF-8,
 * symbols whole):
 *   {"trace": {id, target, system_mode, vcpu_count, host, rule[, source, not_recorded]},
 *    "summary": {duration_s, events, traps, traps_per_s, complete, complete_reason,
 *                [snapshot (a flight-recorder snapshot's trigger),]
 *                [guest_ended ("power-off", "reset"),] [symbols,] by_type: {interrupt, exception, hostcall, ...}, lost_events,
 *                unrecorded, time_backwards, beyond_vcpus,
 *                losses: [{vcpu, first_seq, count, first_s, last_s}],
 *                vcpus: [{vcpu, events, traps, interrupt, exception, hostcall, ...,
 *                         produced, dropped, written}]},
 *    "trap_kinds", "kind_sources", "syscalls", "interrupts": see render_kinds.c,
 *    "handlers": [{type, handler, handler_symbol, count, share, per_s}],
 *    "sources": [{type, source, source_symbol, count}],
 *    "rate": {"interval_s": 1, "start_s": S, "interrupt": [..], "exception": [..], ...},
 *    "double_traps": [{vcpu, first: TRAP, second: TRAP, before: [TRAP], after: [TRAP]}],
 *    "fault_loops": [{vcpu, kind, source, source_symbol, handler, handler_symbol,
 *                     count, first_s, last_s}],
 *    "handler_time", "nesting": see render_nesting.c and the README,
 *    "tail": [{vcpu, events: [{time_s, type, from, from_symbol, to, to_symbol}]}]}
 * with TRAP = {time_s, type, from, from_symbol, to, to_symbol, events} and
 * PCs as "0x..." strings (JSON numbers lose 64-bit precision).
 */
#include "report.h"

#include <stdlib.h>

/* name: count for each type of schema/discon_types.h, in its order. */
static void add_type_counts(json_object *o, const uint64_t counts[DISCON_NTYPES])
{
    for (int t = 0; t < DISCON_NTYPES; t++)
        json_object_object_add(o, report_type_name(discon_type_at(t)),
                               json_object_new_uint64(counts[t]));
}

static json_object *json_trace(const struct report *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(r->trace_id));
    json_object_object_add(o, "target", report_json_text(r->target));
    json_object_object_add(o, "system_mode", json_object_new_boolean(r->system_mode));
    json_object_object_add(o, "vcpu_count", json_object_new_uint64(r->vcpu_count));
    json_object_object_add(o, "host", report_json_text(r->host));
    json_object_object_add(o, "rule", report_json_text(r->rule));
    if (r->source[0]) {
        json_object_object_add(o, "source", report_json_text(r->source));
        json_object_object_add(o, "not_recorded", report_json_text(r->lacks));
    }
    return o;
}

static json_object *json_losses(const struct report *r)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < r->nlosses; i++) {
        const struct loss *l = &r->losses[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "vcpu", json_object_new_uint64(l->vcpu));
        json_object_object_add(o, "first_seq", json_object_new_uint64(l->first_seq));
        json_object_object_add(o, "count", json_object_new_uint64(l->count));
        json_object_object_add(o, "first_s", l->first_ns ? report_json_seconds(r, l->first_ns)
                                                         : report_json_fixed(0, 9));
        json_object_object_add(o, "last_s", l->last_ns ? report_json_seconds(r, l->last_ns)
                                                       : report_json_fixed(0, 9));
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *json_vcpus(const struct report *r)
{
    json_object *a = json_object_new_array();
    for (uint32_t i = 0; i < r->nvcpus; i++) {
        const struct vcpu_state *v = &r->vcpu[i];
        if (!v->seen && !v->has_totals)
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "vcpu", json_object_new_uint64(i));
        json_object_object_add(o, "events", json_object_new_uint64(v->events));
        json_object_object_add(o, "traps", json_object_new_uint64(v->traps));
        add_type_counts(o, v->traps_by_type);
        json_object_object_add(o, "produced", json_object_new_uint64(v->produced));
        json_object_object_add(o, "dropped", json_object_new_uint64(v->dropped));
        json_object_object_add(o, "written", json_object_new_uint64(v->written));
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *json_summary(const struct report *r)
{
    char why[256];
    bool complete = report_complete(r, why, sizeof why);
    double d = report_duration(r);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "duration_s", report_json_fixed(d, 9));
    json_object_object_add(o, "events", json_object_new_uint64(r->events));
    json_object_object_add(o, "traps", json_object_new_uint64(r->traps));
    json_object_object_add(o, "traps_per_s",
                           report_json_fixed(d > 0 ? (double)r->traps / d : 0.0, 3));
    json_object_object_add(o, "complete", json_object_new_boolean(complete));
    json_object_object_add(o, "complete_reason", report_json_text(why));
    if (r->snapshot[0])
        json_object_object_add(o, "snapshot", report_json_text(r->snapshot));
    if (r->guest_ended[0])
        json_object_object_add(o, "guest_ended", report_json_text(r->guest_ended));
    if (r->opt.symbols_note)
        json_object_object_add(o, "symbols", report_json_text(r->opt.symbols_note));
    json_object *by_type = json_object_new_object();
    add_type_counts(by_type, r->traps_by_type);
    json_object_object_add(o, "by_type", by_type);
    json_object_object_add(o, "lost_events", json_object_new_uint64(r->lost_events));
    json_object_object_add(o, "unrecorded", json_object_new_uint64(r->unrecorded));
    json_object_object_add(o, "time_backwards", json_object_new_uint64(r->time_backwards));
    json_object_object_add(o, "beyond_vcpus", json_object_new_uint64(r->beyond_vcpus));
    json_object_object_add(o, "losses", json_losses(r));
    json_object_object_add(o, "vcpus", json_vcpus(r));
    return o;
}

/* "handlers" and "sources": the frequency tables. */
static void json_frequencies(const struct report *r, json_object *root)
{
    double d = report_duration(r);
    json_object *handlers = json_object_new_array();
    size_t *idx = pc_counts_sorted(&r->handlers, 0);
    for (size_t k = 0; idx && idx[k] != SIZE_MAX && k < r->opt.top; k++) {
        size_t i = idx[k];
        uint64_t n = r->handlers.count[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "type", json_object_new_string(report_type_name(r->handlers.type[i])));
        report_json_add_pc(r, o, "handler", r->handlers.pc[i]);
        json_object_object_add(o, "count", json_object_new_uint64(n));
        json_object_object_add(o, "share", report_json_fixed(r->traps ? (double)n / (double)r->traps : 0.0, 6));
        json_object_object_add(o, "per_s", report_json_fixed(d > 0 ? (double)n / d : 0.0, 3));
        json_object_array_add(handlers, o);
    }
    free(idx);
    json_object_object_add(root, "handlers", handlers);
    json_object *sources = json_object_new_array();
    for (int t = 0; t < DISCON_NTYPES && !r->aggregate_only; t++) {
        idx = pc_counts_sorted(&r->sources, (int)discon_type_at(t));
        for (size_t k = 0; idx && idx[k] != SIZE_MAX && k < r->opt.top; k++) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "type", json_object_new_string(report_type_name(discon_type_at(t))));
            report_json_add_pc(r, o, "source", r->sources.pc[idx[k]]);
            json_object_object_add(o, "count", json_object_new_uint64(r->sources.count[idx[k]]));
            json_object_array_add(sources, o);
        }
        free(idx);
    }
    json_object_object_add(root, "sources", sources);
}

/* "rate": traps per second by type, from the first second with an event. */
static json_object *json_rate(const struct report *r)
{
    size_t start = r->first_ns == UINT64_MAX || r->first_ns <= r->clock_mono
                       ? 0 : (size_t)((r->first_ns - r->clock_mono) / 1000000000u);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "interval_s", json_object_new_int(1));
    json_object_object_add(o, "start_s", json_object_new_uint64(start));
    for (int t = 0; t < DISCON_NTYPES; t++) {
        json_object *a = json_object_new_array();
        for (size_t s = start; s < r->nseconds && r->last_ns > r->clock_mono &&
                               s <= (r->last_ns - r->clock_mono) / 1000000000u; s++)
            json_object_array_add(a, json_object_new_uint64(r->per_second[t][s]));
        json_object_object_add(o, report_type_name(discon_type_at(t)), a);
    }
    return o;
}

static json_object *json_traps(const struct report *r, const struct discon_trap *t, unsigned n)
{
    json_object *a = json_object_new_array();
    for (unsigned k = 0; k < n; k++)
        json_object_array_add(a, report_json_trap(r, &t[k]));
    return a;
}

/* "double_traps" and "fault_loops". */
static void json_patterns(const struct report *r, json_object *root)
{
    json_object *doubles = json_object_new_array();
    for (size_t i = 0; i < r->ndoubles; i++) {
        const struct double_trap *dt = &r->doubles[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "vcpu", json_object_new_uint64(dt->vcpu));
        json_object_object_add(o, "first", report_json_trap(r, &dt->first));
        json_object_object_add(o, "second", report_json_trap(r, &dt->second));
        json_object_object_add(o, "before", json_traps(r, dt->before, dt->nbefore));
        json_object_object_add(o, "after", json_traps(r, dt->after, dt->nafter));
        json_object_array_add(doubles, o);
    }
    json_object_object_add(root, "double_traps", doubles);
    json_object *loops = json_object_new_array();
    for (size_t i = 0; i < r->nloops; i++) {
        const struct discon_fault_loop *l = &r->loops[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "vcpu", json_object_new_uint64(l->vcpu));
        json_object_object_add(o, "kind", report_json_text(l->kind ? l->kind->name : "unknown"));
        report_json_add_pc(r, o, "source", l->from_pc);
        report_json_add_pc(r, o, "handler", l->to_pc);
        json_object_object_add(o, "count", json_object_new_uint64(l->count));
        json_object_object_add(o, "first_s", report_json_seconds(r, l->first_ns));
        json_object_object_add(o, "last_s", report_json_seconds(r, l->last_ns));
        json_object_array_add(loops, o);
    }
    json_object_object_add(root, "fault_loops", loops);
}

/* "tail": the last events of each vCPU. */
static json_object *json_tail(const struct report *r)
{
    json_object *a = json_object_new_array();
    for (uint32_t i = 0; i < r->nvcpus && r->opt.tail; i++) {
        const struct vcpu_state *v = &r->vcpu[i];
        if (!v->ntail)
            continue;
        json_object *events = json_object_new_array();
        unsigned cnt = v->ntail < r->opt.tail ? v->ntail : r->opt.tail;
        for (unsigned k = 0; k < cnt; k++) {
            const struct discon_event *e = &v->tail[(v->ntail - cnt + k) % r->opt.tail];
            json_object *o = json_object_new_object();
            json_object_object_add(o, "time_s", report_json_seconds(r, e->time_ns));
            json_object_object_add(o, "type", json_object_new_string(report_type_name(e->type)));
            report_json_add_pc(r, o, "from", e->from_pc);
            report_json_add_pc(r, o, "to", e->to_pc);
            json_object_array_add(events, o);
        }
        json_object *o = json_object_new_object();
        json_object_object_add(o, "vcpu", json_object_new_uint64(i));
        json_object_object_add(o, "events", events);
        json_object_array_add(a, o);
    }
    return a;
}

int render_json(const struct report *r, FILE *o)
{
    json_object *root = json_object_new_object();
    if (!root)
        return -1;
    json_object_object_add(root, "trace", json_trace(r));
    json_object_object_add(root, "summary", json_summary(r));
    render_kinds_json(r, root);
    json_frequencies(r, root);
    json_object_object_add(root, "rate", json_rate(r));
    json_patterns(r, root);
    render_nesting_json(r, root);
    json_object_object_add(root, "tail", json_tail(r));
    int rc = report_json_write(root, o);
    json_object_put(root);
    return rc;
}
