/* trace2sqlite: paired traps still open when a file's load ends. Their
 * return may be in a later file, loaded now or by a later run: they are
 * kept in the _discon_trap_open table (the pairing stacks, position by position)
 * and each gets a provisional _discon_traps row (ended "open", never_returned 1)
 * so that the database always shows every trap. When the trace's next
 * file is loaded the provisional rows are deleted and the stacks go on;
 * the trap's final row is written when it ends. */
#ifndef T2S_OPEN_TRAPS_H
#define T2S_OPEN_TRAPS_H

#include "loader.h"

/* The open traps of l's deriver into trap_open and provisional rows.
 * Inside the file's transaction. 0 or DISCON_DB_E_SQLITE. */
int open_traps_save(struct loader *l);

/* Push trace row `trace`'s saved open traps back onto d's stacks, and
 * their first events' rowids into ids. 0, DISCON_DB_E_SQLITE, or
 * DISCON_DB_E_NOMEM. */
int open_traps_restore(struct discon_db *db, int64_t trace, struct discon_trap_deriver *d,
                       struct event_ids *ids);

/* Delete trace row `trace`'s provisional rows and saved open traps (the
 * deriver holds them). 0 or DISCON_DB_E_SQLITE. */
int open_traps_drop(struct discon_db *db, int64_t trace);

#endif
