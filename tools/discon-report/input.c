/* Feeding a report from trace files (streamed through the one reader) or
 * from a trace2sqlite database (raw events re-derived with the same rules,
 * or counts when the database holds aggregates only). */
#include "report.h"
#include "trace_reader.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)
#define SAY(...) snprintf(err, errlen, __VA_ARGS__)

struct file_ctx {
    struct report *r;
    char first_id[33];
    int other_trace;
};

static int f_header(void *ctx, const char *path, const Discon__Header *h)
{
    (void)path;
    struct file_ctx *c = ctx;
    char id[33] = "";
    for (size_t i = 0; i < h->trace_id.len && i < 16; i++)
        snprintf(id + 2 * i, 3, "%02x", h->trace_id.data[i]);
    if (!c->first_id[0])
        memcpy(c->first_id, id, sizeof id);
    else if (strcmp(id, c->first_id) != 0) {
        c->other_trace = 1;
        return -1;
    }
    return report_header(c->r, h);
}

static int f_events(void *ctx, const struct discon_event *ev, size_t n)
{
    return report_events(((struct file_ctx *)ctx)->r, ev, n);
}

static int f_loss(void *ctx, const Discon__Loss *l)
{
    return report_loss(((struct file_ctx *)ctx)->r, l->vcpu, l->first_seq, l->count,
                       l->first_time_ns, l->last_time_ns);
}

static int f_end(void *ctx, const Discon__End *e)
{
    struct report *r = ((struct file_ctx *)ctx)->r;
    r->have_end = true;
    r->producer_finished = e->producer_finished;
    r->unrecorded = e->unrecorded;
    for (size_t i = 0; i < e->n_vcpu; i++)
        report_vcpu_totals(r, e->vcpu[i]->vcpu, e->vcpu[i]->produced, e->vcpu[i]->dropped,
                           e->vcpu[i]->written);
    return 0;
}

static void f_damage(void *ctx, const struct discon_damage *d)
{
    ((struct file_ctx *)ctx)->r->damaged++;
    fprintf(stderr, "discon-report: %s: damaged data at offset %llu (%llu bytes skipped): %s\n",
            d->path, (unsigned long long)d->offset, (unsigned long long)d->length, d->what);
}

static void f_gap(void *ctx, uint32_t vcpu, uint64_t expected, uint64_t got)
{
    ((struct file_ctx *)ctx)->r->gaps++;
    fprintf(stderr, "discon-report: vCPU %u: sequence jumps from %llu to %llu (data missing)\n",
            vcpu, (unsigned long long)expected, (unsigned long long)got);
}

int report_read_files(struct report *r, char *const *paths, int n, char *err, size_t errlen)
{
    struct file_ctx c = {.r = r};
    struct discon_reader_ops ops = {
        .ctx = &c, .header = f_header, .events = f_events, .loss = f_loss, .end = f_end,
        .damage = f_damage, .gap = f_gap,
    };
    struct discon_read_stats st = {0};
    int rc = discon_read_paths(paths, n, &ops, &st, err, errlen);
    if (c.other_trace)
        return FAIL("the inputs hold more than one trace; report on one at a time");
    if (rc < 0)
        return -1;
    if (!r->have_header)
        return FAIL("no trace header found in the input");
    return report_finish(r) ? FAIL("out of memory") : rc == DISCON_READ_DAMAGED ? 3 : 0;
}

/* ---- database ------------------------------------------------------------- */

static int db_query(sqlite3 *db, const char *q, sqlite3_stmt **s, char *err, size_t errlen)
{
    if (sqlite3_prepare_v2(db, q, -1, s, NULL) != SQLITE_OK)
        return FAIL("not a trace2sqlite database (%s)", sqlite3_errmsg(db));
    return 0;
}

