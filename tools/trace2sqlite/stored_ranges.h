/* trace2sqlite: per vCPU, how many events are stored and their range
 * (_discon_vcpu_events, tools/db/schema.c), counted as rows are queued and
 * merged into the table when a file commits. The completeness verdict
 * (tools/db/completeness.h) reads these few rows instead of grouping every
 * event row by vCPU, a sort of the whole table on each load and report. */
#ifndef T2S_STORED_RANGES_H
#define T2S_STORED_RANGES_H

#include "discon_db.h"
#include "event.h"

#include <stddef.h>
#include <stdint.h>

struct stored_range {
    uint32_t vcpu;
    uint64_t events, first_seq, end_seq, first_ns; /* end_seq: one past the last */
};

struct stored_ranges {
    struct stored_range *r; /* unordered; few (one per vCPU with events this file) */
    size_t n, cap, last;    /* last: the entry hit last */
};

/* Event e was stored. 0, or -1 when out of memory. */
int stored_ranges_add(struct stored_ranges *s, const struct discon_event *e);

/* Merge the counted ranges into _discon_vcpu_events for trace row `trace`
 * and start counting afresh. 0 or DISCON_DB_E_SQLITE. */
int stored_ranges_save(struct stored_ranges *s, struct discon_db *db, int64_t trace);

/* Forget the counts and free them. */
void stored_ranges_free(struct stored_ranges *s);

#endif
