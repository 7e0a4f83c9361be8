/*
 * Exact nesting, for the report of a trace that recorded returns: the
 * pairing callbacks of schema/discon_traps.h. Replaces the distance rule
 * of collect.c's find_double: a double trap is an exception taken while a
 * handler of its level or a more privileged one had not returned, from
 * inside that handler's entry (its first --window bytes).
 *
 * Why the entry: a kernel takes exceptions inside its handlers on purpose
 * once it has saved what the first trap needs (a page fault in
 * copy_from_user during a system call, an aarch64 Linux -smp 2 boot has
 * thousands); they are nested traps, counted as such. A trap taken before
 * the handler got that far (its entry code faulting, a stack overflow on
 * entry) is the one that loses state: the x86 #DF case, RISC-V's Ssdbltrp.
 * Returns make "had not returned" exact; no time bound is needed.
 */
#include "report.h"

#include <string.h>

/* c: trap t and the innermost REPORT_CHAIN of the n traps in open. */
static void chain_of(struct trap_chain *c, const struct discon_trap *t,
                     const struct discon_trap *open, size_t n)
{
    size_t from = n > REPORT_CHAIN ? n - REPORT_CHAIN : 0;
    c->trap = *t;
    c->nopen = (unsigned)(n - from);
    for (size_t i = from; i < n; i++)
        c->open[i - from] = open[i];
}

int report_nesting_take(struct report *r, const struct discon_trap *t)
{
    struct nesting *n = &r->nest;
    if (!(t->pairing & DISCON_TRAP_PAIRED))
        return 0; /* an absurd vCPU: not paired */
    if (t->depth > n->max_depth)
        n->max_depth = t->depth;
    if (t->depth <= 1) /* taken with nothing open */
        return 0;
    n->nested++;
    if (t->type == DISCON_INTERRUPT)
        n->nested_interrupts++;
    if (t->type != DISCON_EXCEPTION)
        return 0;
    size_t nopen;
    const struct discon_trap *open = discon_traps_open(&r->deriver, t->vcpu, &nopen);
    bool x86 = strcmp(r->target, "x86_64") == 0 || strcmp(r->target, "i386") == 0;
    if (!discon_double_nested(x86, open, nopen, t, r->opt.window))
        return 0;
    n->doubles_total++;
    if (n->ndoubles < REPORT_MAX_ITEMS)
        chain_of(&n->doubles[n->ndoubles++], t, open, nopen);
    return 0;
}

int report_trap_ended(void *ctx, const struct discon_trap *t)
{
    struct report *r = ctx;
    struct nesting *n = &r->nest;
    if (!report_trap_in_window(r, t->time_ns))
        return 0;
    if (r->opt.hook && r->opt.hook->ended(r->opt.hook->ctx, r, t))
        return -1;
    if (r->pm)
        postmortem_ended(r, t);
    if (t->end <= DISCON_TRAP_TOO_DEEP)
        n->by_end[t->end]++;
    if (t->end == DISCON_TRAP_RETURNED) {
        n->returns++;
        return report_time_add(r, t);
    }
    /* The end of the trace ends each vCPU's traps innermost first: the
     * first of a vCPU is its innermost, listed with its chain. */
    if (t->end != DISCON_TRAP_AT_END || (n->any_at_end && n->at_end_vcpu == t->vcpu))
        return 0;
    n->any_at_end = true;
    n->at_end_vcpu = t->vcpu;
    n->open_total++;
    size_t nopen;
    const struct discon_trap *open = discon_traps_open(&r->deriver, t->vcpu, &nopen);
    if (n->nopen < REPORT_MAX_ITEMS && nopen)
        chain_of(&n->open_at_end[n->nopen++], t, open, nopen - 1); /* without t itself */
    return 0;
}

int report_unmatched_return(void *ctx, const struct discon_event *ret)
{
    struct report *r = ctx;
    /* counted: recording started inside its handler, or it was lost */
    if (report_trap_in_window(r, ret->time_ns))
        r->nest.unmatched++;
    return 0;
}
