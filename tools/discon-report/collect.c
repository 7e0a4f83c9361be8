/* Building the report model from events, traps, losses and totals. */
#include "printable.h"
#include "report.h"
#include "tool_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *report_type_name(unsigned type)
{
    return discon_type_name(type) ? discon_type_name(type) : "?";
}

/* ---- traps --------------------------------------------------------------- */

static int count_second(struct report *r, int64_t second, uint8_t type, uint64_t n)
{
    int t = discon_type_index(type);
    if (t < 0 || second < 0 || second >= REPORT_MAX_SECONDS)
        return 0; /* outside what the rate section shows */
    if ((size_t)second >= r->nseconds) {
        size_t n2 = r->nseconds ? r->nseconds : 64;
        while (n2 <= (size_t)second)
            n2 *= 2;
        for (int k = 0; k < DISCON_NTYPES; k++) {
            uint64_t *p = realloc(r->per_second[k], n2 * sizeof *p);
            if (!p)
                return -1;
            memset(p + r->nseconds, 0, (n2 - r->nseconds) * sizeof *p);
            r->per_second[k] = p;
        }
        r->nseconds = n2;
    }
    r->per_second[t][second] += n;
    return 0;
}

/* Keep run as a fault loop if it is long enough, and end it. */
static void close_loop(struct report *r, struct discon_fault_loop *run)
{
    if (run->count >= r->opt.loop) {
        r->loops_total++;
        if (r->nloops < REPORT_MAX_ITEMS)
            r->loops[r->nloops++] = *run;
    }
    run->count = 0;
}

/* The double-trap rule without returns (trap_rules.h), with the context
 * of each double trap kept for the report. */
static void find_double(struct report *r, struct vcpu_state *v, const struct discon_trap *t)
{
    enum { RING = REPORT_CONTEXT + 1 };
    if (v->open) { /* after a double trap: its context */
        v->open->after[v->open->nafter++] = *t;
        if (v->open->nafter == REPORT_CONTEXT)
            v->open = NULL;
    }
    if (v->nrecent && discon_double_after(&v->recent[(v->nrecent - 1) % RING], t, r->opt.window,
                                          r->opt.time_bound_ns)) {
        r->doubles_total++;
        if (r->ndoubles < REPORT_MAX_ITEMS) {
            struct double_trap *d = &r->doubles[r->ndoubles++];
            *d = (struct double_trap){.vcpu = t->vcpu, .first = v->recent[(v->nrecent - 1) % RING],
                                      .second = *t};
            unsigned have = v->nrecent - 1 < REPORT_CONTEXT ? v->nrecent - 1 : REPORT_CONTEXT;
            for (unsigned k = 0; k < have; k++)
                d->before[k] = v->recent[(v->nrecent - 1 - have + k) % RING];
            d->nbefore = have;
            v->open = d;
        }
    }
    v->recent[v->nrecent++ % RING] = *t;
}

/* The fault-loop rule (trap_rules.h). The kind is named without symbols
 * here; report_name_traps names it again with them and drops the runs
 * report_loop_kind refuses. */
static void find_loop(struct report *r, struct vcpu_state *v, const struct discon_trap *t)
{
    struct discon_fault_loop ended;
    if (discon_fault_loop_feed(&v->run, &r->stream_namer, t, &ended))
        close_loop(r, &ended);
}

bool report_trap_in_window(const struct report *r, uint64_t time_ns)
{
    return discon_in_window(r->clock_mono, time_ns, r->opt.span);
}

static int on_trap(void *ctx, const struct discon_trap *t)
{
    struct report *r = ctx;
    if (!report_trap_in_window(r, t->time_ns))
        return 0;
    if (r->pm && postmortem_take(r, t))
        return -1;
    struct vcpu_state *v = &r->vcpu[t->vcpu];
    r->traps++;
    r->traps_by_type[discon_type_index(t->type)]++;
    v->traps++;
    v->traps_by_type[discon_type_index(t->type)]++;
    int64_t nr = discon_trap_syscall(t);
    if (pc_counts_add(&r->handlers, t->to_pc, t->type, 1) ||
        pc_counts_add(&r->sources, t->from_pc, t->type, 1) || report_count_why(r, t) ||
        (nr >= 0 && pc_counts_add(&r->syscalls, (uint64_t)nr, 1, 1)) ||
        count_second(r, (int64_t)((t->time_ns - r->clock_mono) / 1000000000u), t->type, 1))
        return -1;
    if (r->nest.paired) {
        if (report_nesting_take(r, t))
            return -1;
    } else {
        find_double(r, v, t);
    }
    find_loop(r, v, t);
    return r->opt.hook && r->opt.hook->taken(r->opt.hook->ctx, r, t) ? -1 : 0;
}

