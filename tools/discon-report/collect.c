/* Building the report model from events, traps, losses and totals. */
#include "report.h"
#include "tool_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *report_type_name(unsigned type)
{
    return discon_type_name(type) ? discon_type_name(type) : "?";
}

/* ---- pc -> count -------------------------------------------------------- */

static int pc_add(struct pc_counts *c, uint64_t pc, uint8_t type, uint64_t n)
{
    if (c->n * 2 >= c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        struct pc_counts g = {calloc(cap, 8), calloc(cap, 1), calloc(cap, 8), cap, 0};
        if (!g.pc || !g.type || !g.count) {
            free(g.pc), free(g.type), free(g.count);
            return -1;
        }
        for (size_t i = 0; i < c->cap; i++)
            if (c->count[i])
                pc_add(&g, c->pc[i], c->type[i], c->count[i]);
        free(c->pc), free(c->type), free(c->count);
        *c = g;
    }
    size_t i = (size_t)((pc * 0x9e3779b97f4a7c15u) >> 20 ^ type) & (c->cap - 1);
    while (c->count[i] && (c->pc[i] != pc || c->type[i] != type))
        i = (i + 1) & (c->cap - 1);
    if (!c->count[i]) {
        c->pc[i] = pc;
        c->type[i] = type;
        c->n++;
    }
    c->count[i] += n;
    return 0;
}

static const struct pc_counts *sort_table;
static int by_count(const void *a, const void *b)
{
    uint64_t x = sort_table->count[*(const size_t *)a], y = sort_table->count[*(const size_t *)b];
    if (x != y)
        return x < y ? 1 : -1;
    uint64_t p = sort_table->pc[*(const size_t *)a], q = sort_table->pc[*(const size_t *)b];
    return p < q ? -1 : p > q;
}

size_t *pc_counts_sorted(const struct pc_counts *c, int type)
{
    size_t *idx = malloc((c->n + 1) * sizeof *idx), k = 0;
    for (size_t i = 0; idx && i < c->cap; i++)
        if (c->count[i] && (type == 0 || c->type[i] == type))
            idx[k++] = i;
    if (!idx)
        return NULL;
    sort_table = c;
    qsort(idx, k, sizeof *idx, by_count);
    idx[k] = SIZE_MAX;
    return idx;
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

static void close_loop(struct report *r, struct vcpu_state *v)
{
    if (v->run.count >= r->opt.loop) {
        r->loops_total++;
        if (r->nloops < REPORT_MAX_ITEMS)
            r->loops[r->nloops++] = v->run;
    }
    v->run.count = 0;
}

static int on_trap(void *ctx, const struct discon_trap *t)
{
    struct report *r = ctx;
    struct vcpu_state *v = &r->vcpu[t->vcpu];
    r->traps++;
    r->traps_by_type[discon_type_index(t->type)]++;
    v->traps++;
    v->traps_by_type[discon_type_index(t->type)]++;
    if (pc_add(&r->handlers, t->to_pc, t->type, 1) || pc_add(&r->sources, t->from_pc, t->type, 1) ||
        count_second(r, (int64_t)((t->time_ns - r->clock_mono) / 1000000000u), t->type, 1))
        return -1;

    /* After a double trap: its context. */
    if (v->open) {
        v->open->after[v->open->nafter++] = *t;
        if (v->open->nafter == REPORT_CONTEXT)
            v->open = NULL;
    }
    /* A trap taken in the entry path of the previous one. Only traps that
     * enter a guest handler count: a host call is handled by QEMU, and an
     * x86 exception without its delivery has no known handler. */
    enum { RING = REPORT_CONTEXT + 1 };
    if (v->nrecent && t->type != DISCON_HOSTCALL) {
        const struct discon_trap *prev = &v->recent[(v->nrecent - 1) % RING];
        if (prev->type != DISCON_HOSTCALL && prev->to_pc != prev->from_pc &&
            t->from_pc - prev->to_pc < r->opt.window &&
            t->time_ns - prev->time_ns <= r->opt.time_bound_ns) {
            r->doubles_total++;
            if (r->ndoubles < REPORT_MAX_ITEMS) {
                struct double_trap *d = &r->doubles[r->ndoubles++];
                *d = (struct double_trap){.vcpu = t->vcpu, .first = *prev, .second = *t};
                unsigned have = v->nrecent - 1 < REPORT_CONTEXT ? v->nrecent - 1 : REPORT_CONTEXT;
                for (unsigned k = 0; k < have; k++)
                    d->before[k] = v->recent[(v->nrecent - 1 - have + k) % RING];
                d->nbefore = have;
                v->open = d;
            }
        }
    }
    v->recent[v->nrecent++ % RING] = *t;

    /* The same PC trapping again and again. */
    if (t->type == DISCON_EXCEPTION && v->run.count && v->run.from_pc == t->from_pc) {
        v->run.count++;
        v->run.last_ns = t->time_ns;
    } else {
        close_loop(r, v);
        if (t->type == DISCON_EXCEPTION)
            v->run = (struct fault_loop){t->vcpu, t->type, t->from_pc, t->to_pc, 1, t->time_ns,
                                         t->time_ns};
    }
    return 0;
}

/* ---- feeding -------------------------------------------------------------- */

void report_init(struct report *r, const struct report_opts *opt)
{
    memset(r, 0, sizeof *r);
    r->opt = *opt;
    r->first_ns = UINT64_MAX;
    discon_traps_init(&r->deriver, DISCON_RULE_ONE_EVENT_ONE_TRAP, on_trap, r);
}

void report_free(struct report *r)
{
    discon_traps_free(&r->deriver);
    free(r->handlers.pc), free(r->handlers.type), free(r->handlers.count);
    free(r->sources.pc), free(r->sources.type), free(r->sources.count);
    for (int k = 0; k < DISCON_NTYPES; k++)
        free(r->per_second[k]);
    for (uint32_t i = 0; i < REPORT_MAX_VCPUS; i++)
        free(r->vcpu[i].tail);
    discon_symbols_free(&r->db_syms);
}

int report_header(struct report *r, const Discon__Header *h)
{
    if (r->have_header)
        return 0;
    r->have_header = true;
    for (size_t i = 0; i < h->trace_id.len && i < 16; i++)
        snprintf(r->trace_id + 2 * i, 3, "%02x", h->trace_id.data[i]);
    snprintf(r->target, sizeof r->target, "%s", h->target);
    snprintf(r->host, sizeof r->host, "%s", h->host_name);
    r->vcpu_count = h->vcpu_count;
    r->system_mode = h->system_mode;
    r->clock_mono = h->clock ? h->clock->monotonic_ns : 0;
    r->clock_real = h->clock ? h->clock->realtime_ns : 0;
    enum discon_trap_rule rule = discon_trap_rule_for(h->target);
    snprintf(r->rule, sizeof r->rule, "%s", discon_trap_rule_name(rule));
    discon_traps_free(&r->deriver);
    discon_traps_init(&r->deriver, rule, on_trap, r);
    return 0;
}

static bool wanted(const struct report *r, const struct discon_event *e)
{
    if (r->opt.vcpu >= 0 && e->vcpu != (uint64_t)r->opt.vcpu)
        return false;
    return discon_in_window(r->clock_mono, e->time_ns, r->opt.from_s, r->opt.to_s);
}

int report_events(struct report *r, const struct discon_event *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct discon_event *e = &ev[i];
        if (e->vcpu >= REPORT_MAX_VCPUS || !wanted(r, e))
            continue;
        struct vcpu_state *v = &r->vcpu[e->vcpu];
        if (!v->seen) {
            v->seen = true;
            if (e->vcpu + 1 > r->nvcpus)
                r->nvcpus = e->vcpu + 1;
        }
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
        if (discon_traps_feed(&r->deriver, e, 1))
            return -1;
    }
    return 0;
}

