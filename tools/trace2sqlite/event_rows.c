/* trace2sqlite: events into _discon_events rows (see event_rows.h). */
#include "event_rows.h"
#include "discon_traps.h"

#include <stdlib.h>

/* The bytes SQLite's record format takes for integer v (0 and 1: none). */
static int int_bytes(int64_t v)
{
    if (v == 0 || v == 1)
        return 0;
    uint64_t m = v < 0 ? ~(uint64_t)v : (uint64_t)v;
    return m < 0x80 ? 1 : m < 0x8000 ? 2 : m < 0x800000 ? 3 : m < 0x80000000 ? 4
         : m < 0x800000000000 ? 6 : 8;
}

/* Level `level` (recorded when `has`) as a code at bit `shift` of bits,
 * in its wide field at bit `wide` when no code says it
 * (DISCON_DB_LEVEL_WIDE of discon_db.h). */
static int64_t level_bits(bool has, uint8_t level, int shift, int wide)
{
    if (!has)
        return 0;
    if (level + 1 < DISCON_DB_LEVEL_WIDE)
        return (int64_t)(level + 1) << shift;
    return (int64_t)DISCON_DB_LEVEL_WIDE << shift | (int64_t)level << wide;
}

/* e's row, folded with its delivery d when d is not NULL: as the events
 * view gives them back (tools/db/schema.c). */
static int queue(struct loader *l, const struct discon_event *e, const struct discon_event *d)
{
    /* The kind and origin wait for the trap (DISCON_DB_BITS_* of
     * discon_db.h); the reader checked the type is one of the five. */
    int64_t bits = e->type |
                   level_bits(e->has & DISCON_HAS_TO_LEVEL, e->to_level, DISCON_DB_BITS_TO_LEVEL,
                              DISCON_DB_BITS_WIDE_TO) |
                   level_bits(e->has & DISCON_HAS_FROM_LEVEL, e->from_level,
                              DISCON_DB_BITS_FROM_LEVEL, DISCON_DB_BITS_WIDE_FROM);
    if (d)
        bits |= (int64_t)d->has << DISCON_DB_BITS_PAIR_HAS;
    /* to_pc relative to from_pc where that is shorter: an interrupt or a
     * fault in the kernel, a return to the next instruction. */
    int64_t to = (int64_t)(d ? d->to_pc : e->to_pc), rel = (int64_t)((uint64_t)to - e->from_pc);
    if (rel >= -DISCON_DB_REL_MAX && rel <= DISCON_DB_REL_MAX && int_bytes(rel) < int_bytes(to) &&
        sums_exactly(e->from_pc, (uint64_t)rel)) {
        to = rel;
        bits |= 1 << DISCON_DB_BITS_TO_REL;
    }
    int64_t row[EVENT_COLS] = {
        [EV_ROWID] = l->next_rowid, [EV_TRACE] = l->trace, [EV_VCPU] = e->vcpu,
        [EV_SEQ] = (int64_t)e->seq, [EV_TIME] = (int64_t)e->time_ns,
        [EV_FROM_PC] = (int64_t)e->from_pc, [EV_TO_PC] = to,
        [EV_BITS] = bits, [EV_CAUSE] = (int64_t)e->cause, [EV_FAULT_ADDR] = (int64_t)e->fault_addr,
        [EV_SYSCALL] = (int64_t)e->syscall,
    };
    /* The three wide cause columns are in the order of the has bits (enum
     * discon_has): a clear bit is a NULL. */
    _Static_assert(DISCON_HAS_CAUSE == 1 && DISCON_HAS_FAULT_ADDR == 2 &&
                   DISCON_HAS_SYSCALL == 4 && DISCON_HAS_ALL == 31,
                   "cause columns in has-bit order");
    /* The rowid is inserted as NULL: SQLite then gives the row one more
     * than the largest rowid, which is l->next_rowid (loader_end_file
     * checks it), and appends without seeking a key it was given. The
     * queued row keeps it to be found by row_batch_set. A RETURN may be
     * folded into it later (return_fold.h). */
    uint32_t nulls = (~(uint32_t)e->has & 7u) << EV_CAUSE | 1u << EV_ROWID | 1u << EV_INTERRUPT |
                     1u << EV_RET_DT | 1u << EV_RET_FROM | 1u << EV_RET_PACK;
    if (d) { /* folds() checked both fit */
        int64_t dpc = (int64_t)(d->from_pc - e->from_pc);
        uint64_t zigzag = dpc < 0 ? (uint64_t)~dpc << 1 | 1 : (uint64_t)dpc << 1;
        row[EV_PAIR] = (int64_t)((d->time_ns - e->time_ns) << DISCON_DB_PAIR_SHIFT | zigzag);
    } else {
        nulls |= 1u << EV_PAIR;
    }
    int64_t rowid = l->next_rowid++;
    if (event_rows_stored(l, e, rowid, d != NULL) || (d && event_rows_stored(l, d, rowid, true)))
        return DISCON_DB_E_NOMEM;
    return row_batch_add(&l->event_rows, row, nulls);
}

