/* trace2sqlite: traps derived again from stored events (see rederive.h). */
#include "rederive.h"
#include "open_traps.h"
#include "pending.h"

#include <stdio.h>

/* The traces row's header fields the deriver needs, and whether the end
 * record was loaded. */
static int start(struct loader *l, int64_t trace, bool *complete)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(l->db, "SELECT target, types, plugin_options, clock_monotonic_ns,"
                                      " ended FROM traces WHERE trace = ?", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return DISCON_DB_E_SQLITE;
    }
    Discon__Header h = DISCON__HEADER__INIT;
    h.target = (char *)sqlite3_column_text(s, 0);
    h.types = (uint32_t)sqlite3_column_int64(s, 1);
    h.plugin_options = (char *)sqlite3_column_text(s, 2);
    if (!h.target)
        h.target = "";
    loader_start_deriver(l, trace, &h, (uint64_t)sqlite3_column_int64(s, 3));
    *complete = sqlite3_column_int(s, 4) != 0;
    sqlite3_finalize(s);
    return 0;
}

/* What a load derived from the trace's events: its traps (their kinds on
 * their first events' rows, their _discon_traps rows), what waited and
 * what was open, the unmatched returns. */
static int clear(struct discon_db *db, int64_t trace)
{
    static const char *const sql[] = {
        "DELETE FROM _discon_traps WHERE event IN"
        " (SELECT rowid FROM _discon_events WHERE trace = ?1)",
        "UPDATE _discon_events SET bits = bits & ~" DISCON_DB_STR(DISCON_DB_BITS_TRAP)
        " WHERE trace = ?1 AND (bits & " DISCON_DB_STR(DISCON_DB_BITS_TRAP) ")",
        "DELETE FROM _discon_trap_pending WHERE trace = ?1",
        "DELETE FROM _discon_trap_open WHERE trace = ?1",
        "DELETE FROM unmatched_returns WHERE trace = ?1",
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0] && rc == 0; i++)
        rc = discon_db_exec_trace(db, sql[i], trace);
    return rc;
}

/* Feed every event in (vCPU, sequence) order, through the one reader of
 * stored rows (DISCON_DB_Q_EVENTS, discon_db_row_events), breaking the
 * deriver where the reader of the files would: at each loss (a loss row
 * comes before the event at its sequence number), and at a jump in
 * sequence numbers. Each event's rowid first: a trap it completes is
 * keyed by it (event_ids.h). */
static int feed(struct loader *l, int64_t trace)
{
    sqlite3_stmt *s;
    int rc = discon_db_query(l->db, DISCON_DB_Q_EVENTS, &s), step = SQLITE_DONE;
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    bool any = false, broke = false;
    struct discon_event prev = {0}, e[2];
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        int row_kind = sqlite3_column_int(s, DISCON_DB_ROW_IS_LOSS);
        if (row_kind == 1) {
            uint32_t vcpu = (uint32_t)sqlite3_column_int64(s, DISCON_DB_ROW_VCPU);
            rc = discon_traps_break(&l->deriver, vcpu) ? DISCON_DB_E_NOMEM : 0;
            broke = true;
            prev.vcpu = vcpu;
            continue;
        }
        struct discon_event ret;
        int n = discon_db_row_events(s, e, &ret);
        if (row_kind == 2 && n > 0) { /* the row again, at its folded RETURN's place */
            e[0] = ret;
            n = ret.type == DISCON_RETURN ? 1 : -1;
        }
        if (n < 0) {
            snprintf(l->db->detail, sizeof l->db->detail, n == -2 ? "a damaged event row"
                     : "an event row of unknown type");
            rc = DISCON_DB_E_SQLITE;
            break;
        }
        if (!broke && any && prev.vcpu == e[0].vcpu && e[0].seq != prev.seq + 1 &&
            discon_traps_break(&l->deriver, e[0].vcpu))
            rc = DISCON_DB_E_NOMEM;
        int64_t rowid = sqlite3_column_int64(s, DISCON_DB_ROW_ROWID);
        for (int i = 0; i < n && rc == 0; i++)
            if (event_ids_stored(&l->ids, &e[i], rowid, n == 2) ||
                discon_traps_feed(&l->deriver, &e[i], 1))
                rc = DISCON_DB_E_NOMEM;
        prev = e[n - 1];
        any = true;
        broke = false;
    }
    if (rc == 0 && step != SQLITE_DONE) {
        snprintf(l->db->detail, sizeof l->db->detail, "%s", sqlite3_errmsg(l->db->sql));
        rc = DISCON_DB_E_SQLITE;
    }
    sqlite3_finalize(s);
    return rc;
}

static int rederive(struct loader *l, int64_t trace)
{
    bool complete = false;
    int rc = discon_db_exec(l->db, "BEGIN");
    if (rc == 0)
        rc = clear(l->db, trace);
    if (rc == 0)
        rc = start(l, trace, &complete);
    if (rc == 0)
        rc = feed(l, trace);
    if (rc == 0 && complete)
        rc = discon_traps_finish(&l->deriver) ? DISCON_DB_E_NOMEM : 0;
    if (rc == 0 && !complete) /* more files may come: keep what waits, as a load does */
        rc = pending_save(l->db, trace, &l->deriver, &l->ids);
    if (rc == 0 && !complete && l->deriver.paired)
        rc = open_traps_save(l);
    if (rc == 0)
        rc = row_batch_flush(&l->trap_rows);
    if (rc == 0)
        rc = discon_db_exec(l->db, "COMMIT");
    if (rc)
        sqlite3_exec(l->db->sql, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int rederive_traces(struct loader *l)
{
    for (size_t i = 0; i < l->nrederive && !l->failed; i++) {
        int rc = rederive(l, l->rederive[i]);
        if (rc && !l->failed) {
            discon_db_message(l->db, rc, l->err, sizeof l->err);
            l->failed = true;
        }
    }
    return l->failed ? -1 : 0;
}
