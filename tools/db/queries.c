/* The queries discon-report reads a database with, in one place beside
 * the schema they read; their columns are the enums of discon_db.h. */
#include "discon_db.h"
#include "discon_types.h"

#include <stdio.h>

static const char *const queries[] = {
    [DISCON_DB_Q_TRACE] =
        "SELECT trace, trace_id, target, system_mode, vcpu_count, host,"
        " clock_monotonic_ns, clock_realtime_ns, ended, producer_finished,"
        " unrecorded, (SELECT COUNT(*) FROM traces WHERE trace_id LIKE ?1 || '%'), types,"
        " plugin_options, seq_order, qemu_ended, guest_ended, snapshot FROM traces"
        " WHERE trace_id LIKE ?1 || '%' ORDER BY trace LIMIT 1",
    [DISCON_DB_Q_VCPUS] = "SELECT vcpu, produced, dropped, written FROM vcpus WHERE trace = ?1",
    /* The last column sorts a loss before the event with its sequence
     * number, as the trace files have it. */
    [DISCON_DB_Q_EVENTS] =
        "SELECT vcpu, seq, time_ns, type, from_pc, to_pc, cause, fault_addr, syscall,"
        " to_level, from_level, 0, rowid, pair_dt, pair_dpc, pair_has FROM _discon_events"
        " WHERE trace = ?1"
        " UNION ALL SELECT vcpu, first_seq, first_time_ns, 0, count, last_time_ns,"
        " NULL, NULL, NULL, NULL, NULL, 1, NULL, NULL, NULL, NULL FROM losses WHERE trace = ?1"
        " ORDER BY 1, 2, 12 DESC",
    /* The stored event rows with rowids from ?2 up to ?3 (excluded),
     * unsorted: one batch of tools/db/event_batches.h, a seek in the
     * rowid b-tree and a scan. The rows go to an aggregate function in one
     * step, not out one step each: a function reads its arguments for
     * less than the column API (40% less for the whole batch, measured),
     * and it places each row by its rowid (an aggregate's order is not
     * SQLite's to promise). */
    [DISCON_DB_Q_EVENTS_RANGE] =
        "SELECT discon_batch_rows(vcpu, seq, time_ns, type, from_pc, to_pc, cause, fault_addr,"
        " syscall, to_level, from_level, 0, rowid, pair_dt, pair_dpc, pair_has)"
        " FROM _discon_events WHERE rowid >= ?2 AND rowid < ?3 AND trace = ?1",
    /* Two lookups at the ends of the rowid b-tree (one min() and one max()
     * per SELECT: SQLite reads a lone one from the b-tree's end). */
    [DISCON_DB_Q_EVENT_ROWIDS] = ("SELECT (SELECT min(rowid) FROM _discon_events),"
                                  " (SELECT max(rowid) FROM _discon_events)"),
    /* (Parenthesized: clang's -Wstring-concatenation takes a two-line
     * literal among entries built with a macro for a missing comma.) */
    [DISCON_DB_Q_LOSSES] = ("SELECT vcpu, first_seq, count, first_time_ns, last_time_ns"
                            " FROM losses WHERE trace = ?1 ORDER BY vcpu, first_seq"),
    [DISCON_DB_Q_SYMBOLS] = "SELECT addr, end_addr, name FROM symbols WHERE trace = ?1",
    [DISCON_DB_Q_AGGREGATES] =
        "SELECT second, vcpu, type, to_pc, count, kind FROM trap_agg WHERE trace = ?1",
    [DISCON_DB_Q_SYMBOL_FILES] =
        "SELECT slide FROM symbol_files WHERE trace = ?1 ORDER BY file_index",
};

