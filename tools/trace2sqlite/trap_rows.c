/* trace2sqlite: a trap's columns on its first event's row, and its
 * _discon_traps row where it needs one (see trap_rows.h). */
#include "trap_rows.h"
#include "discon_types.h"
#include "event_rows.h"

#include <stdio.h>

/* Columns of _discon_traps (tools/db/schema.c). */
enum {
    C_EVENT, C_EVENTS, C_FROM_PC, C_TO_PC, C_DEPTH, C_PARENT_SEQ, C_RETURN_AFTER, C_ENDED,
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
    else if ((e->known && (e->e.type != t->type || e->e.time_ns != t->time_ns)) ||
             (e->folded && t->events != 2))
        snprintf(l->err, sizeof l->err, "vCPU %u: a trap (seq %llu) differs from its first event",
                 t->vcpu, (unsigned long long)t->seq);
    else
        return e;
    l->failed = true;
    return NULL;
}

int trap_kind_set(struct loader *l, const struct discon_trap *t)
{
    const struct event_id *first = trap_first_event(l, t);
    if (!first)
        return DISCON_DB_E_SQLITE;
    struct discon_trap_why why;
    discon_trap_why(&l->namer, t, &why);
    return event_rows_set_kind(l, first->rowid, t, &why);
}

/* The columns of t's row but the pairing: row and *nulls (the columns
 * its first event's row gives, NULL). */
static void shape_columns(const struct event_id *first, const struct discon_trap *t, int64_t *row,
                          uint32_t *nulls)
{
    row[C_EVENT] = first->rowid;
    row[C_EVENTS] = t->events;
    row[C_FROM_PC] = (int64_t)t->from_pc;
    row[C_TO_PC] = (int64_t)t->to_pc;
    /* NULL: the traps view takes its first event row's, which a folded
     * pair's row holds whole (2 events, the delivery's PCs); a row of one
     * event says 1 and its own PCs. */
    *nulls = 0;
    if (first->folded || (first->known && t->events == 1))
        *nulls |= 1u << C_EVENTS;
    bool same_from = first->known && !first->folded && first->e.from_pc == t->from_pc;
    bool same_to = first->known && !first->folded && first->e.to_pc == t->to_pc;
    if (first->folded || same_from)
        *nulls |= 1u << C_FROM_PC;
    if (first->folded || same_to)
        *nulls |= 1u << C_TO_PC;
}

/* Every column but the key NULL: the row says nothing its event row does not. */
#define ALL_NULL (((1u << TRAP_COLS) - 1) & ~1u)
#define PAIRING_NULL (1u << C_DEPTH | 1u << C_PARENT_SEQ | 1u << C_RETURN_AFTER | 1u << C_ENDED)

bool trap_row_pairing_only(struct loader *l, const struct discon_trap *t)
{
    const struct event_id *first = event_ids_find(&l->ids, t->vcpu, t->seq);
    if (!first)
        return false;
    int64_t row[TRAP_COLS];
    uint32_t nulls;
    shape_columns(first, t, row, &nulls);
    return (nulls | PAIRING_NULL) == ALL_NULL;
}

int trap_row_add(struct loader *l, const struct discon_trap *t, int64_t *rowid)
{
    const struct event_id *first = trap_first_event(l, t);
    if (!first)
        return DISCON_DB_E_SQLITE;
    if (rowid)
        *rowid = first->rowid;
    int64_t row[TRAP_COLS];
    uint32_t nulls;
    shape_columns(first, t, row, &nulls);
    pairing_columns(t, row, &nulls);
    /* Nothing the event row does not say: no row of its own. */
    if (nulls == ALL_NULL)
        return 0;
    return row_batch_add(&l->trap_rows, row, nulls);
}
