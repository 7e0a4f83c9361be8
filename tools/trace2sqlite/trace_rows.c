/* trace2sqlite: a trace's rows of traces and vcpus (see trace_rows.h). */
#include "trace_rows.h"

#include <stdio.h>

int trace_row(struct discon_db *db, const Discon__Header *h, const char *id_hex,
              int64_t *row)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "SELECT trace FROM traces WHERE trace_id = ?", &s);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, id_hex, -1, SQLITE_STATIC);
    *row = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (*row)
        return 0;
    rc = discon_db_prepare(db, "INSERT INTO traces(trace_id, target, system_mode, vcpu_count, host,"
                               " qemu_argv, plugin_options, mode, ring_capacity, clock_monotonic_ns,"
                               " clock_realtime_ns, trap_rule, types)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           &s);
    if (rc)
        return rc;
    char argv[4096] = "";
    for (size_t i = 0, used = 0; i < h->n_qemu_argv && used < sizeof argv; i++)
        used += (size_t)snprintf(argv + used, sizeof argv - used, "%s%s", i ? " " : "",
                                 h->qemu_argv[i]);
    sqlite3_bind_text(s, 1, id_hex, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, h->target, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, h->system_mode);
    sqlite3_bind_int64(s, 4, h->vcpu_count);
    sqlite3_bind_text(s, 5, h->host_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, argv, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, h->plugin_options, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, h->mode, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 9, h->ring_capacity);
    sqlite3_bind_int64(s, 10, h->clock ? (int64_t)h->clock->monotonic_ns : 0);
    sqlite3_bind_int64(s, 11, h->clock ? (int64_t)h->clock->realtime_ns : 0);
    sqlite3_bind_text(s, 12, discon_trap_rule_name(discon_trap_rule_for(h->target)), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(s, 13, h->types);
    rc = discon_db_step(db, s);
    sqlite3_finalize(s);
    *row = sqlite3_last_insert_rowid(db->sql);
    return rc;
}

int trace_row_end(struct discon_db *db, int64_t trace, const Discon__End *e)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "INSERT OR REPLACE INTO vcpus VALUES (?, ?, ?, ?, ?)", &s);
    for (size_t i = 0; i < e->n_vcpu && rc == 0; i++) {
        sqlite3_bind_int64(s, 1, trace);
        sqlite3_bind_int64(s, 2, e->vcpu[i]->vcpu);
        sqlite3_bind_int64(s, 3, (int64_t)e->vcpu[i]->produced);
        sqlite3_bind_int64(s, 4, (int64_t)e->vcpu[i]->dropped);
        sqlite3_bind_int64(s, 5, (int64_t)e->vcpu[i]->written);
        rc = discon_db_step(db, s);
    }
    sqlite3_finalize(s);
    if (rc == 0)
        rc = discon_db_prepare(db, "UPDATE traces SET ended = 1, producer_finished = ?,"
                                   " unrecorded = ?, qemu_ended = NULLIF(?, ''),"
                                   " guest_ended = NULLIF(?, ''), snapshot = NULLIF(?, '')"
                                   " WHERE trace = ?", &s);
    if (rc)
        return rc;
    sqlite3_bind_int(s, 1, e->producer_finished);
    sqlite3_bind_int64(s, 2, (int64_t)e->unrecorded);
    sqlite3_bind_text(s, 3, e->qemu_ended ? e->qemu_ended : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, e->guest_ended ? e->guest_ended : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, e->snapshot ? e->snapshot : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, trace);
    rc = discon_db_step(db, s);
    sqlite3_finalize(s);
    return rc;
}
