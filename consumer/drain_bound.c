/*
 * Bounded disk for discond (--max-files, --max-size): the oldest files of
 * the trace are removed as new ones rotate in. What each file holds per
 * vCPU (sequence and time ranges) is tracked as it is written, so the
 * header of every new file can say exactly what is gone (Header.removed,
 * cumulative): a reader then calls the trace "complete since T"
 * (schema/discon_complete.h) instead of missing its start.
 */
#include "drain_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int drain_bound_opened(struct discon_drain *d, char *err, size_t errlen)
{
    if (!d->cfg.max_files && !d->cfg.max_size)
        return 0;
    if (!d->removed) {
        d->removed = calloc(d->nvcpus, sizeof *d->removed);
        d->hdr_range = calloc(d->nvcpus, sizeof *d->hdr_range);
        d->hdr_ptr = calloc(d->nvcpus, sizeof *d->hdr_ptr);
        if (!d->removed || !d->hdr_range || !d->hdr_ptr)
            return FAIL("out of memory");
    }
    struct kept_file *k = realloc(d->kept, (d->nkept + 1) * sizeof *k);
    if (!k)
        return FAIL("out of memory");
    d->kept = k;
    k = &d->kept[d->nkept];
    *k = (struct kept_file){.index = d->file_index, .vcpu = calloc(d->nvcpus, sizeof *k->vcpu)};
    if (!k->vcpu)
        return FAIL("out of memory");
    snprintf(k->path, sizeof k->path, "%s", d->path);
    d->nkept++;
    return 0;
}

void drain_extent_widen(struct extent *e, uint64_t first_seq, uint64_t end_seq,
                        uint64_t first_ns, uint64_t last_ns)
{
    if (!e->any || first_seq < e->first_seq)
        e->first_seq = first_seq;
    if (!e->any || end_seq > e->end_seq)
        e->end_seq = end_seq;
    if (first_ns && (!e->first_ns || first_ns < e->first_ns))
        e->first_ns = first_ns;
    if (last_ns > e->last_ns)
        e->last_ns = last_ns;
    e->any = true;
}

void drain_bound_note(struct discon_drain *d, uint32_t vcpu, uint64_t first_seq, uint64_t n,
                      uint64_t first_ns, uint64_t last_ns)
{
    if (!d->nkept || vcpu >= d->nvcpus)
        return;
    drain_extent_widen(&d->kept[d->nkept - 1].vcpu[vcpu], first_seq, first_seq + n, first_ns, last_ns);
}

/* Remove the oldest kept file (never the one being written). */
static int remove_oldest(struct discon_drain *d, char *err, size_t errlen)
{
    struct kept_file *k = &d->kept[0];
    if (unlink(k->path) != 0 && errno != ENOENT)
        return FAIL("cannot remove %s: %s", k->path, strerror(errno));
    for (uint32_t i = 0; i < d->nvcpus; i++)
        if (k->vcpu[i].any)
            drain_extent_widen(&d->removed[i], k->vcpu[i].first_seq, k->vcpu[i].end_seq, k->vcpu[i].first_ns,
                  k->vcpu[i].last_ns);
    d->any_removed = true;
    d->removed_last_file = k->index;
    free(k->vcpu);
    memmove(d->kept, d->kept + 1, (d->nkept - 1) * sizeof *d->kept);
    d->nkept--;
    return 0;
}

int drain_bound_rotate(struct discon_drain *d, uint64_t full_bytes, char *err, size_t errlen)
{
    if (!d->nkept)
        return 0;
    d->kept[d->nkept - 1].bytes = full_bytes;
    /* After the rotation: the kept files and the new one. */
    while (d->cfg.max_files && d->nkept + 1 > d->cfg.max_files && d->nkept > 1)
        if (remove_oldest(d, err, errlen) != 0)
            return -1;
    uint64_t budget = d->cfg.max_size > d->cfg.rotate_size ? d->cfg.max_size - d->cfg.rotate_size
                                                           : 0;
    for (;;) {
        uint64_t closed = 0;
        for (size_t i = 0; i < d->nkept; i++)
            closed += d->kept[i].bytes;
        if (!d->cfg.max_size || closed <= budget || d->nkept <= 1)
            break;
        if (remove_oldest(d, err, errlen) != 0)
            return -1;
    }
    return 0;
}

Discon__Removed *drain_bound_header(struct discon_drain *d)
{
    if (!d->any_removed)
        return NULL;
    Discon__Removed *r = &d->hdr_removed;
    *r = (Discon__Removed)DISCON__REMOVED__INIT;
    r->last_file = d->removed_last_file;
    r->vcpu = d->hdr_ptr;
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        const struct extent *e = &d->removed[i];
        if (!e->any)
            continue;
        Discon__RemovedRange *v = &d->hdr_range[r->n_vcpu];
        *v = (Discon__RemovedRange)DISCON__REMOVED_RANGE__INIT;
        v->vcpu = i;
        v->first_seq = e->first_seq;
        v->end_seq = e->end_seq;
        v->first_time_ns = e->first_ns;
        v->last_time_ns = e->last_ns;
        d->hdr_ptr[r->n_vcpu++] = v;
    }
    return r;
}

void drain_bound_free(struct discon_drain *d)
{
    for (size_t i = 0; i < d->nkept; i++)
        free(d->kept[i].vcpu);
    free(d->kept);
    free(d->removed);
    free(d->hdr_range);
    free(d->hdr_ptr);
    d->kept = NULL;
    d->removed = NULL;
    d->hdr_range = NULL;
    d->hdr_ptr = NULL;
    d->nkept = 0;
}
