/* trace2sqlite: a derived trap into a row of _discon_traps (the columns
 * its first event does not hold), named through tools/analysis/trap_kind.h,
 * its pairing columns filled from schema/discon_traps.h. */
#ifndef T2S_TRAP_ROWS_H
#define T2S_TRAP_ROWS_H

#include "loader.h"

/* The stored first event of t, checked against t (type, time);
 * NULL after saying why in l->err (l->failed set): the trap's row would
 * be wrong. */
const struct event_id *trap_first_event(struct loader *l, const struct discon_trap *t);

/* Queue t's row into l->trap_rows; with rowid, *rowid is the row's key
 * (its first event's rowid). 0, DISCON_DB_E_SQLITE (l->err set when its
 * first event is missing). */
int trap_row_add(struct loader *l, const struct discon_trap *t, int64_t *rowid);

#endif
