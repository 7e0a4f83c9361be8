/* The queries discon-report reads a database with, in one place beside
 * the schema they read; their columns are the enums of discon_db.h. */
#include "discon_db.h"

#include <stdio.h>

static const char *const queries[] = {
    [DISCON_DB_Q_TRACE] =
        "SELECT trace, trace_id, target, system_mode, vcpu_count, host,"
        " clock_monotonic_ns, clock_realtime_ns, ended, producer_finished,"
        " unrecorded, (SELECT COUNT(*) FROM traces WHERE trace_id LIKE ?1 || '%'), types,"
        " plugin_options, qemu_ended FROM traces WHERE trace_id LIKE ?1 || '%' ORDER BY trace"
        " LIMIT 1",
    [DISCON_DB_Q_VCPUS] = "SELECT vcpu, produced, dropped, written FROM vcpus WHERE trace = ?1",
    /* The last column sorts a loss before the event with its sequence
     * number, as the trace files have it. */
    [DISCON_DB_Q_EVENTS] =
        "SELECT vcpu, seq, time_ns, type, from_pc, to_pc, cause, fault_addr, syscall,"
        " to_level, from_level, 0 FROM events WHERE trace = ?1"
        " UNION ALL SELECT vcpu, first_seq, first_time_ns, 0, count, last_time_ns,"
        " NULL, NULL, NULL, NULL, NULL, 1 FROM losses WHERE trace = ?1 ORDER BY 1, 2, 12 DESC",
    [DISCON_DB_Q_SYMBOLS] = "SELECT addr, end_addr, name FROM symbols WHERE trace = ?1",
    [DISCON_DB_Q_AGGREGATES] =
        "SELECT second, vcpu, type, to_pc, count, kind FROM trap_agg WHERE trace = ?1",
    [DISCON_DB_Q_SYMBOL_FILES] =
        "SELECT slide FROM symbol_files WHERE trace = ?1 ORDER BY file_index",
};

int discon_db_query(struct discon_db *db, enum discon_db_query q, sqlite3_stmt **out)
{
    *out = NULL;
    if ((unsigned)q >= sizeof queries / sizeof queries[0]) {
        snprintf(db->detail, sizeof db->detail, "no query %d", (int)q);
        return DISCON_DB_E_SQLITE;
    }
    return discon_db_prepare(db, queries[q], out);
}
