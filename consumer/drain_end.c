/*
 * What the drain says of a trace as a whole: the end record's per-vCPU
 * totals and how the guest ended (for files and snapshots alike), and
 * the running totals discond reports.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "discon_clock.h"
#include "drain_internal.h"
#include "guest_end.h"

#include <stdlib.h>

int discon_drain_end_totals(const struct discon_drain *d, const uint64_t *dropped,
                            Discon__VcpuTotals **totals, Discon__VcpuTotals ***ptrs, size_t *n)
{
    *totals = calloc(d->nvcpus, sizeof **totals);
    *ptrs = calloc(d->nvcpus, sizeof **ptrs);
    if (!*totals || !*ptrs) {
        free(*totals);
        free(*ptrs);
        return -1;
    }
    size_t used = 0;
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        const struct vcpu *v = &d->v[i];
        if (v->next_seq == 0)
            continue;
        Discon__VcpuTotals *t = &(*totals)[used];
        discon__vcpu_totals__init(t);
        t->vcpu = i;
        t->produced = v->next_seq;
        t->dropped = dropped ? dropped[i] : v->lost_inband;
        t->written = v->written;
        (*ptrs)[used++] = t;
    }
    *n = used;
    return 0;
}

void discon_drain_totals(const struct discon_drain *d, struct discon_drain_totals *t)
{
    *t = (struct discon_drain_totals){
        .bytes = d->bytes_closed + (d->w ? discon_writer_bytes(d->w) : 0),
        .files = d->files,
        /* A running count for the status line: relaxed, nothing hangs on it. */
        .unrecorded = atomic_load_explicit(&d->seg->hdr->unrecorded, memory_order_relaxed),
        .recorder = d->flight != NULL,
        .snapshots = d->flight ? d->flight->written : 0,
        .window_bytes = d->flight ? d->flight->bytes : 0,
    };
    for (uint32_t i = 0; i < d->nvcpus; i++) {
        const struct vcpu *v = &d->v[i];
        t->events += v->on_disk;
        t->unwritten += v->written - v->on_disk + v->npending;
        t->lost += v->next_seq - v->written - v->npending;
        for (int k = 0; k < DISCON_NTYPES; k++)
            t->by_type[k] += v->by_type_on_disk[k];
    }
}

/* End.guest_ended (guest_end.h): from the latest of the vCPUs' last
 * events; "" when it says nothing. */
static const char *guest_ended(const struct discon_drain *d)
{
    const struct discon_event *latest = NULL;
    for (uint32_t i = 0; i < d->nvcpus; i++)
        if (d->v[i].has_last && (!latest || d->v[i].last.time_ns > latest->time_ns))
            latest = &d->v[i].last;
    const char *how = latest ? discon_guest_end(d->seg->layout.target, latest) : NULL;
    return how ? how : "";
}

Discon__End discon_drain_end_record(const struct discon_drain *d, Discon__VcpuTotals **vcpu,
                                    size_t n, bool producer_finished)
{
    Discon__End e = DISCON__END__INIT;
    e.qemu_ended = (char *)d->qemu_ended; /* protobuf-c wants char *: not written to */
    e.guest_ended = (char *)guest_ended(d);
    e.n_vcpu = n;
    e.vcpu = vcpu;
    e.producer_finished = producer_finished;
    /* A counter (relaxed, like the plugin's fetch_add); final once the
     * state was FINISHED: ordering (a) of discon_ring.h. */
    e.unrecorded = atomic_load_explicit(&d->seg->hdr->unrecorded, memory_order_relaxed);
    e.end_monotonic_ns = discon_clock_ns(CLOCK_MONOTONIC);
    return e;
}
