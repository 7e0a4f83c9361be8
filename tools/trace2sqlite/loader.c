/* trace2sqlite: trace records into rows (see loader.h). */
#include "loader.h"
#include "trap_callbacks.h"
#include "event_rows.h"
#include "loaded_files.h"
#include "open_traps.h"
#include "pending.h"
#include "removed.h"
#include "trace_rows.h"
#include "trap_rows.h"
#include "tool_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keep the first failure: later ones are its consequences. */
int loader_fail(struct loader *l, int code)
{
    if (!l->failed)
        discon_db_message(l->db, code, l->err, sizeof l->err);
    l->failed = true;
    return -1;
}

/* A window's edge in seconds, exact and in one canonical form ("1",
 * "0.127182999"): two loads compare their windows by this text
 * (loaded_files.h), so it must not round. */
static void edge_text(int64_t ns, bool open, char *buf, size_t len)
{
    if (open) {
        snprintf(buf, len, "%s", ns < 0 ? "0" : "inf");
        return;
    }
    int n = snprintf(buf, len, "%lld.%09lld", (long long)(ns / 1000000000),
                     (long long)(ns % 1000000000));
    while (n > 0 && (size_t)n < len && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && (size_t)n < len && buf[n - 1] == '.')
        buf[n - 1] = '\0';
}

int loader_init(struct loader *l, struct discon_db *db, bool aggregate, struct discon_window span)
{
    memset(l, 0, sizeof *l);
    l->db = db;
    l->aggregate = aggregate;
    l->span = span;
    int k = snprintf(l->kept, sizeof l->kept, "%s", aggregate ? "aggregate" : "all");
    if (span.from_ns != INT64_MIN || span.to_ns != INT64_MAX) {
        char from[32], to[32];
        edge_text(span.from_ns, span.from_ns == INT64_MIN, from, sizeof from);
        edge_text(span.to_ns, span.to_ns == INT64_MAX, to, sizeof to);
        snprintf(l->kept + k, sizeof l->kept - (size_t)k, " from %s to %s", from, to);
    }
    int rc = row_batch_open(&l->event_rows, db, "_discon_events(rowid, trace, vcpu, seq,"
                            " time_ns, from_pc, to_pc, bits, cause, fault_addr, syscall, pair,"
                            " ret_dt, ret_from, ret_pack)", EVENT_COLS);
    if (rc == 0)
        rc = row_batch_open(&l->trap_rows, db, "_discon_traps", TRAP_COLS);
    if (rc == 0)
        rc = trap_agg_open(&l->agg, db);
    if (rc == 0)
        rc = discon_db_prepare(db, "INSERT INTO losses VALUES (?, ?, ?, ?, ?, ?)", &l->ins_loss);
    if (rc == 0)
        rc = discon_db_prepare(db, "INSERT INTO unmatched_returns VALUES (?, ?, ?, ?, ?, ?)",
                               &l->ins_unmatched);
    if (rc == 0)
        rc = discon_db_prepare(db, "UPDATE _discon_events SET bits = (bits & ~"
                               DISCON_DB_STR(DISCON_DB_BITS_TRAP) ") | ?2"
                               " WHERE rowid = ?1", &l->set_kind);
    return rc ? loader_fail(l, rc) : 0;
}

void loader_free(struct loader *l)
{
    row_batch_close(&l->event_rows);
    row_batch_close(&l->trap_rows);
    trap_agg_close(&l->agg);
    sqlite3_finalize(l->ins_loss);
    sqlite3_finalize(l->ins_unmatched);
    sqlite3_finalize(l->set_kind);
    event_rows_free(l);
    stored_ranges_free(&l->ranges);
    resume_seq_free(&l->resume);
    if (l->have_deriver)
        discon_traps_free(&l->deriver);
    event_ids_free(&l->ids);
    free(l->traces_seen);
    l->traces_seen = NULL;
    free(l->rederive);
    l->rederive = NULL;
}