/* A trap of the whole trace, before any filter: a KASLR candidate. */
static int on_kaslr_trap(void *ctx, const struct discon_trap *t)
{
    struct report *r = ctx;
    return t->type == DISCON_EXCEPTION ? pc_counts_add(&r->kaslr, t->to_pc, DISCON_EXCEPTION, 1)
                                       : 0;
}

/* ---- feeding -------------------------------------------------------------- */

struct report_opts report_default_opts(void)
{
    return (struct report_opts){
        .top = 10, .vcpu = -1, .span = DISCON_WINDOW_ALL, .window = DISCON_DOUBLE_WINDOW,
        .time_bound_ns = DISCON_DOUBLE_TIME_BOUND_NS, .loop = DISCON_LOOP_DEFAULT, .tail = 10, .at_ns = -1,
    };
}

void report_init(struct report *r, const struct report_opts *opt)
{
    memset(r, 0, sizeof *r);
    r->opt = *opt;
    r->first_ns = UINT64_MAX;
    discon_trap_namer_init(&r->stream_namer, NULL, NULL);
    discon_traps_init(&r->deriver, DISCON_RULE_ONE_EVENT_ONE_TRAP, on_trap, r);
    r->kaslr_on = opt->syms != NULL; /* symbols to place once the trace is read */
    discon_traps_init(&r->kaslr_deriver, DISCON_RULE_ONE_EVENT_ONE_TRAP, on_kaslr_trap, r);
}

void report_free(struct report *r)
{
    postmortem_free(r->pm);
    discon_complete_free(&r->complete);
    discon_traps_free(&r->deriver);
    discon_traps_free(&r->kaslr_deriver);
    pc_counts_free(&r->kaslr);
    report_time_free(r);
    pc_counts_free(&r->handlers);
    pc_counts_free(&r->sources);
    report_whys_free(r);
    for (int k = 0; k < DISCON_NTYPES; k++)
        free(r->per_second[k]);
    for (uint32_t i = 0; i < REPORT_MAX_VCPUS; i++)
        free(r->vcpu[i].tail);
    discon_symbols_free(&r->db_syms);
}

/* Where the events came from, when not the plugin: an attach has no cause
 * registers or returns, and the reader must know those columns are not
 * "none" but "not recorded" (schema/discon.proto, Header.source/lacks). */
static void report_source(struct report *r, const Discon__Header *h)
{
    char name[32];
    if (!h->source || !h->source[0])
        return;
    snprintf(r->source, sizeof r->source, "%s to pid %d",
             discon_printable(name, sizeof name, h->source), h->producer_pid);
    size_t n = 0;
    for (size_t i = 0; i < h->n_lacks && n < sizeof r->lacks; i++)
        n += (size_t)snprintf(r->lacks + n, sizeof r->lacks - n, "%s%s", i ? ", " : "",
                              discon_printable(name, sizeof name, h->lacks[i]));
}

int report_header(struct report *r, const Discon__Header *h)
{
    if (r->have_header)
        return 0;
    r->have_header = true;
    for (size_t i = 0; i < h->trace_id.len && i < 16; i++)
        snprintf(r->trace_id + 2 * i, 3, "%02x", h->trace_id.data[i]);
    /* From a file anyone may have written: printed, so made printable. */
    discon_printable(r->target, sizeof r->target, h->target);
    discon_printable(r->host, sizeof r->host, h->host_name);
    report_source(r, h);
    r->vcpu_count = h->vcpu_count;
    r->system_mode = h->system_mode;
    r->clock_mono = h->clock ? h->clock->monotonic_ns : 0;
    r->clock_real = h->clock ? h->clock->realtime_ns : 0;
    enum discon_trap_rule rule = discon_trap_rule_for(h->target);
    snprintf(r->rule, sizeof r->rule, "%s", discon_trap_rule_name(rule));
    discon_traps_free(&r->deriver);
    discon_traps_init(&r->deriver, rule, on_trap, r);
    discon_traps_free(&r->kaslr_deriver);
    discon_traps_init(&r->kaslr_deriver, rule, on_kaslr_trap, r);
    r->nest.paired = discon_trace_has_returns(h);
    if (r->nest.paired)
        discon_traps_pair(&r->deriver, report_trap_ended, report_unmatched_return);
    discon_trap_namer_init(&r->stream_namer, h->target, NULL);
    if (r->opt.last_ns) {
        if (!r->pm && !(r->pm = calloc(1, sizeof *r->pm)))
            return -1;
        r->pm->last_ns = r->opt.last_ns;
        r->pm->at_given = r->opt.at_ns >= 0;
        r->pm->at_ns = r->clock_mono + (uint64_t)(r->pm->at_given ? r->opt.at_ns : 0);
    }
    return 0;
}

