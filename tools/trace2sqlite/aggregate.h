/* trace2sqlite --aggregate-only: traps counted per second, vCPU, type,
 * handler and kind in memory (open addressing), then added to the trap_agg table.
 * Memory is bounded: past 2^20 keys the counts are flushed early. */
#ifndef T2S_AGGREGATE_H
#define T2S_AGGREGATE_H

#include "discon_db.h"

#include <stddef.h>
#include <stdint.h>

struct agg_key {
    int64_t second; /* whole seconds from the trace's clock reference */
    uint32_t vcpu;
    uint32_t type;
    uint64_t to_pc;
    uint32_t kind;  /* kinds.kind (struct discon_kind id) */
    uint32_t zero;  /* always 0: keys are compared with memcmp */
};

struct trap_agg {
    struct discon_db *db; /* not owned */
    sqlite3_stmt *insert; /* adds to an existing row's count */
    struct agg_key *key;  /* cap slots; a slot is used when its count is not 0 */
    uint64_t *count;
    size_t cap, n;
};

/* Prepare the insert. 0 or DISCON_DB_E_SQLITE; close it either way. */
int trap_agg_open(struct trap_agg *a, struct discon_db *db);

/* Count one trap of trace row `trace`. 0, DISCON_DB_E_NOMEM or
 * DISCON_DB_E_SQLITE (an early flush failed). */
int trap_agg_add(struct trap_agg *a, int64_t trace, const struct agg_key *k);

/* Add every count to trap_agg as trace row `trace`, and empty the table.
 * 0 or DISCON_DB_E_SQLITE. */
int trap_agg_flush(struct trap_agg *a, int64_t trace);

/* Free the table and the statement (unflushed counts are dropped). */
void trap_agg_close(struct trap_agg *a);

#endif
