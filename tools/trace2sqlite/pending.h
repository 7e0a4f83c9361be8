/* trace2sqlite: x86 exceptions still waiting for their delivery when a
 * load ends. The delivery may be in the trace's next file, loaded later:
 * the waiting half is kept in the _discon_trap_pending table, with the
 * rowid of its events row, and fed back to the
 * trap deriver when that trace is appended to. */
#ifndef T2S_PENDING_H
#define T2S_PENDING_H

#include "discon_db.h"
#include "discon_traps.h"
#include "event_ids.h"

#include <stdint.h>

/* Replace trace row `trace`'s stored pending halves with the deriver's.
 * Inside the caller's transaction. 0 or DISCON_DB_E_SQLITE. */
int pending_save(struct discon_db *db, int64_t trace, const struct discon_trap_deriver *d,
                 const struct event_ids *ids);

/* Feed trace row `trace`'s stored pending halves into a fresh deriver for
 * that trace, each known to ids as a stored event. 0, DISCON_DB_E_SQLITE, or DISCON_DB_E_NOMEM if the deriver
 * failed (out of memory, or its trap callback failed). */
int pending_restore(struct discon_db *db, int64_t trace, struct discon_trap_deriver *d,
                    struct event_ids *ids);

#endif
