/*
 * A trace's stored event rows, read in rowid order by worker threads:
 * discon-report's database input. Stepping SQLite and reading a row's
 * columns costs about three times what the report then does with its
 * events (perf on 5 M events), so workers, each with a read-only
 * connection of its own, read alternate ranges of rowids into batches of
 * events while the caller feeds the batches before them. The caller gets
 * the batches in rowid order (DISCON_DB_Q_EVENTS_RANGE).
 *
 * Why connections opened one after another read one set of rows: rows of
 * _discon_events are only ever appended, each with a rowid above every
 * stored one (trace2sqlite never deletes them), and the columns read here
 * are never updated (a later load sets only kind, origin and interrupt).
 * The range of rowids is fixed when reading starts, through the caller's
 * connection, so rows a concurrent load appends are read by no worker.
 */
#ifndef DISCON_DB_EVENT_BATCHES_H
#define DISCON_DB_EVENT_BATCHES_H

#include "discon_db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an event of a batch is to its row (discon_db_row_events). */
enum {
    DISCON_DB_EVENT_ROW,          /* the row's own event */
    DISCON_DB_EVENT_DELIVERY,     /* the second event of a folded x86 pair */
    DISCON_DB_EVENT_RETURN,       /* a folded RETURN, the vCPU's next event */
    DISCON_DB_EVENT_RETURN_LATER, /* a folded RETURN after later rows of its vCPU
                                     (its seq says where): the caller places it */
};

/* One batch: the events of the rows of one range of rowids, in rowid
 * order (a folded x86 pair is two events, a folded RETURN one more:
 * discon_db_row_events). */
struct discon_db_batch {
    const struct discon_event *ev;
    const uint8_t *role; /* role[i]: DISCON_DB_EVENT_* of ev[i] */
    size_t n;
    /* The batch stops before a row that is no stored event (a damaged or
     * tampered file): bad is discon_db_row_events' code for it (-1: its
     * type, `type`, is no event type; -2: a packed field no loader
     * writes); the rows end there. */
    bool bad_type;
    int bad;
    int64_t type;
};

struct discon_db_batches;

/* Start reading the event rows of trace row `trace` of the database open
 * as db (discon_db_open_read; db must outlive the reader: workers open
 * db->path themselves, errors are written to db->detail) with `workers`
 * threads (1 or more). *out: the reader, NULL on error. 0, or
 * DISCON_DB_E_SQLITE (the range query failed) or DISCON_DB_E_NOMEM (no
 * memory or no thread). End with discon_db_batches_stop. */
int discon_db_batches_start(struct discon_db_batches **out, struct discon_db *db, int64_t trace,
                            unsigned workers);

/* The next batch into *b, valid until the next call or stop: 1; 0 when
 * every row has been given; or a negative discon_db_error (a worker could
 * not open the database or SQLite failed; db->detail says what), after
 * which only stop may be called. Waits for the batch's worker. */
int discon_db_batches_next(struct discon_db_batches *r, struct discon_db_batch *b);

/* Stop the workers, close their connections, free r. NULL is a no-op. */
void discon_db_batches_stop(struct discon_db_batches *r);

#endif
