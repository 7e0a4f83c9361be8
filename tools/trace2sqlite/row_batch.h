/* trace2sqlite: rows of 8 integers (events, traps) inserted many per
 * statement. One statement step per ROW_BATCH_ROWS rows is what makes bulk
 * loading fast in SQLite. */
#ifndef T2S_ROW_BATCH_H
#define T2S_ROW_BATCH_H

#include "discon_db.h"

#include <stdint.h>

#define ROW_BATCH_ROWS 64
#define ROW_BATCH_COLS 8

struct row_batch {
    struct discon_db *db;        /* not owned */
    sqlite3_stmt *many, *one;    /* ROW_BATCH_ROWS rows; one row (the remainder) */
    int64_t v[ROW_BATCH_ROWS][ROW_BATCH_COLS];
    int n;                       /* rows waiting in v */
};

/* Prepare the inserts into `table` (a table of the schema with exactly
 * ROW_BATCH_COLS columns; the name is trusted). 0 or DISCON_DB_E_SQLITE;
 * close it either way. */
int row_batch_open(struct row_batch *b, struct discon_db *db, const char *table);

/* Queue one row; a full batch is inserted. 0 or DISCON_DB_E_SQLITE. */
int row_batch_add(struct row_batch *b, const int64_t row[ROW_BATCH_COLS]);

/* Insert the queued rows. 0 or DISCON_DB_E_SQLITE. */
int row_batch_flush(struct row_batch *b);

/* Finalize the statements; queued rows are dropped (flush first). */
void row_batch_close(struct row_batch *b);

#endif
