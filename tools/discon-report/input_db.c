/* Feeding a report from a trace2sqlite database, through the one database
 * module (tools/db): raw events are re-derived into traps with the same
 * rules as trace files (read by worker threads while this one feeds the
 * report: tools/db/event_batches.h), or counts are taken when the
 * database holds aggregates only. A file that is not a discon database of
 * this schema version is refused by discon_db_open_read. */
#include "completeness.h"
#include "discon_db.h"
#include "input_db_stored.h"
#include "printable.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int db_fail(struct db_input *in, int code)
{
    discon_db_message(&in->db, code, in->err, in->errlen);
    return -1;
}

int db_bad_row(struct db_input *in, int bad, int64_t type)
{
    if (bad == -2)
        snprintf(in->err, in->errlen, "%s: damaged event row: a packed field holds what no "
                 "trace2sqlite writes", in->db.path);
    else
        snprintf(in->err, in->errlen, "%s: event row of unknown type %lld", in->db.path,
                 (long long)type);
    return -1;
}

/* The end of a row loop: SQLITE_DONE, or what went wrong. */
static int rows_done(struct db_input *in, sqlite3_stmt *s, int step)
{
    sqlite3_finalize(s);
    if (step == SQLITE_DONE)
        return 0;
    snprintf(in->db.detail, sizeof in->db.detail, "%s", sqlite3_errmsg(in->db.sql));
    return db_fail(in, DISCON_DB_E_SQLITE);
}

static const char *text(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? (const char *)t : "";
}

/* The header and end record, as trace2sqlite stored them. */
static int trace_from_row(struct db_input *in, sqlite3_stmt *s)
{
    unsigned char id[16] = {0};
    const char *hex = text(s, DISCON_DB_TRACE_ID_HEX);
    for (size_t i = 0; i < sizeof id && 2 * i + 1 < strlen(hex) &&
                       sscanf(hex + 2 * i, "%2hhx", &id[i]) == 1; i++)
        ;
    Discon__ClockReference clock = DISCON__CLOCK_REFERENCE__INIT;
    clock.monotonic_ns = (uint64_t)sqlite3_column_int64(s, DISCON_DB_TRACE_CLOCK_MONO_NS);
    clock.realtime_ns = (uint64_t)sqlite3_column_int64(s, DISCON_DB_TRACE_CLOCK_REAL_NS);
    Discon__Header h = DISCON__HEADER__INIT;
    h.trace_id = (ProtobufCBinaryData){sizeof id, id};
    h.target = (char *)text(s, DISCON_DB_TRACE_TARGET);
    h.system_mode = sqlite3_column_int(s, DISCON_DB_TRACE_SYSTEM_MODE);
    h.vcpu_count = (uint32_t)sqlite3_column_int64(s, DISCON_DB_TRACE_VCPU_COUNT);
    h.host_name = (char *)text(s, DISCON_DB_TRACE_HOST);
    h.types = (uint32_t)sqlite3_column_int64(s, DISCON_DB_TRACE_TYPES); /* pairing, as the file's */
    h.plugin_options = (char *)text(s, DISCON_DB_TRACE_PLUGIN_OPTIONS);
    h.clock = &clock;
    if (report_header(in->r, &h))
        return db_fail(in, DISCON_DB_E_NOMEM);
    in->trace = sqlite3_column_int64(s, DISCON_DB_TRACE_ROW);
    in->r->complete.start_ns = clock.monotonic_ns;
    in->r->have_end = sqlite3_column_int(s, DISCON_DB_TRACE_ENDED);
    in->r->producer_finished = sqlite3_column_int(s, DISCON_DB_TRACE_PRODUCER_FINISHED);
    discon_printable(in->r->qemu_ended, sizeof in->r->qemu_ended,
                     text(s, DISCON_DB_TRACE_QEMU_ENDED));
    discon_printable(in->r->guest_ended, sizeof in->r->guest_ended,
                     text(s, DISCON_DB_TRACE_GUEST_ENDED));
    discon_printable(in->r->snapshot, sizeof in->r->snapshot, text(s, DISCON_DB_TRACE_SNAPSHOT));
    in->r->unrecorded = (uint64_t)sqlite3_column_int64(s, DISCON_DB_TRACE_UNRECORDED);
    in->seq_order = sqlite3_column_int(s, DISCON_DB_TRACE_SEQ_ORDER) == 1;
    return 0;
}

