/* The flight recorder's trap triggers (flight_triggers.h). */
#include "flight_triggers.h"
#include "snapshot_option.h"
#include "trap_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vcpu_rules {
    struct discon_fault_loop run;
    struct discon_trap prev; /* its last trap, for the distance rule */
    bool has_prev;
};

struct flight_triggers {
    unsigned mask, fired;
    char why[160];
    bool x86;
    struct discon_trap_namer namer; /* no symbols, as the report's loop rule */
    struct discon_trap_deriver deriver;
    struct vcpu_rules *v;
    uint32_t nvcpus;
};

static void fire(struct flight_triggers *f, unsigned bit, const struct discon_trap *t,
                 const char *what)
{
    if (!(f->fired & bit))
        snprintf(f->why, sizeof f->why, "vCPU %u: %s from 0x%llx at %llu ns", t->vcpu, what,
                 (unsigned long long)t->from_pc, (unsigned long long)t->time_ns);
    f->fired |= bit;
}

static int on_trap(void *ctx, const struct discon_trap *t)
{
    struct flight_triggers *f = ctx;
    if (t->vcpu >= f->nvcpus)
        return 0;
    struct vcpu_rules *v = &f->v[t->vcpu];
    if (f->mask & DISCON_SNAP_FAULT_LOOP) {
        struct discon_fault_loop ended;
        discon_fault_loop_feed(&v->run, &f->namer, t, &ended);
        if (v->run.count == DISCON_LOOP_DEFAULT) /* once per loop */
            fire(f, DISCON_SNAP_FAULT_LOOP, t, "fault loop");
    }
    if (f->mask & DISCON_SNAP_DOUBLE_TRAP) {
        bool dbl;
        if (f->deriver.paired) {
            size_t nopen;
            const struct discon_trap *open = discon_traps_open(&f->deriver, t->vcpu, &nopen);
            dbl = discon_double_nested(f->x86, open, nopen, t, DISCON_DOUBLE_WINDOW);
        } else {
            dbl = v->has_prev && discon_double_after(&v->prev, t, DISCON_DOUBLE_WINDOW,
                                                     DISCON_DOUBLE_TIME_BOUND_NS);
        }
        if (dbl)
            fire(f, DISCON_SNAP_DOUBLE_TRAP, t, "double trap");
    }
    v->prev = *t;
    v->has_prev = true;
    return 0;
}

struct flight_triggers *flight_triggers_new(const struct discon_layout *l, unsigned mask)
{
    struct flight_triggers *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->nvcpus = l->vcpu_capacity;
    f->v = calloc(f->nvcpus, sizeof *f->v);
    if (!f->v) {
        free(f);
        return NULL;
    }
    f->mask = mask;
    f->x86 = strcmp(l->target, "x86_64") == 0 || strcmp(l->target, "i386") == 0;
    discon_trap_namer_init(&f->namer, l->target, NULL);
    discon_traps_init(&f->deriver, discon_trap_rule_for(l->target), on_trap, f);
    /* The same test a reader makes of the trace header. */
    Discon__Header h = DISCON__HEADER__INIT;
    h.types = l->types;
    h.plugin_options = (char *)l->options;
    if (discon_trace_has_returns(&h))
        discon_traps_pair(&f->deriver, NULL, NULL);
    return f;
}

void flight_triggers_events(void *ctx, const struct discon_event *ev, size_t n)
{
    struct flight_triggers *f = ctx;
    /* Out of memory (a deeper nesting than ever): the triggers miss one
     * batch's traps; the recording itself goes on. */
    if (f->mask & (DISCON_SNAP_FAULT_LOOP | DISCON_SNAP_DOUBLE_TRAP))
        discon_traps_feed(&f->deriver, ev, n);
}

void flight_triggers_loss(void *ctx, uint32_t vcpu)
{
    struct flight_triggers *f = ctx;
    discon_traps_break(&f->deriver, vcpu);
    if (vcpu < f->nvcpus) { /* no loop or double trap across a gap */
        f->v[vcpu].run.count = 0;
        f->v[vcpu].has_prev = false;
    }
}

unsigned flight_triggers_take(struct flight_triggers *f, char *why, size_t len)
{
    unsigned fired = f->fired;
    snprintf(why, len, "%s", fired ? f->why : "");
    f->fired = 0;
    return fired;
}

void flight_triggers_free(struct flight_triggers *f)
{
    if (!f)
        return;
    discon_traps_free(&f->deriver);
    free(f->v);
    free(f);
}
