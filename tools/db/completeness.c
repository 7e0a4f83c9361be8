/* A database trace's completeness (see completeness.h). */
#include "completeness.h"

#include <string.h>

static int step_all(struct discon_db *db, const char *sql, int64_t trace,
                    void (*row)(struct discon_completeness *c, sqlite3_stmt *s),
                    struct discon_completeness *c)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, sql, &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW)
        row(c, s);
    sqlite3_finalize(s);
    return step == SQLITE_DONE ? 0 : DISCON_DB_E_SQLITE;
}

static void file_row(struct discon_completeness *c, sqlite3_stmt *s)
{
    discon_complete_file(c, (uint32_t)sqlite3_column_int64(s, 0));
    c->damaged += sqlite3_column_int(s, 1) != 0;
    const char *kept = (const char *)sqlite3_column_text(s, 2);
    if (kept && strcmp(kept, "all") != 0) {
        c->events_unknown = true;
        c->unknown_why = strncmp(kept, "aggregate", 9) == 0
                             ? "counts only: events not compared with the end record"
                             : "loaded with a window: events not compared with the end record";
    }
}

static void end_row(struct discon_completeness *c, sqlite3_stmt *s)
{
    c->have_end = sqlite3_column_int(s, 0) != 0;
    c->producer_finished = sqlite3_column_int(s, 1) != 0;
    c->start_ns = (uint64_t)sqlite3_column_int64(s, 2);
    c->snapshot_mid_run = discon_snapshot_mid_run((const char *)sqlite3_column_text(s, 3));
}

static void removed_row(struct discon_completeness *c, sqlite3_stmt *s)
{
    if (sqlite3_column_type(s, 0) != SQLITE_NULL)
        discon_complete_removed(c, (uint32_t)sqlite3_column_int64(s, 0));
}

static void removed_vcpu_row(struct discon_completeness *c, sqlite3_stmt *s)
{
    discon_complete_removed_vcpu(c, (uint32_t)sqlite3_column_int64(s, 0),
                                 (uint64_t)sqlite3_column_int64(s, 1),
                                 (uint64_t)sqlite3_column_int64(s, 2),
                                 (uint64_t)sqlite3_column_int64(s, 3),
                                 (uint64_t)sqlite3_column_int64(s, 4));
}

static void vcpu_row(struct discon_completeness *c, sqlite3_stmt *s)
{
    struct discon_vcpu_read *v = discon_complete_vcpu(c, (uint32_t)sqlite3_column_int64(s, 0));
    if (!v)
        return;
    v->has_totals = true;
    v->produced = (uint64_t)sqlite3_column_int64(s, 1);
    v->dropped = (uint64_t)sqlite3_column_int64(s, 2);
    v->written = (uint64_t)sqlite3_column_int64(s, 3);
}

/* Events or losses of one vCPU: count, first sequence, one past the last. */
static void range_row(struct discon_completeness *c, sqlite3_stmt *s, bool events)
{
    struct discon_vcpu_read *v = discon_complete_vcpu(c, (uint32_t)sqlite3_column_int64(s, 0));
    if (!v) {
        c->beyond += events ? (uint64_t)sqlite3_column_int64(s, 1) : 0;
        return;
    }
    uint64_t n = (uint64_t)sqlite3_column_int64(s, 1), first = (uint64_t)sqlite3_column_int64(s, 2),
             end = (uint64_t)sqlite3_column_int64(s, 3);
    if (events) {
        v->events += n;
        v->first_ns = (uint64_t)sqlite3_column_int64(s, 4);
    } else {
        v->lost += n;
    }
    if (!v->seen || first < v->first_seq)
        v->first_seq = first;
    if (!v->seen || end > v->end_seq)
        v->end_seq = end;
    v->seen = true;
}
static void event_row(struct discon_completeness *c, sqlite3_stmt *s) { range_row(c, s, true); }
static void loss_row(struct discon_completeness *c, sqlite3_stmt *s) { range_row(c, s, false); }

/* The sequence gaps of one vCPU by the reader's definition (the gap
 * callback of trace_reader.h, schema/trace_paths.c): each event or loss
 * whose first sequence number is not where the vCPU's previous one ended
 * is one gap, so a vCPU missing two runs has two; with file 0 loaded its
 * first is checked against 0. Sequence numbers are stored as their signed
 * twins: the order puts the non-negative ones (below 2^63) first. */
static int count_gaps(struct discon_db *db, int64_t trace, uint32_t vcpu, bool from_zero,
                      uint64_t *gaps)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, "SELECT first, n FROM (SELECT seq AS first, 1 AS n FROM events"
                                   " WHERE trace = ?1 AND vcpu = ?2 UNION ALL SELECT first_seq,"
                                   " count FROM losses WHERE trace = ?1 AND vcpu = ?2)"
                                   " ORDER BY first < 0, first", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, trace);
    sqlite3_bind_int64(s, 2, vcpu);
    bool have = from_zero;
    uint64_t next = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        uint64_t first = (uint64_t)sqlite3_column_int64(s, 0);
        *gaps += have && first != next;
        next = first + (uint64_t)sqlite3_column_int64(s, 1);
        have = true;
    }
    sqlite3_finalize(s);
    return step == SQLITE_DONE ? 0 : DISCON_DB_E_SQLITE;
}

int discon_db_completeness(struct discon_db *db, int64_t trace, struct discon_completeness *c)
{
    int rc = step_all(db, "SELECT file_index, damaged, kept FROM files WHERE trace = ?"
                          " ORDER BY file_index", trace, file_row, c);
    if (rc == 0)
        rc = step_all(db, "SELECT ended, producer_finished, clock_monotonic_ns, snapshot FROM traces"
                          " WHERE trace = ?", trace,
                      end_row, c);
    if (rc == 0)
        rc = step_all(db, "SELECT removed_last_file FROM traces WHERE trace = ?", trace,
                      removed_row, c);
    if (rc == 0)
        rc = step_all(db, "SELECT vcpu, first_seq, end_seq, first_time_ns, last_time_ns"
                          " FROM removed WHERE trace = ?", trace, removed_vcpu_row, c);
    if (rc == 0)
        rc = step_all(db, "SELECT vcpu, produced, dropped, written FROM vcpus WHERE trace = ?",
                      trace, vcpu_row, c);
    if (rc == 0 && !c->events_unknown)
        rc = step_all(db, "SELECT vcpu, events, first_seq, end_seq, first_time_ns"
                          " FROM _discon_vcpu_events WHERE trace = ?", trace, event_row, c);
    if (rc == 0 && !c->events_unknown)
        rc = step_all(db, "SELECT vcpu, SUM(count), MIN(first_seq), MAX(first_seq + count)"
                          " FROM losses WHERE trace = ? GROUP BY vcpu", trace, loss_row, c);
    /* Only a vCPU whose events and losses do not fill their range, or that
     * does not start at sequence 0 with file 0 loaded, can have a gap:
     * the others cost no scan. */
    bool from_zero = c->any_file && c->first_file == 0;
    for (uint32_t i = 0; rc == 0 && !c->events_unknown && i < c->nvcpus; i++) {
        const struct discon_vcpu_read *v = &c->vcpu[i];
        if (v->seen && (v->events + v->lost != v->end_seq - v->first_seq ||
                        (from_zero && v->first_seq != 0)))
            rc = count_gaps(db, trace, i, from_zero, &c->gaps);
    }
    return rc;
}
