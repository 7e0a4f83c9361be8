/* Event rows read by worker threads into batches (event_batches.h says
 * why the rows they read are one set). Batch b holds the rows with rowids
 * first + b * BATCH_ROWIDS up to the next batch's; worker w reads batches
 * w, w + workers, ... each into the next of its SLOTS slots, and waits
 * while that slot still holds a batch the caller has not taken. */
#include "event_batches.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rowids per batch: ~1 ms of stepping, large against the seek that starts
 * each batch and the hand-over, small in memory (a slot holds three
 * events per row: 800 KB). */
#define BATCH_ROWIDS 4096
#define SLOTS 2 /* per worker: one filled while the caller feeds the other */

struct slot {
    bool full;       /* holds batch `batch` for the caller */
    int64_t batch;
    int rc;          /* 0, or the error that ended this worker's rows */
    char detail[sizeof ((struct discon_db *)0)->detail];
    size_t n;
    bool bad_type;
    int bad;         /* discon_db_values_events' code for the bad row: -1 or -2 */
    int64_t type;
    int64_t bad_at;  /* while filling: offset of the first bad row, or BATCH_ROWIDS */
    /* While filling, the row at rowid lo + k has its events at ev[3k] and
     * count[k] of them (0: no such row), the last a folded RETURN where
     * ret[k] says (ROW_RETURN_*); then they are moved together. */
    uint8_t count[BATCH_ROWIDS], ret[BATCH_ROWIDS];
    struct discon_event ev[3 * BATCH_ROWIDS];
    uint8_t role[3 * BATCH_ROWIDS];
};

struct worker {
    struct discon_db_batches *r;
    unsigned index;
    bool started;
    pthread_t thread;
    struct slot *filling; /* for discon_batch_rows */
    int64_t lo;           /* the first rowid of the batch being filled */
    struct slot slot[SLOTS];
};

struct discon_db_batches {
    struct discon_db *db;
    int64_t trace, first, nbatches;
    unsigned nworkers;
    struct worker *w;
    pthread_mutex_t lock; /* guards every slot's `full` and `stop` */
    pthread_cond_t changed;
    bool stop;
    int64_t next;     /* the batch the caller gets next */
    struct slot *held; /* the slot the caller was given last, or NULL */
};

/* The aggregate SQL function discon_batch_rows (DISCON_DB_Q_EVENTS_RANGE):
 * one row, its columns as arguments, into the slot being filled at its
 * rowid's place. */
static void batch_row(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
    struct worker *w = sqlite3_user_data(ctx);
    struct slot *s = w->filling;
    if (argc != DISCON_DB_ROW_COUNT)
        return;
    int64_t k = sqlite3_value_int64(v[DISCON_DB_ROW_ROWID]) - w->lo;
    if (k < 0 || k >= BATCH_ROWIDS) /* not the query's rows: never */
        return;
    struct discon_event *e = &s->ev[3 * k];
    int n = discon_db_values_events(v, e, &e[2]);
    if (n < 0 && k < s->bad_at) {
        s->bad_at = k;
        s->bad = n;
        s->type = sqlite3_value_int64(v[DISCON_DB_ROW_BITS]) & DISCON_DB_BITS_TYPE;
    }
    s->count[k] = n < 0 ? 0 : (uint8_t)n;
    s->ret[k] = 0;
    if (n > 0 && e[2].type) {
        /* In place right after the row when it is the vCPU's next event,
         * as it nearly always is; else (events nested in its trap) the
         * caller places it. */
        s->ret[k] = e[2].seq == e[n - 1].seq + 1 ? DISCON_DB_EVENT_RETURN
                                                  : DISCON_DB_EVENT_RETURN_LATER;
        if (n == 1)
            e[1] = e[2];
        s->count[k]++;
    }
}

static void batch_done(sqlite3_context *ctx)
{
    sqlite3_result_null(ctx);
}

/* The rows placed by rowid, moved together in rowid order up to the first
 * bad row (ev[j] with j <= 3k: moving forward never overwrites a row not
 * yet moved). */
static void gather(struct slot *s)
{
    size_t j = 0;
    for (int64_t k = 0; k < s->bad_at; k++) {
        for (unsigned i = 0; i < s->count[k]; i++, j++) {
            if (j != (size_t)(3 * k) + i)
                s->ev[j] = s->ev[3 * k + i];
            s->role[j] = s->ret[k] && i + 1 == s->count[k] ? s->ret[k]
                       : i == 1                             ? DISCON_DB_EVENT_DELIVERY
                                                            : DISCON_DB_EVENT_ROW;
        }
    }
    s->n = j;
    s->bad_type = s->bad_at < BATCH_ROWIDS;
}

/* The rows of batch b into s (owned by this worker while not full):
 * 0, or an error code with s->detail. */
static int fill(struct discon_db *db, sqlite3_stmt *q, struct worker *w, int64_t b,
                struct slot *s)
{
    w->lo = w->r->first + b * BATCH_ROWIDS;
    w->filling = s;
    memset(s->count, 0, sizeof s->count);
    s->bad_at = BATCH_ROWIDS;
    sqlite3_bind_int64(q, 1, w->r->trace);
    sqlite3_bind_int64(q, 2, w->lo);
    sqlite3_bind_int64(q, 3, w->lo + BATCH_ROWIDS);
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW)
        ;
    int rc = 0;
    if (step != SQLITE_DONE) {
        snprintf(s->detail, sizeof s->detail, "%s", sqlite3_errmsg(db->sql));
        rc = DISCON_DB_E_SQLITE;
    }
    sqlite3_reset(q);
    gather(s);
    return rc;
}

