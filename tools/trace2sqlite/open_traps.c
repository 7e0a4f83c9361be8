/* trace2sqlite: the _discon_trap_open table (see open_traps.h). */
#include "open_traps.h"
#include "tool_args.h"
#include "trap_rows.h"

/* Columns of _discon_trap_open after (trace, vcpu, position), in this order. */
#define OPEN_SQL_COLS "seq, time_ns, type, from_pc, to_pc, events, cause, fault_addr, syscall," \
                      " to_level, from_level, has, depth, parent_seq, pairing, row"

static int insert_open(struct discon_db *db, sqlite3_stmt *s, int64_t trace, uint32_t pos,
                       const struct discon_trap *t, int64_t row)
{
    const int64_t v[] = {
        trace, t->vcpu, pos, (int64_t)t->seq, (int64_t)t->time_ns, t->type,
        (int64_t)t->from_pc, (int64_t)t->to_pc, t->events, (int64_t)t->cause,
        (int64_t)t->fault_addr, (int64_t)t->syscall, t->to_level, t->from_level, t->has,
        t->depth, (int64_t)t->parent_seq, t->pairing, row,
    };
    for (int i = 0; i < (int)(sizeof v / sizeof v[0]); i++)
        sqlite3_bind_int64(s, i + 1, v[i]);
    return discon_db_step(db, s);
}

int open_traps_save(struct loader *l)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(l->db, "INSERT INTO _discon_trap_open(trace, vcpu, position, " OPEN_SQL_COLS
                                      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                                      " ?, ?, ?, ?)", &s);
    for (uint32_t v = 0; rc == 0 && v < l->deriver.nstacks; v++) {
        size_t n;
        const struct discon_trap *open = discon_traps_open(&l->deriver, v, &n);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            int64_t row = 0; /* 0: no provisional row (outside --from/--to) */
            bool shown = !l->aggregate &&
                         discon_in_window(l->t0, open[i].time_ns, l->span);
            if (shown)
                rc = trap_row_add(l, &open[i], &row);
            if (rc == 0)
                rc = insert_open(l->db, s, l->trace, (uint32_t)i, &open[i], row);
        }
    }
    sqlite3_finalize(s);
    return rc;
}

int open_traps_restore(struct discon_db *db, int64_t trace, struct discon_trap_deriver *d,
                       struct event_ids *ids)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "SELECT vcpu, " OPEN_SQL_COLS " FROM _discon_trap_open"
                                   " WHERE trace = ? ORDER BY vcpu, position", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        int64_t c[18];
        for (int i = 0; i < 18; i++)
            c[i] = sqlite3_column_int64(s, i);
        struct discon_trap t = {
            .vcpu = (uint32_t)c[0], .seq = (uint64_t)c[1], .time_ns = (uint64_t)c[2],
            .type = (uint8_t)c[3], .from_pc = (uint64_t)c[4], .to_pc = (uint64_t)c[5],
            .events = (uint8_t)c[6], .cause = (uint64_t)c[7], .fault_addr = (uint64_t)c[8],
            .syscall = (uint64_t)c[9], .to_level = (uint8_t)c[10], .from_level = (uint8_t)c[11],
            .has = (uint8_t)c[12], .depth = (uint32_t)c[13], .parent_seq = (uint64_t)c[14],
            .pairing = (uint8_t)c[15],
        };
        /* Its first event's to_pc is not kept: its row stores the trap's. */
        struct event_id first = {.rowid = c[16], .e = {.seq = t.seq, .vcpu = t.vcpu}};
        if (first.rowid && event_ids_open(ids, &first))
            rc = DISCON_DB_E_NOMEM;
        if (rc == 0)
            rc = discon_traps_reopen(d, &t) ? DISCON_DB_E_NOMEM : 0;
    }
    sqlite3_finalize(s);
    return rc;
}

int open_traps_drop(struct discon_db *db, int64_t trace)
{
    return discon_db_exec_trace(db, "DELETE FROM _discon_traps WHERE event IN"
                                    " (SELECT row FROM _discon_trap_open WHERE trace = ?1 AND row != 0);"
                                    " DELETE FROM _discon_trap_open WHERE trace = ?1", trace);
}
