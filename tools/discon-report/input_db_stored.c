/* discon-report: a database's raw events in rowid order (see
 * input_db_stored.h). Rows come in sequence order on each vCPU; what a row
 * holds beyond its own events is a folded RETURN (tools/db/schema.c),
 * nearly always the vCPU's next event and then given in place by the
 * batch reader; the few that come after later rows of their vCPU (events
 * nested in the trap they close) wait here for their place. */
#include "event_batches.h"
#include "input_db_stored.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Whether vCPU v's next event or loss, at sequence number seq and
 * `count` long, comes after missing ones (*jump): not when it is the
 * vCPU's first. -1 when out of memory, else 0. */
static int seq_jumps(struct db_input *in, uint32_t v, uint64_t seq, uint64_t count, bool *jump)
{
    *jump = false;
    if (v >= REPORT_MAX_VCPUS)
        return 0; /* not analysed (report_events counts them) */
    if (!in->next_seq) {
        in->next_seq = malloc(REPORT_MAX_VCPUS * sizeof *in->next_seq);
        if (!in->next_seq)
            return -1;
        for (size_t i = 0; i < REPORT_MAX_VCPUS; i++)
            in->next_seq[i] = UINT64_MAX;
    }
    *jump = in->next_seq[v] != UINT64_MAX && in->next_seq[v] != seq;
    in->next_seq[v] = seq + count;
    return 0;
}

int db_report_events(struct db_input *in, const struct discon_event *ev, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        bool jump;
        if (seq_jumps(in, ev[i].vcpu, ev[i].seq, 1, &jump))
            return db_fail(in, DISCON_DB_E_NOMEM);
        if (jump && (report_events(in->r, ev + from, i - from) || report_break(in->r, ev[i].vcpu)))
            return db_fail(in, DISCON_DB_E_NOMEM);
        from = jump ? i : from;
    }
    return report_events(in->r, ev + from, n - from) ? db_fail(in, DISCON_DB_E_NOMEM) : 0;
}

int db_report_loss(struct db_input *in, const struct db_loss *l)
{
    bool jump;
    if (seq_jumps(in, l->vcpu, l->first_seq, l->count, &jump) ||
        (jump && report_break(in->r, l->vcpu)) ||
        report_loss(in->r, l->vcpu, l->first_seq, l->count, l->first_ns, l->last_ns))
        return db_fail(in, DISCON_DB_E_NOMEM);
    return 0;
}

/* The losses l[*next .. end) of one vCPU (sorted) before sequence number
 * `seq` into the report, as a trace file has them (a loss before the event
 * at its first sequence number); UINT64_MAX: all that are left. 0 or -1
 * with err. */
static int feed_losses(struct db_input *in, const struct db_loss *l, size_t *next, size_t end,
                       uint64_t seq)
{
    for (; *next < end && (seq == UINT64_MAX || l[*next].first_seq <= seq); ++*next)
        if (db_report_loss(in, &l[*next]))
            return -1;
    return 0;
}

/* One vCPU's run of losses in the sorted array: [next, end). */
struct loss_run {
    uint32_t vcpu;
    size_t next, end;
};

/* The runs of l (sorted by vCPU), one per vCPU with losses: *out (the
 * caller frees it), *nruns. 0 or -1 when out of memory. */
static int loss_runs(const struct db_loss *l, size_t n, struct loss_run **out, size_t *nruns)
{
    *out = malloc((n ? n : 1) * sizeof **out);
    *nruns = 0;
    if (!*out)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (*nruns && (*out)[*nruns - 1].vcpu == l[i].vcpu)
            (*out)[*nruns - 1].end = i + 1;
        else
            (*out)[(*nruns)++] = (struct loss_run){l[i].vcpu, i, i + 1};
    }
    return 0;
}

/* vCPU v's run, or NULL: a binary search (runs are by vCPU). */
static struct loss_run *run_of(struct loss_run *runs, size_t nruns, uint32_t v)
{
    size_t lo = 0, hi = nruns;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (runs[mid].vcpu < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < nruns && runs[lo].vcpu == v ? &runs[lo] : NULL;
}

/* Reader threads for the event rows: one per online CPU (the report, fed
 * on this thread, costs about a third of reading the rows), at most 4. */
static unsigned reader_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4 ? 4 : (unsigned)n;
}

/* The feed: losses by vCPU, and the folded RETURNs waiting for their
 * place (few: one per trap open across later rows). */
struct stored_feed {
    struct db_input *in;
    const struct db_loss *l;
    struct loss_run *runs;
    size_t nruns;
    struct discon_event *later;
    size_t nlater, cap;
};

/* The earliest waiting RETURN of vCPU v before sequence number seq: its
 * index, or -1. */
