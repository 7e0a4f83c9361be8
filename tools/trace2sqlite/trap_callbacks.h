/* trace2sqlite: what the loader does with each trap the deriver
 * (schema/discon_traps.h) hands it, and with each RETURN event, which
 * goes to the deriver before it is stored so that the trap it closes can
 * take it into its row (return_fold.h). Each returns 0, or -1 after
 * loader_fail (l->err says why). */
#ifndef T2S_TRAP_CALLBACKS_H
#define T2S_TRAP_CALLBACKS_H

#include "loader.h"

/* Whether time_ns is in the load's window of raw rows (--from/--to). */
bool loader_in_window(const struct loader *l, uint64_t time_ns);

/* discon_trap_fn: a trap taken (its kind onto its first event's row, its
 * _discon_traps row if it needs one now), or counted (--aggregate-only). */
int loader_on_trap(void *ctx, const struct discon_trap *t);

/* discon_trap_fn: a paired trap ended (its return folded in, or its row). */
int loader_on_trap_end(void *ctx, const struct discon_trap *t);

/* discon_return_fn: a RETURN that closed no trap (unmatched_returns). */
int loader_on_unmatched(void *ctx, const struct discon_event *e);

/* RETURN r of a paired trace: fed to the deriver, then stored unless it
 * was folded. 0 or an error code (DISCON_DB_E_NOMEM, _SQLITE). */
int loader_feed_return(struct loader *l, const struct discon_event *r);

#endif
