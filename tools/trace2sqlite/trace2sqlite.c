/*
 * trace2sqlite: load discon trace files into SQLite for SQL queries.
 *   trace2sqlite -o DB [--symbols FILE] [--kaslr-offset HEX|auto]
 *                [--aggregate-only] [--from SEC] [--to SEC] FILE|DIR...
 * Loading a file twice adds nothing; new files of a trace append to it.
 */
#define _GNU_SOURCE
#include "db_schema.h"
#include "number_option.h"
#include "symbols.h"
#include "trace_reader.h"
#include "traps.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: trace2sqlite -o DB [options] FILE|DIR...\n"
    "Load discon trace files (or directories of them) into the SQLite database DB.\n"
    "\n"
    "  -o, --output DB          database to create or append to\n"
    "      --symbols FILE       System.map, /proc/kallsyms text, or an ELF file\n"
    "      --kaslr-offset OFF   add OFF (hex) to every symbol, or 'auto': find it\n"
    "                           by matching a known handler symbol in the trace\n"
    "      --aggregate-only     store counts per second, vCPU, type and handler\n"
    "                           instead of raw events and traps\n"
    "      --from SEC, --to SEC keep raw events (and traps) in this window,\n"
    "                           in seconds from the start of the trace\n"
    "      --index              also index events and traps by vCPU, sequence and\n"
    "                           time (slower to load, faster to look up)\n"
    "  -h, --help               this help\n";

struct agg_key {
    int64_t second;
    uint32_t vcpu;
    uint32_t type;
    uint64_t to_pc;
};

/* Rows of 8 integers inserted ROWS_PER_INSERT at a time: one statement
 * step per many rows is what makes bulk loading fast in SQLite. */
#define ROWS_PER_INSERT 64
#define COLS 8
struct row_batch {
    sqlite3_stmt *many, *one;
    int64_t v[ROWS_PER_INSERT][COLS];
    int n;
};

struct loader {
    sqlite3 *db;
    struct row_batch event_rows, trap_rows;
    sqlite3_stmt *ins_loss, *ins_agg;
    bool aggregate;
    double from_s, to_s;
    /* the trace being loaded */
    int64_t trace;
    uint64_t t0;
    bool in_file, skip_file;
    bool file_damaged;
    char file_path[4096];
    struct discon_trap_deriver deriver;
    bool have_deriver;
    int64_t *traces_seen;
    size_t ntraces_seen;
    /* --aggregate-only: open-addressing counts, flushed per file */
    struct agg_key *agg_key;
    uint64_t *agg_count;
    size_t agg_cap, agg_n;
    /* progress: bytes of the inputs read so far, of total */
    bool tty;
    uint64_t events, done_bytes, total_bytes, file_bytes;
    int last_percent;
    int failed;
    char err[512];
};

static int sql(struct loader *l, const char *q)
{
    char *msg = NULL;
    if (sqlite3_exec(l->db, q, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(l->err, sizeof l->err, "sqlite: %s", msg ? msg : "error");
        sqlite3_free(msg);
        l->failed = 1;
        return -1;
    }
    return 0;
}

static sqlite3_stmt *prepare(struct loader *l, const char *q)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(l->db, q, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        snprintf(l->err, sizeof l->err, "sqlite: %s", sqlite3_errmsg(l->db));
        l->failed = 1;
    }
    return s;
}

static int step(struct loader *l, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        snprintf(l->err, sizeof l->err, "sqlite: %s", sqlite3_errmsg(l->db));
        l->failed = 1;
        return -1;
    }
    return 0;
}

/* ---- bulk rows ------------------------------------------------------------ */

static int batch_open(struct loader *l, struct row_batch *b, const char *table)
{
    char q[8192];
    int len = snprintf(q, sizeof q, "INSERT INTO %s VALUES ", table);
    for (int r = 0; r < ROWS_PER_INSERT; r++)
        len += snprintf(q + len, sizeof q - (size_t)len, "%s(?,?,?,?,?,?,?,?)", r ? "," : "");
    b->many = prepare(l, q);
    snprintf(q, sizeof q, "INSERT INTO %s VALUES (?,?,?,?,?,?,?,?)", table);
    b->one = prepare(l, q);
    return b->many && b->one ? 0 : -1;
}