/* An event inside the window: its counts, the clock check, the tail. */
static int count_event(struct report *r, const struct discon_event *e)
{
    struct vcpu_state *v = &r->vcpu[e->vcpu];
    if (v->events && e->time_ns < v->last_ns) /* one vCPU's clock never runs back */
        r->time_backwards++;
    v->last_ns = e->time_ns;
    if (!v->seen) {
        v->seen = true;
        if (e->vcpu + 1 > r->nvcpus)
            r->nvcpus = e->vcpu + 1;
    }
    if (r->pm && postmortem_event(r, e->vcpu, e->time_ns))
        return -1;
    r->events++;
    r->events_by_type[discon_type_index(e->type)]++;
    v->events++;
    if (e->time_ns < r->first_ns)
        r->first_ns = e->time_ns;
    if (e->time_ns > r->last_ns || r->last_ns == 0)
        r->last_ns = e->time_ns;
    if (r->opt.tail) {
        if (!v->tail && !(v->tail = malloc(r->opt.tail * sizeof *v->tail)))
            return -1;
        v->tail[v->ntail++ % r->opt.tail] = *e;
    }
    return 0;
}

/* Every event of the chosen vCPUs reaches the trap deriver, whatever the
 * window: the window selects traps by their time (tool_args.h), so an x86
 * pair cut by its edge is still one trap, and a trap open at the window's
 * end still ends by its return. The event counts, the clock checks and
 * the tail are of the events inside the window. */
int report_events(struct report *r, const struct discon_event *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct discon_event *e = &ev[i];
        if (e->vcpu >= REPORT_MAX_VCPUS) { /* counted, and the report is not complete */
            r->beyond_vcpus++;
            continue;
        }
        if (r->kaslr_on && discon_traps_feed(&r->kaslr_deriver, e, 1))
            return -1;
        if (r->opt.vcpu >= 0 && e->vcpu != (uint64_t)r->opt.vcpu)
            continue;
        if (report_trap_in_window(r, e->time_ns) && count_event(r, e))
            return -1;
        if (discon_traps_feed(&r->deriver, e, 1))
            return -1;
    }
    return 0;
}

int report_break(struct report *r, uint32_t vcpu)
{
    if (r->kaslr_on && discon_traps_break(&r->kaslr_deriver, vcpu))
        return -1;
    return discon_traps_break(&r->deriver, vcpu);
}

int report_loss(struct report *r, uint32_t vcpu, uint64_t first_seq, uint64_t count,
                uint64_t first_ns, uint64_t last_ns)
{
    if (vcpu < REPORT_MAX_VCPUS && r->kaslr_on && discon_traps_break(&r->kaslr_deriver, vcpu))
        return -1;
    if (r->opt.vcpu >= 0 && vcpu != (uint64_t)r->opt.vcpu)
        return 0;
    if (first_ns && !discon_in_window(r->clock_mono, first_ns, r->opt.span))
        return 0;
    if (vcpu < REPORT_MAX_VCPUS) { /* no double trap or loop across a gap */
        struct vcpu_state *v = &r->vcpu[vcpu];
        close_loop(r, &v->run);
        v->nrecent = 0;
        v->open = NULL;
    }
    r->losses_total++;
    r->lost_events += count;
    if (r->nlosses < REPORT_MAX_ITEMS)
        r->losses[r->nlosses++] = (struct loss){vcpu, first_seq, count, first_ns, last_ns};
    return discon_traps_break(&r->deriver, vcpu);
}