static ptrdiff_t later_due(const struct stored_feed *f, uint32_t v, uint64_t seq)
{
    ptrdiff_t best = -1;
    for (size_t i = 0; i < f->nlater; i++)
        if (f->later[i].vcpu == v && f->later[i].seq < seq &&
            (best < 0 || f->later[i].seq < f->later[best].seq))
            best = (ptrdiff_t)i;
    return best;
}

/* Whether a loss of run is due before sequence number seq. */
static bool loss_due(const struct stored_feed *f, const struct loss_run *run, uint64_t seq)
{
    return run && run->next < run->end && f->l[run->next].first_seq <= seq;
}

/* What of vCPU v is due before sequence number seq (UINT64_MAX: all):
 * its waiting RETURNs and its losses, merged by sequence number (a loss
 * before the event at its first one). 0 or -1 with err. */
static int feed_due(struct stored_feed *f, uint32_t v, uint64_t seq)
{
    struct loss_run *run = f->nruns ? run_of(f->runs, f->nruns, v) : NULL;
    for (;;) {
        ptrdiff_t r = f->nlater ? later_due(f, v, seq) : -1;
        bool loss = loss_due(f, run, seq);
        if (r < 0 && !loss)
            return 0;
        if (loss && (r < 0 || f->l[run->next].first_seq <= f->later[r].seq)) {
            if (feed_losses(f->in, f->l, &run->next, run->next + 1, UINT64_MAX))
                return -1;
            continue;
        }
        if (db_report_events(f->in, &f->later[r], 1))
            return -1;
        f->later[r] = f->later[--f->nlater];
    }
}

static int wait_later(struct stored_feed *f, const struct discon_event *e)
{
    if (f->nlater == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 64;
        struct discon_event *grown = realloc(f->later, cap * sizeof *grown);
        if (!grown)
            return db_fail(f->in, DISCON_DB_E_NOMEM);
        f->later = grown;
        f->cap = cap;
    }
    f->later[f->nlater++] = *e;
    return 0;
}

/* Events [from, to) of b into the report at once. 0 or -1 with err. */
static int feed_run(struct stored_feed *f, const struct discon_db_batch *b, size_t from, size_t to)
{
    return db_report_events(f->in, b->ev + from, to - from);
}

/* One batch of rows into the report: the events between what is due fed
 * at once. A row's first event is where something may be due (never
 * between the events of one row). 0 or -1 with err. */
static int feed_batch(struct stored_feed *f, const struct discon_db_batch *b)
{
    size_t from = 0;
    for (size_t i = 0; i < b->n; i++) {
        const struct discon_event *e = &b->ev[i];
        if (b->role[i] == DISCON_DB_EVENT_RETURN_LATER) {
            if (feed_run(f, b, from, i) || wait_later(f, e))
                return -1;
            from = i + 1;
            continue;
        }
        if (b->role[i] != DISCON_DB_EVENT_ROW || (!f->nlater && !f->nruns))
            continue;
        struct loss_run *run = f->nruns ? run_of(f->runs, f->nruns, e->vcpu) : NULL;
        if (!loss_due(f, run, e->seq) && (!f->nlater || later_due(f, e->vcpu, e->seq) < 0))
            continue;
        if (feed_run(f, b, from, i) || feed_due(f, e->vcpu, e->seq))
            return -1;
        from = i;
    }
    if (feed_run(f, b, from, b->n))
        return -1;
    return b->bad_type ? db_bad_row(f->in, b->bad, b->type) : 0;
}

/* Raw events in rowid order, read by threads in batches
 * (tools/db/event_batches.h) while this one feeds the report. What is
 * left after the last row (RETURNs, losses) goes last, vCPU by vCPU. */
int db_feed_stored(struct db_input *in, const struct db_loss *l, size_t n, uint64_t *raw)
{
    struct stored_feed f = {.in = in, .l = l};
    if (loss_runs(l, n, &f.runs, &f.nruns))
        return db_fail(in, DISCON_DB_E_NOMEM);
    struct discon_db_batches *rows;
    int rc = discon_db_batches_start(&rows, &in->db, in->trace, reader_threads());
    if (rc) {
        free(f.runs);
        return db_fail(in, rc);
    }
    struct discon_db_batch b;
    int got = 0;
    while (rc == 0 && (got = discon_db_batches_next(rows, &b)) == 1) {
        *raw += b.n;
        rc = feed_batch(&f, &b);
    }
    discon_db_batches_stop(rows);
    if (rc == 0 && got < 0)
        rc = db_fail(in, got);
    while (rc == 0 && f.nlater)
        rc = feed_due(&f, f.later[0].vcpu, UINT64_MAX);
    for (size_t i = 0; rc == 0 && i < f.nruns; i++)
        rc = feed_losses(in, l, &f.runs[i].next, f.runs[i].end, UINT64_MAX);
    free(f.runs);
    free(f.later);
    return rc;
}
