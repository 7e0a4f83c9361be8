/* trace2sqlite's work, from its parsed options (see options.h). */
#include "completeness.h"
#include "discon_db.h"
#include "loader.h"
#include "options.h"
#include "rederive.h"
#include "symbol_load.h"
#include "trap_names.h"

#include <stdio.h>

/* After every file is read: indexes, symbols, then the x86 trap kinds that
 * need those symbols (trap_names.h). 0, or -1 with l->err. */
static int finish(const struct t2s_options *o, const struct discon_symbol_files *syms,
                  struct loader *l)
{
    int rc = discon_db_create_indexes(l->db, o->row_indexes);
    if (rc) {
        discon_db_message(l->db, rc, l->err, sizeof l->err);
        return -1;
    }
    if (syms->n && symbols_store(l->db, syms, &o->kaslr, l->traces_seen, l->ntraces_seen,
                                    l->err, sizeof l->err))
        return -1;
    return trap_names_from_symbols(l->db, l->traces_seen, l->ntraces_seen, l->err,
                                   sizeof l->err);
}

/* Each trace loaded now: its completeness by the one rule (completeness.h)
 * into traces.complete, _since_ns and _why, and said on stderr. 0, 3 if
 * one is incomplete, or -1 with l->err. */
static int judge(struct loader *l)
{
    int status = 0;
    for (size_t i = 0; i < l->ntraces_seen; i++) {
        struct discon_completeness c;
        discon_complete_init(&c);
        char why[384];
        uint64_t since = 0;
        int rc = discon_db_completeness(l->db, l->traces_seen[i], &c);
        enum discon_complete_verdict v = discon_complete_verdict(&c, &since, why, sizeof why);
        discon_complete_free(&c);
        sqlite3_stmt *s;
        if (rc == 0)
            rc = discon_db_prepare(l->db, "UPDATE traces SET complete = ?, complete_since_ns = ?,"
                                          " complete_why = ? WHERE trace = ?", &s);
        if (rc) {
            discon_db_message(l->db, rc, l->err, sizeof l->err);
            return -1;
        }
        sqlite3_bind_int(s, 1, (int)v);
        if (v == DISCON_COMPLETE_SINCE)
            sqlite3_bind_int64(s, 2, (int64_t)since);
        sqlite3_bind_text(s, 3, why, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, l->traces_seen[i]);
        rc = discon_db_step(l->db, s);
        sqlite3_finalize(s);
        if (rc) {
            discon_db_message(l->db, rc, l->err, sizeof l->err);
            return -1;
        }
        if (v != DISCON_COMPLETE)
            fprintf(stderr, "trace2sqlite: the trace is %s: %s\n",
                    v == DISCON_COMPLETE_SINCE ? "complete since a time" : "incomplete", why);
        if (v == DISCON_INCOMPLETE)
            status = 3;
    }
    return status;
}

/* Read every input through the loader; the exit status. */
static int load(const struct t2s_options *o, const struct discon_symbol_files *syms,
                struct loader *l)
{
    struct discon_reader_ops ops = loader_ops(l);
    progress_init(&l->progress, o->paths, o->npaths);
    struct discon_read_stats st = {0};
    char err[512];
    int read = discon_read_paths(o->paths, o->npaths, &ops, &st, err, sizeof err);
    progress_end(&l->progress);
    if (l->failed || loader_end_file(l) || rederive_traces(l) ||
        (read >= 0 && finish(o, syms, l))) {
        fprintf(stderr, "trace2sqlite: %s\n", l->err);
        return 1;
    }
    if (read < 0) {
        fprintf(stderr, "trace2sqlite: %s\n", err);
        return 1;
    }
    fprintf(stderr, "trace2sqlite: %llu events from %llu file(s) read%s\n",
            (unsigned long long)l->events, (unsigned long long)st.files,
            read == DISCON_READ_DAMAGED ? "; some data was damaged (see above)" : "");
    if (o->trace && l->ntraces_seen == 0) {
        fprintf(stderr, "trace2sqlite: no trace %s in the input\n", o->trace);
        return 1;
    }
    if (l->other_files)
        fprintf(stderr, "trace2sqlite: %llu file(s) of other traces skipped (--trace %s)\n",
                (unsigned long long)l->other_files, o->trace);
    int judged = judge(l);
    if (judged < 0) {
        fprintf(stderr, "trace2sqlite: %s\n", l->err);
        return 1;
    }
    return read == DISCON_READ_DAMAGED || judged == 3 ? 3 : 0;
}

/* The probe's callbacks: a file's first packet shows it is a trace; the
 * rest of it is the load's to read (and its damage the load's to report). */
static int probe_header(void *ctx, const char *path, const Discon__Header *h)
{
    (void)ctx; (void)path; (void)h;
    return DISCON_READ_SKIP_FILE;
}
static int probe_batch(void *ctx, const Discon__EventBatch *b, size_t n)
{
    (void)ctx; (void)b; (void)n;
    return DISCON_READ_SKIP_FILE;
}
static int probe_loss(void *ctx, const Discon__Loss *loss)
{
    (void)ctx; (void)loss;
    return DISCON_READ_SKIP_FILE;
}
static int probe_end(void *ctx, const Discon__End *e)
{
    (void)ctx; (void)e;
    return DISCON_READ_SKIP_FILE;
}

/*
 * Every input opened and recognised (a directory: each of its *.discon
 * files) and the symbol file parsed, before the database is created or
 * touched: a missing file, a device, a directory without traces, a file
 * that is no trace or a bad symbol file then leaves no half-made database
 * behind. 0 with *syms loaded (every --symbols file), or -1 after a line
 * on stderr.
 */
static int check_inputs(const struct t2s_options *o, struct discon_symbol_files *syms)
{
    struct discon_reader_ops probe = {
        .header = probe_header, .batch = probe_batch, .loss = probe_loss, .end = probe_end,
    };
    struct discon_read_stats st = {0};
    char err[512];
    if (discon_read_paths(o->paths, o->npaths, &probe, &st, err, sizeof err) < 0 ||
        discon_symbol_files_load(syms, o->symbols.path, o->symbols.n, err, sizeof err) != 0) {
        fprintf(stderr, "trace2sqlite: %s\n", err);
        return -1;
    }
    return 0;
}

int t2s_run(const struct t2s_options *o)
{
    struct discon_symbol_files syms = {0};
    if (check_inputs(o, &syms)) {
        discon_symbol_files_free(&syms);
        return 1;
    }
    struct discon_db db;
    int rc = discon_db_open_write(&db, o->db_path);
    if (rc) {
        char msg[512];
        fprintf(stderr, "trace2sqlite: %s\n", discon_db_message(&db, rc, msg, sizeof msg));
        discon_symbol_files_free(&syms);
        return 1;
    }
    struct loader l;
    int status = 1;
    if (loader_init(&l, &db, o->aggregate, o->span) == 0) {
        l.only_trace = o->trace;
        status = load(o, &syms, &l);
    }
    else
        fprintf(stderr, "trace2sqlite: %s\n", l.err);
    loader_free(&l);
    discon_db_close(&db);
    discon_symbol_files_free(&syms);
    return status;
}
