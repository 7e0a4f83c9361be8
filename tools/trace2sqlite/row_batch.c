/* trace2sqlite: multi-row INSERT batches (see row_batch.h). */
#include "row_batch.h"

#include <stdio.h>
#include <string.h>

/* "(?,?,...)": one placeholder per column, after `sep`. */
static int placeholders(char *q, size_t len, const char *sep, int ncols)
{
    int used = snprintf(q, len, "%s(", sep);
    for (int c = 0; c < ncols; c++)
        used += snprintf(q + used, len - (size_t)used, "%s?", c ? "," : "");
    return used + snprintf(q + used, len - (size_t)used, ")");
}

int row_batch_open(struct row_batch *b, struct discon_db *db, const char *table, int ncols)
{
    memset(b, 0, sizeof *b);
    b->db = db;
    b->ncols = ncols < 1 ? 1 : ncols > ROW_BATCH_MAX_COLS ? ROW_BATCH_MAX_COLS : ncols;
    char q[16384];
    int len = snprintf(q, sizeof q, "INSERT INTO %s VALUES ", table);
    for (int r = 0; r < ROW_BATCH_ROWS; r++)
        len += placeholders(q + len, sizeof q - (size_t)len, r ? "," : "", b->ncols);
    int rc = discon_db_prepare(db, q, &b->many);
    len = snprintf(q, sizeof q, "INSERT INTO %s VALUES ", table);
    placeholders(q + len, sizeof q - (size_t)len, "", b->ncols);
    return rc ? rc : discon_db_prepare(db, q, &b->one);
}

/* Row r's values into s from parameter `first` on. */
static void bind_row(const struct row_batch *b, sqlite3_stmt *s, int r, int first)
{
    for (int c = 0; c < b->ncols; c++) {
        if (b->nulls[r] >> c & 1)
            sqlite3_bind_null(s, first + c);
        else
            sqlite3_bind_int64(s, first + c, b->v[r][c]);
    }
}

int row_batch_flush(struct row_batch *b)
{
    if (b->n == ROW_BATCH_ROWS) {
        for (int r = 0; r < b->n; r++)
            bind_row(b, b->many, r, r * b->ncols + 1);
        b->n = 0;
        return discon_db_step(b->db, b->many);
    }
    for (int r = 0; r < b->n; r++) {
        bind_row(b, b->one, r, 1);
        int rc = discon_db_step(b->db, b->one);
        if (rc)
            return rc;
    }
    b->n = 0;
    return 0;
}

int row_batch_add(struct row_batch *b, const int64_t *row, uint32_t nulls)
{
    /* Full: flushed now, not when the last row came, so that row can
     * still be changed (row_batch_set). */
    int rc = b->n == ROW_BATCH_ROWS ? row_batch_flush(b) : 0;
    if (rc)
        return rc;
    memcpy(b->v[b->n], row, (size_t)b->ncols * sizeof row[0]);
    b->nulls[b->n++] = nulls;
    return 0;
}

bool row_batch_set(struct row_batch *b, int64_t key, int col, int64_t value, bool null)
{
    for (int r = b->n; r-- > 0;) {
        if (b->v[r][0] != key)
            continue;
        b->v[r][col] = value;
        b->nulls[r] = null ? b->nulls[r] | 1u << col : b->nulls[r] & ~(1u << col);
        return true;
    }
    return false;
}

bool row_batch_merge(struct row_batch *b, int64_t key, int col, int64_t clear, int64_t set)
{
    for (int r = b->n; r-- > 0;) {
        if (b->v[r][0] != key)
            continue;
        b->v[r][col] = (b->v[r][col] & ~clear) | set;
        return true;
    }
    return false;
}

void row_batch_close(struct row_batch *b)
{
    sqlite3_finalize(b->many);
    sqlite3_finalize(b->one);
    b->many = b->one = NULL;
}