static int batch_flush(struct loader *l, struct row_batch *b)
{
    if (b->n == ROWS_PER_INSERT) {
        for (int r = 0; r < b->n; r++)
            for (int c = 0; c < COLS; c++)
                sqlite3_bind_int64(b->many, r * COLS + c + 1, b->v[r][c]);
        b->n = 0;
        return step(l, b->many);
    }
    for (int r = 0; r < b->n; r++) {
        for (int c = 0; c < COLS; c++)
            sqlite3_bind_int64(b->one, c + 1, b->v[r][c]);
        if (step(l, b->one))
            return -1;
    }
    b->n = 0;
    return 0;
}

static int batch_add(struct loader *l, struct row_batch *b, int64_t c0, int64_t c1, int64_t c2,
                     int64_t c3, int64_t c4, int64_t c5, int64_t c6, int64_t c7)
{
    int64_t *row = b->v[b->n++];
    row[0] = c0, row[1] = c1, row[2] = c2, row[3] = c3;
    row[4] = c4, row[5] = c5, row[6] = c6, row[7] = c7;
    return b->n == ROWS_PER_INSERT ? batch_flush(l, b) : 0;
}

static void batch_close(struct row_batch *b)
{
    sqlite3_finalize(b->many);
    sqlite3_finalize(b->one);
}

/* ---- aggregation -------------------------------------------------------- */

static uint64_t agg_hash(const struct agg_key *k)
{
    uint64_t h = (uint64_t)k->second * 0x9e3779b97f4a7c15u ^ k->to_pc * 0xc2b2ae3d27d4eb4fu;
    return h ^ ((uint64_t)k->vcpu << 8 | k->type) * 0x165667b19e3779f9u;
}

static int agg_flush(struct loader *l)
{
    for (size_t i = 0; i < l->agg_cap; i++) {
        if (!l->agg_count[i])
            continue;
        const struct agg_key *k = &l->agg_key[i];
        sqlite3_bind_int64(l->ins_agg, 1, l->trace);
        sqlite3_bind_int64(l->ins_agg, 2, k->second);
        sqlite3_bind_int64(l->ins_agg, 3, k->vcpu);
        sqlite3_bind_int64(l->ins_agg, 4, k->type);
        sqlite3_bind_int64(l->ins_agg, 5, (int64_t)k->to_pc);
        sqlite3_bind_int64(l->ins_agg, 6, (int64_t)l->agg_count[i]);
        if (step(l, l->ins_agg))
            return -1;
        l->agg_count[i] = 0;
    }
    l->agg_n = 0;
    return 0;
}

