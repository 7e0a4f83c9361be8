/* Whether a trace is complete (see discon_complete.h). */
#include "discon_complete.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void discon_complete_init(struct discon_completeness *c)
{
    memset(c, 0, sizeof *c);
}

void discon_complete_free(struct discon_completeness *c)
{
    free(c->vcpu);
    c->vcpu = NULL;
    c->nvcpus = 0;
}

struct discon_vcpu_read *discon_complete_vcpu(struct discon_completeness *c, uint32_t vcpu)
{
    if (vcpu >= DISCON_COMPLETE_MAX_VCPUS)
        return NULL;
    if (vcpu >= c->nvcpus) {
        uint32_t n = vcpu + 1 > 2 * c->nvcpus ? vcpu + 1 : 2 * c->nvcpus;
        struct discon_vcpu_read *v = realloc(c->vcpu, n * sizeof *v);
        if (!v) {
            c->nomem = true;
            return NULL;
        }
        memset(v + c->nvcpus, 0, (n - c->nvcpus) * sizeof *v);
        c->vcpu = v;
        c->nvcpus = n;
    }
    return &c->vcpu[vcpu];
}

void discon_complete_file(struct discon_completeness *c, uint32_t file_index)
{
    if (!c->any_file) {
        c->any_file = true;
        c->first_file = c->last_file = file_index;
        return;
    }
    if (file_index > c->last_file + 1)
        c->missing_files += file_index - c->last_file - 1;
    if (file_index > c->last_file)
        c->last_file = file_index;
}

void discon_complete_removed(struct discon_completeness *c, uint32_t last_file)
{
    if (!c->any_removed || last_file > c->removed_last_file)
        c->removed_last_file = last_file;
    c->any_removed = true;
}

void discon_complete_removed_vcpu(struct discon_completeness *c, uint32_t vcpu, uint64_t first_seq,
                                  uint64_t end_seq, uint64_t first_ns, uint64_t last_ns)
{
    struct discon_vcpu_read *v = discon_complete_vcpu(c, vcpu);
    if (!v)
        return;
    v->removed = true;
    v->removed_first_seq = first_seq;
    v->removed_end_seq = end_seq;
    v->removed_first_ns = first_ns;
    v->removed_last_ns = last_ns;
}

void discon_complete_header(struct discon_completeness *c, const Discon__Header *h)
{
    discon_complete_file(c, h->file_index);
    /* Cumulative: a later file's record includes an earlier one's. */
    const Discon__Removed *r = h->removed;
    if (!r || (c->any_removed && r->last_file < c->removed_last_file))
        return;
    discon_complete_removed(c, r->last_file);
    for (size_t i = 0; i < r->n_vcpu; i++)
        discon_complete_removed_vcpu(c, r->vcpu[i]->vcpu, r->vcpu[i]->first_seq,
                                     r->vcpu[i]->end_seq, r->vcpu[i]->first_time_ns,
                                     r->vcpu[i]->last_time_ns);
}

/* Sequence numbers [first, first + n) of v were read. */
static void cover(struct discon_vcpu_read *v, uint64_t first, uint64_t n)
{
    if (!v->seen || first < v->first_seq)
        v->first_seq = first;
    if (!v->seen || first + n > v->end_seq)
        v->end_seq = first + n;
    v->seen = true;
}

void discon_complete_events(struct discon_completeness *c, const struct discon_event *ev,
                            size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct discon_vcpu_read *v = discon_complete_vcpu(c, ev[i].vcpu);
        if (!v) {
            c->beyond++;
            continue;
        }
        if (!v->events)
            v->first_ns = ev[i].time_ns;
        v->events++;
        cover(v, ev[i].seq, 1);
    }
}

void discon_complete_loss(struct discon_completeness *c, uint32_t vcpu, uint64_t first_seq,
                          uint64_t count)
{
    struct discon_vcpu_read *v = discon_complete_vcpu(c, vcpu);
    if (!v)
        return;
    v->lost += count;
    cover(v, first_seq, count);
}

bool discon_snapshot_mid_run(const char *snapshot)
{
    return snapshot && *snapshot && strncmp(snapshot, "exit", 4) != 0;
}

void discon_complete_end(struct discon_completeness *c, const Discon__End *e)
{
    c->have_end = true;
    c->producer_finished = e->producer_finished;
    c->snapshot_mid_run = discon_snapshot_mid_run(e->snapshot);
    for (size_t i = 0; i < e->n_vcpu; i++) {
        struct discon_vcpu_read *v = discon_complete_vcpu(c, e->vcpu[i]->vcpu);
        if (!v)
            continue;
        v->has_totals = true;
        v->produced = e->vcpu[i]->produced;
        v->dropped = e->vcpu[i]->dropped;
        v->written = e->vcpu[i]->written;
    }
}

#define WHY(...) (snprintf(why, len, __VA_ARGS__), DISCON_INCOMPLETE)

