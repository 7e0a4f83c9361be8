/* trace2sqlite: multi-row INSERT batches (see row_batch.h). */
#include "row_batch.h"

#include <stdio.h>
#include <string.h>

int row_batch_open(struct row_batch *b, struct discon_db *db, const char *table)
{
    char q[8192];
    int len = snprintf(q, sizeof q, "INSERT INTO %s VALUES ", table);
    for (int r = 0; r < ROW_BATCH_ROWS; r++)
        len += snprintf(q + len, sizeof q - (size_t)len, "%s(?,?,?,?,?,?,?,?)", r ? "," : "");
    _Static_assert(ROW_BATCH_COLS == 8, "one ? per column above");
    b->db = db;
    b->n = 0;
    b->one = NULL;
    int rc = discon_db_prepare(db, q, &b->many);
    snprintf(q, sizeof q, "INSERT INTO %s VALUES (?,?,?,?,?,?,?,?)", table);
    return rc ? rc : discon_db_prepare(db, q, &b->one);
}

int row_batch_flush(struct row_batch *b)
{
    if (b->n == ROW_BATCH_ROWS) {
        for (int r = 0; r < b->n; r++)
            for (int c = 0; c < ROW_BATCH_COLS; c++)
                sqlite3_bind_int64(b->many, r * ROW_BATCH_COLS + c + 1, b->v[r][c]);
        b->n = 0;
        return discon_db_step(b->db, b->many);
    }
    for (int r = 0; r < b->n; r++) {
        for (int c = 0; c < ROW_BATCH_COLS; c++)
            sqlite3_bind_int64(b->one, c + 1, b->v[r][c]);
        int rc = discon_db_step(b->db, b->one);
        if (rc)
            return rc;
    }
    b->n = 0;
    return 0;
}

int row_batch_add(struct row_batch *b, const int64_t row[ROW_BATCH_COLS])
{
    memcpy(b->v[b->n++], row, sizeof b->v[0]);
    return b->n == ROW_BATCH_ROWS ? row_batch_flush(b) : 0;
}

void row_batch_close(struct row_batch *b)
{
    sqlite3_finalize(b->many);
    sqlite3_finalize(b->one);
    b->many = b->one = NULL;
}
