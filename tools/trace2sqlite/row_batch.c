/* trace2sqlite: multi-row INSERT batches (see row_batch.h). */
#include "row_batch.h"

#include <stdio.h>
#include <stdlib.h>
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
    b->v = malloc(ROW_BATCH_HOLD * sizeof b->v[0]);
    b->nulls = malloc(ROW_BATCH_HOLD * sizeof b->nulls[0]);
    if (!b->v || !b->nulls)
        return DISCON_DB_E_NOMEM;
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

/* Insert the oldest `count` queued rows and move the rest to the front. */
static int insert_oldest(struct row_batch *b, int count)
{
    int r = 0, rc = 0;
    for (; rc == 0 && count - r >= ROW_BATCH_ROWS; r += ROW_BATCH_ROWS) {
        for (int i = 0; i < ROW_BATCH_ROWS; i++)
            bind_row(b, b->many, r + i, i * b->ncols + 1);
        rc = discon_db_step(b->db, b->many);
    }
    for (; rc == 0 && r < count; r++) {
        bind_row(b, b->one, r, 1);
        rc = discon_db_step(b->db, b->one);
    }
    if (rc)
        return rc;
    memmove(b->v, b->v + count, (size_t)(b->n - count) * sizeof b->v[0]);
    memmove(b->nulls, b->nulls + count, (size_t)(b->n - count) * sizeof b->nulls[0]);
    b->n -= count;
    return 0;
}

int row_batch_flush(struct row_batch *b)
{
    return insert_oldest(b, b->n);
}

int row_batch_add(struct row_batch *b, const int64_t *row, uint32_t nulls)
{
    /* Full: the oldest inserted now, not when the last row came, so that
     * row can still be changed (row_batch_set). */
    int rc = b->n == ROW_BATCH_HOLD ? insert_oldest(b, ROW_BATCH_HOLD - ROW_BATCH_KEEP) : 0;
    if (rc)
        return rc;
    memcpy(b->v[b->n], row, (size_t)b->ncols * sizeof row[0]);
    b->nulls[b->n++] = nulls;
    return 0;
}

int64_t *row_batch_find(struct row_batch *b, int64_t key, uint32_t **nulls)
{
    if (b->n == 0)
        return NULL;
    /* Consecutive keys (rowids): the row's place is its distance from the
     * first; otherwise (or if not there) a search from the newest. */
    int64_t at = key - b->v[0][0];
    int r = at >= 0 && at < b->n && b->v[at][0] == key ? (int)at : -1;
    for (int i = b->n; r < 0 && i-- > 0;)
        if (b->v[i][0] == key)
            r = i;
    if (r < 0)
        return NULL;
    *nulls = &b->nulls[r];
    return b->v[r];
}

bool row_batch_set(struct row_batch *b, int64_t key, int col, int64_t value, bool null)
{
    uint32_t *nulls;
    int64_t *row = row_batch_find(b, key, &nulls);
    if (!row)
        return false;
    row[col] = value;
    *nulls = null ? *nulls | 1u << col : *nulls & ~(1u << col);
    return true;
}

bool row_batch_merge(struct row_batch *b, int64_t key, int col, int64_t clear, int64_t set)
{
    uint32_t *nulls;
    int64_t *row = row_batch_find(b, key, &nulls);
    if (!row)
        return false;
    row[col] = (row[col] & ~clear) | set;
    return true;
}

void row_batch_close(struct row_batch *b)
{
    sqlite3_finalize(b->many);
    sqlite3_finalize(b->one);
    b->many = b->one = NULL;
    free(b->v);
    free(b->nulls);
    b->v = NULL;
    b->nulls = NULL;
}