int report_loss(struct report *r, uint32_t vcpu, uint64_t first_seq, uint64_t count,
                uint64_t first_ns, uint64_t last_ns)
{
    if (r->opt.vcpu >= 0 && vcpu != (uint64_t)r->opt.vcpu)
        return 0;
    if (first_ns && !discon_in_window(r->clock_mono, first_ns, r->opt.from_s, r->opt.to_s))
        return 0;
    if (vcpu < REPORT_MAX_VCPUS) { /* no double trap or loop across a gap */
        struct vcpu_state *v = &r->vcpu[vcpu];
        close_loop(r, v);
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
                       uint64_t to_pc, uint64_t count)
{
    int ti = discon_type_index(type);
    if (vcpu >= REPORT_MAX_VCPUS || ti < 0)
        return 0;
    if (r->opt.vcpu >= 0 && vcpu != (uint64_t)r->opt.vcpu)
        return 0;
    if ((double)second + 1 <= r->opt.from_s || (double)second >= r->opt.to_s)
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
    return pc_add(&r->handlers, to_pc, type, count) || count_second(r, second, type, count);
}

int report_finish(struct report *r)
{
    int rc = discon_traps_finish(&r->deriver);
    for (uint32_t i = 0; i < r->nvcpus; i++)
        close_loop(r, &r->vcpu[i]);
    return rc;
}

bool report_complete(const struct report *r, char *why, size_t len)
{
    if (r->damaged || r->gaps) {
        snprintf(why, len, "damaged or missing data (%llu damaged frames, %llu sequence gaps)",
                 (unsigned long long)r->damaged, (unsigned long long)r->gaps);
        return false;
    }
    if (!r->have_end) {
        snprintf(why, len, "no end record (recording interrupted, or files missing)");
        return false;
    }
    bool filtered = r->opt.vcpu >= 0 || r->opt.from_s > 0 || r->opt.to_s < 1e300;
    for (uint32_t i = 0; i < r->nvcpus; i++) {
        const struct vcpu_state *v = &r->vcpu[i];
        if (!v->has_totals) {
            if (v->events && !filtered) {
                snprintf(why, len, "vCPU %u has events but no totals in the end record", i);
                return false;
            }
            continue;
        }
        if (v->produced != v->written + v->dropped) {
            snprintf(why, len, "vCPU %u: produced %llu != written %llu + dropped %llu", i,
                     (unsigned long long)v->produced, (unsigned long long)v->written,
                     (unsigned long long)v->dropped);
            return false;
        }
        if (!filtered && !r->aggregate_only && v->events != v->written) {
            snprintf(why, len, "vCPU %u: %llu events read, the end record says %llu", i,
                     (unsigned long long)v->events, (unsigned long long)v->written);
            return false;
        }
    }
    snprintf(why, len, "end record present, totals agree%s",
             r->producer_finished ? "" : "; the producer ended without finishing");
    return true;
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