/* The damage, holes and totals that make any trace incomplete. */
static enum discon_complete_verdict broken(const struct discon_completeness *c, char *why,
                                           size_t len)
{
    if (c->nomem)
        return WHY("out of memory while checking");
    if (c->beyond)
        return WHY("%llu events of vCPUs %u and above not checked", (unsigned long long)c->beyond,
                   DISCON_COMPLETE_MAX_VCPUS);
    if (c->missing_files)
        return WHY("%llu file(s) missing between files %u and %u",
                   (unsigned long long)c->missing_files, c->first_file, c->last_file);
    if (c->damaged || c->gaps)
        return WHY("damaged or missing data (%llu damaged stretch%s, %llu sequence gap%s)",
                   (unsigned long long)c->damaged, c->damaged == 1 ? "" : "es",
                   (unsigned long long)c->gaps, c->gaps == 1 ? "" : "s");
    if (!c->have_end)
        return WHY("no end record (recording interrupted, or the last files missing)");
    for (uint32_t i = 0; i < c->nvcpus; i++) {
        const struct discon_vcpu_read *v = &c->vcpu[i];
        if (v->has_totals && v->produced != v->written + v->dropped)
            return WHY("vCPU %u: produced %llu != written %llu + dropped %llu", i,
                       (unsigned long long)v->produced, (unsigned long long)v->written,
                       (unsigned long long)v->dropped);
        if (v->seen && !v->has_totals)
            return WHY("vCPU %u has events but no totals in the end record", i);
    }
    return DISCON_COMPLETE;
}

/* Files from 0: every event the end record counts was read. */
static enum discon_complete_verdict whole(const struct discon_completeness *c, char *why,
                                          size_t len)
{
    for (uint32_t i = 0; i < c->nvcpus; i++) {
        const struct discon_vcpu_read *v = &c->vcpu[i];
        if (v->has_totals && !c->events_unknown && v->events != v->written)
            return WHY("vCPU %u: %llu events read, the end record says %llu", i,
                       (unsigned long long)v->events, (unsigned long long)v->written);
    }
    snprintf(why, len, "end record present, totals agree%s%s%s",
             c->producer_finished ? ""
             : c->snapshot_mid_run ? "; a flight-recorder snapshot, taken while QEMU ran"
                                   : "; the producer ended without finishing",
             c->events_unknown ? "; " : "", c->events_unknown ? c->unknown_why : "");
    return DISCON_COMPLETE;
}

static double secs(const struct discon_completeness *c, uint64_t ns)
{
    return ((double)ns - (double)c->start_ns) / 1e9;
}

/* The oldest files removed by the writer: whole from each vCPU's first
 * sequence read to its last produced, and what was removed said. */
static enum discon_complete_verdict since(const struct discon_completeness *c,
                                          uint64_t *since_ns, char *why, size_t len)
{
    if (!c->any_removed)
        return WHY("files 0..%u missing (no record of their removal)", c->first_file - 1);
    if (c->removed_last_file + 1 != c->first_file)
        return WHY("files %u..%u missing (files 0..%u were removed)", c->removed_last_file + 1,
                   c->first_file - 1, c->removed_last_file);
    uint64_t t = 0;
    for (uint32_t i = 0; i < c->nvcpus; i++) {
        const struct discon_vcpu_read *v = &c->vcpu[i];
        if (!v->has_totals || !v->seen)
            continue; /* none of it kept: said among what was removed */
        if (!c->events_unknown && (v->end_seq != v->produced ||
                                   (v->removed && v->removed_end_seq != v->first_seq)))
            return WHY("vCPU %u: sequence %llu..%llu read, %llu..%llu removed, %llu produced", i,
                       (unsigned long long)v->first_seq, (unsigned long long)v->end_seq,
                       (unsigned long long)v->removed_first_seq,
                       (unsigned long long)v->removed_end_seq, (unsigned long long)v->produced);
        if (v->first_ns > t)
            t = v->first_ns;
    }
    int n = snprintf(why, len, "files 0..%u removed:", c->removed_last_file);
    for (uint32_t i = 0, k = 0; i < c->nvcpus && n >= 0 && (size_t)n < len; i++) {
        const struct discon_vcpu_read *v = &c->vcpu[i];
        if (v->removed)
            n += snprintf(why + n, len - (size_t)n, "%s vCPU %u sequence %llu..%llu "
                          "(%.6f..%.6f s)", k++ ? "," : "", i,
                          (unsigned long long)v->removed_first_seq,
                          (unsigned long long)(v->removed_end_seq - 1),
                          secs(c, v->removed_first_ns), secs(c, v->removed_last_ns));
    }
    if (since_ns)
        *since_ns = t;
    return DISCON_COMPLETE_SINCE;
}

enum discon_complete_verdict discon_complete_verdict(const struct discon_completeness *c,
                                                     uint64_t *since_ns, char *why, size_t len)
{
    if (since_ns)
        *since_ns = 0;
    if (!c->any_file)
        return WHY("no trace file read");
    if (broken(c, why, len) == DISCON_INCOMPLETE)
        return DISCON_INCOMPLETE;
    return c->first_file == 0 ? whole(c, why, len) : since(c, since_ns, why, len);
}
