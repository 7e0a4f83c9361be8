/* trace2sqlite: a RETURN into its trap's row (see return_fold.h). */
#include "return_fold.h"
#include "event_rows.h"

/* A level code of ret_pack (DISCON_DB_RET_*): 0 not recorded, level + 1;
 * -1 when the level needs a wide field, which ret_pack has not. */
static int64_t ret_level(bool has, uint8_t level)
{
    return !has ? 0 : level + 1 < DISCON_DB_LEVEL_WIDE ? level + 1 : -1;
}

/* ret_pack for RETURN r closing trap t in row `row`, or -1 when a field
 * does not fit. */
static int64_t pack(const struct discon_trap *t, const struct discon_event *r, const int64_t *row)
{
    int64_t dto = (int64_t)(r->to_pc - (uint64_t)row[EV_FROM_PC]);
    uint64_t dseq = r->seq - (uint64_t)row[EV_SEQ];
    uint64_t parent = t->pairing & DISCON_TRAP_HAS_PARENT ? t->seq - t->parent_seq : 0;
    int64_t to = ret_level(r->has & DISCON_HAS_TO_LEVEL, r->to_level),
            from = ret_level(r->has & DISCON_HAS_FROM_LEVEL, r->from_level);
    if (dto < -DISCON_DB_RET_DTO_MAX - 1 || dto > DISCON_DB_RET_DTO_MAX || dseq < 1 ||
        dseq > DISCON_DB_RET_DSEQ_MAX || t->depth < 1 || t->depth > DISCON_DB_RET_DEPTH_MAX ||
        parent > DISCON_DB_RET_PARENT_MAX || (parent == 0 && t->pairing & DISCON_TRAP_HAS_PARENT) ||
        to < 0 || from < 0 || (r->has & ~(DISCON_HAS_TO_LEVEL | DISCON_HAS_FROM_LEVEL)))
        return -1;
    uint64_t zigzag = dto < 0 ? ((uint64_t)~dto << 1 | 1) : (uint64_t)dto << 1;
    return (int64_t)(zigzag << DISCON_DB_RET_DTO | (dseq - 1) << DISCON_DB_RET_DSEQ |
                     (uint64_t)(t->depth - 1) << DISCON_DB_RET_DEPTH |
                     parent << DISCON_DB_RET_PARENT | (uint64_t)to << DISCON_DB_RET_TO_LEVEL |
                     (uint64_t)from << DISCON_DB_RET_FROM_LEVEL);
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
    /* The handler as the row gives it back (DISCON_DB_BITS_TO_REL). */
    uint64_t handler = (uint64_t)row[EV_TO_PC];
    if (row[EV_BITS] >> DISCON_DB_BITS_TO_REL & 1)
        handler += (uint64_t)row[EV_FROM_PC];
    uint64_t dt = r->time_ns - (uint64_t)row[EV_TIME], dfrom = r->from_pc - handler;
    int64_t p = pack(t, r, row);
    if (p < 0 || !sums_exactly((uint64_t)row[EV_TIME], dt) || !sums_exactly(handler, dfrom))
        return false;
    int64_t rowid = first->rowid;
    row[EV_RET_DT] = (int64_t)dt;
    row[EV_RET_FROM] = (int64_t)dfrom;
    row[EV_RET_PACK] = p;
    *nulls &= ~(1u << EV_RET_DT | 1u << EV_RET_FROM | 1u << EV_RET_PACK);
    *rc = event_rows_stored(l, r, rowid, false);
    return true;
}
