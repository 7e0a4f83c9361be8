/* trace2sqlite: a derived trap into its first event's row (its kind,
 * named through tools/analysis/trap_kind.h) and, where needed, a row of
 * _discon_traps (what the event row does not hold: the pairing columns
 * from schema/discon_traps.h, the PCs of a pair stored apart). */
#ifndef T2S_TRAP_ROWS_H
#define T2S_TRAP_ROWS_H

#include "loader.h"

/* The stored first event of t, checked against t (type, time);
 * NULL after saying why in l->err (l->failed set): the trap's row would
 * be wrong. */
const struct event_id *trap_first_event(struct loader *l, const struct discon_trap *t);

/* t's kind, origin and interrupt (tools/analysis/trap_kind.h) onto its
 * first event's row: when it is taken. 0, DISCON_DB_E_SQLITE (l->err set
 * when its first event is missing). */
int trap_kind_set(struct loader *l, const struct discon_trap *t);

/* Queue t's _discon_traps row into l->trap_rows if it needs one (pairing
 * columns, or PCs its first event's row does not give); with rowid,
 * *rowid is its key (its first event's rowid). 0, DISCON_DB_E_SQLITE
 * (l->err set when its first event is missing). */
int trap_row_add(struct loader *l, const struct discon_trap *t, int64_t *rowid);

/* Whether t's _discon_traps row would hold only its pairing columns (its
 * first event's row says the rest): a RETURN folded into that row can
 * carry them instead (return_fold.h). false when its first event is not
 * known. */
bool trap_row_pairing_only(struct loader *l, const struct discon_trap *t);

#endif
