/* The second pass of the timeline outputs (see timeline.h). */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

struct pass {
    struct timeline *tl;
    const struct timeline_sink *sink;
    struct discon_trap_namer namer; /* with the first pass's symbols */
    bool oom;
};

static size_t bin_of(const struct timeline *tl, uint64_t ns)
{
    uint64_t b = ns > tl->start_ns ? (ns - tl->start_ns) / tl->bin_ns : 0;
    return b < tl->nbins ? (size_t)b : tl->nbins - 1;
}

/* The bins of kind k, added on first sight; the last slot takes the rest. */
static uint64_t *kind_bins(struct pass *p, const struct discon_kind *k)
{
    struct timeline *tl = p->tl;
    size_t i = 0;
    while (i < tl->nkinds && tl->kinds[i] != k)
        i++;
    if (i == TIMELINE_MAX_KINDS)
        i--;
    else if (i == tl->nkinds) {
        if (!(tl->kind_bins[i] = calloc(tl->nbins, sizeof(uint64_t))))
            return NULL;
        tl->kinds[i] = k;
        tl->nkinds++;
    }
    tl->kind_total[i]++;
    return tl->kind_bins[i];
}

static uint64_t *vcpu_bins(struct timeline *tl, uint32_t vcpu)
{
    if (vcpu >= tl->nvcpus) {
        uint64_t **v = realloc(tl->vcpu_bins, (vcpu + 1) * sizeof *v);
        if (!v)
            return NULL;
        memset(v + tl->nvcpus, 0, (vcpu + 1 - tl->nvcpus) * sizeof *v);
        tl->vcpu_bins = v;
        tl->nvcpus = vcpu + 1;
    }
    if (!tl->vcpu_bins[vcpu])
        tl->vcpu_bins[vcpu] = calloc(tl->nbins, sizeof(uint64_t));
    return tl->vcpu_bins[vcpu];
}

static int taken(void *ctx, const struct report *r, const struct discon_trap *t)
{
    struct pass *p = ctx;
    struct discon_trap_why why;
    discon_trap_why(&p->namer, t, &why);
    uint64_t *kb = kind_bins(p, why.kind), *vb = vcpu_bins(p->tl, t->vcpu);
    if (!kb || !vb) {
        p->oom = true;
        return -1;
    }
    size_t b = bin_of(p->tl, t->time_ns);
    kb[b]++;
    vb[b]++;
    p->tl->traps++;
    if (!p->sink || !p->sink->taken)
        return 0;
    char sym[256], name[320];
    snprintf(name, sizeof name, "%s %s", why.kind->name,
             report_symbol_or_hex(r, t->to_pc, sym, sizeof sym));
    struct timeline_trap tt = {.trap = t, .kind = why.kind, .name = name,
                               .opens = r->nest.paired && (t->pairing & DISCON_TRAP_PAIRED) &&
                                        t->type != DISCON_HOSTCALL};
    return p->sink->taken(p->sink->ctx, &tt);
}

static int ended(void *ctx, const struct report *r, const struct discon_trap *t)
{
    struct pass *p = ctx;
    if (!p->sink || !p->sink->ended)
        return 0;
    /* Not returned: the last event of its vCPU is as far as it is known
     * to have lasted (its vCPU's state is the pass's own report's). */
    uint64_t end = t->end == DISCON_TRAP_RETURNED ? t->return_ns : r->vcpu[t->vcpu].last_ns;
    return p->sink->ended(p->sink->ctx, t, end < t->time_ns ? t->time_ns : end);
}

/* Nanoseconds from the first to the last event of full's window. */
static uint64_t span(const struct report *full)
{
    return full->first_ns != UINT64_MAX && full->last_ns > full->first_ns
               ? full->last_ns - full->first_ns : 0;
}

uint64_t timeline_bin_ns(const struct report *full, uint64_t min_bin_ns, size_t max_bins)
{
    uint64_t bin = min_bin_ns ? min_bin_ns : 1;
    return span(full) / bin + 1 > max_bins ? span(full) / max_bins + 1 : bin;
}

void timeline_free(struct timeline *tl)
{
    for (size_t i = 0; i < tl->nkinds; i++)
        free(tl->kind_bins[i]);
    for (uint32_t v = 0; v < tl->nvcpus; v++)
        free(tl->vcpu_bins[v]);
    free(tl->vcpu_bins);
    memset(tl, 0, sizeof *tl);
}

int timeline_run(const struct report_args *a, const struct report *full, uint64_t min_bin_ns,
                 size_t max_bins, const struct timeline_sink *sink, struct timeline *tl,
                 char *err, size_t errlen)
{
    memset(tl, 0, sizeof *tl);
    if (full->aggregate_only) {
        snprintf(err, errlen, "the database holds no events (loaded without them): "
                              "no timeline; report on the trace files");
        return -1;
    }
    tl->start_ns = full->first_ns == UINT64_MAX ? 0 : full->first_ns;
    tl->bin_ns = timeline_bin_ns(full, min_bin_ns, max_bins);
    tl->nbins = (size_t)(span(full) / tl->bin_ns) + 1;
    struct pass p = {.tl = tl, .sink = sink};
    discon_trap_namer_init(&p.namer, full->target, full->opt.syms);
    struct report_trap_hook hook = {.ctx = &p, .taken = taken, .ended = ended};
    struct report_opts opt = full->opt;
    opt.hook = &hook;
    opt.tail = 0;
    struct report *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    report_init(r, &opt);
    int rc = report_read_inputs(r, a, err, errlen);
    if (p.oom)
        snprintf(err, errlen, "out of memory");
    else if (rc < 0 && !err[0])
        snprintf(err, errlen, "cannot write the output");
    report_free(r);
    free(r);
    if (rc < 0 || p.oom) {
        timeline_free(tl);
        return -1;
    }
    return 0;
}