int discon_db_values_events(sqlite3_value *const *v, struct discon_event e[2])
{
    int64_t type = sqlite3_value_int64(v[DISCON_DB_ROW_TYPE]);
    e[0] = (struct discon_event){
        .vcpu = (uint32_t)sqlite3_value_int64(v[DISCON_DB_ROW_VCPU]),
        .seq = (uint64_t)sqlite3_value_int64(v[DISCON_DB_ROW_SEQ]),
        .time_ns = (uint64_t)sqlite3_value_int64(v[DISCON_DB_ROW_TIME_NS]),
        .type = (uint8_t)type,
        .from_pc = (uint64_t)sqlite3_value_int64(v[DISCON_DB_ROW_FROM_PC]),
        .to_pc = (uint64_t)sqlite3_value_int64(v[DISCON_DB_ROW_TO_PC]),
    };
    /* The cause fields: a NULL column is a clear `has` bit (enum
     * discon_has), the bits in the order of the columns. (A type test per
     * value costs less than computing the bits in SQL.) */
    _Static_assert(DISCON_DB_ROW_FAULT_ADDR == DISCON_DB_ROW_CAUSE + 1 &&
                   DISCON_DB_ROW_FROM_LEVEL == DISCON_DB_ROW_CAUSE + 4 &&
                   DISCON_HAS_FAULT_ADDR == 1u << 1 && DISCON_HAS_SYSCALL == 1u << 2 &&
                   DISCON_HAS_ALL == (1u << 5) - 1, "columns in the order of the has bits");
    uint64_t c[5] = {0};
    for (int i = 0; i < 5; i++) {
        if (sqlite3_value_type(v[DISCON_DB_ROW_CAUSE + i]) != SQLITE_NULL) {
            e[0].has |= (uint8_t)(1u << i);
            c[i] = (uint64_t)sqlite3_value_int64(v[DISCON_DB_ROW_CAUSE + i]);
        }
    }
    e[0].cause = c[0];
    e[0].fault_addr = c[1];
    e[0].syscall = c[2];
    e[0].to_level = (uint8_t)c[3];
    e[0].from_level = (uint8_t)c[4];
    if (type < 0 || type > UINT8_MAX || discon_type_index((unsigned)type) < 0)
        return -1;
    if (sqlite3_value_type(v[DISCON_DB_ROW_PAIR_DT]) == SQLITE_NULL)
        return 1;
    /* A folded pair (tools/db/schema.c): the row is the EXCEPTION, whose
     * to_pc is its from_pc; the delivery goes on to the stored handler
     * and carries the cause fields pair_has names, with this row's values. */
    e[1] = e[0];
    e[0].to_pc = e[0].from_pc;
    e[1].seq = e[0].seq + 1;
    e[1].type = DISCON_INTERRUPT;
    e[1].time_ns = e[0].time_ns + (uint64_t)sqlite3_value_int64(v[DISCON_DB_ROW_PAIR_DT]);
    e[1].from_pc = e[0].from_pc + (uint64_t)sqlite3_value_int64(v[DISCON_DB_ROW_PAIR_DPC]);
    e[1].has = e[0].has & (uint8_t)sqlite3_value_int64(v[DISCON_DB_ROW_PAIR_HAS]);
    if (!(e[1].has & DISCON_HAS_CAUSE))
        e[1].cause = 0;
    if (!(e[1].has & DISCON_HAS_FAULT_ADDR))
        e[1].fault_addr = 0;
    if (!(e[1].has & DISCON_HAS_SYSCALL))
        e[1].syscall = 0;
    if (!(e[1].has & DISCON_HAS_TO_LEVEL))
        e[1].to_level = 0;
    if (!(e[1].has & DISCON_HAS_FROM_LEVEL))
        e[1].from_level = 0;
    return e[0].type == DISCON_EXCEPTION ? 2 : -1;
}

int discon_db_row_events(sqlite3_stmt *s, struct discon_event e[2])
{
    sqlite3_value *v[DISCON_DB_ROW_PAIR_HAS + 1];
    for (int i = 0; i <= DISCON_DB_ROW_PAIR_HAS; i++)
        v[i] = sqlite3_column_value(s, i);
    return discon_db_values_events(v, e);
}

int discon_db_query(struct discon_db *db, enum discon_db_query q, sqlite3_stmt **out)
{
    *out = NULL;
    if ((unsigned)q >= sizeof queries / sizeof queries[0]) {
        snprintf(db->detail, sizeof db->detail, "no query %d", (int)q);
        return DISCON_DB_E_SQLITE;
    }
    return discon_db_prepare(db, queries[q], out);
}