static int agg_add(struct loader *l, const struct agg_key *k)
{
    if (l->agg_n * 2 >= l->agg_cap && l->agg_cap >= (1u << 20) && agg_flush(l))
        return -1;
    if (l->agg_n * 2 >= l->agg_cap) {
        size_t cap = l->agg_cap ? l->agg_cap * 2 : 4096;
        struct agg_key *keys = calloc(cap, sizeof *keys);
        uint64_t *counts = calloc(cap, sizeof *counts);
        if (!keys || !counts) {
            free(keys);
            free(counts);
            snprintf(l->err, sizeof l->err, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < l->agg_cap; i++) {
            if (!l->agg_count[i])
                continue;
            size_t j = agg_hash(&l->agg_key[i]) & (cap - 1);
            while (counts[j])
                j = (j + 1) & (cap - 1);
            keys[j] = l->agg_key[i];
            counts[j] = l->agg_count[i];
        }
        free(l->agg_key);
        free(l->agg_count);
        l->agg_key = keys;
        l->agg_count = counts;
        l->agg_cap = cap;
    }
    size_t j = agg_hash(k) & (l->agg_cap - 1);
    while (l->agg_count[j] && memcmp(&l->agg_key[j], k, sizeof *k) != 0)
        j = (j + 1) & (l->agg_cap - 1);
    if (!l->agg_count[j]) {
        l->agg_key[j] = *k;
        l->agg_n++;
    }
    l->agg_count[j]++;
    return 0;
}

/* ---- traps ------------------------------------------------------------- */

static bool in_window(const struct loader *l, uint64_t time_ns)
{
    double s = ((double)time_ns - (double)l->t0) / 1e9;
    return s >= l->from_s && s < l->to_s;
}

static int on_trap(void *ctx, const struct discon_trap *t)
{
    struct loader *l = ctx;
    if (!in_window(l, t->time_ns))
        return 0;
    if (l->aggregate) {
        struct agg_key k = {
            .second = (int64_t)floor(((double)t->time_ns - (double)l->t0) / 1e9),
            .vcpu = t->vcpu, .type = t->type, .to_pc = t->to_pc,
        };
        return agg_add(l, &k);
    }
    return batch_add(l, &l->trap_rows, l->trace, t->vcpu, (int64_t)t->seq, (int64_t)t->time_ns,
                     t->type, (int64_t)t->from_pc, (int64_t)t->to_pc, t->events);
}

/* Pending x86 exceptions outlive a load of an incomplete trace: they are
 * stored and picked up when its next file is appended. */
static int save_pending(struct loader *l)
{
    if (!l->have_deriver)
        return 0;
    int rc = 0;
    char q[128];
    snprintf(q, sizeof q, "DELETE FROM trap_pending WHERE trace = %lld", (long long)l->trace);
    rc = sql(l, q);
    sqlite3_stmt *s = prepare(l, "INSERT INTO trap_pending VALUES (?, ?, ?, ?, ?)");
    for (uint32_t v = 0; rc == 0 && s && v < l->deriver.nvcpus; v++) {
        if (!l->deriver.has_pending[v])
            continue;
        const struct discon_event *e = &l->deriver.pending[v];
        sqlite3_bind_int64(s, 1, l->trace);
        sqlite3_bind_int64(s, 2, v);
        sqlite3_bind_int64(s, 3, (int64_t)e->seq);
        sqlite3_bind_int64(s, 4, (int64_t)e->time_ns);
        sqlite3_bind_int64(s, 5, (int64_t)e->from_pc);
        rc = step(l, s);
    }
    sqlite3_finalize(s);
    return s ? rc : -1;
}

static int restore_pending(struct loader *l)
{
    sqlite3_stmt *s = prepare(l, "SELECT vcpu, seq, time_ns, from_pc FROM trap_pending WHERE trace = ?");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, l->trace);
    int rc = 0;
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        struct discon_event e = {
            .vcpu = (uint32_t)sqlite3_column_int64(s, 0), .seq = (uint64_t)sqlite3_column_int64(s, 1),
            .time_ns = (uint64_t)sqlite3_column_int64(s, 2),
            .from_pc = (uint64_t)sqlite3_column_int64(s, 3), .type = 2,
        };
        e.to_pc = e.from_pc;
        rc = discon_traps_feed(&l->deriver, &e, 1);
    }
    sqlite3_finalize(s);
    return rc;
}

/* ---- files ------------------------------------------------------------- */

static int end_file(struct loader *l)
{
    if (!l->in_file)
        return 0;
    l->in_file = false;
    int rc = batch_flush(l, &l->event_rows) || batch_flush(l, &l->trap_rows) ? -1 : 0;
    if (rc == 0 && l->aggregate)
        rc = agg_flush(l);
    if (rc == 0 && l->file_damaged) {
        sqlite3_stmt *s = prepare(l, "UPDATE files SET damaged = 1 WHERE trace = ? AND path = ?");
        if (s) {
            sqlite3_bind_int64(s, 1, l->trace);
            sqlite3_bind_text(s, 2, l->file_path, -1, SQLITE_STATIC);
            rc = step(l, s);
            sqlite3_finalize(s);
        }
    }
    if (rc == 0)
        rc = save_pending(l);
    return rc == 0 ? sql(l, "COMMIT") : (sql(l, "ROLLBACK"), -1);
}

static int64_t trace_row(struct loader *l, const Discon__Header *h, const char *id_hex)
{
    sqlite3_stmt *s = prepare(l, "SELECT trace FROM traces WHERE trace_id = ?");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, id_hex, -1, SQLITE_STATIC);
    int64_t row = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (row)
        return row;
    s = prepare(l, "INSERT INTO traces(trace_id, target, system_mode, vcpu_count, host, qemu_argv,"
                   " plugin_options, mode, ring_capacity, clock_monotonic_ns, clock_realtime_ns,"
                   " trap_rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s)
        return -1;
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
    int rc = step(l, s);
    sqlite3_finalize(s);
    return rc ? -1 : sqlite3_last_insert_rowid(l->db);
}

