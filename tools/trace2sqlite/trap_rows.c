/* trace2sqlite: the traps row of a trap (see trap_rows.h). */
#include "trap_rows.h"
#include "discon_types.h"

/* Columns 14-19 (tools/db/schema.c): depth, parent_seq, return_ns,
 * duration_ns, ended, never_returned; NULL for a trace without returns,
 * parent_seq NULL with nothing open, the return's NULL until it returned. */
static void pairing_columns(const struct discon_trap *t, int64_t *row, uint32_t *nulls)
{
    if (!(t->pairing & DISCON_TRAP_PAIRED)) {
        *nulls |= 0x3fu << 14;
        return;
    }
    if (t->type == DISCON_HOSTCALL) /* QEMU handled it: no return to wait for */
        *nulls |= 0xfu << 16;
    bool returned = t->end == DISCON_TRAP_RETURNED;
    row[14] = t->depth;
    row[15] = (int64_t)t->parent_seq;
    row[16] = (int64_t)t->return_ns;
    row[17] = returned && t->return_ns >= t->time_ns ? (int64_t)(t->return_ns - t->time_ns) : 0;
    row[18] = t->end;
    row[19] = !returned;
    if (!(t->pairing & DISCON_TRAP_HAS_PARENT))
        *nulls |= 1u << 15;
    if (!returned)
        *nulls |= 3u << 16;
}

int trap_row_add(struct loader *l, const struct discon_trap *t, int64_t *rowid)
{
    struct discon_trap_why why;
    discon_trap_why(&l->namer, t, &why);
    int64_t row[TRAP_COLS] = {
        l->trace, t->vcpu, (int64_t)t->seq, (int64_t)t->time_ns,
        t->type, (int64_t)t->from_pc, (int64_t)t->to_pc, t->events,
        (int64_t)t->cause, (int64_t)t->fault_addr, (int64_t)t->syscall,
        why.kind->id, why.origin, why.interrupt,
    };
    /* cause, fault_addr and syscall are has bits 0-2 (enum discon_has)
     * and columns 8-10. */
    uint32_t nulls = (~(uint32_t)t->has & (DISCON_HAS_CAUSE | DISCON_HAS_FAULT_ADDR |
                                           DISCON_HAS_SYSCALL)) << 8;
    if (why.origin == DISCON_LEVEL_UNKNOWN)
        nulls |= 1u << 12;
    if (why.interrupt < 0)
        nulls |= 1u << 13;
    pairing_columns(t, row, &nulls);
    int rc = rowid ? row_batch_flush(&l->trap_rows) : 0;
    if (rc == 0)
        rc = row_batch_add(&l->trap_rows, row, nulls);
    if (rc == 0 && rowid) {
        rc = row_batch_flush(&l->trap_rows);
        *rowid = sqlite3_last_insert_rowid(l->db->sql);
    }
    return rc;
}