void report_vcpu_totals(struct report *r, uint32_t vcpu, uint64_t produced, uint64_t dropped,
                        uint64_t written)
{
    if (vcpu >= REPORT_MAX_VCPUS || (r->opt.vcpu >= 0 && vcpu != (uint64_t)r->opt.vcpu))
        return;
    struct vcpu_state *v = &r->vcpu[vcpu];
    v->has_totals = true;
    v->produced = produced;
    v->dropped = dropped;
    v->written = written;
    if (vcpu + 1 > r->nvcpus)
        r->nvcpus = vcpu + 1;
}

int report_trap_counts(struct report *r, int64_t second, uint32_t vcpu, uint8_t type,
                       uint64_t to_pc, uint64_t count, int64_t kind)
{
    int ti = discon_type_index(type);
    if (vcpu >= REPORT_MAX_VCPUS || ti < 0)
        return 0;
    if (r->kaslr_on && type == DISCON_EXCEPTION &&
        pc_counts_add(&r->kaslr, to_pc, DISCON_EXCEPTION, count))
        return -1;
    if (r->opt.vcpu >= 0 && vcpu != (uint64_t)r->opt.vcpu)
        return 0;
    /* The second [second, second + 1) s and the window must overlap. */
    if (second >= INT64_MAX / 1000000000 || second < INT64_MIN / 1000000000 + 1 ||
        (second + 1) * 1000000000 <= r->opt.span.from_ns || second * 1000000000 >= r->opt.span.to_ns)
        return 0;
    struct vcpu_state *v = &r->vcpu[vcpu];
    v->seen = true;
    if (vcpu + 1 > r->nvcpus)
        r->nvcpus = vcpu + 1;
    r->traps += count;
    r->traps_by_type[ti] += count;
    v->traps += count;
    v->traps_by_type[ti] += count;
    uint64_t t = r->clock_mono + (uint64_t)second * 1000000000u;
    if (t < r->first_ns)
        r->first_ns = t;
    if (t + 1000000000u > r->last_ns)
        r->last_ns = t + 999999999u;
    if (kind >= 0 && kind <= UINT32_MAX && discon_kind_by_id((unsigned)kind)) {
        r->stored_kinds = true;
        if (pc_counts_add(&r->kinds, (uint64_t)kind, 1, count))
            return -1;
    }
    return pc_counts_add(&r->handlers, to_pc, type, count) || count_second(r, second, type, count);
}

int report_finish(struct report *r)
{
    int rc = discon_traps_finish(&r->deriver);
    if (r->kaslr_on && discon_traps_finish(&r->kaslr_deriver))
        rc = -1;
    for (uint32_t i = 0; i < r->nvcpus; i++)
        close_loop(r, &r->vcpu[i].run);
    return rc;
}

enum discon_complete_verdict report_completeness(const struct report *r, char *why, size_t len)
{
    if (r->beyond_vcpus) {
        snprintf(why, len, "%llu events of vCPUs %u and above not analysed",
                 (unsigned long long)r->beyond_vcpus, REPORT_MAX_VCPUS);
        return DISCON_INCOMPLETE;
    }
    char line[384];
    uint64_t since_ns;
    enum discon_complete_verdict v = discon_complete_verdict(&r->complete, &since_ns, line,
                                                             sizeof line);
    if (v == DISCON_COMPLETE_SINCE)
        snprintf(why, len, "since %.6f s: %s", discon_seconds_from(r->clock_mono, since_ns), line);
    else
        snprintf(why, len, "%s", line);
    return v;
}

bool report_complete(const struct report *r, char *why, size_t len)
{
    enum discon_complete_verdict v = report_completeness(r, why, len);
    if (v == DISCON_COMPLETE_SINCE) { /* said as such: not complete */
        char line[512];
        snprintf(line, sizeof line, "complete %s", why);
        snprintf(why, len, "%s", line);
    }
    return v == DISCON_COMPLETE;
}

const char *report_symbol(const struct report *r, uint64_t pc, char *buf, size_t len)
{
    uint64_t off;
    const struct discon_symbol *s = r->opt.syms ? discon_symbols_find(r->opt.syms, pc, &off) : NULL;
    if (!s)
        return "";
    snprintf(buf, len, "%s+0x%llx", s->name, (unsigned long long)off);
    return buf;
}