/* The one trace of the database: a report is on one trace. */
static int read_trace(struct db_input *in)
{
    sqlite3_stmt *s;
    int rc = discon_db_query(&in->db, DISCON_DB_Q_TRACE, &s);
    if (rc)
        return db_fail(in, rc);
    sqlite3_bind_text(s, 1, in->r->opt.trace ? in->r->opt.trace : "", -1, SQLITE_STATIC);
    int step = sqlite3_step(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return rows_done(in, s, step);
    if (step == SQLITE_DONE) {
        snprintf(in->err, in->errlen, "%s holds no trace%s%s", in->db.path,
                 in->r->opt.trace ? " of id " : "", in->r->opt.trace ? in->r->opt.trace : "");
        sqlite3_finalize(s);
        return -1;
    }
    int64_t traces = sqlite3_column_int64(s, DISCON_DB_TRACE_COUNT);
    if (traces > 1) {
        snprintf(in->err, in->errlen, "%s holds %lld traces%s: pick one with --trace ID "
                 "(traces.trace_id)", in->db.path, (long long)traces,
                 in->r->opt.trace ? " of that id" : "");
        sqlite3_finalize(s);
        return -1;
    }
    rc = trace_from_row(in, s);
    sqlite3_finalize(s);
    return rc;
}

static int read_vcpus(struct db_input *in)
{
    sqlite3_stmt *s;
    int rc = discon_db_query(&in->db, DISCON_DB_Q_VCPUS, &s), step;
    if (rc)
        return db_fail(in, rc);
    sqlite3_bind_int64(s, 1, in->trace);
    while ((step = sqlite3_step(s)) == SQLITE_ROW)
        report_vcpu_totals(in->r, (uint32_t)sqlite3_column_int64(s, DISCON_DB_VCPU_VCPU),
                           (uint64_t)sqlite3_column_int64(s, DISCON_DB_VCPU_PRODUCED),
                           (uint64_t)sqlite3_column_int64(s, DISCON_DB_VCPU_DROPPED),
                           (uint64_t)sqlite3_column_int64(s, DISCON_DB_VCPU_WRITTEN));
    return rows_done(in, s, step);
}

/* One row of DISCON_DB_Q_EVENTS into the report: 0, or -1 with err. An
 * event row's columns are read once, by discon_db_row_events. */
static int feed_row(struct db_input *in, sqlite3_stmt *s, uint64_t *raw)
{
    if (sqlite3_column_int(s, DISCON_DB_ROW_IS_LOSS) == 1) /* count in FROM, last time in TO */
        return db_report_loss(in, &(struct db_loss){
            .vcpu = (uint32_t)sqlite3_column_int64(s, DISCON_DB_ROW_VCPU),
            .first_seq = (uint64_t)sqlite3_column_int64(s, DISCON_DB_ROW_SEQ),
            .count = (uint64_t)sqlite3_column_int64(s, DISCON_DB_ROW_FROM_PC),
            .first_ns = (uint64_t)sqlite3_column_int64(s, DISCON_DB_ROW_TIME_NS),
            .last_ns = (uint64_t)sqlite3_column_int64(s, DISCON_DB_ROW_TO_PC)});
    struct discon_event e[2], ret;
    int n = discon_db_row_events(s, e, &ret);
    if (sqlite3_column_int(s, DISCON_DB_ROW_IS_LOSS) == 2 && n > 0) { /* at its place */
        e[0] = ret;
        n = ret.type == DISCON_RETURN ? 1 : -1;
    }
    if (n < 0)
        return db_bad_row(in, n,
                          sqlite3_column_int64(s, DISCON_DB_ROW_BITS) & DISCON_DB_BITS_TYPE);
    *raw += (uint64_t)n;
    return db_report_events(in, e, (size_t)n);
}

/* Raw events and losses, vCPU by vCPU in sequence order: the query sorts
 * them all (a database loaded out of order). */
static int read_events_sorted(struct db_input *in, uint64_t *raw)
{
    sqlite3_stmt *s;
    int rc = discon_db_query(&in->db, DISCON_DB_Q_EVENTS, &s), step;
    if (rc)
        return db_fail(in, rc);
    sqlite3_bind_int64(s, 1, in->trace);
    while ((step = sqlite3_step(s)) == SQLITE_ROW)
        if (feed_row(in, s, raw)) {
            sqlite3_finalize(s);
            return -1;
        }
    return rows_done(in, s, step);
}

/* Every loss record, by vCPU and first sequence number: *out (the caller
 * frees it), *n of them. 0, or -1 with err. */
static int read_losses(struct db_input *in, struct db_loss **out, size_t *n)
{
    sqlite3_stmt *s;
    int rc = discon_db_query(&in->db, DISCON_DB_Q_LOSSES, &s), step;
    if (rc)
        return db_fail(in, rc);
    sqlite3_bind_int64(s, 1, in->trace);
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            struct db_loss *grown = realloc(*out, cap * sizeof *grown);
            if (!grown) {
                sqlite3_finalize(s);
                return db_fail(in, DISCON_DB_E_NOMEM);
            }
            *out = grown;
        }
        (*out)[(*n)++] = (struct db_loss){
            .vcpu = (uint32_t)sqlite3_column_int64(s, DISCON_DB_LOSS_VCPU),
            .first_seq = (uint64_t)sqlite3_column_int64(s, DISCON_DB_LOSS_FIRST_SEQ),
            .count = (uint64_t)sqlite3_column_int64(s, DISCON_DB_LOSS_COUNT),
            .first_ns = (uint64_t)sqlite3_column_int64(s, DISCON_DB_LOSS_FIRST_NS),
            .last_ns = (uint64_t)sqlite3_column_int64(s, DISCON_DB_LOSS_LAST_NS),
        };
    }
    return rows_done(in, s, step);
}

