/*
 * Time in handlers, for the report: a returned trap's duration (return
 * time minus entry time, host ns) goes into a log-linear histogram of its
 * naming key (struct why_key without the source PC), so memory grows with
 * distinct (handler, cause, level) keys, never with traps. Once symbols
 * are placed, report_time_name merges the keys of each kind. Total, count
 * min and max are exact; p50 and p99 are nearest-rank over the histogram:
 * the first and last ranks are min and max exactly, others the lower bound
 * of the bucket holding the rank, exact below 64 ns and at most 1/32
 * (3.1%) below the true value above. The database's views
 * compute them exactly (tools/db/schema.c).
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

unsigned report_time_bucket(uint64_t ns)
{
    if (ns < 64)
        return (unsigned)ns;
    unsigned e = 63u - (unsigned)__builtin_clzll(ns); /* 6..63 */
    return 64u + (e - 6u) * 32u + (unsigned)((ns >> (e - 5u)) & 31u);
}

uint64_t report_time_bucket_low(unsigned b)
{
    if (b < 64)
        return b;
    unsigned e = 6u + (b - 64u) / 32u, m = (b - 64u) % 32u;
    return (uint64_t)(32u + m) << (e - 5u);
}

uint64_t report_time_percentile(const uint32_t *hist, uint64_t n, unsigned p, uint64_t min,
                                uint64_t max)
{
    uint64_t rank = (n * p + 99) / 100, seen = 0; /* nearest rank: ceil(n p / 100) */
    if (rank <= 1)
        return min;
    if (rank >= n) /* p99 of fewer than 100: the maximum, exactly */
        return max;
    for (unsigned b = 0; b < REPORT_TIME_BUCKETS && n; b++) {
        seen += hist[b];
        if (seen >= rank) {
            uint64_t low = report_time_bucket_low(b);
            return low < max ? low : max;
        }
    }
    return max;
}

static size_t time_slot(const struct why_key *k, size_t cap)
{
    uint64_t h = k->to_pc * 0xc2b2ae3d27d4eb4fu ^ k->cause * 0x165667b19e3779f9u ^
                 ((uint64_t)k->type << 24 | (uint64_t)k->has << 16 | (uint64_t)k->to_level << 8 |
                  k->from_level);
    return (size_t)(h ^ h >> 29) & (cap - 1);
}

/* The slot of key k in t (cap a power of two, never full). */
static struct handler_time *time_find(struct handler_time *t, size_t cap, const struct why_key *k)
{
    size_t i = time_slot(k, cap);
    while (t[i].hist && memcmp(&t[i].key, k, sizeof *k) != 0)
        i = (i + 1) & (cap - 1);
    return &t[i];
}

static int time_grow(struct nesting *n)
{
    size_t cap = n->times_cap ? n->times_cap * 2 : 64;
    struct handler_time *g = calloc(cap, sizeof *g);
    if (!g)
        return -1;
    for (size_t i = 0; i < n->times_cap; i++)
        if (n->times[i].hist)
            *time_find(g, cap, &n->times[i].key) = n->times[i];
    free(n->times);
    n->times = g;
    n->times_cap = cap;
    return 0;
}

int report_time_add(struct report *r, const struct discon_trap *t)
{
    struct nesting *n = &r->nest;
    if ((n->ntimes + 1) * 2 > n->times_cap && time_grow(n))
        return -1;
    struct why_key k = report_why_key(t);
    k.from_pc = 0;
    struct handler_time *h = time_find(n->times, n->times_cap, &k);
    if (!h->hist) {
        if (!(h->hist = calloc(REPORT_TIME_BUCKETS, sizeof *h->hist)))
            return -1;
        h->key = k;
        n->ntimes++;
    }
    uint64_t d = t->return_ns >= t->time_ns ? t->return_ns - t->time_ns : 0;
    if (!h->count || d < h->min_ns)
        h->min_ns = d;
    h->count++;
    h->total_ns += d;
    if (d > h->max_ns)
        h->max_ns = d;
    h->hist[report_time_bucket(d)]++;
    return 0;
}

static int by_total(const void *a, const void *b)
{
    const struct kind_time *x = a, *y = b;
    if (x->total_ns != y->total_ns)
        return x->total_ns < y->total_ns ? 1 : -1;
    return strcmp(x->kind->name, y->kind->name);
}

/* Merge the keys named kind k into one histogram and fill kt. */
static void merge_kind(struct report *r, const unsigned *kind_of, unsigned k, uint32_t *hist, struct kind_time *kt)
{
    memset(hist, 0, REPORT_TIME_BUCKETS * sizeof *hist);
    *kt = (struct kind_time){.kind = discon_kind_by_id(k)};
    for (size_t i = 0; i < r->nest.times_cap; i++) {
        const struct handler_time *h = &r->nest.times[i];
        if (!h->hist || kind_of[i] != k)
            continue;
        if (!kt->count || h->min_ns < kt->min_ns)
            kt->min_ns = h->min_ns;
        kt->count += h->count;
        kt->total_ns += h->total_ns;
        if (h->max_ns > kt->max_ns)
            kt->max_ns = h->max_ns;
        for (unsigned b = 0; b < REPORT_TIME_BUCKETS; b++)
            hist[b] += h->hist[b];
    }
    kt->p50_ns = report_time_percentile(hist, kt->count, 50, kt->min_ns, kt->max_ns);
    kt->p99_ns = report_time_percentile(hist, kt->count, 99, kt->min_ns, kt->max_ns);
}

int report_time_name(struct report *r, struct discon_trap_namer *namer)
{
    struct nesting *n = &r->nest;
    free(n->kinds);
    n->kinds = NULL;
    n->nkinds = 0;
    if (!n->ntimes)
        return 0;
    unsigned *kind_of = calloc(n->times_cap, sizeof *kind_of);
    uint32_t *hist = malloc(REPORT_TIME_BUCKETS * sizeof *hist);
    n->kinds = calloc(n->ntimes, sizeof *n->kinds);
    if (!kind_of || !hist || !n->kinds) {
        free(kind_of), free(hist);
        return -1;
    }
    for (size_t i = 0; i < n->times_cap; i++) {
        if (!n->times[i].hist)
            continue;
        const struct why_key *k = &n->times[i].key;
        struct discon_trap t = {.type = k->type, .to_pc = k->to_pc, .cause = k->cause,
                                .to_level = k->to_level, .from_level = k->from_level,
                                .has = k->has};
        struct discon_trap_why why;
        discon_trap_why(namer, &t, &why);
        kind_of[i] = why.kind->id;
    }
    for (size_t i = 0; i < n->times_cap; i++) {
        if (!n->times[i].hist)
            continue;
        bool seen = false;
        for (size_t j = 0; j < n->nkinds && !seen; j++)
            seen = n->kinds[j].kind->id == kind_of[i];
        if (!seen)
            merge_kind(r, kind_of, kind_of[i], hist, &n->kinds[n->nkinds++]);
    }
    qsort(n->kinds, n->nkinds, sizeof *n->kinds, by_total);
    free(kind_of), free(hist);
    return 0;
}

void report_time_free(struct report *r)
{
    for (size_t i = 0; i < r->nest.times_cap; i++)
        free(r->nest.times[i].hist);
    free(r->nest.times);
    free(r->nest.kinds);
    r->nest.times = NULL;
    r->nest.kinds = NULL;
}
