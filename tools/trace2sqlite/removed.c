/* trace2sqlite: the removed table (see removed.h). */
#include "removed.h"

int removed_store(struct discon_db *db, int64_t trace, const Discon__Header *h)
{
    const Discon__Removed *r = h->removed;
    if (!r)
        return 0;
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "UPDATE traces SET removed_last_file = ? WHERE trace = ?"
                                   " AND (removed_last_file IS NULL OR removed_last_file < ?)", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, r->last_file);
    sqlite3_bind_int64(s, 2, trace);
    sqlite3_bind_int64(s, 3, r->last_file);
    rc = discon_db_step(db, s);
    sqlite3_finalize(s);
    if (rc || sqlite3_changes(db->sql) == 0)
        return rc; /* an older record than the one stored */
    rc = discon_db_prepare(db, "INSERT OR REPLACE INTO removed VALUES (?, ?, ?, ?, ?, ?)", &s);
    for (size_t i = 0; rc == 0 && i < r->n_vcpu; i++) {
        const Discon__RemovedRange *v = r->vcpu[i];
        sqlite3_bind_int64(s, 1, trace);
        sqlite3_bind_int64(s, 2, v->vcpu);
        sqlite3_bind_int64(s, 3, (int64_t)v->first_seq);
        sqlite3_bind_int64(s, 4, (int64_t)v->end_seq);
        sqlite3_bind_int64(s, 5, (int64_t)v->first_time_ns);
        sqlite3_bind_int64(s, 6, (int64_t)v->last_time_ns);
        rc = discon_db_step(db, s);
    }
    sqlite3_finalize(s);
    return rc;
}
