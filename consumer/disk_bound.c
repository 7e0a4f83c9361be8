/* Bounded disk for rotating trace files: see disk_bound.h. */
#include "disk_bound.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

void discon_bound_init(struct discon_disk_bound *b, uint32_t nvcpus, uint32_t max_files,
                       uint64_t max_size, uint64_t rotate_size)
{
    *b = (struct discon_disk_bound){.nvcpus = nvcpus, .max_files = max_files,
                                    .max_size = max_size, .rotate_size = rotate_size};
}

int discon_bound_opened(struct discon_disk_bound *b, uint32_t index, const char *path,
                        char *err, size_t errlen)
{
    if (!b->max_files && !b->max_size)
        return 0;
    if (!b->removed) {
        b->removed = calloc(b->nvcpus, sizeof *b->removed);
        b->hdr_range = calloc(b->nvcpus, sizeof *b->hdr_range);
        b->hdr_ptr = calloc(b->nvcpus, sizeof *b->hdr_ptr);
        if (!b->removed || !b->hdr_range || !b->hdr_ptr)
            return FAIL("out of memory");
    }
    struct discon_kept_file *k = realloc(b->kept, (b->nkept + 1) * sizeof *k);
    if (!k)
        return FAIL("out of memory");
    b->kept = k;
    k = &b->kept[b->nkept];
    *k = (struct discon_kept_file){.index = index, .vcpu = calloc(b->nvcpus, sizeof *k->vcpu)};
    if (!k->vcpu)
        return FAIL("out of memory");
    snprintf(k->path, sizeof k->path, "%s", path);
    b->nkept++;
    return 0;
}

void discon_extent_widen(struct discon_extent *e, uint64_t first_seq, uint64_t end_seq,
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

void discon_bound_note(struct discon_disk_bound *b, uint32_t vcpu, uint64_t first_seq, uint64_t n,
                      uint64_t first_ns, uint64_t last_ns)
{
    if (!b->nkept || vcpu >= b->nvcpus)
        return;
    discon_extent_widen(&b->kept[b->nkept - 1].vcpu[vcpu], first_seq, first_seq + n, first_ns, last_ns);
}

/* Remove the oldest kept file (never the one being written). */
static int remove_oldest(struct discon_disk_bound *b, char *err, size_t errlen)
{
    struct discon_kept_file *k = &b->kept[0];
    if (unlink(k->path) != 0 && errno != ENOENT)
        return FAIL("cannot remove %s: %s", k->path, strerror(errno));
    for (uint32_t i = 0; i < b->nvcpus; i++)
        if (k->vcpu[i].any)
            discon_extent_widen(&b->removed[i], k->vcpu[i].first_seq, k->vcpu[i].end_seq, k->vcpu[i].first_ns,
                  k->vcpu[i].last_ns);
    b->any_removed = true;
    b->removed_last_file = k->index;
    free(k->vcpu);
    memmove(b->kept, b->kept + 1, (b->nkept - 1) * sizeof *b->kept);
    b->nkept--;
    return 0;
}

int discon_bound_rotate(struct discon_disk_bound *b, uint64_t full_bytes, char *err, size_t errlen)
{
    if (!b->nkept)
        return 0;
    b->kept[b->nkept - 1].bytes = full_bytes;
    /* After the rotation: the kept files and the new one. */
    while (b->max_files && b->nkept + 1 > b->max_files && b->nkept > 1)
        if (remove_oldest(b, err, errlen) != 0)
            return -1;
    uint64_t budget = b->max_size > b->rotate_size ? b->max_size - b->rotate_size : 0;
    for (;;) {
        uint64_t closed = 0;
        for (size_t i = 0; i < b->nkept; i++)
            closed += b->kept[i].bytes;
        if (!b->max_size || closed <= budget || b->nkept <= 1)
            break;
        if (remove_oldest(b, err, errlen) != 0)
            return -1;
    }
    return 0;
}

Discon__Removed *discon_bound_header(struct discon_disk_bound *b)
{
    if (!b->any_removed)
        return NULL;
    Discon__Removed *r = &b->hdr_removed;
    *r = (Discon__Removed)DISCON__REMOVED__INIT;
    r->last_file = b->removed_last_file;
    r->vcpu = b->hdr_ptr;
    for (uint32_t i = 0; i < b->nvcpus; i++) {
        const struct discon_extent *e = &b->removed[i];
        if (!e->any)
            continue;
        Discon__RemovedRange *v = &b->hdr_range[r->n_vcpu];
        *v = (Discon__RemovedRange)DISCON__REMOVED_RANGE__INIT;
        v->vcpu = i;
        v->first_seq = e->first_seq;
        v->end_seq = e->end_seq;
        v->first_time_ns = e->first_ns;
        v->last_time_ns = e->last_ns;
        b->hdr_ptr[r->n_vcpu++] = v;
    }
    return r;
}

void discon_bound_free(struct discon_disk_bound *b)
{
    for (size_t i = 0; i < b->nkept; i++)
        free(b->kept[i].vcpu);
    free(b->kept);
    free(b->removed);
    free(b->hdr_range);
    free(b->hdr_ptr);
    b->kept = NULL;
    b->removed = NULL;
    b->hdr_range = NULL;
    b->hdr_ptr = NULL;
    b->nkept = 0;
}
