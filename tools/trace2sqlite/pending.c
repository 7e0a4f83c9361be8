/* trace2sqlite: the _discon_trap_pending table (see pending.h). */
#include "pending.h"

int pending_save(struct discon_db *db, int64_t trace, const struct discon_trap_deriver *d,
                 const struct event_ids *ids)
{
    sqlite3_stmt *s = NULL;
    int rc = discon_db_exec_trace(db, "DELETE FROM _discon_trap_pending WHERE trace = ?1", trace);
    if (rc == 0)
        rc = discon_db_prepare(db, "INSERT INTO _discon_trap_pending VALUES (?, ?, ?, ?, ?, ?,"
                                   " ?, ?, ?, ?, ?, ?)", &s);
    for (uint32_t v = 0; rc == 0 && v < d->nvcpus; v++) {
        if (!d->has_pending[v])
            continue;
        const struct discon_event *e = &d->pending[v];
        sqlite3_bind_int64(s, 1, trace);
        sqlite3_bind_int64(s, 2, v);
        sqlite3_bind_int64(s, 3, (int64_t)e->seq);
        sqlite3_bind_int64(s, 4, (int64_t)e->time_ns);
        sqlite3_bind_int64(s, 5, (int64_t)e->from_pc);
        /* Its cause fields (x86_64: cr2) are the trap's: kept whole, even
         * when its event row is not stored (--from/--to). */
        const int64_t cause[] = {(int64_t)e->cause, (int64_t)e->fault_addr,
                                 (int64_t)e->syscall, e->to_level, e->from_level, e->has};
        for (int i = 0; i < 6; i++)
            sqlite3_bind_int64(s, 6 + i, cause[i]);
        const struct event_id *stored = event_ids_find(ids, v, e->seq);
        sqlite3_bind_int64(s, 12, stored ? stored->rowid : 0);
        rc = discon_db_step(db, s);
    }
    sqlite3_finalize(s);
    return rc;
}

int pending_restore(struct discon_db *db, int64_t trace, struct discon_trap_deriver *d,
                    struct event_ids *ids)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "SELECT vcpu, seq, time_ns, from_pc, cause, fault_addr,"
                                   " syscall, to_level, from_level, has, event"
                                   " FROM _discon_trap_pending"
                                   " WHERE trace = ?", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        /* The first report of an x86 exception: to_pc == from_pc. */
        struct discon_event e = {
            .vcpu = (uint32_t)sqlite3_column_int64(s, 0), .seq = (uint64_t)sqlite3_column_int64(s, 1),
            .time_ns = (uint64_t)sqlite3_column_int64(s, 2),
            .from_pc = (uint64_t)sqlite3_column_int64(s, 3), .type = DISCON_EXCEPTION,
            .cause = (uint64_t)sqlite3_column_int64(s, 4),
            .fault_addr = (uint64_t)sqlite3_column_int64(s, 5),
            .syscall = (uint64_t)sqlite3_column_int64(s, 6),
            .to_level = (uint8_t)sqlite3_column_int(s, 7),
            .from_level = (uint8_t)sqlite3_column_int(s, 8), .has = (uint8_t)sqlite3_column_int(s, 9),
        };
        e.to_pc = e.from_pc;
        int64_t rowid = sqlite3_column_int64(s, 10);
        if (rowid && event_ids_stored(ids, &e, rowid, false))
            rc = DISCON_DB_E_NOMEM;
        if (rc == 0)
            rc = discon_traps_feed(d, &e, 1) ? DISCON_DB_E_NOMEM : 0;
    }
    sqlite3_finalize(s);
    return rc;
}
