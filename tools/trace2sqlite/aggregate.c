/* trace2sqlite --aggregate-only counts (see aggregate.h). */
#include "aggregate.h"

#include <stdlib.h>
#include <string.h>

#define AGG_MAX_SLOTS ((size_t)1 << 20) /* flush rather than grow past this */

static uint64_t agg_hash(const struct agg_key *k)
{
    uint64_t h = (uint64_t)k->second * 0x9e3779b97f4a7c15u ^ k->to_pc * 0xc2b2ae3d27d4eb4fu;
    return h ^ ((uint64_t)k->vcpu << 8 | k->type | (uint64_t)k->kind << 40) * 0x165667b19e3779f9u;
}

int trap_agg_open(struct trap_agg *a, struct discon_db *db)
{
    memset(a, 0, sizeof *a);
    a->db = db;
    return discon_db_prepare(db, "INSERT INTO trap_agg VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT"
                                 " DO UPDATE SET count = count + excluded.count", &a->insert);
}

int trap_agg_flush(struct trap_agg *a, int64_t trace)
{
    for (size_t i = 0; i < a->cap; i++) {
        if (!a->count[i])
            continue;
        const struct agg_key *k = &a->key[i];
        sqlite3_bind_int64(a->insert, 1, trace);
        sqlite3_bind_int64(a->insert, 2, k->second);
        sqlite3_bind_int64(a->insert, 3, k->vcpu);
        sqlite3_bind_int64(a->insert, 4, k->type);
        sqlite3_bind_int64(a->insert, 5, (int64_t)k->to_pc);
        sqlite3_bind_int64(a->insert, 6, k->kind);
        sqlite3_bind_int64(a->insert, 7, (int64_t)a->count[i]);
        int rc = discon_db_step(a->db, a->insert);
        if (rc)
            return rc;
        a->count[i] = 0;
    }
    a->n = 0;
    return 0;
}

/* Twice the slots, every used one rehashed. */
static int grow(struct trap_agg *a)
{
    size_t cap = a->cap ? a->cap * 2 : 4096;
    struct agg_key *keys = calloc(cap, sizeof *keys);
    uint64_t *counts = calloc(cap, sizeof *counts);
    if (!keys || !counts) {
        free(keys);
        free(counts);
        return DISCON_DB_E_NOMEM;
    }
    for (size_t i = 0; i < a->cap; i++) {
        if (!a->count[i])
            continue;
        size_t j = agg_hash(&a->key[i]) & (cap - 1);
        while (counts[j])
            j = (j + 1) & (cap - 1);
        keys[j] = a->key[i];
        counts[j] = a->count[i];
    }
    free(a->key);
    free(a->count);
    a->key = keys;
    a->count = counts;
    a->cap = cap;
    return 0;
}

int trap_agg_add(struct trap_agg *a, int64_t trace, const struct agg_key *k)
{
    int rc = 0;
    if (a->n * 2 >= a->cap && a->cap >= AGG_MAX_SLOTS)
        rc = trap_agg_flush(a, trace);
    if (rc == 0 && a->n * 2 >= a->cap)
        rc = grow(a);
    if (rc)
        return rc;
    size_t j = agg_hash(k) & (a->cap - 1);
    while (a->count[j] && memcmp(&a->key[j], k, sizeof *k) != 0)
        j = (j + 1) & (a->cap - 1);
    if (!a->count[j]) {
        a->key[j] = *k;
        a->n++;
    }
    a->count[j]++;
    return 0;
}

void trap_agg_close(struct trap_agg *a)
{
    sqlite3_finalize(a->insert);
    free(a->key);
    free(a->count);
    memset(a, 0, sizeof *a);
}
