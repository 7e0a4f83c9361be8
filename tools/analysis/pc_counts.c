/* (PC, tag) -> count tables (pc_counts.h). */
#include "pc_counts.h"

#include <stdlib.h>

int pc_counts_add(struct pc_counts *c, uint64_t pc, uint32_t tag, uint64_t n)
{
    if (c->n * 2 >= c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        struct pc_counts g = {calloc(cap, 8), calloc(cap, 4), calloc(cap, 8), cap, 0};
        if (!g.pc || !g.type || !g.count) {
            free(g.pc), free(g.type), free(g.count);
            return -1;
        }
        for (size_t i = 0; i < c->cap; i++)
            if (c->count[i])
                pc_counts_add(&g, c->pc[i], c->type[i], c->count[i]);
        free(c->pc), free(c->type), free(c->count);
        *c = g;
    }
    size_t i = (size_t)((pc * 0x9e3779b97f4a7c15u) >> 20 ^ tag) & (c->cap - 1);
    while (c->count[i] && (c->pc[i] != pc || c->type[i] != tag))
        i = (i + 1) & (c->cap - 1);
    if (!c->count[i]) {
        c->pc[i] = pc;
        c->type[i] = tag;
        c->n++;
    }
    c->count[i] += n;
    return 0;
}

void pc_counts_free(struct pc_counts *c)
{
    free(c->pc), free(c->type), free(c->count);
    *c = (struct pc_counts){0};
}

static const struct pc_counts *sort_table;
static int by_count(const void *a, const void *b)
{
    uint64_t x = sort_table->count[*(const size_t *)a], y = sort_table->count[*(const size_t *)b];
    if (x != y)
        return x < y ? 1 : -1;
    uint64_t p = sort_table->pc[*(const size_t *)a], q = sort_table->pc[*(const size_t *)b];
    return p < q ? -1 : p > q;
}

size_t *pc_counts_sorted(const struct pc_counts *c, uint32_t tag)
{
    size_t *idx = malloc((c->n + 1) * sizeof *idx), k = 0;
    for (size_t i = 0; idx && i < c->cap; i++)
        if (c->count[i] && (tag == 0 || c->type[i] == tag))
            idx[k++] = i;
    if (!idx)
        return NULL;
    sort_table = c;
    qsort(idx, k, sizeof *idx, by_count);
    idx[k] = SIZE_MAX;
    return idx;
}