static int on_header(void *ctx, const char *path, const Discon__Header *h)
{
    struct loader *l = ctx;
    if (end_file(l))
        return -1;
    char id[33] = "";
    for (size_t i = 0; i < h->trace_id.len && i < 16; i++)
        sprintf(id + 2 * i, "%02x", h->trace_id.data[i]);
    if (sql(l, "BEGIN"))
        return -1;
    l->in_file = true;
    int64_t trace = trace_row(l, h, id);
    if (trace < 0)
        return -1;
    if (trace != l->trace || !l->have_deriver) {
        if (l->have_deriver) {
            discon_traps_free(&l->deriver);
            l->have_deriver = false;
        }
        l->trace = trace;
        discon_traps_init(&l->deriver, discon_trap_rule_for(h->target), on_trap, l);
        l->have_deriver = true;
        l->t0 = h->clock ? h->clock->monotonic_ns : 0;
        if (restore_pending(l))
            return -1;
        l->traces_seen = realloc(l->traces_seen, (l->ntraces_seen + 1) * sizeof *l->traces_seen);
        l->traces_seen[l->ntraces_seen++] = trace;
    }
    struct stat st;
    int64_t bytes = stat(path, &st) == 0 ? st.st_size : 0;
    sqlite3_stmt *s = prepare(l, "SELECT bytes, damaged FROM files WHERE trace = ? AND file_index = ?");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, trace);
    sqlite3_bind_int64(s, 2, h->file_index);
    if (sqlite3_step(s) == SQLITE_ROW) { /* loaded before */
        int64_t had = sqlite3_column_int64(s, 0);
        int damaged = sqlite3_column_int(s, 1);
        sqlite3_finalize(s);
        sql(l, "ROLLBACK");
        l->in_file = false;
        if (had != bytes || damaged) {
            /* Its rows cannot be told apart from the rest: reloading would
             * duplicate them, skipping would lose what it gained. */
            snprintf(l->err, sizeof l->err, "%s was loaded before while %s (%lld bytes, now %lld): "
                     "load the trace into a new database", path,
                     damaged ? "damaged or incomplete" : "still being written",
                     (long long)had, (long long)bytes);
            l->failed = 1;
            return -1;
        }
        return DISCON_READ_SKIP_FILE; /* the same file again: add nothing */
    }
    sqlite3_finalize(s);
    s = prepare(l, "INSERT INTO files(trace, file_index, path, bytes) VALUES (?, ?, ?, ?)");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, trace);
    sqlite3_bind_int64(s, 2, h->file_index);
    sqlite3_bind_text(s, 3, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, bytes);
    int rc = step(l, s);
    sqlite3_finalize(s);
    l->file_damaged = false;
    snprintf(l->file_path, sizeof l->file_path, "%s", path);
    return rc ? -1 : 0;
}

/* A bar on stderr when it is a terminal, redrawn each percent. */
static void on_progress(void *ctx, const char *path, uint64_t offset, uint64_t size)
{
    (void)path;
    struct loader *l = ctx;
    if (!l->tty || !l->total_bytes)
        return;
    if (offset == size) { /* a file is done */
        l->done_bytes += size;
        l->file_bytes = 0;
    } else {
        l->file_bytes = offset;
    }
    uint64_t at = l->done_bytes + l->file_bytes;
    int percent = (int)(100 * (at > l->total_bytes ? l->total_bytes : at) / l->total_bytes);
    if (percent == l->last_percent)
        return;
    l->last_percent = percent;
    char bar[41];
    memset(bar, '#', (size_t)percent * 40 / 100);
    memset(bar + percent * 40 / 100, '.', 40 - (size_t)percent * 40 / 100);
    bar[40] = '\0';
    fprintf(stderr, "\rtrace2sqlite: [%s] %3d%% %llu events", bar, percent,
            (unsigned long long)l->events);
}

