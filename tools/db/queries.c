/* The queries discon-report reads a database with, in one place beside
 * the schema they read; their columns are the enums of discon_db.h. */
#include "discon_db.h"
#include "discon_types.h"

#include <stdio.h>

/* The trace's base of to_pc (DISCON_DB_TO_BASE), once per query. */
#define BASE "(SELECT to_pc_base FROM traces WHERE trace = ?1)"

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
        "SELECT vcpu, seq, time_ns, bits, from_pc, to_pc, cause, fault_addr, syscall,"
        " 0, rowid, pair, ret_dt, ret_from, ret_pack, " BASE ", seq"
        " FROM _discon_events WHERE trace = ?1"
        " UNION ALL SELECT vcpu, seq, time_ns, bits, from_pc, to_pc, cause, fault_addr, syscall,"
        " 2, rowid, pair, ret_dt, ret_from, ret_pack, " BASE ","
        " seq + (ret_pack >> " DISCON_DB_STR(DISCON_DB_RET_DSEQ) " & 31) + 1"
        " FROM _discon_events WHERE trace = ?1 AND ret_dt IS NOT NULL"
        " UNION ALL SELECT vcpu, first_seq, first_time_ns, 0, count, last_time_ns,"
        " NULL, NULL, NULL, 1, NULL, NULL, NULL, NULL, NULL, NULL, first_seq"
        " FROM losses WHERE trace = ?1"
        " ORDER BY 1, 17, 10 DESC",
    /* The stored event rows with rowids from ?2 up to ?3 (excluded),
     * unsorted: one batch of tools/db/event_batches.h, a seek in the
     * rowid b-tree and a scan. The rows go to an aggregate function in one
     * step, not out one step each: a function reads its arguments for
     * less than the column API (40% less for the whole batch, measured),
     * and it places each row by its rowid (an aggregate's order is not
     * SQLite's to promise). */
    [DISCON_DB_Q_EVENTS_RANGE] =
        "SELECT discon_batch_rows(vcpu, seq, time_ns, bits, from_pc, to_pc, cause, fault_addr,"
        " syscall, 0, rowid, pair, ret_dt, ret_from, ret_pack, " BASE ")"
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

/* A level code (DISCON_DB_LEVEL_WIDE of discon_db.h) at bit `shift` of
 * v, its wide value at bit `wide`, into *level and e->has. */
static void unpack_level(int64_t v, int shift, int wide, uint8_t has_bit, struct discon_event *e,
                         uint8_t *level)
{
    int64_t code = v >> shift & 7;
    if (code) {
        e->has |= has_bit;
        *level = (uint8_t)(code == DISCON_DB_LEVEL_WIDE ? v >> wide & 255 : code - 1);
    }
}

/* A zigzag field (0, -1, 1, -2, ...) as the difference it codes. */
static uint64_t unzigzag(uint64_t z)
{
    return z & 1 ? ~(z >> 1) : z >> 1;
}

static uint64_t value_u64(sqlite3_value *v)
{
    return (uint64_t)sqlite3_value_int64(v);
}

/* The RETURN folded into row e (its handler `to_pc`), from its
 * columns (tools/db/schema.c; DISCON_DB_RET_* of discon_db.h). */
static void unpack_return(sqlite3_value *const *v, const struct discon_event *e, uint64_t to_pc,
                          struct discon_event *ret)
{
    uint64_t pack = value_u64(v[DISCON_DB_ROW_RET_PACK]);
    uint64_t dto = unzigzag(pack >> DISCON_DB_RET_DTO & 31);
    *ret = (struct discon_event){
        .vcpu = e->vcpu, .type = DISCON_RETURN,
        .seq = e->seq + (pack >> DISCON_DB_RET_DSEQ & 31) + 1,
        .time_ns = e->time_ns + value_u64(v[DISCON_DB_ROW_RET_DT]),
        .from_pc = to_pc + value_u64(v[DISCON_DB_ROW_RET_FROM]),
    };
    ret->to_pc = (pack >> DISCON_DB_RET_FOLLOWS & 1 ? ret->from_pc : e->from_pc) + dto;
    /* No WIDE code here: such a RETURN is not folded. */
    unpack_level((int64_t)pack, DISCON_DB_RET_TO_LEVEL, 0, DISCON_HAS_TO_LEVEL, ret, &ret->to_level);
    unpack_level((int64_t)pack, DISCON_DB_RET_FROM_LEVEL, 0, DISCON_HAS_FROM_LEVEL, ret,
                 &ret->from_level);
}

/* Whether the RETURN folded into a row of type `type` is packed as the
 * loader packs one (tools/trace2sqlite/return_fold.c): ret_pack an
 * integer of its fields' bits only, no WIDE level code (such a RETURN
 * is not folded), FOLLOWS on a RETURN row only and only there. */