static int read_events(struct db_input *in, uint64_t *raw)
{
    if (!in->seq_order)
        return read_events_sorted(in, raw);
    struct db_loss *losses;
    size_t n;
    if (read_losses(in, &losses, &n))
        return -1;
    int rc = db_feed_stored(in, losses, n, raw);
    free(losses);
    return rc;
}

/* The line saying which symbol files trace2sqlite stored, slid by what. */
static int read_symbol_files(struct db_input *in)
{
    struct report *r = in->r;
    sqlite3_stmt *s;
    int rc = discon_db_query(&in->db, DISCON_DB_Q_SYMBOL_FILES, &s), step;
    if (rc)
        return db_fail(in, rc);
    sqlite3_bind_int64(s, 1, in->trace);
    size_t files = 0, slid = 0;
    int64_t slide = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t v = sqlite3_column_int64(s, 0);
        files++;
        if (v != 0) {
            slid++;
            slide = v;
        }
    }
    if (rows_done(in, s, step))
        return -1;
    if (files) {
        snprintf(r->db_symbols_note, sizeof r->db_symbols_note,
                 "%zu file(s), KASLR slide 0x%llx on %zu (stored)", files,
                 (unsigned long long)slide, slid);
        r->opt.symbols_note = r->db_symbols_note;
    }
    return 0;
}

/* Without --symbols, the symbols trace2sqlite stored (already slid). */
static int read_symbols(struct db_input *in)
{
    struct report *r = in->r;
    sqlite3_stmt *s;
    int rc = discon_db_query(&in->db, DISCON_DB_Q_SYMBOLS, &s), step;
    if (rc)
        return db_fail(in, rc);
    sqlite3_bind_int64(s, 1, in->trace);
    while ((step = sqlite3_step(s)) == SQLITE_ROW)
        if (sqlite3_column_text(s, DISCON_DB_SYM_NAME) &&
            discon_symbols_add(&r->db_syms, (uint64_t)sqlite3_column_int64(s, DISCON_DB_SYM_ADDR),
                               (uint64_t)sqlite3_column_int64(s, DISCON_DB_SYM_END),
                               text(s, DISCON_DB_SYM_NAME))) {
            sqlite3_finalize(s);
            return db_fail(in, DISCON_DB_E_NOMEM);
        }
    if (rows_done(in, s, step))
        return -1;
    if (r->db_syms.n) {
        discon_symbols_sort(&r->db_syms);
        r->opt.syms = &r->db_syms;
    }
    return read_symbol_files(in);
}

/* An aggregate-only database: counts, no rows. */
static int read_aggregates(struct db_input *in)
{
    sqlite3_stmt *s;
    int rc = discon_db_query(&in->db, DISCON_DB_Q_AGGREGATES, &s), step;
    if (rc)
        return db_fail(in, rc);
    sqlite3_bind_int64(s, 1, in->trace);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        in->r->aggregate_only = true;
        int64_t type = sqlite3_column_int64(s, DISCON_DB_AGG_TYPE);
        if (report_trap_counts(in->r, sqlite3_column_int64(s, DISCON_DB_AGG_SECOND),
                               (uint32_t)sqlite3_column_int64(s, DISCON_DB_AGG_VCPU),
                               type < 0 || type > UINT8_MAX ? 0 : (uint8_t)type,
                               (uint64_t)sqlite3_column_int64(s, DISCON_DB_AGG_TO_PC),
                               (uint64_t)sqlite3_column_int64(s, DISCON_DB_AGG_COUNT),
                               sqlite3_column_int64(s, DISCON_DB_AGG_KIND))) {
            sqlite3_finalize(s);
            return db_fail(in, DISCON_DB_E_NOMEM);
        }
    }
    return rows_done(in, s, step);
}

int report_read_db(struct report *r, const char *path, char *err, size_t errlen)
{
    struct db_input in = {.r = r, .err = err, .errlen = errlen};
    int rc = discon_db_open_read(&in.db, path);
    if (rc)
        return db_fail(&in, rc);
    uint64_t raw = 0;
    rc = read_trace(&in);
    if (rc == 0)
        rc = read_vcpus(&in);
    if (rc == 0)
        rc = read_events(&in, &raw);
    if (rc == 0 && !r->opt.syms)
        rc = read_symbols(&in);
    if (rc == 0 && raw == 0)
        rc = read_aggregates(&in);
    if (rc == 0 && (rc = discon_db_completeness(&in.db, in.trace, &r->complete)) != 0)
        rc = db_fail(&in, rc);
    if (rc == 0 && report_finish(r))
        rc = db_fail(&in, DISCON_DB_E_NOMEM);
    discon_db_close(&in.db);
    free(in.next_seq);
    return rc;
}
