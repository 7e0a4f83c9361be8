/* trace2sqlite: a RETURN into an earlier row (see return_fold.h). */
#include "return_fold.h"
#include "event_rows.h"

/* A level code of ret_pack (DISCON_DB_RET_*): 0 not recorded, level + 1;
 * -1 when the level needs a wide field, which ret_pack has not. */
static int64_t ret_level(bool has, uint8_t level)
{
    return !has ? 0 : level + 1 < DISCON_DB_LEVEL_WIDE ? level + 1 : -1;
}

/* What every folded RETURN r puts in ret_pack (its levels, its to_pc
 * against `base`, its seq against `seq`), or -1 when it does not fit,
 * nor when the views' sums back (base + difference, seq + difference)
 * would leave SQLite's signed integers: a PC or seq across 2^63. */
static int64_t pack_return(const struct discon_event *r, uint64_t base, uint64_t seq)
{
    int64_t dto = (int64_t)(r->to_pc - base);
    uint64_t dseq = r->seq - seq;
    int64_t to = ret_level(r->has & DISCON_HAS_TO_LEVEL, r->to_level),
            from = ret_level(r->has & DISCON_HAS_FROM_LEVEL, r->from_level);
    if (dto < -DISCON_DB_RET_DTO_MAX - 1 || dto > DISCON_DB_RET_DTO_MAX || dseq < 1 ||
        dseq > DISCON_DB_RET_DSEQ_MAX || to < 0 || from < 0 ||
        !sums_exactly(base, (uint64_t)dto) || !sums_exactly(seq, dseq) ||
        (r->has & ~(DISCON_HAS_TO_LEVEL | DISCON_HAS_FROM_LEVEL)))
        return -1;
    uint64_t zigzag = dto < 0 ? ((uint64_t)~dto << 1 | 1) : (uint64_t)dto << 1;
    return (int64_t)(zigzag << DISCON_DB_RET_DTO | (dseq - 1) << DISCON_DB_RET_DSEQ |
                     (uint64_t)to << DISCON_DB_RET_TO_LEVEL |
                     (uint64_t)from << DISCON_DB_RET_FROM_LEVEL);
}

/* The pairing of trap t for ret_pack, or -1 when it does not fit (nor
 * when the traps view's seq - parent would leave SQLite's integers). */
static int64_t pack_pairing(const struct discon_trap *t)
{
    uint64_t parent = t->pairing & DISCON_TRAP_HAS_PARENT ? t->seq - t->parent_seq : 0;
    if (t->depth < 1 || t->depth > DISCON_DB_RET_DEPTH_MAX || parent > DISCON_DB_RET_PARENT_MAX ||
        (parent == 0 && t->pairing & DISCON_TRAP_HAS_PARENT) || !sums_exactly(t->seq, -parent))
        return -1;
    return (int64_t)((uint64_t)(t->depth - 1) << DISCON_DB_RET_DEPTH |
                     parent << DISCON_DB_RET_PARENT);
}

/* Fold r into queued row `row` (nulls: its NULL bits) with ret_pack `pack`
 * (-1: it does not fit): the columns, and r recorded as stored in row
 * `rowid`. false when a field does not fit. */
static bool fold(struct loader *l, int64_t *row, uint32_t *nulls, int64_t rowid,
                 const struct discon_event *r, int64_t pack, int *rc)
{
    uint64_t to_pc = event_rows_to_pc(l, row);
    uint64_t dt = r->time_ns - (uint64_t)row[EV_TIME], dfrom = r->from_pc - to_pc;
    if (pack < 0 || !sums_exactly((uint64_t)row[EV_TIME], dt) || !sums_exactly(to_pc, dfrom))
        return false;
    row[EV_RET_DT] = (int64_t)dt;
    row[EV_RET_FROM] = (int64_t)dfrom;
    row[EV_RET_PACK] = pack;
    *nulls &= ~(1u << EV_RET_DT | 1u << EV_RET_FROM | 1u << EV_RET_PACK);
    *rc = event_rows_stored(l, r, rowid, false);
    return true;
}

bool return_fold(struct loader *l, const struct discon_trap *t, const struct discon_event *r,
                 int *rc)
{
    *rc = 0;
    const struct event_id *first = event_ids_find(&l->ids, t->vcpu, t->seq);
    uint32_t *nulls;
    int64_t *row = first && first->rowid ? row_batch_find(&l->event_rows, first->rowid, &nulls)
                                          : NULL;
    if (!row || !(*nulls >> EV_RET_DT & 1) || t->end != DISCON_TRAP_RETURNED ||
        r->vcpu != t->vcpu || r->seq != t->return_seq || r->time_ns != t->return_ns)
        return false;
    int64_t ret = pack_return(r, (uint64_t)row[EV_FROM_PC], (uint64_t)row[EV_SEQ]),
            pairing = pack_pairing(t);
    return fold(l, row, nulls, first->rowid, r, ret < 0 || pairing < 0 ? -1 : ret | pairing, rc);
}

bool return_follow(struct loader *l, const struct discon_event *r, int *rc)
{
    *rc = 0;
    const struct event_id *last = event_ids_last(&l->ids, r->vcpu);
    if (!last || !last->known || !last->rowid || last->e.type != DISCON_RETURN ||
        last->e.seq + 1 != r->seq)
        return false;
    uint32_t *nulls;
    int64_t *row = row_batch_find(&l->event_rows, last->rowid, &nulls);
    /* Its own row (not one it was folded into), with room. */
    if (!row || (row[EV_BITS] & DISCON_DB_BITS_TYPE) != DISCON_RETURN ||
        (uint64_t)row[EV_SEQ] != last->e.seq || !(*nulls >> EV_RET_DT & 1))
        return false;
    int64_t ret = pack_return(r, r->from_pc, (uint64_t)row[EV_SEQ]);
    return fold(l, row, nulls, last->rowid, r,
                ret < 0 ? -1 : ret | INT64_C(1) << DISCON_DB_RET_FOLLOWS, rc);
}
