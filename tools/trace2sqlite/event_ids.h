/* trace2sqlite: which events row a trap's first event went into.
 *
 * A traps row (_discon_traps, tools/db/schema.c) is keyed by the rowid of
 * its first event, so the loader must know that rowid when the deriver
 * (schema/discon_traps.h) hands it a trap: at entry, the trap's first
 * event is the event just fed or the one before it on its vCPU (x86: the
 * EXCEPTION report before its delivery); at its end (paired traps), it is
 * one of the traps the loader marked open on that vCPU. Per vCPU this
 * keeps the last two stored events and the open traps, nothing more. */
#ifndef T2S_EVENT_IDS_H
#define T2S_EVENT_IDS_H

#include "event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An event as the loader stored it: enough to check a trap against it. */
struct event_id {
    int64_t rowid;        /* 0: not stored (outside --from/--to) */
    bool known;           /* e is the whole event; false: only e.seq and e.vcpu */
    bool folded;          /* its row is a folded x86 pair (tools/db/schema.c) */
    struct discon_event e;
};

struct vcpu_ids {
    struct event_id last[2];  /* [0] the newest stored event of the vCPU */
    struct event_id *open;    /* first events of its open traps, innermost last */
    size_t nopen, cap;
};

#define EVENT_IDS_DIRECT 65536u /* vCPUs below it are indexed, others searched */

struct event_ids {
    struct vcpu_ids *v;   /* indexed by vCPU, grown on demand */
    uint32_t n;
    struct vcpu_ids *far; /* vCPUs from EVENT_IDS_DIRECT up ... */
    uint32_t *far_vcpu;   /* ... and their numbers */
    size_t nfar;
};

/* `e` was stored in row `rowid`, a folded pair's row with `folded`. 0, or
 * -1 when out of memory. */
int event_ids_stored(struct event_ids *ids, const struct discon_event *e, int64_t rowid,
                     bool folded);

/* The stored event of vCPU `vcpu` with sequence number `seq` among its
 * last two and its open traps: its entry (valid until the ids change), or
 * NULL. */
const struct event_id *event_ids_find(const struct event_ids *ids, uint32_t vcpu, uint64_t seq);

/* The newest stored event of vCPU `vcpu`, or NULL. */
const struct event_id *event_ids_last(const struct event_ids *ids, uint32_t vcpu);

/* Mark the trap whose first event is `first` open (copied) / no longer
 * open. 0, or -1 when out of memory. */
int event_ids_open(struct event_ids *ids, const struct event_id *first);
void event_ids_close(struct event_ids *ids, uint32_t vcpu, uint64_t seq);

/* Forget everything (a new trace). */
void event_ids_free(struct event_ids *ids);

#endif
