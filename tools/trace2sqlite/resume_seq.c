/* trace2sqlite: where a trace's stored records end (see resume_seq.h). */
#include "resume_seq.h"

#include <stdlib.h>

void resume_seq_free(struct resume_seq *r)
{
    free(r->vcpu);
    free(r->next);
    *r = (struct resume_seq){0};
}

/* Per vCPU, one past its last stored event or loss; only for traces all
 * of whose files were loaded keeping every event. */
static const char ends_sql[] =
    "SELECT vcpu, MAX(end_seq) FROM (\n"
    "  SELECT vcpu, end_seq FROM _discon_vcpu_events WHERE trace = ?1 AND end_seq IS NOT NULL\n"
    "  UNION ALL SELECT vcpu, first_seq + count FROM losses WHERE trace = ?1)\n"
    "WHERE NOT EXISTS (SELECT 1 FROM files WHERE trace = ?1 AND kept != 'all')\n"
    "GROUP BY vcpu";

int resume_seq_load(struct resume_seq *r, struct discon_db *db, int64_t trace)
{
    resume_seq_free(r);
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, ends_sql, &s), step;
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    size_t cap = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (r->n == cap) {
            cap = cap ? 2 * cap : 8;
            uint32_t *v = realloc(r->vcpu, cap * sizeof *v);
            if (v)
                r->vcpu = v;
            uint64_t *n = v ? realloc(r->next, cap * sizeof *n) : NULL;
            if (!n) {
                sqlite3_finalize(s);
                return DISCON_DB_E_NOMEM;
            }
            r->next = n;
        }
        r->vcpu[r->n] = (uint32_t)sqlite3_column_int64(s, 0);
        r->next[r->n++] = (uint64_t)sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return step == SQLITE_DONE ? 0 : DISCON_DB_E_SQLITE;
}

bool resume_seq_jumps(struct resume_seq *r, uint32_t vcpu, uint64_t seq)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->vcpu[i] != vcpu)
            continue;
        bool jump = r->next[i] != seq;
        r->n--;
        r->vcpu[i] = r->vcpu[r->n];
        r->next[i] = r->next[r->n];
        return jump;
    }
    return false;
}
