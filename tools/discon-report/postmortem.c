/* The post-mortem view (see postmortem.h). */
#include "postmortem.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

static struct pm_vcpu *pm_vcpu(struct postmortem *pm, uint32_t vcpu)
{
    if (vcpu >= pm->nvcpus) {
        uint32_t n = vcpu + 1;
        struct pm_vcpu *v = realloc(pm->vcpu, n * sizeof *v);
        if (!v)
            return NULL;
        memset(v + pm->nvcpus, 0, (n - pm->nvcpus) * sizeof *v);
        pm->vcpu = v;
        pm->nvcpus = n;
    }
    return &pm->vcpu[vcpu];
}

int postmortem_take(struct report *r, const struct discon_trap *t)
{
    struct postmortem *pm = r->pm;
    if (pm->at_given && t->time_ns > pm->at_ns)
        return 0; /* after the instant looked back from */
    struct pm_vcpu *v = pm_vcpu(pm, t->vcpu);
    if (!v || (!v->ring && !(v->ring = malloc(PM_MAX_PER_VCPU * sizeof *v->ring))))
        return -1;
    v->last = *t;
    v->has_last = true;
    v->traps++;
    /* Older than the duration before this trap: no end can want them. */
    while (v->n && v->ring[v->head].time_ns + pm->last_ns < t->time_ns) {
        v->head = (v->head + 1) % PM_MAX_PER_VCPU;
        v->n--;
    }
    if (v->n == PM_MAX_PER_VCPU) {
        v->head = (v->head + 1) % PM_MAX_PER_VCPU;
        v->n--;
        v->dropped++;
    }
    v->ring[(v->head + v->n++) % PM_MAX_PER_VCPU] = *t;
    return 0;
}

int postmortem_event(struct report *r, uint32_t vcpu, uint64_t time_ns)
{
    struct postmortem *pm = r->pm;
    if (pm->at_given && time_ns > pm->at_ns)
        return 0; /* the state is as of the instant, not of the whole trace */
    struct pm_vcpu *v = pm_vcpu(pm, vcpu);
    if (!v)
        return -1;
    v->has_event = true;
    v->last_event_ns = time_ns;
    return 0;
}

void postmortem_ended(struct report *r, const struct discon_trap *t)
{
    struct postmortem *pm = r->pm;
    if (t->vcpu >= pm->nvcpus)
        return;
    struct pm_vcpu *v = &pm->vcpu[t->vcpu];
    if (t->end == DISCON_TRAP_AT_END) {
        if (!v->open_at_end++) { /* the end ends them innermost first */
            v->innermost = *t;
            v->has_innermost = true;
        }
    }
    if (v->has_last && v->last.seq == t->seq)
        v->last = *t;
    for (size_t k = v->n; k-- > 0;) {
        struct discon_trap *e = &v->ring[(v->head + k) % PM_MAX_PER_VCPU];
        if (e->seq == t->seq) {
            *e = *t;
            return;
        }
        if (e->seq < t->seq)
            return;
    }
}

void postmortem_free(struct postmortem *pm)
{
    if (!pm)
        return;
    for (uint32_t i = 0; i < pm->nvcpus; i++)
        free(pm->vcpu[i].ring);
    free(pm->vcpu);
    free(pm);
}
