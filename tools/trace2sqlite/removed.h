/* trace2sqlite: what a trace's writer removed to bound disk use
 * (Header.removed: cumulative, the newest file's says all) into
 * traces.removed_last_file and the removed table, where the database's
 * completeness (tools/db/completeness.h) reads it. */
#ifndef T2S_REMOVED_H
#define T2S_REMOVED_H

#include "discon_db.h"
#include "discon.pb-c.h"

/* Store h->removed for trace row `trace` if it says more than what is
 * stored (nothing to do without one). Inside the caller's transaction.
 * 0 or DISCON_DB_E_SQLITE. */
int removed_store(struct discon_db *db, int64_t trace, const Discon__Header *h);

#endif
