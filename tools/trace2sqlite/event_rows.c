/* trace2sqlite: events into _discon_events rows (see event_rows.h). */
#include "event_rows.h"
#include "discon_traps.h"

#include <stdio.h>
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

/* to_pc as stored for a row from from_pc: whichever of DISCON_DB_TO_*
 * is shortest (*mode), within DISCON_DB_TO_DIFF_MAX and exact in SQL. */
static int64_t to_pc_stored(const struct loader *l, uint64_t to_pc, uint64_t from_pc, int *mode)
{
    int64_t best = (int64_t)to_pc;
    *mode = DISCON_DB_TO_RAW;
    uint64_t base[] = {[DISCON_DB_TO_FROM_PC] = from_pc, [DISCON_DB_TO_BASE] = l->to_base};
    for (int m = DISCON_DB_TO_FROM_PC; m <= DISCON_DB_TO_BASE; m++) {
        int64_t d = (int64_t)(to_pc - base[m]);
        if ((m != DISCON_DB_TO_BASE || l->has_to_base) && d >= -DISCON_DB_TO_DIFF_MAX &&
            d <= DISCON_DB_TO_DIFF_MAX && int_bytes(d) < int_bytes(best) &&
            sums_exactly(base[m], (uint64_t)d)) {
            best = d;
            *mode = m;
        }
    }
    return best;
}

uint64_t event_rows_to_pc(const struct loader *l, const int64_t *row)
{
    return discon_db_to_pc(row[EV_TO_PC], row[EV_BITS], (uint64_t)row[EV_FROM_PC], l->to_base);
}

/* The trace's to_pc base (DISCON_DB_TO_BASE): the handler of the first
 * trap whose to_pc would take 4 bytes or more, far from its from_pc, and
 * taken from a lower level (both recorded): an entry into the
 * kernel from user space, at the vectors every later one uses (arm64's
 * trampoline vectors under KPTI, x86's IDT entries in the kernel's text),
 * not an early kernel's own. Kept in its traces row for later loads and
 * the readers. 0 or DISCON_DB_E_SQLITE. */
static int set_to_base(struct loader *l, uint64_t to_pc)
{
    sqlite3_stmt *s;
    int rc = discon_db_prepare(l->db, "UPDATE traces SET to_pc_base = ?2 WHERE trace = ?1", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, l->trace);
    sqlite3_bind_int64(s, 2, (int64_t)to_pc);
    rc = discon_db_step(l->db, s);
    sqlite3_finalize(s);
    if (rc == 0) {
        l->to_base = to_pc;
        l->has_to_base = true;
    }
    return rc;
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
    uint64_t to_pc = d ? d->to_pc : e->to_pc;
    int mode;
    int64_t to = to_pc_stored(l, to_pc, e->from_pc, &mode);
    bool from_below = (e->has & DISCON_HAS_TO_LEVEL) && (e->has & DISCON_HAS_FROM_LEVEL) &&
                      e->from_level < e->to_level;
    if (!l->has_to_base && e->type != DISCON_RETURN && mode == DISCON_DB_TO_RAW &&
        int_bytes(to) >= 4 && from_below) {
        if (set_to_base(l, to_pc))
            return DISCON_DB_E_SQLITE;
        to = to_pc_stored(l, to_pc, e->from_pc, &mode);
    }
    bits |= (int64_t)mode << DISCON_DB_BITS_TO_MODE;
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
    uint32_t nulls = (~(uint32_t)e->has & 7u) << EV_CAUSE | 1u << EV_ROWID | 1u << EV_RET_DT | 1u << EV_RET_FROM | 1u << EV_RET_PACK;
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
           sums_exactly(e->from_pc, (uint64_t)dpc) && sums_exactly(e->seq, 1);
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

/* The interrupt field of trap t named `why` (DISCON_DB_BITS_INTERRUPT). */
static int64_t interrupt_code(const struct discon_trap_why *why)
{
    if (why->interrupt < 0)
        return 0;
    if (why->interrupt <= DISCON_DB_INTERRUPT_MAX)
        return why->interrupt + 1;
    /* Larger only from a riscv cause (trap_kind.h), the escape's meaning. */
    return DISCON_DB_INTERRUPT_CAUSE;
}

int event_rows_set_kind(struct loader *l, int64_t rowid, const struct discon_trap *t,
                        const struct discon_trap_why *why)
{
    /* Packed (DISCON_DB_BITS_*): the kind id + 1, the origin (0, unknown,
     * is the view's NULL), the interrupt; tests/test_db.c checks every
     * kind id fits. */
    _Static_assert(DISCON_LEVEL_COUNT <= 8, "an origin fits in its 3 bits");
    if (why->interrupt > DISCON_DB_INTERRUPT_MAX &&
        (!(t->has & DISCON_HAS_CAUSE) ||
         (uint64_t)why->interrupt != (t->cause & ~(UINT64_C(1) << 63)))) {
        snprintf(l->err, sizeof l->err, "vCPU %u: interrupt number %lld of a trap (seq %llu)"
                 " is not its cause's", t->vcpu, (long long)why->interrupt,
                 (unsigned long long)t->seq);
        l->failed = true;
        return DISCON_DB_E_SQLITE;
    }
    int64_t trap = (int64_t)(why->kind->id + 1) << DISCON_DB_BITS_KIND |
                   (int64_t)why->origin << DISCON_DB_BITS_ORIGIN |
                   interrupt_code(why) << DISCON_DB_BITS_INTERRUPT;
    if (row_batch_merge(&l->event_rows, rowid, EV_BITS, DISCON_DB_BITS_TRAP, trap))
        return 0;
    sqlite3_stmt *s = l->set_kind;
    sqlite3_bind_int64(s, 1, rowid);
    sqlite3_bind_int64(s, 2, trap);
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