static int seq_disorder_save(struct discon_db *db, int64_t trace)
{
    return discon_db_exec_trace(db, "UPDATE traces SET seq_order = 0 WHERE trace = ?1", trace);
}

/* One integer from `sql` with ?1 bound to `arg`: *v, 0 or _E_SQLITE. */
static int select_int(struct discon_db *db, const char *sql, int64_t arg, int64_t *v)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(db, sql, &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, arg);
    *v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return 0;
}

/* ---- files ------------------------------------------------------------- */

/* Rows are inserted without their rowid (event_rows.c): SQLite gave each
 * one more than the largest, so the last is l->next_rowid - 1, or every
 * key the traps were given would be wrong. 0 or DISCON_DB_E_SQLITE. */
static int rowids_as_counted(struct loader *l)
{
    int64_t last = 0;
    int rc = select_int(l->db, "SELECT ifnull(MAX(rowid), 0) + ?1 FROM _discon_events", 0, &last);
    if (rc == 0 && last != l->next_rowid - 1) {
        snprintf(l->db->detail, sizeof l->db->detail, "events were given rowids up to %lld, "
                 "not %lld as counted", (long long)last, (long long)(l->next_rowid - 1));
        rc = DISCON_DB_E_SQLITE;
    }
    return rc;
}

int loader_end_file(struct loader *l)
{
    if (!l->in_file)
        return 0;
    l->in_file = false;
    /* The deriver saves its waiting exception with the rowid of its row. */
    int rc = l->aggregate ? 0 : event_rows_release(l, UINT32_MAX);
    if (rc == 0)
        rc = row_batch_flush(&l->event_rows);
    if (rc == 0)
        rc = rowids_as_counted(l);
    if (rc == 0)
        rc = row_batch_flush(&l->trap_rows);
    if (rc == 0 && l->aggregate)
        rc = trap_agg_flush(&l->agg, l->trace);
    if (rc == 0)
        rc = loaded_file_done(l->db, l->trace, l->file_index, (int64_t)l->frame_off,
                              l->file_damaged);
    if (rc == 0 && l->have_deriver)
        rc = pending_save(l->db, l->trace, &l->deriver, &l->ids);
    if (rc == 0 && l->have_deriver && l->deriver.paired)
        rc = open_traps_save(l);
    if (rc == 0)
        rc = row_batch_flush(&l->trap_rows); /* the provisional rows */
    if (rc == 0)
        rc = stored_ranges_save(&l->ranges, l->db, l->trace);
    if (rc == 0 && l->seq_disorder)
        rc = seq_disorder_save(l->db, l->trace);
    if (rc == 0)
        rc = discon_db_exec(l->db, "COMMIT");
    if (rc == 0)
        return 0;
    loader_fail(l, rc);
    sqlite3_exec(l->db->sql, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int loader_start_deriver(struct loader *l, int64_t trace, const Discon__Header *h, uint64_t t0)
{
    if (l->have_deriver) {
        discon_traps_free(&l->deriver);
        l->have_deriver = false;
    }
    l->trace = trace;
    event_ids_free(&l->ids); /* the rowids of first events are fed again with the events */
    event_rows_free(l);      /* released at the end of the last file */
    discon_traps_init(&l->deriver, discon_trap_rule_for(h->target), loader_on_trap, l);
    if (discon_trace_has_returns(h))
        discon_traps_pair(&l->deriver, loader_on_trap_end, loader_on_unmatched);
    discon_trap_namer_init(&l->namer, h->target, NULL);
    l->have_deriver = true;
    l->t0 = t0;
    return 0;
}

/* A header of another trace than the last one: a fresh deriver, fed the
 * halves of pairs an earlier load of this trace left waiting. */
static int begin_trace(struct loader *l, int64_t trace, const Discon__Header *h)
{
    loader_start_deriver(l, trace, h, h->clock ? h->clock->monotonic_ns : 0);
    /* Events stored by an earlier run: whether this run's follow them in
     * sequence order is not checked, so the reader sorts. */
    int64_t before = 0;
    int rc = select_int(l->db, "SELECT EXISTS(SELECT 1 FROM _discon_events WHERE trace = ?1)", trace,
                        &before);
    if (rc)
        return loader_fail(l, rc);
    l->seq_disorder = before != 0;
    int64_t has_base = 0, base = 0;
    rc = select_int(l->db, "SELECT to_pc_base IS NOT NULL FROM traces WHERE trace = ?1", trace,
                    &has_base);
    if (rc == 0)
        rc = select_int(l->db, "SELECT ifnull(to_pc_base, 0) FROM traces WHERE trace = ?1", trace,
                        &base);
    if (rc)
        return loader_fail(l, rc);
    l->has_to_base = has_base != 0;
    l->to_base = (uint64_t)base;
    rc = pending_restore(l->db, trace, &l->deriver, &l->ids);
    if (rc == 0)
        rc = open_traps_restore(l->db, trace, &l->deriver, &l->ids);
    if (rc == 0)
        rc = resume_seq_load(&l->resume, l->db, trace);
    if (rc)
        return loader_fail(l, rc);
    int64_t *seen = realloc(l->traces_seen, (l->ntraces_seen + 1) * sizeof *seen);
    if (!seen)
        return loader_fail(l, DISCON_DB_E_NOMEM);
    l->traces_seen = seen;
    l->traces_seen[l->ntraces_seen++] = trace;
    return 0;
}

/* A file that comes before one of its trace already loaded: its traps are
 * derived again from every event at the end (rederive.h). Only a load
 * that keeps every row has the events for that. */
static int out_of_order(struct loader *l, const char *path, int64_t file_index)
{
    if (strcmp(l->kept, "all") != 0) {
        sqlite3_exec(l->db->sql, "ROLLBACK", NULL, NULL, NULL);
        l->in_file = false;
        snprintf(l->err, sizeof l->err, "%s (file %lld of its trace) comes after a later file "
                 "of the trace was loaded, and this load keeps '%s', not every event: the "
                 "traps cannot be derived again; load the files in index order", path,
                 (long long)file_index, l->kept);
        l->failed = true;
        return -1;
    }
    for (size_t i = 0; i < l->nrederive; i++)
        if (l->rederive[i] == l->trace)
            return 0;
    int64_t *r = realloc(l->rederive, (l->nrederive + 1) * sizeof *r);
    if (!r)
        return loader_fail(l, DISCON_DB_E_NOMEM);
    l->rederive = r;
    l->rederive[l->nrederive++] = l->trace;
    return 0;
}

/* A file loaded before, whole, or a load that would mix what is kept:
 * skipped, or refused (see loaded_files.h). */
static int file_seen_before(struct loader *l, const char *path, int seen,
                            const struct loaded_file *before)
{
    sqlite3_exec(l->db->sql, "ROLLBACK", NULL, NULL, NULL);
    l->in_file = false;
    if (seen == LOADED_FILE_AGAIN)
        return DISCON_READ_SKIP_FILE; /* the same file again: add nothing */
    if (seen == LOADED_FILE_OTHER_KEPT)
        snprintf(l->err, sizeof l->err, "%s: its trace was loaded keeping '%s', this load keeps "
                 "'%s': the rows of the two could not be told apart; load the trace into a new "
                 "database", path, before->kept, l->kept);
    else
        snprintf(l->err, sizeof l->err, "%s was loaded before while %s (%lld bytes read, now "
                 "%lld): load the trace into a new database", path,
                 before->damaged ? "damaged" : "longer than now",
                 (long long)before->bytes_then, (long long)before->bytes_now);
    l->failed = true;
    return -1;
}

static int on_header(void *ctx, const char *path, const Discon__Header *h)
{
    struct loader *l = ctx;
    if (loader_end_file(l))
        return -1;
    char id[33];
    discon_trace_id_hex(h, id);
    if (!discon_trace_selected(l->only_trace, id)) {
        l->other_files++;
        return DISCON_READ_SKIP_FILE;
    }
    int rc = discon_db_exec(l->db, "BEGIN");
    if (rc)
        return loader_fail(l, rc);
    l->in_file = true;
    int64_t trace = 0;
    rc = trace_row(l->db, h, id, &trace);
    if (rc)
        return loader_fail(l, rc);
    if ((trace != l->trace || !l->have_deriver) && begin_trace(l, trace, h))
        return -1;
    if (l->deriver.paired && (rc = open_traps_drop(l->db, trace)) != 0)
        return loader_fail(l, rc);
    if ((rc = removed_store(l->db, trace, h)) != 0)
        return loader_fail(l, rc);
    struct loaded_file before;
    int seen = loaded_file_begin(l->db, trace, h->file_index, path, l->kept, &before);
    if (seen < 0)
        return loader_fail(l, seen);
    if (seen != LOADED_FILE_NEW && seen != LOADED_FILE_GROWN)
        return file_seen_before(l, path, seen, &before);
    if (before.later_loaded && out_of_order(l, path, h->file_index))
        return -1;
    l->file_damaged = DISCON_DB_FILE_INTACT;
    l->file_index = h->file_index;
    l->resume_from = seen == LOADED_FILE_GROWN ? (uint64_t)before.bytes_then : 0;
    l->frame_off = l->file_size = 0;
    rc = select_int(l->db, "SELECT ifnull(MAX(rowid), 0) + ?1 FROM _discon_events", 1,
                    &l->next_rowid);
    if (rc)
        return loader_fail(l, rc);
    snprintf(l->file_path, sizeof l->file_path, "%s", path);
    return 0;
}

/* ---- records ------------------------------------------------------------ */

/* Missing events end what was open on the vCPU, as a loss does: no pair
 * and no return is matched across them. 0, or -1 with l->err. */
static int break_vcpu(struct loader *l, uint32_t vcpu)
{
    int rc = l->aggregate ? 0 : event_rows_release(l, vcpu);
    if (rc)
        return loader_fail(l, rc);
    return discon_traps_break(&l->deriver, vcpu) ? loader_fail(l, DISCON_DB_E_NOMEM) : 0;
}

/* Each event is stored (or held, event_rows.h), then fed to the deriver:
 * a trap it completes is keyed by the rowid of its first event, which
 * event_ids then knows. */
static int on_events(void *ctx, const struct discon_event *ev, size_t n)
{
    struct loader *l = ctx;
    if (!l->in_file)
        return DISCON_READ_SKIP_FILE; /* events before any header: nothing to attach them to */
    if (l->frame_off < l->resume_from)
        return 0; /* loaded by an earlier run, up to where it read */
    for (size_t i = 0; i < n; i++) {
        if (l->resume.n && resume_seq_jumps(&l->resume, ev[i].vcpu, ev[i].seq) &&
            break_vcpu(l, ev[i].vcpu))
            return -1;
        int rc = l->aggregate ? 0 : ev[i].type == DISCON_RETURN && l->deriver.paired
                                        ? loader_feed_return(l, &ev[i])
                                        : event_rows_add(l, &ev[i], loader_in_window(l, ev[i].time_ns));
        if (rc)
            return loader_fail(l, rc);
        /* A failing trap callback has said why; otherwise memory ran out. */
        if (ev[i].type != DISCON_RETURN || !l->deriver.paired || l->aggregate)
            if (discon_traps_feed(&l->deriver, &ev[i], 1))
                return loader_fail(l, DISCON_DB_E_NOMEM);
    }
    l->events += n;
    return 0;
}

static int on_loss(void *ctx, const Discon__Loss *loss)
{
    struct loader *l = ctx;
    if (!l->in_file)
        return DISCON_READ_SKIP_FILE;
    if (l->frame_off < l->resume_from)
        return 0; /* loaded by an earlier run, up to where it read */
    if (l->resume.n) /* the loss breaks the pairing anyway */
        resume_seq_jumps(&l->resume, loss->vcpu, loss->first_seq);
    int rc = l->aggregate ? 0 : event_rows_release(l, loss->vcpu);
    if (rc)
        return loader_fail(l, rc);
    sqlite3_stmt *s = l->ins_loss;
    sqlite3_bind_int64(s, 1, l->trace);
    sqlite3_bind_int64(s, 2, loss->vcpu);
    sqlite3_bind_int64(s, 3, (int64_t)loss->first_seq);
    sqlite3_bind_int64(s, 4, (int64_t)loss->count);
    sqlite3_bind_int64(s, 5, (int64_t)loss->first_time_ns);
    sqlite3_bind_int64(s, 6, (int64_t)loss->last_time_ns);
    rc = discon_db_step(l->db, s);
    if (rc)
        return loader_fail(l, rc);
    return discon_traps_break(&l->deriver, loss->vcpu) ? loader_fail(l, DISCON_DB_E_NOMEM) : 0;
}

static int on_end(void *ctx, const Discon__End *e)
{
    struct loader *l = ctx;
    if (!l->in_file)
        return DISCON_READ_SKIP_FILE;
    if (l->frame_off < l->resume_from)
        return 0; /* loaded by an earlier run, up to where it read */
    int rc = l->aggregate ? 0 : event_rows_release(l, UINT32_MAX);
    if (rc)
        return loader_fail(l, rc);
    if (discon_traps_finish(&l->deriver)) /* the trace is complete */
        return loader_fail(l, DISCON_DB_E_NOMEM);
    rc = trace_row_end(l->db, l->trace, e);
    return rc ? loader_fail(l, rc) : 0;
}

/* Damage that runs to the end of the file is a frame not yet whole (a
 * file still being written, or cut short): the file is loaded up to it
 * and marked so (DISCON_DB_FILE_TAIL: damaged as it stands, as the files'
 * reader says, yet a later load reads on from there). Other damage marks
 * it damaged for good. */
static void on_damage(void *ctx, const struct discon_damage *d)
{
    struct loader *l = ctx;
    if (l->in_file && l->file_size && d->offset + d->length == l->file_size &&
        d->code != DISCON_E_EMPTY) {
        fprintf(stderr, "trace2sqlite: %s: loaded up to byte %llu; the %llu bytes after it are "
                "no whole frame yet (still being written?): loading it again adds them\n",
                d->path, (unsigned long long)d->offset, (unsigned long long)d->length);
        if (l->file_damaged == DISCON_DB_FILE_INTACT)
            l->file_damaged = DISCON_DB_FILE_TAIL;
        return;
    }
    l->file_damaged = DISCON_DB_FILE_DAMAGED;
    fprintf(stderr, "trace2sqlite: %s: damaged data at offset %llu (%llu bytes skipped): %s\n",
            d->path, (unsigned long long)d->offset, (unsigned long long)d->length, d->what);
}

static void on_gap(void *ctx, uint32_t vcpu, uint64_t expected, uint64_t got)
{
    struct loader *l = ctx;
    fprintf(stderr, "trace2sqlite: vCPU %u: sequence jumps from %llu to %llu (data missing)\n",
            vcpu, (unsigned long long)expected, (unsigned long long)got);
    if (l->in_file && l->have_deriver)
        break_vcpu(l, vcpu);
}

static void on_progress(void *ctx, const char *path, uint64_t offset, uint64_t size)
{
    (void)path;
    struct loader *l = ctx;
    l->frame_off = offset; /* where the next frame starts: all before it is read */
    l->file_size = size;
    progress_update(&l->progress, offset, size, l->events);
}

struct discon_reader_ops loader_ops(struct loader *l)
{
    return (struct discon_reader_ops){
        .ctx = l, .header = on_header, .events = on_events, .loss = on_loss, .end = on_end,
        .damage = on_damage, .gap = on_gap, .progress = on_progress,
    };
}