int event_rows_stored(struct loader *l, const struct discon_event *e, int64_t rowid, bool folded)
{
    const struct event_id *last = event_ids_last(&l->ids, e->vcpu);
    if (last && last->e.seq >= e->seq)
        l->seq_disorder = true;
    return event_ids_stored(&l->ids, e, rowid, folded) || stored_ranges_add(&l->ranges, e)
               ? DISCON_DB_E_NOMEM : 0;
}

/* Whether delivery d folds into exception e's row without losing a bit:
 * the deriver's pair, every cause field d carries equal to e's, and its
 * time and from_pc reachable from e's in SQL, within the pair column's
 * fields (DISCON_DB_PAIR_*). */
static bool folds(const struct loader *l, const struct discon_event *e,
                  const struct discon_event *d)
{
    if (!discon_traps_is_pair(l->deriver.rule, e, d) || (d->has & ~e->has))
        return false;
    if (((d->has & DISCON_HAS_CAUSE) && d->cause != e->cause) ||
        ((d->has & DISCON_HAS_FAULT_ADDR) && d->fault_addr != e->fault_addr) ||
        ((d->has & DISCON_HAS_SYSCALL) && d->syscall != e->syscall) ||
        ((d->has & DISCON_HAS_TO_LEVEL) && d->to_level != e->to_level) ||
        ((d->has & DISCON_HAS_FROM_LEVEL) && d->from_level != e->from_level))
        return false;
    int64_t dt = (int64_t)(d->time_ns - e->time_ns), dpc = (int64_t)(d->from_pc - e->from_pc);
    return dt >= 0 && dt <= DISCON_DB_PAIR_DT_MAX && dpc >= -DISCON_DB_PAIR_DPC_MAX - 1 &&
           dpc <= DISCON_DB_PAIR_DPC_MAX && sums_exactly(e->time_ns, (uint64_t)dt) &&
           sums_exactly(e->from_pc, (uint64_t)dpc);
}

/* Room for a held exception of `vcpu`: 0, or -1 when out of memory. */
static int grow(struct loader *l, uint32_t vcpu)
{
    if (vcpu < l->nheld)
        return 0;
    uint32_t n = vcpu + 1;
    struct discon_event *h = realloc(l->held, n * sizeof *h);
    if (!h)
        return -1;
    l->held = h;
    uint8_t *on = realloc(l->has_held, n);
    if (!on)
        return -1;
    for (uint32_t v = l->nheld; v < n; v++)
        on[v] = 0;
    l->has_held = on;
    l->nheld = n;
    return 0;
}

int event_rows_add(struct loader *l, const struct discon_event *e, bool keep)
{
    if (e->vcpu < l->nheld && l->has_held[e->vcpu]) {
        l->has_held[e->vcpu] = 0;
        if (keep && folds(l, &l->held[e->vcpu], e))
            return queue(l, &l->held[e->vcpu], e);
        int rc = queue(l, &l->held[e->vcpu], NULL);
        if (rc)
            return rc;
    }
    if (!keep)
        return 0;
    /* An exception the next event could complete waits for it. */
    const struct discon_event next = {.vcpu = e->vcpu, .type = DISCON_INTERRUPT, .seq = e->seq + 1};
    if (discon_traps_is_pair(l->deriver.rule, e, &next)) {
        if (grow(l, e->vcpu))
            return DISCON_DB_E_NOMEM;
        l->held[e->vcpu] = *e;
        l->has_held[e->vcpu] = 1;
        return 0;
    }
    return queue(l, e, NULL);
}

int event_rows_release(struct loader *l, uint32_t vcpu)
{
    int rc = 0;
    for (uint32_t v = vcpu == UINT32_MAX ? 0 : vcpu; rc == 0 && v < l->nheld; v++) {
        if (l->has_held[v]) {
            l->has_held[v] = 0;
            rc = queue(l, &l->held[v], NULL);
        }
        if (vcpu != UINT32_MAX)
            break;
    }
    return rc;
}

int event_rows_set_kind(struct loader *l, int64_t rowid, const struct discon_trap_why *why)
{
    /* Packed (DISCON_DB_BITS_*): the kind id + 1, the origin (0, unknown,
     * is the view's NULL); tests/test_db.c checks every kind id fits. */
    _Static_assert(DISCON_LEVEL_COUNT <= 8, "an origin fits in its 3 bits");
    int64_t trap = (int64_t)(why->kind->id + 1) << DISCON_DB_BITS_KIND |
                   (int64_t)why->origin << DISCON_DB_BITS_ORIGIN;
    bool no_interrupt = why->interrupt < 0;
    if (row_batch_merge(&l->event_rows, rowid, EV_BITS, DISCON_DB_BITS_TRAP, trap)) {
        row_batch_set(&l->event_rows, rowid, EV_INTERRUPT, why->interrupt, no_interrupt);
        return 0;
    }
    sqlite3_stmt *s = l->set_kind;
    sqlite3_bind_int64(s, 1, rowid);
    sqlite3_bind_int64(s, 2, trap);
    if (no_interrupt)
        sqlite3_bind_null(s, 3);
    else
        sqlite3_bind_int64(s, 3, why->interrupt);
    return discon_db_step(l->db, s);
}

void event_rows_free(struct loader *l)
{
    free(l->held);
    free(l->has_held);
    l->held = NULL;
    l->has_held = NULL;
    l->nheld = 0;
}