/* Bytes of every trace file named or inside a named directory. */
static uint64_t input_bytes(char *const *paths, int n)
{
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0)
            continue;
        if (!S_ISDIR(st.st_mode)) {
            total += (uint64_t)st.st_size;
            continue;
        }
        DIR *d = opendir(paths[i]);
        for (struct dirent *e; d && (e = readdir(d));) {
            char path[4096];
            size_t len = strlen(e->d_name);
            snprintf(path, sizeof path, "%s/%s", paths[i], e->d_name);
            if (len > 7 && strcmp(e->d_name + len - 7, ".discon") == 0 && stat(path, &st) == 0)
                total += (uint64_t)st.st_size;
        }
        if (d)
            closedir(d);
    }
    return total;
}

static int on_events(void *ctx, const struct discon_event *ev, size_t n)
{
    struct loader *l = ctx;
    if (!l->in_file)
        return 1; /* events before any header: nothing to attach them to */
    for (size_t i = 0; i < n && !l->aggregate; i++) {
        if (!in_window(l, ev[i].time_ns))
            continue;
        if (batch_add(l, &l->event_rows, l->trace, ev[i].vcpu, (int64_t)ev[i].seq,
                      (int64_t)ev[i].time_ns, ev[i].type, (int64_t)ev[i].from_pc,
                      (int64_t)ev[i].to_pc, ev[i].cause))
            return -1;
    }
    l->events += n;
    return discon_traps_feed(&l->deriver, ev, n) ? -1 : 0;
}

static int on_loss(void *ctx, const Discon__Loss *loss)
{
    struct loader *l = ctx;
    if (!l->in_file)
        return 1;
    sqlite3_stmt *s = l->ins_loss;
    sqlite3_bind_int64(s, 1, l->trace);
    sqlite3_bind_int64(s, 2, loss->vcpu);
    sqlite3_bind_int64(s, 3, (int64_t)loss->first_seq);
    sqlite3_bind_int64(s, 4, (int64_t)loss->count);
    sqlite3_bind_int64(s, 5, (int64_t)loss->first_time_ns);
    sqlite3_bind_int64(s, 6, (int64_t)loss->last_time_ns);
    if (step(l, s))
        return -1;
    return discon_traps_break(&l->deriver, loss->vcpu) ? -1 : 0;
}

static int on_end(void *ctx, const Discon__End *e)
{
    struct loader *l = ctx;
    if (!l->in_file)
        return 1;
    if (discon_traps_finish(&l->deriver)) /* the trace is complete */
        return -1;
    sqlite3_stmt *s = prepare(l, "INSERT OR REPLACE INTO vcpus VALUES (?, ?, ?, ?, ?)");
    if (!s)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < e->n_vcpu && rc == 0; i++) {
        sqlite3_bind_int64(s, 1, l->trace);
        sqlite3_bind_int64(s, 2, e->vcpu[i]->vcpu);
        sqlite3_bind_int64(s, 3, (int64_t)e->vcpu[i]->produced);
        sqlite3_bind_int64(s, 4, (int64_t)e->vcpu[i]->dropped);
        sqlite3_bind_int64(s, 5, (int64_t)e->vcpu[i]->written);
        rc = step(l, s);
    }
    sqlite3_finalize(s);
    char q[256];
    snprintf(q, sizeof q, "UPDATE traces SET complete = 1, producer_finished = %d, unrecorded = %lld"
             " WHERE trace = %lld", e->producer_finished, (long long)e->unrecorded,
             (long long)l->trace);
    return rc || sql(l, q) ? -1 : 0;
}

static void on_damage(void *ctx, const struct discon_damage *d)
{
    ((struct loader *)ctx)->file_damaged = true;
    fprintf(stderr, "trace2sqlite: %s: damaged data at offset %llu (%llu bytes skipped): %s\n",
            d->path, (unsigned long long)d->offset, (unsigned long long)d->length, d->what);
}

static void on_gap(void *ctx, uint32_t vcpu, uint64_t expected, uint64_t got)
{
    (void)ctx;
    fprintf(stderr, "trace2sqlite: vCPU %u: sequence jumps from %llu to %llu (data missing)\n",
            vcpu, (unsigned long long)expected, (unsigned long long)got);
}

/* ---- symbols ----------------------------------------------------------- */

