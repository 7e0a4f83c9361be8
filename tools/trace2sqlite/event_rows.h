/* trace2sqlite: raw events into rows of _discon_events, an x86 exception
 * and its delivery folded into one row (tools/db/schema.c says why and
 * how), and a trap's kind onto its first event's row.
 *
 * Folding waits one event: an EXCEPTION that may start a pair
 * (discon_traps_is_pair, the deriver's own test) is held until the next
 * event of its vCPU says whether it is folded or stored alone. Whoever
 * lets the deriver flush its own waiting exception (a loss, a gap, the
 * end record, the end of a file) releases the held ones first, so every
 * trap the deriver hands over has its first event's rowid known. */
#ifndef T2S_EVENT_ROWS_H
#define T2S_EVENT_ROWS_H

#include "loader.h"

/* Columns of _discon_events after the rowid (the insert's column 0). */
enum {
    EV_ROWID, EV_TRACE, EV_VCPU, EV_SEQ, EV_TIME, EV_FROM_PC, EV_TO_PC, EV_BITS,
    EV_CAUSE, EV_FAULT_ADDR, EV_SYSCALL, EV_PAIR,
    EV_RET_DT, EV_RET_FROM, EV_RET_PACK,
};
_Static_assert(EV_RET_PACK + 1 == EVENT_COLS, "EVENT_COLS is the column count");

/* v + d as SQLite computes it (the views): false when it would overflow a
 * signed 64-bit integer (SQLite would turn it into a float). */
static inline bool sums_exactly(uint64_t v, uint64_t d)
{
    int64_t r;
    return !__builtin_add_overflow((int64_t)v, (int64_t)d, &r);
}

/* The next event of e's vCPU arrived: its held exception, if any, is
 * folded with e (keep: e is stored) or stored alone; then e, with keep,
 * is held or queued. 0 or an error code (DISCON_DB_E_NOMEM, _SQLITE). */
int event_rows_add(struct loader *l, const struct discon_event *e, bool keep);

/* Event e went into row `rowid` (a folded pair's with `folded`): the
 * loader's record of it (event_ids.h, stored_ranges.h, the order check).
 * 0 or DISCON_DB_E_NOMEM. */
int event_rows_stored(struct loader *l, const struct discon_event *e, int64_t rowid, bool folded);

/* The to_pc a queued row of the trace being loaded gives back
 * (DISCON_DB_BITS_TO_MODE). */
uint64_t event_rows_to_pc(const struct loader *l, const int64_t *row);

/* Store the held exception of `vcpu` alone (UINT32_MAX: of every vCPU).
 * 0 or an error code. */
int event_rows_release(struct loader *l, uint32_t vcpu);

/* The kind, origin and interrupt of `why` onto row `rowid`: in the queued
 * batch, or by an UPDATE once it is inserted. 0 or DISCON_DB_E_SQLITE. */
int event_rows_set_kind(struct loader *l, int64_t rowid, const struct discon_trap *t,
                        const struct discon_trap_why *why);

/* Forget what is held (a new trace, or the end). */
void event_rows_free(struct loader *l);

#endif
