#include "traps_internal.h"
#include "discon_types.h"

#include <stdlib.h>
#include <string.h>

enum discon_trap_rule discon_trap_rule_for(const char *target)
{
    if (target && (strcmp(target, "x86_64") == 0 || strcmp(target, "i386") == 0))
        return DISCON_RULE_X86_EXCEPTION_PAIRS;
    return DISCON_RULE_ONE_EVENT_ONE_TRAP;
}

const char *discon_trap_rule_name(enum discon_trap_rule rule)
{
    return rule == DISCON_RULE_X86_EXCEPTION_PAIRS ? "x86 exception pairs"
                                                   : "one event, one trap";
}

void discon_traps_init(struct discon_trap_deriver *d, enum discon_trap_rule rule,
                       discon_trap_fn emit, void *ctx)
{
    *d = (struct discon_trap_deriver){.rule = rule, .emit = emit, .ctx = ctx};
}

/* The trap of event e (its first, or only, event): where it went is to_pc,
 * where it came from is from_pc. */
static struct discon_trap trap_of(const struct discon_event *e, uint64_t from_pc, uint64_t to_pc,
                                  uint8_t events)
{
    return (struct discon_trap){
        .vcpu = e->vcpu, .type = e->type, .events = events, .seq = e->seq,
        .time_ns = e->time_ns, .from_pc = from_pc, .to_pc = to_pc,
        .cause = e->cause, .fault_addr = e->fault_addr, .syscall = e->syscall,
        .to_level = e->to_level, .from_level = e->from_level, .has = e->has,
    };
}

static int emit_event(struct discon_trap_deriver *d, const struct discon_event *e,
                      uint64_t to_pc, uint8_t events)
{
    struct discon_trap t = trap_of(e, e->from_pc, to_pc, events);
    return discon_traps_take(d, &t);
}

bool discon_traps_is_pair(enum discon_trap_rule rule, const struct discon_event *first,
                          const struct discon_event *next)
{
    return rule == DISCON_RULE_X86_EXCEPTION_PAIRS && first->vcpu < DISCON_TRAPS_MAX_VCPUS &&
           first->type == DISCON_EXCEPTION && first->to_pc == first->from_pc &&
           next->vcpu == first->vcpu && next->type == DISCON_INTERRUPT &&
           next->seq == first->seq + 1;
}

static int grow(struct discon_trap_deriver *d, uint32_t vcpu)
{
    if (vcpu < d->nvcpus)
        return 0;
    uint32_t n = vcpu + 1;
    struct discon_event *p = realloc(d->pending, n * sizeof *p);
    if (!p)
        return -1;
    d->pending = p;
    uint8_t *h = realloc(d->has_pending, n);
    if (!h)
        return -1;
    memset(h + d->nvcpus, 0, n - d->nvcpus);
    d->has_pending = h;
    d->nvcpus = n;
    return 0;
}

/* The pending exception of vcpu, if any, becomes a trap of its own. */
static int flush_pending(struct discon_trap_deriver *d, uint32_t vcpu)
{
    if (vcpu >= d->nvcpus || !d->has_pending[vcpu])
        return 0;
    d->has_pending[vcpu] = 0;
    const struct discon_event *p = &d->pending[vcpu];
    return emit_event(d, p, p->to_pc, 1);
}

int discon_traps_break(struct discon_trap_deriver *d, uint32_t vcpu)
{
    int rc = flush_pending(d, vcpu);
    return rc ? rc : discon_traps_end_all(d, vcpu, DISCON_TRAP_LOST);
}

int discon_traps_feed(struct discon_trap_deriver *d, const struct discon_event *ev, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct discon_event *e = &ev[i];
        if (e->type == DISCON_RETURN) { /* never a trap: it closes one */
            rc = flush_pending(d, e->vcpu);
            if (rc == 0)
                rc = discon_traps_return(d, e);
            continue;
        }
        if (d->rule == DISCON_RULE_ONE_EVENT_ONE_TRAP || e->vcpu >= DISCON_TRAPS_MAX_VCPUS) {
            rc = emit_event(d, e, e->to_pc, 1); /* absurd vCPUs: events stay alone */
            continue;
        }
        if (grow(d, e->vcpu) != 0)
            return -1;
        if (d->has_pending[e->vcpu]) {
            const struct discon_event *p = &d->pending[e->vcpu];
            if (discon_traps_is_pair(d->rule, p, e)) { /* the delivery: one trap */
                d->has_pending[e->vcpu] = 0;
                struct discon_trap t = trap_of(p, e->from_pc, e->to_pc, 2);
                rc = discon_traps_take(d, &t);
                continue;
            }
            rc = flush_pending(d, e->vcpu);
            if (rc)
                break;
        }
        if (e->type == DISCON_EXCEPTION && e->to_pc == e->from_pc) {
            d->pending[e->vcpu] = *e;
            d->has_pending[e->vcpu] = 1;
        } else {
            rc = emit_event(d, e, e->to_pc, 1);
        }
    }
    return rc;
}

int discon_traps_finish(struct discon_trap_deriver *d)
{
    int rc = 0;
    for (uint32_t v = 0; v < d->nvcpus && rc == 0; v++)
        rc = flush_pending(d, v);
    for (uint32_t v = 0; v < d->nstacks && rc == 0; v++)
        rc = discon_traps_end_all(d, v, DISCON_TRAP_AT_END);
    return rc;
}

void discon_traps_free(struct discon_trap_deriver *d)
{
    free(d->pending);
    free(d->has_pending);
    discon_traps_pairing_free(d);
    *d = (struct discon_trap_deriver){0};
}