/* KASLR: the slide that makes a frequent exception handler a known entry. */
static int find_kaslr_offset(struct loader *l, int64_t trace, const struct discon_symbols *syms,
                             int64_t *offset)
{
    sqlite3_stmt *s = prepare(l, "SELECT r.target, c.to_pc FROM trap_counts c JOIN traces r"
                                 " USING (trace) WHERE trace = ? AND type = 2"
                                 " ORDER BY count DESC LIMIT 16");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, trace);
    uint64_t handlers[16];
    size_t n = 0;
    char target[32] = "";
    while (n < 16 && sqlite3_step(s) == SQLITE_ROW) {
        snprintf(target, sizeof target, "%s", (const char *)sqlite3_column_text(s, 0));
        handlers[n++] = (uint64_t)sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (discon_kaslr_find(syms, target, handlers, n, offset) == 0)
        return 0;
    snprintf(l->err, sizeof l->err, "cannot find the KASLR offset: no known handler symbol "
             "matches the trace; give --kaslr-offset");
    return -1;
}

static int load_symbols(struct loader *l, const char *path,
                        const struct discon_kaslr_option *kaslr)
{
    struct discon_symbols syms;
    if (discon_symbols_load(&syms, path, l->err, sizeof l->err) != 0)
        return -1;
    int rc = 0;
    for (size_t t = 0; t < l->ntraces_seen && rc == 0; t++) {
        int64_t trace = l->traces_seen[t], offset = 0;
        if (kaslr->automatic)
            rc = find_kaslr_offset(l, trace, &syms, &offset);
        else if (kaslr->given)
            offset = kaslr->offset;
        if (rc)
            break;
        discon_symbols_relocate(&syms, offset);
        char q[128];
        snprintf(q, sizeof q, "DELETE FROM symbols WHERE trace = %lld", (long long)trace);
        sqlite3_stmt *s = NULL;
        if (sql(l, "BEGIN") || sql(l, q) ||
            !(s = prepare(l, "INSERT INTO symbols VALUES (?, ?, ?, ?)"))) {
            rc = -1;
            break;
        }
        for (size_t i = 0; i < syms.n && rc == 0; i++) {
            sqlite3_bind_int64(s, 1, trace);
            sqlite3_bind_int64(s, 2, (int64_t)syms.sym[i].addr);
            sqlite3_bind_int64(s, 3, (int64_t)syms.sym[i].end);
            sqlite3_bind_text(s, 4, syms.sym[i].name, -1, SQLITE_STATIC);
            rc = step(l, s);
        }
        sqlite3_finalize(s);
        rc = rc || sql(l, "COMMIT") ? -1 : 0;
        discon_symbols_relocate(&syms, -offset);
        if (rc == 0 && offset)
            fprintf(stderr, "trace2sqlite: trace %lld: symbols moved by KASLR offset 0x%llx\n",
                    (long long)trace, (unsigned long long)offset);
    }
    discon_symbols_free(&syms);
    return rc;
}

/* ---- main -------------------------------------------------------------- */

