/* trace2sqlite: traps derived again from stored events (see rederive.h). */
#include "rederive.h"
#include "open_traps.h"
#include "pending.h"

#include <stdlib.h>

struct lost {
    uint32_t vcpu;
    uint64_t first_seq;
};

/* The trace's losses by vCPU and sequence: *out malloc'ed. */
static int read_losses(struct discon_db *db, int64_t trace, struct lost **out, size_t *n)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "SELECT vcpu, first_seq FROM losses WHERE trace = ?"
                                   " ORDER BY vcpu, first_seq", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            struct lost *p = realloc(*out, cap * sizeof *p);
            if (!p) {
                sqlite3_finalize(s);
                return DISCON_DB_E_NOMEM;
            }
            *out = p;
        }
        (*out)[(*n)++] = (struct lost){(uint32_t)sqlite3_column_int64(s, 0),
                                       (uint64_t)sqlite3_column_int64(s, 1)};
    }
    sqlite3_finalize(s);
    return 0;
}

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

static int clear(struct discon_db *db, int64_t trace)
{
    static const char *const sql[] = {
        "DELETE FROM traps WHERE trace = ?", "DELETE FROM trap_pending WHERE trace = ?",
        "DELETE FROM trap_open WHERE trace = ?", "DELETE FROM unmatched_returns WHERE trace = ?",
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0] && rc == 0; i++) {
        sqlite3_stmt *s;
        rc = discon_db_prepare(db, sql[i], &s);
        if (rc)
            break;
        sqlite3_bind_int64(s, 1, trace);
        rc = discon_db_step(db, s);
        sqlite3_finalize(s);
    }
    return rc;
}

static struct discon_event event_of(sqlite3_stmt *s)
{
    struct discon_event e = {
        .vcpu = (uint32_t)sqlite3_column_int64(s, 0), .seq = (uint64_t)sqlite3_column_int64(s, 1),
        .time_ns = (uint64_t)sqlite3_column_int64(s, 2), .type = (uint8_t)sqlite3_column_int(s, 3),
        .from_pc = (uint64_t)sqlite3_column_int64(s, 4), .to_pc = (uint64_t)sqlite3_column_int64(s, 5),
    };
    /* Columns 6-10 in the order of the has bits (enum discon_has); NULL: not recorded. */
    uint64_t *field[] = {&e.cause, &e.fault_addr, &e.syscall};
    for (int i = 0; i < 5; i++) {
        if (sqlite3_column_type(s, 6 + i) == SQLITE_NULL)
            continue;
        e.has |= (uint8_t)(1u << i);
        int64_t v = sqlite3_column_int64(s, 6 + i);
        if (i < 3)
            *field[i] = (uint64_t)v;
        else if (i == 3)
            e.to_level = (uint8_t)v;
        else
            e.from_level = (uint8_t)v;
    }
    return e;
}

/* Feed every event in (vCPU, sequence) order, breaking the deriver where
 * the reader would: at each loss, and at a jump in sequence numbers. */
static int feed(struct loader *l, int64_t trace, const struct lost *lost, size_t nlost)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(l->db, "SELECT vcpu, seq, time_ns, type, from_pc, to_pc, cause,"
                                      " fault_addr, syscall, to_level, from_level FROM events"
                                      " WHERE trace = ? ORDER BY vcpu, seq", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    size_t k = 0;
    bool any = false;
    struct discon_event prev = {0};
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        struct discon_event e = event_of(s);
        bool broke = false;
        for (; k < nlost && (lost[k].vcpu < e.vcpu ||
                             (lost[k].vcpu == e.vcpu && lost[k].first_seq <= e.seq)); k++) {
            rc |= discon_traps_break(&l->deriver, lost[k].vcpu);
            broke |= lost[k].vcpu == e.vcpu;
        }
        if (!broke && any && prev.vcpu == e.vcpu && e.seq != prev.seq + 1)
            rc |= discon_traps_break(&l->deriver, e.vcpu);
        rc |= discon_traps_feed(&l->deriver, &e, 1);
        prev = e;
        any = true;
    }
    for (; k < nlost; k++)
        rc |= discon_traps_break(&l->deriver, lost[k].vcpu);
    sqlite3_finalize(s);
    return rc ? DISCON_DB_E_NOMEM : 0;
}

static int rederive(struct loader *l, int64_t trace)
{
    struct lost *lost = NULL;
    size_t nlost = 0;
    bool complete = false;
    int rc = discon_db_exec(l->db, "BEGIN");
    if (rc == 0)
        rc = clear(l->db, trace);
    if (rc == 0)
        rc = start(l, trace, &complete);
    if (rc == 0)
        rc = read_losses(l->db, trace, &lost, &nlost);
    if (rc == 0)
        rc = feed(l, trace, lost, nlost);
    free(lost);
    if (rc == 0 && complete)
        rc = discon_traps_finish(&l->deriver) ? DISCON_DB_E_NOMEM : 0;
    if (rc == 0 && !complete) /* more files may come: keep what waits, as a load does */
        rc = pending_save(l->db, trace, &l->deriver);
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
