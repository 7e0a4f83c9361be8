/* trace2sqlite: a RETURN folded into the row of the trap it closed, or
 * into the RETURN row before it.
 *
 * With returns recorded, half the raw events of a guest kernel are
 * RETURNs, each closing the trap taken just before (a system call, a page
 * fault). A row of its own costs a RETURN ~40 bytes and its trap's
 * pairing a _discon_traps row ~19 more; folded into the trap's row while
 * that row is still queued (row_batch.h holds thousands), it costs its
 * time (ret_dt), its from_pc against the handler (ret_from) and one
 * packed integer (ret_pack: its seq, to_pc, levels and the trap's
 * pairing), ~8 bytes (tools/db/schema.c has the measurements). The events
 * view and discon_db_row_events give it back exactly; a RETURN that does
 * not fit a field is stored as a row of its own, as before.
 *
 * An x86 kernel also executes IRETs that close nothing (sync_core(), an
 * IRET to the next instruction: 140,095 of the 216,358 RETURNs of the
 * x86_64 boot, each right after another); such a RETURN rides on the
 * RETURN row before it, without pairing (DISCON_DB_RET_FOLLOWS). */
#ifndef T2S_RETURN_FOLD_H
#define T2S_RETURN_FOLD_H

#include "loader.h"

/* RETURN r (being fed to the deriver, stored if not folded) closed trap
 * t: fold r and t's pairing into t's first event's row if that row is
 * still queued, holds no other RETURN, and every field fits
 * (DISCON_DB_RET_* of discon_db.h); the trap then needs no _discon_traps
 * row, which the caller checks first (trap_row_pairing_only). r is then
 * recorded as stored (event_rows_stored). true when folded; *rc an error
 * code (DISCON_DB_E_NOMEM) or 0. */
bool return_fold(struct loader *l, const struct discon_trap *t, const struct discon_event *r,
                 int *rc);

/* RETURN r (being stored, not folded by return_fold) is its vCPU's next
 * event after a RETURN whose own row is still queued with room: fold it
 * there (DISCON_DB_RET_FOLLOWS) and record it as stored. true when
 * folded; *rc an error code (DISCON_DB_E_NOMEM) or 0. */
bool return_follow(struct loader *l, const struct discon_event *r, int *rc);

#endif
