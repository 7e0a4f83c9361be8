/* trace2sqlite: rowids of traps' first events (see event_ids.h). */
#include "event_ids.h"

#include <stdlib.h>
#include <string.h>

/* vCPU v's entry, the arrays grown to hold it; NULL when out of memory.
 * vCPUs below EVENT_IDS_DIRECT are indexed; the few above it (a hostile or
 * odd trace's 0xffffffff) are searched. */
static struct vcpu_ids *at(struct event_ids *ids, uint32_t v)
{
    if (v >= EVENT_IDS_DIRECT) {
        for (size_t i = 0; i < ids->nfar; i++)
            if (ids->far_vcpu[i] == v)
                return &ids->far[i];
        uint32_t *fv = realloc(ids->far_vcpu, (ids->nfar + 1) * sizeof *fv);
        if (fv)
            ids->far_vcpu = fv;
        struct vcpu_ids *f = realloc(ids->far, (ids->nfar + 1) * sizeof *f);
        if (f)
            ids->far = f;
        if (!fv || !f)
            return NULL;
        memset(&ids->far[ids->nfar], 0, sizeof *f);
        ids->far_vcpu[ids->nfar] = v;
        return &ids->far[ids->nfar++];
    }
    if (v >= ids->n) {
        uint32_t n = v + 1 > ids->n * 2 ? v + 1 : ids->n * 2;
        struct vcpu_ids *grown = realloc(ids->v, n * sizeof *grown);
        if (!grown)
            return NULL;
        memset(grown + ids->n, 0, (n - ids->n) * sizeof *grown);
        ids->v = grown;
        ids->n = n;
    }
    return &ids->v[v];
}

/* vCPU v's entry if it has one, else NULL. */
static const struct vcpu_ids *find_vcpu(const struct event_ids *ids, uint32_t v)
{
    if (v < EVENT_IDS_DIRECT)
        return v < ids->n ? &ids->v[v] : NULL;
    for (size_t i = 0; i < ids->nfar; i++)
        if (ids->far_vcpu[i] == v)
            return &ids->far[i];
    return NULL;
}

int event_ids_stored(struct event_ids *ids, const struct discon_event *e, int64_t rowid,
                     bool folded)
{
    struct vcpu_ids *v = at(ids, e->vcpu);
    if (!v)
        return -1;
    v->last[1] = v->last[0];
    v->last[0] = (struct event_id){.rowid = rowid, .known = true, .folded = folded, .e = *e};
    return 0;
}

const struct event_id *event_ids_last(const struct event_ids *ids, uint32_t vcpu)
{
    const struct vcpu_ids *v = find_vcpu(ids, vcpu);
    return v && v->last[0].rowid ? &v->last[0] : NULL;
}

const struct event_id *event_ids_find(const struct event_ids *ids, uint32_t vcpu, uint64_t seq)
{
    const struct vcpu_ids *v = find_vcpu(ids, vcpu);
    if (!v)
        return NULL;
    for (int i = 0; i < 2; i++)
        if (v->last[i].rowid && v->last[i].e.seq == seq)
            return &v->last[i];
    for (size_t i = v->nopen; i-- > 0;)
        if (v->open[i].e.seq == seq)
            return &v->open[i];
    return NULL;
}

int event_ids_open(struct event_ids *ids, const struct event_id *first)
{
    struct vcpu_ids *v = at(ids, first->e.vcpu);
    if (!v)
        return -1;
    if (v->nopen == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        struct event_id *grown = realloc(v->open, cap * sizeof *grown);
        if (!grown)
            return -1;
        v->open = grown;
        v->cap = cap;
    }
    v->open[v->nopen++] = *first;
    return 0;
}

/* Ends come innermost first, so the search from the top is short. */
void event_ids_close(struct event_ids *ids, uint32_t vcpu, uint64_t seq)
{
    struct vcpu_ids *v = (struct vcpu_ids *)find_vcpu(ids, vcpu);
    if (!v)
        return;
    for (size_t i = v->nopen; i-- > 0;)
        if (v->open[i].e.seq == seq) {
            memmove(v->open + i, v->open + i + 1, (v->nopen - i - 1) * sizeof *v->open);
            v->nopen--;
            return;
        }
}

void event_ids_free(struct event_ids *ids)
{
    for (uint32_t i = 0; i < ids->n; i++)
        free(ids->v[i].open);
    for (size_t i = 0; i < ids->nfar; i++)
        free(ids->far[i].open);
    free(ids->v);
    free(ids->far);
    free(ids->far_vcpu);
    memset(ids, 0, sizeof *ids);
}
