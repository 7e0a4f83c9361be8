/* Pairing traps with their returns (see discon_traps.h). */
#include "discon_types.h"
#include "traps_internal.h"

#include <stdlib.h>
#include <string.h>

bool discon_trace_has_returns(const Discon__Header *h)
{
    return h && (h->types & DISCON_RETURN) &&
           !(h->plugin_options && strstr(h->plugin_options, "returns=off"));
}

const char *discon_trap_end_name(unsigned end)
{
    static const char *const names[] = {
        [DISCON_TRAP_OPEN] = "open", [DISCON_TRAP_RETURNED] = "returned",
        [DISCON_TRAP_AT_END] = "open at the end", [DISCON_TRAP_LOST] = "events lost",
        [DISCON_TRAP_TOO_DEEP] = "too deep",
    };
    return end < sizeof names / sizeof names[0] ? names[end] : NULL;
}

void discon_traps_pair(struct discon_trap_deriver *d, discon_trap_fn ended,
                       discon_return_fn unmatched)
{
    d->paired = true;
    d->ended = ended;
    d->unmatched = unmatched;
}

/* The stack of vcpu, grown to exist; NULL if out of memory. */
static struct discon_trap_stack *stack_of(struct discon_trap_deriver *d, uint32_t vcpu)
{
    if (vcpu >= d->nstacks) {
        uint32_t n = vcpu + 1;
        struct discon_trap_stack *s = realloc(d->stacks, n * sizeof *s);
        if (!s)
            return NULL;
        memset(s + d->nstacks, 0, (n - d->nstacks) * sizeof *s);
        d->stacks = s;
        d->nstacks = n;
    }
    return &d->stacks[vcpu];
}

static int push(struct discon_trap_stack *s, const struct discon_trap *t)
{
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 8;
        struct discon_trap *o = realloc(s->open, cap * sizeof *o);
        if (!o)
            return -1;
        s->open = o;
        s->cap = cap;
    }
    s->open[s->n++] = *t;
    return 0;
}

/* End the innermost open trap of s (already given its end fields in
 * place), then pop it. */
static int end_top(struct discon_trap_deriver *d, struct discon_trap_stack *s)
{
    int rc = d->ended ? d->ended(d->ctx, &s->open[s->n - 1]) : 0;
    s->n--;
    return rc;
}

/* The outermost trap of a full stack is forgotten: bounded memory. */
static int forget_outermost(struct discon_trap_deriver *d, struct discon_trap_stack *s)
{
    struct discon_trap t = s->open[0];
    t.end = DISCON_TRAP_TOO_DEEP;
    memmove(s->open, s->open + 1, (s->n - 1) * sizeof *s->open);
    s->n--;
    return d->ended ? d->ended(d->ctx, &t) : 0;
}

int discon_traps_take(struct discon_trap_deriver *d, struct discon_trap *t)
{
    if (!d->paired || t->vcpu >= DISCON_TRAPS_MAX_VCPUS)
        return d->emit(d->ctx, t);
    struct discon_trap_stack *s = stack_of(d, t->vcpu);
    if (!s)
        return -1;
    int rc = s->n >= DISCON_TRAPS_MAX_DEPTH ? forget_outermost(d, s) : 0;
    if (rc)
        return rc;
    t->pairing = DISCON_TRAP_PAIRED;
    t->depth = s->n + 1; /* its nesting level: 1 with nothing open */
    if (s->n) {
        t->pairing |= DISCON_TRAP_HAS_PARENT;
        t->parent_seq = s->open[s->n - 1].seq;
    }
    rc = d->emit(d->ctx, t);
    if (rc || t->type == DISCON_HOSTCALL) /* QEMU handled it: no guest return */
        return rc;
    return push(s, t);
}

/* An x86 IRET to the instruction right after it (see discon_traps.h). */
static bool returns_to_self(const struct discon_trap_deriver *d, const struct discon_event *e)
{
    return d->rule == DISCON_RULE_X86_EXCEPTION_PAIRS && e->to_pc > e->from_pc &&
           e->to_pc - e->from_pc <= 3;
}

int discon_traps_return(struct discon_trap_deriver *d, const struct discon_event *e)
{
    if (!d->paired)
        return 0;
    if (returns_to_self(d, e)) {
        d->returns_to_self++;
        return 0;
    }
    struct discon_trap_stack *s = e->vcpu < d->nstacks ? &d->stacks[e->vcpu] : NULL;
    if (!s || s->n == 0)
        return d->unmatched ? d->unmatched(d->ctx, e) : 0;
    struct discon_trap *t = &s->open[s->n - 1];
    t->end = DISCON_TRAP_RETURNED;
    t->return_ns = e->time_ns;
    t->return_seq = e->seq;
    t->return_pc = e->from_pc;
    t->return_to_pc = e->to_pc;
    return end_top(d, s);
}

int discon_traps_end_all(struct discon_trap_deriver *d, uint32_t vcpu, enum discon_trap_end end)
{
    struct discon_trap_stack *s = vcpu < d->nstacks ? &d->stacks[vcpu] : NULL;
    int rc = 0;
    while (s && s->n && rc == 0) {
        s->open[s->n - 1].end = (uint8_t)end;
        rc = end_top(d, s);
    }
    return rc;
}

const struct discon_trap *discon_traps_open(const struct discon_trap_deriver *d, uint32_t vcpu,
                                            size_t *n)
{
    const struct discon_trap_stack *s = vcpu < d->nstacks ? &d->stacks[vcpu] : NULL;
    *n = s ? s->n : 0;
    return *n ? s->open : NULL;
}

int discon_traps_reopen(struct discon_trap_deriver *d, const struct discon_trap *t)
{
    if (t->vcpu >= DISCON_TRAPS_MAX_VCPUS || !(t->pairing & DISCON_TRAP_PAIRED))
        return -1;
    struct discon_trap_stack *s = stack_of(d, t->vcpu);
    return s && s->n < DISCON_TRAPS_MAX_DEPTH ? push(s, t) : -1;
}

void discon_traps_pairing_free(struct discon_trap_deriver *d)
{
    for (uint32_t v = 0; v < d->nstacks; v++)
        free(d->stacks[v].open);
    free(d->stacks);
    d->stacks = NULL;
    d->nstacks = 0;
}
