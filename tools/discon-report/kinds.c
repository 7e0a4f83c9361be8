/*
 * Why traps happened, for the report: while collecting, each trap's naming
 * inputs (struct why_key) are counted; once the symbols are placed (an
 * x86_64 trap's kind is its handler's Linux entry symbol, and the KASLR
 * slide is only known after reading), report_name_traps names each
 * distinct key once through tools/analysis/trap_kind.h. Memory grows with
 * distinct (source PC, handler, cause) triples, not with traps.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

enum { WHY_HAS = DISCON_HAS_CAUSE | DISCON_HAS_TO_LEVEL | DISCON_HAS_FROM_LEVEL };

struct why_key report_why_key(const struct discon_trap *t)
{
    struct why_key k;
    memset(&k, 0, sizeof k); /* padding too: keys are compared with memcmp */
    k.from_pc = t->from_pc;
    k.to_pc = t->to_pc;
    k.type = t->type;
    k.has = t->has & WHY_HAS;
    k.cause = (k.has & DISCON_HAS_CAUSE) ? t->cause : 0;
    k.to_level = (k.has & DISCON_HAS_TO_LEVEL) ? t->to_level : 0;
    k.from_level = (k.has & DISCON_HAS_FROM_LEVEL) ? t->from_level : 0;
    return k;
}

static size_t slot_of(const struct why_key *k, size_t cap)
{
    uint64_t h = k->from_pc * 0x9e3779b97f4a7c15u ^ k->to_pc * 0xc2b2ae3d27d4eb4fu ^
                 k->cause * 0x165667b19e3779f9u ^
                 ((uint64_t)k->type << 24 | (uint64_t)k->has << 16 | (uint64_t)k->to_level << 8 |
                  k->from_level);
    return (size_t)(h ^ h >> 29) & (cap - 1);
}

static int why_add(struct why_counts *c, const struct why_key *k, uint64_t n)
{
    if (c->n * 2 >= c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        struct why_counts g = {calloc(cap, sizeof *g.key), calloc(cap, sizeof *g.count), cap, 0};
        if (!g.key || !g.count) {
            free(g.key), free(g.count);
            return -1;
        }
        for (size_t i = 0; i < c->cap; i++)
            if (c->count[i])
                why_add(&g, &c->key[i], c->count[i]);
        free(c->key), free(c->count);
        *c = g;
    }
    size_t i = slot_of(k, c->cap);
    while (c->count[i] && memcmp(&c->key[i], k, sizeof *k) != 0)
        i = (i + 1) & (c->cap - 1);
    if (!c->count[i]) {
        memcpy(&c->key[i], k, sizeof *k); /* with its zeroed padding */
        c->n++;
    }
    c->count[i] += n;
    return 0;
}

int report_count_why(struct report *r, const struct discon_trap *t)
{
    struct why_key k = report_why_key(t);
    return why_add(&r->whys, &k, 1);
}

void report_whys_free(struct report *r)
{
    free(r->whys.key), free(r->whys.count);
    r->whys = (struct why_counts){0};
    pc_counts_free(&r->syscalls);
    pc_counts_free(&r->kinds);
    pc_counts_free(&r->kind_sources);
    pc_counts_free(&r->interrupts);
}

double report_duration(const struct report *r)
{
    return r->last_ns > r->first_ns ? (double)(r->last_ns - r->first_ns) / 1e9 : 0;
}

bool report_loop_kind(const struct discon_kind *k)
{
    return k->trap_class != DISCON_CLASS_SYSCALL && k->trap_class != DISCON_CLASS_FIRMWARE_CALL &&
           !(k->arch == DISCON_ARCH_UNKNOWN && k->trap_class == DISCON_CLASS_OTHER);
}

/* The stored loops, named; those whose kind, now that the symbols are
 * placed (x86_64), forms no loop are dropped. */
static void name_loops(struct report *r, struct discon_trap_namer *n)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->nloops; i++) {
        struct discon_trap_why why;
        discon_trap_why(n, &r->loops[i].first, &why);
        if (!report_loop_kind(why.kind)) {
            r->loops_total--;
            continue;
        }
        r->loops[kept] = r->loops[i];
        r->loops[kept++].kind = why.kind;
    }
    r->nloops = kept;
}

int report_name_traps(struct report *r)
{
    struct discon_trap_namer *n = malloc(sizeof *n);
    if (!n)
        return -1;
    discon_trap_namer_init(n, r->target, r->opt.syms);
    int rc = 0;
    for (size_t i = 0; i < r->whys.cap && rc == 0; i++) {
        if (!r->whys.count[i])
            continue;
        const struct why_key *k = &r->whys.key[i];
        struct discon_trap t = {.type = k->type, .from_pc = k->from_pc, .to_pc = k->to_pc,
                                .cause = k->cause, .to_level = k->to_level,
                                .from_level = k->from_level, .has = k->has};
        struct discon_trap_why why;
        discon_trap_why(n, &t, &why);
        uint64_t c = r->whys.count[i];
        uint32_t tag = why.kind->id + 1;
        rc = pc_counts_add(&r->kinds, why.kind->id, 1, c) ||
             pc_counts_add(&r->kind_sources, k->from_pc, tag, c) ||
             (why.interrupt >= 0 && pc_counts_add(&r->interrupts, (uint64_t)why.interrupt, tag, c));
    }
    name_loops(r, n);
    if (rc == 0)
        rc = report_time_name(r, n);
    free(n);
    r->named = rc == 0;
    return rc ? -1 : 0;
}