static bool return_packed(sqlite3_value *const *v, int64_t type)
{
    if (sqlite3_value_type(v[DISCON_DB_ROW_RET_PACK]) != SQLITE_INTEGER ||
        sqlite3_value_type(v[DISCON_DB_ROW_RET_FROM]) != SQLITE_INTEGER)
        return false;
    int64_t pack = sqlite3_value_int64(v[DISCON_DB_ROW_RET_PACK]);
    bool follows = pack >> DISCON_DB_RET_FOLLOWS & 1;
    return pack >= 0 && pack >> (DISCON_DB_RET_PARENT + 16) == 0 &&
           (pack >> DISCON_DB_RET_TO_LEVEL & 7) != DISCON_DB_LEVEL_WIDE &&
           (pack >> DISCON_DB_RET_FROM_LEVEL & 7) != DISCON_DB_LEVEL_WIDE &&
           follows == (type == DISCON_RETURN);
}

/* The delivery e[1] of the folded pair in row e[0] (tools/db/schema.c):
 * the row is the EXCEPTION, whose to_pc is its from_pc; the delivery goes
 * on to the stored handler and carries the cause fields its has bits
 * name, with this row's values. */
static void unpack_pair(sqlite3_value *const *v, int64_t bits, struct discon_event e[2])
{
    e[1] = e[0];
    e[0].to_pc = e[0].from_pc;
    e[1].seq = e[0].seq + 1;
    e[1].type = DISCON_INTERRUPT;
    uint64_t pair = value_u64(v[DISCON_DB_ROW_PAIR]);
    e[1].time_ns = e[0].time_ns + (pair >> DISCON_DB_PAIR_SHIFT);
    e[1].from_pc = e[0].from_pc + unzigzag(pair & ((1u << DISCON_DB_PAIR_SHIFT) - 1));
    e[1].has = e[0].has & (uint8_t)(bits >> DISCON_DB_BITS_PAIR_HAS & DISCON_HAS_ALL);
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
}

int discon_db_values_events(sqlite3_value *const *v, struct discon_event e[2],
                            struct discon_event *ret)
{
    int64_t bits = sqlite3_value_int64(v[DISCON_DB_ROW_BITS]);
    int64_t type = bits & DISCON_DB_BITS_TYPE;
    e[0] = (struct discon_event){
        .vcpu = (uint32_t)sqlite3_value_int64(v[DISCON_DB_ROW_VCPU]),
        .seq = value_u64(v[DISCON_DB_ROW_SEQ]),
        .time_ns = value_u64(v[DISCON_DB_ROW_TIME_NS]),
        .type = (uint8_t)type,
        .from_pc = value_u64(v[DISCON_DB_ROW_FROM_PC]),
        .to_pc = value_u64(v[DISCON_DB_ROW_TO_PC]),
    };
    e[0].to_pc = discon_db_to_pc((int64_t)e[0].to_pc, bits, e[0].from_pc,
                                 value_u64(v[DISCON_DB_ROW_TO_BASE]));
    /* The wide cause fields: a NULL column is a clear `has` bit (enum
     * discon_has), the bits in the order of the columns. (A type test per
     * value costs less than computing the bits in SQL.) */
    _Static_assert(DISCON_DB_ROW_FAULT_ADDR == DISCON_DB_ROW_CAUSE + 1 &&
                   DISCON_DB_ROW_SYSCALL == DISCON_DB_ROW_CAUSE + 2 &&
                   DISCON_HAS_FAULT_ADDR == 1u << 1 && DISCON_HAS_SYSCALL == 1u << 2,
                   "columns in the order of the has bits");
    uint64_t c[3] = {0};
    for (int i = 0; i < 3; i++) {
        if (sqlite3_value_type(v[DISCON_DB_ROW_CAUSE + i]) != SQLITE_NULL) {
            e[0].has |= (uint8_t)(1u << i);
            c[i] = value_u64(v[DISCON_DB_ROW_CAUSE + i]);
        }
    }
    e[0].cause = c[0];
    e[0].fault_addr = c[1];
    e[0].syscall = c[2];
    unpack_level(bits, DISCON_DB_BITS_TO_LEVEL, DISCON_DB_BITS_WIDE_TO, DISCON_HAS_TO_LEVEL, &e[0],
                 &e[0].to_level);
    unpack_level(bits, DISCON_DB_BITS_FROM_LEVEL, DISCON_DB_BITS_WIDE_FROM, DISCON_HAS_FROM_LEVEL,
                 &e[0], &e[0].from_level);
    ret->type = 0;
    bool folded = sqlite3_value_type(v[DISCON_DB_ROW_RET_DT]) != SQLITE_NULL;
    if (folded)
        unpack_return(v, &e[0], e[0].to_pc, ret);
    if (discon_type_index((unsigned)type) < 0)
        return -1;
    if ((bits >> DISCON_DB_BITS_TO_MODE & 3) > DISCON_DB_TO_BASE ||
        (folded && !return_packed(v, type)))
        return -2;
    if (sqlite3_value_type(v[DISCON_DB_ROW_PAIR]) == SQLITE_NULL)
        return 1;
    unpack_pair(v, bits, e);
    return e[0].type == DISCON_EXCEPTION ? 2 : -1;
}

int discon_db_row_events(sqlite3_stmt *s, struct discon_event e[2], struct discon_event *ret)
{
    sqlite3_value *v[DISCON_DB_ROW_COUNT];
    for (int i = 0; i < DISCON_DB_ROW_COUNT; i++)
        v[i] = sqlite3_column_value(s, i);
    return discon_db_values_events(v, e, ret);
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
