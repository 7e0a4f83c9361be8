/* The completeness of a trace in a discon database, by the one rule of
 * libdiscon-trace (discon_complete.h), from what the tables hold: the
 * files loaded (index holes, damage, what each load kept), the end
 * record (traces.ended, vcpus), and per vCPU the events and losses
 * (counts and sequence ranges; a vCPU whose events and losses do not fill
 * their range has a sequence gap). trace2sqlite stores the verdict in
 * traces.complete; discon-report computes it the same way. */
#ifndef DISCON_DB_COMPLETENESS_H
#define DISCON_DB_COMPLETENESS_H

#include "discon_complete.h"
#include "discon_db.h"

/* Fill c (initialised by the caller) for trace row `trace`. 0, or a
 * DISCON_DB_E_* code (db->detail says more). */
int discon_db_completeness(struct discon_db *db, int64_t trace, struct discon_completeness *c);

#endif
