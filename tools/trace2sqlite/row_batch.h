/* trace2sqlite: rows of integers (events, traps) inserted many per
 * statement. One statement step per ROW_BATCH_ROWS rows is what makes bulk
 * loading fast in SQLite. A column may be NULL (a cause field the plugin
 * did not record): a bit per column says so. */
#ifndef T2S_ROW_BATCH_H
#define T2S_ROW_BATCH_H

#include "discon_db.h"

#include <stdbool.h>
#include <stdint.h>

#define ROW_BATCH_ROWS 64     /* rows per INSERT statement */
#define ROW_BATCH_MAX_COLS 24
/* Rows stay queued, open to row_batch_set, until ROW_BATCH_HOLD wait:
 * then all but the newest ROW_BATCH_KEEP are inserted. A trap's row is
 * then still queued when its RETURN comes, nearly always (event_rows.h
 * folds the RETURN into it). Multiples of ROW_BATCH_ROWS. */
#define ROW_BATCH_HOLD 4096
#define ROW_BATCH_KEEP 512

struct row_batch {
    struct discon_db *db;        /* not owned */
    sqlite3_stmt *many, *one;    /* ROW_BATCH_ROWS rows; one row (the remainder) */
    int ncols;                   /* columns of the table, <= ROW_BATCH_MAX_COLS */
    int64_t (*v)[ROW_BATCH_MAX_COLS]; /* ROW_BATCH_HOLD rows, oldest first */
    uint32_t *nulls;             /* per row, bit c: column c is NULL (its value ignored) */
    int n;                       /* rows waiting in v */
};

/* Prepare the inserts into `table`, a table of the schema with exactly
 * `ncols` columns (1..ROW_BATCH_MAX_COLS; the name is trusted). 0,
 * DISCON_DB_E_SQLITE or DISCON_DB_E_NOMEM; close it either way. */
int row_batch_open(struct row_batch *b, struct discon_db *db, const char *table, int ncols);

/* Queue one row of ncols values; bit c of `nulls` makes column c NULL.
 * With ROW_BATCH_HOLD rows queued, the oldest are inserted first. 0 or
 * DISCON_DB_E_SQLITE. */
int row_batch_add(struct row_batch *b, const int64_t *row, uint32_t nulls);

/* Set column `col` (0..ncols-1) of the queued row whose column 0 is
 * `key` to `value`, or to NULL with `null`. false when no queued row has
 * that key (inserted already, or never queued): the caller updates the
 * table. Found at once where keys are consecutive (rowids), else the
 * newest rows are searched first; the last row added stays queued until
 * the next add. */
bool row_batch_set(struct row_batch *b, int64_t key, int col, int64_t value, bool null);

/* The queued row whose column 0 is `key`: its values (ncols of them) and
 * its NULL bits, valid until the next add or flush; NULL when not queued. */
int64_t *row_batch_find(struct row_batch *b, int64_t key, uint32_t **nulls);

/* The same for a column of bit fields (not NULL): the bits `clear` of
 * its value cleared, then the bits `set` set. */
bool row_batch_merge(struct row_batch *b, int64_t key, int col, int64_t clear, int64_t set);

/* Insert the queued rows. 0 or DISCON_DB_E_SQLITE. */
int row_batch_flush(struct row_batch *b);

/* Finalize the statements; queued rows are dropped (flush first). */
void row_batch_close(struct row_batch *b);

#endif