int main(int argc, char **argv)
{
    const char *db_path = NULL, *symbols = NULL;
    struct discon_kaslr_option kaslr = {0};
    struct loader l = {.from_s = -INFINITY, .to_s = INFINITY, .tty = isatty(2)};
    enum { SYMBOLS = 256, KASLR, AGGREGATE, FROM, TO, INDEX };
    bool row_indexes = false;
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"symbols", required_argument, NULL, SYMBOLS},
        {"kaslr-offset", required_argument, NULL, KASLR},
        {"aggregate-only", no_argument, NULL, AGGREGATE},
        {"from", required_argument, NULL, FROM},
        {"to", required_argument, NULL, TO},
        {"index", no_argument, NULL, INDEX},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (int c; (c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1;) {
        switch (c) {
        case 'o': db_path = optarg; break;
        case SYMBOLS: symbols = optarg; break;
        case KASLR:
            if (discon_kaslr_option_parse(optarg, &kaslr)) {
                fprintf(stderr, "trace2sqlite: --kaslr-offset: expected hex or 'auto', got '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case AGGREGATE: l.aggregate = true; break;
        case INDEX: row_indexes = true; break;
        case FROM:
        case TO:
            if (discon_parse_seconds(optarg, c == FROM ? &l.from_s : &l.to_s)) {
                fprintf(stderr, "trace2sqlite: --%s: expected seconds >= 0, got '%s'\n",
                        c == FROM ? "from" : "to", optarg);
                return 2;
            }
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (!db_path || optind >= argc) {
        fprintf(stderr, "trace2sqlite: %s\n%s", db_path ? "no trace files given" : "-o DB is required",
                usage);
        return 2;
    }
    if (l.from_s >= l.to_s) {
        fprintf(stderr, "trace2sqlite: --from must be before --to\n");
        return 2;
    }
    if (kaslr.given && !symbols) {
        fprintf(stderr, "trace2sqlite: --kaslr-offset needs --symbols\n");
        return 2;
    }
    bool fresh = access(db_path, F_OK) != 0;
    if (sqlite3_open_v2(db_path, &l.db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        fprintf(stderr, "trace2sqlite: cannot open %s: %s\n", db_path, sqlite3_errmsg(l.db));
        return 1;
    }
    if (!fresh) {
        sqlite3_stmt *s = prepare(&l, "SELECT (SELECT COUNT(*) FROM sqlite_master),"
                                      " (SELECT COUNT(*) FROM sqlite_master WHERE name = 'traces')");
        bool foreign = !s || sqlite3_step(s) != SQLITE_ROW ||
                       (sqlite3_column_int(s, 0) > 0 && sqlite3_column_int(s, 1) == 0);
        sqlite3_finalize(s);
        if (foreign) {
            fprintf(stderr, "trace2sqlite: %s is not a trace2sqlite database\n", db_path);
            sqlite3_close(l.db);
            return 1;
        }
    }
    /* Bulk-load settings. Appending: WAL keeps earlier loads safe if this
     * one dies. A new database has nothing to keep: the rollback journal
     * stays in memory and nothing is synced until the end. */
    if (sql(&l, fresh ? "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;"
                      : "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;") ||
        sql(&l, "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY") ||
        sql(&l, discon_db_tables)) {
        fprintf(stderr, "trace2sqlite: %s: %s\n", db_path, l.err);
        sqlite3_close(l.db);
        return 1;
    }
    if (!l.failed) {
        batch_open(&l, &l.event_rows, "events");
        batch_open(&l, &l.trap_rows, "traps");
    }
    l.ins_loss = prepare(&l, "INSERT INTO losses VALUES (?, ?, ?, ?, ?, ?)");
    l.ins_agg = prepare(&l, "INSERT INTO trap_agg VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE"
                            " SET count = count + excluded.count");
    int rc = 1;
    if (!l.failed) {
        struct discon_reader_ops ops = {
            .ctx = &l, .header = on_header, .events = on_events, .loss = on_loss, .end = on_end,
            .damage = on_damage, .gap = on_gap, .progress = on_progress,
        };
        l.total_bytes = l.tty ? input_bytes(argv + optind, argc - optind) : 0;
        l.last_percent = -1;
        struct discon_read_stats st = {0};
        char err[512];
        int read = discon_read_paths(argv + optind, argc - optind, &ops, &st, err, sizeof err);
        if (l.tty)
            fputc('\n', stderr);
        if (l.failed || end_file(&l)) {
            fprintf(stderr, "trace2sqlite: %s\n", l.err);
        } else if (read < 0) {
            fprintf(stderr, "trace2sqlite: %s\n", err);
        } else if (sql(&l, discon_db_indexes) || (row_indexes && sql(&l, discon_db_row_indexes)) ||
                   (symbols && load_symbols(&l, symbols, &kaslr))) {
            fprintf(stderr, "trace2sqlite: %s\n", l.err);
        } else {
            rc = read == DISCON_READ_DAMAGED ? 3 : 0;
            fprintf(stderr, "trace2sqlite: %llu events from %llu file(s) read%s\n",
                    (unsigned long long)l.events, (unsigned long long)st.files,
                    read == DISCON_READ_DAMAGED ? "; some data was damaged (see above)" : "");
        }
    }
    batch_close(&l.event_rows);
    batch_close(&l.trap_rows);
    sqlite3_finalize(l.ins_loss);
    sqlite3_finalize(l.ins_agg);
    if (l.have_deriver)
        discon_traps_free(&l.deriver);
    free(l.agg_key);
    free(l.agg_count);
    free(l.traces_seen);
    sqlite3_close(l.db);
    return rc;
}