int report_read_db(struct report *r, const char *path, char *err, size_t errlen)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        SAY("cannot open %s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    sqlite3_stmt *s = NULL;
    int rc = -1;
    int64_t trace = 0;
    if (db_query(db, "SELECT trace, trace_id, target, system_mode, vcpu_count, host,"
                     " clock_monotonic_ns, clock_realtime_ns, complete, producer_finished,"
                     " unrecorded, (SELECT COUNT(*) FROM traces) FROM traces LIMIT 1",
                 &s, err, errlen))
        goto out;
    if (sqlite3_step(s) != SQLITE_ROW) {
        SAY("%s holds no trace", path);
        goto out;
    }
    if (sqlite3_column_int64(s, 11) > 1) {
        SAY("%s holds %lld traces; report on one at a time", path,
             (long long)sqlite3_column_int64(s, 11));
        goto out;
    }
    trace = sqlite3_column_int64(s, 0);
    {
        /* The header as trace2sqlite stored it. */
        char id_bytes[16] = {0};
        const char *hex = (const char *)sqlite3_column_text(s, 1);
        size_t hexlen = hex ? strlen(hex) : 0;
        for (size_t i = 0; i < 16 && 2 * i + 1 < hexlen &&
                           sscanf(hex + 2 * i, "%2hhx", &id_bytes[i]) == 1; i++)
            ;
        Discon__ClockReference clock = DISCON__CLOCK_REFERENCE__INIT;
        clock.monotonic_ns = (uint64_t)sqlite3_column_int64(s, 6);
        clock.realtime_ns = (uint64_t)sqlite3_column_int64(s, 7);
        Discon__Header h = DISCON__HEADER__INIT;
        h.trace_id = (ProtobufCBinaryData){16, (uint8_t *)id_bytes};
        h.target = sqlite3_column_text(s, 2) ? (char *)sqlite3_column_text(s, 2) : "";
        h.system_mode = sqlite3_column_int(s, 3);
        h.vcpu_count = (uint32_t)sqlite3_column_int64(s, 4);
        h.host_name = sqlite3_column_text(s, 5) ? (char *)sqlite3_column_text(s, 5) : "";
        h.clock = &clock;
        report_header(r, &h);
        r->have_end = sqlite3_column_int(s, 8);
        r->producer_finished = sqlite3_column_int(s, 9);
        r->unrecorded = (uint64_t)sqlite3_column_int64(s, 10);
    }
    sqlite3_finalize(s);
    s = NULL;

    if (db_query(db, "SELECT vcpu, produced, dropped, written FROM vcpus", &s, err, errlen))
        goto out;
    while (sqlite3_step(s) == SQLITE_ROW)
        report_vcpu_totals(r, (uint32_t)sqlite3_column_int64(s, 0),
                           (uint64_t)sqlite3_column_int64(s, 1), (uint64_t)sqlite3_column_int64(s, 2),
                           (uint64_t)sqlite3_column_int64(s, 3));
    sqlite3_finalize(s);
    s = NULL;

    /* Raw events, vCPU by vCPU in sequence order, with the losses between. */
    if (db_query(db, "SELECT vcpu, seq, time_ns, type, from_pc, to_pc, cause, 0 FROM events"
                     " UNION ALL SELECT vcpu, first_seq, first_time_ns, 0, count, last_time_ns,"
                     " 0, 1 FROM losses ORDER BY 1, 2, 8 DESC",
                 &s, err, errlen))
        goto out;
    uint64_t raw = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        uint32_t vcpu = (uint32_t)sqlite3_column_int64(s, 0);
        if (sqlite3_column_int(s, 7)) {
            if (report_loss(r, vcpu, (uint64_t)sqlite3_column_int64(s, 1),
                            (uint64_t)sqlite3_column_int64(s, 4),
                            (uint64_t)sqlite3_column_int64(s, 2),
                            (uint64_t)sqlite3_column_int64(s, 5)))
                goto oom;
            continue;
        }
        struct discon_event e = {
            .vcpu = vcpu, .seq = (uint64_t)sqlite3_column_int64(s, 1),
            .time_ns = (uint64_t)sqlite3_column_int64(s, 2),
            .type = (uint8_t)sqlite3_column_int(s, 3),
            .from_pc = (uint64_t)sqlite3_column_int64(s, 4),
            .to_pc = (uint64_t)sqlite3_column_int64(s, 5),
            .cause = (uint32_t)sqlite3_column_int64(s, 6),
        };
        if (discon_type_index(e.type) < 0) {
            SAY("%s: event of unknown type %u", path, e.type);
            goto out;
        }
        raw++;
        if (report_events(r, &e, 1))
            goto oom;
    }
    if (step != SQLITE_DONE) {
        SAY("%s: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_finalize(s);
    s = NULL;

    /* Without --symbols, the symbols trace2sqlite stored (already slid). */
    if (!r->opt.syms) {
        if (db_query(db, "SELECT addr, end_addr, name FROM symbols", &s, err, errlen))
            goto out;
        while (sqlite3_step(s) == SQLITE_ROW)
            if (sqlite3_column_text(s, 2) &&
                discon_symbols_add(&r->db_syms, (uint64_t)sqlite3_column_int64(s, 0),
                                   (uint64_t)sqlite3_column_int64(s, 1),
                                   (const char *)sqlite3_column_text(s, 2)))
                goto oom;
        sqlite3_finalize(s);
        s = NULL;
        if (r->db_syms.n) {
            discon_symbols_sort(&r->db_syms);
            r->opt.syms = &r->db_syms;
        }
    }

    if (raw == 0) { /* aggregate-only database: counts, no rows */
        if (db_query(db, "SELECT second, vcpu, type, to_pc, count FROM trap_agg", &s, err, errlen))
            goto out;
        while (sqlite3_step(s) == SQLITE_ROW) {
            r->aggregate_only = true;
            if (report_trap_counts(r, sqlite3_column_int64(s, 0), (uint32_t)sqlite3_column_int64(s, 1),
                                   (uint8_t)sqlite3_column_int(s, 2),
                                   (uint64_t)sqlite3_column_int64(s, 3),
                                   (uint64_t)sqlite3_column_int64(s, 4)))
                goto oom;
        }
    }
    rc = report_finish(r) ? -1 : 0;
    if (rc)
        SAY("out of memory");
    (void)trace;
    goto out;
oom:
    SAY("out of memory");
out:
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rc;
}
