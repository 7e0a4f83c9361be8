/* trace2sqlite: rows of integers (events, traps) inserted many per
 * statement. One statement step per ROW_BATCH_ROWS rows is what makes bulk
 * loading fast in SQLite. A column may be NULL (a cause field the plugin
 * did not record): a bit per column says so. */
#ifndef T2S_ROW_BATCH_H
#define T2S_ROW_BATCH_H

#include "discon_db.h"

#include <stdbool.h>
#include <stdint.h>

#define ROW_BATCH_ROWS 64
#define ROW_BATCH_MAX_COLS 24

struct row_batch {
    struct discon_db *db;        /* not owned */
    sqlite3_stmt *many, *one;    /* ROW_BATCH_ROWS rows; one row (the remainder) */
    int ncols;                   /* columns of the table, <= ROW_BATCH_MAX_COLS */
    int64_t v[ROW_BATCH_ROWS][ROW_BATCH_MAX_COLS];
    uint32_t nulls[ROW_BATCH_ROWS]; /* bit c: column c is NULL (its value ignored) */
    int n;                       /* rows waiting in v */
};

/* Prepare the inserts into `table`, a table of the schema with exactly
 * `ncols` columns (1..ROW_BATCH_MAX_COLS; the name is trusted). 0 or
 * DISCON_DB_E_SQLITE; close it either way. */
int row_batch_open(struct row_batch *b, struct discon_db *db, const char *table, int ncols);

/* Queue one row of ncols values; bit c of `nulls` makes column c NULL. A
 * full batch is inserted. 0 or DISCON_DB_E_SQLITE. */
int row_batch_add(struct row_batch *b, const int64_t *row, uint32_t nulls);

/* Set column `col` (0..ncols-1) of the queued row whose column 0 is
 * `key` to `value`, or to NULL with `null`. false when no queued row has
 * that key (inserted already, or never queued): the caller updates the
 * table. The newest rows are searched first; the last row added stays
 * queued until the next add. */
bool row_batch_set(struct row_batch *b, int64_t key, int col, int64_t value, bool null);

/* The same for a column of bit fields (not NULL): the bits `clear` of
 * its value cleared, then the bits `set` set. */
bool row_batch_merge(struct row_batch *b, int64_t key, int col, int64_t clear, int64_t set);

/* Insert the queued rows. 0 or DISCON_DB_E_SQLITE. */
int row_batch_flush(struct row_batch *b);

/* Finalize the statements; queued rows are dropped (flush first). */
void row_batch_close(struct row_batch *b);

#endif