/* Wait until s is free (or the reader stops): whether to go on. */
static bool wait_free(struct discon_db_batches *r, struct slot *s)
{
    pthread_mutex_lock(&r->lock);
    while (s->full && !r->stop)
        pthread_cond_wait(&r->changed, &r->lock);
    bool go = !r->stop;
    pthread_mutex_unlock(&r->lock);
    return go;
}

static void hand_over(struct discon_db_batches *r, struct slot *s, int64_t b)
{
    pthread_mutex_lock(&r->lock);
    s->batch = b;
    s->full = true;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct discon_db_batches *r = w->r;
    struct discon_db db;
    sqlite3_stmt *q = NULL;
    int rc = discon_db_open_read(&db, r->db->path);
    /* Each batch is a read of its own: in a database still being created
     * (a rollback journal, not WAL: discon_db_open_write) a loader's commit
     * may hold one off for a moment, which the single read of old did not
     * meet as often. Wait for it rather than fail the report. */
    if (rc == 0)
        sqlite3_busy_timeout(db.sql, 10000);
    if (rc == 0 && sqlite3_create_function(db.sql, "discon_batch_rows", DISCON_DB_ROW_COUNT,
                                           SQLITE_UTF8, w, NULL, batch_row, batch_done)) {
        snprintf(db.detail, sizeof db.detail, "%s", sqlite3_errmsg(db.sql));
        rc = DISCON_DB_E_SQLITE;
    }
    if (rc == 0)
        rc = discon_db_query(&db, DISCON_DB_Q_EVENTS_RANGE, &q);
    for (int64_t b = w->index, k = 0; b < r->nbatches; b += r->nworkers, k++) {
        struct slot *s = &w->slot[k % SLOTS];
        if (!wait_free(r, s))
            break;
        if (rc) /* the caller learns it at this batch, and stops */
            snprintf(s->detail, sizeof s->detail, "%s", db.detail);
        else
            rc = fill(&db, q, w, b, s);
        s->rc = rc;
        hand_over(r, s, b);
        if (rc || s->bad_type)
            break;
    }
    sqlite3_finalize(q);
    discon_db_close(&db);
    return NULL;
}

/* The range of rowids, through the caller's connection. */
static int read_range(struct discon_db_batches *r)
{
    sqlite3_stmt *s;
    int rc = discon_db_query(r->db, DISCON_DB_Q_EVENT_ROWIDS, &s);
    if (rc)
        return rc;
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        r->first = sqlite3_column_int64(s, 0);
        r->nbatches = (sqlite3_column_int64(s, 1) - r->first) / BATCH_ROWIDS + 1;
    } else if (step != SQLITE_ROW) {
        snprintf(r->db->detail, sizeof r->db->detail, "%s", sqlite3_errmsg(r->db->sql));
        rc = DISCON_DB_E_SQLITE;
    }
    sqlite3_finalize(s);
    return rc;
}

int discon_db_batches_start(struct discon_db_batches **out, struct discon_db *db, int64_t trace,
                            unsigned workers)
{
    struct discon_db_batches *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return DISCON_DB_E_NOMEM;
    r->db = db;
    r->trace = trace;
    r->nworkers = workers ? workers : 1;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    int rc = read_range(r);
    if (rc == 0 && r->nbatches && !(r->w = calloc(r->nworkers, sizeof *r->w)))
        rc = DISCON_DB_E_NOMEM;
    for (unsigned i = 0; rc == 0 && r->nbatches && i < r->nworkers; i++) {
        r->w[i] = (struct worker){.r = r, .index = i};
        if (pthread_create(&r->w[i].thread, NULL, work, &r->w[i]) != 0)
            rc = DISCON_DB_E_NOMEM;
        r->w[i].started = rc == 0;
    }
    if (rc) {
        discon_db_batches_stop(r);
        return rc;
    }
    *out = r;
    return 0;
}

int discon_db_batches_next(struct discon_db_batches *r, struct discon_db_batch *b)
{
    pthread_mutex_lock(&r->lock);
    if (r->held) { /* the caller is done with it: its worker may refill it */
        r->held->full = false;
        r->held = NULL;
        pthread_cond_broadcast(&r->changed);
    }
    if (r->next >= r->nbatches) {
        pthread_mutex_unlock(&r->lock);
        return 0;
    }
    int64_t k = r->next / r->nworkers;
    struct slot *s = &r->w[r->next % r->nworkers].slot[k % SLOTS];
    while (!(s->full && s->batch == r->next))
        pthread_cond_wait(&r->changed, &r->lock);
    pthread_mutex_unlock(&r->lock);
    r->held = s;
    r->next++;
    if (s->rc) {
        snprintf(r->db->detail, sizeof r->db->detail, "%s", s->detail);
        r->next = r->nbatches; /* nothing more: the worker has stopped */
        return s->rc;
    }
    *b = (struct discon_db_batch){.ev = s->ev, .role = s->role, .n = s->n,
                                  .bad_type = s->bad_type, .bad = s->bad, .type = s->type};
    if (s->bad_type)
        r->next = r->nbatches;
    return 1;
}

void discon_db_batches_stop(struct discon_db_batches *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    for (unsigned i = 0; r->w && i < r->nworkers; i++)
        if (r->w[i].started)
            pthread_join(r->w[i].thread, NULL);
    pthread_cond_destroy(&r->changed);
    pthread_mutex_destroy(&r->lock);
    free(r->w);
    free(r);
}
