/* trace2sqlite: the _discon_traps row of a trap (see trap_rows.h). */
#include "trap_rows.h"
#include "discon_types.h"

#include <stdio.h>

/* Columns of _discon_traps (tools/db/schema.c). */
enum {
    C_EVENT, C_EVENTS, C_FROM_PC, C_TO_PC, C_KIND, C_ORIGIN, C_INTERRUPT, C_DEPTH, C_PARENT_SEQ,
    C_RETURN_AFTER, C_ENDED,
};
_Static_assert(C_ENDED + 1 == TRAP_COLS, "TRAP_COLS is the column count");

/* depth, parent_seq, return_after_ns, ended: NULL for a trace without
 * returns, parent_seq NULL with nothing open, the return's NULL until it
 * returned, and a host call's end NULL (QEMU handled it: no return). */
static void pairing_columns(const struct discon_trap *t, int64_t *row, uint32_t *nulls)
{
    if (!(t->pairing & DISCON_TRAP_PAIRED)) {
        *nulls |= 1u << C_DEPTH | 1u << C_PARENT_SEQ | 1u << C_RETURN_AFTER | 1u << C_ENDED;
        return;
    }
    row[C_DEPTH] = t->depth;
    row[C_PARENT_SEQ] = (int64_t)t->parent_seq;
    row[C_RETURN_AFTER] = (int64_t)(t->return_ns - t->time_ns); /* negative: the clock went back */
    row[C_ENDED] = t->end;
    if (!(t->pairing & DISCON_TRAP_HAS_PARENT))
        *nulls |= 1u << C_PARENT_SEQ;
    if (t->end != DISCON_TRAP_RETURNED || t->type == DISCON_HOSTCALL)
        *nulls |= 1u << C_RETURN_AFTER;
    if (t->type == DISCON_HOSTCALL)
        *nulls |= 1u << C_ENDED;
}

const struct event_id *trap_first_event(struct loader *l, const struct discon_trap *t)
{
    const struct event_id *e = event_ids_find(&l->ids, t->vcpu, t->seq);
    if (!e)
        snprintf(l->err, sizeof l->err, "vCPU %u: the first event (seq %llu) of a trap was not"
                 " stored", t->vcpu, (unsigned long long)t->seq);
    else if (e->known && (e->e.type != t->type || e->e.time_ns != t->time_ns))
        snprintf(l->err, sizeof l->err, "vCPU %u: a trap (seq %llu) differs from its first event",
                 t->vcpu, (unsigned long long)t->seq);
    else
        return e;
    l->failed = true;
    return NULL;
}

int trap_row_add(struct loader *l, const struct discon_trap *t, int64_t *rowid)
{
    const struct event_id *first = trap_first_event(l, t);
    if (!first)
        return DISCON_DB_E_SQLITE;
    struct discon_trap_why why;
    discon_trap_why(&l->namer, t, &why);
    int64_t row[TRAP_COLS] = {
        [C_EVENT] = first->rowid, [C_EVENTS] = t->events,
        [C_FROM_PC] = (int64_t)t->from_pc, [C_TO_PC] = (int64_t)t->to_pc,
        [C_KIND] = why.kind->id, [C_ORIGIN] = why.origin, [C_INTERRUPT] = why.interrupt,
    };
    uint32_t nulls = 0;
    /* NULL: the view takes the event's (x86: the delivery's PCs differ) */
    if (first->known && first->e.from_pc == t->from_pc)
        nulls |= 1u << C_FROM_PC;
    if (first->known && first->e.to_pc == t->to_pc)
        nulls |= 1u << C_TO_PC;
    if (why.origin == DISCON_LEVEL_UNKNOWN)
        nulls |= 1u << C_ORIGIN;
    if (why.interrupt < 0)
        nulls |= 1u << C_INTERRUPT;
    pairing_columns(t, row, &nulls);
    if (rowid)
        *rowid = first->rowid;
    return row_batch_add(&l->trap_rows, row, nulls);
}
